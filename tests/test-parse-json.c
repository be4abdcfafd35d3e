/* SPDX-License-Identifier: GPL-3.0-or-later */
/* JSON Feed (jsonfeed.org versions 1 and 1.1): the same entry points as
 * RSS and Atom, the same TalesPost, the same sanitizing when a post is
 * shown; hostile JSON refused with a sentence, never a crash; and a JSON
 * Feed served over real HTTP on 127.0.0.1 refreshed into a real store. */

#include "tales-core.h"
#include "tales-test-utils.h"
#include "tales-text-limits.h"

#include <string.h>

#define V11 "\"version\": \"https://jsonfeed.org/version/1.1\""

/* --- helpers ------------------------------------------------------------- */

static char *
read_fixture (const char *name, gsize *length)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, length, &error);
  g_assert_no_error (error);
  return contents;
}

static TalesParseResult *
parse_ok (const char *json, gsize length, const char *base)
{
  g_autoptr(GError) error = NULL;
  TalesParseResult *result = tales_parse (json, length, base, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);
  g_assert_nonnull (result->feed);
  g_assert_nonnull (result->posts);
  return result;
}

static TalesParseResult *
parse_fixture (const char *name, const char *base)
{
  gsize length = 0;
  g_autofree char *json = read_fixture (name, &length);

  return parse_ok (json, length, base);
}

static TalesPost *
post_at (TalesParseResult *result, guint i)
{
  g_assert_cmpuint (i, <, result->posts->len);
  return g_ptr_array_index (result->posts, i);
}

