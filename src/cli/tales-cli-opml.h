/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The tales-cli commands for OPML files: each takes its own argv
 * (argv[0] is the command name) and returns the exit status. */

/* `import-opml FILE`: subscribes to every feed of an OPML file. */
int tales_cli_import_opml (int argc, char **argv);
/* `export-opml`: prints every subscription as OPML 2.0. */
int tales_cli_export_opml (int argc, char **argv);

G_END_DECLS
