/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-article"

#include "config.h"

#include "tales-article.h"
#include "tales-resources.h"
#include "tales-html.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <string.h>

/* The article is one self-contained document: the stylesheet is inlined
 * (the CSP allows inline styles and nothing else but tales-image: images),
 * every piece of feed text is escaped or sanitized, and nothing in it can
 * run or load from the network. */

#define ARTICLE_CSS_PATH "/io/github/talesreader/Tales/article.css"

static GBytes *
load_css (void)
{
  g_autoptr(GError) error = NULL;
  GBytes *css;

  tales_core_init ();
  css = g_resources_lookup_data (ARTICLE_CSS_PATH, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  if (css == NULL)
    g_warning ("Could not load the article stylesheet: %s", error->message);
  return css;
}

static void
append_escaped (GString *out, const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text ? text : "", -1);

  g_string_append (out, escaped);
}

static gboolean
is_web_url (const char *url)
{
  const char *scheme;

  if (url == NULL)
    return FALSE;
  scheme = g_uri_peek_scheme (url);  /* lowercased */
  return scheme != NULL &&
         (g_str_equal (scheme, "http") || g_str_equal (scheme, "https")) &&
         g_uri_is_valid (url, G_URI_FLAGS_NONE, NULL);
}

static const char *
display_title (TalesPost *post)
{
  const char *title = tales_post_get_title (post);

  return title != NULL && *title != '\0' ? title : _("Untitled");
}

/* "18 September 2024", in local time. */
static char *
format_date (GDateTime *date)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (date);

  /* TRANSLATORS: the date of a post in the article's byline, as a
   * g_date_time_format() pattern: "18 September 2024". */
  return local ? g_date_time_format (local, _("%-d %B %Y")) : NULL;
}

static void
append_byline (GString *out, TalesPost *post)
{
  const char *author = tales_post_get_author (post);
  const char *feed_title = tales_post_get_feed_title (post);
  GDateTime *date = tales_post_get_published (post);
  gboolean first = TRUE;

  if (date == NULL)
    date = tales_post_get_updated (post);
  if ((author == NULL || *author == '\0') && date == NULL &&
      (feed_title == NULL || *feed_title == '\0'))
    return;

  g_string_append (out, "<p class=\"byline\">");
  if (author != NULL && *author != '\0')
    {
      g_string_append (out, "<span class=\"author\">");
      append_escaped (out, author);
      g_string_append (out, "</span>");
      first = FALSE;
    }
  if (date != NULL)
    {
      g_autofree char *text = format_date (date);
      g_autofree char *iso = g_date_time_format_iso8601 (date);

      if (!first)
        g_string_append (out, " · ");
      g_string_append (out, "<time datetime=\"");
      append_escaped (out, iso);
      g_string_append (out, "\">");
      append_escaped (out, text);
      g_string_append (out, "</time>");
      first = FALSE;
    }
  if (feed_title != NULL && *feed_title != '\0')
    {
      if (!first)
        g_string_append (out, " · ");
      g_string_append (out, "<span class=\"feed\">");
      append_escaped (out, feed_title);
      g_string_append (out, "</span>");
    }
  g_string_append (out, "</p>\n");
}

static void
append_categories (GString *out, TalesPost *post)
{
  const char * const *categories = tales_post_get_categories (post);

  if (categories == NULL || categories[0] == NULL)
    return;
  g_string_append (out, "<ul class=\"categories\">");
  /* Each chip is a tales-category: link; the article view turns a click on
   * one into a filter instead of a navigation. */
  for (guint i = 0; categories[i]; i++)
    {
      g_autofree char *escaped = g_uri_escape_string (categories[i], NULL, FALSE);

      g_string_append (out, "<li class=\"category\"><a href=\"tales-category:");
      append_escaped (out, escaped);
      g_string_append (out, "\">");
      append_escaped (out, categories[i]);
      g_string_append (out, "</a></li>");
    }
  g_string_append (out, "</ul>\n");
}

/* The cover goes through the sanitizer like any body image, so it obeys
 * the same URL rules and gets the same tales-image: address; it is left
 * out when the body already shows that image. */
static void
append_cover (GString *out, TalesPost *post, const char *body)
{
  const char *cover = tales_post_get_cover_url (post);
  const char *link = tales_post_get_link (post);
  g_autofree char *escaped = NULL;
  g_autofree char *img = NULL;
  g_autofree char *figure = NULL;
  g_autoptr(GPtrArray) cover_urls = NULL;
  g_autoptr(GPtrArray) body_urls = NULL;

  if (cover == NULL || *cover == '\0')
    return;
  escaped = g_markup_escape_text (cover, -1);
  img = g_strdup_printf ("<img src=\"%s\" alt=\"\">", escaped);
  cover_urls = tales_html_collect_image_urls (img, link);
  if (cover_urls->len == 0)
    return;

  body_urls = tales_html_collect_image_urls (body, link);
  for (guint i = 0; i < body_urls->len; i++)
    if (g_str_equal (body_urls->pdata[i], cover_urls->pdata[0]))
      return;

  figure = tales_html_sanitize (img, link);
  g_string_append_printf (out, "<figure class=\"cover\">%s</figure>\n", figure);
}

static void
append_head (GString *out, TalesPost *post)
{
  g_autoptr(GBytes) css = load_css ();

  g_string_append (out,
                   "<!DOCTYPE html>\n"
                   "<html>\n<head>\n"
                   "<meta charset=\"utf-8\">\n"
                   "<meta http-equiv=\"Content-Security-Policy\" content=\"" TALES_ARTICLE_CSP "\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<meta name=\"color-scheme\" content=\"light dark\">\n"
                   "<title>");
  append_escaped (out, display_title (post));
  g_string_append (out, "</title>\n<style>\n");
  if (css != NULL)
    g_string_append_len (out, g_bytes_get_data (css, NULL), g_bytes_get_size (css));
  g_string_append (out, "</style>\n</head>\n");
}

char *
tales_article_render (TalesPost *post)
{
  GString *out;
  const char *body;
  const char *link;
  g_autofree char *sanitized = NULL;

  g_return_val_if_fail (TALES_IS_POST (post), NULL);

  out = g_string_new (NULL);
  body = tales_post_get_body (post);
  link = tales_post_get_link (post);
  sanitized = tales_html_sanitize (body, link);

  append_head (out, post);
  g_string_append (out, "<body>\n<article class=\"tales-article\">\n<header>\n<h1 class=\"title\">");
  append_escaped (out, display_title (post));
  g_string_append (out, "</h1>\n");
  append_byline (out, post);
  append_categories (out, post);
  g_string_append (out, "</header>\n");
  append_cover (out, post, body);
  g_string_append_printf (out, "<div class=\"body\">\n%s\n</div>\n", sanitized);

  if (is_web_url (link))
    {
      g_string_append (out, "<footer>\n<p class=\"source\"><a href=\"");
      append_escaped (out, link);
      g_string_append (out, "\">");
      append_escaped (out, _("Read on the web"));
      g_string_append (out, "</a></p>\n</footer>\n");
    }

  g_string_append (out, "</article>\n</body>\n</html>\n");
  return g_string_free (out, FALSE);
}
