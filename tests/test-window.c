/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The reader's library in the real window, under Xvfb: the sidebar's
 * feeds, counts and case-folded categories, filtering by category and by
 * search, read and star state flowing back into the counts, keyboard
 * navigation, a refresh where one feed fails, the narrow (folded) layout,
 * zoom, the empty states, accessible buttons, and the application's
 * command line (--refresh, opening addresses and files). Driven through
 * actions and real signals, with bounded waits. */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "tales-post-list-view.h"
#include "tales-post-row.h"
#include "tales-preferences-window.h"
#include "tales-sidebar-private.h"
#include "tales-test-server.h"
#include "tales-test-ui.h"
#include "tales-window.h"
#include "tales-window-private.h"

#define WAIT_MS 20000
#define REFRESH_TIMEOUT_MS 60000

/* Helpers ----------------------------------------------------------------- */

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
  g_autoptr(GDateTime) date = g_date_time_new_utc (2024, 9, day, 10, 0, 0);
  TalesPost *post = tales_test_make_post (guid, title, g_date_time_to_unix (date));
  g_autofree char *link = g_strdup_printf ("https://example.test/%s", guid);
  const char *categories[] = { category, NULL };

  tales_post_set_link (post, link);
  tales_post_set_content (post, body);
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
  gint64 feed_id = tales_test_add_feed (fixture->store, url, title);

  g_assert_cmpuint (tales_test_merge (fixture->store, feed_id, posts, NULL), ==, posts->len);
  return feed_id;
}

/* The sidebar reads the library in a thread once the window is up. */
static gboolean
sidebar_lists_both_feeds (gpointer data)
{
  Fixture *fixture = data;

  return tales_sidebar_count_feeds (tales_window_get_sidebar (fixture->window)) == 2;
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

  fixture->store = tales_test_open_store (db);
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
  /* A phone: the narrow tests ask for one, with GNOME's (and Phosh's)
   * window buttons, a close button only; GTK's own default adds
   * minimize and maximize. */
  if (data != NULL)
    {
      g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", "appmenu:close", NULL);
      gtk_window_set_default_size (GTK_WINDOW (fixture->window), 360, 640);
    }
  gtk_window_present (GTK_WINDOW (fixture->window));
  fixture->model = G_LIST_MODEL (tales_window_get_selection (fixture->window));
  wait_until (sidebar_lists_both_feeds, fixture, WAIT_MS);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_settings_reset_property (gtk_settings_get_default (), "gtk-decoration-layout");
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
  return _tales_sidebar_find_row (tales_window_get_sidebar (fixture->window), kind, feed_id, category);
}

static guint
row_count (Fixture         *fixture,
           TalesFilterKind  kind)
{
  TalesSidebarRow *row = find_row (fixture, kind, 0, NULL);

  g_assert_nonnull (row);
  return _tales_sidebar_row_get_count (row);
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
  g_assert_cmpstr (_tales_sidebar_row_get_title (alpha), ==, "Alpha");
  g_assert_cmpuint (_tales_sidebar_row_get_count (alpha), ==, 3);
  g_assert_null (_tales_sidebar_row_get_error (alpha));
  g_assert_nonnull (beta);
  g_assert_cmpstr (_tales_sidebar_row_get_title (beta), ==, "Beta");
  g_assert_cmpuint (_tales_sidebar_row_get_count (beta), ==, 2);

  g_assert_cmpuint (row_count (fixture, TALES_FILTER_UNREAD), ==, 5);
  g_assert_cmpuint (row_count (fixture, TALES_FILTER_STARRED), ==, 0);

  /* One row for Python and python, counting both posts. */
  g_assert_nonnull (python);
  g_assert_true (find_row (fixture, TALES_FILTER_CATEGORY, 0, "python") == python);
  g_assert_cmpint (g_ascii_strcasecmp (_tales_sidebar_row_get_title (python), "python"), ==, 0);
  g_assert_cmpuint (_tales_sidebar_row_get_count (python), ==, 2);
  /* Python, networking, maintenance. */
  g_assert_cmpuint (_tales_sidebar_count_categories (sidebar), ==, 3);

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

  gtk_editable_set_text (_tales_window_get_search_entry (fixture->window), text);
  wait_until (n_items_is, &wait, WAIT_MS);
}