static char *
date_to_iso (GDateTime *date)
{
  return date ? g_date_time_format (date, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

static void
assert_date (GDateTime *date, const char *expected)
{
  g_autofree char *iso = date_to_iso (date);

  g_assert_cmpstr (iso, ==, expected);
}

static void
assert_categories (TalesPost *post, const char * const *expected)
{
  g_assert_cmpstrv (tales_post_get_categories (post), expected);
}

static TalesEnclosure *
enclosure_at (TalesPost *post, guint i)
{
  GPtrArray *enclosures = tales_post_get_enclosures (post);

  g_assert_cmpuint (i, <, enclosures->len);
  return g_ptr_array_index (enclosures, i);
}

/* A failure a person can read: a sentence, capitalised. */
static void
assert_refused (const char *json, gsize length, int code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesParseResult) result = tales_parse (json, length, NULL, NULL, NULL, &error);

  g_assert_null (result);
  g_assert_error (error, TALES_PARSE_ERROR, code);
  g_assert_true (g_str_has_suffix (error->message, "."));
  g_assert_true (g_unichar_isupper (g_utf8_get_char (error->message)));
}

/* --- version 1 ----------------------------------------------------------- */

static void
test_v1 (void)
{
  g_autoptr(TalesParseResult) result = parse_fixture ("jsonfeed-v1.json", NULL);
  TalesPost *bread = post_at (result, 0);
  TalesPost *soup = post_at (result, 1);
  static const char * const bread_tags[] = { "baking", "bread", NULL };
  static const char * const no_tags[] = { NULL };

  g_assert_cmpstr (result->version, ==, "json1");
  g_assert_false (result->bozo);
  g_assert_cmpstr (result->encoding, ==, "utf-8");
  g_assert_cmpuint (result->posts->len, ==, 2);

  g_assert_cmpstr (tales_feed_get_title (result->feed), ==, "Tales Test Kitchen");
  g_assert_cmpstr (tales_feed_get_link (result->feed), ==, "https://kitchen.example.test/");
  /* description is plain text: escaped, as an RSS text/plain subtitle */
  g_assert_cmpstr (tales_feed_get_subtitle (result->feed), ==,
                   "Recipes &amp; notes, tried &lt;twice&gt;.");
  /* the large square icon, not the favicon */
  g_assert_cmpstr (tales_feed_get_image_url (result->feed), ==,
                   "https://kitchen.example.test/icon-512.png");
  g_assert_null (tales_feed_get_language (result->feed));

  g_assert_cmpstr (tales_post_get_guid (bread), ==, "https://kitchen.example.test/2024/bread");
  g_assert_cmpstr (tales_post_get_link (bread), ==, "https://kitchen.example.test/2024/bread");
  g_assert_cmpstr (tales_post_get_title (bread), ==, "Bread without a machine");
  g_assert_cmpstr (tales_post_get_feed_title (bread), ==, "Tales Test Kitchen");
  /* version 1's single top-level author writes every item without one */
  g_assert_cmpstr (tales_post_get_author (bread), ==, "Marta Kitchen");
  g_assert_cmpstr (tales_post_get_summary (bread), ==, "Flour, water, salt &amp; patience.");
  g_assert_nonnull (strstr (tales_post_get_content (bread), "<em>500 g</em>"));
  g_assert_cmpstr (tales_post_get_body (bread), ==, tales_post_get_content (bread));
  g_assert_cmpstr (tales_post_get_published_text (bread), ==, "2024-03-05T08:30:00-05:00");
  assert_date (tales_post_get_published (bread), "2024-03-05T13:30:00Z");
  assert_date (tales_post_get_updated (bread), "2024-03-06T09:00:00Z");
  assert_categories (bread, bread_tags);
  g_assert_cmpstr (tales_post_get_cover_url (bread), ==, "https://kitchen.example.test/img/bread-cover.jpg");
  g_assert_cmpuint (tales_post_get_enclosures (bread)->len, ==, 1);
  g_assert_cmpstr (enclosure_at (bread, 0)->href, ==, "https://kitchen.example.test/audio/bread.mp3");
  g_assert_cmpstr (enclosure_at (bread, 0)->type, ==, "audio/mpeg");
  g_assert_cmpint (enclosure_at (bread, 0)->length, ==, 4096000);

  /* version 1 allowed a number as the id */
  g_assert_cmpstr (tales_post_get_guid (soup), ==, "42");
  g_assert_cmpstr (tales_post_get_author (soup), ==, "Guest Cook");
  g_assert_null (tales_post_get_summary (soup));
  g_assert_null (tales_post_get_updated (soup));
  g_assert_null (tales_post_get_cover_url (soup));
  assert_categories (soup, no_tags);
}

/* --- version 1.1 --------------------------------------------------------- */

/* Without an address, relative URLs resolve against the feed's own
 * feed_url; an item's HTML against the item's page. */
static void
test_v11 (void)
{
  g_autoptr(TalesParseResult) result = parse_fixture ("jsonfeed-v1.1.json", NULL);
  TalesPost *note3 = post_at (result, 0);
  static const char * const note3_tags[] = { "maps", "walks", NULL };
  const char *content = tales_post_get_content (note3);

  g_assert_cmpstr (result->version, ==, "json11");
  /* "not an item" is skipped */
  g_assert_cmpuint (result->posts->len, ==, 4);
  g_assert_cmpstr (tales_feed_get_language (result->feed), ==, "en-GB");
  g_assert_cmpstr (tales_feed_get_image_url (result->feed), ==, "https://notes.example.test/icon.png");

  g_assert_cmpstr (tales_post_get_link (note3), ==, "https://notes.example.test/notes/3/");
  /* an item's own authors replace the feed's */
  g_assert_cmpstr (tales_post_get_author (note3), ==, "Linus");
  assert_categories (note3, note3_tags);
  g_assert_nonnull (strstr (content, "href=\"https://notes.example.test/notes/2/\""));
  g_assert_nonnull (strstr (content, "src=\"https://notes.example.test/notes/3/pic.png\""));
  g_assert_nonnull (strstr (content, "src=\"https://notes.example.test/shared/map.png\""));
  /* only the attachment with a URL; a size written as 2048.0 still counts */
  g_assert_cmpuint (tales_post_get_enclosures (note3)->len, ==, 1);
  g_assert_cmpstr (enclosure_at (note3, 0)->href, ==, "https://notes.example.test/files/route.gpx");
  g_assert_cmpint (enclosure_at (note3, 0)->length, ==, 2048);
  /* no "image": the banner stands in as the cover */
  g_assert_cmpstr (tales_post_get_cover_url (note3), ==, "https://notes.example.test/notes/3/banner.jpg");
  assert_date (tales_post_get_published (note3), "2024-06-03T05:00:00Z");
}

/* A link post with only an external_url, content_text, and only a
 * modified date: the date orders the post, as an RSS dc:date does. */
static void
test_v11_text_item (void)
{
  g_autoptr(TalesParseResult) result = parse_fixture ("jsonfeed-v1.1.json", NULL);
  TalesPost *note2 = post_at (result, 1);

  g_assert_cmpstr (tales_post_get_guid (note2), ==, "note-2");
  g_assert_cmpstr (tales_post_get_link (note2), ==, "https://elsewhere.example.test/article");
  g_assert_cmpstr (tales_post_get_author (note2), ==, "Ada, Grace");
  g_assert_cmpstr (tales_post_get_content (note2), ==,
                   "<p>First line<br>second line, with &lt;b&gt;no&lt;/b&gt; markup &amp; all.</p>\n"
                   "<p>Another paragraph.</p>");
  assert_date (tales_post_get_published (note2), "2024-06-02T10:15:00Z");
  assert_date (tales_post_get_updated (note2), "2024-06-02T10:15:00Z");
}

/* The document's address, when known, is the base, as for XML. */
static void
test_base_is_the_address (void)
{
  g_autoptr(TalesParseResult) result = parse_fixture ("jsonfeed-v1.1.json",
                                                      "https://mirror.example.test/a/feed.json");

  g_assert_cmpstr (tales_post_get_link (post_at (result, 0)), ==, "https://mirror.example.test/notes/3/");
  /* absolute URLs stay as they are */
  g_assert_cmpstr (tales_feed_get_link (result->feed), ==, "https://notes.example.test/");
}

/* Version 1 requires an id. Without one the guid stays NULL, as for an
 * RSS item without <guid>, and the store merges on the link, else on a
 * hash of title and text: an id made up here (an index, a hash) would
 * change as soon as the feed gains an item or fixes a typo. */
static void
test_missing_id (void)
{
  g_autoptr(TalesParseResult) result = parse_fixture ("jsonfeed-v1.1.json", NULL);
  TalesPost *with_link = post_at (result, 2);
  TalesPost *bare = post_at (result, 3);

  g_assert_null (tales_post_get_guid (with_link));
  g_assert_cmpstr (tales_post_get_link (with_link), ==, "https://notes.example.test/notes/1/");
  g_assert_cmpstr (tales_post_get_merge_key (with_link), ==, "https://notes.example.test/notes/1/");
  g_assert_null (tales_post_get_guid (bare));
  g_assert_null (tales_post_get_link (bare));
  g_assert_null (tales_post_get_merge_key (bare));
  g_assert_cmpstr (tales_post_get_content (bare), ==, "<p>Neither an id nor a link.</p>");
}

static void
test_content_text (void)
{
  static const struct {
    const char *text;   /* JSON string text */
    const char *html;
  } cases[] = {
    { "a < b", "<p>a &lt; b</p>" },
    { "one\\r\\n\\r\\ntwo\\rthree", "<p>one</p>\n<p>two<br>three</p>" },
    { "  \\n\\n  ", NULL },
    { "\\\"quoted\\\" & 'single'", "<p>\"quoted\" &amp; 'single'</p>" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = g_strdup_printf ("{" V11 ", \"items\": [{\"id\": \"x\", \"content_text\": \"%s\"}]}",
                                               cases[i].text);
      g_autoptr(TalesParseResult) result = parse_ok (json, strlen (json), NULL);

      g_test_message ("case %u", i);
      g_assert_cmpstr (tales_post_get_content (post_at (result, 0)), ==, cases[i].html);
    }
}

/* --- HTML goes the XML way ----------------------------------------------- */

#define HOSTILE_HTML \
  "<p onclick=\"steal()\">Hi<script>alert(1)</script>" \
  "<img src=\"/img/a.png\" onerror=\"alert(2)\"> <a href=\"javascript:alert(3)\">x</a></p>"

static void
assert_harmless (const char *html)
{
  g_assert_null (strstr (html, "<script"));
  g_assert_null (strstr (html, "alert("));
  g_assert_null (strstr (html, "onerror"));
  g_assert_null (strstr (html, "onclick"));
  g_assert_null (strstr (html, "javascript:"));
}

static TalesPost *
hostile_json_post (TalesParseResult **result, gboolean keep_extras)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  TalesParseOptions options = { .base_uri = "https://safe.example.test/feed.json", .keep_extras = keep_extras };
  g_autoptr(GError) error = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, "https://jsonfeed.org/version/1.1");
  json_builder_set_member_name (b, "items");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, "hostile");
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, "Hostile");
  json_builder_set_member_name (b, "url");
  json_builder_add_string_value (b, "https://safe.example.test/p");
  json_builder_set_member_name (b, "content_html");
  json_builder_add_string_value (b, HOSTILE_HTML);
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, NULL);

  *result = tales_parse_full (json, strlen (json), &options, NULL, NULL, &error);
  g_assert_no_error (error);
  return post_at (*result, 0);
}

