/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-parser"

#include "config.h"

#include "tales-parser-private.h"
#include "tales-date.h"
#include "tales-text-limits.h"

#include <string.h>

/* The app's model from feedparser's dicts: a TalesPost keeps what the
 * post list and the article view show, a TalesFeed what the sidebar and
 * the refresh schedule need. Every format comes through here, so this is
 * where each field is cut to its limit (tales-text-limits.h). */

static char *
cut_title (const char *text)
{
  return tales_text_cut (text, TALES_MAX_TITLE_BYTES, TRUE);
}

static char *
cut_short (const char *text)
{
  return tales_text_cut (text, TALES_MAX_SHORT_TEXT_BYTES, FALSE);
}

static const char *
get_string (JsonObject *object, const char *key)
{
  return _tales_json_get_string (object, key);
}

static JsonObject *
get_object (JsonObject *object, const char *key)
{
  JsonNode *node = object ? json_object_get_member (object, key) : NULL;

  return node && JSON_NODE_TYPE (node) == JSON_NODE_OBJECT ? json_node_get_object (node) : NULL;
}

static JsonArray *
get_array (JsonObject *object, const char *key)
{
  JsonNode *node = object ? json_object_get_member (object, key) : NULL;

  return node && JSON_NODE_TYPE (node) == JSON_NODE_ARRAY ? json_node_get_array (node) : NULL;
}

static gboolean
looks_like_image (const char *type, const char *href)
{
  static const char * const extensions[] = {
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg", ".bmp",
  };
  const char *path_end;
  gsize len;

  if (type != NULL && *type)
    return g_ascii_strncasecmp (type, "image/", 6) == 0;
  if (href == NULL)
    return FALSE;
  path_end = href + strcspn (href, "?#");
  len = path_end - href;
  for (guint i = 0; i < G_N_ELEMENTS (extensions); i++)
    {
      gsize ext_len = strlen (extensions[i]);

      if (len > ext_len && g_ascii_strncasecmp (path_end - ext_len, extensions[i], ext_len) == 0)
        return TRUE;
    }
  return FALSE;
}

/* A text construct as HTML: plain text is escaped. */
static char *
detail_html (JsonObject *entry, const char *key, const char *value)
{
  g_autofree char *detail_key = g_strconcat (key, "_detail", NULL);
  JsonObject *detail = get_object (entry, detail_key);
  const char *type = detail ? get_string (detail, "type") : NULL;

  if (value == NULL)
    return NULL;
  if (g_strcmp0 (type, "text/plain") == 0)
    return g_markup_escape_text (value, -1);
  return g_strdup (value);
}

/* In RSS, dc:date (which feedparser calls "updated") is the date of the
 * post; in Atom, <updated> is only when it last changed. */
static void
post_set_dates (TalesPost *post, JsonObject *entry, gboolean atom)
{
  g_autofree char *published = cut_short (get_string (entry, "published"));
  g_autofree char *updated = cut_short (get_string (entry, "updated"));

  if (published == NULL)
    published = cut_short (get_string (entry, "created"));
  if (published == NULL && !atom)
    published = g_strdup (updated);
  if (published != NULL)
    {
      g_autoptr(GDateTime) date = tales_date_parse (published);

      tales_post_set_published_text (post, published);
      tales_post_set_published (post, date);
    }
  if (updated != NULL)
    {
      g_autoptr(GDateTime) date = tales_date_parse (updated);

      tales_post_set_updated_text (post, updated);
      tales_post_set_updated (post, date);
    }
}

static void
post_set_tags (TalesPost *post, JsonObject *entry)
{
  JsonArray *tags = get_array (entry, "tags");
  guint kept = 0;

  for (guint i = 0; tags && i < json_array_get_length (tags) && kept < TALES_MAX_CATEGORIES_PER_POST; i++)
    {
      JsonObject *tag = json_array_get_object_element (tags, i);
      g_autofree char *term = tales_text_cut (get_string (tag, "term"), TALES_MAX_CATEGORY_BYTES, TRUE);
      g_autofree char *scheme = tales_text_cut (get_string (tag, "scheme"), TALES_MAX_CATEGORY_BYTES, FALSE);
      g_autofree char *label = tales_text_cut (get_string (tag, "label"), TALES_MAX_CATEGORY_BYTES, TRUE);

      if (term == NULL)
        continue;
      /* Feeds pad terms ("Business growth "); a category is a label to
       * show and match, not text to keep verbatim. */
      g_strstrip (term);
      if (*term)
        {
          tales_post_add_tag (post, term, scheme && *scheme ? scheme : NULL,
                              label && *label ? label : NULL);
          kept++;
        }
    }
}