/* The label of @widget's tree whose markup is @markup, or NULL. */
static GtkLabel *
find_label (GtkWidget *widget, const char *markup)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), markup) == 0)
    return GTK_LABEL (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *label = find_label (child, markup);
      if (label != NULL)
        return label;
    }
  return NULL;
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

  /* The words go into the empty page's markup as text. */
  {
    AdwStatusPage *page = fixture->window->list_empty_page;
    const char *description;
    GtkLabel *label;

    search_and_wait (fixture, "<b>x & y</b>", 0);
    description = adw_status_page_get_description (page);
    g_assert_cmpstr (description, ==, "No post here matches “&lt;b&gt;x &amp; y&lt;/b&gt;”.");
    label = find_label (GTK_WIDGET (page), description);
    g_assert_nonnull (label);
    g_assert_cmpstr (gtk_label_get_text (label), ==, "No post here matches “<b>x & y</b>”.");
  }
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
  g_signal_connect_swapped (view, "loaded", G_CALLBACK (tales_test_set_flag_cb), &loaded);
  gtk_single_selection_set_selected (selection, 0);
  g_assert_true (tales_post_get_is_read (post));
  wait_for_count (fixture, TALES_FILTER_UNREAD, 4);
  g_assert_cmpuint (_tales_sidebar_row_get_count (find_row (fixture, TALES_FILTER_FEED, fixture->feed_a, NULL)), ==, 2);
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

  g_signal_connect_swapped (fixture->window, "refresh-finished", G_CALLBACK (tales_test_set_flag_cb), &finished);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.refresh", NULL);
  g_assert_true (tales_window_is_refreshing (fixture->window));
  tales_test_wait_for (&finished, REFRESH_TIMEOUT_MS);
  g_assert_false (tales_window_is_refreshing (fixture->window));

  g_assert_cmpuint (tales_test_server_hits (fixture->server, "/alpha.xml"), ==, 1);
  g_assert_cmpuint (tales_test_server_hits (fixture->server, "/beta.xml"), ==, 1);

  alpha = find_row (fixture, TALES_FILTER_FEED, fixture->feed_a, NULL);
  beta = find_row (fixture, TALES_FILTER_FEED, fixture->feed_b, NULL);
  g_assert_null (_tales_sidebar_row_get_error (alpha));
  g_assert_nonnull (_tales_sidebar_row_get_error (beta));
  g_test_message ("Beta's error: %s", _tales_sidebar_row_get_error (beta));

  /* Alpha's new post is in; Beta's stored posts are still listed. */
  g_assert_cmpuint (g_list_model_get_n_items (fixture->model), ==, 6);
  titles = listed_titles (fixture);
  g_assert_nonnull (strstr (titles, "Fresh from the server"));
  g_assert_nonnull (strstr (titles, "Brass polish"));
  g_assert_cmpuint (_tales_sidebar_row_get_count (find_row (fixture, TALES_FILTER_CATEGORY, 0, "python")), ==, 3);

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

/* 8. Narrow windows: the leaflets fold ---------------------------------- */

/* The window's leaflets, outer (sidebar | content) first. */
static GPtrArray *
find_leaflets (Fixture *fixture)
{
  GPtrArray *leaflets = g_ptr_array_new ();

  tales_test_collect_widgets (GTK_WIDGET (fixture->window), ADW_TYPE_LEAFLET, leaflets);
  g_assert_cmpuint (leaflets->len, ==, 2);
  g_assert_true (gtk_widget_is_ancestor (leaflets->pdata[1], leaflets->pdata[0]));
  return leaflets;
}

