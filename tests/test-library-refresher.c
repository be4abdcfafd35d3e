/* SPDX-License-Identifier: GPL-3.0-or-later */
/* TalesLibraryRefresher against a real SoupServer on 127.0.0.1 and a real store:
 * bounded concurrency, next-refresh times from ttl, Cache-Control and
 * Retry-After, per-feed errors, joining, cancelling, metered mode and the
 * image backfill. Also the fetcher's polite request headers and hints. */

#include "tales-core.h"
#include "tales-test-utils.h"

typedef struct {
  TalesTestEnv parts;
  TalesLibraryRefresher *refresher;
  guint last_done;
  guint last_total;
  GHashTable *errors;    /* feed id -> GError copy, or NULL for success */
} Env;

static void
error_free0 (gpointer error)
{
  if (error != NULL)
    g_error_free (error);
}

static void
progress_cb (TalesLibraryRefresher *refresher, guint done, guint total, Env *env)
{
  g_assert_cmpuint (done, <=, total);
  g_assert_cmpuint (done, >=, env->last_done);
  env->last_done = done;
  env->last_total = total;
}

static void
feed_done_cb (TalesLibraryRefresher *refresher, gint64 feed_id, GError *error, Env *env)
{
  /* Once per feed and run. */
  g_assert_false (g_hash_table_contains (env->errors, &feed_id));
  g_hash_table_insert (env->errors, g_memdup2 (&feed_id, sizeof feed_id),
                       error ? g_error_copy (error) : NULL);
}

static Env *
env_new (void)
{
  Env *env = g_new0 (Env, 1);

  tales_test_env_init (&env->parts, "refresher.db", NULL);
  env->refresher = tales_library_refresher_new (env->parts.store, env->parts.fetcher, env->parts.images);
  env->errors = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, error_free0);
  g_signal_connect (env->refresher, "progress", G_CALLBACK (progress_cb), env);
  g_signal_connect (env->refresher, "feed-done", G_CALLBACK (feed_done_cb), env);
  return env;
}

static void
env_free (Env *env)
{
  g_clear_object (&env->refresher);
  tales_test_env_clear (&env->parts);
  g_hash_table_unref (env->errors);
  g_free (env);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Env, env_free)

/* An RSS feed with one item; @extra goes into the channel (a <ttl>) and
 * @body into the item's description. */
static char *
make_feed (const char *title, const char *extra, const char *body)
{
  g_autofree char *escaped = g_markup_escape_text (body ? body : "Hello.", -1);

  return g_strdup_printf ("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>"
                          "<title>%s</title><link>http://example.com/</link>%s"
                          "<item><title>Post of %s</title><guid>%s-1</guid>"
                          "<description>%s</description></item></channel></rss>",
                          title, extra ? extra : "", title, title, escaped);
}

/* Subscribes to @path on the test server; returns the feed's id. */
static gint64
subscribe (Env *env, const char *path)
{
  g_autofree char *url = tales_test_server_url (env->parts.server, path);
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesFeed) feed = tales_store_ensure_feed (env->parts.store, url, &error);

  g_assert_no_error (error);
  return tales_feed_get_db_id (feed);
}

static TalesFeed *
get_feed (Env *env, gint64 id)
{
  g_autoptr(GError) error = NULL;
  TalesFeed *feed = tales_store_get_feed (env->parts.store, id, &error);

  g_assert_no_error (error);
  return feed;
}

typedef struct {
  gboolean done;
  gboolean ok;
  guint n_failed;
  GError *error;
} Finished;

static void
refresh_all_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Finished *finished = user_data;

  finished->ok = tales_library_refresher_refresh_all_finish (TALES_LIBRARY_REFRESHER (source), res,
                                                             &finished->n_failed, &finished->error);
  finished->done = TRUE;
}