/* What the article view shows has neither script nor handler, and the
 * image (made absolute) comes from the cache scheme. */
static void
test_html_sanitized (void)
{
  g_autoptr(TalesParseResult) result = NULL;
  TalesPost *post = hostile_json_post (&result, FALSE);
  g_autofree char *page = tales_article_render (post);
  g_autofree char *image = tales_html_image_uri ("https://safe.example.test/img/a.png");
  g_autofree char *src = g_strdup_printf ("src=\"%s\"", image);
  const char *body = strstr (page, "<article");

  g_assert_nonnull (strstr (tales_post_get_content (post), "https://safe.example.test/img/a.png"));
  g_assert_nonnull (body);
  assert_harmless (body);
  g_assert_nonnull (strstr (body, src));
  g_assert_null (strstr (body, "https://safe.example.test/img/"));
}

/* The same HTML in an RSS item and a JSON Feed item gives the same post
 * body and the same page: one path, not two. */
static void
test_html_same_as_rss (void)
{
  g_autoptr(TalesParseResult) json_result = NULL;
  TalesPost *json_post = hostile_json_post (&json_result, FALSE);
  g_autofree char *rss = g_strdup_printf (
    "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel>"
    "<item><guid>hostile</guid><title>Hostile</title><link>https://safe.example.test/p</link>"
    "<content:encoded><![CDATA[%s]]></content:encoded></item></channel></rss>", HOSTILE_HTML);
  g_autoptr(TalesParseResult) rss_result = NULL;
  g_autoptr(GError) error = NULL;
  TalesPost *rss_post;
  g_autofree char *json_page = NULL;
  g_autofree char *rss_page = NULL;

  rss_result = tales_parse (rss, strlen (rss), "https://safe.example.test/feed.json", NULL, NULL, &error);
  g_assert_no_error (error);
  rss_post = post_at (rss_result, 0);
  g_assert_cmpstr (tales_post_get_content (json_post), ==, tales_post_get_content (rss_post));
  json_page = tales_article_render (json_post);
  rss_page = tales_article_render (rss_post);
  g_assert_cmpstr (json_page, ==, rss_page);
}