static gboolean
is_laid_out_narrow (gpointer data)
{
  Fixture *fixture = data;
  g_autoptr(GPtrArray) leaflets = find_leaflets (fixture);

  return gtk_widget_get_mapped (GTK_WIDGET (fixture->window)) &&
         gtk_widget_get_width (GTK_WIDGET (fixture->window)) > 0 &&
         adw_leaflet_get_folded (leaflets->pdata[0]) &&
         adw_leaflet_get_folded (leaflets->pdata[1]);
}

static gboolean
is_laid_out (gpointer data)
{
  Fixture *fixture = data;

  return gtk_widget_get_mapped (GTK_WIDGET (fixture->window)) &&
         gtk_widget_get_width (GTK_WIDGET (fixture->window)) > 0;
}

static void
test_narrow (Fixture       *fixture,
             gconstpointer  data)
{
  GtkSingleSelection *selection = tales_window_get_selection (fixture->window);
  g_autoptr(GPtrArray) leaflets = NULL;
  AdwLeaflet *outer, *inner;
  int minimum = 0;

  wait_until (is_laid_out_narrow, fixture, WAIT_MS);
  leaflets = find_leaflets (fixture);
  outer = leaflets->pdata[0];
  inner = leaflets->pdata[1];

  /* It fits a phone: nothing asks for more than 360 pixels. */
  gtk_widget_measure (GTK_WIDGET (fixture->window), GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  g_test_message ("Narrowest window: %d px, now %d px", minimum, gtk_widget_get_width (GTK_WIDGET (fixture->window)));
  g_assert_cmpint (minimum, <=, 360);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (fixture->window)), <=, 360);

  /* The list fills the window. */
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (outer), ==, "content");
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (inner), ==, "list");

  /* Choosing a post shows it; back returns to the list. */
  gtk_single_selection_set_selected (selection, 1);
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (inner), ==, "article");
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.go-back", NULL);
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (inner), ==, "list");
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (outer), ==, "content");

  /* Back again: the sidebar; choosing a row there returns to the list. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.go-back", NULL);
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (outer), ==, "sidebar");
  gtk_widget_activate (GTK_WIDGET (find_row (fixture, TALES_FILTER_FEED, fixture->feed_b, NULL)));
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (outer), ==, "content");
  g_assert_cmpuint (g_list_model_get_n_items (fixture->model), ==, 2);
}

/* Wide, every pane is on screen at once. */
static void
test_wide (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GPtrArray) leaflets = NULL;

  wait_until (is_laid_out, fixture, WAIT_MS);
  leaflets = find_leaflets (fixture);
  g_assert_false (adw_leaflet_get_folded (leaflets->pdata[0]));
  g_assert_false (adw_leaflet_get_folded (leaflets->pdata[1]));
}

/* 9. Zoom --------------------------------------------------------------- */

