/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-uri"

#include "tales-uri.h"

#include <string.h>

char *
tales_uri_resolve (const char *base, const char *ref, GUriFlags flags)
{
  g_autoptr(GUri) base_uri = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *path;

  g_return_val_if_fail (ref != NULL, NULL);

  if (base != NULL && (base_uri = g_uri_parse (base, flags, NULL)) == NULL)
    return NULL;
  uri = g_uri_parse_relative (base_uri, ref, flags, NULL);
  if (uri == NULL)
    return NULL;

  /* g_uri_to_string() in GLib 2.74 asserts on a host-less URI whose path
   * starts with "//" and on a hosted one whose path is relative. */
  path = g_uri_get_path (uri);
  if (g_uri_get_host (uri) == NULL ? g_str_has_prefix (path, "//")
                                   : (path[0] != '\0' && path[0] != '/'))
    return NULL;
  return g_uri_to_string (uri);
}

GUri *
tales_uri_without_userinfo (GUri *uri)
{
  GUriFlags flags;

  g_return_val_if_fail (uri != NULL, NULL);

  if (g_uri_get_userinfo (uri) == NULL)
    return g_uri_ref (uri);
  flags = g_uri_get_flags (uri) & ~(G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_HAS_AUTH_PARAMS);
  return g_uri_build (flags, g_uri_get_scheme (uri), NULL, g_uri_get_host (uri),
                      g_uri_get_port (uri), g_uri_get_path (uri), g_uri_get_query (uri),
                      g_uri_get_fragment (uri));
}

/* Joining as Python's urljoin does and refusing unsafe schemes, as
 * feedparser does for the URIs a feed carries. */

static const char * const acceptable_schemes[] = {
  "file", "ftp", "gopher", "h323", "hdl", "http", "https", "imap", "magnet", "mailto", "mms",
  "news", "nntp", "prospero", "rsync", "rtsp", "rtspu", "sftp", "shttp", "sip", "sips",
  "snews", "svn", "svn+ssh", "telnet", "wais", "aim", "callto", "cvs", "facetime", "feed",
  "git", "gtalk", "irc", "ircs", "irc6", "itms", "msnim", "skype", "ssh", "smb", "ymsg",
  /* Tales' own built-in feed points at its resources */
  "resource", NULL,
};

static const char * const relative_schemes[] = {
  "", "ftp", "http", "gopher", "nntp", "imap", "wais", "file", "https", "shttp", "mms",
  "prospero", "rtsp", "rtspu", "sftp", "svn", "svn+ssh", "ws", "wss", NULL,
};

/* "http:////x" -> "http://x", as feedparser's _urifixer; but file:///
 * and resource:/// URIs have an empty authority on purpose. */
static char *
fix_slashes (const char *uri)
{
  const char *p = uri;

  if (!g_ascii_isalpha (*p) || g_ascii_strncasecmp (uri, "file:", 5) == 0 ||
      g_ascii_strncasecmp (uri, "resource:", 9) == 0)
    return g_strdup (uri);
  while (g_ascii_isalnum (*p) || *p == '+' || *p == '-' || *p == '.')
    p++;
  if (strncmp (p, "://", 3) != 0)
    return g_strdup (uri);
  p += 3;
  if (*p != '/')
    return g_strdup (uri);
  {
    const char *rest = p;
    g_autofree char *head = g_strndup (uri, p - uri);

    while (*rest == '/')
      rest++;
    return g_strconcat (head, rest, NULL);
  }
}

static char *
scheme_of (const char *uri)
{
  char *scheme = g_uri_parse_scheme (uri);

  return scheme ? scheme : g_strdup ("");
}

char *
tales_uri_join (const char *base, const char *uri)
{
  g_autofree char *fixed = fix_slashes (uri ? uri : "");
  g_autofree char *base_scheme = NULL;
  g_autofree char *uri_scheme = NULL;
  char *joined;

  if (base == NULL || *base == '\0')
    return g_steal_pointer (&fixed);
  if (*fixed == '\0')
    return g_strdup (base);
  base_scheme = scheme_of (base);
  uri_scheme = scheme_of (fixed);
  if ((*uri_scheme && g_ascii_strcasecmp (uri_scheme, base_scheme) != 0) ||
      !g_strv_contains (relative_schemes, base_scheme))
    return g_steal_pointer (&fixed);
  joined = tales_uri_resolve (base, fixed, G_URI_FLAGS_PARSE_RELAXED);
  return joined ? joined : g_steal_pointer (&fixed);
}

char *
tales_uri_make_safe_absolute (const char *base, const char *rel)
{
  g_autofree char *joined = NULL;
  g_autofree char *scheme = NULL;
  const char *colon;

  if (base == NULL || *base == '\0')
    return g_strdup (rel ? rel : "");
  if (rel == NULL || *rel == '\0')
    {
      scheme = scheme_of (base);
      if (*scheme == '\0' || g_strv_contains (acceptable_schemes, scheme))
        return g_strdup (base);
      return g_strdup ("");
    }
  joined = tales_uri_join (base, rel);
  g_strstrip (joined);
  colon = strchr (joined, ':');
  scheme = colon ? g_strndup (joined, colon - joined) : g_strdup (joined);
  if (!g_strv_contains (acceptable_schemes, scheme))
    return g_strdup ("");
  return g_steal_pointer (&joined);
}

gboolean
tales_uri_scheme_is_acceptable (const char *scheme)
{
  return g_strv_contains (acceptable_schemes, scheme);
}

static gboolean
is_web_address (const char *uri)
{
  g_autofree char *scheme = g_uri_parse_scheme (uri);

  return scheme != NULL &&
         (g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "https") == 0) &&
         g_uri_is_valid (uri, G_URI_FLAGS_NONE, NULL);
}

char *
tales_uri_web_address (const char *uri)
{
  g_autofree char *scheme = NULL;
  g_autofree char *unwrapped = NULL;

  g_return_val_if_fail (uri != NULL, NULL);

  scheme = g_uri_parse_scheme (uri);
  if (scheme != NULL && g_ascii_strcasecmp (scheme, "feed") == 0)
    {
      const char *rest = uri + strlen ("feed:");

      /* feed:https://host/path wraps a whole address; feed://host/path is
       * the web address with another scheme, and today that means https.
       * Unwrapped once only: what is inside must be a web address. */
      unwrapped = g_str_has_prefix (rest, "//") ? g_strconcat ("https:", rest, NULL) : g_strdup (rest);
      uri = unwrapped;
    }
  return is_web_address (uri) ? g_strdup (uri) : NULL;
}
