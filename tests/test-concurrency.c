/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The main thread never waits for a store write: reads run on the store's
 * reader connection beside a write transaction held open in another
 * thread, and the refresh and the image cache make their writes in worker
 * threads. Real SQLite files in the test's own dirs, real HTTP on
 * 127.0.0.1. */

/* SCHED_IDLE is a GNU name. */
#define _GNU_SOURCE

#include "tales-core.h"
#include "tales-post-list-private.h"
#include "tales-store-private.h"
#include "tales-test-utils.h"
#include "tales-thread.h"

#include <glib/gstdio.h>
#ifdef __linux__
#include <sched.h>
#endif

/* How long the holder keeps its transaction open at most: a read that
 * waited for it would come back only after this, and fail the test. */
#define HOLD_LIMIT_S 10

/* A thread that holds the store's writer in the middle of a write
 * transaction until told to let go. */
typedef struct {
  TalesStore *store;
  GThread *thread;
  GMutex mutex;
  GCond cond;
  gboolean holding;
  gboolean release;
  gboolean released;
} Holder;

static gboolean
hold_locked (TalesStore *store, gpointer data, GError **error)
{
  Holder *holder = data;
  sqlite3_stmt *stmt = tales_store_prepare_statement (store,
    "INSERT INTO feeds (url, added) "
    "VALUES ('http://127.0.0.1:9/held.xml', 0)", error);
  gint64 end = g_get_monotonic_time () + HOLD_LIMIT_S * G_TIME_SPAN_SECOND;
  gboolean ok;

  if (stmt == NULL)
    return FALSE;
  ok = tales_store_step_done (store, stmt, error);
  sqlite3_reset (stmt);

  g_mutex_lock (&holder->mutex);
  holder->holding = TRUE;
  g_cond_broadcast (&holder->cond);
  while (!holder->release)
    if (!g_cond_wait_until (&holder->cond, &holder->mutex, end))
      break;
  g_mutex_unlock (&holder->mutex);
  return ok;
}

static gpointer
holder_thread (gpointer data)
{
  Holder *holder = data;
  g_autoptr(GError) error = NULL;

  {
    G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = tales_store_lock (holder->store, "Holding");

    g_assert_true (tales_store_transaction (holder->store, TRUE, hold_locked, holder, &error));
    g_assert_no_error (error);
  }
  g_mutex_lock (&holder->mutex);
  holder->released = TRUE;
  g_cond_broadcast (&holder->cond);
  g_mutex_unlock (&holder->mutex);
  return NULL;
}

/* Returns once the holder is inside its transaction. */
static Holder *
holder_start (TalesStore *store)
{
  Holder *holder = g_new0 (Holder, 1);

  holder->store = g_object_ref (store);
  g_mutex_init (&holder->mutex);
  g_cond_init (&holder->cond);
  holder->thread = g_thread_new ("holder", holder_thread, holder);
  g_mutex_lock (&holder->mutex);
  while (!holder->holding)
    g_cond_wait (&holder->cond, &holder->mutex);
  g_mutex_unlock (&holder->mutex);
  return holder;
}

static gboolean
holder_released (Holder *holder)
{
  gboolean released;

  g_mutex_lock (&holder->mutex);
  released = holder->released;
  g_mutex_unlock (&holder->mutex);
  return released;
}

/* Commits the held transaction and waits for the thread. */
static void
holder_finish (Holder *holder)
{
  g_mutex_lock (&holder->mutex);
  holder->release = TRUE;
  g_cond_broadcast (&holder->cond);
  g_mutex_unlock (&holder->mutex);
  g_thread_join (holder->thread);
  g_mutex_clear (&holder->mutex);
  g_cond_clear (&holder->cond);
  g_object_unref (holder->store);
  g_free (holder);
}

/* Adds @n posts to a new feed at @url; returns the feed's id. */
static gint64
add_posts (TalesStore *store, const char *url, guint n, gint64 first_date)
{
  gint64 feed_id = tales_test_add_feed (store, url, NULL);
  g_autoptr(GPtrArray) posts = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *guid = g_strdup_printf ("%s#%u", url, i);

      g_ptr_array_add (posts, tales_test_make_post (guid, guid, first_date + i));
    }
  tales_test_merge (store, feed_id, posts, NULL);
  return feed_id;
}

/* 1. Reads beside a write ------------------------------------------------ */