static void
test_zoom (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  TalesArticleView *view = tales_window_get_article_view (fixture->window);
  WebKitWebView *web_view = tales_article_view_get_web_view (view);
  GtkWidget *window = GTK_WIDGET (fixture->window);

  g_assert_cmpfloat_with_epsilon (tales_article_view_get_zoom (view), 1.0, 0.001);
  gtk_widget_activate_action (window, "win.zoom-in", NULL);
  g_assert_cmpfloat_with_epsilon (tales_article_view_get_zoom (view), 1.1, 0.001);
  g_assert_cmpfloat_with_epsilon (webkit_web_view_get_zoom_level (web_view), 1.1, 0.001);

  /* The zoom is on top of the text size preference, which stays. */
  g_settings_set_double (settings, "article-font-scale", 1.5);
  g_assert_cmpfloat_with_epsilon (webkit_web_view_get_zoom_level (web_view), 1.65, 0.001);
  g_assert_cmpfloat_with_epsilon (tales_article_view_get_font_scale (view), 1.5, 0.001);

  gtk_widget_activate_action (window, "win.zoom-out", NULL);
  gtk_widget_activate_action (window, "win.zoom-out", NULL);
  g_assert_cmpfloat_with_epsilon (tales_article_view_get_zoom (view), 0.9, 0.001);
  for (int i = 0; i < 20; i++)
    gtk_widget_activate_action (window, "win.zoom-out", NULL);
  g_assert_cmpfloat_with_epsilon (tales_article_view_get_zoom (view), 0.5, 0.001);

  gtk_widget_activate_action (window, "win.zoom-reset", NULL);
  g_assert_cmpfloat_with_epsilon (tales_article_view_get_zoom (view), 1.0, 0.001);
  g_assert_cmpfloat_with_epsilon (webkit_web_view_get_zoom_level (web_view), 1.5, 0.001);
  g_settings_reset (settings, "article-font-scale");
}

/* 10. States: no subscriptions, offline with nothing stored -------------- */

static const char *
main_page (Fixture *fixture)
{
  g_autoptr(GPtrArray) stacks = g_ptr_array_new ();

  /* The outermost stack under the header is the window's main stack. */
  tales_test_collect_widgets (GTK_WIDGET (fixture->window), GTK_TYPE_STACK, stacks);
  for (guint i = 0; i < stacks->len; i++)
    if (gtk_stack_get_child_by_name (stacks->pdata[i], "no-feeds") != NULL)
      return gtk_stack_get_visible_child_name (stacks->pdata[i]);
  g_assert_not_reached ();
}

static void
remove_feed (Fixture *fixture,
             gint64   feed_id)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tales_store_remove_feed (fixture->store, feed_id, NULL, &error));
  g_assert_no_error (error);
}

static void
page_changed_cb (GtkStack   *stack,
                 GParamSpec *pspec,
                 gboolean   *said_no_feeds)
{
  if (g_strcmp0 (gtk_stack_get_visible_child_name (stack), "no-feeds") == 0)
    *said_no_feeds = TRUE;
}

/* The sidebar reads the library in a thread after the first frame. Until
 * it knows the feeds, nothing may have the window say "no subscriptions"
 * (a reload that lands overtaken, a refresh that ends at once). */
static void
test_start_never_says_no_feeds (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GPtrArray) stacks = g_ptr_array_new ();
  TalesWindow *window;
  GtkStack *main_stack = NULL;
  gboolean said_no_feeds = FALSE;
  gint64 deadline = g_get_monotonic_time () + (gint64) WAIT_MS * 1000;

  window = g_object_new (TALES_TYPE_WINDOW, "store", fixture->store, "fetcher", fixture->fetcher,
                         "image-cache", fixture->cache, NULL);
  tales_test_collect_widgets (GTK_WIDGET (window), GTK_TYPE_STACK, stacks);
  for (guint i = 0; i < stacks->len && main_stack == NULL; i++)
    if (gtk_stack_get_child_by_name (stacks->pdata[i], "no-feeds") != NULL)
      main_stack = stacks->pdata[i];
  g_assert_nonnull (main_stack);
  g_signal_connect (main_stack, "notify::visible-child-name", G_CALLBACK (page_changed_cb), &said_no_feeds);

  /* Not painted yet: the sidebar shows All Posts only. */
  g_assert_false (tales_sidebar_is_loaded (tales_window_get_sidebar (window)));
  _tales_window_update_library_state (window);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (main_stack), ==, "library");

  gtk_window_present (GTK_WINDOW (window));
  while (tales_sidebar_count_feeds (tales_window_get_sidebar (window)) != 2)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_true (tales_sidebar_is_loaded (tales_window_get_sidebar (window)));
  g_assert_false (said_no_feeds);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (main_stack), ==, "library");

  g_signal_handlers_disconnect_by_data (main_stack, &said_no_feeds);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_no_subscriptions (Fixture       *fixture,
                       gconstpointer  data)
{
  gboolean finished = FALSE;

  g_assert_cmpstr (main_page (fixture), ==, "library");

  /* Both feeds go (as from another window); the next refresh sees it. */
  remove_feed (fixture, fixture->feed_a);
  remove_feed (fixture, fixture->feed_b);
  g_signal_connect_swapped (fixture->window, "refresh-finished", G_CALLBACK (tales_test_set_flag_cb), &finished);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.refresh", NULL);
  tales_test_wait_for (&finished, REFRESH_TIMEOUT_MS);
  g_assert_cmpstr (main_page (fixture), ==, "no-feeds");
}

