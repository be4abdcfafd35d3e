/* The reader's library in the real window, under Xvfb: the sidebar's
 * feeds, counts and case-folded categories, filtering by category and by
 * search, read and star state flowing back into the counts, keyboard
 * navigation, and a refresh where one feed fails. Driven through actions
 * and real signals, with bounded waits. */

#include "config.h"

#include <adwaita.h>

#include "tales-preferences-window.h"
#include "tales-sidebar.h"
#include "tales-test-server.h"
#include "tales-window.h"

#define WAIT_MS 20000
#define REFRESH_TIMEOUT_MS 60000

/* Helpers ----------------------------------------------------------------- */

static void
set_flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

typedef gboolean (*Condition) (gpointer data);

/* Iterates the main context until @condition holds; fails the test after
 * @timeout_ms. */
static void
wait_until (Condition  condition,
            gpointer   data,
            guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint wake = g_timeout_add (10, wake_cb, NULL);

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out after %u ms", timeout_ms);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake);
}

typedef struct {
  TalesStore *store;
  TalesFetcher *fetcher;
  TalesImageCache *cache;
  TalesTestServer *server;
  gint64 feed_a;
  gint64 feed_b;
  TalesWindow *window;
  GListModel *model;
} Fixture;

static TalesPost *
make_post (const char *guid,
           const char *title,
           const char *body,
           int         day,
           const char *category)
{
  TalesPost *post = tales_post_new ();
  g_autoptr(GDateTime) date = g_date_time_new_utc (2024, 9, day, 10, 0, 0);
  g_autofree char *link = g_strdup_printf ("https://example.test/%s", guid);
  const char *categories[] = { category, NULL };

  tales_post_set_guid (post, guid);
  tales_post_set_title (post, title);
  tales_post_set_link (post, link);
  tales_post_set_content (post, body);
  tales_post_set_published (post, date);
  if (category != NULL)
    tales_post_set_categories (post, categories);
  return post;
}

static gint64
add_feed (Fixture    *fixture,
          const char *path,
          const char *title,
          GPtrArray  *posts)
{
  g_autofree char *url = tales_test_server_url (fixture->server, path);
  g_autoptr(TalesFeed) feed = NULL;
  g_autoptr(GError) error = NULL;
  guint n_new = 0, n_updated = 0;

  feed = tales_store_ensure_feed (fixture->store, url, &error);
  g_assert_no_error (error);
  tales_feed_set_title (feed, title);
  g_assert_true (tales_store_update_feed (fixture->store, feed, &error));
  g_assert_no_error (error);
  g_assert_true (tales_store_merge_posts (fixture->store, tales_feed_get_db_id (feed), posts,
                                          &n_new, &n_updated, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_new, ==, posts->len);
  return tales_feed_get_db_id (feed);
}

/* Two feeds, Alpha (3 posts) and Beta (2 posts); "Python" in one feed and
 * "python" in the other are one category. */
static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *db = g_build_filename (g_get_user_data_dir (), "test-window.db", NULL);
  g_autofree char *images = g_build_filename (g_get_user_cache_dir (), "test-images", NULL);
  g_autoptr(GPtrArray) alpha = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) beta = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  fixture->store = tales_store_open (db, &error);
  g_assert_no_error (error);
  fixture->fetcher = tales_fetcher_new ();
  fixture->cache = tales_image_cache_new (fixture->store, fixture->fetcher, images);
  fixture->server = tales_test_server_new ();

  g_ptr_array_add (alpha, make_post ("a1", "Snakes in the lamp room", "<p>Python tooling for keepers.</p>", 10, "Python"));
  g_ptr_array_add (alpha, make_post ("a2", "Fog signals", "<p>Retries and backoff at sea.</p>", 12, "networking"));
  g_ptr_array_add (alpha, make_post ("a3", "Night shift", "<p>A quiet night, a lighthouse keeper.</p>", 14, NULL));
  g_ptr_array_add (beta, make_post ("b1", "Typing the logbook", "<p>python type hints for the logbook.</p>", 11, "python"));
  g_ptr_array_add (beta, make_post ("b2", "Brass polish", "<p>Shiny lenses.</p>", 13, "maintenance"));
  fixture->feed_a = add_feed (fixture, "/alpha.xml", "Alpha", alpha);
  fixture->feed_b = add_feed (fixture, "/beta.xml", "Beta", beta);

  fixture->window = g_object_new (TALES_TYPE_WINDOW,
                                  "store", fixture->store,
                                  "fetcher", fixture->fetcher,
                                  "image-cache", fixture->cache,
                                  NULL);
  gtk_window_present (GTK_WINDOW (fixture->window));
  fixture->model = G_LIST_MODEL (tales_window_get_selection (fixture->window));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_pointer (&fixture->server, tales_test_server_free);
  g_clear_object (&fixture->cache);
  g_clear_object (&fixture->fetcher);
  g_clear_object (&fixture->store);
}

