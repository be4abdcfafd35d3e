/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The refresh pipeline end to end: a real SoupServer on 127.0.0.1 serving
 * a feed and its images, the real parser, store and image cache. */

#include "tales-core.h"
#include "tales-test-utils.h"

/* Everything one test needs; the store and cache live in the test's own
 * isolated XDG dirs. */
typedef struct {
  TalesTestEnv parts;
  GHashTable *served;    /* image URL -> GBytes the server sends */
} Env;

static Env *
env_new (void)
{
  Env *env = g_new0 (Env, 1);

  tales_test_env_init (&env->parts, "tales-test.db", NULL);
  env->served = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
  return env;
}

static void
env_free (Env *env)
{
  tales_test_env_clear (&env->parts);
  g_hash_table_unref (env->served);
  g_free (env);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Env, env_free)

/* Refreshes @url and waits; returns whether it worked, with @error set
 * (owned by the caller) when it did not. */
static gboolean
refresh (Env *env, const char *url, TalesFeedRefreshReport *report, GError **error)
{
  TalesTestRefresh refreshed;

  tales_test_refresh_start (&refreshed, env->parts.store, env->parts.fetcher, env->parts.images, url);
  tales_test_refresh_wait (&refreshed);
  if (report != NULL)
    *report = refreshed.report;
  if (refreshed.error != NULL)
    g_propagate_error (error, refreshed.error);
  return refreshed.ok;
}

/* An error for a person: a sentence of some length, capitalised. */
static void
assert_sentence (const GError *error)
{
  g_assert_nonnull (error);
  g_assert_nonnull (error->message);
  g_assert_cmpuint (strlen (error->message), >, 15);
  g_assert_true (g_unichar_isupper (g_utf8_get_char (error->message)) ||
                 g_str_has_prefix (error->message, "http"));
}

/* Serving a feed and its images */

static char *
origin_of (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return NULL;
  return g_strdup_printf ("%s://%s", g_uri_get_scheme (uri), g_uri_get_host (uri));
}

/* Returns (transfer full): every image URL the refresh will ask for. */
static GPtrArray *
collect_feed_images (const char *xml, gsize length, guint *n_items)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesParseResult) parsed = tales_parse (xml, length, NULL, NULL, NULL, &error);
  GPtrArray *all = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_no_error (error);
  for (guint i = 0; i < parsed->posts->len; i++)
    {
      g_autoptr(GPtrArray) urls = tales_feed_refresh_collect_post_images (g_ptr_array_index (parsed->posts, i));

      for (guint j = 0; j < urls->len; j++)
        if (!g_hash_table_contains (seen, g_ptr_array_index (urls, j)))
          {
            char *url = g_strdup (g_ptr_array_index (urls, j));
            g_hash_table_add (seen, url);
            g_ptr_array_add (all, url);
          }
    }
  if (n_items != NULL)
    *n_items = parsed->posts->len;
  return all;
}

/* Rewrites every image host of @xml to the test server (https://host/x
 * becomes BASE/host/x), serves a generated PNG or JPEG at each image path
 * and the feed at @feed_path. Returns how many items the feed has. */
static guint
serve_feed (Env *env, const char *feed_path, const char *xml, gsize length)
{
  const char *base = tales_test_server_get_base (env->parts.server);
  g_autoptr(GPtrArray) images = collect_feed_images (xml, length, NULL);
  g_autoptr(GString) rewritten = g_string_new_len (xml, length);
  g_autoptr(GHashTable) origins = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) served = NULL;
  GHashTableIter iter;
  gpointer origin;
  guint n_items = 0;

  for (guint i = 0; i < images->len; i++)
    {
      char *o = origin_of (g_ptr_array_index (images, i));
      if (o != NULL && !g_str_has_prefix (g_ptr_array_index (images, i), base))
        g_hash_table_add (origins, o);
      else
        g_free (o);
    }
  g_hash_table_iter_init (&iter, origins);
  while (g_hash_table_iter_next (&iter, &origin, NULL))
    {
      const char *host = strstr (origin, "://") + 3;
      g_autofree char *replacement = g_strconcat (base, "/", host, NULL);
      g_string_replace (rewritten, origin, replacement, 0);
    }

  served = collect_feed_images (rewritten->str, rewritten->len, &n_items);
  for (guint i = 0; i < served->len; i++)
    {
      const char *url = g_ptr_array_index (served, i);
      g_autoptr(GUri) uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
      gboolean png = g_str_has_suffix (g_uri_get_path (uri), ".png");
      g_autoptr(GBytes) bytes = NULL;

      /* The tests reach nothing but the test server. */
      g_assert_true (g_str_has_prefix (url, base));
      bytes = tales_test_make_image (8 + i, 6 + i, 0x102030 * (i + 1), png ? "png" : "jpeg");
      tales_test_server_add_bytes (env->parts.server, g_uri_get_path (uri),
                                   png ? "image/png" : "image/jpeg", bytes);
      g_hash_table_replace (env->served, g_strdup (url), g_bytes_ref (bytes));
    }

  tales_test_server_add_string (env->parts.server, feed_path, "application/rss+xml", rewritten->str);
  return n_items;
}

