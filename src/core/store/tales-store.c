/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-store"

#include "config.h"

#include "tales-store-private.h"
#include "tales-paths.h"

#include <errno.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <glib/gi18n-lib.h>

/* The schema, one entry per version: entry N takes a library from
 * PRAGMA user_version N to N + 1, inside the same transaction that records
 * the new version. To change the schema, append an entry (ALTER TABLE, a new
 * index, a data fix-up); never edit one that has shipped.
 *
 * Dates are unix seconds (UTC). A post's fingerprint is a sha256 of every
 * field the feed gave it, tags and enclosures included: a refresh compares
 * it to tell an updated post from one that did not change. */
static const char * const migrations[] = {
  /* 0 -> 1 */
  "CREATE TABLE feeds ("
  "  id INTEGER PRIMARY KEY,"
  "  url TEXT NOT NULL UNIQUE,"
  "  title TEXT, link TEXT, subtitle TEXT, image_url TEXT, language TEXT,"
  "  user_title TEXT, folder TEXT,"
  "  etag TEXT, last_modified TEXT,"
  "  last_refresh INTEGER, next_refresh INTEGER,"
  "  refresh_hint INTEGER NOT NULL DEFAULT 0,"
  "  last_error TEXT, updated INTEGER,"
  "  added INTEGER NOT NULL);"
  /* A post's row is small (its body is in post_bodies), so lists, filters
   * and counts that visit thousands of rows read few pages.
   * last_seen is the last refresh that found the post in its feed: pruning
   * spares a post the feed still lists, or the next refresh would bring it
   * back as new and unread. */
  "CREATE TABLE posts ("
  "  id INTEGER PRIMARY KEY,"
  "  feed_id INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,"
  "  merge_key TEXT NOT NULL,"
  "  guid TEXT, title TEXT, link TEXT, author TEXT, cover_url TEXT,"
  "  published INTEGER, published_text TEXT,"
  "  updated INTEGER, updated_text TEXT,"
  "  fingerprint TEXT NOT NULL,"
  "  first_seen INTEGER NOT NULL,"
  "  last_seen INTEGER NOT NULL,"
  "  is_read INTEGER NOT NULL DEFAULT 0,"
  "  is_starred INTEGER NOT NULL DEFAULT 0,"
  /* The date the list sorts by: published, else updated, else first_seen
   * (written by the store on every merge). */
  "  sort_date INTEGER NOT NULL,"
  "  UNIQUE (feed_id, merge_key));"
  /* All match the ORDER BY of the post list, so listing never sorts, and
   * hold every column a list of ids reads, so it never visits the table.
   * (That is why sort_date is a plain column: SQLite 3.40 covers with
   * neither an index on an expression nor one on a generated column.) The
   * partial ones serve the unread and starred lists and their counts. */
  "CREATE INDEX posts_by_date ON posts (sort_date DESC, id DESC);"
  "CREATE INDEX posts_by_feed_date ON posts (feed_id, sort_date DESC, id DESC, is_read);"
  "CREATE INDEX posts_unread_by_date ON posts (sort_date DESC, id DESC, is_read)"
  "  WHERE is_read = 0;"
  "CREATE INDEX posts_starred_by_date ON posts (sort_date DESC, id DESC, is_starred)"
  "  WHERE is_starred = 1;"
  "CREATE TABLE post_bodies ("
  "  id INTEGER PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,"
  "  summary TEXT, content TEXT);"
  "CREATE TABLE categories ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  folded TEXT NOT NULL UNIQUE);"
  /* term keeps the post's own spelling; category_id groups the spellings
   * that fold together, and is NULL for a blank term. */
  "CREATE TABLE post_categories ("
  "  post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,"
  "  position INTEGER NOT NULL,"
  "  category_id INTEGER REFERENCES categories (id),"
  "  term TEXT NOT NULL, scheme TEXT, label TEXT,"
  "  PRIMARY KEY (post_id, position)) WITHOUT ROWID;"
  /* Covers both the category filter and the category list. */
  "CREATE INDEX post_categories_by_category ON post_categories (category_id, post_id, term);"
  "CREATE TABLE enclosures ("
  "  post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,"
  "  position INTEGER NOT NULL,"
  "  href TEXT NOT NULL, type TEXT, length INTEGER,"
  "  PRIMARY KEY (post_id, position)) WITHOUT ROWID;"
  "CREATE TABLE images ("
  "  url TEXT PRIMARY KEY,"
  "  url_hash TEXT NOT NULL UNIQUE,"
  "  state INTEGER NOT NULL DEFAULT 0,"
  "  path TEXT, mime_type TEXT, error TEXT,"
  "  updated INTEGER);"
  /* The primary key serves a post's images (and its images-missing count);
   * the index tells whether any post still needs a URL. */
  "CREATE TABLE post_images ("
  "  post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,"
  "  url TEXT NOT NULL,"
  "  position INTEGER NOT NULL,"
  "  PRIMARY KEY (post_id, url)) WITHOUT ROWID;"
  "CREATE INDEX post_images_by_url ON post_images (url);"
  /* Search. post_text holds what is searched (the body as plain text), and
   * post_search indexes it as external content. The triggers keep the index
   * in step with post_text, whose rows go with their post by the foreign
   * key, so every way a post leaves the library also leaves the index.
   * (SQLite 3.40's contentless tables cannot forget a row without being
   * given its old text again, which the HTML-to-text of a later version
   * might not reproduce.) */
  "CREATE TABLE post_text ("
  "  id INTEGER PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,"
  "  title TEXT, body TEXT, author TEXT, categories TEXT);"
  "CREATE VIRTUAL TABLE post_search USING fts5 ("
  "  title, body, author, categories,"
  "  content = 'post_text', content_rowid = 'id',"
  "  tokenize = 'unicode61 remove_diacritics 2');"
  "CREATE TRIGGER post_text_insert AFTER INSERT ON post_text BEGIN"
  "  INSERT INTO post_search (rowid, title, body, author, categories)"
  "  VALUES (new.id, new.title, new.body, new.author, new.categories);"
  "END;"
  "CREATE TRIGGER post_text_delete AFTER DELETE ON post_text BEGIN"
  "  INSERT INTO post_search (post_search, rowid, title, body, author, categories)"
  "  VALUES ('delete', old.id, old.title, old.body, old.author, old.categories);"
  "END;"
  "CREATE TRIGGER post_text_update AFTER UPDATE ON post_text BEGIN"
  "  INSERT INTO post_search (post_search, rowid, title, body, author, categories)"
  "  VALUES ('delete', old.id, old.title, old.body, old.author, old.categories);"
  "  INSERT INTO post_search (rowid, title, body, author, categories)"
  "  VALUES (new.id, new.title, new.body, new.author, new.categories);"
  "END;",
  /* 1 -> 2: the merge indexes the posts it writes itself, all in one
   * statement at its end (see index_posts in tales-store-merge.c): a
   * trigger indexed each post in its own statement, and FTS5 wrote each
   * one out as a segment of its own, to be merged again and again. The
   * delete trigger stays: every way a post leaves the library still takes
   * it out of the index. */
  "DROP TRIGGER post_text_insert;"
  "DROP TRIGGER post_text_update;",
  /* 2 -> 3, images: an image's size in bytes, for its posts' image budget; and for
   * a failed one, how many times in a row it failed and the unix time
   * before which it is not tried again (see tales-image-cache.c). */
  "ALTER TABLE images ADD COLUMN size INTEGER;"
  "ALTER TABLE images ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE images ADD COLUMN retry_after INTEGER;",
  /* 3 -> 4: image files are content-addressed, so records with the same
   * bytes under different URLs share one file; removing and pruning ask
   * whether any record still points at a path before deleting its file,
   * and the image budget evicts by path. */
  "CREATE INDEX IF NOT EXISTS images_by_path ON images (path) WHERE path IS NOT NULL;",
  /* 4 -> 5: what a post is besides its guid (the sha256 of its link,
   * title and body; see post_identity in tales-store-merge.c), so that a
   * feed whose guids change on every fetch updates its posts instead of
   * adding them again. NULL until the post is merged again. */
  "ALTER TABLE posts ADD COLUMN identity TEXT;"
  "CREATE INDEX IF NOT EXISTS posts_by_identity ON posts (feed_id, identity);",
};