/* Refreshes everything and waits; returns the number of failed feeds. */
static guint
refresh_all (Env *env, gboolean force)
{
  Finished finished = { 0 };

  env->last_done = 0;
  env->last_total = 0;
  g_hash_table_remove_all (env->errors);
  tales_library_refresher_refresh_all_async (env->refresher, force, NULL, refresh_all_cb, &finished);
  g_assert_true (tales_library_refresher_get_refreshing (env->refresher) || env->last_total == 0);
  tales_test_wait_for (&finished.done, 30000);
  g_assert_no_error (finished.error);
  g_assert_true (finished.ok);
  g_assert_false (tales_library_refresher_get_refreshing (env->refresher));
  return finished.n_failed;
}

/* Seconds from now until @when. */
static gint64
seconds_until (GDateTime *when)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  g_assert_nonnull (when);
  return g_date_time_difference (when, now) / G_TIME_SPAN_SECOND;
}

static void
test_concurrency (void)
{
  g_autoptr(Env) env = env_new ();
  const guint n_feeds = 6;

  tales_library_refresher_set_max_concurrent (env->refresher, 2);
  for (guint i = 0; i < n_feeds; i++)
    {
      g_autofree char *path = g_strdup_printf ("/feed%u.xml", i);
      g_autofree char *title = g_strdup_printf ("Feed %u", i);
      g_autofree char *xml = make_feed (title, NULL, NULL);

      tales_test_server_add_delayed (env->parts.server, path, "application/rss+xml", xml, 150);
      subscribe (env, path);
    }

  g_assert_cmpuint (refresh_all (env, FALSE), ==, 0);
  /* Two at a time: never more, and really two. */
  g_assert_cmpuint (tales_test_server_max_in_flight (env->parts.server), ==, 2);
  g_assert_cmpuint (env->last_done, ==, n_feeds);
  g_assert_cmpuint (env->last_total, ==, n_feeds);
  g_assert_cmpuint (g_hash_table_size (env->errors), ==, n_feeds);
  for (guint i = 0; i < n_feeds; i++)
    {
      g_autofree char *path = g_strdup_printf ("/feed%u.xml", i);
      g_assert_cmpuint (tales_test_server_hits (env->parts.server, path), ==, 1);
    }
  g_assert_cmpuint (tales_store_count_posts (env->parts.store, 0, NULL), ==, n_feeds);

  /* A polite client says who it is and what it wants. */
  g_assert_true (g_str_has_prefix (tales_test_server_last_header (env->parts.server, "/feed0.xml", "User-Agent"),
                                   "Tales/"));
  g_assert_true (g_str_has_prefix (tales_test_server_last_header (env->parts.server, "/feed0.xml", "Accept"),
                                   "application/rss+xml, application/atom+xml, application/feed+json"));
}

static void
test_ttl_honoured (void)
{
  g_autoptr(Env) env = env_new ();
  g_autoptr(TalesFeed) feed = NULL;
  g_autofree char *with_ttl = make_feed ("Slow", "<ttl>60</ttl>", NULL);
  g_autofree char *plain = make_feed ("Plain", NULL, NULL);
  gint64 slow_id, plain_id;

  tales_test_server_add_string (env->parts.server, "/slow.xml", "application/rss+xml", with_ttl);
  tales_test_server_add_string (env->parts.server, "/plain.xml", "application/rss+xml", plain);
  slow_id = subscribe (env, "/slow.xml");
  plain_id = subscribe (env, "/plain.xml");

  g_assert_cmpuint (refresh_all (env, FALSE), ==, 0);
  feed = get_feed (env, slow_id);
  g_assert_cmpuint (tales_feed_get_refresh_hint (feed), ==, 3600);
  g_assert_cmpint (seconds_until (tales_feed_get_next_refresh (feed)), >=, 3590);
  g_assert_cmpint (seconds_until (tales_feed_get_next_refresh (feed)), <=, 3600);
  g_clear_object (&feed);
  /* No hint: due any time. */
  feed = get_feed (env, plain_id);
  g_assert_null (tales_feed_get_next_refresh (feed));

  /* Not due: only the feed without a hint is asked again. */
  g_assert_cmpuint (refresh_all (env, FALSE), ==, 0);
  g_assert_cmpuint (tales_test_server_hits (env->parts.server, "/slow.xml"), ==, 1);
  g_assert_cmpuint (tales_test_server_hits (env->parts.server, "/plain.xml"), ==, 2);
  g_assert_cmpuint (env->last_total, ==, 1);

  /* Forced: everything. */
  g_assert_cmpuint (refresh_all (env, TRUE), ==, 0);
  g_assert_cmpuint (tales_test_server_hits (env->parts.server, "/slow.xml"), ==, 2);
  g_assert_cmpuint (tales_test_server_hits (env->parts.server, "/plain.xml"), ==, 3);
}