/* Every label in the window, joined: what the person reads. */
static char *
window_text (Fixture *fixture)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  GString *text = g_string_new (NULL);

  tales_test_collect_widgets (GTK_WIDGET (fixture->window), GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    if (gtk_widget_is_drawable (labels->pdata[i]))
      g_string_append_printf (text, "%s\n", gtk_label_get_text (labels->pdata[i]));
  return g_string_free (text, FALSE);
}

/* 11. Accessibility: every icon-only button says what it does ----------- */

static gboolean
has_label_child (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if ((GTK_IS_LABEL (child) && *gtk_label_get_text (GTK_LABEL (child)) != '\0') || has_label_child (child))
      return TRUE;
  return FALSE;
}

static void
test_accessible_buttons (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();
  guint n_icon_only = 0;

  wait_until (is_laid_out, fixture, WAIT_MS);
  /* Star buttons in the rows, and the article's own widgets. */
  gtk_single_selection_set_selected (tales_window_get_selection (fixture->window), 0);
  tales_test_collect_widgets (GTK_WIDGET (fixture->window), GTK_TYPE_BUTTON, buttons);
  g_assert_cmpuint (buttons->len, >, 5);

  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = buttons->pdata[i];
      GtkWidget *parent = gtk_widget_get_parent (button);
      /* A menu button's own button: the menu button speaks for it. */
      GtkWidget *owner = GTK_IS_MENU_BUTTON (parent) ? parent : button;

      GtkWidget *search_bar = gtk_widget_get_ancestor (button, GTK_TYPE_SEARCH_BAR);

      /* GTK's window controls (minimize, maximize, close) are its own, and
       * so is the search bar's close button, which Tales does not show;
       * a row's spare category chips wait hidden, with no text yet. */
      if ((!gtk_widget_get_visible (button) && gtk_widget_has_css_class (button, "category-chip")) ||
          gtk_widget_get_ancestor (button, GTK_TYPE_WINDOW_CONTROLS) != NULL ||
          (search_bar != NULL && parent != NULL && GTK_IS_CENTER_BOX (parent) &&
           !gtk_search_bar_get_show_close_button (GTK_SEARCH_BAR (search_bar))) ||
          has_label_child (button))
        continue;

      n_icon_only++;
      g_test_message ("Icon-only %s in %s: “%s”", G_OBJECT_TYPE_NAME (owner), G_OBJECT_TYPE_NAME (gtk_widget_get_parent (owner)),
                      gtk_widget_get_tooltip_text (owner) ? gtk_widget_get_tooltip_text (owner) : "(none)");
      g_assert_nonnull (gtk_widget_get_tooltip_text (owner));
      g_assert_cmpstr (gtk_widget_get_tooltip_text (owner), !=, "");
      g_assert_true (gtk_test_accessible_has_property (GTK_ACCESSIBLE (owner), GTK_ACCESSIBLE_PROPERTY_LABEL));
    }
  /* Back, add, refresh, search, menu, and a star per row at least. */
  g_assert_cmpuint (n_icon_only, >=, 10);

  /* The check itself can fail: a bare icon button has no label. */
  {
    GtkWidget *bare = g_object_ref_sink (gtk_button_new_from_icon_name ("list-add-symbolic"));

    g_assert_false (gtk_test_accessible_has_property (GTK_ACCESSIBLE (bare), GTK_ACCESSIBLE_PROPERTY_LABEL));
    g_assert_null (gtk_widget_get_tooltip_text (bare));
    g_object_unref (bare);
  }
}

