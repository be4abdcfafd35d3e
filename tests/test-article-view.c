/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The article view and the window, driven for real under Xvfb: posts
 * render offline from the image cache, the web view makes no request of
 * its own, missing images get a placeholder, and the window lists posts. */

#include "config.h"

#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "tales-article-view-private.h"
#include "tales-test-server.h"
#include "tales-test-ui.h"
#include "tales-window.h"

/* WebKit starts slowly on a loaded machine. */
#define LOAD_TIMEOUT_MS 60000
#define FIXTURE_IMAGE_PREFIX "https://images.example.test"
/* The width of the SVG the article view shows for a missing image. */
#define PLACEHOLDER_WIDTH 320

/* Helpers ----------------------------------------------------------------- */

/* The images once every one of them decoded (or after a bounded wait:
 * load-finished already waits for them, this is only a safety margin). */
static JsonArray *
wait_for_images (WebKitWebView *web_view)
{
  JsonArray *images = tales_test_page_images (web_view);

  for (int tries = 0; tries < 50 && !tales_test_all_images_decoded (images); tries++)
    {
      json_array_unref (images);
      tales_test_wait_ms (200);
      images = tales_test_page_images (web_view);
    }
  return images;
}

static void
show_and_wait (TalesArticleView *view,
               TalesPost        *post,
               const char       *raw_html)
{
  gboolean loaded = FALSE;
  gulong id = g_signal_connect_swapped (view, "loaded", G_CALLBACK (tales_test_set_flag_cb), &loaded);

  if (post != NULL)
    tales_article_view_show_post (view, post);
  else
    _tales_article_view_load_raw_html (view, raw_html);
  tales_test_wait_for (&loaded, LOAD_TIMEOUT_MS);
  g_signal_handler_disconnect (view, id);
}

typedef struct {
  TalesStore *store;
  TalesFetcher *fetcher;
  TalesImageCache *cache;
} Library;

static void
library_open (Library *library)
{
  g_autofree char *db = g_build_filename (g_get_user_data_dir (), "test-tales.db", NULL);
  g_autofree char *images = g_build_filename (g_get_user_cache_dir (), "test-images", NULL);

  library->store = tales_test_open_store (db);
  library->fetcher = tales_fetcher_new ();
  library->cache = tales_image_cache_new (library->store, library->fetcher, images);
}

static void
library_close (Library *library)
{
  g_clear_object (&library->cache);
  g_clear_object (&library->fetcher);
  g_clear_object (&library->store);
}

static void
print_image_failures (TalesStore *store)
{
  g_autoptr(GListModel) posts = tales_store_list_posts (store, 0, NULL);

  for (guint i = 0; i < g_list_model_get_n_items (posts); i++)
    {
      g_autoptr(TalesPost) post = g_list_model_get_item (posts, i);
      g_autoptr(GPtrArray) urls = tales_store_list_post_images (store, tales_post_get_db_id (post), NULL);

      for (guint j = 0; urls != NULL && j < urls->len; j++)
        {
          g_autoptr(TalesImageRecord) record = tales_store_get_image (store, urls->pdata[j], NULL);

          if (record != NULL && record->state == TALES_IMAGE_FAILED)
            g_test_message ("%s failed: %s", record->url, record->error);
        }
    }
}

/* Refreshes @url into @library; returns how many images failed. */
static guint
refresh (Library    *library,
         const char *url)
{
  TalesTestRefresh call;

  tales_test_refresh_start (&call, library->store, library->fetcher, library->cache, url);
  tales_test_wait_for (&call.done, 60000);
  g_assert_no_error (call.error);
  g_assert_true (call.ok);
  if (call.report.n_images_failed > 0)
    print_image_failures (library->store);
  g_assert_cmpuint (call.report.n_images_cached, >, 0);
  return call.report.n_images_failed;
}

/* A feed of our own, served with real images: tests/data/hashnode-feed.xml
 * when it is there (its image host rewritten to the test server), else a
 * small inline feed of the same shape. */