static guint
image_hits (Env *env)
{
  GHashTableIter iter;
  gpointer url;
  guint hits = 0;

  g_hash_table_iter_init (&iter, env->served);
  while (g_hash_table_iter_next (&iter, &url, NULL))
    {
      g_autoptr(GUri) uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
      hits += tales_test_server_hits (env->parts.server, g_uri_get_path (uri));
    }
  return hits;
}

/* The store says @url is cached, the file holds @expected, and the
 * tales-image: lookup the article view uses gives the same bytes. */
static void
assert_image_cached (Env *env, const char *url, GBytes *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesImageRecord) record = tales_store_get_image (env->parts.store, url, &error);
  g_autofree char *filename = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *mime_type = NULL;
  g_autoptr(GBytes) loaded = NULL;
  gsize length = 0;

  g_assert_no_error (error);
  g_assert_nonnull (record);
  if (record->state != TALES_IMAGE_CACHED)
    g_error ("%s is not cached: %s", url, record->error ? record->error : "pending");
  g_assert_nonnull (record->path);
  g_assert_true (g_str_has_prefix (record->mime_type, "image/"));

  filename = g_build_filename (tales_image_cache_get_dir (env->parts.images), record->path, NULL);
  g_file_get_contents (filename, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (contents, length, g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));

  uri = tales_html_image_uri (url);
  loaded = tales_image_cache_load_by_url_hash (env->parts.images, strrchr (uri, '/') + 1, &mime_type, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (loaded, expected));
  g_assert_cmpstr (mime_type, ==, record->mime_type);
}

static void
assert_all_served_cached (Env *env)
{
  GHashTableIter iter;
  gpointer url, bytes;

  g_hash_table_iter_init (&iter, env->served);
  while (g_hash_table_iter_next (&iter, &url, &bytes))
    assert_image_cached (env, url, bytes);
}

/* The acceptance run: first refresh stores every post and image, the
 * second is a conditional GET that changes nothing. */
static void
check_feed_refresh (const char *xml, gsize length)
{
  g_autoptr(Env) env = env_new ();
  g_autofree char *url = tales_test_server_url (env->parts.server, "/feed.xml");
  g_autoptr(GError) error = NULL;
  TalesFeedRefreshReport report;
  guint n_items = serve_feed (env, "/feed.xml", xml, length);
  guint hits;

  g_assert_cmpuint (n_items, >, 0);
  g_assert_cmpuint (g_hash_table_size (env->served), >, 0);

  refresh (env, url, &report, &error);
  g_assert_no_error (error);
  g_assert_false (report.not_modified);
  g_assert_cmpint (report.feed_id, >, 0);
  g_assert_cmpuint (report.n_new, ==, n_items);
  g_assert_cmpuint (report.n_images_cached, ==, g_hash_table_size (env->served));
  g_assert_cmpuint (report.n_images_failed, ==, 0);
  g_assert_cmpuint (tales_store_count_posts (env->parts.store, report.feed_id, &error), ==, n_items);
  g_assert_no_error (error);
  assert_all_served_cached (env);
  hits = image_hits (env);
  g_assert_cmpuint (hits, ==, g_hash_table_size (env->served));

  refresh (env, url, &report, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tales_test_server_last_header (env->parts.server, "/feed.xml", "If-None-Match"));
  g_assert_nonnull (tales_test_server_last_header (env->parts.server, "/feed.xml", "If-Modified-Since"));
  g_assert_true (report.not_modified);
  g_assert_cmpuint (report.n_new, ==, 0);
  g_assert_cmpuint (report.n_images_cached, ==, 0);
  g_assert_cmpuint (tales_store_count_posts (env->parts.store, report.feed_id, &error), ==, n_items);
  g_assert_cmpuint (image_hits (env), ==, hits);
  g_assert_cmpuint (tales_test_server_hits (env->parts.server, "/feed.xml"), ==, 2);
}