static void
test_max_age_honoured (void)
{
  g_autoptr(Env) env = env_new ();
  g_autoptr(TalesFeed) feed = NULL;
  g_autofree char *xml = make_feed ("Cached", NULL, NULL);
  gint64 id;

  tales_test_server_add_string (env->parts.server, "/cached.xml", "application/rss+xml", xml);
  tales_test_server_add_header (env->parts.server, "/cached.xml", "Cache-Control", "public, max-age=600");
  id = subscribe (env, "/cached.xml");

  g_assert_cmpuint (refresh_all (env, FALSE), ==, 0);
  feed = get_feed (env, id);
  g_assert_cmpint (seconds_until (tales_feed_get_next_refresh (feed)), >=, 590);
  g_assert_cmpint (seconds_until (tales_feed_get_next_refresh (feed)), <=, 600);

  g_assert_cmpuint (refresh_all (env, FALSE), ==, 0);
  g_assert_cmpuint (tales_test_server_hits (env->parts.server, "/cached.xml"), ==, 1);
  g_assert_cmpuint (env->last_total, ==, 0);
  g_assert_cmpuint (g_hash_table_size (env->errors), ==, 0);

  /* A 304 keeps honouring it. */
  g_assert_cmpuint (refresh_all (env, TRUE), ==, 0);
  g_assert_cmpuint (tales_test_server_hits (env->parts.server, "/cached.xml"), ==, 2);
  g_clear_object (&feed);
  feed = get_feed (env, id);
  g_assert_cmpint (seconds_until (tales_feed_get_next_refresh (feed)), >=, 590);
}

static void
test_errors (void)
{
  g_autoptr(Env) env = env_new ();
  g_autoptr(TalesFeed) limited = NULL;
  g_autoptr(TalesFeed) missing = NULL;
  g_autoptr(TalesFeed) good = NULL;
  g_autofree char *xml = make_feed ("Good", NULL, NULL);
  gint64 limited_id, missing_id, good_id;
  GError *error;

  tales_test_server_add_status (env->parts.server, "/busy.xml", 429);
  tales_test_server_add_header (env->parts.server, "/busy.xml", "Retry-After", "120");
  tales_test_server_add_status (env->parts.server, "/missing.xml", 404);
  tales_test_server_add_string (env->parts.server, "/good.xml", "application/rss+xml", xml);
  limited_id = subscribe (env, "/busy.xml");
  missing_id = subscribe (env, "/missing.xml");
  good_id = subscribe (env, "/good.xml");

  g_assert_cmpuint (refresh_all (env, FALSE), ==, 2);
  g_assert_cmpuint (env->last_done, ==, 3);
  g_assert_cmpuint (env->last_total, ==, 3);

  error = g_hash_table_lookup (env->errors, &limited_id);
  g_assert_error (error, TALES_FETCH_ERROR, TALES_FETCH_ERROR_RATE_LIMITED);
  g_assert_nonnull (strstr (error->message, "asked Tales to wait 120 seconds"));
  g_assert_cmpuint (tales_fetch_error_get_retry_after (error), ==, 120);
  limited = get_feed (env, limited_id);
  g_assert_cmpstr (tales_feed_get_last_error (limited), ==, error->message);
  g_assert_cmpint (seconds_until (tales_feed_get_next_refresh (limited)), >=, 110);
  g_assert_cmpint (seconds_until (tales_feed_get_next_refresh (limited)), <=, 120);

  error = g_hash_table_lookup (env->errors, &missing_id);
  g_assert_error (error, TALES_FETCH_ERROR, TALES_FETCH_ERROR_NOT_FOUND);
  missing = get_feed (env, missing_id);
  g_assert_cmpstr (tales_feed_get_last_error (missing), ==, error->message);
  g_assert_null (tales_feed_get_next_refresh (missing));

  g_assert_true (g_hash_table_contains (env->errors, &good_id));
  g_assert_null (g_hash_table_lookup (env->errors, &good_id));
  good = get_feed (env, good_id);
  g_assert_null (tales_feed_get_last_error (good));
  g_assert_cmpuint (tales_store_count_posts (env->parts.store, good_id, NULL), ==, 1);

  /* The rate-limited feed is left alone until its time comes. */
  g_assert_cmpuint (refresh_all (env, FALSE), ==, 1);
  g_assert_cmpuint (tales_test_server_hits (env->parts.server, "/busy.xml"), ==, 1);
  g_assert_cmpuint (tales_test_server_hits (env->parts.server, "/missing.xml"), ==, 2);
}