static const char inline_feed[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">"
  "<channel><title>Inline Tales</title><link>https://example.test/</link>"
  "<description>test</description>"
  "<item><title>A post with pictures</title><link>https://example.test/pictures</link>"
  "<guid>pictures</guid><pubDate>Wed, 18 Sep 2024 10:00:00 GMT</pubDate>"
  "<category>testing</category><category>images</category>"
  "<enclosure url=\"" FIXTURE_IMAGE_PREFIX "/cover.png\" type=\"image/png\" length=\"0\"/>"
  "<content:encoded><![CDATA[<p>Two pictures:</p>"
  "<p><img src=\"" FIXTURE_IMAGE_PREFIX "/diagram.png\" alt=\"a diagram\"></p>"
  "<p><img src=\"" FIXTURE_IMAGE_PREFIX "/photo.jpg\" alt=\"a photo\"></p>"
  "<pre><code class=\"language-c\"><span class=\"hljs-keyword\">int</span> x;</code></pre>]]>"
  "</content:encoded></item>"
  "<item><title>Words only</title><link>https://example.test/words</link><guid>words</guid>"
  "<pubDate>Tue, 17 Sep 2024 10:00:00 GMT</pubDate>"
  "<description>No pictures here.</description></item>"
  "</channel></rss>";

static char *
load_feed_fixture (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "hashnode-feed.xml", NULL);
  char *contents = NULL;

  if (g_file_get_contents (path, &contents, NULL, NULL))
    return contents;
  g_test_message ("%s is not there yet; using an inline feed", path);
  return g_strdup (inline_feed);
}

/* The width of the n-th image served, so the page can tell a real image
 * from the 320 px placeholder. */
static int
served_width (guint n)
{
  return 64 + 8 * (n % 5);
}

/* Serves every image of @feed (https://images.example.test/<name>, and
 * paths relative to the posts' https://lighthouse.example.test/ links) as a
 * real PNG or JPEG, and returns the feed with every example.test host
 * pointing at @server, so nothing is looked up elsewhere. @widths
 * (nullable) maps each served URL to the image's width. */