static void
test_refresh_seed (void)
{
  const char *shared = g_getenv ("TALES_SHARED_DIR");
  g_autofree char *path = NULL;
  g_autofree char *xml = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;

  if (shared == NULL)
    {
      g_test_skip ("TALES_SHARED_DIR is not set: the real seed feed is not available");
      return;
    }
  path = g_build_filename (shared, "fixtures", "tltales-rss.xml", NULL);
  if (!g_file_get_contents (path, &xml, &length, &error))
    {
      g_test_skip (error->message);
      return;
    }
  check_feed_refresh (xml, length);
}

static void
test_refresh_fixture (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "hashnode-feed.xml", NULL);
  g_autofree char *xml = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &xml, &length, NULL))
    {
      g_test_skip ("tests/data/hashnode-feed.xml is not there yet");
      return;
    }
  check_feed_refresh (xml, length);
}

/* A small feed of our own, with images at @image_path_N. */
static char *
small_feed (const char *base, guint n_items, const char *extra_item)
{
  GString *xml = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                               "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">"
                               "<channel><title>Small</title><link>https://example.test/</link>"
                               "<description>A small feed</description>\n");

  for (guint i = 1; i <= n_items; i++)
    g_string_append_printf (xml,
                            "<item><title>Post %u</title><link>https://example.test/p%u</link>"
                            "<guid>small-%u</guid><pubDate>Mon, 0%u Jun 2024 10:00:00 GMT</pubDate>"
                            "<content:encoded><![CDATA[<p>Text %u</p><img src=\"%s/img/%u.png\">]]></content:encoded>"
                            "</item>\n",
                            i, i, i, i, i, base, i);
  if (extra_item != NULL)
    g_string_append (xml, extra_item);
  g_string_append (xml, "</channel></rss>\n");
  return g_string_free (xml, FALSE);
}

/* A feed many times what may wait between the network and the parser,
 * all its posts sharing one image: read as it arrives, merged with the
 * image of each post in one transaction, searchable. */