#define SCHEMA_VERSION ((int) G_N_ELEMENTS (migrations))

enum {
  PROP_0,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void tales_store_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TalesStore, tales_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      tales_store_initable_iface_init))

G_DEFINE_QUARK (tales-store-error-quark, tales_store_error)

/* Errors */

GMutexLocker *
tales_store_lock (TalesStore *self, const char *doing)
{
  GMutexLocker *locker = g_mutex_locker_new (&self->mutex);

  self->doing = doing;
  return locker;
}

/* Enough for the main thread, a background reload and a refresh's
 * lookups to read at once. */
#define MAX_READERS 3

static TalesStore *open_reader (TalesStore *self);

GMutexLocker *
tales_store_lock_read (TalesStore **store, const char *doing)
{
  TalesStore *self = *store;
  TalesStore *reader = NULL;
  TalesStore *busy = NULL;

  g_mutex_lock (&self->readers_mutex);
  for (guint i = 0; i < self->readers->len && reader == NULL; i++)
    if (g_mutex_trylock (&TALES_STORE (self->readers->pdata[i])->mutex))
      reader = self->readers->pdata[i];
  if (reader == NULL && !self->readers_failed && self->readers->len < MAX_READERS)
    {
      reader = open_reader (self);
      self->readers_failed = reader == NULL;
      if (reader != NULL)
        {
          g_ptr_array_add (self->readers, reader);
          g_mutex_lock (&reader->mutex);
        }
    }
  /* All busy: wait for one, in turn. */
  if (reader == NULL && self->readers->len > 0)
    busy = self->readers->pdata[self->next_reader++ % self->readers->len];
  g_mutex_unlock (&self->readers_mutex);

  if (reader != NULL)
    {
      /* Locked above: what g_mutex_locker_new() returns for it. */
      reader->doing = doing;
      *store = reader;
      return (GMutexLocker *) &reader->mutex;
    }
  if (busy == NULL)
    return tales_store_lock (self, doing);
  *store = busy;
  return tales_store_lock (busy, doing);
}

