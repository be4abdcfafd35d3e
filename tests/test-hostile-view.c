/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The article view against hostile posts, for real under Xvfb: image
 * bombs (a 20,000 x 20,000 PNG of 48 KB, an SVG of 10^10 nested <use>)
 * come in through a real refresh and the real image cache, render as the
 * placeholder, and the web process's memory stays bounded; a web process
 * killed while a post is shown leaves a plain message, not a retry loop. */

#define G_LOG_DOMAIN "test-hostile-view"

#include "config.h"

#include <adwaita.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "tales-article-view-private.h"
#include "tales-test-server.h"
#include "tales-test-ui.h"

/* WebKit starts slowly on a loaded machine. */
#define LOAD_TIMEOUT_MS 60000
/* The placeholder SVG the view shows for an image it has no bytes for. */
#define PLACEHOLDER_WIDTH 320
#define PLACEHOLDER_HEIGHT 180
/* The real picture beside the bombs, so a page of placeholders only
 * cannot pass. */
#define CONTROL_WIDTH 72
/* The PNG bomb: 400 megapixels, 1.6 GB once decoded to RGBA. */
#define BOMB_SIDE 20000
/* The bound the test asserts on the web process's peak memory. */
#define WEB_PROCESS_PEAK_LIMIT_KB (1024 * 1024)
/* Above this the test kills the web process itself, so that a view
 * without a bound cannot eat the machine (22 GB was seen). */
#define WATCHDOG_KILL_KB (4 * 1024 * 1024)
#define SAMPLE_INTERVAL_MS 100
/* How long the page gets to decode and paint its images after loading. */
#define SETTLE_MS 5000

/* Helpers ----------------------------------------------------------------- */

/* The web process ------------------------------------------------------- */

static int
parent_of (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents (path, &status, NULL, NULL))
    return 0;
  line = strstr (status, "\nPPid:");
  return line != NULL ? atoi (line + strlen ("\nPPid:")) : 0;
}