static void
test_refresh_large (void)
{
  g_autoptr(Env) env = env_new ();
  const char *base = tales_test_server_get_base (env->parts.server);
  g_autofree char *url = tales_test_server_url (env->parts.server, "/feed.xml");
  g_autofree char *padding = g_strnfill (2000, 'y');
  g_autoptr(GString) xml = g_string_new ("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>"
                                         "<title>Large</title><link>https://example.test/</link>\n");
  g_autoptr(GBytes) png = tales_test_make_image (4, 4, 0x0000ff, "png");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  TalesFeedRefreshReport report;
  /* Smaller under AddressSanitizer, where every allocation records its
   * stack; still many chunks of the streamed body either way. */
#if defined(__SANITIZE_ADDRESS__)
  const guint n = 600;
#else
  const guint n = 3000;
#endif
  g_autofree char *word = g_strdup_printf ("seabird%u", n - 1);
  TalesPostFilter filter = { TALES_FILTER_ALL, 0, NULL, word };

  for (guint i = 0; i < n; i++)
    g_string_append_printf (xml, "<item><title>Post %u</title><guid>large-%u</guid>"
                                 "<description>&lt;p&gt;seabird%u %s&lt;/p&gt;"
                                 "&lt;img src=\"%s/img/shared.png\"&gt;</description></item>\n",
                            i, i, i, padding, base);
  g_string_append (xml, "</channel></rss>\n");
  /* More than the fetcher's 1 MiB hand-off buffer, so the parser has to
   * wait for the network and the network for the parser. */
  g_assert_cmpuint (xml->len, >, 1024 * 1024);
  bytes = g_bytes_new (xml->str, xml->len);
  tales_test_server_add_chunked (env->parts.server, "/feed.xml", "application/rss+xml", bytes);
  tales_test_server_add_bytes (env->parts.server, "/img/shared.png", "image/png", png);

  g_assert_true (refresh (env, url, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.n_new, ==, n);
  g_assert_cmpuint (report.n_images_cached, ==, 1);
  g_assert_cmpuint (tales_store_count_posts (env->parts.store, report.feed_id, NULL), ==, n);
  g_assert_cmpuint (tales_test_server_hits (env->parts.server, "/img/shared.png"), ==, 1);

  ids = tales_store_query_post_ids (env->parts.store, &filter, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 1);
  {
    g_autoptr(GPtrArray) images = tales_store_list_post_images (env->parts.store,
                                                                g_array_index (ids, gint64, 0),
                                                                &error);
    g_autofree char *shared = tales_test_server_url (env->parts.server, "/img/shared.png");

    g_assert_no_error (error);
    g_assert_cmpuint (images->len, ==, 1);
    g_assert_cmpstr (g_ptr_array_index (images, 0), ==, shared);
  }

  /* Nothing changed: nothing new, and the image is not fetched again. */
  g_assert_true (refresh (env, url, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.n_new + report.n_updated, ==, 0);
  g_assert_cmpuint (tales_test_server_hits (env->parts.server, "/img/shared.png"), ==, 1);
}

static void
test_refresh_failing_image (void)
{
  g_autoptr(Env) env = env_new ();
  const char *base = tales_test_server_get_base (env->parts.server);
  g_autofree char *url = tales_test_server_url (env->parts.server, "/feed.xml");
  g_autofree char *xml = small_feed (base, 3, NULL);
  g_autofree char *missing = tales_test_server_url (env->parts.server, "/img/2.png");
  g_autofree char *html = tales_test_server_url (env->parts.server, "/img/3.png");
  g_autofree char *good = tales_test_server_url (env->parts.server, "/img/1.png");
  g_autofree char *xml2 = NULL;
  g_autoptr(GBytes) png = tales_test_make_image (4, 4, 0xff0000, "png");
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesImageRecord) record = NULL;
  TalesFeedRefreshReport report;

  tales_test_server_add_string (env->parts.server, "/feed.xml", "application/rss+xml", xml);
  tales_test_server_add_bytes (env->parts.server, "/img/1.png", "image/png", png);
  tales_test_server_add_status (env->parts.server, "/img/2.png", 404);
  tales_test_server_add_string (env->parts.server, "/img/3.png", "image/png",
                                "<!DOCTYPE html><html><body>Not an image</body></html>");

  refresh (env, url, &report, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report.n_new, ==, 3);
  g_assert_cmpuint (report.n_images_cached, ==, 1);
  g_assert_cmpuint (report.n_images_failed, ==, 2);
  assert_image_cached (env, good, png);

  record = tales_store_get_image (env->parts.store, missing, &error);
  g_assert_no_error (error);
  g_assert_cmpint (record->state, ==, TALES_IMAGE_FAILED);
  g_assert_nonnull (strstr (record->error, missing));
  g_clear_pointer (&record, tales_image_record_free);

  record = tales_store_get_image (env->parts.store, html, &error);
  g_assert_no_error (error);
  g_assert_cmpint (record->state, ==, TALES_IMAGE_FAILED);
  g_assert_nonnull (strstr (record->error, "not an image"));
  g_clear_pointer (&record, tales_image_record_free);

  /* The images come back; the feed changes: the next refresh after the
   * failed ones' wait retries them, and leaves the cached one alone. */
  tales_image_cache_set_time_offset (env->parts.images, TALES_IMAGE_RETRY_MAX_WAIT + 1);
  tales_test_server_add_bytes (env->parts.server, "/img/2.png", "image/png", png);
  tales_test_server_add_bytes (env->parts.server, "/img/3.png", "image/png", png);
  xml2 = small_feed (base, 4, NULL);
  tales_test_server_add_string (env->parts.server, "/feed.xml", "application/rss+xml", xml2);
  tales_test_server_add_bytes (env->parts.server, "/img/4.png", "image/png", png);
  refresh (env, url, &report, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report.n_new, ==, 1);
  g_assert_cmpuint (report.n_images_cached, ==, 3);
  g_assert_cmpuint (report.n_images_failed, ==, 0);
  g_assert_cmpuint (tales_test_server_hits (env->parts.server, "/img/1.png"), ==, 1);
  assert_image_cached (env, missing, png);
  assert_image_cached (env, html, png);
}

/* Bad input: each case first refreshes a good feed, then replaces it. */

typedef enum {
  BAD_404,
  BAD_HTML,
  BAD_TRUNCATED_EMPTY,
  BAD_TRUNCATED_ITEMS,
  BAD_SILENT,
  BAD_TOO_LARGE,
  BAD_TOO_LARGE_CHUNKED,
  BAD_NOT_XML,
} BadKind;

static GPtrArray *
stored_titles (Env *env, gint64 feed_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) posts = tales_store_list_posts (env->parts.store, feed_id, &error);
  GPtrArray *titles = g_ptr_array_new_with_free_func (g_free);

  g_assert_no_error (error);
  for (guint i = 0; i < g_list_model_get_n_items (posts); i++)
    {
      g_autoptr(TalesPost) post = g_list_model_get_item (posts, i);
      g_ptr_array_add (titles, g_strdup (tales_post_get_title (post)));
    }
  return titles;
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static void
assert_same_titles (GPtrArray *before, GPtrArray *after)
{
  g_ptr_array_sort (before, compare_strings);
  g_ptr_array_sort (after, compare_strings);
  g_assert_cmpuint (before->len, ==, after->len);
  for (guint i = 0; i < before->len; i++)
    g_assert_cmpstr (g_ptr_array_index (before, i), ==, g_ptr_array_index (after, i));
}

static void
replace_feed (Env *env, BadKind kind, const char *good)
{
  switch (kind)
    {
    case BAD_404:
      tales_test_server_add_status (env->parts.server, "/feed.xml", 404);
      break;
    case BAD_HTML:
      tales_test_server_add_string (env->parts.server, "/feed.xml", "text/html",
                                    "<!DOCTYPE html><html><head><title>Welcome</title></head>"
                                    "<body><p>This is a web page, not a feed.</p></body></html>");
      break;
    case BAD_TRUNCATED_EMPTY:
      {
        g_autofree char *cut = g_strndup (good, strstr (good, "<item>") - good + 10);
        tales_test_server_add_string (env->parts.server, "/feed.xml", "application/rss+xml", cut);
      }
      break;
    case BAD_TRUNCATED_ITEMS:
      {
        /* Cut inside the last item: the first ones can be recovered. */
        g_autofree char *cut = g_strndup (good, g_strrstr (good, "<item>") - good + 20);
        tales_test_server_add_string (env->parts.server, "/feed.xml", "application/rss+xml", cut);
      }
      break;
    case BAD_SILENT:
      tales_fetcher_set_timeout (env->parts.fetcher, 1);
      tales_test_server_add_silent (env->parts.server, "/feed.xml");
      break;
    case BAD_TOO_LARGE:
      {
        g_autoptr(GString) big = g_string_new (good);
        g_autofree char *padding = g_strnfill (64 * 1024, 'x');

        g_string_replace (big, "<title>Post 1</title>", "<title>Post 1</title><!-- ", 1);
        g_string_replace (big, "<link>https://example.test/p1</link>", " --><link>https://example.test/p1</link>", 1);
        g_string_replace (big, "<!-- ", padding, 1);
        tales_fetcher_set_max_bytes (env->parts.fetcher, 16 * 1024);
        tales_test_server_add_string (env->parts.server, "/feed.xml", "application/rss+xml", big->str);
      }
      break;
    case BAD_TOO_LARGE_CHUNKED:
      {
        /* No Content-Length: the cap is met while the parser reads, and
         * the posts read until then must not be merged. */
        g_autoptr(GString) big = g_string_new (good);
        g_autofree char *padding = g_strnfill (64 * 1024, 'x');
        g_autoptr(GBytes) bytes = NULL;

        g_string_replace (big, "</channel>", "<!-- ", 1);
        g_string_append_printf (big, "%s --></channel></rss>\n", padding);
        bytes = g_bytes_new (big->str, big->len);
        tales_fetcher_set_max_bytes (env->parts.fetcher, 16 * 1024);
        tales_test_server_add_chunked (env->parts.server, "/feed.xml", "application/rss+xml", bytes);
      }
      break;
    case BAD_NOT_XML:
      tales_test_server_add_string (env->parts.server, "/feed.xml", "application/rss+xml",
                                    "\x01\x02 this is not a document at all \xff\xfe");
      break;
    }
}

static void
check_bad_error (BadKind kind, const GError *error)
{
  switch (kind)
    {
    case BAD_404:
      g_assert_error (error, TALES_FETCH_ERROR, TALES_FETCH_ERROR_NOT_FOUND);
      break;
    case BAD_HTML:
      g_assert_error (error, TALES_PARSE_ERROR, TALES_PARSE_ERROR_NOT_A_FEED);
      break;
    case BAD_TRUNCATED_EMPTY:
      g_assert_error (error, TALES_PARSE_ERROR, TALES_PARSE_ERROR_MALFORMED);
      break;
    case BAD_SILENT:
      g_assert_error (error, TALES_FETCH_ERROR, TALES_FETCH_ERROR_TIMEOUT);
      break;
    case BAD_TOO_LARGE:
    case BAD_TOO_LARGE_CHUNKED:
      g_assert_error (error, TALES_FETCH_ERROR, TALES_FETCH_ERROR_TOO_LARGE);
      break;
    case BAD_NOT_XML:
      g_assert_true (error->domain == TALES_PARSE_ERROR);
      break;
    case BAD_TRUNCATED_ITEMS:
      g_assert_not_reached ();
    }
  assert_sentence (error);
}

static void
test_refresh_bad (gconstpointer user_data)
{
  BadKind kind = GPOINTER_TO_INT (user_data);
  g_autoptr(Env) env = env_new ();
  const char *base = tales_test_server_get_base (env->parts.server);
  g_autofree char *url = tales_test_server_url (env->parts.server, "/feed.xml");
  g_autofree char *good = small_feed (base, 3, NULL);
  g_autoptr(GBytes) png = tales_test_make_image (4, 4, 0x00ff00, "png");
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) store_error = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(TalesFeed) feed = NULL;
  g_autofree char *etag = NULL;
  TalesFeedRefreshReport report;
  gint64 start;
  gboolean ok;

  tales_test_server_add_string (env->parts.server, "/feed.xml", "application/rss+xml", good);
  for (guint i = 1; i <= 3; i++)
    {
      g_autofree char *path = g_strdup_printf ("/img/%u.png", i);
      tales_test_server_add_bytes (env->parts.server, path, "image/png", png);
    }
  refresh (env, url, &report, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report.n_new, ==, 3);
  before = stored_titles (env, report.feed_id);
  g_assert_cmpuint (before->len, ==, 3);
  feed = tales_store_get_feed (env->parts.store, report.feed_id, &error);
  g_assert_no_error (error);
  etag = g_strdup (tales_feed_get_etag (feed));
  g_assert_nonnull (etag);
  g_clear_object (&feed);

  replace_feed (env, kind, good);
  start = g_get_monotonic_time ();
  ok = refresh (env, url, &report, &error);
  if (kind == BAD_SILENT)
    g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);

  after = stored_titles (env, report.feed_id);
  assert_same_titles (before, after);
  g_assert_cmpuint (tales_store_count_posts (env->parts.store, report.feed_id, NULL), ==, 3);

  feed = tales_store_get_feed (env->parts.store, report.feed_id, &store_error);
  g_assert_no_error (store_error);
  if (kind == BAD_TRUNCATED_ITEMS)
    {
      /* What could be read is merged; nothing stored is lost. */
      g_assert_true (ok);
      g_assert_no_error (error);
      g_assert_cmpuint (report.n_new, ==, 0);
      g_assert_null (tales_feed_get_last_error (feed));
      return;
    }

  g_assert_false (ok);
  check_bad_error (kind, error);
  /* The error is remembered for the sidebar, and the validators are not
   * touched, so the next refresh fetches in full again. */
  g_assert_cmpstr (tales_feed_get_last_error (feed), ==, error->message);
  g_assert_cmpstr (tales_feed_get_etag (feed), ==, etag);
  g_clear_object (&feed);
  g_clear_error (&error);

  /* And the feed recovers once the server does. */
  tales_fetcher_set_timeout (env->parts.fetcher, 5);
  tales_fetcher_set_max_bytes (env->parts.fetcher, 1024 * 1024);
  tales_test_server_add_string (env->parts.server, "/feed.xml", "application/rss+xml", good);
  refresh (env, url, &report, &error);
  g_assert_no_error (error);
  feed = tales_store_get_feed (env->parts.store, report.feed_id, &error);
  g_assert_no_error (error);
  g_assert_null (tales_feed_get_last_error (feed));
}