/* feedparser-shaped output (tales-cli parse --json) is sanitized at
 * parse time, as for XML. */
static void
test_html_sanitized_extras (void)
{
  g_autoptr(TalesParseResult) result = NULL;
  TalesPost *post = hostile_json_post (&result, TRUE);
  JsonObject *entry = g_object_get_data (G_OBJECT (post), TALES_PARSE_EXTRAS);

  g_assert_nonnull (entry);
  g_assert_nonnull (g_object_get_data (G_OBJECT (result->feed), TALES_PARSE_EXTRAS));
  assert_harmless (tales_post_get_content (post));
  g_assert_nonnull (strstr (tales_post_get_content (post), "<img src=\"https://safe.example.test/img/a.png\""));
}

/* URLs with a scheme that runs code are dropped, not resolved. */
static void
test_unsafe_urls (void)
{
  static const char json[] =
    "{" V11 ", \"home_page_url\": \"javascript:alert(1)\", \"icon\": \"data:image/png;base64,AAAA\","
    " \"items\": [{\"id\": \"1\", \"url\": \"javascript:alert(1)\", \"external_url\": \"JavaScript:alert(2)\","
    " \"image\": \"vbscript:x\", \"attachments\": [{\"url\": \"javascript:x\"}]}]}";
  g_autoptr(TalesParseResult) result = parse_ok (json, strlen (json), "https://safe.example.test/feed.json");
  TalesPost *post = post_at (result, 0);

  g_assert_null (tales_feed_get_link (result->feed));
  g_assert_null (tales_feed_get_image_url (result->feed));
  g_assert_null (tales_post_get_link (post));
  g_assert_null (tales_post_get_cover_url (post));
  g_assert_cmpuint (tales_post_get_enclosures (post)->len, ==, 0);
}

/* --- what is refused ----------------------------------------------------- */

static void
test_bad_json (void)
{
  static const char * const documents[] = {
    "{" V11 ", \"items\": [",
    "{" V11 ", \"items\": [{\"id\": \"unterminated]}",
    "{" V11 ", \"items\": []} trailing",
    "{" V11 ", \"items\": []} {" V11 ", \"items\": []}",
    "{\"a\": 1} ]",
    "{" V11 ", \"items\": [], }",
    "{\"version\": 'https://jsonfeed.org/version/1.1', \"items\": []}",
    "{" V11 ", # a comment json-glib would skip\n \"items\": []}",
    "{" V11 ", /* another */ \"items\": []}",
    "{" V11 ", \"items\": [\x01]}",
    "{\xEF\xBB\xBF}",
    "{",
  };

  for (guint i = 0; i < G_N_ELEMENTS (documents); i++)
    {
      g_test_message ("document %u", i);
      assert_refused (documents[i], strlen (documents[i]), TALES_PARSE_ERROR_MALFORMED);
    }
}

static void
test_not_a_feed (void)
{
  static const char * const documents[] = {
    "{\"hello\": \"world\"}",
    "{}",
    "{\"version\": \"1.1\", \"items\": []}",
    "{\"version\": \"https://example.test/version/1\", \"items\": []}",
    "{\"version\": 1.1, \"items\": []}",
    "{" V11 "}",
    "{" V11 ", \"items\": {}}",
    "{" V11 ", \"items\": \"none\"}",
    "[{" V11 ", \"items\": []}]",
  };

  for (guint i = 0; i < G_N_ELEMENTS (documents); i++)
    {
      g_test_message ("document %u", i);
      assert_refused (documents[i], strlen (documents[i]), TALES_PARSE_ERROR_NOT_A_FEED);
    }
}

