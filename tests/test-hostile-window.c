/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The 9 MB title: the app opens in normal time and quits at once.
 *
 * A library written before the parser cut titles may hold an unread post
 * whose title is 9 MB; retention never removes an unread post, so every
 * start read it and handed it to a wrapping label, and the window stayed
 * black for minutes. Here such a post is written straight into the
 * library's SQLite file (no parser, no cut), and the real application
 * starts on it under Xvfb: its rows must be painted, and Ctrl+Q (app.quit)
 * must end it, each within a generous bound. */

#include "config.h"

#include <adwaita.h>
#include <sqlite3.h>
#include <string.h>

#include "tales-application.h"
#include "tales-post-row.h"
#include "tales-test-ui.h"
#include "tales-text-limits.h"

#define HUGE_TITLE_BYTES (9 * 1024 * 1024)
/* Normal start-up here is about a second; before the cut it was minutes. */
#define MAX_OPEN_SECONDS 20.0
#define MAX_QUIT_SECONDS 5.0

typedef struct {
  GApplication *app;
  gint64 started;
  gint64 painted;       /* 0 until the hostile row was painted */
  gint64 quit_asked;
  gsize shown_title_len;
  guint poll_id;
  gulong paint_id;
  GdkFrameClock *clock;
} Run;

/* The row of the hostile post, once it is on screen; NULL before. */
static GtkWidget *
mapped_hostile_row (GtkWindow *window)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  tales_test_collect_widgets (GTK_WIDGET (window), TALES_TYPE_POST_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    {
      TalesPost *post = tales_post_row_get_post (rows->pdata[i]);

      if (post != NULL && g_strcmp0 (tales_post_get_guid (post), "hostile") == 0 &&
          gtk_widget_get_mapped (rows->pdata[i]))
        return rows->pdata[i];
    }
  return NULL;
}

/* The longest text of a label in @row: what Pango has to lay out. */
static gsize
longest_label (GtkWidget *row)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  gsize longest = 0;

  tales_test_collect_widgets (row, GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    longest = MAX (longest, strlen (gtk_label_get_text (labels->pdata[i])));
  return longest;
}

static void
after_paint_cb (GdkFrameClock *clock, Run *run)
{
  run->painted = g_get_monotonic_time ();
  g_clear_signal_handler (&run->paint_id, clock);
  /* What Ctrl+Q does. */
  run->quit_asked = g_get_monotonic_time ();
  g_action_group_activate_action (G_ACTION_GROUP (run->app), "quit", NULL);
}

static gboolean
poll_cb (gpointer data)
{
  Run *run = data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (run->app));
  GtkWidget *row = window ? mapped_hostile_row (window) : NULL;

  if (row == NULL)
    return G_SOURCE_CONTINUE;
  run->shown_title_len = longest_label (row);
  /* Mapped is not yet drawn: the next frame painted shows the row. */
  run->clock = gtk_widget_get_frame_clock (row);
  run->paint_id = g_signal_connect (run->clock, "after-paint", G_CALLBACK (after_paint_cb), run);
  gtk_widget_queue_draw (row);
  run->poll_id = 0;
  return G_SOURCE_REMOVE;
}

static void
startup_cb (GApplication *app, Run *run)
{
  run->poll_id = g_timeout_add (20, poll_cb, run);
}

/* A feed of three unread posts, not due for a refresh; then the middle
 * one's title is made 9 MB behind the store's back, as an old library
 * has it. */
static void
write_library (const char *feed_url)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesStore) store = tales_store_open_default (&error);
  g_autoptr(TalesFeed) feed = NULL;
  g_autoptr(GPtrArray) posts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) before = g_date_time_add_minutes (now, -1);
  g_autoptr(GDateTime) later = g_date_time_add_days (now, 1);
  static const char * const guids[] = { "first", "hostile", "last" };
  g_autofree char *path = NULL;
  g_autofree char *title = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint n_new = 0, n_updated = 0;

  g_assert_no_error (error);
  feed = tales_store_ensure_feed (store, feed_url, &error);
  g_assert_no_error (error);
  tales_feed_set_title (feed, "Hostile");
  tales_feed_set_last_refresh (feed, before);
  tales_feed_set_next_refresh (feed, later);
  g_assert_true (tales_store_update_feed (store, feed, &error));
  for (guint i = 0; i < G_N_ELEMENTS (guids); i++)
    {
      TalesPost *post = tales_post_new ();
      g_autoptr(GDateTime) date = g_date_time_add_hours (now, -(int) i);

      tales_post_set_guid (post, guids[i]);
      tales_post_set_title (post, guids[i]);
      tales_post_set_content (post, "<p>Body.</p>");
      tales_post_set_published (post, date);
      g_ptr_array_add (posts, post);
    }
  g_assert_true (tales_store_merge_posts (store, tales_feed_get_db_id (feed), posts,
                                          &n_new, &n_updated, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_new, ==, 3);
  path = g_strdup (tales_store_get_path (store));
  g_clear_object (&store);

  /* A long title of words, as a real one: Pango wraps and shapes it. */
  {
    GString *text = g_string_sized_new (HUGE_TITLE_BYTES + 16);

    while (text->len < HUGE_TITLE_BYTES)
      g_string_append (text, "lighthouse keeper ");
    title = g_string_free (text, FALSE);
  }
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "UPDATE posts SET title = ? WHERE guid = 'hostile'",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, title, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  g_assert_cmpint (sqlite3_changes (db), ==, 1);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static void
test_huge_title (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autofree char *url = tales_test_server_url (server, "/hostile.xml");
  g_autoptr(TalesApplication) app = tales_application_new ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  char *argv[] = { (char *) "tales", NULL };
  Run run = { 0 };
  double open_seconds, quit_seconds;
  GList *windows;

  write_library (url);
  /* This process only, and the default blog stays out (no network). */
  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
  g_settings_set_boolean (settings, "default-feed-subscribed", TRUE);

  run.app = G_APPLICATION (app);
  g_signal_connect (app, "startup", G_CALLBACK (startup_cb), &run);
  run.started = g_get_monotonic_time ();
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 1, argv), ==, 0);
  quit_seconds = (g_get_monotonic_time () - run.quit_asked) / (double) G_USEC_PER_SEC;

  g_assert_cmpint (run.painted, >, 0);
  open_seconds = (run.painted - run.started) / (double) G_USEC_PER_SEC;
  g_test_message ("rows painted after %.2f s, quit in %.2f s, longest label %" G_GSIZE_FORMAT " bytes",
                  open_seconds, quit_seconds, run.shown_title_len);
  g_assert_cmpfloat (open_seconds, <, MAX_OPEN_SECONDS);
  g_assert_cmpfloat (quit_seconds, <, MAX_QUIT_SECONDS);
  /* What the row laid out is the title cut to its limit, not 9 MB. */
  g_assert_cmpuint (run.shown_title_len, >, 0);
  g_assert_cmpuint (run.shown_title_len, <=, TALES_MAX_TITLE_BYTES);

  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (app)));
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_destroy (l->data);
  g_list_free (windows);
  g_clear_handle_id (&run.poll_id, g_source_remove);
}

int
main (int argc, char *argv[])
{
  g_setenv ("GIO_USE_NETWORK_MONITOR", "base", TRUE);
  if (!tales_test_ui_init (&argc, &argv))
    return 0;

  g_test_add_func ("/tales/hostile-window/huge-title", test_huge_title);
  return g_test_run ();
}
