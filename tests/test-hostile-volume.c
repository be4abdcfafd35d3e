/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A feed's volume is bounded: an endless stream of items, a feed whose
 * guids change on every fetch, and a feed that lists more posts than a
 * feed may keep. A real SoupServer on 127.0.0.1 generates the feeds as
 * they are read; the real fetcher, parser and store (a SQLite file)
 * refresh them. */

#include <sqlite3.h>

#include "tales-core.h"
#include "tales-test-utils.h"

#define MIB (1024 * 1024)

/* What the refresh may read of one document, and how a feed is merged
 * (MAX_POSTS_PER_FETCH and MERGE_BATCH_POSTS in tales-feed-refresh.c). */
#define MAX_POSTS_PER_FETCH 10000
#define MERGE_BATCH_POSTS 500

/* Items the server writes per chunk of the response. */
#define ITEMS_PER_CHUNK 50

/* A refresh of a generated feed, however long, ends within this. */
#define REFRESH_DEADLINE_MS (180 * 1000)

/* One generated feed: what the server writes at one path. */
typedef struct {
  const char *path;
  guint n_items;         /* 0: without end (until stop_bytes) */
  gsize item_bytes;      /* about this much text in each item's body */
  gsize stop_bytes;      /* the server ends the response after this much */
  guint generation;      /* part of each guid: the guids change when it does */
  /* What the server did, for the test to look at. */
  gsize sent;
  guint n_sent;
  gboolean finished;     /* the response ended (or the client went away) */
} Generated;

typedef struct {
  SoupServer *server;
  char *base;
  GHashTable *feeds;     /* path -> Generated *, owned by the test */
  TalesStore *store;
  TalesFetcher *fetcher;
  TalesImageCache *images;
  char *db_path;
} Env;

/* The server */