/* A row's chips and star, clicked: each runs its action on its own post. */
static GtkWidget *
find_button_with_class (GtkWidget  *widget,
                        const char *css_class)
{
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();

  tales_test_collect_widgets (widget, GTK_TYPE_BUTTON, buttons);
  for (guint i = 0; i < buttons->len; i++)
    if (gtk_widget_get_visible (buttons->pdata[i]) && gtk_widget_has_css_class (buttons->pdata[i], css_class))
      return buttons->pdata[i];
  return NULL;
}

static void
test_row_buttons (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  TalesPostRow *row = NULL;
  GtkWidget *chip, *star;
  TalesPost *post;
  const TalesPostFilter *filter;

  wait_until (is_laid_out, fixture, WAIT_MS);
  tales_test_collect_widgets (GTK_WIDGET (fixture->window), TALES_TYPE_POST_ROW, rows);
  for (guint i = 0; i < rows->len && row == NULL; i++)
    {
      TalesPost *shown = tales_post_row_get_post (rows->pdata[i]);

      if (shown != NULL && g_strcmp0 (tales_post_get_title (shown), "Typing the logbook") == 0)
        row = rows->pdata[i];
    }
  g_assert_nonnull (row);
  post = g_object_ref (tales_post_row_get_post (row));

  star = find_button_with_class (GTK_WIDGET (row), "star");
  g_assert_nonnull (star);
  g_assert_false (tales_post_get_is_starred (post));
  g_signal_emit_by_name (star, "clicked");
  g_assert_true (tales_post_get_is_starred (post));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (star), ==, "Unstar (S)");
  g_object_unref (post);

  chip = find_button_with_class (GTK_WIDGET (row), "category-chip");
  g_assert_nonnull (chip);
  g_signal_emit_by_name (chip, "clicked");
  filter = tales_sidebar_get_filter (tales_window_get_sidebar (fixture->window));
  g_assert_cmpuint (filter->kind, ==, TALES_FILTER_CATEGORY);
  g_assert_cmpint (g_ascii_strcasecmp (filter->category, "python"), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (fixture->model), ==, 2);
}

/* 12. Keyboard: F6 goes from pane to pane, Enter on a post opens it ----- */

static gboolean
focus_within (Fixture   *fixture,
              GtkWidget *widget)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (fixture->window));

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

static void
test_keyboard_panes (Fixture       *fixture,
                     gconstpointer  data)
{
  TalesSidebar *sidebar = tales_window_get_sidebar (fixture->window);
  TalesArticleView *view = tales_window_get_article_view (fixture->window);
  g_autoptr(GPtrArray) lists = g_ptr_array_new ();
  GtkWidget *list_view;

  wait_until (is_laid_out, fixture, WAIT_MS);
  tales_test_collect_widgets (GTK_WIDGET (fixture->window), TALES_TYPE_POST_LIST_VIEW, lists);
  g_assert_cmpuint (lists->len, ==, 1);
  list_view = lists->pdata[0];

  gtk_single_selection_set_selected (tales_window_get_selection (fixture->window), 0);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.focus-next-pane", NULL);
  g_assert_true (focus_within (fixture, GTK_WIDGET (sidebar)));
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.focus-next-pane", NULL);
  g_assert_true (focus_within (fixture, list_view));
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.focus-next-pane", NULL);
  g_assert_true (focus_within (fixture, GTK_WIDGET (view)));
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.focus-previous-pane", NULL);
  g_assert_true (focus_within (fixture, list_view));

  /* Enter on the row (the list's activate) takes the focus to the post. */
  g_signal_emit_by_name (list_view, "activate", 0);
  g_assert_true (focus_within (fixture, GTK_WIDGET (view)));
}

