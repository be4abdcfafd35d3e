/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The core's non-UI work, as the window and tales-cli use it, against a
 * real SoupServer on 127.0.0.1 and a real SQLite file: TalesScheduler (the
 * automatic refresh, one refresh at a time, nothing fetched offline, a
 * refresh when the network comes back, no pictures on a metered
 * connection), the reader's writes in worker threads, and retention.
 *
 * The network's state is the one thing a test cannot change on the
 * machine, so it comes from TestMonitor: a GNetworkMonitor whose
 * availability and metering the test sets, as the system's monitor does
 * when a cable goes. */

#include <sqlite3.h>
#include <string.h>

#include "tales-core.h"
#include "tales-test-server.h"

/* TestMonitor --------------------------------------------------------------- */

#define TEST_TYPE_MONITOR (test_monitor_get_type ())
G_DECLARE_FINAL_TYPE (TestMonitor, test_monitor, TEST, MONITOR, GObject)

struct _TestMonitor
{
  GObject parent_instance;
  gboolean available;
  gboolean metered;
};

enum {
  MONITOR_PROP_0,
  MONITOR_PROP_AVAILABLE,
  MONITOR_PROP_METERED,
  MONITOR_PROP_CONNECTIVITY,
};

static gboolean
test_monitor_init_initable (GInitable *initable, GCancellable *cancellable, GError **error)
{
  return TRUE;
}

static void
test_monitor_initable_iface_init (GInitableIface *iface)
{
  iface->init = test_monitor_init_initable;
}

static void
test_monitor_iface_init (GNetworkMonitorInterface *iface)
{
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TestMonitor, test_monitor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, test_monitor_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_NETWORK_MONITOR, test_monitor_iface_init))