static void
test_empty_items (void)
{
  static const char json[] = "\xEF\xBB\xBF \n\t{" V11 ", \"title\": \"Quiet\", \"items\": []}";
  g_autoptr(TalesParseResult) result = parse_ok (json, strlen (json), NULL);

  g_assert_cmpstr (tales_feed_get_title (result->feed), ==, "Quiet");
  g_assert_cmpuint (result->posts->len, ==, 0);
}

/* JSON Feed is UTF-8: other bytes are replaced and the result says so,
 * but the feed is read. */
static void
test_invalid_utf8 (void)
{
  static const char json[] = "{" V11 ", \"title\": \"Caf\xE9\", \"items\": [{\"id\": \"\xFF\", \"title\": \"ok\"}]}";
  g_autoptr(TalesParseResult) result = parse_ok (json, strlen (json), NULL);

  g_assert_true (result->bozo);
  g_assert_cmpstr (result->bozo_exception, ==, "CharacterEncodingOverride");
  g_assert_cmpstr (tales_feed_get_title (result->feed), ==, "Caf\xEF\xBF\xBD");
  g_assert_cmpstr (tales_post_get_title (post_at (result, 0)), ==, "ok");
  g_assert_true (g_utf8_validate (tales_post_get_guid (post_at (result, 0)), -1, NULL));
}

/* json-glib decodes a lone surrogate and an octal escape into bytes that
 * are no UTF-8: they are replaced too. */
static void
test_invalid_escapes (void)
{
  static const char json[] = "{" V11 ", \"title\": \"a\\ud800b\", \"items\": "
                             "[{\"id\": \"x\", \"content_text\": \"c\\202d\", \"tags\": [\"t\\201\"]}]}";
  g_autoptr(TalesParseResult) result = parse_ok (json, strlen (json), NULL);
  TalesPost *post = post_at (result, 0);

  g_assert_true (result->bozo);
  g_assert_true (g_utf8_validate (tales_feed_get_title (result->feed), -1, NULL));
  g_assert_true (g_str_has_prefix (tales_feed_get_title (result->feed), "a"));
  g_assert_true (g_utf8_validate (tales_post_get_content (post), -1, NULL));
  g_assert_true (g_utf8_validate (tales_post_get_categories (post)[0], -1, NULL));
}

/* Strings of many megabytes, and brackets inside strings, which are text
 * and no nesting. */
static void
test_huge_string (void)
{
  const gsize size = 16 * 1024 * 1024;
  g_autoptr(GString) json = g_string_new ("{" V11 ", \"title\": \"");
  g_autoptr(TalesParseResult) result = NULL;
  const char *content;

  for (guint i = 0; i < 100000; i++)
    g_string_append (json, "[{");
  g_string_append (json, "\", \"items\": [{\"id\": \"big\", \"content_html\": \"<p>");
  g_string_set_size (json, json->len + size);
  memset (json->str + json->len - size, 'a', size);
  g_string_append (json, "</p>\"}]}");

  result = parse_ok (json->str, json->len, NULL);
  /* The 200,000-byte title is read whole, and cut to its limit. */
  g_assert_cmpuint (strlen (tales_feed_get_title (result->feed)), ==, TALES_MAX_TITLE_BYTES);
  g_assert_true (g_str_has_prefix (tales_feed_get_title (result->feed), "[{[{[{"));
  content = tales_post_get_content (post_at (result, 0));
  g_assert_cmpuint (strlen (content), ==, size + strlen ("<p></p>"));
  g_assert_true (g_str_has_prefix (content, "<p>aaaa"));
}

/* A million lines of content_text are read in one pass. */
static void
test_many_lines (void)
{
  const guint n = 1000000;
  g_autoptr(GString) json = g_string_new ("{" V11 ", \"items\": [{\"id\": \"lines\", \"content_text\": \"");
  g_autoptr(TalesParseResult) result = NULL;
  const char *content;

  for (guint i = 0; i < n; i++)
    g_string_append (json, "x\\r\\n");
  g_string_append (json, "\"}]}");
  result = parse_ok (json->str, json->len, NULL);
  content = tales_post_get_content (post_at (result, 0));
  g_assert_cmpuint (strlen (content), ==, n + (n - 1) * strlen ("<br>") + strlen ("<p></p>"));
}

static char *
nested (const char *open, const char *close, guint depth)
{
  GString *s = g_string_new ("{" V11 ", \"items\": [], \"_deep\": ");

  for (guint i = 0; i < depth; i++)
    g_string_append (s, open);
  g_string_append (s, "1");
  for (guint i = 0; i < depth; i++)
    g_string_append (s, close);
  g_string_append (s, "}");
  return g_string_free (s, FALSE);
}

/* json-glib recurses without a limit and overflows the stack at about
 * 100,000 levels (checked: it crashes), so nesting is counted and capped
 * before json-glib reads a byte, by both entry points. */
