/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The post list view over a real store of 1,000 posts, in a real window
 * under Xvfb: it makes row widgets only for what is on screen, shows the
 * right post in each, scrolls to a row, keeps the posts on screen in place
 * when new ones arrive above them, and moves the selection by keyboard
 * action. */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "tales-post-list.h"
#include "tales-post-list-view-private.h"
#include "tales-post-row.h"
#include "tales-test-utils.h"

#define N_POSTS 1000
#define WAIT_MS 20000

typedef struct {
  char *dir;
  TalesStore *store;
  gint64 feed_id;
  TalesPostList *posts;
  GtkSingleSelection *selection;
  GtkWindow *window;
  TalesPostListView *view;
  guint n_activated;
  guint activated;
} Fixture;

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

typedef gboolean (*Condition) (Fixture *fixture);

static void
wait_until (Fixture *fixture, Condition condition)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) WAIT_MS * 1000;
  guint wake = g_timeout_add (10, wake_cb, NULL);

  while (!condition (fixture))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out after %u ms", WAIT_MS);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake);
}

/* Lets GTK lay out and draw what changed. */
static void
settle (void)
{
  gint64 until = g_get_monotonic_time () + 200 * 1000;
  guint wake = g_timeout_add (10, wake_cb, NULL);

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
}

/* Post @i is "Post i", a day older than post i - 1; every third has a long
 * title that wraps, every other has a category. */
static TalesPost *
make_post (guint i, guint day_offset)
{
  g_autoptr(GDateTime) start = g_date_time_new_utc (2024, 1, 1, 12, 0, 0);
  g_autoptr(GDateTime) date = g_date_time_add_days (start, (int) (N_POSTS + day_offset - i));
  g_autofree char *guid = g_strdup_printf ("post-%u-%u", day_offset, i);
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  const char *categories[] = { "lighthouses", NULL };
  TalesPost *post;

  if (i % 3 == 0)
    title = g_strdup_printf ("Post %u, whose title goes on about lamps, lenses, fog signals and the "
                             "keepers who tend them through the night", i);
  else
    title = g_strdup_printf ("Post %u", i);
  post = tales_test_make_post (guid, title, g_date_time_to_unix (date));
  /* Each post its own body: a new guid with the same link, title and body
   * would be the same post (see post_identity in tales-store-merge.c). */
  body = g_strdup_printf ("<p>Body of %s.</p>", guid);
  tales_post_set_content (post, body);
  if (i % 2 == 0)
    tales_post_set_categories (post, categories);
  return post;
}

static void
merge (Fixture *fixture, guint n, guint day_offset)
{
  g_autoptr(GPtrArray) posts = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (posts, make_post (i, day_offset));
  g_assert_cmpuint (tales_test_merge (fixture->store, fixture->feed_id, posts, NULL), ==, n);
}

static void
activate_cb (TalesPostListView *view, guint position, Fixture *fixture)
{
  fixture->n_activated++;
  fixture->activated = position;
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;
  GtkWidget *scrolled;

  /* Not GLib's isolated test dirs: GTK would find no MIME database there,
   * and so no loader for its own icons. */
  fixture->dir = g_dir_make_tmp ("tales-post-list-view-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (fixture->dir, "tales.db", NULL);
  fixture->store = tales_test_open_store (db);
  fixture->feed_id = tales_test_add_feed (fixture->store, "http://127.0.0.1:9/feed.xml", NULL);
  merge (fixture, N_POSTS, 0);

  fixture->posts = tales_post_list_new (fixture->store);
  g_assert_true (tales_post_list_reload (fixture->posts, &error));
  g_assert_no_error (error);
  fixture->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (fixture->posts)));
  gtk_single_selection_set_autoselect (fixture->selection, FALSE);
  gtk_single_selection_set_can_unselect (fixture->selection, TRUE);
  gtk_single_selection_set_selected (fixture->selection, GTK_INVALID_LIST_POSITION);

  fixture->view = TALES_POST_LIST_VIEW (tales_post_list_view_new ());
  tales_post_list_view_set_model (fixture->view, GTK_SELECTION_MODEL (fixture->selection));
  g_signal_connect (fixture->view, "activate", G_CALLBACK (activate_cb), fixture);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (fixture->view));

  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, 400, 600);
  gtk_window_set_child (fixture->window, scrolled);
  gtk_window_present (fixture->window);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  gtk_window_destroy (fixture->window);
  g_clear_object (&fixture->selection);
  g_clear_object (&fixture->posts);
  g_clear_object (&fixture->store);
  for (guint i = 0; i < 3; i++)
    {
      static const char * const names[] = { "tales.db", "tales.db-wal", "tales.db-shm" };
      g_autofree char *path = g_build_filename (fixture->dir, names[i], NULL);

      g_remove (path);
    }
  g_assert_no_errno (g_rmdir (fixture->dir));
  g_free (fixture->dir);
}