static void
test_read_beside_write (void)
{
  g_autoptr(TalesStore) store = tales_test_open_store (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GPtrArray) feeds = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  TalesPostFilter all = { TALES_FILTER_ALL, 0, NULL, NULL };
  Holder *holder;

  add_posts (store, "http://127.0.0.1:9/a.xml", 120, 1700000000);
  holder = holder_start (store);

  /* Each of these would wait for the holder (and come back after
   * HOLD_LIMIT_S) if reads shared the writer's connection. */
  ids = tales_store_query_post_ids (store, &all, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 120);
  rows = tales_store_load_post_rows (store, (gint64 *) (gpointer) ids->data, 50, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 50);
  g_assert_cmpuint (tales_store_count_unread (store, &error), ==, 120);
  g_assert_no_error (error);
  /* The held transaction is not committed: the reader does not see it. */
  feeds = tales_store_list_feeds (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (feeds->len, ==, 1);
  g_assert_false (holder_released (holder));

  holder_finish (holder);
  g_clear_pointer (&feeds, g_ptr_array_unref);
  /* Committed now: the reader sees it at once. */
  feeds = tales_store_list_feeds (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (feeds->len, ==, 2);
}

/* A long read (the sidebar's counts, in a worker thread) does not hold
 * up another read: each takes a reader connection of its own. */
static gpointer
hold_reader_thread (gpointer data)
{
  Holder *holder = data;
  TalesStore *store = holder->store;
  gint64 end = g_get_monotonic_time () + HOLD_LIMIT_S * G_TIME_SPAN_SECOND;
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = tales_store_lock_read (&store, "Reading");

  g_assert_true (store != holder->store);
  g_mutex_lock (&holder->mutex);
  holder->holding = TRUE;
  g_cond_broadcast (&holder->cond);
  while (!holder->release)
    if (!g_cond_wait_until (&holder->cond, &holder->mutex, end))
      break;
  holder->released = TRUE;
  g_mutex_unlock (&holder->mutex);
  return NULL;
}

static void
test_read_beside_read (void)
{
  g_autoptr(TalesStore) store = tales_test_open_store (NULL);
  g_autoptr(GError) error = NULL;
  Holder holder = { 0 };

  add_posts (store, "http://127.0.0.1:9/r.xml", 7, 1700000000);
  holder.store = store;
  g_mutex_init (&holder.mutex);
  g_cond_init (&holder.cond);
  holder.thread = g_thread_new ("reader", hold_reader_thread, &holder);
  g_mutex_lock (&holder.mutex);
  while (!holder.holding)
    g_cond_wait (&holder.cond, &holder.mutex);
  g_mutex_unlock (&holder.mutex);

  g_assert_cmpuint (tales_store_count_unread (store, &error), ==, 7);
  g_assert_no_error (error);
  g_assert_false (holder_released (&holder));

  g_mutex_lock (&holder.mutex);
  holder.release = TRUE;
  g_cond_broadcast (&holder.cond);
  g_mutex_unlock (&holder.mutex);
  g_thread_join (holder.thread);
  g_mutex_clear (&holder.mutex);
  g_cond_clear (&holder.cond);
}

/* A write made on the writer is seen by the very next read. */
static void
test_read_after_write (void)
{
  g_autoptr(TalesStore) store = tales_test_open_store (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesPost) post = NULL;
  gint64 feed_id = add_posts (store, "http://127.0.0.1:9/b.xml", 3, 1700000000);
  TalesPostFilter unread = { TALES_FILTER_UNREAD, 0, NULL, NULL };
  g_autoptr(GArray) ids = tales_store_query_post_ids (store, &unread, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 3);
  g_assert_true (tales_store_set_read (store, g_array_index (ids, gint64, 0), TRUE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tales_store_count_unread (store, &error), ==, 2);
  post = tales_store_load_post (store, g_array_index (ids, gint64, 0), &error);
  g_assert_no_error (error);
  g_assert_true (tales_post_get_is_read (post));
  g_assert_cmpuint (tales_store_count_posts (store, feed_id, &error), ==, 3);
  g_assert_no_error (error);
}

/* 2. The post list's reload in the background ---------------------------- */

typedef struct {
  gboolean done;
  gboolean ok;
  GError *error;
  guint n_changes;
} Reloaded;

static void
items_changed_cb (GListModel *model, guint position, guint removed, guint added, Reloaded *reloaded)
{
  reloaded->n_changes++;
}

static void
reloaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Reloaded *reloaded = user_data;

  reloaded->ok = tales_post_list_reload_finish (TALES_POST_LIST (source), result, &reloaded->error);
  reloaded->done = TRUE;
}

static void
test_post_list_reload_async (void)
{
  g_autoptr(TalesStore) store = tales_test_open_store (NULL);
  g_autoptr(TalesPostList) list = tales_post_list_new (store);
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesPost) top = NULL;
  TalesPostFilter all = { TALES_FILTER_ALL, 0, NULL, NULL };
  Reloaded reloaded = { 0 };
  Holder *holder;

  add_posts (store, "http://127.0.0.1:9/c.xml", 10, 1700000000);
  g_assert_true (tales_post_list_set_filter (list, &all, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 10);
  add_posts (store, "http://127.0.0.1:9/d.xml", 5, 1800000000);
  g_signal_connect (list, "items-changed", G_CALLBACK (items_changed_cb), &reloaded);

  /* A write held open does not hold up the reload either. */
  holder = holder_start (store);
  tales_post_list_reload_async (list, NULL, reloaded_cb, &reloaded);
  /* Nothing changes before the answer is applied. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 10);
  tales_test_wait_for (&reloaded.done, 5000);
  g_assert_false (holder_released (holder));
  holder_finish (holder);

  g_assert_no_error (reloaded.error);
  g_assert_true (reloaded.ok);
  g_assert_cmpuint (reloaded.n_changes, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 15);
  top = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_cmpstr (tales_post_get_title (top), ==, "http://127.0.0.1:9/d.xml#4");
}

/* An answer that a later set_filter overtook is dropped. */
static void
test_post_list_reload_overtaken (void)
{
  g_autoptr(TalesStore) store = tales_test_open_store (NULL);
  g_autoptr(TalesPostList) list = tales_post_list_new (store);
  g_autoptr(GError) error = NULL;
  TalesPostFilter all = { TALES_FILTER_ALL, 0, NULL, NULL };
  TalesPostFilter one_feed = { TALES_FILTER_FEED, 0, NULL, NULL };
  Reloaded reloaded = { 0 };

  add_posts (store, "http://127.0.0.1:9/e.xml", 4, 1700000000);
  one_feed.feed_id = add_posts (store, "http://127.0.0.1:9/f.xml", 2, 1700000100);
  g_assert_true (tales_post_list_set_filter (list, &all, &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 6);

  tales_post_list_reload_async (list, NULL, reloaded_cb, &reloaded);
  g_assert_true (tales_post_list_set_filter (list, &one_feed, &error));
  g_assert_no_error (error);
  g_signal_connect (list, "items-changed", G_CALLBACK (items_changed_cb), &reloaded);
  tales_test_wait_for (&reloaded.done, 5000);

  g_assert_true (reloaded.ok);
  g_assert_cmpuint (reloaded.n_changes, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);
}

/* 3. A refresh makes its writes in worker threads ------------------------- */

/* A feed with one post showing @pic and @missing. */
static char *
feed_xml (const char *pic, const char *missing)
{
  return g_strdup_printf ("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Held</title>"
                          "<link>https://example.test/</link>"
                          "<item><title>One</title><guid>one</guid><description>&lt;img src=\"%s\"&gt;"
                          "&lt;img src=\"%s\"&gt;</description></item>"
                          "</channel></rss>", pic, missing);
}

static void
test_refresh_never_waits (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autoptr(TalesStore) store = tales_test_open_store (NULL);
  g_autoptr(TalesFetcher) fetcher = tales_fetcher_new ();
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "images", NULL);
  g_autoptr(TalesImageCache) images = tales_image_cache_new (store, fetcher, dir);
  g_autoptr(GBytes) png = tales_test_make_image (4, 4, 0x336699, "png");
  g_autofree char *url = tales_test_server_url (server, "/feed.xml");
  g_autofree char *pic = tales_test_server_url (server, "/pic.png");
  g_autofree char *missing = tales_test_server_url (server, "/missing.png");
  g_autoptr(TalesImageRecord) cached = NULL;
  g_autoptr(TalesImageRecord) failed = NULL;
  g_autoptr(TalesFeed) feed = NULL;
  g_autofree char *xml = feed_xml (pic, missing);
  g_autoptr(GError) error = NULL;
  TalesTestRefresh refreshed;
  Holder *holder;

  tales_test_server_add_string (server, "/feed.xml", "application/rss+xml", xml);
  tales_test_server_add_bytes (server, "/pic.png", "image/png", png);
  tales_test_server_add_status (server, "/missing.png", 404);

  /* Subscribing is a write: it used to wait for the holder right here. */
  holder = holder_start (store);
  tales_test_refresh_start (&refreshed, store, fetcher, images, url);
  g_assert_false (holder_released (holder));
  g_assert_false (refreshed.done);
  holder_finish (holder);

  tales_test_refresh_wait (&refreshed);
  g_assert_no_error (refreshed.error);
  g_assert_true (refreshed.ok);
  g_assert_cmpuint (refreshed.report.n_new, ==, 1);
  g_assert_cmpuint (refreshed.report.n_images_cached, ==, 1);
  g_assert_cmpuint (refreshed.report.n_images_failed, ==, 1);

  /* What the worker threads recorded. */
  feed = tales_store_find_feed_by_url (store, url, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tales_feed_get_title (feed), ==, "Held");
  cached = tales_store_get_image (store, pic, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cached->state, ==, TALES_IMAGE_CACHED);
  failed = tales_store_get_image (store, missing, &error);
  g_assert_no_error (error);
  g_assert_cmpint (failed->state, ==, TALES_IMAGE_FAILED);
  g_assert_nonnull (failed->error);
}

/* A failed refresh saves the feed's error in a worker thread, and still
 * returns the fetch's error. */
static void
test_refresh_failure_saved (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autoptr(TalesStore) store = tales_test_open_store (NULL);
  g_autoptr(TalesFetcher) fetcher = tales_fetcher_new ();
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "images", NULL);
  g_autoptr(TalesImageCache) images = tales_image_cache_new (store, fetcher, dir);
  g_autofree char *url = tales_test_server_url (server, "/gone.xml");
  g_autoptr(TalesFeed) feed = NULL;
  g_autoptr(GError) error = NULL;
  TalesTestRefresh refreshed;

  tales_test_server_add_status (server, "/gone.xml", 404);
  tales_test_refresh_start (&refreshed, store, fetcher, images, url);
  tales_test_refresh_wait (&refreshed);
  g_assert_false (refreshed.ok);
  g_assert_nonnull (refreshed.error);
  g_assert_false (g_error_matches (refreshed.error, G_IO_ERROR, G_IO_ERROR_CANCELLED));

  feed = tales_store_find_feed_by_url (store, url, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tales_feed_get_last_error (feed), ==, refreshed.error->message);
  g_clear_error (&refreshed.error);
}

#ifdef __linux__
static void
policy_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  g_task_return_int (task, sched_getscheduler (0));
}

static void
policy_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  int *policy = user_data;

  *policy = (int) g_task_propagate_int (G_TASK (result), NULL);
}

