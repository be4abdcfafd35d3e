/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-parser"

#include "config.h"

#include "tales-parser-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* JSON Feed is read by turning it into the dicts the XML rules fill
 * (feedparser's shape: "link", "content": [{type, value}], "tags": [{term}],
 * "links": [{rel: "enclosure"}] ...). _tales_post_from_entry() and
 * _tales_feed_fill() then make the TalesPost and the TalesFeed exactly as
 * for an RSS item, so the store, the article view and `tales-cli parse
 * --json` see no difference; and HTML content takes the XML path's steps:
 * relative URIs made absolute here, the sanitizer and the tales-image:
 * rewriting when the post is shown (tales-html.c).
 *
 * Unlike XML, the document is read whole: JSON has no item boundaries a
 * push parser could stop at, and feeds are small. The size cap is the
 * caller's (the same as for XML). */

#define VERSION_PREFIX "https://jsonfeed.org/version/"
/* json-glib reads arrays and objects by recursion, without a limit: a
 * document of 100,000 "[" overflows the stack (and so would freeing its
 * tree). Real feeds nest five levels (feed, items, item, attachments,
 * attachment), extensions a few more. */
#define MAX_DEPTH 256

typedef struct {
  const char *base;        /* what the feed's own URLs resolve against */
  gboolean keep_extras;
  JsonArray *feed_authors; /* nullable: the authors of items naming none */
  const char *feed_title;
  TalesParsePostFunc on_post;
  gpointer user_data;
  TalesParseResult *result;
} Reader;

static gsize
bom_length (const char *data, gsize length)
{
  return length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

gboolean
_tales_parse_json_sniff (const char *data, gsize length)
{
  for (gsize i = bom_length (data, length); i < length; i++)
    if (!g_ascii_isspace (data[i]))
      return data[i] == '{';
  return FALSE;
}

/* --- before json-glib sees the bytes ------------------------------------- */

static gboolean
allowed_outside_string (char c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr (" \t\r\n{}[],:+-.\"", c) != NULL);
}

/* Counts the nesting json-glib would recurse into. json-glib also takes
 * comments and single-quoted strings, which could hide brackets from a
 * count that knows only JSON's strings; so anything JSON does not allow
 * outside a string is refused here, and the count is then exact. So is
 * anything after the object: json-glib reads several values in a row
 * and leaks all but the last. */
static gboolean
check_structure (const char *data, gsize length, GError **error)
{
  guint depth = 0;
  gboolean in_string = FALSE;
  gboolean ended = FALSE;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (ended ? !g_ascii_isspace (c) : !allowed_outside_string (c))
        {
          /* gettext cannot see through G_GSIZE_FORMAT: the offset as text. */
          g_autofree char *offset = g_strdup_printf ("%" G_GSIZE_FORMAT, i);

          g_set_error (error, TALES_PARSE_ERROR, TALES_PARSE_ERROR_MALFORMED,
                       _("The document is not readable JSON (unexpected text at byte %s)."), offset);
          return FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if ((c == '[' || c == '{') && ++depth > MAX_DEPTH)
        {
          g_set_error (error, TALES_PARSE_ERROR, TALES_PARSE_ERROR_MALFORMED,
                       _("The document nests its JSON deeper than %d levels."), MAX_DEPTH);
          return FALSE;
        }
      else if ((c == ']' || c == '}') && depth > 0)
        ended = --depth == 0;
    }
  return TRUE;
}

/* json-glib turns a lone surrogate ("\\ud800") or an octal escape
 * ("\\202"), which it accepts, into bytes that are no UTF-8; everything
 * after this expects UTF-8, as libxml2 gives it on the XML path. The
 * depth was checked, so the recursion is bounded. */
static void
repair_strings (JsonNode *node, gboolean *repaired)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, &name, &member))
        repair_strings (member, repaired);
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        repair_strings (json_array_get_element (array, i), repaired);
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
           !g_utf8_validate (json_node_get_string (node), -1, NULL))
    {
      g_autofree char *valid = g_utf8_make_valid (json_node_get_string (node), -1);

      json_node_set_string (node, valid);
      *repaired = TRUE;
    }
}

/* The JSON tree of @document, or NULL. A JSON Feed is UTF-8; other bytes
 * become U+FFFD, and *@repaired says so. */