/* The rows on screen, top to bottom. */
static GPtrArray *
rows_on_screen (Fixture *fixture)
{
  GtkWidget *view = GTK_WIDGET (fixture->view);
  GPtrArray *rows = g_ptr_array_new ();
  int height = gtk_widget_get_height (view);

  for (GtkWidget *child = gtk_widget_get_first_child (view); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      graphene_rect_t bounds;

      if (!TALES_IS_POST_ROW (child) || !gtk_widget_get_mapped (child) ||
          tales_post_row_get_post (TALES_POST_ROW (child)) == NULL ||
          !gtk_widget_compute_bounds (child, view, &bounds))
        continue;
      if (bounds.origin.y + bounds.size.height > 0 && bounds.origin.y < height)
        g_ptr_array_add (rows, child);
    }
  return rows;
}

static float
row_top (Fixture *fixture, GtkWidget *row)
{
  graphene_rect_t bounds;

  g_assert_true (gtk_widget_compute_bounds (row, GTK_WIDGET (fixture->view), &bounds));
  return bounds.origin.y;
}

static gint64
post_id_at (Fixture *fixture, guint position)
{
  g_autoptr(TalesPost) post = g_list_model_get_item (G_LIST_MODEL (fixture->posts), position);

  return tales_post_get_db_id (post);
}

/* The post shown at the top of the view. */
static gint64
top_post_id (Fixture *fixture)
{
  g_autoptr(GPtrArray) rows = rows_on_screen (fixture);
  GtkWidget *top = NULL;

  for (guint i = 0; i < rows->len; i++)
    if (top == NULL || row_top (fixture, rows->pdata[i]) < row_top (fixture, top))
      top = rows->pdata[i];
  return top != NULL ? tales_post_get_db_id (tales_post_row_get_post (TALES_POST_ROW (top))) : 0;
}

/* Every row on screen shows the post of its position, rows are one
 * height, stacked without gaps. */
static void
assert_rows_match_positions (Fixture *fixture)
{
  g_autoptr(GPtrArray) rows = rows_on_screen (fixture);
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (fixture->view));
  double value = gtk_adjustment_get_value (adjustment);
  int height = 0;

  g_assert_cmpuint (rows->len, >, 0);
  for (guint i = 0; i < rows->len; i++)
    {
      GtkWidget *row = rows->pdata[i];
      TalesPost *post = tales_post_row_get_post (TALES_POST_ROW (row));
      guint position;

      if (height == 0)
        height = gtk_widget_get_height (row);
      g_assert_cmpint (gtk_widget_get_height (row), ==, height);
      position = (guint) ((row_top (fixture, row) + value + height / 2.0) / height);
      g_assert_cmpint (tales_post_get_db_id (post), ==, post_id_at (fixture, position));
    }
}

static gboolean
shows_rows (Fixture *fixture)
{
  g_autoptr(GPtrArray) rows = rows_on_screen (fixture);

  return rows->len > 0;
}