static void
fetch_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Finished *finished = user_data;
  TalesFetchResult *result = tales_fetcher_fetch_finish (TALES_FETCHER (source), res, &finished->error);

  finished->ok = result != NULL;
  tales_fetch_result_free (result);
  finished->done = TRUE;
}

/* Retry-After as an HTTP date, on a 503. */
static void
test_retry_after_date (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autoptr(TalesFetcher) fetcher = tales_fetcher_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) later = g_date_time_add_seconds (now, 300);
  g_autofree char *date = g_date_time_format (later, "%a, %d %b %Y %H:%M:%S GMT");
  g_autofree char *url = tales_test_server_url (server, "/down");
  Finished finished = { 0 };
  guint retry_after;

  /* The C locale of the test keeps %a and %b English. */
  tales_test_server_add_status (server, "/down", 503);
  tales_test_server_add_header (server, "/down", "Retry-After", date);
  tales_fetcher_fetch_async (fetcher, url, NULL, NULL, NULL, fetch_cb, &finished);
  tales_test_wait_for (&finished.done, 20000);

  g_assert_false (finished.ok);
  g_assert_error (finished.error, TALES_FETCH_ERROR, TALES_FETCH_ERROR_HTTP);
  retry_after = tales_fetch_error_get_retry_after (finished.error);
  g_assert_cmpuint (retry_after, >=, 290);
  g_assert_cmpuint (retry_after, <=, 301);
  /* The hint survives a copy, as GTask and callers make. */
  {
    g_autoptr(GError) copy = g_error_copy (finished.error);
    g_assert_cmpuint (tales_fetch_error_get_retry_after (copy), ==, retry_after);
  }
  g_clear_error (&finished.error);
}

static void
test_join (void)
{
  g_autoptr(Env) env = env_new ();
  Finished first = { 0 }, second = { 0 };

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *path = g_strdup_printf ("/j%u.xml", i);
      g_autofree char *title = g_strdup_printf ("Joined %u", i);
      g_autofree char *xml = make_feed (title, NULL, NULL);

      tales_test_server_add_delayed (env->parts.server, path, "application/rss+xml", xml, 100);
      subscribe (env, path);
    }

  tales_library_refresher_refresh_all_async (env->refresher, FALSE, NULL, refresh_all_cb, &first);
  tales_library_refresher_refresh_all_async (env->refresher, FALSE, NULL, refresh_all_cb, &second);
  tales_test_wait_for (&first.done, 30000);
  tales_test_wait_for (&second.done, 30000);
  g_assert_true (first.ok && second.ok);
  g_assert_cmpuint (first.n_failed, ==, 0);
  g_assert_cmpuint (second.n_failed, ==, 0);
  /* One run: each feed fetched once, reported once. */
  g_assert_cmpuint (tales_test_server_hits (env->parts.server, NULL), ==, 3);
  g_assert_cmpuint (g_hash_table_size (env->errors), ==, 3);
  g_assert_cmpuint (env->last_done, ==, 3);
}

