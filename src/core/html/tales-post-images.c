/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The images a post needs: what the refresh downloads and the store links
 * to the post. */

#define G_LOG_DOMAIN "tales-post-images"

#include "config.h"

#include "tales-post-images.h"
#include "tales-html.h"
#include "tales-html-private.h"
#include "tales-uri.h"

static gboolean
is_fetchable (const char *url)
{
  g_autofree char *scheme = g_uri_parse_scheme (url);

  return scheme != NULL &&
         (g_ascii_strcasecmp (scheme, "http") == 0 ||
          g_ascii_strcasecmp (scheme, "https") == 0 ||
          g_ascii_strcasecmp (scheme, "resource") == 0);
}

/* Adds @url, made absolute against @base, unless it is there already or
 * is nothing Tales can fetch (data:, a relative URL with no base). */
static void
add_url (GPtrArray *urls, GHashTable *seen, const char *url, const char *base)
{
  g_autofree char *absolute = NULL;

  if (url == NULL || *url == '\0')
    return;
  if (g_uri_peek_scheme (url) == NULL && base != NULL)
    absolute = tales_uri_resolve (base, url, G_URI_FLAGS_NONE);
  else
    absolute = g_strdup (url);
  if (absolute == NULL || !is_fetchable (absolute) || g_hash_table_contains (seen, absolute))
    return;

  g_hash_table_add (seen, absolute);
  g_ptr_array_add (urls, g_steal_pointer (&absolute));
}

/* The body's images, and its text when asked: one parse either way. */
static GPtrArray *
body_images (const char *body, const char *link, char **body_text)
{
  GPtrArray *urls = NULL;

  if (body_text == NULL)
    return tales_html_collect_image_urls (body, link);
  _tales_html_extract (body, link, body_text, &urls);
  return urls;
}

GPtrArray *
tales_post_images_collect (TalesPost *post, char **body_text)
{
  GPtrArray *urls = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  const char *link;
  const char *body;
  GPtrArray *enclosures;

  if (body_text != NULL)
    *body_text = NULL;
  g_return_val_if_fail (TALES_IS_POST (post), urls);

  link = tales_post_get_link (post);
  body = tales_post_get_body (post);
  if (body != NULL)
    {
      g_autoptr(GPtrArray) found = body_images (body, link, body_text);

      for (guint i = 0; found != NULL && i < found->len; i++)
        add_url (urls, seen, g_ptr_array_index (found, i), link);
    }

  add_url (urls, seen, tales_post_get_cover_url (post), link);

  enclosures = tales_post_get_enclosures (post);
  for (guint i = 0; enclosures != NULL && i < enclosures->len; i++)
    {
      TalesEnclosure *enclosure = g_ptr_array_index (enclosures, i);

      if (enclosure->type != NULL && g_str_has_prefix (enclosure->type, "image/"))
        add_url (urls, seen, enclosure->href, link);
    }
  return urls;
}
