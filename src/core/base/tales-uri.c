#define G_LOG_DOMAIN "tales-uri"

#include "tales-uri.h"

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
