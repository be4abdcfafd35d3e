/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Text from outside (feed titles, authors, links, HTTP reason phrases)
 * reaches the terminal as text, never as commands: every control a
 * terminal could obey is printed as a visible escape instead. */

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  TALES_CLI_ONE_LINE   = 0,       /* a field on one line: \n and \t are escaped too */
  TALES_CLI_KEEP_LINES = 1 << 0,  /* running text (a post's body): \n and \t stay */
} TalesCliEscapeFlags;

/* Returns (transfer full) (nullable): @text with C0 controls, DEL, C1
 * controls (U+0080–U+009F), bidi embeddings, overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069) and line separators (U+2028, U+2029)
 * shown as "\x1b" or "\u202e", and every byte of invalid UTF-8 as "\xff".
 * NULL for NULL. */
char *tales_cli_escape      (const char          *text,
                             TalesCliEscapeFlags  flags);

/* Returns (transfer full): the JSON document @json with the characters
 * above written as \uXXXX (json-glib already escapes C0 controls): the
 * strings decode to exactly what they were, and a terminal sees no
 * control. Invalid UTF-8 becomes \ufffd. */
char *tales_cli_escape_json (const char          *json);

/* Returns (transfer full): the HTML document @html with the characters
 * above written as character references (&#x1b;), so a browser reads the
 * same text; a raw \r becomes \n, as an HTML parser reads it anyway, and
 * invalid UTF-8 becomes U+FFFD, as it would decode it. */
char *tales_cli_escape_html (const char          *html);

G_END_DECLS