static void
test_deep_nesting (void)
{
  g_autofree char *arrays = nested ("[", "]", 100000);
  g_autofree char *objects = nested ("{\"a\":", "}", 100000);
  g_autofree char *unclosed = g_strnfill (100000, '[');
  g_autofree char *open_only = g_strconcat ("{" V11 ", \"items\": ", unclosed, NULL);
  g_autofree char *fine = nested ("[", "]", 200);
  const char *hostile[] = { arrays, objects, open_only };
  g_autoptr(TalesParseResult) result = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (hostile[i], strlen (hostile[i]), NULL);
      g_autoptr(TalesParseResult) streamed = NULL;
      g_autoptr(GError) error = NULL;

      assert_refused (hostile[i], strlen (hostile[i]), TALES_PARSE_ERROR_MALFORMED);
      streamed = tales_parse_stream (stream, NULL, NULL, NULL, NULL, &error);
      g_assert_null (streamed);
      g_assert_error (error, TALES_PARSE_ERROR, TALES_PARSE_ERROR_MALFORMED);
    }
  /* An extension may nest; a real feed is never refused for it. */
  result = parse_ok (fine, strlen (fine), NULL);
  g_assert_cmpstr (result->version, ==, "json11");
}

/* Comments and single-quoted strings (which json-glib accepts) could hide
 * brackets from a count that knows only JSON strings: refused. */
static void
test_hidden_nesting (void)
{
  g_autofree char *deep = g_strnfill (100000, '[');
  g_autofree char *shut = g_strnfill (100000, ']');
  g_autofree char *comment = g_strconcat ("{" V11 ", # \"\n \"items\": ", deep, "1", shut, ", \"x\": \"\"}", NULL);
  g_autofree char *quote = g_strconcat ("{" V11 ", \"q\": '\"', \"items\": ", deep, "1", shut, ", \"x\": \"\"}", NULL);

  assert_refused (comment, strlen (comment), TALES_PARSE_ERROR_MALFORMED);
  assert_refused (quote, strlen (quote), TALES_PARSE_ERROR_MALFORMED);
}

/* --- streams ------------------------------------------------------------- */

static void
count_post_cb (TalesPost *post, gpointer user_data)
{
  GPtrArray *guids = user_data;

  g_ptr_array_add (guids, g_strdup (tales_post_get_guid (post)));
}

/* Far more than the first bytes the stream parser looks at, in small
 * pieces: every post reaches the callback, in order. */