/* 13. The application: addresses, files and --refresh ------------------- */

static TalesApplication *
app_new (void)
{
  TalesApplication *app = tales_application_new ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  /* No session bus, no other Tales: this process only. And the default
   * blog stays out (there is no network here). */
  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
  g_settings_set_boolean (settings, "default-feed-subscribed", TRUE);
  return app;
}

static void
app_destroy_windows (TalesApplication *app)
{
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (app)));

  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_destroy (l->data);
  g_list_free (windows);
}

typedef struct {
  TalesStore *store;
  const char *url;
} FeedWait;

static gboolean
has_feed (gpointer data)
{
  FeedWait *wait = data;
  g_autoptr(TalesFeed) feed = tales_store_find_feed_by_url (wait->store, wait->url, NULL);

  return feed != NULL;
}

typedef struct {
  TalesApplication *app;
  const char *text;
} TextWait;

static gboolean
window_says (gpointer data)
{
  TextWait *wait = data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (wait->app));
  Fixture fake = { .window = TALES_WINDOW (window) };
  g_autofree char *text = window_text (&fake);

  return strstr (text, wait->text) != NULL;
}

static void
test_app_open (void)
{
  g_autoptr(TalesApplication) app = app_new ();
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autofree char *web = tales_test_server_url (server, "/web.xml");
  g_autofree char *dir = g_dir_make_tmp ("tales-open-XXXXXX", NULL);
  g_autofree char *opml_path = g_build_filename (dir, "friends.xml", NULL);
  g_autofree char *feed_path = g_build_filename (dir, "saved-feed.xml", NULL);
  g_autofree char *opml = g_strdup_printf ("<?xml version=\"1.0\"?><opml version=\"2.0\"><body>"
                                           "<outline text=\"Friend\" type=\"rss\" xmlUrl=\"%s\"/>"
                                           "</body></opml>", "https://friend.example.test/rss.xml");
  GFile *files[4];
  g_autoptr(GError) error = NULL;
  TalesStore *store;

  g_assert_true (g_file_set_contents (opml_path, opml, -1, NULL));
  g_assert_true (g_file_set_contents (feed_path, alpha_feed, -1, NULL));
  tales_test_server_add_string (server, "/web.xml", "application/rss+xml", alpha_feed);

  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  files[0] = g_file_new_for_commandline_arg (web);
  files[1] = g_file_new_for_commandline_arg ("feed://feeds.example.test/news.xml");
  files[2] = g_file_new_for_commandline_arg (opml_path);
  files[3] = g_file_new_for_commandline_arg (feed_path);
  g_application_open (G_APPLICATION (app), files, G_N_ELEMENTS (files), "");
  store = tales_application_get_store (app);
  g_assert_nonnull (store);
  g_assert_nonnull (gtk_application_get_active_window (GTK_APPLICATION (app)));

  /* http: subscribed and fetched at once; feed:// as https. */
  {
    FeedWait wait = { store, web };
    FeedWait feed_scheme = { store, "https://feeds.example.test/news.xml" };
    FeedWait from_opml = { store, "https://friend.example.test/rss.xml" };
    TextWait refused = { app, "saved-feed.xml" };

    wait_until (has_feed, &wait, WAIT_MS);
    wait_until (has_feed, &feed_scheme, WAIT_MS);
    /* The subscription list is imported, the saved feed refused. */
    wait_until (has_feed, &from_opml, WAIT_MS);
    wait_until (window_says, &refused, WAIT_MS);
  }
  {
    g_autoptr(TalesFeed) saved = NULL;
    g_autofree char *saved_uri = g_file_get_uri (files[3]);

    saved = tales_store_find_feed_by_url (store, saved_uri, NULL);
    g_assert_null (saved);
  }

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    g_object_unref (files[i]);
  app_destroy_windows (app);
  g_unlink (opml_path);
  g_unlink (feed_path);
  g_rmdir (dir);
}

