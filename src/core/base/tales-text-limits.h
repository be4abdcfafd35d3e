/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How long the text a feed controls may be once parsed. A feed is a
 * stranger's file: a 100 MB title would otherwise reach the store, the
 * post list and a wrapping label that lays out every byte of it. Every
 * format (RSS, Atom, RDF, JSON Feed) is cut to these in the parser
 * (tales-parser-model.c), before anything reaches the store; bodies
 * (summary, content) are not cut here. */

/* Post and feed titles, cut at a character with "…". */
#define TALES_MAX_TITLE_BYTES 1024
/* The byline (every author's name, comma-separated), cut with "…". */
#define TALES_MAX_AUTHOR_BYTES 512
/* A category's term, label and scheme, cut with "…". */
#define TALES_MAX_CATEGORY_BYTES 256
/* The feed's subtitle (HTML), cut at a character. */
#define TALES_MAX_SUBTITLE_BYTES 4096
/* A post's GUID or id, cut at a character: still one stable key. */
#define TALES_MAX_ID_BYTES 2048
/* Links, cover, enclosure and feed image URLs. A cut URL would point
 * somewhere else, so a longer one is dropped. */
#define TALES_MAX_URL_BYTES 8192
/* Dates as written, languages and MIME types. */
#define TALES_MAX_SHORT_TEXT_BYTES 256

/* How many of each a post keeps; the rest are ignored. */
#define TALES_MAX_CATEGORIES_PER_POST 64
#define TALES_MAX_AUTHORS_PER_POST 32
#define TALES_MAX_ENCLOSURES_PER_POST 32

/* While an XML feed is read, the text of an element that is not a body
 * (content, summary, description...) stops accumulating past this: far
 * above the caps above, so markup and entities still fit, but a 9 MB
 * title is never held whole. */
#define TALES_MAX_RAW_FIELD_BYTES (64 * 1024)

char *tales_text_cut (const char *text, gsize max_bytes, gboolean ellipsis);
char *tales_text_cut_url (const char *url);

G_END_DECLS