static gboolean
descends_from_us (int pid)
{
  /* bubblewrap sits between us and the web process. */
  for (int depth = 0; pid > 1 && depth < 16; depth++)
    {
      pid = parent_of (pid);
      if (pid == getpid ())
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_web_process (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/comm", pid);
  g_autofree char *comm = NULL;

  /* The kernel keeps 15 characters of "WebKitWebProcess". */
  return g_file_get_contents (path, &comm, NULL, NULL) &&
         g_str_has_prefix (comm, "WebKitWebProces");
}

/* Our WebKitWebProcess with the highest pid (the newest), or 0. */
static int
find_web_process (void)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;
  int found = 0;

  g_assert_nonnull (proc);
  while ((name = g_dir_read_name (proc)) != NULL)
    {
      int pid = atoi (name);

      if (pid > found && is_web_process (pid) && descends_from_us (pid))
        found = pid;
    }
  return found;
}

/* A "VmHWM:" or "VmRSS:" figure of @pid in KiB, or 0 when it is gone. */
static guint64
process_memory_kb (int         pid,
                   const char *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree char *status = NULL;
  g_autofree char *key = g_strdup_printf ("\n%s:", field);
  const char *line;

  if (!g_file_get_contents (path, &status, NULL, NULL))
    return 0;
  line = strstr (status, key);
  return line != NULL ? g_ascii_strtoull (line + strlen (key), NULL, 10) : 0;
}

/* Samples every web process of ours while the test waits, keeps the
 * highest figure seen, and kills a process that passes the watchdog. */
typedef struct {
  guint64 peak_kb;
  gboolean killed;
} MemoryWatch;

static gboolean
sample_cb (gpointer user_data)
{
  MemoryWatch *watch = user_data;
  int pid = find_web_process ();
  guint64 hwm;

  if (pid == 0)
    return G_SOURCE_CONTINUE;
  hwm = MAX (process_memory_kb (pid, "VmHWM"), process_memory_kb (pid, "VmRSS"));
  watch->peak_kb = MAX (watch->peak_kb, hwm);
  if (hwm > WATCHDOG_KILL_KB && !watch->killed)
    {
      g_test_message ("web process %d at %" G_GUINT64_FORMAT " KiB: killed by the test's watchdog", pid, hwm);
      watch->killed = TRUE;
      kill (pid, SIGKILL);
    }
  return G_SOURCE_CONTINUE;
}

/* The library ------------------------------------------------------------- */

typedef struct {
  TalesStore *store;
  TalesFetcher *fetcher;
  TalesImageCache *cache;
} Library;

static void
library_open (Library *library)
{
  g_autofree char *db = g_build_filename (g_get_user_data_dir (), "hostile.db", NULL);
  g_autofree char *images = g_build_filename (g_get_user_cache_dir (), "hostile-images", NULL);

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
show_and_wait (TalesArticleView *view,
               TalesPost        *post)
{
  gboolean loaded = FALSE;
  gulong id = g_signal_connect_swapped (view, "loaded", G_CALLBACK (tales_test_set_flag_cb), &loaded);

  tales_article_view_show_post (view, post);
  tales_test_wait_for (&loaded, LOAD_TIMEOUT_MS);
  g_signal_handler_disconnect (view, id);
}

/* The status page the view shows instead of the post, if it is on screen. */
static AdwStatusPage *
shown_status_page (GtkWidget *widget)
{
  if (ADW_IS_STATUS_PAGE (widget) && gtk_widget_get_mapped (widget))
    return ADW_STATUS_PAGE (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      AdwStatusPage *page = shown_status_page (child);

      if (page != NULL)
        return page;
    }
  return NULL;
}

/* The bombs ------------------------------------------------------------- */

static guint32
crc32_of (const guint8 *data,
          gsize         size,
          guint32       crc)
{
  crc = ~crc;
  for (gsize i = 0; i < size; i++)
    {
      crc ^= data[i];
      for (int bit = 0; bit < 8; bit++)
        crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
    }
  return ~crc;
}

static void
append_be32 (GByteArray *out,
             guint32     value)
{
  guint8 bytes[4] = { value >> 24, value >> 16, value >> 8, value };

  g_byte_array_append (out, bytes, 4);
}

static void
append_chunk (GByteArray   *out,
              const char   *type,
              const guint8 *data,
              gsize         size)
{
  guint32 crc = crc32_of ((const guint8 *) type, 4, 0);

  append_be32 (out, size);
  g_byte_array_append (out, (const guint8 *) type, 4);
  g_byte_array_append (out, data, size);
  append_be32 (out, crc32_of (data, size, crc));
}

/* @side x @side pixels, 1-bit grey, every row zero: 50 MB of scanlines
 * for a 20,000 px side, which deflate shrinks about a thousandfold. */
static GBytes *
make_png_bomb (guint32 side)
{
  g_autoptr(GZlibCompressor) zlib = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB, 9);
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) deflated = g_converter_output_stream_new (memory, G_CONVERTER (zlib));
  g_autofree guint8 *row = g_malloc0 (1 + (side + 7) / 8);   /* filter byte 0, then the pixels */
  g_autoptr(GByteArray) png = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  guint8 ihdr[13] = { side >> 24, side >> 16, side >> 8, side,
                      side >> 24, side >> 16, side >> 8, side,
                      1, 0, 0, 0, 0 };

  for (guint32 y = 0; y < side; y++)
    {
      g_output_stream_write_all (deflated, row, 1 + (side + 7) / 8, NULL, NULL, &error);
      g_assert_no_error (error);
    }
  g_output_stream_close (deflated, NULL, &error);
  g_assert_no_error (error);

  g_byte_array_append (png, signature, sizeof signature);
  append_chunk (png, "IHDR", ihdr, sizeof ihdr);
  append_chunk (png, "IDAT",
                g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (memory)),
                g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (memory)));
  append_chunk (png, "IEND", NULL, 0);
  return g_byte_array_free_to_bytes (g_steal_pointer (&png));
}

