/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-html"

/* The URLs a sanitized post may carry: images (http, https, resource) and
 * links (http, https, mailto), made absolute against the post's address. */

#include "tales-html-private.h"
#include "tales-uri.h"

#include <string.h>

/* The only fields of a mailto: query a post's link may preset. Others can
 * ask the mail client for more than a draft: attach/attachment name local
 * files, and to/cc/bcc add recipients the reader did not see in the link. */
static const char * const mailto_fields[] = { "subject", "body" };

/* Browsers drop tabs and newlines anywhere in a URL and C0 controls and
 * spaces at its ends ("java\tscript:", " javascript:"), so the scheme is
 * judged on the same string a browser would see. */
static char *
clean_url (const char *raw)
{
  GString *url = g_string_new (NULL);
  gsize start = 0;
  gsize end;

  for (const char *p = raw; *p; p++)
    if (*p != '\t' && *p != '\n' && *p != '\r')
      g_string_append_c (url, *p);

  end = url->len;
  while (start < end && (guchar) url->str[start] <= 0x20)
    start++;
  while (end > start && (guchar) url->str[end - 1] <= 0x20)
    end--;
  g_string_truncate (url, end);
  g_string_erase (url, 0, start);
  return g_string_free (url, FALSE);
}

/* Returns (transfer full) (nullable): @raw made absolute against
 * @base_uri, if its scheme is one of @schemes (and, for http(s), it has a
 * host); @scheme_out gets its scheme. */
static char *
resolve_url (const char         *raw,
             const char         *base_uri,
             const char * const *schemes,
             char              **scheme_out)
{
  g_autofree char *cleaned = NULL;
  g_autofree char *resolved = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (raw == NULL)
    return NULL;
  cleaned = clean_url (raw);
  if (*cleaned == '\0')
    return NULL;

  resolved = tales_uri_resolve (base_uri, cleaned, G_URI_FLAGS_ENCODED);
  if (resolved == NULL)
    return NULL;
  uri = g_uri_parse (resolved, G_URI_FLAGS_ENCODED, NULL);
  if (uri == NULL)
    return NULL;

  scheme = g_uri_get_scheme (uri);
  if (scheme == NULL || !g_strv_contains (schemes, scheme))
    return NULL;
  if (g_str_has_prefix (scheme, "http") &&
      (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0'))
    return NULL;
  if (scheme_out != NULL)
    *scheme_out = g_strdup (scheme);
  return g_steal_pointer (&resolved);
}

char *
_tales_html_resolve_image_url (const char *raw, const char *base_uri)
{
  static const char * const schemes[] = { "http", "https", "resource", NULL };

  return resolve_url (raw, base_uri, schemes, NULL);
}

/* Appends the "name=value" field from @field to @field_end to @out if
 * its name, decoded, is one of mailto_fields; the name is written as the
 * list spells it, the value as the link had it (still percent-encoded). */
static void
append_mailto_field (GString *out, const char *field, const char *field_end, gboolean *first)
{
  const char *equals = memchr (field, '=', field_end - field);
  g_autofree char *name = NULL;

  if (equals == NULL)
    return;
  name = g_uri_unescape_segment (field, equals, NULL);
  if (name == NULL)
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (mailto_fields); i++)
    if (g_ascii_strcasecmp (name, mailto_fields[i]) == 0)
      {
        g_string_append_c (out, *first ? '?' : '&');
        *first = FALSE;
        g_string_append (out, mailto_fields[i]);
        g_string_append_len (out, equals, field_end - equals);
        return;
      }
}

/* Returns (transfer full) (nullable): the mailto: URL @url with only the
 * subject and body fields of its query, and no fragment; NULL when its
 * address part, decoded, would hide a query of its own. The fields are
 * read in place, in one pass. */
static char *
keep_mailto_fields (const char *url)
{
  const char *colon = strchr (url, ':');
  gsize address_len = strcspn (colon + 1, "?#");
  const char *query = colon + 1 + address_len;
  g_autofree char *address = g_strndup (colon + 1, address_len);
  g_autofree char *decoded = g_uri_unescape_string (address, NULL);
  gboolean first = TRUE;
  GString *out;

  if (decoded == NULL || strpbrk (decoded, "?#") != NULL)
    return NULL;
  out = g_string_new ("mailto:");
  g_string_append (out, address);
  if (*query == '?')
    {
      const char *field = query + 1;
      const char *query_end = field + strcspn (field, "#");

      while (field < query_end)
        {
          const char *field_end = field + strcspn (field, "&#");

          append_mailto_field (out, field, field_end, &first);
          field = field_end + (field_end < query_end);
        }
    }
  return g_string_free (out, FALSE);
}

char *
_tales_html_resolve_link_url (const char *raw, const char *base_uri)
{
  static const char * const schemes[] = { "http", "https", "mailto", NULL };
  g_autofree char *scheme = NULL;
  g_autofree char *url = resolve_url (raw, base_uri, schemes, &scheme);

  if (url != NULL && g_str_equal (scheme, "mailto"))
    return keep_mailto_fields (url);
  return g_steal_pointer (&url);
}