static TalesSidebarRow *
find_row (Fixture         *fixture,
          TalesFilterKind  kind,
          gint64           feed_id,
          const char      *category)
{
  return tales_sidebar_find_row (tales_window_get_sidebar (fixture->window), kind, feed_id, category);
}

static guint
row_count (Fixture         *fixture,
           TalesFilterKind  kind)
{
  TalesSidebarRow *row = find_row (fixture, kind, 0, NULL);

  g_assert_nonnull (row);
  return tales_sidebar_row_get_count (row);
}

/* The titles the list shows, in order, joined by "|". */
static char *
listed_titles (Fixture *fixture)
{
  GString *titles = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (fixture->model); i++)
    {
      g_autoptr(TalesPost) post = g_list_model_get_item (fixture->model, i);

      if (i > 0)
        g_string_append_c (titles, '|');
      g_string_append (titles, tales_post_get_title (post));
    }
  return g_string_free (titles, FALSE);
}

/* 1. The sidebar --------------------------------------------------------- */

static void
test_sidebar (Fixture       *fixture,
              gconstpointer  data)
{
  TalesSidebar *sidebar = tales_window_get_sidebar (fixture->window);
  TalesSidebarRow *alpha = find_row (fixture, TALES_FILTER_FEED, fixture->feed_a, NULL);
  TalesSidebarRow *beta = find_row (fixture, TALES_FILTER_FEED, fixture->feed_b, NULL);
  TalesSidebarRow *python = find_row (fixture, TALES_FILTER_CATEGORY, 0, "Python");

  g_assert_nonnull (alpha);
  g_assert_cmpstr (tales_sidebar_row_get_title (alpha), ==, "Alpha");
  g_assert_cmpuint (tales_sidebar_row_get_count (alpha), ==, 3);
  g_assert_null (tales_sidebar_row_get_error (alpha));
  g_assert_nonnull (beta);
  g_assert_cmpstr (tales_sidebar_row_get_title (beta), ==, "Beta");
  g_assert_cmpuint (tales_sidebar_row_get_count (beta), ==, 2);

  g_assert_cmpuint (row_count (fixture, TALES_FILTER_UNREAD), ==, 5);
  g_assert_cmpuint (row_count (fixture, TALES_FILTER_STARRED), ==, 0);

  /* One row for Python and python, counting both posts. */
  g_assert_nonnull (python);
  g_assert_true (find_row (fixture, TALES_FILTER_CATEGORY, 0, "python") == python);
  g_assert_cmpint (g_ascii_strcasecmp (tales_sidebar_row_get_title (python), "python"), ==, 0);
  g_assert_cmpuint (tales_sidebar_row_get_count (python), ==, 2);
  /* Python, networking, maintenance. */
  g_assert_cmpuint (tales_sidebar_count_categories (sidebar), ==, 3);

  /* Everything is listed at first, newest first. */
  g_assert_cmpuint (g_list_model_get_n_items (fixture->model), ==, 5);
  g_assert_cmpuint (tales_sidebar_get_filter (sidebar)->kind, ==, TALES_FILTER_ALL);
}

/* 2. Filtering by category and by feed ------------------------------------ */