static void
test_monitor_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TestMonitor *self = TEST_MONITOR (object);

  switch (prop_id)
    {
    case MONITOR_PROP_AVAILABLE:
      g_value_set_boolean (value, self->available);
      break;
    case MONITOR_PROP_METERED:
      g_value_set_boolean (value, self->metered);
      break;
    case MONITOR_PROP_CONNECTIVITY:
      g_value_set_enum (value, self->available ? G_NETWORK_CONNECTIVITY_FULL : G_NETWORK_CONNECTIVITY_LOCAL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_monitor_class_init (TestMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_monitor_get_property;
  g_object_class_override_property (object_class, MONITOR_PROP_AVAILABLE, "network-available");
  g_object_class_override_property (object_class, MONITOR_PROP_METERED, "network-metered");
  g_object_class_override_property (object_class, MONITOR_PROP_CONNECTIVITY, "connectivity");
}

static void
test_monitor_init (TestMonitor *self)
{
}

static TestMonitor *
test_monitor_new (gboolean available, gboolean metered)
{
  TestMonitor *self = g_object_new (TEST_TYPE_MONITOR, NULL);

  self->available = available;
  self->metered = metered;
  return self;
}

/* As GNetworkMonitorBase does: notify, then "network-changed". */
static void
test_monitor_set (TestMonitor *self, gboolean available, gboolean metered)
{
  gboolean metered_changed = self->metered != metered;

  self->available = available;
  self->metered = metered;
  if (metered_changed)
    g_object_notify (G_OBJECT (self), "network-metered");
  g_signal_emit_by_name (self, "network-changed", available);
}

/* The environment --------------------------------------------------------- */

typedef struct {
  TalesTestServer *server;
  TalesStore *store;
  TalesFetcher *fetcher;
  TalesImageCache *images;
  TestMonitor *monitor;
  TalesScheduler *scheduler;
  char *db_path;
  guint n_started;
  guint n_finished;
  gboolean finished;       /* set by each "refresh-finished"; tests clear it */
  guint last_failed;
  guint last_new;
  gboolean last_background;
} Env;

static void
refresh_started_cb (TalesScheduler *scheduler, Env *env)
{
  g_assert_true (tales_scheduler_get_refreshing (scheduler));
  env->n_started++;
}

static void
refresh_finished_cb (TalesScheduler *scheduler, guint n_failed, guint n_new, gboolean background, Env *env)
{
  g_assert_false (tales_scheduler_get_refreshing (scheduler));
  env->n_finished++;
  env->finished = TRUE;
  env->last_failed = n_failed;
  env->last_new = n_new;
  env->last_background = background;
}

/* A feed of @n_items posts "Item 0".., each with its own picture. */
static void
serve_feed (Env *env, const char *path, guint n_items, guint delay_ms)
{
  g_autoptr(GString) xml = g_string_new ("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>"
                                         "<title>Scheduled</title><link>http://example.com/</link>");

  for (guint i = 0; i < n_items; i++)
    {
      g_autofree char *image_path = g_strdup_printf ("/img%u.png", i);
      g_autofree char *image_url = tales_test_server_url (env->server, image_path);
      g_autoptr(GBytes) image = tales_test_make_image (20 + i, 20, 0x336699 + i, "png");

      tales_test_server_add_bytes (env->server, image_path, "image/png", image);
      g_string_append_printf (xml, "<item><title>Item %u</title><guid>item-%u</guid>"
                                   "<description>&lt;p&gt;Text %u&lt;/p&gt;&lt;img src=\"%s\"&gt;</description></item>",
                              i, i, i, image_url);
    }
  g_string_append (xml, "</channel></rss>");
  if (delay_ms > 0)
    tales_test_server_add_delayed (env->server, path, "application/rss+xml", xml->str, delay_ms);
  else
    tales_test_server_add_string (env->server, path, "application/rss+xml", xml->str);
}

static void
subscribe (Env *env, const char *path)
{
  g_autofree char *url = tales_test_server_url (env->server, path);
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesFeed) feed = tales_store_ensure_feed (env->store, url, &error);

  g_assert_no_error (error);
  g_assert_nonnull (feed);
}

static Env *
env_new (gboolean online, gboolean metered)
{
  Env *env = g_new0 (Env, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "images", NULL);

  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  env->db_path = g_build_filename (g_get_user_data_dir (), "scheduler.db", NULL);
  env->server = tales_test_server_new ();
  env->store = tales_store_open (env->db_path, &error);
  g_assert_no_error (error);
  env->fetcher = tales_fetcher_new ();
  env->images = tales_image_cache_new (env->store, env->fetcher, dir);
  env->monitor = test_monitor_new (online, metered);
  env->scheduler = tales_scheduler_new (env->store, env->fetcher, env->images, G_NETWORK_MONITOR (env->monitor));
  g_signal_connect (env->scheduler, "refresh-started", G_CALLBACK (refresh_started_cb), env);
  g_signal_connect (env->scheduler, "refresh-finished", G_CALLBACK (refresh_finished_cb), env);
  return env;
}

static void
env_free (Env *env)
{
  g_clear_object (&env->scheduler);
  g_clear_object (&env->monitor);
  g_clear_object (&env->images);
  g_clear_object (&env->fetcher);
  g_clear_object (&env->store);
  g_clear_pointer (&env->server, tales_test_server_free);
  g_free (env->db_path);
  g_free (env);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Env, env_free)

static gboolean
set_flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop for @ms, whatever happens. */
static void
run_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_flag_cb, &done);
  tales_test_wait_for (&done, ms + 5000);
}

static void
wait_finished (Env *env)
{
  tales_test_wait_for (&env->finished, 30000);
  env->finished = FALSE;
}

/* The scheduler ------------------------------------------------------------- */