static JsonParser *
load_json (GBytes *document, gboolean *repaired, GError **error)
{
  gsize length = 0;
  const char *data = g_bytes_get_data (document, &length);
  gsize skip = bom_length (data, length);
  g_autofree char *valid = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;

  data += skip;
  length -= skip;
  *repaired = !g_utf8_validate_len (data, length, NULL);
  if (*repaired)
    {
      valid = g_utf8_make_valid (data, (gssize) length);
      data = valid;
      length = strlen (valid);
    }
  if (!check_structure (data, length, error))
    return NULL;
  if (!json_parser_load_from_data (parser, data, (gssize) length, &local_error))
    {
      g_set_error (error, TALES_PARSE_ERROR, TALES_PARSE_ERROR_MALFORMED,
                   _("The document is not readable JSON (%s)."), local_error->message);
      return NULL;
    }
  if (json_parser_get_root (parser) != NULL)
    repair_strings (json_parser_get_root (parser), repaired);
  return g_steal_pointer (&parser);
}

/* --- reading members ----------------------------------------------------- */

/* Sets @key only when there is a value: the dicts carry no nulls. */
static void
put (JsonObject *dict, const char *key, const char *value)
{
  if (value != NULL)
    json_object_set_string_member (dict, key, value);
}

static const char *
member_string (JsonObject *object, const char *key)
{
  const char *value = _tales_json_get_string (object, key);

  return value != NULL && *value != '\0' ? value : NULL;
}