static void
test_category_filter (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *titles = NULL;
  TalesSidebarRow *beta;

  /* What a category chip does, in a row or in the article. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-category", "s", "python");
  titles = listed_titles (fixture);
  g_assert_cmpstr (titles, ==, "Typing the logbook|Snakes in the lamp room");
  g_assert_cmpuint (tales_sidebar_get_filter (tales_window_get_sidebar (fixture->window))->kind, ==,
                    TALES_FILTER_CATEGORY);

  /* Clicking a feed in the sidebar. */
  beta = find_row (fixture, TALES_FILTER_FEED, fixture->feed_b, NULL);
  gtk_list_box_select_row (GTK_LIST_BOX (gtk_widget_get_parent (GTK_WIDGET (beta))), GTK_LIST_BOX_ROW (beta));
  g_free (titles);
  titles = listed_titles (fixture);
  g_assert_cmpstr (titles, ==, "Brass polish|Typing the logbook");
}

/* 3. Search, combined with the sidebar ----------------------------------- */

typedef struct {
  GListModel *model;
  guint expected;
} ItemsWait;

static gboolean
n_items_is (gpointer data)
{
  ItemsWait *wait = data;

  return g_list_model_get_n_items (wait->model) == wait->expected;
}

/* Types @text and waits for the list to hold @expected posts (the entry
 * reports a change after a short delay; replacing the text passes through
 * an empty field, which reports at once). */
static void
search_and_wait (Fixture    *fixture,
                 const char *text,
                 guint       expected)
{
  ItemsWait wait = { fixture->model, expected };

  gtk_editable_set_text (tales_window_get_search_entry (fixture->window), text);
  wait_until (n_items_is, &wait, WAIT_MS);
}

static void
test_search (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *titles = NULL;

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.search", NULL);

  search_and_wait (fixture, "logbook", 1);
  titles = listed_titles (fixture);
  g_assert_cmpstr (titles, ==, "Typing the logbook");

  /* Within the category on the left only. */
  search_and_wait (fixture, "lighthouse", 1);
  g_free (titles);
  titles = listed_titles (fixture);
  g_assert_cmpstr (titles, ==, "Night shift");
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-category", "s", "Python");
  g_assert_cmpuint (g_list_model_get_n_items (fixture->model), ==, 0);

  /* Emptying the field shows the whole category again. */
  search_and_wait (fixture, "", 2);
}

/* 4. Read and star -------------------------------------------------------- */

typedef struct {
  Fixture *fixture;
  TalesFilterKind kind;
  guint expected;
} CountWait;

static gboolean
count_is (gpointer data)
{
  CountWait *wait = data;

  return row_count (wait->fixture, wait->kind) == wait->expected;
}

static void
wait_for_count (Fixture         *fixture,
                TalesFilterKind  kind,
                guint            expected)
{
  CountWait wait = { fixture, kind, expected };

  wait_until (count_is, &wait, WAIT_MS);
}

static void
test_read_and_star (Fixture       *fixture,
                    gconstpointer  data)
{
  GtkSingleSelection *selection = tales_window_get_selection (fixture->window);
  TalesArticleView *view = tales_window_get_article_view (fixture->window);
  g_autoptr(TalesPost) post = g_list_model_get_item (fixture->model, 0);
  gboolean loaded = FALSE;

  g_assert_false (tales_post_get_is_read (post));

  /* Opening a post reads it: the row at once, the count once saved. */
  g_signal_connect_swapped (view, "loaded", G_CALLBACK (set_flag_cb), &loaded);
  gtk_single_selection_set_selected (selection, 0);
  g_assert_true (tales_post_get_is_read (post));
  wait_for_count (fixture, TALES_FILTER_UNREAD, 4);
  g_assert_cmpuint (tales_sidebar_row_get_count (find_row (fixture, TALES_FILTER_FEED, fixture->feed_a, NULL)), ==, 2);
  tales_test_wait_for (&loaded, 60000);

  /* m: unread again. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.toggle-read", NULL);
  g_assert_false (tales_post_get_is_read (post));
  wait_for_count (fixture, TALES_FILTER_UNREAD, 5);

  /* s: starred, and Starred lists it. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.toggle-star", NULL);
  g_assert_true (tales_post_get_is_starred (post));
  wait_for_count (fixture, TALES_FILTER_STARRED, 1);
  g_assert_true (tales_sidebar_select (tales_window_get_sidebar (fixture->window), TALES_FILTER_STARRED, 0, NULL));
  g_assert_cmpuint (g_list_model_get_n_items (fixture->model), ==, 1);
  {
    g_autoptr(TalesPost) starred = g_list_model_get_item (fixture->model, 0);

    g_assert_cmpint (tales_post_get_db_id (starred), ==, tales_post_get_db_id (post));
    g_assert_true (tales_post_get_is_starred (starred));
    /* Still the post on screen, and still selected. */
    g_assert_cmpuint (gtk_single_selection_get_selected (selection), ==, 0);
  }

  /* Mark all as read, for what is listed (the starred post) only. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.mark-all-read", NULL);
  wait_for_count (fixture, TALES_FILTER_UNREAD, 4);
}

/* 5. Next and previous ---------------------------------------------------- */