static const char *const day_names[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
static const char *const month_names[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* Item @n is @n minutes after a fixed time: a larger n is newer. */
static void
append_date (GString *xml, guint n)
{
  g_autoptr(GDateTime) base = g_date_time_new_utc (2024, 1, 1, 0, 0, 0);
  g_autoptr(GDateTime) when = g_date_time_add_minutes (base, n);

  g_string_append_printf (xml, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                          day_names[g_date_time_get_day_of_week (when) - 1],
                          g_date_time_get_day_of_month (when),
                          month_names[g_date_time_get_month (when) - 1],
                          g_date_time_get_year (when), g_date_time_get_hour (when),
                          g_date_time_get_minute (when), g_date_time_get_second (when));
}

static void
append_item (GString *xml, Generated *feed, guint n)
{
  gsize start;

  g_string_append_printf (xml, "<item><title>Post %u</title>"
                               "<link>http://example.com/posts/%u</link>"
                               "<guid isPermaLink=\"false\">gen-%u-post-%u</guid><pubDate>",
                          n, n, feed->generation, n);
  append_date (xml, n);
  g_string_append (xml, "</pubDate><description>&lt;p&gt;");
  start = xml->len;
  while (xml->len - start < feed->item_bytes)
    g_string_append_printf (xml, "Post %u goes on about the weather, the sea and the %u "
                                 "ships that sailed past the lighthouse today. ", n, n % 97);
  g_string_append (xml, "&lt;/p&gt;</description></item>\n");
}

/* The next piece of @feed's document, or NULL when it has all been sent. */
static GBytes *
next_chunk (Generated *feed)
{
  GString *xml = g_string_new (NULL);

  if (feed->finished || feed->sent >= feed->stop_bytes ||
      (feed->n_items > 0 && feed->n_sent > feed->n_items))
    {
      g_string_free (xml, TRUE);
      return NULL;
    }
  if (feed->n_sent == 0 && feed->sent == 0)
    g_string_append (xml, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                          "<rss version=\"2.0\"><channel><title>Generated</title>"
                          "<link>http://example.com/</link>\n");
  for (guint i = 0; i < ITEMS_PER_CHUNK; i++)
    {
      if (feed->n_items > 0 && feed->n_sent == feed->n_items)
        {
          g_string_append (xml, "</channel></rss>\n");
          feed->n_sent++;
          break;
        }
      append_item (xml, feed, feed->n_sent++);
    }
  feed->sent += xml->len;
  return g_string_free_to_bytes (xml);
}

static void
wrote_chunk_cb (SoupServerMessage *msg, gpointer user_data)
{
  Generated *feed = user_data;
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  g_autoptr(GBytes) chunk = next_chunk (feed);

  if (chunk != NULL)
    soup_message_body_append_bytes (body, chunk);
  else
    soup_message_body_complete (body);
}

static void
finished_cb (SoupServerMessage *msg, gpointer user_data)
{
  Generated *feed = user_data;

  feed->finished = TRUE;
}

/* Writes the feed a chunk at a time, the next one only when the one
 * before went out, and keeps none: the server's memory stays flat too. */
static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  Env *env = user_data;
  Generated *feed = g_hash_table_lookup (env->feeds, path);
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  g_autoptr(GBytes) chunk = NULL;

  if (feed == NULL)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  feed->sent = 0;
  feed->n_sent = 0;
  feed->finished = FALSE;
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (soup_server_message_get_response_headers (msg),
                                         "application/rss+xml", NULL);
  soup_message_headers_set_encoding (soup_server_message_get_response_headers (msg),
                                     SOUP_ENCODING_CHUNKED);
  soup_message_body_set_accumulate (body, FALSE);
  g_signal_connect (msg, "wrote-chunk", G_CALLBACK (wrote_chunk_cb), feed);
  g_signal_connect (msg, "finished", G_CALLBACK (finished_cb), feed);
  chunk = next_chunk (feed);
  soup_message_body_append_bytes (body, chunk);
}

/* The environment */

static Env *
env_new (void)
{
  Env *env = g_new0 (Env, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "images", NULL);

  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  env->db_path = g_build_filename (g_get_user_data_dir (), "tales-volume.db", NULL);
  env->feeds = g_hash_table_new (g_str_hash, g_str_equal);
  env->server = soup_server_new ("server-header", "tales-test", NULL);
  soup_server_add_handler (env->server, NULL, handler_cb, env, NULL);
  soup_server_listen_local (env->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (env->server);
  env->base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  env->store = tales_test_open_store (env->db_path);
  env->fetcher = tales_fetcher_new ();
  env->images = tales_image_cache_new (env->store, env->fetcher, dir);
  return env;
}

static void
env_free (Env *env)
{
  g_clear_object (&env->images);
  g_clear_object (&env->fetcher);
  g_clear_object (&env->store);
  soup_server_disconnect (env->server);
  g_clear_object (&env->server);
  g_hash_table_unref (env->feeds);
  g_free (env->base);
  g_free (env->db_path);
  g_free (env);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Env, env_free)

static char *
feed_url (Env *env, Generated *feed)
{
  g_hash_table_insert (env->feeds, (gpointer) feed->path, feed);
  return g_strconcat (env->base, feed->path, NULL);
}

/* Memory, from /proc/self/status: "VmRSS" or "VmHWM", in bytes. */
static gsize
memory_of (const char *field)
{
  return tales_test_memory_kib (field) * 1024;
}

/* A refresh, and the memory of the process while it ran. */
typedef struct {
  TalesTestRefresh refresh;
  Generated *feed;
  gsize early_rss;       /* once a tenth of the stream was sent */
  gsize peak_rss;        /* the largest sample after that */
} Watched;

static gboolean
sample_cb (gpointer user_data)
{
  Watched *watched = user_data;
  gsize rss = memory_of ("VmRSS");

  if (watched->early_rss == 0 && watched->feed->n_sent >= MAX_POSTS_PER_FETCH / 10)
    watched->early_rss = rss;
  else if (watched->early_rss != 0)
    watched->peak_rss = MAX (watched->peak_rss, rss);
  return G_SOURCE_CONTINUE;
}

static void
refresh_watched (Env *env, const char *url, Generated *feed, Watched *watched)
{
  guint sampler;

  memset (watched, 0, sizeof *watched);
  watched->feed = feed;
  sampler = g_timeout_add (20, sample_cb, watched);
  tales_test_refresh_start (&watched->refresh, env->store, env->fetcher, env->images, url);
  tales_test_wait_for (&watched->refresh.done, REFRESH_DEADLINE_MS);
  g_source_remove (sampler);
  g_assert_true (watched->refresh.ok == (watched->refresh.error == NULL));
}

static gboolean
refresh (Env *env, const char *url, TalesFeedRefreshReport *report, GError **error)
{
  TalesTestRefresh refreshed;

  tales_test_refresh_start (&refreshed, env->store, env->fetcher, env->images, url);
  tales_test_wait_for (&refreshed.done, REFRESH_DEADLINE_MS);
  if (report != NULL)
    *report = refreshed.report;
  if (refreshed.error != NULL)
    g_propagate_error (error, refreshed.error);
  return refreshed.ok;
}

/* What is stored, read from the file as another program would. */
static gint64
db_int (Env *env, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open_v2 (env->db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static char *
feed_status (Env *env, const char *url)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesFeed) feed = tales_store_find_feed_by_url (env->store, url, &error);

  g_assert_no_error (error);
  return g_strdup (tales_feed_get_last_error (feed));
}

/* An endless stream of items */

/* A feed that never ends, in items of a few KB, is read up to
 * MAX_POSTS_PER_FETCH and stored in batches: the refresh ends, the posts
 * are there (down to the per-feed limit), and the memory of the process
 * does not grow with what was read. */
static void
endless_items (void)
{
  g_autoptr(Env) env = env_new ();
  Generated feed = { "/endless.xml", 0, 3 * 1024, 60 * MIB, 1 };
  g_autofree char *url = feed_url (env, &feed);
  g_autofree char *status = NULL;
  g_autofree char *bound = g_strdup_printf ("%u", MAX_POSTS_PER_FETCH);
  gint64 start = g_get_monotonic_time ();
  gsize baseline = memory_of ("VmRSS");
  Watched watched;

  refresh_watched (env, url, &feed, &watched);
  g_assert_no_error (watched.refresh.error);
  g_test_message ("%u items (%.1f MB) sent in %.1f s; VmRSS %.1f MB before, "
                  "%.1f MB early, %.1f MB at most; VmHWM %.1f MB",
                  feed.n_sent, feed.sent / 1e6, (g_get_monotonic_time () - start) / 1e6,
                  baseline / 1e6, watched.early_rss / 1e6, watched.peak_rss / 1e6,
                  memory_of ("VmHWM") / 1e6);

  /* It ended at the bound, not at the server's end of the stream. */
  tales_test_wait_for (&feed.finished, 10000);
  g_assert_cmpuint (feed.sent, <, 60 * MIB);
  g_assert_cmpuint (watched.refresh.report.n_new, ==, MAX_POSTS_PER_FETCH);
  g_assert_cmpuint (watched.refresh.report.n_removed,
                    ==, MAX_POSTS_PER_FETCH - TALES_STORE_DEFAULT_FEED_POST_LIMIT);
  g_assert_cmpint (db_int (env, "SELECT count(*) FROM posts"), ==,
                   TALES_STORE_DEFAULT_FEED_POST_LIMIT);
  /* The newest were kept, and the search index went with the rest. */
  g_assert_cmpint (db_int (env, "SELECT min(guid = 'gen-1-post-5000') FROM posts "
                                "WHERE sort_date = (SELECT min(sort_date) FROM posts)"), ==, 1);
  g_assert_cmpint (db_int (env, "SELECT count(*) FROM post_text"), ==,
                   TALES_STORE_DEFAULT_FEED_POST_LIMIT);

  status = feed_status (env, url);
  g_assert_nonnull (status);
  g_assert_nonnull (strstr (status, bound));
  g_assert_nonnull (strstr (status, "5000"));

  /* Memory stayed flat: what a batch holds, not what the feed held. */
  g_assert_cmpuint (watched.early_rss, >, 0);
  g_assert_cmpuint (watched.peak_rss, <, watched.early_rss + 64 * MIB);
}

/* A stream that fails late (here at the fetcher's byte cap) keeps the
 * batches merged before it (the batch it was reading is dropped), saves
 * the error as the feed's status, and a second refresh neither loses nor
 * duplicates anything. */
static void
fails_late (void)
{
  g_autoptr(Env) env = env_new ();
  Generated feed = { "/too-long.xml", 0, 1024, 60 * MIB, 1 };
  g_autofree char *url = feed_url (env, &feed);
  g_autofree char *status = NULL;
  g_autoptr(GError) error = NULL;
  gint64 stored;

  tales_fetcher_set_max_bytes (env->fetcher, 3 * MIB);
  g_assert_false (refresh (env, url, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("After %u items: %s", feed.n_sent, error->message);
  g_assert_cmpuint (strlen (error->message), >, 15);

  stored = db_int (env, "SELECT count(*) FROM posts");
  g_assert_cmpint (stored, >=, 2 * MERGE_BATCH_POSTS);
  g_assert_cmpint (stored % MERGE_BATCH_POSTS, ==, 0);
  g_assert_cmpint (stored, <, feed.n_sent);
  status = feed_status (env, url);
  g_assert_cmpstr (status, ==, error->message);

  g_clear_error (&error);
  g_assert_false (refresh (env, url, NULL, &error));
  g_assert_nonnull (error);
  /* Where the cap cuts the parse varies a little from run to run: the
   * second may get a batch further, never less far, and adds each post
   * once. */
  g_assert_cmpint (db_int (env, "SELECT count(*) FROM posts"), >=, stored);
  g_assert_cmpint (db_int (env, "SELECT count(*) FROM posts") % MERGE_BATCH_POSTS, ==, 0);
  g_assert_cmpint (db_int (env, "SELECT count(DISTINCT guid) FROM posts"),
                   ==, db_int (env, "SELECT count(*) FROM posts"));
}

/* GUID churn */

/* Five fetches of the same 1,000 posts under new guids each time: the
 * same 1,000 posts, updated, with their read and star state. */
static void
guid_churn (void)
{
  g_autoptr(Env) env = env_new ();
  Generated feed = { "/churn.xml", 1000, 300, 60 * MIB, 1 };
  g_autofree char *url = feed_url (env, &feed);
  g_autoptr(GError) error = NULL;
  TalesFeedRefreshReport report;
  gint64 starred_id;

  g_assert_true (refresh (env, url, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.n_new, ==, 1000);
  starred_id = db_int (env, "SELECT id FROM posts WHERE title = 'Post 7'");
  g_assert_true (tales_store_set_starred (env->store, starred_id, TRUE, &error));
  g_assert_true (tales_store_set_read (env->store, starred_id, TRUE, &error));
  g_assert_no_error (error);

  for (guint generation = 2; generation <= 5; generation++)
    {
      feed.generation = generation;
      g_assert_true (refresh (env, url, &report, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (report.n_new, ==, 0);
      g_assert_cmpint (db_int (env, "SELECT count(*) FROM posts"), ==, 1000);
    }
  /* The stored posts have the guids the feed gives now. */
  g_assert_cmpint (db_int (env, "SELECT count(*) FROM posts WHERE guid LIKE 'gen-5-%'"), ==, 1000);
  g_assert_cmpint (db_int (env, "SELECT id FROM posts WHERE title = 'Post 7'"), ==, starred_id);
  g_assert_cmpint (db_int (env, "SELECT is_starred + is_read FROM posts WHERE title = 'Post 7'"),
                   ==, 2);
  g_assert_cmpint (db_int (env, "SELECT count(*) FROM post_text"), ==, 1000);
}

/* The per-feed limit */

/* A feed keeps its newest posts up to the limit, and every starred one;
 * its status says what went. */
static void
feed_limit (void)
{
  g_autoptr(Env) env = env_new ();
  Generated feed = { "/many.xml", 200, 200, 60 * MIB, 1 };
  g_autofree char *url = feed_url (env, &feed);
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;
  TalesFeedRefreshReport report;

  tales_store_set_feed_post_limit (env->store, 300);
  g_assert_cmpuint (tales_store_get_feed_post_limit (env->store), ==, 300);
  g_assert_true (refresh (env, url, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.n_removed, ==, 0);
  g_assert_null ((status = feed_status (env, url)));

  /* The five oldest are starred. */
  for (guint n = 0; n < 5; n++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT id FROM posts WHERE title = 'Post %u'", n);

      g_assert_true (tales_store_set_starred (env->store, db_int (env, sql), TRUE, &error));
      g_assert_no_error (error);
    }

  feed.n_items = 1000;
  g_assert_true (refresh (env, url, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.n_new, ==, 800);
  g_assert_cmpuint (report.n_removed, ==, 1000 - 300 - 5);
  g_assert_cmpint (db_int (env, "SELECT count(*) FROM posts"), ==, 305);
  g_assert_cmpint (db_int (env, "SELECT count(*) FROM posts WHERE is_starred"), ==, 5);
  g_assert_cmpint (db_int (env, "SELECT count(*) FROM posts WHERE NOT is_starred "
                                "AND title >= 'Post 700' AND length (title) = 8"), ==, 300);
  g_assert_cmpint (db_int (env, "SELECT count(*) FROM post_text"), ==, 305);
  status = feed_status (env, url);
  g_assert_cmpstr (status, ==, "Kept the newest 300 posts; 695 older ones were dropped.");

  /* The same feed again: the old posts are not added only to be removed
   * again (nor counted as new), and the status still says so. */
  g_clear_pointer (&status, g_free);
  g_assert_true (refresh (env, url, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.n_new, ==, 0);
  g_assert_cmpuint (report.n_removed, ==, 695);
  g_assert_cmpint (db_int (env, "SELECT count(*) FROM posts"), ==, 305);
  g_assert_cmpint (db_int (env, "SELECT max(id) FROM posts"), ==,
                   db_int (env, "SELECT id FROM posts WHERE title = 'Post 999'"));
  status = feed_status (env, url);
  g_assert_cmpstr (status, ==, "Kept the newest 300 posts; 695 older ones were dropped.");

  /* Back under the limit: the status is clear again, nothing went. */
  g_clear_pointer (&status, g_free);
  tales_store_set_feed_post_limit (env->store, 0);
  g_assert_cmpuint (tales_store_get_feed_post_limit (env->store),
                    ==, TALES_STORE_DEFAULT_FEED_POST_LIMIT);
  g_assert_true (refresh (env, url, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.n_new, ==, 695);
  g_assert_cmpuint (report.n_removed, ==, 0);
  g_assert_cmpint (db_int (env, "SELECT count(*) FROM posts"), ==, 1000);
  g_assert_null ((status = feed_status (env, url)));
}

/* Each test runs in a process of its own: the endless stream's memory is
 * then the refresh's alone. Under ASan, with a small quarantine (freed
 * memory ASan keeps would count as growth) and the fast unwinder (the slow
 * one the test environment asks for makes every allocation cost many
 * times more, and these tests make millions). */
static void
in_subprocess (gconstpointer body)
{
  if (g_test_subprocess ())
    {
      ((void (*) (void)) body) ();
      return;
    }
  tales_test_limit_asan_quarantine ();
  g_test_trap_subprocess (NULL, (guint64) REFRESH_DEADLINE_MS * 1000,
                          G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int argc, char **argv)
{
  /* No system proxy: only 127.0.0.1 is reached (see test-feed-refresh.c). */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  tales_core_init ();

  g_test_add_data_func ("/tales/hostile-volume/endless-items", endless_items, in_subprocess);
  g_test_add_data_func ("/tales/hostile-volume/fails-late", fails_late, in_subprocess);
  g_test_add_data_func ("/tales/hostile-volume/guid-churn", guid_churn, in_subprocess);
  g_test_add_data_func ("/tales/hostile-volume/feed-limit", feed_limit, in_subprocess);
  return g_test_run ();
}