/* Ten levels of ten <use> of the level below: 10^10 rectangles. */
static char *
make_svg_bomb (void)
{
  GString *svg = g_string_new ("<?xml version=\"1.0\"?>\n"
                               "<svg xmlns=\"http://www.w3.org/2000/svg\""
                               " xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"100\" height=\"100\">"
                               "<defs><rect id=\"l0\" width=\"1\" height=\"1\" fill=\"#000\"/>");

  for (int level = 1; level <= 10; level++)
    {
      g_string_append_printf (svg, "<g id=\"l%d\">", level);
      for (int i = 0; i < 10; i++)
        g_string_append_printf (svg, "<use xlink:href=\"#l%d\" href=\"#l%d\"/>", level - 1, level - 1);
      g_string_append (svg, "</g>");
    }
  g_string_append (svg, "</defs><use xlink:href=\"#l10\" href=\"#l10\"/></svg>\n");
  return g_string_free (svg, FALSE);
}

static char *
bomb_feed (TalesTestServer *server)
{
  const char *base = tales_test_server_get_base (server);

  return g_strdup_printf (
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">"
    "<channel><title>Bombs</title><link>%1$s/</link><description>hostile</description>"
    "<item><title>Image bombs</title><link>%1$s/bombs</link><guid>bombs</guid>"
    "<pubDate>Wed, 18 Sep 2024 10:00:00 GMT</pubDate>"
    "<content:encoded><![CDATA[<p>A picture:</p>"
    "<p><img id=\"control\" src=\"%1$s/control.png\" alt=\"control\"></p>"
    "<p><img id=\"png-bomb\" src=\"%1$s/bomb.png\" alt=\"png bomb\"></p>"
    "<p><img id=\"svg-bomb\" src=\"%1$s/bomb.svg\" alt=\"svg bomb\"></p>"
    "<p>The end.</p>]]></content:encoded></item>"
    "</channel></rss>",
    base);
}


static JsonObject *
image_by_alt (JsonArray  *images,
              const char *alt)
{
  for (guint i = 0; i < json_array_get_length (images); i++)
    {
      JsonObject *image = json_array_get_object_element (images, i);

      if (g_strcmp0 (json_object_get_string_member (image, "alt"), alt) == 0)
        return image;
    }
  g_error ("no image \"%s\" on the page", alt);
}

static void
assert_placeholder (JsonArray  *images,
                    const char *alt)
{
  JsonObject *image = image_by_alt (images, alt);

  g_test_message ("%s: %s complete=%d %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT, alt,
                  json_object_get_string_member (image, "src"),
                  json_object_get_boolean_member (image, "complete"),
                  json_object_get_int_member (image, "width"),
                  json_object_get_int_member (image, "height"));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (image, "src"), TALES_IMAGE_SCHEME ":"));
  g_assert_cmpint (json_object_get_int_member (image, "width"), ==, PLACEHOLDER_WIDTH);
  g_assert_cmpint (json_object_get_int_member (image, "height"), ==, PLACEHOLDER_HEIGHT);
}

static TalesPost *
only_post (TalesStore *store)
{
  g_autoptr(GListModel) posts = tales_store_list_posts (store, 0, NULL);
  g_autoptr(TalesPost) listed = NULL;

  g_assert_cmpuint (g_list_model_get_n_items (posts), ==, 1);
  listed = g_list_model_get_item (posts, 0);
  return tales_store_load_post (store, tales_post_get_db_id (listed), NULL);
}

/* 1. Image bombs: the placeholder, and the web process stays small ----- */