/* The scheduling policy of a thread from tales_thread_run_task_in_background(). */
static int
background_policy (void)
{
  int policy = -1;
  g_autoptr(GTask) task = g_task_new (NULL, NULL, policy_done_cb, &policy);

  tales_thread_run_task_in_background (task, policy_thread);
  while (policy == -1)
    g_main_context_iteration (NULL, TRUE);
  return policy;
}

/* A command-line run keeps its threads at normal priority; the app's go to
 * the idle class, which a thread that wakes up always preempts. */
static void
test_background_priority (void)
{
  g_assert_cmpint (background_policy (), ==, SCHED_OTHER);
  tales_thread_enable_background_priority ();
  g_assert_cmpint (background_policy (), ==, SCHED_IDLE);
}
#endif

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  tales_core_init ();

  g_test_add_func ("/tales/concurrency/store/read-beside-write", test_read_beside_write);
  g_test_add_func ("/tales/concurrency/store/read-beside-read", test_read_beside_read);
  g_test_add_func ("/tales/concurrency/store/read-after-write", test_read_after_write);
  g_test_add_func ("/tales/concurrency/post-list/reload-async", test_post_list_reload_async);
  g_test_add_func ("/tales/concurrency/post-list/reload-overtaken", test_post_list_reload_overtaken);
  g_test_add_func ("/tales/concurrency/refresh/never-waits", test_refresh_never_waits);
  g_test_add_func ("/tales/concurrency/refresh/failure-saved", test_refresh_failure_saved);
#ifdef __linux__
  /* Last: it leaves the process's later background threads in the idle class. */
  g_test_add_func ("/tales/concurrency/thread/background-priority", test_background_priority);
#endif
  return g_test_run ();
}