/* With an interval, the timer refreshes in the background, again and again. */
static void
test_timer (void)
{
  g_autoptr(Env) env = env_new (TRUE, FALSE);

  serve_feed (env, "/feed.xml", 2, 0);
  subscribe (env, "/feed.xml");
  g_assert_cmpuint (tales_scheduler_get_refresh_interval (env->scheduler), ==, 0);

  /* No interval, no refresh. */
  run_for (1500);
  g_assert_cmpuint (env->n_started, ==, 0);
  g_assert_cmpuint (tales_test_server_hits (env->server, "/feed.xml"), ==, 0);

  g_object_set (env->scheduler, "refresh-interval", 1, NULL);
  wait_finished (env);
  g_assert_cmpuint (env->n_started, ==, 1);
  g_assert_true (env->last_background);
  g_assert_cmpuint (env->last_failed, ==, 0);
  g_assert_cmpuint (env->last_new, ==, 2);
  g_assert_cmpuint (tales_test_server_hits (env->server, "/feed.xml"), ==, 1);
  g_assert_cmpuint (tales_store_count_unread (env->store, NULL), ==, 2);

  /* It keeps ticking: the next round finds the feed not due (no fetch)
   * and nothing new. */
  wait_finished (env);
  g_assert_cmpuint (env->n_finished, ==, 2);
  g_assert_cmpuint (env->last_new, ==, 0);

  tales_scheduler_set_refresh_interval (env->scheduler, 0);
  env->n_finished = 0;
  run_for (2500);
  g_assert_cmpuint (env->n_finished, ==, 0);
}

/* Offline nothing is fetched, and the answer comes at once; back online,
 * what fell due is refreshed. */
static void
test_offline (void)
{
  g_autoptr(Env) env = env_new (FALSE, FALSE);
  gboolean notified = FALSE;

  serve_feed (env, "/feed.xml", 1, 0);
  subscribe (env, "/feed.xml");
  g_assert_false (tales_scheduler_get_online (env->scheduler));

  tales_scheduler_refresh (env->scheduler, TRUE, FALSE);
  g_assert_true (env->finished);
  env->finished = FALSE;
  g_assert_false (env->last_background);
  g_assert_cmpuint (env->n_started, ==, 0);

  /* Nor does the timer fetch anything. */
  tales_scheduler_set_refresh_interval (env->scheduler, 1);
  run_for (2500);
  g_assert_cmpuint (env->n_finished, >=, 2);
  g_assert_cmpuint (env->n_started, ==, 0);
  g_assert_cmpuint (tales_test_server_hits (env->server, NULL), ==, 0);
  tales_scheduler_set_refresh_interval (env->scheduler, 0);
  env->finished = FALSE;

  g_signal_connect_swapped (env->scheduler, "notify::online", G_CALLBACK (set_flag_cb), &notified);
  test_monitor_set (env->monitor, TRUE, FALSE);
  g_assert_true (notified);
  g_assert_true (tales_scheduler_get_online (env->scheduler));
  wait_finished (env);
  g_assert_cmpuint (env->n_started, ==, 1);
  g_assert_true (env->last_background);
  g_assert_cmpuint (tales_test_server_hits (env->server, "/feed.xml"), ==, 1);
  g_assert_cmpuint (tales_store_count_unread (env->store, NULL), ==, 1);
}

static gboolean
downloads_images (Env *env)
{
  gboolean download = FALSE;

  g_object_get (tales_scheduler_get_refresher (env->scheduler), "download-images", &download, NULL);
  return download;
}

/* On a metered connection posts come without their pictures, unless the
 * person said "always"; "never" means never. */
static void
test_metered (void)
{
  g_autoptr(Env) env = env_new (TRUE, TRUE);

  serve_feed (env, "/feed.xml", 2, 0);
  subscribe (env, "/feed.xml");
  g_assert_false (downloads_images (env));
  tales_scheduler_refresh (env->scheduler, TRUE, FALSE);
  wait_finished (env);
  g_assert_cmpuint (tales_store_count_unread (env->store, NULL), ==, 2);
  g_assert_cmpuint (tales_test_server_hits (env->server, "/img0.png"), ==, 0);
  g_assert_cmpuint (tales_test_server_hits (env->server, "/img1.png"), ==, 0);

  g_object_set (env->scheduler, "image-prefetch", TALES_IMAGE_PREFETCH_ALWAYS, NULL);
  g_assert_true (downloads_images (env));
  tales_scheduler_set_image_prefetch (env->scheduler, TALES_IMAGE_PREFETCH_NOT_METERED);
  g_assert_false (downloads_images (env));
  test_monitor_set (env->monitor, TRUE, FALSE);
  g_assert_true (downloads_images (env));
  tales_scheduler_set_image_prefetch (env->scheduler, TALES_IMAGE_PREFETCH_NEVER);
  g_assert_false (downloads_images (env));
}