static const char *
first_url (JsonObject *entry, const char *key, const char *attr)
{
  JsonArray *list = get_array (entry, key);

  for (guint i = 0; list && i < json_array_get_length (list); i++)
    {
      JsonObject *item = json_array_get_object_element (list, i);
      const char *url = get_string (item, attr);
      const char *medium = get_string (item, "medium");

      if (url == NULL || *url == '\0')
        continue;
      if (strcmp (key, "media_content") != 0 || g_strcmp0 (medium, "image") == 0 ||
          looks_like_image (get_string (item, "type"), medium ? NULL : url))
        return url;
    }
  return NULL;
}

/* Enclosures, and the cover image: a media:thumbnail, else an image
 * enclosure, else an image media:content. */
static void
post_set_media (TalesPost *post, JsonObject *entry)
{
  JsonArray *links = get_array (entry, "links");
  const char *cover = first_url (entry, "media_thumbnail", "url");
  const char *enclosure_cover = NULL;
  g_autofree char *cover_cut = NULL;
  guint kept = 0;

  for (guint i = 0; links && i < json_array_get_length (links) && kept < TALES_MAX_ENCLOSURES_PER_POST; i++)
    {
      JsonObject *link = json_array_get_object_element (links, i);
      const char *href = get_string (link, "href");
      g_autofree char *type = cut_short (get_string (link, "type"));
      const char *length = get_string (link, "length");
      gint64 size = length ? g_ascii_strtoll (length, NULL, 10) : 0;
      g_autofree char *href_cut = tales_text_cut_url (href);

      if (g_strcmp0 (get_string (link, "rel"), "enclosure") != 0 || href_cut == NULL || *href_cut == '\0')
        continue;
      tales_post_add_enclosure (post, href_cut, type && *type ? type : NULL, MAX (size, 0));
      kept++;
      if (enclosure_cover == NULL && looks_like_image (type, href))
        enclosure_cover = href;
    }
  if (cover == NULL)
    cover = enclosure_cover;
  if (cover == NULL)
    cover = first_url (entry, "media_content", "url");
  cover_cut = tales_text_cut_url (cover);
  tales_post_set_cover_url (post, cover_cut);
}

static char *
first_content (JsonObject *entry)
{
  JsonArray *content = get_array (entry, "content");

  for (guint i = 0; content && i < json_array_get_length (content); i++)
    {
      JsonObject *item = json_array_get_object_element (content, i);
      const char *value = get_string (item, "value");
      const char *type = get_string (item, "type");

      if (value == NULL || *value == '\0')
        continue;
      if (g_strcmp0 (type, "text/plain") == 0)
        return g_markup_escape_text (value, -1);
      return g_strdup (value);
    }
  return NULL;
}

TalesPost *
_tales_post_from_entry (JsonObject *entry, const char *feed_title, gboolean atom)
{
  TalesPost *post = tales_post_new ();
  JsonObject *author = get_object (entry, "author_detail");
  g_autofree char *title = cut_title (get_string (entry, "title"));
  const char *summary = get_string (entry, "summary");
  g_autofree char *link = tales_text_cut_url (get_string (entry, "link"));
  g_autofree char *summary_html = NULL;
  g_autofree char *content = first_content (entry);
  g_autofree char *id = tales_text_cut (get_string (entry, "id"), TALES_MAX_ID_BYTES, FALSE);
  g_autofree char *name = NULL;
  g_autofree char *feed_title_cut = cut_title (feed_title);

  tales_post_set_guid (post, id && *id ? id : NULL);
  tales_post_set_title (post, title && *title ? title : NULL);
  tales_post_set_link (post, link && *link ? link : NULL);
  if (author != NULL && get_string (author, "name") != NULL)
    name = tales_text_cut (get_string (author, "name"), TALES_MAX_AUTHOR_BYTES, TRUE);
  else if ((name = tales_text_cut (get_string (entry, "author"), TALES_MAX_AUTHOR_BYTES, TRUE)) != NULL &&
           *name == '\0')
    g_clear_pointer (&name, g_free);
  tales_post_set_author (post, name);
  summary_html = detail_html (entry, "summary", summary);
  if (summary_html != NULL && *summary_html != '\0')
    tales_post_set_summary (post, summary_html);
  tales_post_set_content (post, content);
  post_set_dates (post, entry, atom);
  post_set_tags (post, entry);
  post_set_media (post, entry);
  tales_post_set_feed_title (post, feed_title_cut);
  return post;
}