static char *
serve_feed_images (TalesTestServer *server,
                   const char      *feed,
                   GHashTable      *widths)
{
  g_autoptr(GRegex) images = g_regex_new ("(?:https://[a-z0-9.-]+\\.example\\.test|src=\")"
                                          "(/[A-Za-z0-9._@%/-]+\\.(?:png|jpe?g|gif))", 0, 0, NULL);
  g_autoptr(GRegex) hosts = g_regex_new ("https://[a-z0-9.-]+\\.example\\.test", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  guint32 colours[] = { 0x3584e4, 0x2ec27e, 0xe5a50a, 0xc061cb, 0xe66100 };
  guint n = 0;
  char *rewritten;

  g_regex_match (images, feed, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *path = g_match_info_fetch (match, 1);
      gboolean jpeg = g_str_has_suffix (path, ".jpg") || g_str_has_suffix (path, ".jpeg");
      g_autoptr(GBytes) image = tales_test_make_image (served_width (n), 48, colours[n % 5],
                                                      jpeg ? "jpeg" : "png");

      if (widths != NULL)
        g_hash_table_insert (widths, tales_test_server_url (server, path),
                             GINT_TO_POINTER (served_width (n)));
      tales_test_server_add_bytes (server, path, jpeg ? "image/jpeg" : "image/png", image);
      n++;
      g_match_info_next (match, NULL);
    }
  g_assert_cmpuint (n, >, 0);

  rewritten = g_regex_replace_literal (hosts, feed, -1, 0, tales_test_server_get_base (server), 0, NULL);
  g_assert_nonnull (rewritten);
  return rewritten;
}

/* The stored post with the most images, loaded whole. */
static TalesPost *
post_with_most_images (TalesStore *store,
                       guint      *n_images)
{
  g_autoptr(GListModel) posts = tales_store_list_posts (store, 0, NULL);
  TalesPost *best = NULL;

  *n_images = 0;
  for (guint i = 0; i < g_list_model_get_n_items (posts); i++)
    {
      g_autoptr(TalesPost) listed = g_list_model_get_item (posts, i);
      g_autoptr(TalesPost) post = tales_store_load_post (store, tales_post_get_db_id (listed), NULL);
      g_autoptr(GPtrArray) urls = tales_feed_refresh_collect_post_images (post);

      if (urls->len > *n_images)
        {
          *n_images = urls->len;
          g_set_object (&best, post);
        }
    }
  g_assert_nonnull (best);
  return best;
}

/* 1. A refreshed post renders with the server gone ---------------------- */

static void
test_offline_render (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autoptr(GHashTable) widths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *fixture = load_feed_fixture ();
  g_autofree char *feed = serve_feed_images (server, fixture, widths);
  g_autofree char *feed_url = tales_test_server_url (server, "/feed.xml");
  g_autoptr(TalesPost) post = NULL;
  g_autoptr(GPtrArray) urls = NULL;
  g_autoptr(JsonArray) images = NULL;
  /* tales-image: URI -> the width the page must show (the served image's,
   * or the placeholder's for an image that could not be downloaded) */
  g_autoptr(GHashTable) expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  Library library = { 0 };
  TalesArticleView *view;
  GtkWidget *window;
  guint n_images, n_served = 0;

  library_open (&library);
  tales_test_server_add_string (server, "/feed.xml", "application/rss+xml", feed);
  g_assert_cmpuint (refresh (&library, feed_url), ==, 0);
  tales_test_server_stop (server);

  post = post_with_most_images (library.store, &n_images);
  g_assert_cmpuint (n_images, >=, 2);
  urls = tales_feed_refresh_collect_post_images (post);
  for (guint i = 0; i < urls->len; i++)
    {
      gpointer width = g_hash_table_lookup (widths, urls->pdata[i]);

      g_test_message ("post image %s (%s)", (char *) urls->pdata[i],
                      width != NULL ? "served" : "not downloadable");
      g_hash_table_insert (expected, tales_html_image_uri (urls->pdata[i]),
                           width != NULL ? width : GINT_TO_POINTER (PLACEHOLDER_WIDTH));
      if (width != NULL)
        n_served++;
    }
  /* Real pictures, not only placeholders. */
  g_assert_cmpuint (n_served, >=, 2);

  window = tales_test_window_with_view (library.cache, &view);
  show_and_wait (view, post, NULL);
  images = wait_for_images (tales_article_view_get_web_view (view));

  for (guint i = 0; i < json_array_get_length (images); i++)
    {
      JsonObject *image = json_array_get_object_element (images, i);
      const char *src = json_object_get_string_member (image, "src");

      g_test_message ("image %u: %s complete=%d width=%" G_GINT64_FORMAT, i, src,
                      json_object_get_boolean_member (image, "complete"),
                      json_object_get_int_member (image, "width"));
      g_assert_true (g_str_has_prefix (src, TALES_IMAGE_SCHEME ":"));
      g_assert_true (json_object_get_boolean_member (image, "complete"));
      g_assert_cmpint (json_object_get_int_member (image, "width"), >, 0);
      g_assert_true (g_hash_table_contains (expected, src));
      g_assert_cmpint (json_object_get_int_member (image, "width"), ==,
                       GPOINTER_TO_INT (g_hash_table_lookup (expected, src)));
      g_hash_table_add (seen, (gpointer) src);
    }
  /* Body images and the cover, each once, and nothing else. */
  g_assert_cmpuint (g_hash_table_size (seen), ==, n_images);

  gtk_window_destroy (GTK_WINDOW (window));
  library_close (&library);
}

/* 2. The web view makes no request, with or without the sanitizer ------ */

static char *
remote_vectors (TalesTestServer *server)
{
  const char *base = tales_test_server_get_base (server);

  return g_strdup_printf (
    "<link rel=\"stylesheet\" href=\"%1$s/x.css\">"
    "<link rel=\"preconnect\" href=\"%1$s/\">"
    "<link rel=\"dns-prefetch\" href=\"%1$s/\">"
    "<link rel=\"prefetch\" href=\"%1$s/prefetch\">"
    "<link rel=\"preload\" as=\"image\" href=\"%1$s/preload.png\">"
    "<link rel=\"icon\" href=\"%1$s/favicon.ico\">"
    "<meta http-equiv=\"refresh\" content=\"0;url=%1$s/refresh\">"
    "<style>@import url(\"%1$s/import.css\");"
    " @font-face { font-family: x; src: url(\"%1$s/font.woff\"); }"
    " body { background: url(\"%1$s/bg.png\"); font-family: x; }</style>"
    "<p>Tracked, or so they hoped.</p>"
    "<img src=\"%1$s/tracker.png\" alt=\"\" onerror=\"window.fetchRan = 2\" onload=\"window.fetchRan = 3\">"
    "<svg onload=\"window.fetchRan = 4\"></svg>"
    "<a id=\"js-link\" href=\"javascript:window.fetchRan = 5\">js</a>"
    "<img srcset=\"%1$s/srcset.png 2x\" alt=\"\">"
    "<picture><source srcset=\"%1$s/picture.png\"><img src=\"%1$s/picture-img.png\"></picture>"
    "<iframe src=\"%1$s/frame\"></iframe>"
    "<video poster=\"%1$s/poster.png\" src=\"%1$s/video.mp4\"></video>"
    "<audio src=\"%1$s/audio.mp3\" autoplay></audio>"
    "<object data=\"%1$s/object\"></object><embed src=\"%1$s/embed\">"
    "<svg><image href=\"%1$s/svg.png\" width=\"10\" height=\"10\"/></svg>"
    "<input type=\"image\" src=\"%1$s/input.png\">"
    "<table background=\"%1$s/table.png\"><tr><td background=\"%1$s/td.png\">x</td></tr></table>"
    "<div style=\"background-image: url('%1$s/inline.png')\">styled</div>"
    "<script src=\"%1$s/script.js\"></script>"
    "<script>window.fetchRan = 1; fetch('%1$s/fetch'); new Image().src = '%1$s/js-image.png';</script>"
    "<a href=\"%1$s/link\" ping=\"%1$s/ping\">a link</a>",
    base);
}

static void
test_zero_requests (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autofree char *vectors = remote_vectors (server);
  g_autofree char *raw = g_strdup_printf ("<!DOCTYPE html><html><head>%s</head><body>%s</body></html>",
                                          vectors, vectors);
  g_autoptr(TalesPost) post = tales_post_new ();
  g_autofree char *cover = tales_test_server_url (server, "/cover.png");
  g_autofree char *title = NULL;
  g_autoptr(GBytes) tracker = NULL;
  Library library = { 0 };
  TalesArticleView *view;
  GtkWidget *window;

  library_open (&library);
  tracker = tales_test_make_image (1, 1, 0xffffff, "png");
  tales_test_server_add_bytes (server, "/tracker.png", "image/png", tracker);

  tales_post_set_title (post, "Remote everything");
  tales_post_set_link (post, "https://example.test/remote");
  tales_post_set_cover_url (post, cover);
  tales_post_set_content (post, vectors);

  window = tales_test_window_with_view (library.cache, &view);

  /* Through the sanitizer and the renderer, as the app shows posts. */
  show_and_wait (view, post, NULL);
  tales_test_wait_ms (1000);
  g_assert_cmpuint (tales_test_server_hits (server, NULL), ==, 0);

  /* The raw page, straight into the web view: its layers alone hold. */
  show_and_wait (view, NULL, raw);
  tales_test_wait_ms (1000);
  g_assert_cmpuint (tales_test_server_hits (server, NULL), ==, 0);

  /* Still our document: the meta refresh did not navigate away. */
  title = tales_test_run_js (tales_article_view_get_web_view (view), "document.location.href");
  g_assert_cmpstr (title, ==, TALES_ARTICLE_BASE_URI);

  /* And the page's own scripts never ran. */
  g_free (title);
  title = tales_test_run_js (tales_article_view_get_web_view (view), "String(window.fetchRan)");
  g_assert_cmpstr (title, ==, "undefined");

  gtk_window_destroy (GTK_WINDOW (window));
  library_close (&library);
}

/* 3. An image that was never cached shows the placeholder --------------- */

static void
test_placeholder (void)
{
  g_autoptr(TalesPost) post = tales_post_new ();
  g_autoptr(JsonArray) images = NULL;
  Library library = { 0 };
  TalesArticleView *view;
  GtkWidget *window;

  library_open (&library);
  tales_post_set_title (post, "Missing picture");
  tales_post_set_content (post, "<p>Before</p><img src=\"https://images.example.test/never.png\" alt=\"never cached\"><p>After</p>");

  window = tales_test_window_with_view (library.cache, &view);
  show_and_wait (view, post, NULL);
  images = wait_for_images (tales_article_view_get_web_view (view));

  g_assert_cmpuint (json_array_get_length (images), ==, 1);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (json_array_get_object_element (images, 0), "src"),
                                   TALES_IMAGE_SCHEME ":"));
  g_assert_true (tales_test_all_images_decoded (images));
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (images, 0), "width"), ==,
                   PLACEHOLDER_WIDTH);

  gtk_window_destroy (GTK_WINDOW (window));
  library_close (&library);
}