static void
test_image_bombs (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autoptr(GBytes) png_bomb = make_png_bomb (BOMB_SIDE);
  g_autofree char *svg_bomb = make_svg_bomb ();
  g_autoptr(GBytes) control = tales_test_make_image (CONTROL_WIDTH, 40, 0x3584e4, "png");
  g_autofree char *feed = bomb_feed (server);
  g_autofree char *feed_url = tales_test_server_url (server, "/feed.xml");
  g_autoptr(TalesPost) post = NULL;
  g_autoptr(JsonArray) images = NULL;
  TalesTestRefresh refresh;
  MemoryWatch watch = { 0 };
  Library library = { 0 };
  TalesArticleView *view;
  GtkWidget *window;
  guint sampler;

  g_test_message ("PNG bomb: %ux%u in %zu bytes; SVG bomb: %zu bytes", BOMB_SIDE, BOMB_SIDE,
                  g_bytes_get_size (png_bomb), strlen (svg_bomb));
  g_assert_cmpuint (g_bytes_get_size (png_bomb), <, 100 * 1024);
  tales_test_server_add_string (server, "/feed.xml", "application/rss+xml", feed);
  tales_test_server_add_bytes (server, "/control.png", "image/png", control);
  tales_test_server_add_bytes (server, "/bomb.png", "image/png", png_bomb);
  tales_test_server_add_string (server, "/bomb.svg", "image/svg+xml", svg_bomb);

  library_open (&library);
  tales_test_refresh_start (&refresh, library.store, library.fetcher, library.cache, feed_url);
  tales_test_refresh_wait (&refresh);
  g_assert_no_error (refresh.error);
  g_test_message ("refresh: %u images cached, %u failed",
                  refresh.report.n_images_cached, refresh.report.n_images_failed);
  /* Offline from here: whatever the view shows comes from the cache. */
  tales_test_server_stop (server);
  post = only_post (library.store);

  window = tales_test_window_with_view (library.cache, &view);
  sampler = g_timeout_add (SAMPLE_INTERVAL_MS, sample_cb, &watch);
  show_and_wait (view, post);
  g_assert_false (watch.killed);
  /* The post itself is displayed: only its images were bombs. */
  g_assert_null (shown_status_page (GTK_WIDGET (view)));

  /* Decoding happens when the page paints: give it time, measuring. */
  images = tales_test_page_images (tales_article_view_get_web_view (view));
  for (int waited = 0; waited < SETTLE_MS && !tales_test_all_images_decoded (images) && !watch.killed; waited += 250)
    {
      json_array_unref (images);
      tales_test_wait_ms (250);
      images = tales_test_page_images (tales_article_view_get_web_view (view));
    }
  tales_test_wait_ms (SETTLE_MS / 2);
  sample_cb (&watch);
  g_source_remove (sampler);

  g_test_message ("web process peak: %" G_GUINT64_FORMAT " KiB", watch.peak_kb);
  g_assert_false (watch.killed);
  g_assert_cmpuint (watch.peak_kb, >, 0);
  g_assert_cmpuint (watch.peak_kb, <, WEB_PROCESS_PEAK_LIMIT_KB);

  /* The real picture is there, and each bomb is the placeholder. */
  g_assert_cmpint (json_object_get_int_member (image_by_alt (images, "control"), "width"), ==, CONTROL_WIDTH);
  assert_placeholder (images, "png bomb");
  assert_placeholder (images, "svg bomb");

  gtk_window_destroy (GTK_WINDOW (window));
  library_close (&library);
}

/* 2. A renderer stuck in a layout is stopped, within a bound ----------- */

/* The article view's WEB_PROCESS_PING_S + WEB_PROCESS_UNRESPONSIVE_S
 * (8 s), with room for a slow, shared machine. */
#define HUNG_DEADLINE_S 20
/* A stuck renderer is bounded by time, not by WebKit's memory check (which
 * runs on the stuck thread): its memory is what it grows in those 8 s,
 * faster on an idle machine than on a loaded one (35 to 85 MB/s seen). */
#define HUNG_PEAK_LIMIT_KB (2 * 1024 * 1024)

static void
test_hung_web_process (void)
{
  g_autofree char *svg = make_svg_bomb ();
  g_autofree char *html = g_strdup_printf ("<!DOCTYPE html><html><body><p>Inline:</p>%s</body></html>",
                                           strstr (svg, "<svg"));
  MemoryWatch watch = { 0 };
  Library library = { 0 };
  TalesArticleView *view;
  AdwStatusPage *page;
  GtkWidget *window;
  gboolean loaded = FALSE;
  gint64 start;
  gulong id;
  guint sampler;

  library_open (&library);
  window = tales_test_window_with_view (library.cache, &view);
  sampler = g_timeout_add (SAMPLE_INTERVAL_MS, sample_cb, &watch);
  id = g_signal_connect_swapped (view, "loaded", G_CALLBACK (tales_test_set_flag_cb), &loaded);

  /* Raw, past the sanitizer and the image cache: the view's own bound. */
  start = g_get_monotonic_time ();
  _tales_article_view_load_raw_html (view, html);
  tales_test_wait_for (&loaded, (HUNG_DEADLINE_S + 10) * 1000);
  g_test_message ("fallback after %.1f s; web process peak: %" G_GUINT64_FORMAT " KiB",
                  (g_get_monotonic_time () - start) / 1e6, watch.peak_kb);
  g_signal_handler_disconnect (view, id);
  g_source_remove (sampler);

  g_assert_cmpint (g_get_monotonic_time () - start, <, HUNG_DEADLINE_S * G_USEC_PER_SEC);
  page = shown_status_page (GTK_WIDGET (view));
  g_assert_nonnull (page);
  g_assert_cmpstr (adw_status_page_get_title (page), ==, "This Post Could Not Be Displayed");
  g_assert_cmpstr (adw_status_page_get_description (page), ==, "It kept the page renderer busy for too long.");
  g_assert_false (watch.killed);
  g_assert_cmpuint (watch.peak_kb, <, HUNG_PEAK_LIMIT_KB);

  gtk_window_destroy (GTK_WINDOW (window));
  library_close (&library);
}