static void
test_cancel (void)
{
  g_autoptr(Env) env = env_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Finished finished = { 0 };

  tales_library_refresher_set_max_concurrent (env->refresher, 1);
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *path = g_strdup_printf ("/c%u.xml", i);
      g_autofree char *xml = make_feed ("Cancelled", NULL, NULL);

      tales_test_server_add_delayed (env->parts.server, path, "application/rss+xml", xml, 2000);
      subscribe (env, path);
    }

  tales_library_refresher_refresh_all_async (env->refresher, FALSE, cancellable, refresh_all_cb, &finished);
  g_cancellable_cancel (cancellable);
  tales_test_wait_for (&finished.done, 1500);
  g_assert_false (finished.ok);
  g_assert_error (finished.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&finished.error);
  g_assert_false (tales_library_refresher_get_refreshing (env->refresher));
  /* Cancelling is not failing: nothing reported, nothing saved as an error. */
  g_assert_cmpuint (g_hash_table_size (env->errors), ==, 0);
  g_assert_cmpuint (tales_test_server_hits (env->parts.server, NULL), <=, 1);
}

static void
backfill_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  TalesTestDownload *backfilled = user_data;

  backfilled->ok = tales_library_refresher_backfill_images_finish (TALES_LIBRARY_REFRESHER (source), res,
                                                                   &backfilled->n_cached,
                                                                   &backfilled->n_failed,
                                                                   &backfilled->error);
  backfilled->done = TRUE;
}

static void
test_metered_then_backfill (void)
{
  g_autoptr(Env) env = env_new ();
  g_autoptr(GBytes) png = tales_test_make_image (8, 8, 0x336699, "png");
  g_autofree char *image_url = tales_test_server_url (env->parts.server, "/pic.png");
  g_autofree char *body = g_strdup_printf ("<p>Look: <img src=\"%s\"></p>", image_url);
  g_autofree char *xml = make_feed ("Pictures", NULL, body);
  g_autoptr(GPtrArray) missing = NULL;
  g_autoptr(TalesImageRecord) record = NULL;
  TalesTestDownload backfilled = { 0 };
  g_autoptr(GError) error = NULL;

  tales_test_server_add_string (env->parts.server, "/pics.xml", "application/rss+xml", xml);
  tales_test_server_add_bytes (env->parts.server, "/pic.png", "image/png", png);
  subscribe (env, "/pics.xml");

  tales_library_refresher_set_download_images (env->refresher, FALSE);
  g_assert_cmpuint (refresh_all (env, FALSE), ==, 0);
  g_assert_cmpuint (tales_test_server_hits (env->parts.server, "/pics.xml"), ==, 1);
  g_assert_cmpuint (tales_test_server_hits (env->parts.server, "/pic.png"), ==, 0);

  /* The image is known to be needed, and missing. */
  missing = tales_store_list_missing_images (env->parts.store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (missing->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (missing, 0), ==, image_url);

  env->last_done = env->last_total = 0;
  tales_library_refresher_backfill_images_async (env->refresher, NULL, backfill_cb, &backfilled);
  tales_test_wait_for (&backfilled.done, 20000);
  g_assert_no_error (backfilled.error);
  g_assert_true (backfilled.ok);
  g_assert_cmpuint (backfilled.n_cached, ==, 1);
  g_assert_cmpuint (backfilled.n_failed, ==, 0);
  g_assert_cmpuint (tales_test_server_hits (env->parts.server, "/pic.png"), ==, 1);
  g_assert_cmpuint (env->last_done, ==, 1);
  g_assert_cmpuint (env->last_total, ==, 1);
  record = tales_store_get_image (env->parts.store, image_url, &error);
  g_assert_no_error (error);
  g_assert_cmpint (record->state, ==, TALES_IMAGE_CACHED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  tales_core_init ();

  g_test_add_func ("/tales/refresher/concurrency", test_concurrency);
  g_test_add_func ("/tales/refresher/ttl-honoured", test_ttl_honoured);
  g_test_add_func ("/tales/refresher/max-age-honoured", test_max_age_honoured);
  g_test_add_func ("/tales/refresher/errors", test_errors);
  g_test_add_func ("/tales/refresher/retry-after-date", test_retry_after_date);
  g_test_add_func ("/tales/refresher/join", test_join);
  g_test_add_func ("/tales/refresher/cancel", test_cancel);
  g_test_add_func ("/tales/refresher/metered-then-backfill", test_metered_then_backfill);
  return g_test_run ();
}