static void
quit_on_refresh_cb (GtkApplication *app,
                    GtkWindow      *window,
                    gpointer        user_data)
{
  g_signal_connect_swapped (window, "refresh-finished", G_CALLBACK (g_application_quit), app);
}

/* Runs Tales with @argv until its first refresh finished. */
static int
run_until_refreshed (const char *extra_arg)
{
  g_autoptr(TalesApplication) app = app_new ();
  char *argv[] = { (char *) "tales", (char *) extra_arg, NULL };
  int status;

  g_signal_connect (app, "window-added", G_CALLBACK (quit_on_refresh_cb), NULL);
  status = g_application_run (G_APPLICATION (app), extra_arg != NULL ? 2 : 1, argv);
  app_destroy_windows (app);
  return status;
}

static void
test_app_refresh (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autofree char *url = tales_test_server_url (server, "/fresh.xml");
  g_autoptr(GError) error = NULL;

  tales_test_server_add_string (server, "/fresh.xml", "application/rss+xml", alpha_feed);

  /* A feed refreshed a minute ago, not due for a day. */
  {
    g_autoptr(TalesStore) store = tales_store_open_default (&error);
    g_autoptr(TalesFeed) feed = NULL;
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
    g_autoptr(GDateTime) before = g_date_time_add_minutes (now, -1);
    g_autoptr(GDateTime) later = g_date_time_add_days (now, 1);

    g_assert_no_error (error);
    feed = tales_store_ensure_feed (store, url, &error);
    g_assert_no_error (error);
    tales_feed_set_last_refresh (feed, before);
    tales_feed_set_next_refresh (feed, later);
    g_assert_true (tales_store_update_feed (store, feed, &error));
    g_assert_no_error (error);
  }

  /* Started plainly, Tales leaves it alone; with --refresh it is fetched. */
  g_assert_cmpint (run_until_refreshed (NULL), ==, 0);
  g_assert_cmpuint (tales_test_server_hits (server, "/fresh.xml"), ==, 0);
  g_assert_cmpint (run_until_refreshed ("--refresh"), ==, 0);
  g_assert_cmpuint (tales_test_server_hits (server, "/fresh.xml"), ==, 1);
}

#define ADD(path, func) \
  g_test_add ("/tales/window/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
#define ADD_NARROW(path, func) \
  g_test_add ("/tales/window/" path, Fixture, "narrow", fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  /* Online whatever the machine's routes say: the server is local. */
  g_setenv ("GIO_USE_NETWORK_MONITOR", "base", TRUE);
  /* GTK's test accessibility backend keeps every accessible property, so
   * the accessible-buttons test can read the labels back. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  if (!tales_test_ui_init (&argc, &argv))
    return 0;

  ADD ("sidebar", test_sidebar);
  ADD ("category-filter", test_category_filter);
  ADD ("search", test_search);
  ADD ("read-and-star", test_read_and_star);
  ADD ("navigation", test_navigation);
  ADD ("refresh-with-failure", test_refresh_with_failure);
  ADD ("preferences", test_preferences);
  ADD_NARROW ("narrow", test_narrow);
  ADD ("wide", test_wide);
  ADD ("zoom", test_zoom);
  ADD ("start-never-says-no-feeds", test_start_never_says_no_feeds);
  ADD ("no-subscriptions", test_no_subscriptions);
  ADD ("accessible-buttons", test_accessible_buttons);
  ADD ("row-buttons", test_row_buttons);
  ADD ("keyboard-panes", test_keyboard_panes);
  g_test_add_func ("/tales/app/open", test_app_open);
  g_test_add_func ("/tales/app/refresh", test_app_refresh);

  return g_test_run ();
}
