/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The sanitizer's parts, shared by the html module's files and reachable
 * by the tests and fuzz targets; not part of the core's public API. */

/* At most this many srcset candidates are read from one attribute; the
 * rest are skipped. Real pages offer a handful; the cap keeps the URL
 * parsing (the costly part) bounded however long the attribute is. */
#define TALES_HTML_MAX_SRCSET_CANDIDATES 64

/* Every class name and id a post brings is written with this prefix (code
 * highlighting classes excepted, see _tales_html_post_names()), so that no
 * post element can match a selector of the article view's own: the view
 * must never name its own classes or ids with it. */
#define TALES_HTML_POST_NAME_PREFIX "post-"

/* Returns (transfer full) (nullable): @raw made absolute against
 * @base_uri if it is an http(s) or resource: image URL. */
char *_tales_html_resolve_image_url (const char *raw,
                                     const char *base_uri);

/* Returns (transfer full) (nullable): @raw made absolute against
 * @base_uri if it is an http(s) or mailto: link; a mailto: link keeps
 * only its subject and body fields. */
char *_tales_html_resolve_link_url  (const char *raw,
                                     const char *base_uri);

/* Returns (transfer full) (nullable): the absolute URL of the srcset
 * candidate Tales shows and caches. Linear in the length of @srcset. */
char *_tales_html_choose_srcset     (const char *srcset,
                                     const char *base_uri);

/* Returns (transfer full) (nullable): the space-separated names of a
 * class (@keep_code_classes TRUE), id or headers attribute, each with
 * TALES_HTML_POST_NAME_PREFIX; NULL when none is left. */
char *_tales_html_post_names        (const char *value,
                                     gboolean    keep_code_classes);

/**
 * _tales_html_extract:
 * @html: untrusted HTML
 * @base_uri: (nullable): what relative URLs resolve against
 * @text: (out) (transfer full): tales_html_to_text() of @html
 * @image_urls: (out) (transfer full) (element-type utf8):
 *   tales_html_collect_image_urls() of @html
 *
 * Both at the cost of one parse, for tales-post-images.c: the store needs
 * both of every post it saves.
 */
void  _tales_html_extract           (const char  *html,
                                     const char  *base_uri,
                                     char       **text,
                                     GPtrArray  **image_urls);

G_END_DECLS
