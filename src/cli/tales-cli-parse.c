/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-cli-parse"

#include "config.h"

#include "tales-cli-parse.h"
#include "tales-cli-common.h"
#include "tales-cli-escape.h"
#include "tales-core.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

/* The JSON is Python feedparser's result dict, so that feedparser's own
 * conformance corpus can check the core parser: the parser keeps the
 * feedparser-shaped dicts it fills (TALES_PARSE_EXTRAS) and they are
 * printed as they are, with the top-level keys around them. */

static void
add_string (JsonBuilder *b, const char *key, const char *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (b, key);
  json_builder_add_string_value (b, value);
}

static void
add_object (JsonBuilder *b, const char *key, JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_alloc ();

  json_node_init_object (node, object);
  json_builder_set_member_name (b, key);
  json_builder_add_value (b, json_node_copy (node));
}

static void
add_bozo (JsonBuilder *b, gboolean bozo, const char *exception, const char *message)
{
  json_builder_set_member_name (b, "bozo");
  json_builder_add_int_value (b, bozo ? 1 : 0);
  if (!bozo)
    return;
  json_builder_set_member_name (b, "bozo_exception");
  json_builder_begin_object (b);
  add_string (b, "type", exception ? exception : "SAXParseException");
  add_string (b, "message", message ? message : "");
  json_builder_end_object (b);
}

typedef struct {
  const char *url;
  char **headers;   /* "Name: value" */
} HttpInfo;

/* What feedparser adds when it fetched the feed itself. */
static void
add_http (JsonBuilder *b, const HttpInfo *http)
{
  if (http->url == NULL)
    return;
  add_string (b, "href", http->url);
  json_builder_set_member_name (b, "status");
  json_builder_add_int_value (b, 200);
  json_builder_set_member_name (b, "headers");
  json_builder_begin_object (b);
  for (guint i = 0; http->headers && http->headers[i]; i++)
    {
      const char *colon = strchr (http->headers[i], ':');
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;

      if (colon == NULL)
        continue;
      name = g_ascii_strdown (http->headers[i], colon - http->headers[i]);
      value = g_strstrip (g_strdup (colon + 1));
      add_string (b, g_strstrip (name), value);
    }
  json_builder_end_object (b);
  for (guint i = 0; http->headers && http->headers[i]; i++)
    {
      if (g_ascii_strncasecmp (http->headers[i], "ETag:", 5) == 0)
        {
          g_autofree char *value = g_strstrip (g_strdup (http->headers[i] + 5));

          add_string (b, "etag", value);
        }
      else if (g_ascii_strncasecmp (http->headers[i], "Last-Modified:", 14) == 0)
        {
          g_autofree char *value = g_strstrip (g_strdup (http->headers[i] + 14));

          add_string (b, "modified", value);
        }
    }
}

static void
print_builder (JsonBuilder *b)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  g_autofree char *text = NULL;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  tales_cli_print_json (text);
}

static void
print_json (TalesParseResult *result, const HttpInfo *http)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  JsonObject *feed = g_object_get_data (G_OBJECT (result->feed), TALES_PARSE_EXTRAS);

  json_builder_begin_object (b);
  add_string (b, "version", result->version ? result->version : "");
  add_bozo (b, result->bozo, result->bozo_exception, result->bozo_message);
  add_string (b, "encoding", result->encoding);
  if (result->namespaces != NULL)
    add_object (b, "namespaces", result->namespaces);
  add_http (b, http);
  if (feed != NULL)
    add_object (b, "feed", feed);
  json_builder_set_member_name (b, "entries");
  json_builder_begin_array (b);
  for (guint i = 0; i < result->posts->len; i++)
    {
      JsonObject *entry = g_object_get_data (g_ptr_array_index (result->posts, i), TALES_PARSE_EXTRAS);
      g_autoptr(JsonNode) node = json_node_alloc ();

      json_node_init_object (node, entry);
      json_builder_add_value (b, json_node_copy (node));
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  print_builder (b);
}

/* feedparser never fails: a document it cannot read is an empty result
 * with bozo set. */
static void
print_failure_json (const GError *error, const HttpInfo *http)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_string (b, "version", "");
  add_bozo (b, TRUE, "SAXParseException", error->message);
  add_string (b, "encoding", "utf-8");
  add_http (b, http);
  json_builder_set_member_name (b, "feed");
  json_builder_begin_object (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "entries");
  json_builder_begin_array (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  print_builder (b);
}

/* The value of header @name among "Name: value" lines, or NULL. */
static const char *
find_header (char **headers, const char *name, char **storage)
{
  gsize len = strlen (name);

  for (guint i = 0; headers && headers[i]; i++)
    if (g_ascii_strncasecmp (headers[i], name, len) == 0 && headers[i][len] == ':')
      {
        *storage = g_strstrip (g_strdup (headers[i] + len + 1));
        return *storage;
      }
  return NULL;
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
    { "header", 0, 0, G_OPTION_ARG_STRING_ARRAY, &headers, N_("An HTTP response header FILE came with"), N_("HEADER") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("FILE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE — parse a feed"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(TalesParseResult) result = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *location = NULL;
  g_autofree char *language = NULL;
  TalesParseOptions options = { 0 };
  HttpInfo http = { 0 };
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
  options.base_uri = base ? base : url;
  options.from_http = url != NULL || headers != NULL;
  options.content_type = find_header (headers, "Content-Type", &content_type);
  options.content_location = find_header (headers, "Content-Location", &location);
  options.content_language = find_header (headers, "Content-Language", &language);
  options.keep_extras = json;
  http.url = url;
  http.headers = headers;
  file = g_file_new_for_commandline_arg (files[0]);
  stream = g_file_read (file, NULL, &error);
  if (stream != NULL)
    result = tales_parse_stream_full (G_INPUT_STREAM (stream), &options,
                                      json ? NULL : count_post_cb, &count, NULL, &error);
  if (result == NULL)
    {
      g_autofree char *message = tales_cli_escape (error->message, TALES_CLI_ONE_LINE);

      g_printerr ("%s\n", message);
      if (json && stream != NULL)
        print_failure_json (error, &http);
      return 1;
    }

  if (json)
    print_json (result, &http);
  else
    {
      g_autofree char *title = tales_feed_get_title (result->feed)
                               ? tales_cli_escape (tales_feed_get_title (result->feed), TALES_CLI_ONE_LINE)
                               : g_strdup (_("(untitled)"));

      g_print (_("%s: %u posts\n"), title, count);
    }
  return 0;
}