typedef struct {
  gboolean done;
  gboolean ok;
  guint n_cached;
  guint n_failed;
  GError *error;
} Backfill;

static void
backfill_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Backfill *backfill = user_data;

  backfill->ok = tales_scheduler_backfill_images_finish (TALES_SCHEDULER (source), result,
                                                         &backfill->n_cached, &backfill->n_failed,
                                                         &backfill->error);
  backfill->done = TRUE;
}

/* One refresh or backfill at a time: a second request while one runs is
 * not a second fetch. */
static void
test_one_at_a_time (void)
{
  g_autoptr(Env) env = env_new (TRUE, TRUE);
  Backfill busy = { 0 };
  Backfill backfill = { 0 };

  serve_feed (env, "/feed.xml", 2, 300);
  subscribe (env, "/feed.xml");
  tales_scheduler_refresh (env->scheduler, TRUE, FALSE);
  tales_scheduler_refresh (env->scheduler, TRUE, TRUE);
  tales_scheduler_backfill_images_async (env->scheduler, NULL, backfill_cb, &busy);
  tales_test_wait_for (&busy.done, 5000);
  g_assert_error (busy.error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_clear_error (&busy.error);
  wait_finished (env);
  g_assert_cmpuint (env->n_started, ==, 1);
  g_assert_cmpuint (env->n_finished, ==, 1);
  g_assert_false (env->last_background);
  g_assert_cmpuint (tales_test_server_hits (env->server, "/feed.xml"), ==, 1);

  /* Metered, the pictures waited; "make available offline" fetches them,
   * and a refresh asked for meanwhile is not started. */
  tales_scheduler_backfill_images_async (env->scheduler, NULL, backfill_cb, &backfill);
  g_assert_true (tales_scheduler_get_backfilling (env->scheduler));
  tales_scheduler_refresh (env->scheduler, TRUE, FALSE);
  tales_test_wait_for (&backfill.done, 30000);
  g_assert_no_error (backfill.error);
  g_assert_true (backfill.ok);
  g_assert_cmpuint (backfill.n_cached, ==, 2);
  g_assert_cmpuint (backfill.n_failed, ==, 0);
  g_assert_false (tales_scheduler_get_backfilling (env->scheduler));
  g_assert_cmpuint (env->n_started, ==, 1);
  g_assert_cmpuint (tales_test_server_hits (env->server, "/img1.png"), ==, 1);
}

/* Dropping the scheduler mid-refresh cancels it: no signal comes after. */
static void
test_dispose_cancels (void)
{
  g_autoptr(Env) env = env_new (TRUE, FALSE);
  TalesLibraryRefresher *refresher;

  tales_test_server_add_silent (env->server, "/silent.xml");
  subscribe (env, "/silent.xml");
  tales_scheduler_refresh (env->scheduler, TRUE, FALSE);
  g_assert_true (tales_scheduler_get_refreshing (env->scheduler));
  refresher = tales_scheduler_get_refresher (env->scheduler);
  g_object_add_weak_pointer (G_OBJECT (refresher), (gpointer *) &refresher);
  g_clear_object (&env->scheduler);

  /* The refresher goes once its cancelled run has ended. */
  for (int i = 0; i < 500 && refresher != NULL; i++)
    run_for (20);
  g_assert_null (refresher);
  g_assert_cmpuint (env->n_finished, ==, 0);
}

/* The reader's writes ---------------------------------------------------- */

typedef struct {
  gboolean done;
  gboolean ok;
  GError *error;
} Write;

static void
read_written_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Write *write = user_data;

  write->ok = tales_library_set_read_finish (TALES_STORE (source), result, &write->error);
  write->done = TRUE;
}

