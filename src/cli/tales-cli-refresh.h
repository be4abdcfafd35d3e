/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `refresh [--force]`: refreshes every due feed (all with --force). Takes
 * its own argv (argv[0] is the command name) and returns the exit status. */
int tales_cli_refresh (int argc, char **argv);

G_END_DECLS
