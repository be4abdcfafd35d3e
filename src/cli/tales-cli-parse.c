#define G_LOG_DOMAIN "tales-cli-parse"

#include "config.h"

#include "tales-cli-parse.h"
#include "tales-core.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

/* The JSON mirrors Python feedparser's result dict, so that feedparser's
 * own conformance corpus can check the core parser: keys the feed did not
 * have are left out, dates come as text plus a 9-item struct_time list in
 * UTC, and enclosures also appear as links with rel="enclosure". */

static void
add_string (JsonBuilder *b, const char *key, const char *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (b, key);
  json_builder_add_string_value (b, value);
}

static void
add_nullable_string (JsonBuilder *b, const char *key, const char *value)
{
  json_builder_set_member_name (b, key);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_detail (JsonBuilder *b, const char *key, const char *type, const char *value)
{
  if (value == NULL)
    return;
  add_string (b, key, value);
  {
    g_autofree char *detail = g_strconcat (key, "_detail", NULL);

    json_builder_set_member_name (b, detail);
  }
  json_builder_begin_object (b);
  add_string (b, "type", type);
  add_string (b, "value", value);
  json_builder_end_object (b);
}

/* time.struct_time: [year, mon, mday, hour, min, sec, wday (Mon=0), yday, 0] */
static void
add_date (JsonBuilder *b, const char *key, const char *text, GDateTime *date)
{
  g_autofree char *parsed_key = NULL;

  if (text == NULL)
    return;
  add_string (b, key, text);
  if (date == NULL)
    return;
  parsed_key = g_strconcat (key, "_parsed", NULL);
  json_builder_set_member_name (b, parsed_key);
  json_builder_begin_array (b);
  json_builder_add_int_value (b, g_date_time_get_year (date));
  json_builder_add_int_value (b, g_date_time_get_month (date));
  json_builder_add_int_value (b, g_date_time_get_day_of_month (date));
  json_builder_add_int_value (b, g_date_time_get_hour (date));
  json_builder_add_int_value (b, g_date_time_get_minute (date));
  json_builder_add_int_value (b, g_date_time_get_second (date));
  json_builder_add_int_value (b, g_date_time_get_day_of_week (date) - 1);
  json_builder_add_int_value (b, g_date_time_get_day_of_year (date));
  json_builder_add_int_value (b, 0);
  json_builder_end_array (b);
}

static void
add_link (JsonBuilder *b, const char *rel, const char *type, const char *href)
{
  json_builder_begin_object (b);
  add_string (b, "rel", rel);
  add_string (b, "type", type);
  add_string (b, "href", href);
  json_builder_end_object (b);
}

/* "me@example.com (Name)" and "Name <me@example.com>", as feedparser
 * splits them. */
static void
add_author (JsonBuilder *b, const char *author)
{
  g_autofree char *name = NULL;
  g_autofree char *email = NULL;
  const char *open;

  if (author == NULL)
    return;
  if ((open = strchr (author, '(')) != NULL && g_str_has_suffix (author, ")"))
    {
      email = g_strstrip (g_strndup (author, open - author));
      name = g_strstrip (g_strndup (open + 1, strlen (open + 1) - 1));
      if (strchr (name, '@') != NULL)
        {
          char *swap = name;

          name = email;
          email = swap;
        }
    }
  else if ((open = strchr (author, '<')) != NULL && g_str_has_suffix (author, ">"))
    {
      name = g_strstrip (g_strndup (author, open - author));
      email = g_strstrip (g_strndup (open + 1, strlen (open + 1) - 1));
    }
  else if (strchr (author, '@') != NULL && strchr (author, ' ') == NULL)
    email = g_strdup (author);
  else
    name = g_strdup (author);
  if (email != NULL && strchr (email, '@') == NULL)
    {
      g_clear_pointer (&name, g_free);
      g_clear_pointer (&email, g_free);
      name = g_strdup (author);
    }

  add_string (b, "author", author);
  json_builder_set_member_name (b, "author_detail");
  json_builder_begin_object (b);
  add_string (b, "name", name && *name ? name : NULL);
  add_string (b, "email", email);
  json_builder_end_object (b);
}

static void
add_tags (JsonBuilder *b, GPtrArray *tags)
{
  if (tags == NULL || tags->len == 0)
    return;
  json_builder_set_member_name (b, "tags");
  json_builder_begin_array (b);
  for (guint i = 0; i < tags->len; i++)
    {
      TalesTag *tag = g_ptr_array_index (tags, i);

      json_builder_begin_object (b);
      add_nullable_string (b, "term", tag->term);
      add_nullable_string (b, "scheme", tag->scheme);
      add_nullable_string (b, "label", tag->label);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
add_enclosure_fields (JsonBuilder *b, TalesEnclosure *enclosure)
{
  add_string (b, "href", enclosure->href);
  if (enclosure->type != NULL)
    add_string (b, "type", enclosure->type);
  if (enclosure->length > 0)
    {
      g_autofree char *length = g_strdup_printf ("%" G_GINT64_FORMAT, enclosure->length);

      add_string (b, "length", length);
    }
}

static void
add_links (JsonBuilder *b, const char *link, GPtrArray *enclosures)
{
  if (link == NULL && (enclosures == NULL || enclosures->len == 0))
    return;
  json_builder_set_member_name (b, "links");
  json_builder_begin_array (b);
  if (link != NULL)
    add_link (b, "alternate", "text/html", link);
  for (guint i = 0; enclosures && i < enclosures->len; i++)
    {
      json_builder_begin_object (b);
      add_string (b, "rel", "enclosure");
      add_enclosure_fields (b, g_ptr_array_index (enclosures, i));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  if (enclosures == NULL || enclosures->len == 0)
    return;
  json_builder_set_member_name (b, "enclosures");
  json_builder_begin_array (b);
  for (guint i = 0; i < enclosures->len; i++)
    {
      json_builder_begin_object (b);
      add_enclosure_fields (b, g_ptr_array_index (enclosures, i));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
add_entry (JsonBuilder *b, TalesPost *post)
{
  const char *guid = tales_post_get_guid (post);
  const char *link = tales_post_get_link (post);
  const char *content = tales_post_get_content (post);

  json_builder_begin_object (b);
  add_string (b, "id", guid);
  if (guid != NULL)
    {
      json_builder_set_member_name (b, "guidislink");
      json_builder_add_boolean_value (b, g_strcmp0 (guid, link) == 0);
    }
  add_detail (b, "title", "text/plain", tales_post_get_title (post));
  add_string (b, "link", link);
  add_links (b, link, tales_post_get_enclosures (post));
  add_author (b, tales_post_get_author (post));
  add_date (b, "published", tales_post_get_published_text (post), tales_post_get_published (post));
  add_date (b, "updated", tales_post_get_updated_text (post), tales_post_get_updated (post));
  add_tags (b, tales_post_get_tags (post));
  add_detail (b, "summary", "text/html", tales_post_get_summary (post));
  if (content != NULL)
    {
      json_builder_set_member_name (b, "content");
      json_builder_begin_array (b);
      json_builder_begin_object (b);
      add_string (b, "type", "text/html");
      add_string (b, "value", content);
      json_builder_end_object (b);
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
}

static void
add_feed (JsonBuilder *b, TalesFeed *feed)
{
  const char *image = tales_feed_get_image_url (feed);

  json_builder_set_member_name (b, "feed");
  json_builder_begin_object (b);
  add_detail (b, "title", "text/plain", tales_feed_get_title (feed));
  add_string (b, "link", tales_feed_get_link (feed));
  if (tales_feed_get_link (feed) != NULL)
    {
      json_builder_set_member_name (b, "links");
      json_builder_begin_array (b);
      add_link (b, "alternate", "text/html", tales_feed_get_link (feed));
      json_builder_end_array (b);
    }
  add_detail (b, "subtitle", "text/html", tales_feed_get_subtitle (feed));
  add_string (b, "language", tales_feed_get_language (feed));
  if (image != NULL)
    {
      json_builder_set_member_name (b, "image");
      json_builder_begin_object (b);
      add_string (b, "href", image);
      json_builder_end_object (b);
    }
  add_date (b, "updated", g_object_get_data (G_OBJECT (feed), TALES_PARSE_FEED_UPDATED_TEXT),
            tales_feed_get_updated (feed));
  json_builder_end_object (b);
}

static void
print_json (TalesParseResult *result)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  add_string (b, "version", result->version);
  json_builder_set_member_name (b, "bozo");
  json_builder_add_int_value (b, result->bozo ? 1 : 0);
  if (result->bozo)
    {
      json_builder_set_member_name (b, "bozo_exception");
      json_builder_begin_object (b);
      add_string (b, "type", "SAXParseException");
      add_string (b, "message", result->bozo_message);
      json_builder_end_object (b);
    }
  add_string (b, "encoding", result->encoding);
  add_feed (b, result->feed);
  json_builder_set_member_name (b, "entries");
  json_builder_begin_array (b);
  for (guint i = 0; i < result->posts->len; i++)
    add_entry (b, g_ptr_array_index (result->posts, i));
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

static void
count_post_cb (TalesPost *post, gpointer user_data)
{
  guint *count = user_data;

  (*count)++;
}

int
tales_cli_parse (int argc, char **argv)
{
  gboolean json = FALSE;
  g_autofree char *base = NULL;
  g_autofree char *url = NULL;
  g_auto(GStrv) headers = NULL;
  g_auto(GStrv) files = NULL;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print feedparser-shaped JSON"), NULL },
    { "base", 0, 0, G_OPTION_ARG_STRING, &base, N_("Resolve relative links against URI"), N_("URI") },
    { "url", 0, 0, G_OPTION_ARG_STRING, &url, N_("Where FILE came from (a base URI)"), N_("URI") },
    { "header", 0, 0, G_OPTION_ARG_STRING_ARRAY, &headers, N_("An HTTP response header (ignored)"), N_("HEADER") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("FILE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE — parse a feed"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(TalesParseResult) result = NULL;
  guint count = 0;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (files == NULL || files[0] == NULL || files[1] != NULL)
    {
      g_printerr (_("Give exactly one feed file to parse.\n"));
      return 2;
    }

  tales_core_init ();
  file = g_file_new_for_commandline_arg (files[0]);
  stream = g_file_read (file, NULL, &error);
  if (stream != NULL)
    result = tales_parse_stream (G_INPUT_STREAM (stream), base ? base : url,
                                 json ? NULL : count_post_cb, &count, NULL, &error);
  if (result == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  if (json)
    print_json (result);
  else
    g_print (_("%s: %u posts\n"),
             tales_feed_get_title (result->feed) ? tales_feed_get_title (result->feed) : _("(untitled)"),
             count);
  return 0;
}
