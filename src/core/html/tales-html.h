/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Module html: a post's HTML made safe (the allow-list sanitizer), its
 * images found and rewritten to the tales-image: scheme, its text for
 * search, and the article page the view loads (tales-article).
 * May use: base, model, libxml2. Knows no database and no network. */

#include <glib.h>

G_BEGIN_DECLS

/* The URI scheme the article view serves cached images from. An image is
 * addressed by a hash of its original URL, so no remote address ever
 * appears in the page: tales-image://image/<sha256 of url>. */
#define TALES_IMAGE_SCHEME "tales-image"

/* Returns (transfer full): the tales-image: URI for an absolute image URL. */
char      *tales_html_image_uri        (const char *url);

/**
 * tales_html_sanitize:
 * @html: untrusted HTML (a fragment, as feeds carry it)
 * @base_uri: (nullable): what relative URLs resolve against
 *
 * Parses @html with libxml2's HTML parser and keeps only an allow-list of
 * elements and attributes: no script, style elements, event handlers,
 * frames, objects, forms, `javascript:`/`data:`/`vbscript:` URLs, nor style
 * attributes that could load anything. Every image source (src, and the
 * srcset candidate chosen for display) is rewritten to its tales-image: URI.
 *
 * Returns: (transfer full): the sanitized fragment, never NULL
 */
char      *tales_html_sanitize         (const char *html,
                                        const char *base_uri);

/**
 * tales_html_collect_image_urls:
 * @html: untrusted HTML
 * @base_uri: (nullable): what relative URLs resolve against
 *
 * The absolute http(s) URLs (and resource: URLs, which the built-in feed
 * uses) of every image the sanitized page will show: each <img src> and
 * the srcset candidate chosen for display, in document order, without
 * duplicates. tales_html_sanitize() rewrites exactly these to
 * tales_html_image_uri().
 *
 * Returns: (transfer full) (element-type utf8): the URLs
 */
GPtrArray *tales_html_collect_image_urls (const char *html,
                                          const char *base_uri);

/* Returns (transfer full): @html reduced to its text (for list previews,
 * search and feedparser's text/plain detection). */
char      *tales_html_to_text          (const char *html);

G_END_DECLS