static void
test_refresh_welcome (void)
{
  g_autoptr(Env) env = env_new ();
  g_autoptr(GError) error = NULL;
  TalesFeedRefreshReport report;
  const char *images[] = {
    "resource:///io/github/talesreader/Tales/welcome/tales-cover.png",
    "resource:///io/github/talesreader/Tales/welcome/offline.png",
    "resource:///io/github/talesreader/Tales/welcome/categories.png",
  };

  refresh (env, TALES_WELCOME_FEED_URL, &report, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report.n_new, >=, 3);
  g_assert_cmpuint (report.n_images_cached, ==, G_N_ELEMENTS (images));
  g_assert_cmpuint (report.n_images_failed, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (images); i++)
    {
      g_autoptr(GBytes) bytes = g_resources_lookup_data (images[i] + strlen ("resource://"), 0, &error);
      g_assert_no_error (error);
      assert_image_cached (env, images[i], bytes);
    }

  /* Offline, again: nothing new, nothing lost. */
  refresh (env, TALES_WELCOME_FEED_URL, &report, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report.n_new, ==, 0);
  g_assert_cmpuint (report.n_images_cached, ==, 0);
  g_assert_cmpuint (tales_test_server_hits (env->parts.server, NULL), ==, 0);
}

/* The image cache on its own */