static void
starred_written_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Write *write = user_data;

  write->ok = tales_library_set_starred_finish (TALES_STORE (source), result, &write->error);
  write->done = TRUE;
}

static void
all_read_written_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Write *write = user_data;

  write->ok = tales_library_mark_all_read_finish (TALES_STORE (source), result, &write->error);
  write->done = TRUE;
}

static void
wait_write (Write *write)
{
  tales_test_wait_for (&write->done, 10000);
  g_assert_no_error (write->error);
  g_assert_true (write->ok);
}

/* The id of the post titled @title. */
static gint64
find_post (Env *env, const char *title)
{
  TalesPostFilter all = { .kind = TALES_FILTER_ALL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = tales_store_query_post_ids (env->store, &all, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      g_autoptr(TalesPost) post = tales_store_load_post (env->store, id, NULL);

      if (post != NULL && g_strcmp0 (tales_post_get_title (post), title) == 0)
        return id;
    }
  g_assert_not_reached ();
}

static TalesPost *
load (Env *env, const char *title)
{
  g_autoptr(GError) error = NULL;
  TalesPost *post = tales_store_load_post (env->store, find_post (env, title), &error);

  g_assert_no_error (error);
  return post;
}

static void
test_writes (void)
{
  g_autoptr(Env) env = env_new (TRUE, FALSE);
  Write read = { 0 }, starred = { 0 }, all = { 0 }, missing = { 0 };
  char search[16] = "item 2";
  TalesPostFilter filter = { .kind = TALES_FILTER_ALL, .search = search };
  g_autoptr(TalesPost) item0 = NULL;
  g_autoptr(TalesPost) item1 = NULL;
  g_autoptr(TalesPost) item2 = NULL;
  g_autoptr(TalesPost) item3 = NULL;

  serve_feed (env, "/feed.xml", 4, 0);
  subscribe (env, "/feed.xml");
  tales_scheduler_refresh (env->scheduler, TRUE, FALSE);
  wait_finished (env);

  tales_library_set_read_async (env->store, find_post (env, "Item 0"), TRUE, NULL, read_written_cb, &read);
  tales_library_set_starred_async (env->store, find_post (env, "Item 1"), TRUE, NULL, starred_written_cb, &starred);
  /* The filter is the caller's: it may change at once. */
  tales_library_mark_all_read_async (env->store, &filter, NULL, all_read_written_cb, &all);
  strcpy (search, "item 3");
  wait_write (&read);
  wait_write (&starred);
  wait_write (&all);

  item0 = load (env, "Item 0");
  item1 = load (env, "Item 1");
  item2 = load (env, "Item 2");
  item3 = load (env, "Item 3");
  g_assert_true (tales_post_get_is_read (item0));
  g_assert_false (tales_post_get_is_starred (item0));
  g_assert_true (tales_post_get_is_starred (item1));
  g_assert_false (tales_post_get_is_read (item1));
  g_assert_true (tales_post_get_is_read (item2));
  g_assert_false (tales_post_get_is_read (item3));
  g_assert_cmpuint (tales_store_count_unread (env->store, NULL), ==, 2);

  /* A post that is not there is an error, not a silent success. */
  tales_library_set_read_async (env->store, G_MAXINT64, TRUE, NULL, read_written_cb, &missing);
  tales_test_wait_for (&missing.done, 10000);
  g_assert_false (missing.ok);
  g_assert_nonnull (missing.error);
  g_clear_error (&missing.error);
}

/* Retention ------------------------------------------------------------------ */

/* Makes every post look first and last seen @days ago, in the SQLite file. */
static void
age_posts (Env *env, guint days)
{
  gint64 when = g_get_real_time () / G_USEC_PER_SEC - (gint64) days * 86400;
  g_autofree char *sql = g_strdup_printf ("UPDATE posts SET first_seen = %" G_GINT64_FORMAT
                                          ", last_seen = %" G_GINT64_FORMAT, when, when);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (env->db_path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_changes (db), >, 0);
  sqlite3_close (db);
}

typedef struct {
  gboolean done;
  gboolean ok;
  TalesTidyReport report;
  GError *error;
} Tidy;

static void
tidied_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Tidy *tidy = user_data;

  tidy->ok = tales_library_tidy_finish (TALES_STORE (source), result, &tidy->report, &tidy->error);
  tidy->done = TRUE;
}