static TalesStoreError
error_code_for (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      return TALES_STORE_ERROR_FULL;
    case SQLITE_READONLY:
      return TALES_STORE_ERROR_READ_ONLY;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return TALES_STORE_ERROR_CORRUPT;
    case SQLITE_CANTOPEN:
      return TALES_STORE_ERROR_OPEN;
    default:
      return TALES_STORE_ERROR_FAILED;
    }
}

/* Whether a write to the library can have failed for lack of room: the
 * file system has (next to) nothing left, or the library's files have
 * reached the largest file this process may write. For a write SQLite
 * reports without the errno that said so (at a commit, the errno it reads
 * is not the write's). */
static gboolean
out_of_room (TalesStore *self)
{
  g_autofree char *dir = g_path_get_dirname (self->path);
  g_autofree char *wal = g_strconcat (self->path, "-wal", NULL);
  const char *files[] = { self->path, wal };
  struct statvfs fs;
  struct rlimit limit;

  if (statvfs (dir, &fs) == 0 && (guint64) fs.f_bavail * fs.f_frsize < 1024 * 1024)
    return TRUE;
  if (getrlimit (RLIMIT_FSIZE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      struct stat st;

      /* Within a few pages of the limit: the next write did not fit. */
      if (stat (files[i], &st) == 0 && (guint64) st.st_size + 64 * 1024 >= (guint64) limit.rlim_cur)
        return TRUE;
    }
  return FALSE;
}

/* Turns the SQLite result @rc of the call that just failed into a sentence
 * that says what the store was doing and why it could not. */
static void
set_db_error (TalesStore *self, int rc, GError **error)
{
  TalesStoreError code = error_code_for (rc);
  int system_errno = self->db ? sqlite3_system_errno (self->db) : 0;
  const char *doing = self->doing ? self->doing : _("The library failed");
  const char *detail = self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);

  /* SQLite says SQLITE_FULL only for ENOSPC it sees itself; a write that
   * fails for lack of room elsewhere comes back as an I/O error. */
  if ((rc & 0xff) == SQLITE_IOERR &&
      (system_errno == ENOSPC || system_errno == EFBIG || system_errno == EDQUOT ||
       (system_errno == 0 && self->path != NULL && out_of_room (self))))
    code = TALES_STORE_ERROR_FULL;

  if (code == TALES_STORE_ERROR_FULL)
    g_set_error_literal (error, TALES_STORE_ERROR, code,
                         _("The disk is full; nothing was changed."));
  else if (code == TALES_STORE_ERROR_READ_ONLY)
    g_set_error (error, TALES_STORE_ERROR, code,
                 _("%s: the library cannot be written to (%s)."), doing, detail);
  else if (code == TALES_STORE_ERROR_CORRUPT)
    g_set_error (error, TALES_STORE_ERROR, code,
                 _("%s: the library file is damaged or is not a Tales library (%s)."),
                 doing, detail);
  else if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
    g_set_error (error, TALES_STORE_ERROR, code,
                 _("%s: another program is using the library (%s)."), doing, detail);
  else
    g_set_error (error, TALES_STORE_ERROR, code, _("%s: %s."), doing, detail);
}