static void
test_stream (void)
{
  g_autoptr(GString) json = g_string_new ("\xEF\xBB\xBF\n{" V11 ", \"title\": \"Streamed\", \"items\": [");
  g_autoptr(GInputStream) stream = g_memory_input_stream_new ();
  g_autoptr(GPtrArray) guids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(TalesParseResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const guint n = 500;

  for (guint i = 0; i < n; i++)
    g_string_append_printf (json, "%s{\"id\": \"s%u\", \"content_text\": \"%0400u\"}", i ? "," : "", i, i);
  g_string_append (json, "]}");
  g_assert_cmpuint (json->len, >, 128 * 1024);
  for (gsize done = 0; done < json->len; done += 1000)
    g_memory_input_stream_add_data (G_MEMORY_INPUT_STREAM (stream),
                                    g_memdup2 (json->str + done, MIN (1000, json->len - done)),
                                    MIN (1000, json->len - done), g_free);

  result = tales_parse_stream (stream, NULL, count_post_cb, guids, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (result->posts);
  g_assert_cmpstr (tales_feed_get_title (result->feed), ==, "Streamed");
  g_assert_cmpuint (guids->len, ==, n);
  g_assert_cmpstr (g_ptr_array_index (guids, 0), ==, "s0");
  g_assert_cmpstr (g_ptr_array_index (guids, n - 1), ==, "s499");
}

/* A stream that never ends: a JSON Feed whose last string goes on. */
typedef struct {
  GInputStream parent;
  guint64 produced;
} EndlessStream;

typedef GInputStreamClass EndlessStreamClass;
G_DEFINE_TYPE (EndlessStream, endless_stream, G_TYPE_INPUT_STREAM)

static gssize
endless_read (GInputStream *stream, void *buffer, gsize count, GCancellable *cancellable, GError **error)
{
  EndlessStream *self = (EndlessStream *) stream;
  static const char head[] = "{" V11 ", \"items\": [], \"x\": \"";

  if (self->produced == 0 && count >= sizeof head - 1)
    {
      memcpy (buffer, head, sizeof head - 1);
      self->produced = sizeof head - 1;
      return sizeof head - 1;
    }
  memset (buffer, 'a', count);
  self->produced += count;
  return count;
}

static gboolean
endless_close (GInputStream *stream, GCancellable *cancellable, GError **error)
{
  return TRUE;
}

static void
endless_stream_class_init (EndlessStreamClass *klass)
{
  klass->read_fn = endless_read;
  klass->close_fn = endless_close;
}

static void
endless_stream_init (EndlessStream *self)
{
}

/* The same cap as XML, with a sentence beyond it. */
static void
test_stream_too_large (void)
{
  g_autoptr(GInputStream) stream = g_object_new (endless_stream_get_type (), NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesParseResult) result = NULL;

  result = tales_parse_stream (stream, NULL, NULL, NULL, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, TALES_PARSE_ERROR, TALES_PARSE_ERROR_TOO_LARGE);
  g_assert_true (g_str_has_suffix (error->message, "."));
  /* it stopped at the cap, not long after */
  g_assert_cmpuint (((EndlessStream *) stream)->produced, <=, (guint64) 257 * 1024 * 1024);
}

static void
test_stream_cancelled (void)
{
  static const char json[] = "{" V11 ", \"items\": []}";
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (json, strlen (json), NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesParseResult) result = NULL;

  g_cancellable_cancel (cancellable);
  result = tales_parse_stream (stream, NULL, NULL, NULL, cancellable, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* --- refresh over real HTTP ---------------------------------------------- */

/* A store, a fetcher and an image cache in the test's own XDG dirs. */
static TalesTestEnv *
env_new (void)
{
  return tales_test_env_new ("tales-test.db", NULL);
}

static TalesFeedRefreshReport
refresh_ok (TalesTestEnv *env, const char *url)
{
  TalesTestRefresh refreshed;

  tales_test_refresh_start (&refreshed, env->store, env->fetcher, env->images, url);
  tales_test_refresh_wait (&refreshed);
  g_assert_no_error (refreshed.error);
  g_assert_true (refreshed.ok);
  return refreshed.report;
}

/* Relative image URLs (resolved against the address the feed came from),
 * a hostile item, and two items without an id. */
static char *
served_feed (void)
{
  GString *json = g_string_new ("{" V11 ", \"title\": \"Served\", \"home_page_url\": \"/\","
                                " \"icon\": \"/img/icon.png\", \"items\": [");
  g_autofree char *hostile = g_strescape (HOSTILE_HTML, NULL);

  for (guint i = 1; i <= 3; i++)
    g_string_append_printf (json,
                            "{\"id\": \"served-%u\", \"url\": \"/posts/%u\", \"title\": \"Post %u\","
                            " \"content_html\": \"<p>Text %u</p><img src=\\\"/img/%u.png\\\">\","
                            " \"image\": \"/img/cover-%u.png\", \"tags\": [\"t%u\"],"
                            " \"date_published\": \"2024-06-0%uT10:00:00Z\"},",
                            i, i, i, i, i, i, i, i);
  g_string_append_printf (json,
                          "{\"id\": \"hostile\", \"title\": \"Hostile\", \"content_html\": \"%s\"},"
                          "{\"url\": \"/posts/no-id\", \"content_text\": \"No id, a link.\"},"
                          "{\"title\": \"Bare\", \"content_text\": \"No id, no link.\"}]}", hostile);
  return g_string_free (json, FALSE);
}

static void
serve_images (TalesTestEnv *env)
{
  const char *paths[] = { "/img/1.png", "/img/2.png", "/img/3.png", "/img/a.png",
                          "/img/cover-1.png", "/img/cover-2.png", "/img/cover-3.png" };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(GBytes) png = tales_test_make_image (6 + i, 4 + i, 0x203040 * (i + 1), "png");

      tales_test_server_add_bytes (env->server, paths[i], "image/png", png);
    }
}

/* The post stored under @guid, loaded whole. */
static TalesPost *
stored_post (TalesTestEnv *env, gint64 feed_id, const char *title)
{
  TalesPostFilter filter = { TALES_FILTER_FEED, feed_id, NULL, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = tales_store_query_post_ids (env->store, &filter, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(TalesPost) post = tales_store_load_post (env->store, g_array_index (ids, gint64, i), &error);

      g_assert_no_error (error);
      if (g_strcmp0 (tales_post_get_title (post), title) == 0)
        return g_steal_pointer (&post);
    }
  g_error ("no stored post titled %s", title);
  return NULL;
}

static void
assert_stored_post (TalesTestEnv *env, gint64 feed_id, guint i)
{
  g_autofree char *title = g_strdup_printf ("Post %u", i);
  g_autoptr(TalesPost) post = stored_post (env, feed_id, title);
  g_autofree char *guid = g_strdup_printf ("served-%u", i);
  g_autofree char *path = g_strdup_printf ("/posts/%u", i);
  g_autofree char *link = tales_test_server_url (env->server, path);
  g_autofree char *image_path = g_strdup_printf ("/img/%u.png", i);
  g_autofree char *image = tales_test_server_url (env->server, image_path);
  g_autofree char *cached = tales_html_image_uri (image);
  g_autofree char *page = tales_article_render (post);
  g_autoptr(TalesImageRecord) record = tales_store_get_image (env->store, image, NULL);
  g_autofree char *category = g_strdup_printf ("t%u", i);

  g_assert_cmpstr (tales_post_get_guid (post), ==, guid);
  g_assert_cmpstr (tales_post_get_link (post), ==, link);
  g_assert_cmpstr (tales_post_get_categories (post)[0], ==, category);
  g_assert_nonnull (strstr (tales_post_get_content (post), image));
  g_assert_nonnull (strstr (page, cached));
  g_assert_nonnull (record);
  g_assert_cmpint (record->state, ==, TALES_IMAGE_CACHED);
}

static void
test_refresh (void)
{
  g_autoptr(TalesTestEnv) env = env_new ();
  g_autofree char *url = tales_test_server_url (env->server, "/feed.json");
  g_autofree char *json = served_feed ();
  g_autoptr(TalesFeed) feed = NULL;
  g_autoptr(TalesPost) hostile = NULL;
  g_autofree char *hostile_page = NULL;
  g_autofree char *changed = NULL;
  TalesFeedRefreshReport report;

  serve_images (env);
  tales_test_server_add_string (env->server, "/feed.json", "application/feed+json", json);

  report = refresh_ok (env, url);
  g_assert_false (report.not_modified);
  g_assert_cmpuint (report.n_new, ==, 6);
  /* three body images, three covers, and the hostile post's image */
  g_assert_cmpuint (report.n_images_cached, ==, 7);
  g_assert_cmpuint (report.n_images_failed, ==, 0);
  g_assert_cmpuint (tales_store_count_posts (env->store, report.feed_id, NULL), ==, 6);
  for (guint i = 1; i <= 3; i++)
    assert_stored_post (env, report.feed_id, i);

  feed = tales_store_get_feed (env->store, report.feed_id, NULL);
  g_assert_cmpstr (tales_feed_get_title (feed), ==, "Served");
  g_assert_null (tales_feed_get_last_error (feed));

  hostile = stored_post (env, report.feed_id, "Hostile");
  hostile_page = tales_article_render (hostile);
  assert_harmless (strstr (hostile_page, "<article"));

  /* A conditional GET; then the feed again, changed by a byte: nothing
   * new, and no duplicate of the posts without an id. */
  report = refresh_ok (env, url);
  g_assert_true (report.not_modified);
  changed = g_strconcat (json, "\n", NULL);
  tales_test_server_add_string (env->server, "/feed.json", "application/feed+json", changed);
  report = refresh_ok (env, url);
  g_assert_false (report.not_modified);
  g_assert_cmpuint (report.n_new, ==, 0);
  g_assert_cmpuint (tales_store_count_posts (env->store, report.feed_id, NULL), ==, 6);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  tales_core_init ();

  g_test_add_func ("/tales/parse-json/v1", test_v1);
  g_test_add_func ("/tales/parse-json/v1.1", test_v11);
  g_test_add_func ("/tales/parse-json/v1.1-text-item", test_v11_text_item);
  g_test_add_func ("/tales/parse-json/base-is-the-address", test_base_is_the_address);
  g_test_add_func ("/tales/parse-json/missing-id", test_missing_id);
  g_test_add_func ("/tales/parse-json/content-text", test_content_text);
  g_test_add_func ("/tales/parse-json/html-sanitized", test_html_sanitized);
  g_test_add_func ("/tales/parse-json/html-same-as-rss", test_html_same_as_rss);
  g_test_add_func ("/tales/parse-json/html-sanitized-extras", test_html_sanitized_extras);
  g_test_add_func ("/tales/parse-json/unsafe-urls", test_unsafe_urls);
  g_test_add_func ("/tales/parse-json/bad-json", test_bad_json);
  g_test_add_func ("/tales/parse-json/not-a-feed", test_not_a_feed);
  g_test_add_func ("/tales/parse-json/empty-items", test_empty_items);
  g_test_add_func ("/tales/parse-json/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/tales/parse-json/invalid-escapes", test_invalid_escapes);
  g_test_add_func ("/tales/parse-json/huge-string", test_huge_string);
  g_test_add_func ("/tales/parse-json/many-lines", test_many_lines);
  g_test_add_func ("/tales/parse-json/deep-nesting", test_deep_nesting);
  g_test_add_func ("/tales/parse-json/hidden-nesting", test_hidden_nesting);
  g_test_add_func ("/tales/parse-json/stream", test_stream);
  g_test_add_func ("/tales/parse-json/stream-too-large", test_stream_too_large);
  g_test_add_func ("/tales/parse-json/stream-cancelled", test_stream_cancelled);
  g_test_add_func ("/tales/parse-json/refresh", test_refresh);
  return g_test_run ();
}