static gboolean
shows_last_post (Fixture *fixture)
{
  gint64 last = post_id_at (fixture, g_list_model_get_n_items (G_LIST_MODEL (fixture->posts)) - 1);
  g_autoptr(GPtrArray) rows = rows_on_screen (fixture);

  for (guint i = 0; i < rows->len; i++)
    if (tales_post_get_db_id (tales_post_row_get_post (rows->pdata[i])) == last &&
        row_top (fixture, rows->pdata[i]) + gtk_widget_get_height (rows->pdata[i]) <=
        gtk_widget_get_height (GTK_WIDGET (fixture->view)) + 0.5)
      return TRUE;
  return FALSE;
}

static void
test_rows_on_screen_only (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) rows = NULL;
  guint n_widgets;

  wait_until (fixture, shows_rows);
  settle ();
  rows = rows_on_screen (fixture);
  n_widgets = _tales_post_list_view_get_n_row_widgets (fixture->view);
  /* 600 px of 1,000 posts: a handful of rows, one more for a part row. */
  g_assert_cmpuint (rows->len, >=, 3);
  g_assert_cmpuint (n_widgets, <=, rows->len + 1);
  g_assert_cmpint (top_post_id (fixture), ==, post_id_at (fixture, 0));
  assert_rows_match_positions (fixture);

  /* Scrolling by hand, half-way: the same few widgets show other posts. */
  gtk_adjustment_set_value (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (fixture->view)),
                            500.5 * gtk_widget_get_height (rows->pdata[0]));
  settle ();
  assert_rows_match_positions (fixture);
  g_assert_cmpint (top_post_id (fixture), ==, post_id_at (fixture, 500));
  g_assert_cmpuint (_tales_post_list_view_get_n_row_widgets (fixture->view), <=, n_widgets + 1);
}

static void
test_scroll_to_end (Fixture *fixture, gconstpointer data)
{
  guint n_widgets;

  wait_until (fixture, shows_rows);
  n_widgets = _tales_post_list_view_get_n_row_widgets (fixture->view);
  tales_post_list_view_scroll_to (fixture->view, N_POSTS - 1);
  wait_until (fixture, shows_last_post);
  assert_rows_match_positions (fixture);
  g_assert_cmpuint (_tales_post_list_view_get_n_row_widgets (fixture->view), <=, n_widgets + 1);

  /* And back to a row above: it comes to the top edge. */
  tales_post_list_view_scroll_to (fixture->view, 10);
  settle ();
  g_assert_cmpint (top_post_id (fixture), ==, post_id_at (fixture, 10));
}

/* New posts land above: the post a person is reading down to stays put;
 * at the very top, the new posts show. */
static void
test_new_posts_above (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  gint64 top_before;

  wait_until (fixture, shows_rows);
  settle ();
  rows = rows_on_screen (fixture);
  gtk_adjustment_set_value (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (fixture->view)),
                            200.0 * gtk_widget_get_height (rows->pdata[0]));
  settle ();
  top_before = top_post_id (fixture);
  g_assert_cmpint (top_before, ==, post_id_at (fixture, 200));

  merge (fixture, 5, 100);  /* five newer posts */
  g_assert_true (tales_post_list_reload (fixture->posts, &error));
  g_assert_no_error (error);
  settle ();
  g_assert_cmpint (top_post_id (fixture), ==, top_before);
  g_assert_cmpint (post_id_at (fixture, 205), ==, top_before);
  assert_rows_match_positions (fixture);

  gtk_adjustment_set_value (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (fixture->view)), 0);
  settle ();
  merge (fixture, 3, 200);  /* three more, newer still */
  g_assert_true (tales_post_list_reload (fixture->posts, &error));
  settle ();
  g_assert_cmpint (top_post_id (fixture), ==, post_id_at (fixture, 0));
  assert_rows_match_positions (fixture);
}

