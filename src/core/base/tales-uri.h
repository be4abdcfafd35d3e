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

G_END_DECLS