static JsonArray *
member_array (JsonObject *object, const char *key)
{
  JsonNode *node = json_object_get_member (object, key);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static JsonObject *
member_object (JsonObject *object, const char *key)
{
  JsonNode *node = json_object_get_member (object, key);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonObject *
element_object (JsonArray *array, guint i)
{
  JsonNode *node = json_array_get_element (array, i);

  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* A number as a whole count, without the undefined cast of a double out
 * of range; -1 when @key is no such number. */
static gint64
member_count (JsonObject *object, const char *key)
{
  JsonNode *node = json_object_get_member (object, key);
  GType type = node && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
  double value;

  if (type == G_TYPE_INT64)
    return json_node_get_int (node);
  if (type != G_TYPE_DOUBLE)
    return -1;
  value = json_node_get_double (node);
  return value >= 0 && value < 9.0e18 ? (gint64) value : -1;
}

/* Version 1 allowed a number as the id, to be read as a string. */
static char *
member_id (JsonObject *object)
{
  JsonNode *node = json_object_get_member (object, "id");
  GType type = node && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
  char number[G_ASCII_DTOSTR_BUF_SIZE];

  if (type == G_TYPE_STRING)
    return g_strdup (member_string (object, "id"));
  if (type == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  if (type == G_TYPE_DOUBLE)
    return g_strdup (g_ascii_dtostr (number, sizeof number, json_node_get_double (node)));
  return NULL;
}

/* A URL of the feed made absolute; NULL for none, or for a scheme the XML
 * path refuses too (javascript:, data:). */
static char *
resolve (const char *base, const char *url)
{
  g_autofree char *joined = NULL;
  const char *scheme;

  if (url == NULL)
    return NULL;
  joined = g_strstrip (tales_uri_join (base, url));
  scheme = g_uri_peek_scheme (joined);
  if (*joined == '\0' || (scheme != NULL && !tales_uri_scheme_is_acceptable (scheme)))
    return NULL;
  return g_steal_pointer (&joined);
}

static void
set_resolved (JsonObject *dict, const char *key, const char *base, const char *url)
{
  g_autofree char *resolved = resolve (base, url);

  put (dict, key, resolved);
}

/* --- authors ------------------------------------------------------------- */

static JsonObject *
author_detail (JsonObject *author, const char *base)
{
  JsonObject *detail = json_object_new ();

  put (detail, "name", member_string (author, "name"));
  set_resolved (detail, "href", base, member_string (author, "url"));
  set_resolved (detail, "avatar", base, member_string (author, "avatar"));
  return detail;
}

/* Version 1.1's "authors", else version 1's single "author", as
 * feedparser's author_detail dicts; NULL when there are none. */
static JsonArray *
read_authors (JsonObject *object, const char *base)
{
  JsonArray *list = member_array (object, "authors");
  JsonObject *single = member_object (object, "author");
  JsonArray *authors = json_array_new ();

  for (guint i = 0; list != NULL && i < json_array_get_length (list) &&
                    json_array_get_length (authors) < TALES_MAX_AUTHORS_PER_POST; i++)
    {
      JsonObject *author = element_object (list, i);

      if (author != NULL && (member_string (author, "name") || member_string (author, "url")))
        json_array_add_object_element (authors, author_detail (author, base));
    }
  if (list == NULL && single != NULL)
    json_array_add_object_element (authors, author_detail (single, base));
  if (json_array_get_length (authors) == 0)
    g_clear_pointer (&authors, json_array_unref);
  return authors;
}

/* "author" is every name, comma-separated, for the byline; one author
 * is also the author_detail, as feedparser has it. */
static void
save_authors (JsonObject *dict, JsonArray *authors)
{
  g_autoptr(GString) names = g_string_new (NULL);

  if (authors == NULL)
    return;
  for (guint i = 0; i < json_array_get_length (authors); i++)
    {
      const char *name = member_string (json_array_get_object_element (authors, i), "name");

      /* The byline is cut to TALES_MAX_AUTHOR_BYTES in the end: names
       * past that are not copied (a few bytes over, for the cut's "…"). */
      if (name == NULL || names->len > TALES_MAX_AUTHOR_BYTES)
        continue;
      if (names->len > 0)
        g_string_append (names, ", ");
      g_string_append_len (names, name, strnlen (name, TALES_MAX_AUTHOR_BYTES + 1));
    }
  if (names->len > 0)
    put (dict, "author", names->str);
  if (json_array_get_length (authors) == 1)
    json_object_set_object_member (dict, "author_detail",
                                   json_object_ref (json_array_get_object_element (authors, 0)));
  json_object_set_array_member (dict, "authors", json_array_ref (authors));
}

/* --- an item ------------------------------------------------------------- */

/* Text as HTML text: quotes need no escaping outside attributes, and
 * &apos; is no HTML 4 entity. */
static void
append_escaped (GString *html, const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '&')
        g_string_append (html, "&amp;");
      else if (*p == '<')
        g_string_append (html, "&lt;");
      else if (*p == '>')
        g_string_append (html, "&gt;");
      else
        g_string_append_c (html, *p);
    }
}

/* content_text as HTML: a paragraph for each run of lines between blank
 * lines, a <br> between the lines of one. Lines end in \n, \r\n or \r;
 * read in one pass, as a text of megabytes may have a million of them. */
static char *
text_to_html (const char *text)
{
  GString *html = g_string_new (NULL);
  gboolean in_paragraph = FALSE;

  for (const char *p = text; *p != '\0'; )
    {
      gsize len = strcspn (p, "\r\n");
      g_autofree char *line = g_strstrip (g_strndup (p, len));

      p += len;
      p += (p[0] == '\r' && p[1] == '\n') ? 2 : (*p != '\0');
      if (*line == '\0')
        {
          if (in_paragraph)
            g_string_append (html, "</p>");
          in_paragraph = FALSE;
          continue;
        }
      g_string_append (html, in_paragraph ? "<br>" : html->len ? "\n<p>" : "<p>");
      append_escaped (html, line);
      in_paragraph = TRUE;
    }
  if (in_paragraph)
    g_string_append (html, "</p>");
  return g_string_free (html, html->len == 0);
}

/* The item's HTML with its URIs made absolute, as the XML path does;
 * sanitized too when the feedparser-shaped dicts are kept (the app
 * sanitizes when it shows the post). */
static char *
item_html (Reader *r, JsonObject *item, const char *base)
{
  const char *html = member_string (item, "content_html");
  const char *text = member_string (item, "content_text");
  g_autofree char *resolved = NULL;

  if (html == NULL)
    return text != NULL ? text_to_html (text) : NULL;
  if (base != NULL && (r->keep_extras || _tales_parser_has_relative_uris (html)))
    resolved = _tales_parser_resolve_relative_uris (html, base, "text/html");
  else
    resolved = g_strdup (html);
  if (r->keep_extras)
    return _tales_parser_clean_html (resolved, "text/html");
  return g_steal_pointer (&resolved);
}

static void
save_content (Reader *r, JsonObject *entry, JsonObject *item, const char *base)
{
  g_autofree char *html = item_html (r, item, base);
  JsonArray *content;
  JsonObject *detail;

  if (html == NULL)
    return;
  detail = json_object_new ();
  put (detail, "type", "text/html");
  put (detail, "value", html);
  content = json_array_new ();
  json_array_add_object_element (content, detail);
  json_object_set_array_member (entry, "content", content);
}

/* A text construct of plain text, which the model escapes. */
static void
save_text (JsonObject *dict, const char *key, const char *value)
{
  g_autofree char *detail_key = g_strconcat (key, "_detail", NULL);
  JsonObject *detail;

  if (value == NULL)
    return;
  put (dict, key, value);
  detail = json_object_new ();
  put (detail, "type", "text/plain");
  put (detail, "value", value);
  json_object_set_object_member (dict, detail_key, detail);
}

static void
save_date (JsonObject *entry, const char *key, const char *text)
{
  g_autofree char *parsed_key = g_strconcat (key, "_parsed", NULL);

  if (text == NULL)
    return;
  put (entry, key, text);
  json_object_set_member (entry, parsed_key, _tales_state_parse_date (text));
}

static void
save_tags (JsonObject *entry, JsonObject *item)
{
  JsonArray *list = member_array (item, "tags");
  JsonArray *tags = json_array_new ();

  for (guint i = 0; list != NULL && i < json_array_get_length (list) &&
                    json_array_get_length (tags) < TALES_MAX_CATEGORIES_PER_POST; i++)
    {
      JsonNode *node = json_array_get_element (list, i);
      const char *term = JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
                         ? json_node_get_string (node) : NULL;
      JsonObject *tag;

      if (term == NULL || *term == '\0')
        continue;
      tag = json_object_new ();
      put (tag, "term", term);
      json_object_set_null_member (tag, "scheme");
      json_object_set_null_member (tag, "label");
      json_array_add_object_element (tags, tag);
    }
  if (json_array_get_length (tags) > 0)
    json_object_set_array_member (entry, "tags", tags);
  else
    json_array_unref (tags);
}

static JsonObject *
link_dict (const char *rel, const char *href, const char *type)
{
  JsonObject *link = json_object_new ();

  put (link, "rel", rel);
  put (link, "type", type);
  put (link, "href", href);
  return link;
}

/* An attachment as the enclosure link an RSS <enclosure> makes. */
static JsonObject *
attachment_link (JsonObject *attachment, const char *base)
{
  g_autofree char *href = resolve (base, member_string (attachment, "url"));
  gint64 size = member_count (attachment, "size_in_bytes");
  JsonObject *link;

  if (href == NULL)
    return NULL;
  link = link_dict ("enclosure", href, member_string (attachment, "mime_type"));
  if (size >= 0)
    {
      g_autofree char *length = g_strdup_printf ("%" G_GINT64_FORMAT, size);

      put (link, "length", length);
    }
  put (link, "title", member_string (attachment, "title"));
  return link;
}

/* The page links, and the attachments as enclosures. */
static void
save_links (JsonObject *entry, JsonObject *item, const char *base)
{
  JsonArray *attachments = member_array (item, "attachments");
  JsonArray *links = json_array_new ();
  g_autofree char *url = resolve (base, member_string (item, "url"));
  g_autofree char *external = resolve (base, member_string (item, "external_url"));

  if (url != NULL)
    json_array_add_object_element (links, link_dict ("alternate", url, "text/html"));
  if (external != NULL)
    json_array_add_object_element (links, link_dict ("related", external, "text/html"));
  for (guint i = 0; attachments != NULL && i < json_array_get_length (attachments); i++)
    {
      JsonObject *attachment = element_object (attachments, i);
      JsonObject *link = attachment ? attachment_link (attachment, base) : NULL;

      if (link != NULL)
        json_array_add_object_element (links, link);
    }
  /* The post's page on the feed's site, else the page it points to. */
  put (entry, "link", url ? url : external);
  json_object_set_array_member (entry, "links", links);
}

static void
add_image (JsonObject *entry, const char *key, const char *url)
{
  JsonObject *image;

  if (url == NULL)
    return;
  image = json_object_new ();
  put (image, "url", url);
  if (strcmp (key, "media_content") == 0)
    put (image, "medium", "image");
  json_array_add_object_element (_tales_json_ensure_array (entry, key), image);
}

/* "image" is the post's own picture, the cover, as a media:thumbnail
 * is; "banner_image" only stands in when there is no other. */
static void
save_images (JsonObject *entry, JsonObject *item, const char *base)
{
  g_autofree char *image = resolve (base, member_string (item, "image"));
  g_autofree char *banner = resolve (base, member_string (item, "banner_image"));

  add_image (entry, "media_thumbnail", image);
  add_image (entry, "media_content", banner);
}

/* Relative URIs in the item's HTML are relative to the item's own page
 * when it has one (the article view resolves against it too), else to
 * the feed. */
static const char *
content_base (JsonObject *entry, const char *feed_base)
{
  JsonArray *links = member_array (entry, "links");
  JsonObject *first = links && json_array_get_length (links) > 0
                      ? json_array_get_object_element (links, 0) : NULL;

  const char *page = first && g_strcmp0 (member_string (first, "rel"), "alternate") == 0
                     ? member_string (first, "href") : NULL;

  return page && g_uri_is_valid (page, G_URI_FLAGS_NONE, NULL) ? page : feed_base;
}

static JsonObject *
read_item (Reader *r, JsonObject *item)
{
  JsonObject *entry = json_object_new ();
  g_autofree char *id = member_id (item);
  g_autoptr(JsonArray) authors = read_authors (item, r->base);

  put (entry, "id", id);
  json_object_set_boolean_member (entry, "guidislink", FALSE);
  put (entry, "title", member_string (item, "title"));
  save_links (entry, item, r->base);
  save_text (entry, "summary", member_string (item, "summary"));
  save_content (r, entry, item, content_base (entry, r->base));
  save_date (entry, "published", member_string (item, "date_published"));
  save_date (entry, "updated", member_string (item, "date_modified"));
  save_authors (entry, authors ? authors : r->feed_authors);
  save_tags (entry, item);
  save_images (entry, item, r->base);
  put (entry, "language", member_string (item, "language"));
  return entry;
}

/* Hands the post on, as parser_entry_cb() in tales-parser.c does. A post
 * without an id keeps a NULL guid, as an RSS item without <guid>: the
 * store then merges it on its link, else on a hash of its text, rather
 * than on an id made up here that a later refresh could not make again. */
static void
emit_item (Reader *r, JsonObject *item)
{
  g_autoptr(JsonObject) entry = read_item (r, item);
  g_autoptr(TalesPost) post = _tales_post_from_entry (entry, r->feed_title, FALSE);

  if (r->keep_extras)
    g_object_set_data_full (G_OBJECT (post), TALES_PARSE_EXTRAS,
                            json_object_ref (entry), (GDestroyNotify) json_object_unref);
  if (r->on_post != NULL)
    r->on_post (post, r->user_data);
  else
    g_ptr_array_add (r->result->posts, g_object_ref (post));
}

/* --- the feed ------------------------------------------------------------ */

static const char *
version_name (const char *version)
{
  const char *number = version + strlen (VERSION_PREFIX);

  if (strcmp (number, "1") == 0)
    return "json1";
  if (strcmp (number, "1.1") == 0)
    return "json11";
  /* a later version: its documents are meant to read as 1.1 */
  return "json";
}

/* The base for relative URLs: the document's address when known (as for
 * XML), else the feed's own feed_url, else its home page. */
static char *
feed_base (JsonObject *root, const char *address)
{
  const char *feed_url = member_string (root, "feed_url");
  const char *home = member_string (root, "home_page_url");
  g_autofree char *resolved = NULL;

  if (address != NULL && *address != '\0')
    return g_strdup (address);
  resolved = resolve (NULL, feed_url);
  if (resolved != NULL && g_uri_is_valid (resolved, G_URI_FLAGS_NONE, NULL))
    return g_steal_pointer (&resolved);
  g_clear_pointer (&resolved, g_free);
  resolved = resolve (NULL, home);
  if (resolved != NULL && g_uri_is_valid (resolved, G_URI_FLAGS_NONE, NULL))
    return g_steal_pointer (&resolved);
  return NULL;
}

static JsonObject *
read_feed (JsonObject *root, const char *base, const TalesParseOptions *options)
{
  JsonObject *feed = json_object_new ();
  g_autofree char *home = resolve (base, member_string (root, "home_page_url"));
  g_autofree char *self = resolve (base, member_string (root, "feed_url"));
  g_autofree char *icon = resolve (base, member_string (root, "icon"));
  const char *language = member_string (root, "language");
  JsonArray *links = json_array_new ();

  put (feed, "title", member_string (root, "title"));
  put (feed, "link", home);
  save_text (feed, "subtitle", member_string (root, "description"));
  if (language == NULL && options != NULL)
    language = options->content_language;
  put (feed, "language", language);
  if (home != NULL)
    json_array_add_object_element (links, link_dict ("alternate", home, "text/html"));
  if (self != NULL)
    json_array_add_object_element (links, link_dict ("self", self, "application/feed+json"));
  json_object_set_array_member (feed, "links", links);
  /* JSON Feed's icon is the large square picture, an Atom <icon> the
   * favicon: the model prefers an image to an icon. */
  if (icon != NULL)
    put (_tales_json_ensure_object (feed, "image"), "href", icon);
  set_resolved (feed, "icon", base, member_string (root, "favicon"));
  return feed;
}

/* The feed's object and its items, or a TALES_PARSE_ERROR when the JSON
 * is some other document. */
static gboolean
find_feed (JsonParser *parser, JsonObject **root, JsonArray **items, GError **error)
{
  JsonNode *node = json_parser_get_root (parser);
  const char *version;

  *root = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  version = *root != NULL ? member_string (*root, "version") : NULL;
  if (version == NULL || !g_str_has_prefix (version, VERSION_PREFIX))
    {
      g_set_error (error, TALES_PARSE_ERROR, TALES_PARSE_ERROR_NOT_A_FEED,
                   _("This is a JSON document, not a feed Tales can read."));
      return FALSE;
    }
  *items = member_array (*root, "items");
  if (*items == NULL)
    {
      g_set_error (error, TALES_PARSE_ERROR, TALES_PARSE_ERROR_NOT_A_FEED,
                   _("This JSON Feed has no list of items, so it is not a feed Tales can read."));
      return FALSE;
    }
  return TRUE;
}

static TalesParseResult *
result_new (const char *version, gboolean repaired, gboolean collect)
{
  TalesParseResult *result = g_new0 (TalesParseResult, 1);

  result->version = g_strdup (version_name (version));
  result->encoding = g_strdup ("utf-8");
  result->namespaces = json_object_new ();
  result->feed = tales_feed_new ();
  if (collect)
    result->posts = g_ptr_array_new_with_free_func (g_object_unref);
  if (repaired)
    {
      /* as the XML path says of bytes not in the document's encoding */
      result->bozo = TRUE;
      result->bozo_exception = g_strdup ("CharacterEncodingOverride");
      result->bozo_message = g_strdup (_("Some bytes were not UTF-8, as a JSON Feed must be."));
    }
  return result;
}

static void
read_items (Reader *r, JsonArray *items)
{
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item = element_object (items, i);

      if (item != NULL)
        emit_item (r, item);
    }
}

TalesParseResult *
_tales_parse_json (GBytes                   *document,
                   const char               *address,
                   const TalesParseOptions  *options,
                   TalesParsePostFunc        on_post,
                   gpointer                  user_data,
                   GError                  **error)
{
  g_autoptr(GBytes) bytes = document;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JsonObject) feeddata = NULL;
  g_autofree char *base = NULL;
  gboolean repaired = FALSE;
  JsonObject *root = NULL;
  JsonArray *items = NULL;
  Reader r = { 0 };

  parser = load_json (bytes, &repaired, error);
  /* Only the tree is needed from here on. */
  g_clear_pointer (&bytes, g_bytes_unref);
  if (parser == NULL || !find_feed (parser, &root, &items, error))
    return NULL;

  base = feed_base (root, address);
  feeddata = read_feed (root, base, options);
  r.base = base;
  r.keep_extras = options != NULL && options->keep_extras;
  r.feed_title = member_string (feeddata, "title");
  r.feed_authors = read_authors (root, base);
  r.on_post = on_post;
  r.user_data = user_data;
  r.result = result_new (member_string (root, "version"), repaired, on_post == NULL);
  save_authors (feeddata, r.feed_authors);
  read_items (&r, items);
  g_clear_pointer (&r.feed_authors, json_array_unref);

  _tales_feed_fill (r.result->feed, feeddata);
  if (r.keep_extras)
    g_object_set_data_full (G_OBJECT (r.result->feed), TALES_PARSE_EXTRAS,
                            json_object_ref (feeddata), (GDestroyNotify) json_object_unref);
  return r.result;
}
