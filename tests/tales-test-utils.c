/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-test"

#include "tales-test-utils.h"

#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

void
tales_test_set_flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

static gboolean
set_flag_timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

void
tales_test_wait_ms (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_flag_timeout_cb, &done);
  tales_test_wait_for (&done, ms + 10000);
}

void
tales_test_fetch_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  TalesTestFetch *fetch = user_data;

  fetch->result = tales_fetcher_fetch_finish (TALES_FETCHER (source), res, &fetch->error);
  fetch->done = TRUE;
}

void
tales_test_fetch_stream_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  TalesTestFetch *fetch = user_data;

  fetch->result = tales_fetcher_fetch_stream_finish (TALES_FETCHER (source), res, &fetch->error);
  fetch->done = TRUE;
}

void
tales_test_fetch_wait (TalesTestFetch *fetch, guint timeout_ms)
{
  tales_test_wait_for (&fetch->done, timeout_ms);
  g_assert_true ((fetch->result == NULL) != (fetch->error == NULL));
}

void
tales_test_fetch_clear (TalesTestFetch *fetch)
{
  g_clear_pointer (&fetch->result, tales_fetch_result_free);
  g_clear_error (&fetch->error);
}

void
tales_test_download_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  TalesTestDownload *download = user_data;

  download->ok = tales_image_cache_download_finish (TALES_IMAGE_CACHE (source), res,
                                                    &download->n_cached, &download->n_failed,
                                                    &download->error);
  download->done = TRUE;
}

TalesStore *
tales_test_open_store (const char *path)
{
  g_autoptr(GError) error = NULL;
  TalesStore *store;

  if (path == NULL)
    store = tales_store_open_default (&error);
  else
    store = tales_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

gint64
tales_test_add_feed (TalesStore *store, const char *url, const char *title)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesFeed) feed = tales_store_ensure_feed (store, url, &error);

  g_assert_no_error (error);
  if (title != NULL)
    {
      tales_feed_set_title (feed, title);
      g_assert_true (tales_store_update_feed (store, feed, &error));
      g_assert_no_error (error);
    }
  return tales_feed_get_db_id (feed);
}

TalesPost *
tales_test_make_post (const char *guid, const char *title, gint64 published)
{
  TalesPost *post = tales_post_new ();

  tales_post_set_guid (post, guid);
  tales_post_set_title (post, title);
  if (published > 0)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (published);

      tales_post_set_published (post, when);
    }
  return post;
}

guint
tales_test_merge (TalesStore *store, gint64 feed_id, GPtrArray *posts, guint *n_updated)
{
  g_autoptr(GError) error = NULL;
  guint n_new = G_MAXUINT;   /* a count the store forgot to set shows */

  g_assert_true (tales_store_merge_posts (store, feed_id, posts, &n_new, n_updated, &error));
  g_assert_no_error (error);
  return n_new;
}

guint
tales_test_count_feeds (TalesStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) feeds = tales_store_list_feeds (store, &error);

  g_assert_no_error (error);
  return feeds->len;
}

guint
tales_test_count_posts (TalesStore *store, gint64 feed_id)
{
  g_autoptr(GError) error = NULL;
  guint n = tales_store_count_posts (store, feed_id, &error);

  g_assert_no_error (error);
  return n;
}

sqlite3 *
tales_test_open_raw (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  return db;
}

char *
tales_test_raw_text (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *text = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return text;
}

gint64
tales_test_raw_int (sqlite3 *db, const char *sql)
{
  g_autofree char *text = tales_test_raw_text (db, sql);

  g_assert_nonnull (text);
  return g_ascii_strtoll (text, NULL, 10);
}

void
tales_test_raw_exec (sqlite3 *db, const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

void
tales_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_remove (path);
      return;
    }
  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      tales_test_remove_tree (child);
    }
  g_rmdir (path);
}

gsize
tales_test_memory_kib (const char *field)
{
  g_autofree char *status = NULL;
  g_autofree char *key = g_strconcat ("\n", field, ":", NULL);
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, key);
  g_assert_nonnull (line);
  return (gsize) g_ascii_strtoull (line + strlen (key), NULL, 10);
}

double
tales_test_peak_mb (void)
{
  return tales_test_memory_kib ("VmHWM") / 1024.0;
}

void
tales_test_reset_peak_memory (void)
{
  FILE *file = fopen ("/proc/self/clear_refs", "w");

  g_assert_nonnull (file);
  fputs ("5", file);
  fclose (file);
}

void
tales_test_limit_asan_quarantine (void)
{
#ifdef TALES_TEST_ASAN
  const char *extra = ":quarantine_size_mb=4:fast_unwind_on_malloc=1";
  const char *old = g_getenv ("ASAN_OPTIONS");
  g_autofree char *options = g_strconcat (old ? old : "", extra, NULL);

  if (old == NULL || !g_str_has_suffix (old, extra))
    g_setenv ("ASAN_OPTIONS", options, TRUE);
#endif
}

void
tales_test_env_init (TalesTestEnv *env, const char *db_name, const char *images_dir)
{
  g_autofree char *db = g_build_filename (g_get_user_data_dir (), db_name, NULL);
  g_autofree char *default_dir = g_build_filename (g_get_user_cache_dir (), "images", NULL);

  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  env->server = tales_test_server_new ();
  env->store = tales_test_open_store (db);
  env->fetcher = tales_fetcher_new ();
  env->images = tales_image_cache_new (env->store, env->fetcher,
                                       images_dir != NULL ? images_dir : default_dir);
}

void
tales_test_env_clear (TalesTestEnv *env)
{
  g_clear_object (&env->images);
  g_clear_object (&env->fetcher);
  g_clear_object (&env->store);
  g_clear_pointer (&env->server, tales_test_server_free);
}

TalesTestEnv *
tales_test_env_new (const char *db_name, const char *images_dir)
{
  TalesTestEnv *env = g_new0 (TalesTestEnv, 1);

  tales_test_env_init (env, db_name, images_dir);
  return env;
}

void
tales_test_env_free (TalesTestEnv *env)
{
  tales_test_env_clear (env);
  g_free (env);
}