static gboolean
row_is_selected (Fixture *fixture, guint position)
{
  g_autoptr(GPtrArray) rows = rows_on_screen (fixture);
  gint64 id = post_id_at (fixture, position);

  for (guint i = 0; i < rows->len; i++)
    if (tales_post_get_db_id (tales_post_row_get_post (rows->pdata[i])) == id)
      return (gtk_widget_get_state_flags (rows->pdata[i]) & GTK_STATE_FLAG_SELECTED) != 0;
  return FALSE;
}

static void
test_keyboard (Fixture *fixture, gconstpointer data)
{
  GtkWidget *view = GTK_WIDGET (fixture->view);

  wait_until (fixture, shows_rows);

  /* Down with nothing selected starts at the top. */
  gtk_widget_activate_action (view, "list.move-cursor", "(ii)", 1, 0);
  g_assert_cmpuint (gtk_single_selection_get_selected (fixture->selection), ==, 0);
  gtk_widget_activate_action (view, "list.move-cursor", "(ii)", 1, 0);
  gtk_widget_activate_action (view, "list.move-cursor", "(ii)", 1, 0);
  g_assert_cmpuint (gtk_single_selection_get_selected (fixture->selection), ==, 2);
  settle ();
  g_assert_true (row_is_selected (fixture, 2));
  g_assert_false (row_is_selected (fixture, 1));

  /* A page down moves by the rows that fit, and shows the row. */
  gtk_widget_activate_action (view, "list.move-cursor", "(ii)", 0, 1);
  g_assert_cmpuint (gtk_single_selection_get_selected (fixture->selection), >, 3);
  settle ();
  g_assert_true (row_is_selected (fixture, gtk_single_selection_get_selected (fixture->selection)));

  /* End, then Enter. */
  gtk_widget_activate_action (view, "list.move-cursor", "(ii)", G_MAXINT / 2, 0);
  g_assert_cmpuint (gtk_single_selection_get_selected (fixture->selection), ==, N_POSTS - 1);
  wait_until (fixture, shows_last_post);
  gtk_widget_activate_action (view, "list.activate-cursor", NULL);
  g_assert_cmpuint (fixture->n_activated, ==, 1);
  g_assert_cmpuint (fixture->activated, ==, N_POSTS - 1);

  /* Up past the top stays at the top. */
  gtk_widget_activate_action (view, "list.move-cursor", "(ii)", -G_MAXINT / 2, 0);
  gtk_widget_activate_action (view, "list.move-cursor", "(ii)", -1, 0);
  g_assert_cmpuint (gtk_single_selection_get_selected (fixture->selection), ==, 0);
}

/* Another filter: the same widgets show the new list, from its top even
 * when the old one was scrolled down. */
static void
test_filter_change (Fixture *fixture, gconstpointer data)
{
  TalesPostFilter filter = { .kind = TALES_FILTER_CATEGORY, .category = "lighthouses" };
  g_autoptr(GError) error = NULL;
  guint n_widgets;

  wait_until (fixture, shows_rows);
  settle ();
  n_widgets = _tales_post_list_view_get_n_row_widgets (fixture->view);
  tales_post_list_view_scroll_to (fixture->view, 600);
  settle ();
  g_assert_cmpint (top_post_id (fixture), !=, post_id_at (fixture, 0));
  g_assert_true (tales_post_list_set_filter (fixture->posts, &filter, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->posts)), ==, N_POSTS / 2);
  settle ();
  assert_rows_match_positions (fixture);
  g_assert_cmpint (top_post_id (fixture), ==, post_id_at (fixture, 0));
  g_assert_cmpuint (_tales_post_list_view_get_n_row_widgets (fixture->view), <=, n_widgets + 1);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  tales_core_init ();
  gtk_init ();
  adw_init ();

#define ADD(path, func) \
  g_test_add ("/tales/post-list-view/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("rows-on-screen-only", test_rows_on_screen_only);
  ADD ("scroll-to-end", test_scroll_to_end);
  ADD ("new-posts-above", test_new_posts_above);
  ADD ("keyboard", test_keyboard);
  ADD ("filter-change", test_filter_change);
#undef ADD

  return g_test_run ();
}