static void
test_image_cache_dedup (void)
{
  g_autoptr(Env) env = env_new ();
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GBytes) jpeg = tales_test_make_image (10, 10, 0x0000ff, "jpeg");
  g_autoptr(GBytes) png = tales_test_make_image (10, 10, 0x0000ff, "png");
  g_autofree char *same_a = tales_test_server_url (env->parts.server, "/a.png");
  g_autofree char *same_b = tales_test_server_url (env->parts.server, "/b.png");
  g_autofree char *filename = NULL;
  g_autoptr(TalesImageRecord) a = NULL;
  g_autoptr(TalesImageRecord) b = NULL;
  TalesTestDownload d = { 0 };

  /* Ten distinct images, each listed twice, and two URLs with the same
   * bytes: one request per URL, one file per content. */
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *path = g_strdup_printf ("/photo-%u", i);
      tales_test_server_add_bytes (env->parts.server, path, "image/jpeg", jpeg);
      g_ptr_array_add (urls, tales_test_server_url (env->parts.server, path));
      g_ptr_array_add (urls, tales_test_server_url (env->parts.server, path));
    }
  tales_test_server_add_bytes (env->parts.server, "/a.png", "application/octet-stream", png);
  tales_test_server_add_bytes (env->parts.server, "/b.png", "image/png", png);
  g_ptr_array_add (urls, g_strdup (same_a));
  g_ptr_array_add (urls, g_strdup (same_b));

  tales_image_cache_download_async (env->parts.images, urls, NULL, tales_test_download_cb, &d);
  tales_test_wait_for (&d.done, 20000);
  g_assert_no_error (d.error);
  g_assert_true (d.ok);
  g_assert_cmpuint (d.n_cached, ==, 12);
  g_assert_cmpuint (d.n_failed, ==, 0);
  g_assert_cmpuint (tales_test_server_hits (env->parts.server, NULL), ==, 12);

  a = tales_store_get_image (env->parts.store, same_a, NULL);
  b = tales_store_get_image (env->parts.store, same_b, NULL);
  g_assert_cmpstr (a->path, ==, b->path);
  /* Sniffed from the bytes when the server does not say. */
  g_assert_cmpstr (a->mime_type, ==, "image/png");
  filename = g_build_filename (tales_image_cache_get_dir (env->parts.images), a->path, NULL);
  g_assert_true (g_file_test (filename, G_FILE_TEST_IS_REGULAR));

  /* Everything is cached now: a second batch fetches nothing. */
  memset (&d, 0, sizeof d);
  tales_image_cache_download_async (env->parts.images, urls, NULL, tales_test_download_cb, &d);
  tales_test_wait_for (&d.done, 5000);
  g_assert_true (d.ok);
  g_assert_cmpuint (d.n_cached, ==, 0);
  g_assert_cmpuint (tales_test_server_hits (env->parts.server, NULL), ==, 12);
}