/* Selecting quickly: "loaded" comes for the last post, not the one it
 * replaced. */
static void
test_replaced_load (void)
{
  g_autoptr(TalesPost) first = tales_post_new ();
  g_autoptr(TalesPost) second = tales_post_new ();
  g_autofree char *text = NULL;
  Library library = { 0 };
  TalesArticleView *view;
  GtkWidget *window;
  gboolean loaded = FALSE;

  library_open (&library);
  tales_post_set_title (first, "First");
  tales_post_set_content (first, "<p id=\"body\">first</p>");
  tales_post_set_title (second, "Second");
  tales_post_set_content (second, "<p id=\"body\">second</p>");

  window = tales_test_window_with_view (library.cache, &view);
  show_and_wait (view, first, NULL);

  g_signal_connect_swapped (view, "loaded", G_CALLBACK (tales_test_set_flag_cb), &loaded);
  tales_article_view_show_post (view, first);
  tales_article_view_show_post (view, second);
  tales_test_wait_for (&loaded, LOAD_TIMEOUT_MS);
  g_assert_false (tales_article_view_is_loading (view));

  text = tales_test_run_js (tales_article_view_get_web_view (view), "document.getElementById ('post-body').textContent");
  g_assert_cmpstr (text, ==, "second");

  gtk_window_destroy (GTK_WINDOW (window));
  library_close (&library);
}