static void
test_navigation (Fixture       *fixture,
                 gconstpointer  data)
{
  GtkSingleSelection *selection = tales_window_get_selection (fixture->window);
  GtkWidget *window = GTK_WIDGET (fixture->window);

  g_assert_cmpuint (gtk_single_selection_get_selected (selection), ==, GTK_INVALID_LIST_POSITION);
  gtk_widget_activate_action (window, "win.next-post", NULL);
  g_assert_cmpuint (gtk_single_selection_get_selected (selection), ==, 0);
  gtk_widget_activate_action (window, "win.next-post", NULL);
  gtk_widget_activate_action (window, "win.next-post", NULL);
  g_assert_cmpuint (gtk_single_selection_get_selected (selection), ==, 2);
  gtk_widget_activate_action (window, "win.previous-post", NULL);
  g_assert_cmpuint (gtk_single_selection_get_selected (selection), ==, 1);
  gtk_widget_activate_action (window, "win.previous-post", NULL);
  gtk_widget_activate_action (window, "win.previous-post", NULL);
  g_assert_cmpuint (gtk_single_selection_get_selected (selection), ==, 0);

  for (int i = 0; i < 10; i++)
    gtk_widget_activate_action (window, "win.next-post", NULL);
  g_assert_cmpuint (gtk_single_selection_get_selected (selection), ==, 4);

  /* Each post opened on the way was read. */
  wait_for_count (fixture, TALES_FILTER_UNREAD, 0);
}

/* 6. A refresh where one feed fails -------------------------------------- */