static void
test_image_cache_cancel (void)
{
  g_autoptr(Env) env = env_new ();
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(TalesImageRecord) record = NULL;
  TalesTestDownload d = { 0 };

  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *path = g_strdup_printf ("/slow-%u.png", i);
      tales_test_server_add_silent (env->parts.server, path);
      g_ptr_array_add (urls, tales_test_server_url (env->parts.server, path));
    }
  tales_image_cache_download_async (env->parts.images, urls, cancellable, tales_test_download_cb, &d);
  /* Let the first requests reach the server; at most four at a time. */
  while (tales_test_server_hits (env->parts.server, NULL) < 4)
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (tales_test_server_hits (env->parts.server, NULL), ==, 4);

  g_cancellable_cancel (cancellable);
  tales_test_wait_for (&d.done, 5000);
  g_assert_false (d.ok);
  g_assert_error (d.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (d.n_failed, ==, 0);
  g_clear_error (&d.error);

  /* A cancelled download is not a failed image. */
  record = tales_store_get_image (env->parts.store, g_ptr_array_index (urls, 0), NULL);
  g_assert_true (record == NULL || record->state != TALES_IMAGE_FAILED);
}

static void
test_image_cache_not_cached (void)
{
  g_autoptr(Env) env = env_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *uri = tales_html_image_uri ("https://example.test/never.png");
  char *mime_type = NULL;

  bytes = tales_image_cache_load_by_url_hash (env->parts.images, strrchr (uri, '/') + 1, &mime_type, &error);
  g_assert_null (bytes);
  g_assert_null (mime_type);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

/* What a post needs, in order and without duplicates. */
static void
test_collect_post_images (void)
{
  g_autoptr(TalesPost) post = tales_post_new ();
  g_autoptr(GPtrArray) urls = NULL;
  const char *expected[] = {
    "https://example.test/a.png",
    "https://example.test/blog/b.jpg",
    "https://cdn.example.test/cover.jpg",
    "https://cdn.example.test/enclosure.png",
  };

  tales_post_set_link (post, "https://example.test/blog/post-1");
  tales_post_set_content (post,
                          "<p><img src=\"https://example.test/a.png\">"
                          "<img src=\"b.jpg\"><img src=\"https://example.test/a.png\">"
                          "<img src=\"data:image/png;base64,AAAA\"></p>");
  tales_post_set_cover_url (post, "https://cdn.example.test/cover.jpg");
  tales_post_add_enclosure (post, "https://cdn.example.test/cover.jpg", "image/jpeg", 0);
  tales_post_add_enclosure (post, "https://cdn.example.test/enclosure.png", "image/png", 0);
  tales_post_add_enclosure (post, "https://cdn.example.test/talk.mp3", "audio/mpeg", 0);

  urls = tales_feed_refresh_collect_post_images (post);
  g_assert_cmpuint (urls->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (g_ptr_array_index (urls, i), ==, expected[i]);
}

int
main (int argc, char *argv[])
{
  /* No system proxy: the isolated dirs hide its GSettings schema (which
   * glib-networking's GNOME resolver would abort on), and the tests must
   * reach nothing but 127.0.0.1 anyway. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  tales_core_init ();

  g_test_add_func ("/tales/refresh/collect-post-images", test_collect_post_images);
  g_test_add_func ("/tales/refresh/seed", test_refresh_seed);
  g_test_add_func ("/tales/refresh/fixture", test_refresh_fixture);
  g_test_add_func ("/tales/refresh/failing-image", test_refresh_failing_image);
  g_test_add_func ("/tales/refresh/large", test_refresh_large);
  g_test_add_func ("/tales/refresh/welcome", test_refresh_welcome);
  g_test_add_data_func ("/tales/refresh/bad/404", GINT_TO_POINTER (BAD_404), test_refresh_bad);
  g_test_add_data_func ("/tales/refresh/bad/html", GINT_TO_POINTER (BAD_HTML), test_refresh_bad);
  g_test_add_data_func ("/tales/refresh/bad/truncated-empty", GINT_TO_POINTER (BAD_TRUNCATED_EMPTY), test_refresh_bad);
  g_test_add_data_func ("/tales/refresh/bad/truncated-items", GINT_TO_POINTER (BAD_TRUNCATED_ITEMS), test_refresh_bad);
  g_test_add_data_func ("/tales/refresh/bad/silent", GINT_TO_POINTER (BAD_SILENT), test_refresh_bad);
  g_test_add_data_func ("/tales/refresh/bad/too-large", GINT_TO_POINTER (BAD_TOO_LARGE), test_refresh_bad);
  g_test_add_data_func ("/tales/refresh/bad/too-large-chunked", GINT_TO_POINTER (BAD_TOO_LARGE_CHUNKED), test_refresh_bad);
  g_test_add_data_func ("/tales/refresh/bad/not-xml", GINT_TO_POINTER (BAD_NOT_XML), test_refresh_bad);
  g_test_add_func ("/tales/image-cache/dedup", test_image_cache_dedup);
  g_test_add_func ("/tales/image-cache/cancel", test_image_cache_cancel);
  g_test_add_func ("/tales/image-cache/not-cached", test_image_cache_not_cached);

  return g_test_run ();
}
