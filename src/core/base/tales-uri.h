/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Module base: what every other module leans on and nothing else: URI
 * resolution (tales-uri), the XDG paths (tales-paths), worker threads and
 * their scheduling class (tales-thread), the length limits of text a feed
 * controls (tales-text-limits) and GLib compatibility (tales-compat.h).
 * May use: GLib and GIO only. */

#include <glib.h>

G_BEGIN_DECLS

/**
 * tales_uri_resolve:
 * @base: (nullable): the URI @ref is relative to
 * @ref: a URI reference, absolute or relative
 * @flags: how to parse both
 *
 * Like g_uri_resolve_relative(), but safe on the hostile URLs feeds carry:
 * GLib 2.74 raises a critical (and returns NULL) for some results it cannot
 * print, e.g. "http:/.//x" or a base with a broken host. Those, and every
 * reference that does not parse, give NULL here without a warning.
 *
 * Returns: (transfer full) (nullable): the absolute URI
 */
char *tales_uri_resolve (const char *base,
                         const char *ref,
                         GUriFlags   flags);

/**
 * tales_uri_without_userinfo:
 * @uri: an absolute URI
 *
 * @uri without its user name and password ("user:pass@"), so that nothing
 * down the line (libsoup's authentication) can send them.
 *
 * Returns: (transfer full): a new reference to @uri when it has none, or
 *   a copy without them
 */
GUri *tales_uri_without_userinfo (GUri *uri);

/**
 * tales_uri_join:
 * @base: (nullable): the URI @uri is relative to
 * @uri: (nullable): a URI reference
 *
 * Joins @uri to @base as Python's urllib.parse.urljoin() does (and so
 * feedparser): "http:////x" becomes "http://x", a @uri with a scheme other
 * than @base's, or a @base whose scheme is not hierarchical, stays as it
 * is, and a join that does not parse gives @uri unchanged.
 *
 * Returns: (transfer full): the joined URI, never NULL
 */
char     *tales_uri_join                 (const char *base,
                                          const char *uri);

/**
 * tales_uri_make_safe_absolute:
 * @base: (nullable): the URI @rel is relative to
 * @rel: (nullable): a URI reference
 *
 * tales_uri_join(), but "" when the result's scheme is not one feedparser
 * accepts (javascript:, data: and the like).
 *
 * Returns: (transfer full): the joined URI or "", never NULL
 */
char     *tales_uri_make_safe_absolute   (const char *base,
                                          const char *rel);

/**
 * tales_uri_scheme_is_acceptable:
 * @scheme: a URI scheme, lower case
 *
 * Returns: whether feedparser keeps URIs with @scheme
 */
gboolean  tales_uri_scheme_is_acceptable (const char *scheme);

/**
 * tales_uri_web_address:
 * @uri: an address from a person, a desktop file or an OPML list
 *
 * http and https as they are (when valid), feed://host/path as
 * https://host/path, feed:https://… unwrapped once; anything else (file:,
 * data:, javascript:, feed:feed:…) is no web address.
 *
 * Returns: (transfer full) (nullable): the http(s) address, or %NULL
 */
char     *tales_uri_web_address          (const char *uri);

G_END_DECLS
