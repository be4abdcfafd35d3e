/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the files of TalesStore share: the instance struct, the statement
 * cache and the small SQLite helpers. Not installed; only tales-store*.c
 * include it. */

#pragma once

#include <sqlite3.h>

#include "tales-store.h"
#include "tales-store-preparer.h"

G_BEGIN_DECLS

struct _TalesStore
{
  GObject parent_instance;

  char *path;
  sqlite3 *db;
  /* Held by every public call. The cached statements are shared by
   * whichever thread calls, and a reader on this connection must not see the
   * middle of a merge that another thread is writing on it. */
  GMutex mutex;
  const char *doing;        /* what the holder of the mutex does, for errors */
  GHashTable *statements;   /* static SQL text -> sqlite3_stmt */
  /* More connections to the same file, each with its own mutex and
   * statements, for the calls that only read: in WAL mode they read the
   * last commit while a merge writes on this one, so a reader (the main
   * thread, listing posts) never waits for a writer, nor, as there are
   * several, for another long read (the sidebar's counts in a worker
   * thread). Opened as needed, up to a few; empty on a reader itself.
   * When none could be opened, reads share this connection. */
  GMutex readers_mutex;
  GPtrArray *readers;       /* TalesStore, each a reader connection */
  guint next_reader;        /* the one to wait for when all are busy */
  gboolean readers_failed;  /* one could not be opened: no more tries */
  /* Posts a feed keeps (tales_store_set_feed_post_limit); 0 for the
   * default. Read and written atomically: refreshes read it in threads. */
  int feed_post_limit;
};

/* Locks a reader connection for a call that only reads, and points *self
 * at it: a free one, a new one, or (all busy) the next in turn. */
GMutexLocker *tales_store_lock_read      (TalesStore **self,
                                          const char  *doing);

/* A cached statement borrowed for one use: g_autoptr resets it (and drops
 * its bindings) when the borrower's scope ends, and the cache keeps it. */
typedef sqlite3_stmt TalesStmt;

static inline void
tales_store_stmt_release (TalesStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TalesStmt, tales_store_stmt_release)

typedef gboolean (*TalesStoreTransactionFunc) (TalesStore  *self,
                                               gpointer     data,
                                               GError     **error);

/* Locking and errors */
GMutexLocker *tales_store_lock           (TalesStore  *self,
                                          const char  *doing);
void          tales_store_set_not_found  (GError     **error,
                                          const char  *what);

/* Statements */
/* A statement from the cache (compiled on first use), for one use: see
 * TalesStmt. */
sqlite3_stmt *tales_store_prepare_statement (TalesStore  *self,
                                             const char  *sql,
                                             GError     **error);
int           tales_store_step_row       (TalesStore  *self,
                                          sqlite3_stmt *stmt,
                                          GError     **error);
gboolean      tales_store_step_done      (TalesStore  *self,
                                          sqlite3_stmt *stmt,
                                          GError     **error);
gboolean      tales_store_run_with_id    (TalesStore  *self,
                                          const char  *sql,
                                          gint64       id,
                                          GError     **error);
int           tales_store_exists_with_id (TalesStore  *self,
                                          const char  *sql,
                                          gint64       id,
                                          GError     **error);
gboolean      tales_store_transaction    (TalesStore                 *self,
                                          gboolean                    write,
                                          TalesStoreTransactionFunc   func,
                                          gpointer                    data,
                                          GError                    **error);

/* Values */
gint64        tales_store_now_unix       (void);
void          tales_store_bind_text      (sqlite3_stmt *stmt,
                                          int           index,
                                          const char   *text);
void          tales_store_bind_date      (sqlite3_stmt *stmt,
                                          int           index,
                                          GDateTime    *when);
const char   *tales_store_column_text    (sqlite3_stmt *stmt,
                                          int           column);
GDateTime    *tales_store_column_date    (sqlite3_stmt *stmt,
                                          int           column);
char         *tales_store_ids_to_json    (const gint64 *ids,
                                          guint         n_ids);
char         *tales_store_fold_category  (const char   *term,
                                          char        **name);

/* Post rows (tales-store-read.c). A list row: everything but the body.
 * The feed title is the one shown (the person's name for the feed first),
 * and images_missing counts the post's images that are not cached. */
#define TALES_STORE_POST_COLUMNS \
  "p.id, p.feed_id, p.guid, p.title, p.link, p.author, p.cover_url, " \
  "p.published, p.published_text, p.updated, p.updated_text, " \
  "COALESCE (f.user_title, f.title), p.is_read, p.is_starred, " \
  "(SELECT count(*) FROM post_images pi LEFT JOIN images i ON i.url = pi.url " \
  "  WHERE pi.post_id = p.id AND i.state IS NOT 1)"
#define TALES_STORE_POST_N_COLUMNS 15
/* The display order: newest first, by the date the feed gave the post
 * (published, else updated, else when Tales first saw it). */
#define TALES_STORE_POST_ORDER " ORDER BY p.sort_date DESC, p.id DESC"

TalesPost    *tales_store_post_from_row  (sqlite3_stmt *stmt);

/* What merging a post needs from the post alone, worked out on the
 * preparer's threads, outside the store's lock, so that the merge only
 * writes (tales-store-merge.c). The merge may take body_text and urls. */
typedef struct {
  char *key;            /* the merge key: guid, else link, else a hash */
  char *fingerprint;    /* changes with any stored field */
  char *identity;       /* link, title and body, whatever the guid */
  gboolean with_images;
  char *body_text;      /* the body as search text */
  GPtrArray *urls;      /* with_images only: the images the post needs */
} TalesStorePrecomputed;

TalesStorePrecomputed *tales_store_precompute_post  (TalesPost             *post,
                                                     gboolean               with_images);
void                   tales_store_precomputed_free (TalesStorePrecomputed *precomputed);

/* The preparer as the merge drives it (tales-store-preparer.c). */

/* A preparer of @posts, all known at once: none will be added. */
TalesStorePreparer    *tales_store_preparer_new_for_posts  (GPtrArray          *posts,
                                                            gboolean            with_images);
/* No more posts will be added: returns (transfer none) every post, in the
 * order added. */
GPtrArray             *tales_store_preparer_finish         (TalesStorePreparer *self);
/* Waits until the post at @index is worked out, and returns (transfer
 * none) what was; the threads then go at most a bounded number of posts
 * beyond @index. Call once per post, in order. */
TalesStorePrecomputed *tales_store_preparer_wait           (TalesStorePreparer *self,
                                                            guint               index);
/* Frees what was worked out for the post at @index, once merged. */
void                   tales_store_preparer_drop           (TalesStorePreparer *self,
                                                            guint               index);
/* What tales_store_preparer_get_n_left_out() returns. */
void                   tales_store_preparer_set_n_left_out (TalesStorePreparer *self,
                                                            guint               n_left_out);

G_END_DECLS
