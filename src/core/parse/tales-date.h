/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Parses the date forms feeds use: RFC 822/1123 with any zone form
 * ("GMT", "EST", "+0200", military letters), and RFC 3339 / ISO 8601 /
 * W3CDTF. Returns (transfer full) (nullable): the date in UTC, or NULL when
 * @text is no date this knows. */
GDateTime *tales_date_parse (const char *text);

G_END_DECLS