static TalesPost *
text_post (const char *title,
           const char *text)
{
  TalesPost *post = tales_post_new ();
  g_autofree char *content = g_strdup_printf ("<p id=\"body\">%s</p>", text);

  tales_post_set_title (post, title);
  tales_post_set_content (post, content);
  return post;
}

/* 3. The web process's memory limit holds ----------------------------- */

/* Memory grows in steps the page keeps (the app's own JavaScript, as a
 * stand-in for whatever a post could make WebKit allocate), slowly enough
 * for the web process's once-a-second check to see it. */
#define HOG_STEP_MB 16
#define HOG_STEP_MS 250
#define HOG_MAX_STEPS 160  /* 2.5 GB: far past the limit */

static void
hog_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(JSCValue) value = webkit_web_view_evaluate_javascript_finish (WEBKIT_WEB_VIEW (source), result, NULL);

  *(gboolean *) user_data = TRUE;
}

static void
test_memory_limit (void)
{
  g_autoptr(TalesPost) post = text_post ("Greedy", "Grows.");
  g_autofree char *script = g_strdup_printf ("(window.hog = window.hog || []).push (new Uint8Array (%d).fill (1));"
                                             " window.hog.length", HOG_STEP_MB << 20);
  MemoryWatch watch = { 0 };
  Library library = { 0 };
  TalesArticleView *view;
  AdwStatusPage *page;
  GtkWidget *window;
  gboolean loaded = FALSE;
  gulong id;
  guint sampler;
  int steps;

  library_open (&library);
  window = tales_test_window_with_view (library.cache, &view);
  show_and_wait (view, post);
  sampler = g_timeout_add (SAMPLE_INTERVAL_MS, sample_cb, &watch);
  id = g_signal_connect_swapped (view, "loaded", G_CALLBACK (tales_test_set_flag_cb), &loaded);

  for (steps = 0; steps < HOG_MAX_STEPS && !loaded && !watch.killed; steps++)
    {
      gboolean done = FALSE;

      webkit_web_view_evaluate_javascript (tales_article_view_get_web_view (view), script, -1,
                                           NULL, NULL, NULL, hog_done_cb, &done);
      tales_test_wait_for (&done, TALES_TEST_JS_TIMEOUT_MS);
      tales_test_wait_ms (HOG_STEP_MS);
    }
  g_test_message ("stopped after %d steps of %d MB; web process peak: %" G_GUINT64_FORMAT " KiB",
                  steps, HOG_STEP_MB, watch.peak_kb);
  g_signal_handler_disconnect (view, id);
  g_source_remove (sampler);

  g_assert_true (loaded);
  g_assert_false (watch.killed);
  g_assert_cmpuint (watch.peak_kb, <, WEB_PROCESS_PEAK_LIMIT_KB);
  page = shown_status_page (GTK_WIDGET (view));
  g_assert_nonnull (page);
  g_assert_cmpstr (adw_status_page_get_description (page), ==, "It needed more memory than a post may use.");

  gtk_window_destroy (GTK_WINDOW (window));
  library_close (&library);
}

/* 4. A killed web process: a plain message, and no second try ---------- */

static GtkWidget *
find_button (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *button = find_button (child);

      if (button != NULL)
        return button;
    }
  return NULL;
}