static guint
count_files (const char *dir)
{
  g_autoptr(GDir) top = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (top != NULL && (name = g_dir_read_name (top)) != NULL)
    {
      g_autofree char *sub = g_build_filename (dir, name, NULL);
      g_autoptr(GDir) inner = g_dir_open (sub, 0, NULL);

      while (inner != NULL && g_dir_read_name (inner) != NULL)
        n++;
    }
  return n;
}

/* Old read posts go with their pictures; unread and starred ones stay;
 * then the budget holds, starred pictures excepted. */
static void
test_tidy (void)
{
  g_autoptr(Env) env = env_new (TRUE, FALSE);
  const char *dir = tales_image_cache_get_dir (env->images);
  Write read = { 0 }, starred = { 0 };
  Tidy young = { 0 }, old = { 0 }, budget = { 0 };

  serve_feed (env, "/feed.xml", 3, 0);
  subscribe (env, "/feed.xml");
  tales_scheduler_refresh (env->scheduler, TRUE, FALSE);
  wait_finished (env);
  g_assert_cmpuint (count_files (dir), ==, 3);
  tales_library_set_read_async (env->store, find_post (env, "Item 0"), TRUE, NULL, read_written_cb, &read);
  tales_library_set_starred_async (env->store, find_post (env, "Item 2"), TRUE, NULL, starred_written_cb, &starred);
  wait_write (&read);
  wait_write (&starred);

  /* Seen today: nothing is old enough. */
  tales_library_tidy_async (env->store, dir, 30, G_MAXUINT64, NULL, tidied_cb, &young);
  tales_test_wait_for (&young.done, 10000);
  g_assert_no_error (young.error);
  g_assert_cmpuint (young.report.n_pruned, ==, 0);

  age_posts (env, 40);
  tales_library_tidy_async (env->store, dir, 30, G_MAXUINT64, NULL, tidied_cb, &old);
  tales_test_wait_for (&old.done, 10000);
  g_assert_no_error (old.error);
  g_assert_true (old.ok);
  g_assert_cmpuint (old.report.n_pruned, ==, 1);
  g_assert_cmpuint (old.report.n_files, ==, 1);
  g_assert_cmpuint (old.report.budget.n_evicted, ==, 0);
  g_assert_cmpuint (count_files (dir), ==, 2);
  g_assert_cmpuint (tales_store_count_posts (env->store, 0, NULL), ==, 2);

  /* No pruning (0 days), a budget of nothing: only the starred post's
   * picture is left. */
  tales_library_tidy_async (env->store, dir, 0, 0, NULL, tidied_cb, &budget);
  tales_test_wait_for (&budget.done, 10000);
  g_assert_no_error (budget.error);
  g_assert_cmpuint (budget.report.n_pruned, ==, 0);
  g_assert_cmpuint (budget.report.budget.n_evicted, ==, 1);
  g_assert_cmpuint (budget.report.budget.bytes_after, >, 0);
  g_assert_cmpuint (budget.report.budget.bytes_after, <, budget.report.budget.bytes_before);
  g_assert_cmpuint (count_files (dir), ==, 1);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  tales_core_init ();

  g_test_add_func ("/tales/scheduler/timer", test_timer);
  g_test_add_func ("/tales/scheduler/offline", test_offline);
  g_test_add_func ("/tales/scheduler/metered", test_metered);
  g_test_add_func ("/tales/scheduler/one-at-a-time", test_one_at_a_time);
  g_test_add_func ("/tales/scheduler/dispose-cancels", test_dispose_cancels);
  g_test_add_func ("/tales/library/writes", test_writes);
  g_test_add_func ("/tales/library/tidy", test_tidy);

  return g_test_run ();
}
