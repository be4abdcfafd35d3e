#pragma once

/* What every tales-cli command shares: how failures reach the person. */

#include <glib.h>

G_BEGIN_DECLS

/* Prints @error as one sentence on stderr; returns the exit status 1. */
int tales_cli_fail       (const GError *error);
/* Prints the usage of one command ("fetch URL"); returns the exit status 2. */
int tales_cli_fail_usage (const char *usage);
/* Prints a JSON document and a newline on stdout, with nothing in it a
 * terminal would obey (see tales_cli_escape_json()). */
void tales_cli_print_json (const char *json);

G_END_DECLS