/* A category chip links to tales-category:NAME; the view reports it and
 * stays on the post. */
static void
category_cb (TalesArticleView *view,
             const char       *name,
             char            **out)
{
  g_free (*out);
  *out = g_strdup (name);
}

static void
test_category_link (void)
{
  g_autofree char *category = NULL;
  g_autofree char *href = NULL;
  g_autofree char *clicked = NULL;
  Library library = { 0 };
  TalesArticleView *view;
  GtkWidget *window;

  library_open (&library);
  window = tales_test_window_with_view (library.cache, &view);
  g_signal_connect (view, "category-activated", G_CALLBACK (category_cb), &category);
  show_and_wait (view, NULL,
                 "<!DOCTYPE html><html><body><p id=\"body\">Chips:</p>"
                 "<a id=\"chip\" href=\"tales-category:Machine%20Learning\">Machine Learning</a>"
                 "</body></html>");

  clicked = tales_test_run_js (tales_article_view_get_web_view (view), "document.getElementById ('chip').click (); 'clicked'");
  g_assert_cmpstr (clicked, ==, "clicked");
  for (int tries = 0; tries < 100 && category == NULL; tries++)
    tales_test_wait_ms (50);
  g_assert_cmpstr (category, ==, "Machine Learning");

  href = tales_test_run_js (tales_article_view_get_web_view (view), "document.location.href");
  g_assert_cmpstr (href, ==, TALES_ARTICLE_BASE_URI);

  gtk_window_destroy (GTK_WINDOW (window));
  library_close (&library);
}