static const char alpha_feed[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<rss version=\"2.0\"><channel><title>Alpha</title><link>https://example.test/</link>"
  "<description>test</description>"
  "<item><title>Fresh from the server</title><link>https://example.test/fresh</link>"
  "<guid isPermaLink=\"false\">fresh</guid><pubDate>Mon, 30 Sep 2024 10:00:00 GMT</pubDate>"
  "<category>Python</category><description>New.</description></item>"
  "<item><title>Snakes in the lamp room</title><link>https://example.test/a1</link>"
  "<guid isPermaLink=\"false\">a1</guid><pubDate>Tue, 10 Sep 2024 10:00:00 GMT</pubDate>"
  "<category>Python</category><description>Python tooling for keepers.</description></item>"
  "</channel></rss>";

static void
test_refresh_with_failure (Fixture       *fixture,
                           gconstpointer  data)
{
  GtkSingleSelection *selection = tales_window_get_selection (fixture->window);
  TalesSidebarRow *alpha, *beta;
  g_autoptr(TalesPost) shown = NULL;
  g_autoptr(TalesPost) selected = NULL;
  g_autofree char *titles = NULL;
  gboolean finished = FALSE;

  tales_test_server_add_string (fixture->server, "/alpha.xml", "application/rss+xml", alpha_feed);
  tales_test_server_add_status (fixture->server, "/beta.xml", 404);

  /* The selection survives the refresh. */
  gtk_single_selection_set_selected (selection, 1);
  shown = g_list_model_get_item (fixture->model, 1);

  g_signal_connect_swapped (fixture->window, "refresh-finished", G_CALLBACK (set_flag_cb), &finished);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.refresh", NULL);
  g_assert_true (tales_window_is_refreshing (fixture->window));
  tales_test_wait_for (&finished, REFRESH_TIMEOUT_MS);
  g_assert_false (tales_window_is_refreshing (fixture->window));

  g_assert_cmpuint (tales_test_server_hits (fixture->server, "/alpha.xml"), ==, 1);
  g_assert_cmpuint (tales_test_server_hits (fixture->server, "/beta.xml"), ==, 1);

  alpha = find_row (fixture, TALES_FILTER_FEED, fixture->feed_a, NULL);
  beta = find_row (fixture, TALES_FILTER_FEED, fixture->feed_b, NULL);
  g_assert_null (tales_sidebar_row_get_error (alpha));
  g_assert_nonnull (tales_sidebar_row_get_error (beta));
  g_test_message ("Beta's error: %s", tales_sidebar_row_get_error (beta));

  /* Alpha's new post is in; Beta's stored posts are still listed. */
  g_assert_cmpuint (g_list_model_get_n_items (fixture->model), ==, 6);
  titles = listed_titles (fixture);
  g_assert_nonnull (strstr (titles, "Fresh from the server"));
  g_assert_nonnull (strstr (titles, "Brass polish"));
  g_assert_cmpuint (tales_sidebar_row_get_count (find_row (fixture, TALES_FILTER_CATEGORY, 0, "python")), ==, 3);

  selected = gtk_single_selection_get_selected_item (selection) != NULL
             ? g_object_ref (gtk_single_selection_get_selected_item (selection)) : NULL;
  g_assert_nonnull (selected);
  g_assert_cmpint (tales_post_get_db_id (selected), ==, tales_post_get_db_id (shown));
}

/* 7. Preferences and the shortcuts window ------------------------------- */

static void
test_preferences (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GtkBuilder) builder = NULL;
  TalesArticleView *view = tales_window_get_article_view (fixture->window);
  GtkWidget *preferences;
  GObject *overlay;

  preferences = tales_preferences_window_new (GTK_WINDOW (fixture->window));
  gtk_window_present (GTK_WINDOW (preferences));

  /* The text size reaches the article as it changes. */
  g_settings_set_double (settings, "article-font-scale", 1.5);
  g_assert_cmpfloat_with_epsilon (tales_article_view_get_font_scale (view), 1.5, 0.001);
  g_settings_reset (settings, "article-font-scale");
  g_assert_cmpfloat_with_epsilon (tales_article_view_get_font_scale (view), 1.0, 0.001);
  gtk_window_destroy (GTK_WINDOW (preferences));

  /* GtkApplication finds the shortcuts window by this path. */
  builder = gtk_builder_new_from_resource (RESOURCE_PREFIX "/gtk/help-overlay.ui");
  overlay = gtk_builder_get_object (builder, "help_overlay");
  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (overlay));
  gtk_window_destroy (GTK_WINDOW (overlay));
}

/* GTK's icons are SVG, which gdk-pixbuf recognises through
 * shared-mime-info; the isolated XDG dirs would hide it. */
static void
keep_system_mime_database (void)
{
  const char * const *data_dirs = g_get_system_data_dirs ();
  g_autoptr(GPtrArray) mime_dirs = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; data_dirs[i] != NULL; i++)
    g_ptr_array_add (mime_dirs, g_build_filename (data_dirs[i], "mime", NULL));
  g_ptr_array_add (mime_dirs, NULL);
  g_content_type_set_mime_dirs ((const char * const *) mime_dirs->pdata);
}

#define ADD(path, func) \
  g_test_add ("/tales/window/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  /* Online whatever the machine's routes say: the server is local. */
  g_setenv ("GIO_USE_NETWORK_MONITOR", "base", TRUE);
  keep_system_mime_database ();
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }
  tales_core_init ();
  adw_init ();

  ADD ("sidebar", test_sidebar);
  ADD ("category-filter", test_category_filter);
  ADD ("search", test_search);
  ADD ("read-and-star", test_read_and_star);
  ADD ("navigation", test_navigation);
  ADD ("refresh-with-failure", test_refresh_with_failure);
  ADD ("preferences", test_preferences);

  return g_test_run ();
}
