/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What many test files need besides the server (tales-test-server.h):
 * waiting for a flag or a download, a store opened or failed loudly, a
 * feed in it, posts to merge, a look at the SQLite file behind the store's
 * back, the process's memory, and the parts of a refresh (server, store,
 * fetcher, image cache) in the test's own XDG folders. Every helper
 * asserts its own success, so that a test reads as what it checks. The
 * display suites add tales-test-ui.h. */

#include <sqlite3.h>

#include "tales-core.h"
#include "tales-test-server.h"

/* Under AddressSanitizer every allocation records its stack: tests that
 * measure time or memory scale their bounds when this is defined. */
#if defined(__SANITIZE_ADDRESS__)
# define TALES_TEST_ASAN 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define TALES_TEST_ASAN 1
# endif
#endif

G_BEGIN_DECLS

/* Waiting ------------------------------------------------------------------ */

/* Sets the gboolean at @user_data: a callback for g_signal_connect_swapped()
 * that tales_test_wait_for() then waits on. */
void tales_test_set_flag_cb (gpointer user_data);
/* Iterates the default main context for @ms milliseconds. */
void tales_test_wait_ms (guint ms);

/* Downloads ---------------------------------------------------------------- */

/* A download a test starts with tales_fetcher_*_async() (callback
 * tales_test_fetch_cb or tales_test_fetch_stream_cb), then waits for. */
typedef struct {
  gboolean done;
  TalesFetchResult *result;
  GError *error;
} TalesTestFetch;

void tales_test_fetch_cb    (GObject *source, GAsyncResult *res, gpointer user_data);
/* The same for tales_fetcher_fetch_stream_async(). */
void tales_test_fetch_stream_cb (GObject *source, GAsyncResult *res, gpointer user_data);
/* Waits up to @timeout_ms; then @fetch holds a result or an error, never
 * both. */
void tales_test_fetch_wait  (TalesTestFetch *fetch, guint timeout_ms);
void tales_test_fetch_clear (TalesTestFetch *fetch);

/* Images an image cache downloads (callback tales_test_download_cb), or
 * that another object's async call (with its own callback) caches. */
typedef struct {
  gboolean done;
  gboolean ok;
  guint n_cached;
  guint n_failed;
  GError *error;
} TalesTestDownload;

void tales_test_download_cb (GObject *source, GAsyncResult *res, gpointer user_data);

/* Stores and posts -------------------------------------------------------- */

/* Opens the store at @path, or the default library in the test's XDG data
 * folder when @path is NULL. Returns (transfer full). */
TalesStore *tales_test_open_store (const char *path);

/* Subscribes to @url and names it @title (nullable: no title); returns the
 * feed's id. */
gint64 tales_test_add_feed (TalesStore *store, const char *url, const char *title);

/* A post with @guid and @title, published at @published (seconds since
 * 1970, UTC; 0: no date). Returns (transfer full). */
TalesPost *tales_test_make_post (const char *guid, const char *title, gint64 published);

/* Merges @posts into the feed @feed_id; returns how many were new, and
 * sets *@n_updated (nullable) to how many were changed. */
guint tales_test_merge (TalesStore *store, gint64 feed_id, GPtrArray *posts, guint *n_updated);

/* How many feeds the store lists, and how many posts feed @feed_id has. */
guint tales_test_count_feeds (TalesStore *store);
guint tales_test_count_posts (TalesStore *store, gint64 feed_id);

/* The SQLite file as another program sees it ----------------------------- */

/* A second, plain connection to @path (read-write, 5 s busy timeout). */
sqlite3 *tales_test_open_raw (const char *path);
/* The first column of the first row of @sql, or NULL when there is none. */
char    *tales_test_raw_text (sqlite3 *db, const char *sql);
/* The first column of the first row of @sql, which must exist. */
gint64   tales_test_raw_int  (sqlite3 *db, const char *sql);
/* Runs @sql, which must succeed. */
void     tales_test_raw_exec (sqlite3 *db, const char *sql);

/* Files -------------------------------------------------------------------- */

/* Removes @path and everything below it (a link is removed, not followed). */
void tales_test_remove_tree (const char *path);

/* Memory ------------------------------------------------------------------- */

/* A field of /proc/self/status in KiB: "VmRSS" (now) or "VmHWM" (peak). */
gsize tales_test_memory_kib (const char *field);
/* The peak (VmHWM) in MB, for tests that bound growth in MB. */
double tales_test_peak_mb (void);
/* Starts a new peak: VmHWM falls back to VmRSS. */
void  tales_test_reset_peak_memory (void);
/* For a subprocess started after it, a no-op without ASan: a smaller
 * quarantine of freed memory, which would otherwise count as growth, and
 * the fast unwinder, as the slow one the suite asks for makes every
 * allocation cost as much as parsing a kilobyte. */
void  tales_test_limit_asan_quarantine (void);

/* The parts of a refresh -------------------------------------------------- */

typedef struct {
  TalesTestServer *server;
  TalesStore *store;
  TalesFetcher *fetcher;
  TalesImageCache *images;
} TalesTestEnv;

/* A new server, a store at @db_name in the test's XDG data folder, a
 * fetcher and an image cache in @images_dir (nullable: "images" in the
 * XDG cache folder). */
void tales_test_env_init  (TalesTestEnv *env, const char *db_name, const char *images_dir);
void tales_test_env_clear (TalesTestEnv *env);
/* The same on the heap, for a test that needs nothing more. */
TalesTestEnv *tales_test_env_new  (const char *db_name, const char *images_dir);
void          tales_test_env_free (TalesTestEnv *env);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TalesTestEnv, tales_test_env_free)

G_END_DECLS
