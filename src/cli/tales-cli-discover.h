/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `discover URL`: lists the feeds found behind an address. Takes its own
 * argv (argv[0] is the command name) and returns the exit status. */
int tales_cli_discover (int argc, char **argv);

G_END_DECLS