void
tales_store_set_not_found (GError **error, const char *what)
{
  g_set_error_literal (error, TALES_STORE_ERROR, TALES_STORE_ERROR_NOT_FOUND, what);
}

/* Statements */

sqlite3_stmt *
tales_store_prepare_statement (TalesStore *self, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);
  int rc;

  if (stmt != NULL)
    return stmt;

  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_db_error (self, rc, error);
      return NULL;
    }
  g_hash_table_insert (self->statements, (gpointer) sql, stmt);
  return stmt;
}

/* Returns 1 for a row, 0 when done, -1 with @error set. */
int
tales_store_step_row (TalesStore *self, sqlite3_stmt *stmt, GError **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    return 1;
  if (rc == SQLITE_DONE)
    return 0;
  set_db_error (self, rc, error);
  return -1;
}

gboolean
tales_store_step_done (TalesStore *self, sqlite3_stmt *stmt, GError **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_DONE || rc == SQLITE_ROW)
    return TRUE;
  set_db_error (self, rc, error);
  return FALSE;
}

static gboolean
run (TalesStore *self, const char *sql, GError **error)
{
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self, sql, error);

  return stmt != NULL && tales_store_step_done (self, stmt, error);
}

/* Runs "@sql" with one integer parameter, for DELETEs by id. */
gboolean
tales_store_run_with_id (TalesStore *self, const char *sql, gint64 id, GError **error)
{
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  return tales_store_step_done (self, stmt, error);
}

/* Returns 1 when "@sql" with the one parameter @id finds a row, 0 when not,
 * -1 with @error set. */
int
tales_store_exists_with_id (TalesStore *self, const char *sql, gint64 id, GError **error)
{
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self, sql, error);

  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, id);
  return tales_store_step_row (self, stmt, error);
}

/* Runs @func in one transaction: all of it is committed, or none of it.
 * Write transactions take the write lock up front (BEGIN IMMEDIATE), so they
 * wait for another writer at the start instead of failing halfway. */
gboolean
tales_store_transaction (TalesStore                 *self,
                         gboolean                    write,
                         TalesStoreTransactionFunc   func,
                         gpointer                    data,
                         GError                    **error)
{
  if (!run (self, write ? "BEGIN IMMEDIATE" : "BEGIN", error))
    return FALSE;
  if (func (self, data, error) && run (self, "COMMIT", error))
    return TRUE;

  /* SQLite may have rolled back already (a full disk does that). */
  if (!sqlite3_get_autocommit (self->db))
    run (self, "ROLLBACK", NULL);
  return FALSE;
}

/* Values */