static void
count_starts_cb (WebKitWebView   *web_view,
                 WebKitLoadEvent  event,
                 guint           *n_starts)
{
  if (event == WEBKIT_LOAD_STARTED)
    (*n_starts)++;
}

static void
assert_post_shown (TalesArticleView *view,
                   const char       *text)
{
  WebKitWebView *web_view = tales_article_view_get_web_view (view);
  g_autofree char *shown = tales_test_run_js (web_view, "document.getElementById ('post-body').textContent");

  g_assert_cmpstr (shown, ==, text);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (web_view)));
  g_assert_null (shown_status_page (GTK_WIDGET (view)));
}

static void
test_killed_web_process (void)
{
  g_autoptr(TalesPost) fatal = text_post ("Fatal", "Kills the renderer.");
  g_autoptr(TalesPost) other = text_post ("Other", "Another post.");
  Library library = { 0 };
  TalesArticleView *view;
  AdwStatusPage *page;
  GtkWidget *window;
  gboolean loaded = FALSE;
  guint n_starts = 0;
  gulong loaded_id, starts_id;
  int pid;

  library_open (&library);
  window = tales_test_window_with_view (library.cache, &view);
  show_and_wait (view, fatal);
  assert_post_shown (view, "Kills the renderer.");

  pid = find_web_process ();
  g_assert_cmpint (pid, >, 0);
  loaded_id = g_signal_connect_swapped (view, "loaded", G_CALLBACK (tales_test_set_flag_cb), &loaded);
  starts_id = g_signal_connect (tales_article_view_get_web_view (view), "load-changed",
                                G_CALLBACK (count_starts_cb), &n_starts);
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  tales_test_wait_for (&loaded, LOAD_TIMEOUT_MS);
  g_signal_handler_disconnect (view, loaded_id);

  /* The message, and no second try of the same post, even a while later. */
  tales_test_wait_ms (2000);
  page = shown_status_page (GTK_WIDGET (view));
  g_assert_nonnull (page);
  g_assert_cmpstr (adw_status_page_get_title (page), ==, "This Post Could Not Be Displayed");
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (tales_article_view_get_web_view (view))));
  g_assert_cmpuint (n_starts, ==, 0);
  g_assert_true (tales_article_view_get_post (view) == fatal);

  /* Another post renders normally, with a new web process. */
  show_and_wait (view, other);
  assert_post_shown (view, "Another post.");
  g_assert_cmpuint (n_starts, ==, 1);

  /* And the same one again, on a deliberate click of the fallback's button. */
  show_and_wait (view, fatal);
  pid = find_web_process ();
  g_assert_cmpint (pid, >, 0);
  loaded = FALSE;
  loaded_id = g_signal_connect_swapped (view, "loaded", G_CALLBACK (tales_test_set_flag_cb), &loaded);
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  tales_test_wait_for (&loaded, LOAD_TIMEOUT_MS);
  g_signal_handler_disconnect (view, loaded_id);
  page = shown_status_page (GTK_WIDGET (view));
  g_assert_nonnull (page);
  g_assert_nonnull (find_button (GTK_WIDGET (page)));
  loaded = FALSE;
  loaded_id = g_signal_connect_swapped (view, "loaded", G_CALLBACK (tales_test_set_flag_cb), &loaded);
  g_signal_emit_by_name (find_button (GTK_WIDGET (page)), "clicked");
  tales_test_wait_for (&loaded, LOAD_TIMEOUT_MS);
  g_signal_handler_disconnect (view, loaded_id);
  assert_post_shown (view, "Kills the renderer.");

  g_signal_handler_disconnect (tales_article_view_get_web_view (view), starts_id);
  gtk_window_destroy (GTK_WINDOW (window));
  library_close (&library);
}

int
main (int   argc,
      char *argv[])
{
  if (!tales_test_ui_init (&argc, &argv))
    return 0;

  g_test_add_func ("/tales/hostile-view/image-bombs", test_image_bombs);
  g_test_add_func ("/tales/hostile-view/hung-web-process", test_hung_web_process);
  g_test_add_func ("/tales/hostile-view/memory-limit", test_memory_limit);
  g_test_add_func ("/tales/hostile-view/killed-web-process", test_killed_web_process);

  return g_test_run ();
}