/* 5. Light and dark follow the style manager ----------------------------- */

typedef struct {
  WebKitWebView *web_view;
  const char *expected;
} SchemeWait;

static gboolean
page_scheme_is (SchemeWait *wait)
{
  g_autofree char *scheme = tales_test_run_js (wait->web_view,
                                    "matchMedia ('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'");

  return g_strcmp0 (scheme, wait->expected) == 0;
}

/* Polls the page (the web process hears of the change a little later). */
static void
wait_for_scheme (WebKitWebView *web_view,
                 const char    *expected)
{
  SchemeWait wait = { web_view, expected };

  for (int tries = 0; tries < 100 && !page_scheme_is (&wait); tries++)
    tales_test_wait_ms (50);
  g_assert_true (page_scheme_is (&wait));
}

static void
test_color_scheme (void)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autoptr(TalesPost) post = tales_post_new ();
  g_autofree char *light_bg = NULL;
  g_autofree char *dark_bg = NULL;
  Library library = { 0 };
  TalesArticleView *view;
  WebKitWebView *web_view;
  GtkWidget *window;

  library_open (&library);
  tales_post_set_title (post, "Night and day");
  tales_post_set_content (post, "<p>Some words.</p>");
  window = tales_test_window_with_view (library.cache, &view);
  web_view = tales_article_view_get_web_view (view);

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  show_and_wait (view, post, NULL);
  wait_for_scheme (web_view, "light");
  light_bg = tales_test_run_js (web_view, "getComputedStyle (document.documentElement).backgroundColor");

  /* The same page, no reload: the article's own dark colours. */
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  wait_for_scheme (web_view, "dark");
  dark_bg = tales_test_run_js (web_view, "getComputedStyle (document.documentElement).backgroundColor");
  g_test_message ("Background: light %s, dark %s", light_bg, dark_bg);
  g_assert_cmpstr (light_bg, ==, "rgb(255, 255, 255)");
  g_assert_cmpstr (dark_bg, ==, "rgb(30, 30, 30)");

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  wait_for_scheme (web_view, "light");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);

  gtk_window_destroy (GTK_WINDOW (window));
  library_close (&library);
}

/* 6. Printing a post: what win.print's dialog starts, to a PDF ----------- */