gint64
tales_store_now_unix (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

void
tales_store_bind_text (sqlite3_stmt *stmt, int index, const char *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

void
tales_store_bind_date (sqlite3_stmt *stmt, int index, GDateTime *when)
{
  if (when != NULL)
    sqlite3_bind_int64 (stmt, index, g_date_time_to_unix (when));
  else
    sqlite3_bind_null (stmt, index);
}

const char *
tales_store_column_text (sqlite3_stmt *stmt, int column)
{
  return (const char *) sqlite3_column_text (stmt, column);
}

/* Returns (transfer full) (nullable) */
GDateTime *
tales_store_column_date (sqlite3_stmt *stmt, int column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return NULL;
  return g_date_time_new_from_unix_utc (sqlite3_column_int64 (stmt, column));
}

/* The ids as a JSON array, for "IN (SELECT value FROM json_each (?))": one
 * statement for any number of ids. */
char *
tales_store_ids_to_json (const gint64 *ids, guint n_ids)
{
  GString *json = g_string_new ("[");

  for (guint i = 0; i < n_ids; i++)
    g_string_append_printf (json, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "", ids[i]);
  g_string_append_c (json, ']');
  return g_string_free (json, FALSE);
}

/**
 * tales_store_fold_category:
 * @name: (out) (optional): the term as it will be shown, trimmed
 *
 * The category a term belongs to: its spellings that differ only in case,
 * Unicode form or surrounding space are one category.
 *
 * Returns: (transfer full) (nullable): the folded key, NULL for a blank term
 */
char *
tales_store_fold_category (const char *term, char **name)
{
  g_autofree char *valid = g_utf8_make_valid (term, -1);
  g_autofree char *normal = NULL;

  g_strstrip (valid);
  if (*valid == '\0')
    return NULL;
  normal = g_utf8_normalize (valid, -1, G_NORMALIZE_ALL);
  if (name != NULL)
    *name = g_steal_pointer (&valid);
  return g_utf8_casefold (normal, -1);
}

/* Opening */

/* PRAGMA journal_mode answers with the mode it ended up in: a filesystem
 * without shared memory (some network mounts) keeps the rollback journal,
 * which is slower for readers but just as safe. */
static int
journal_mode_cb (gpointer user_data, int n_columns, char **values, char **names)
{
  TalesStore *self = user_data;

  if (n_columns > 0 && g_strcmp0 (names[0], "journal_mode") == 0 &&
      g_strcmp0 (values[0], "wal") != 0)
    g_message ("%s: write-ahead logging is not available here; using the %s journal.",
               self->path, values[0] ? values[0] : "default");
  return SQLITE_OK;
}

static gboolean
configure (TalesStore *self, GError **error)
{
  /* The busy timeout first, so the others wait for a library that another
   * process is writing instead of failing. */
  static const char * const pragmas[] = {
    "PRAGMA busy_timeout = 5000",
    "PRAGMA foreign_keys = ON",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
  };

  for (guint i = 0; i < G_N_ELEMENTS (pragmas); i++)
    {
      int rc = sqlite3_exec (self->db, pragmas[i], journal_mode_cb, self, NULL);

      if (rc != SQLITE_OK)
        {
          set_db_error (self, rc, error);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
read_user_version (TalesStore *self, int *version, GError **error)
{
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self, "PRAGMA user_version", error);

  if (stmt == NULL || tales_store_step_row (self, stmt, error) != 1)
    return FALSE;
  *version = sqlite3_column_int (stmt, 0);
  return TRUE;
}

static gboolean
migrate_locked (TalesStore *self, gpointer data, GError **error)
{
  g_autofree char *set_version = NULL;
  int version = 0;
  int rc;

  /* Read again inside the transaction: another process may have just
   * migrated the same file. */
  if (!read_user_version (self, &version, error))
    return FALSE;

  for (int v = version; v < SCHEMA_VERSION; v++)
    {
      rc = sqlite3_exec (self->db, migrations[v], NULL, NULL, NULL);
      if (rc != SQLITE_OK)
        {
          set_db_error (self, rc, error);
          return FALSE;
        }
    }

  if (version == SCHEMA_VERSION)
    return TRUE;
  set_version = g_strdup_printf ("PRAGMA user_version = %d", SCHEMA_VERSION);
  rc = sqlite3_exec (self->db, set_version, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    set_db_error (self, rc, error);
  return rc == SQLITE_OK;
}

static gboolean
migrate (TalesStore *self, GError **error)
{
  int version = 0;

  if (!read_user_version (self, &version, error))
    return FALSE;
  if (version > SCHEMA_VERSION)
    {
      g_set_error (error, TALES_STORE_ERROR, TALES_STORE_ERROR_OPEN,
                   _("The library %s was written by a newer version of Tales."),
                   self->path);
      return FALSE;
    }
  if (version == SCHEMA_VERSION)
    return TRUE;
  return tales_store_transaction (self, TRUE, migrate_locked, NULL, error);
}

/* A reader connection (see tales-store-private.h). query_only makes
 * SQLite refuse any write on it, so a call that was wrongly routed here
 * fails loudly instead of writing outside the writer's lock. */
static TalesStore *
open_reader (TalesStore *self)
{
  static const char * const pragmas[] = {
    "PRAGMA busy_timeout = 5000",
    "PRAGMA query_only = ON",
    /* A reader scans indexes once per query; the file's pages stay in the
     * kernel's cache anyway. SQLite's default is 2 MB per connection. */
    "PRAGMA cache_size = -512",
  };
  g_autoptr(TalesStore) reader = g_object_new (TALES_TYPE_STORE, "path", self->path, NULL);
  int rc;

  rc = sqlite3_open_v2 (self->path, &reader->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL);
  for (guint i = 0; rc == SQLITE_OK && i < G_N_ELEMENTS (pragmas); i++)
    rc = sqlite3_exec (reader->db, pragmas[i], NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      g_debug ("%s: no separate connection for reading (%s); reads wait for writes.",
               self->path, reader->db ? sqlite3_errmsg (reader->db) : sqlite3_errstr (rc));
      return NULL;
    }
  sqlite3_extended_result_codes (reader->db, 1);
  return g_steal_pointer (&reader);
}

static gboolean
tales_store_initable_init (GInitable     *initable,
                           GCancellable  *cancellable,
                           GError       **error)
{
  TalesStore *self = TALES_STORE (initable);
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = tales_store_lock (self, _("Could not open the library"));
  g_autofree char *dir = NULL;
  int rc;

  g_return_val_if_fail (self->path != NULL, FALSE);

  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, TALES_STORE_ERROR, TALES_STORE_ERROR_OPEN,
                   _("Could not create the folder %s: %s."), dir, g_strerror (saved_errno));
      return FALSE;
    }

  rc = sqlite3_open_v2 (self->path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      set_db_error (self, rc, error);
      return FALSE;
    }
  sqlite3_extended_result_codes (self->db, 1);

  return configure (self, error) && migrate (self, error);
}

static void
tales_store_initable_iface_init (GInitableIface *iface)
{
  iface->init = tales_store_initable_init;
}

static void
tales_store_finalize (GObject *object)
{
  TalesStore *self = TALES_STORE (object);

  /* The readers close first, so that the writer's close, the last one,
   * checkpoints the WAL into the database file. The statements go before
   * their connection: a connection with live statements stays open. */
  g_clear_pointer (&self->readers, g_ptr_array_unref);
  g_mutex_clear (&self->readers_mutex);
  g_clear_pointer (&self->statements, g_hash_table_unref);
  g_clear_pointer (&self->db, sqlite3_close_v2);
  g_clear_pointer (&self->path, g_free);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (tales_store_parent_class)->finalize (object);
}

static void
tales_store_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TalesStore *self = TALES_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tales_store_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TalesStore *self = TALES_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tales_store_class_init (TalesStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tales_store_finalize;
  object_class->get_property = tales_store_get_property;
  object_class->set_property = tales_store_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
tales_store_init (TalesStore *self)
{
  g_mutex_init (&self->mutex);
  g_mutex_init (&self->readers_mutex);
  self->readers = g_ptr_array_new_with_free_func (g_object_unref);
  self->statements = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                            finalize_statement);
}

/**
 * tales_store_open:
 * @path: the database file; its folder is created if missing
 *
 * Returns: (transfer full) (nullable): the store, or %NULL with @error set
 */
TalesStore *
tales_store_open (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (TALES_TYPE_STORE, NULL, error, "path", path, NULL);
}

/**
 * tales_store_open_default:
 *
 * Returns: (transfer full) (nullable): the store in $XDG_DATA_HOME/tales
 */
TalesStore *
tales_store_open_default (GError **error)
{
  g_autofree char *dir = tales_paths_data_dir ();
  g_autofree char *path = g_build_filename (dir, "tales.db", NULL);

  return tales_store_open (path, error);
}

const char *
tales_store_get_path (TalesStore *self)
{
  g_return_val_if_fail (TALES_IS_STORE (self), NULL);
  return self->path;
}
