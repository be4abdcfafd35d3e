/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `tales-cli parse [--json] [--base URI] FILE`: parses FILE with the core
 * parser. With --json, prints one JSON object shaped like Python
 * feedparser's result; without, a short summary. @argv[0] is "parse".
 * Returns the process exit status. */
int tales_cli_parse (int argc, char **argv);

G_END_DECLS