static void
print_finished_cb (WebKitPrintOperation *operation,
                   gpointer              user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
print_failed_cb (WebKitPrintOperation *operation,
                 GError               *error,
                 gpointer              user_data)
{
  g_error ("Printing failed: %s", error->message);
}

static void
test_print (void)
{
  g_autoptr(TalesPost) post = tales_post_new ();
  g_autofree char *pdf = g_build_filename (g_get_user_cache_dir (), "post.pdf", NULL);
  g_autofree char *pdf_uri = g_filename_to_uri (pdf, NULL, NULL);
  g_autoptr(GtkPrintSettings) settings = gtk_print_settings_new ();
  g_autoptr(WebKitPrintOperation) operation = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  gboolean finished = FALSE;
  gboolean recent_saved = FALSE;
  Library library = { 0 };
  TalesArticleView *view;
  GtkWidget *window;

  library_open (&library);
  tales_post_set_title (post, "Print me");
  tales_post_set_content (post, "<p>Paper is an offline format too.</p>");
  window = tales_test_window_with_view (library.cache, &view);
  show_and_wait (view, post, NULL);

  g_mkdir_with_parents (g_get_user_cache_dir (), 0700);
  /* GTK's file printer lists the PDF in recent files, written a moment
   * later: that must happen while this test's directories are there. */
  g_signal_connect_swapped (gtk_recent_manager_get_default (), "changed", G_CALLBACK (tales_test_set_flag_cb), &recent_saved);
  gtk_print_settings_set_printer (settings, "Print to File");
  gtk_print_settings_set (settings, GTK_PRINT_SETTINGS_OUTPUT_FILE_FORMAT, "pdf");
  gtk_print_settings_set (settings, GTK_PRINT_SETTINGS_OUTPUT_URI, pdf_uri);
  operation = webkit_print_operation_new (tales_article_view_get_web_view (view));
  webkit_print_operation_set_print_settings (operation, settings);
  g_signal_connect (operation, "finished", G_CALLBACK (print_finished_cb), &finished);
  g_signal_connect (operation, "failed", G_CALLBACK (print_failed_cb), NULL);
  webkit_print_operation_print (operation);
  tales_test_wait_for (&finished, LOAD_TIMEOUT_MS);

  g_assert_true (g_file_get_contents (pdf, &contents, &length, NULL));
  g_test_message ("PDF: %" G_GSIZE_FORMAT " bytes", length);
  g_assert_cmpuint (length, >, 1000);
  g_assert_true (g_str_has_prefix (contents, "%PDF-"));
  tales_test_wait_for (&recent_saved, LOAD_TIMEOUT_MS);
  g_signal_handlers_disconnect_by_data (gtk_recent_manager_get_default (), &recent_saved);

  gtk_window_destroy (GTK_WINDOW (window));
  library_close (&library);
}

/* 4. The window lists what the store holds and shows a selected post ---- */

static void
test_window_lists_posts (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autofree char *feed = serve_feed_images (server, inline_feed, NULL);
  g_autofree char *feed_url = tales_test_server_url (server, "/feed.xml");
  Library library = { 0 };
  TalesWindow *window;
  GtkSingleSelection *selection;
  TalesArticleView *view;
  gboolean loaded = FALSE;
  guint n_posts;

  library_open (&library);
  tales_test_server_add_string (server, "/feed.xml", "application/rss+xml", feed);
  g_assert_cmpuint (refresh (&library, feed_url), ==, 0);
  n_posts = tales_store_count_posts (library.store, 0, NULL);
  g_assert_cmpuint (n_posts, ==, 2);

  window = g_object_new (TALES_TYPE_WINDOW,
                         "store", library.store,
                         "fetcher", library.fetcher,
                         "image-cache", library.cache,
                         NULL);
  gtk_window_present (GTK_WINDOW (window));

  selection = tales_window_get_selection (window);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (selection)), ==, n_posts);
  g_assert_cmpuint (gtk_single_selection_get_selected (selection), ==, GTK_INVALID_LIST_POSITION);

  view = tales_window_get_article_view (window);
  g_signal_connect_swapped (view, "loaded", G_CALLBACK (tales_test_set_flag_cb), &loaded);
  gtk_single_selection_set_selected (selection, 0);
  tales_test_wait_for (&loaded, LOAD_TIMEOUT_MS);
  g_assert_nonnull (tales_article_view_get_post (view));
  g_assert_cmpstr (tales_post_get_title (tales_article_view_get_post (view)), ==, "A post with pictures");

  /* A reload keeps the list and the selection. */
  tales_window_reload_posts (window);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (selection)), ==, n_posts);
  g_assert_cmpuint (gtk_single_selection_get_selected (selection), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
  library_close (&library);
}

int
main (int   argc,
      char *argv[])
{
  if (!tales_test_ui_init (&argc, &argv))
    return 0;

  g_test_add_func ("/tales/article-view/offline-render", test_offline_render);
  g_test_add_func ("/tales/article-view/zero-requests", test_zero_requests);
  g_test_add_func ("/tales/article-view/placeholder", test_placeholder);
  g_test_add_func ("/tales/article-view/replaced-load", test_replaced_load);
  g_test_add_func ("/tales/article-view/category-link", test_category_link);
  g_test_add_func ("/tales/article-view/color-scheme", test_color_scheme);
  g_test_add_func ("/tales/article-view/print", test_print);
  g_test_add_func ("/tales/window/lists-posts", test_window_lists_posts);

  return g_test_run ();
}