/* How often the feed says it changes: RSS <ttl> (minutes), else
 * sy:updatePeriod / sy:updateFrequency. */
static guint
refresh_hint (JsonObject *feeddata)
{
  const char *ttl = get_string (feeddata, "ttl");
  const char *period = get_string (feeddata, "sy_updateperiod");
  const char *frequency = get_string (feeddata, "sy_updatefrequency");
  static const struct { const char *name; guint seconds; } periods[] = {
    { "hourly", 3600 }, { "daily", 86400 }, { "weekly", 7 * 86400 },
    { "monthly", 30 * 86400 }, { "yearly", 365 * 86400 },
  };
  gint64 n;

  if (ttl != NULL && (n = g_ascii_strtoll (ttl, NULL, 10)) > 0)
    return (guint) MIN (n * 60, G_MAXUINT);
  if (period == NULL)
    return 0;
  n = frequency ? g_ascii_strtoll (frequency, NULL, 10) : 1;
  if (n <= 0)
    n = 1;
  for (guint i = 0; i < G_N_ELEMENTS (periods); i++)
    if (g_ascii_strcasecmp (period, periods[i].name) == 0)
      return MAX (periods[i].seconds / (guint) n, 1);
  return 0;
}

static const char *
feed_image (JsonObject *feeddata)
{
  JsonObject *image = get_object (feeddata, "image");
  const char *logo = get_string (feeddata, "logo");

  /* The caller cuts the one chosen (tales_text_cut_url). */

  /* The logo (wide) is preferred to the icon (square, small). */
  if (logo != NULL && *logo)
    return logo;
  if (image != NULL)
    {
      const char *href = get_string (image, "href");

      if (href == NULL)
        href = get_string (image, "url");
      if (href != NULL && *href)
        return href;
    }
  return get_string (feeddata, "icon");
}

void
_tales_feed_fill (TalesFeed *feed, JsonObject *feeddata)
{
  g_autofree char *title = cut_title (get_string (feeddata, "title"));
  g_autofree char *link = tales_text_cut_url (get_string (feeddata, "link"));
  g_autofree char *subtitle = tales_text_cut (get_string (feeddata, "subtitle"), TALES_MAX_SUBTITLE_BYTES, FALSE);
  g_autofree char *language = cut_short (get_string (feeddata, "language"));
  g_autofree char *updated = cut_short (get_string (feeddata, "updated"));
  g_autofree char *subtitle_html = NULL;
  g_autofree char *image = tales_text_cut_url (feed_image (feeddata));

  /* Escaping plain text may grow it: the subtitle is cut again after. */
  subtitle_html = detail_html (feeddata, "subtitle", subtitle);
  if (subtitle_html != NULL && strlen (subtitle_html) > TALES_MAX_SUBTITLE_BYTES)
    {
      char *cut = tales_text_cut (subtitle_html, TALES_MAX_SUBTITLE_BYTES, FALSE);

      g_free (subtitle_html);
      subtitle_html = cut;
    }
  if (updated == NULL)
    updated = cut_short (get_string (feeddata, "published"));
  tales_feed_set_title (feed, title && *title ? title : NULL);
  tales_feed_set_link (feed, link && *link ? link : NULL);
  tales_feed_set_subtitle (feed, subtitle_html && *subtitle_html ? subtitle_html : NULL);
  tales_feed_set_language (feed, language && *language ? language : NULL);
  tales_feed_set_image_url (feed, image);
  tales_feed_set_refresh_hint (feed, refresh_hint (feeddata));
  if (updated != NULL)
    {
      g_autoptr(GDateTime) date = tales_date_parse (updated);

      tales_feed_set_updated (feed, date);
      g_object_set_data_full (G_OBJECT (feed), TALES_PARSE_FEED_UPDATED_TEXT,
                              g_strdup (updated), g_free);
    }
}
