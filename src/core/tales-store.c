#define G_LOG_DOMAIN "tales-store"

#include "config.h"

#include "tales-store.h"
#include "tales-paths.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <sqlite3.h>

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
  "  etag TEXT, last_modified TEXT,"
  "  last_refresh INTEGER, last_error TEXT, updated INTEGER,"
  "  added INTEGER NOT NULL);"
  "CREATE TABLE posts ("
  "  id INTEGER PRIMARY KEY,"
  "  feed_id INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,"
  "  merge_key TEXT NOT NULL,"
  "  guid TEXT, title TEXT, link TEXT, author TEXT,"
  "  summary TEXT, content TEXT, cover_url TEXT,"
  "  published INTEGER, published_text TEXT,"
  "  updated INTEGER, updated_text TEXT,"
  "  fingerprint TEXT NOT NULL,"
  "  first_seen INTEGER NOT NULL,"
  "  is_read INTEGER NOT NULL DEFAULT 0,"
  "  is_starred INTEGER NOT NULL DEFAULT 0,"
  "  UNIQUE (feed_id, merge_key));"
  /* Both match the ORDER BY of the post list, so listing never sorts. */
  "CREATE INDEX posts_by_date ON posts"
  "  (COALESCE (published, updated, first_seen) DESC, id DESC);"
  "CREATE INDEX posts_by_feed_date ON posts"
  "  (feed_id, COALESCE (published, updated, first_seen) DESC, id DESC);"
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
  "CREATE INDEX post_categories_by_category ON post_categories (category_id);"
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
  "CREATE TABLE post_images ("
  "  post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,"
  "  url TEXT NOT NULL,"
  "  position INTEGER NOT NULL,"
  "  PRIMARY KEY (post_id, url)) WITHOUT ROWID;",
};

#define SCHEMA_VERSION ((int) G_N_ELEMENTS (migrations))

/* A cached statement borrowed for one use: g_autoptr resets it (and drops
 * its bindings) when the borrower's scope ends, and the cache keeps it. */
typedef sqlite3_stmt TalesStmt;

static void
stmt_release (TalesStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TalesStmt, stmt_release)

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
};

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

void
tales_image_record_free (TalesImageRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->url);
  g_free (record->path);
  g_free (record->mime_type);
  g_free (record->error);
  g_free (record);
}

/* Errors */

static GMutexLocker *
store_lock (TalesStore *self, const char *doing)
{
  GMutexLocker *locker = g_mutex_locker_new (&self->mutex);

  self->doing = doing;
  return locker;
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

/* Turns the SQLite result @rc of the call that just failed into a sentence
 * that says what the store was doing and why it could not. */
static void
set_db_error (TalesStore *self, int rc, GError **error)
{
  TalesStoreError code = error_code_for (rc);
  const char *doing = self->doing ? self->doing : _("The library failed");
  const char *detail = self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);

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

static void
set_not_found (GError **error, const char *what)
{
  g_set_error_literal (error, TALES_STORE_ERROR, TALES_STORE_ERROR_NOT_FOUND, what);
}

/* Statements */

static sqlite3_stmt *
prepare (TalesStore *self, const char *sql, GError **error)
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
static int
step_row (TalesStore *self, sqlite3_stmt *stmt, GError **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    return 1;
  if (rc == SQLITE_DONE)
    return 0;
  set_db_error (self, rc, error);
  return -1;
}

static gboolean
step_done (TalesStore *self, sqlite3_stmt *stmt, GError **error)
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
  g_autoptr(TalesStmt) stmt = prepare (self, sql, error);

  return stmt != NULL && step_done (self, stmt, error);
}

/* Runs "@sql" with one integer parameter, for DELETEs by id. */
static gboolean
run_with_id (TalesStore *self, const char *sql, gint64 id, GError **error)
{
  g_autoptr(TalesStmt) stmt = prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  return step_done (self, stmt, error);
}

/* Returns 1 when "@sql" with the one parameter @id finds a row, 0 when not,
 * -1 with @error set. */
static int
exists_with_id (TalesStore *self, const char *sql, gint64 id, GError **error)
{
  g_autoptr(TalesStmt) stmt = prepare (self, sql, error);

  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, id);
  return step_row (self, stmt, error);
}

typedef gboolean (*TransactionFunc) (TalesStore *self, gpointer data, GError **error);

/* Runs @func in one transaction: all of it is committed, or none of it.
 * Write transactions take the write lock up front (BEGIN IMMEDIATE), so they
 * wait for another writer at the start instead of failing halfway. */
static gboolean
transaction (TalesStore      *self,
             gboolean         write,
             TransactionFunc  func,
             gpointer         data,
             GError         **error)
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

static gint64
now_unix (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
bind_text (sqlite3_stmt *stmt, int index, const char *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

static void
bind_date (sqlite3_stmt *stmt, int index, GDateTime *when)
{
  if (when != NULL)
    sqlite3_bind_int64 (stmt, index, g_date_time_to_unix (when));
  else
    sqlite3_bind_null (stmt, index);
}

static const char *
column_text (sqlite3_stmt *stmt, int column)
{
  return (const char *) sqlite3_column_text (stmt, column);
}

/* Returns (transfer full) (nullable) */
static GDateTime *
column_date (sqlite3_stmt *stmt, int column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return NULL;
  return g_date_time_new_from_unix_utc (sqlite3_column_int64 (stmt, column));
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
  g_autoptr(TalesStmt) stmt = prepare (self, "PRAGMA user_version", error);

  if (stmt == NULL || step_row (self, stmt, error) != 1)
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
  return transaction (self, TRUE, migrate_locked, NULL, error);
}

static gboolean
tales_store_initable_init (GInitable     *initable,
                           GCancellable  *cancellable,
                           GError       **error)
{
  TalesStore *self = TALES_STORE (initable);
  g_autoptr(GMutexLocker) locker = store_lock (self, _("Could not open the library"));
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

  /* The statements go first: a connection with live statements stays open. */
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

/* Feeds */

#define FEED_COLUMNS \
  "id, url, title, link, subtitle, image_url, language, etag, last_modified, " \
  "last_refresh, last_error, updated"

static TalesFeed *
feed_from_row (sqlite3_stmt *stmt)
{
  TalesFeed *feed = tales_feed_new ();
  g_autoptr(GDateTime) last_refresh = column_date (stmt, 9);
  g_autoptr(GDateTime) updated = column_date (stmt, 11);

  tales_feed_set_db_id (feed, sqlite3_column_int64 (stmt, 0));
  tales_feed_set_url (feed, column_text (stmt, 1));
  tales_feed_set_title (feed, column_text (stmt, 2));
  tales_feed_set_link (feed, column_text (stmt, 3));
  tales_feed_set_subtitle (feed, column_text (stmt, 4));
  tales_feed_set_image_url (feed, column_text (stmt, 5));
  tales_feed_set_language (feed, column_text (stmt, 6));
  tales_feed_set_etag (feed, column_text (stmt, 7));
  tales_feed_set_last_modified (feed, column_text (stmt, 8));
  tales_feed_set_last_refresh (feed, last_refresh);
  tales_feed_set_last_error (feed, column_text (stmt, 10));
  tales_feed_set_updated (feed, updated);
  return feed;
}

/* Steps @stmt, bound by the caller, for its one feed. */
static TalesFeed *
step_feed (TalesStore *self, sqlite3_stmt *stmt, GError **error)
{
  switch (step_row (self, stmt, error))
    {
    case 1:
      return feed_from_row (stmt);
    case 0:
      set_not_found (error, _("There is no such subscription."));
      return NULL;
    default:
      return NULL;
    }
}

static TalesFeed *
feed_by_url (TalesStore *self, const char *url, GError **error)
{
  g_autoptr(TalesStmt) stmt = prepare (self, "SELECT " FEED_COLUMNS " FROM feeds WHERE url = ?", error);

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, url);
  return step_feed (self, stmt, error);
}

static gboolean
insert_feed (TalesStore *self, const char *url, GError **error)
{
  g_autoptr(TalesStmt) stmt = prepare (self,
    "INSERT INTO feeds (url, added) VALUES (?, ?) ON CONFLICT (url) DO NOTHING", error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, url);
  sqlite3_bind_int64 (stmt, 2, now_unix ());
  return step_done (self, stmt, error);
}

TalesFeed *
tales_store_ensure_feed (TalesStore *self, const char *url, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (TALES_IS_STORE (self), NULL);
  g_return_val_if_fail (url != NULL && *url != '\0', NULL);

  locker = store_lock (self, _("Could not save the subscription"));
  if (!insert_feed (self, url, error))
    return NULL;
  return feed_by_url (self, url, error);
}

/**
 * tales_store_get_feed:
 *
 * Returns: (transfer full) (nullable): the feed, or %NULL with
 *   %TALES_STORE_ERROR_NOT_FOUND (or another error)
 */
TalesFeed *
tales_store_get_feed (TalesStore *self, gint64 feed_id, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(TalesStmt) stmt = NULL;

  g_return_val_if_fail (TALES_IS_STORE (self), NULL);

  locker = store_lock (self, _("Could not read the subscriptions"));
  stmt = prepare (self, "SELECT " FEED_COLUMNS " FROM feeds WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, feed_id);
  return step_feed (self, stmt, error);
}

/**
 * tales_store_find_feed_by_url:
 *
 * Returns: (transfer full) (nullable): the feed subscribed at @url, or
 *   %NULL with %TALES_STORE_ERROR_NOT_FOUND (or another error)
 */
TalesFeed *
tales_store_find_feed_by_url (TalesStore *self, const char *url, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (TALES_IS_STORE (self), NULL);
  g_return_val_if_fail (url != NULL, NULL);

  locker = store_lock (self, _("Could not read the subscriptions"));
  return feed_by_url (self, url, error);
}

GPtrArray *
tales_store_list_feeds (TalesStore *self, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(TalesStmt) stmt = NULL;
  g_autoptr(GPtrArray) feeds = g_ptr_array_new_with_free_func (g_object_unref);
  int row;

  g_return_val_if_fail (TALES_IS_STORE (self), NULL);

  locker = store_lock (self, _("Could not read the subscriptions"));
  stmt = prepare (self, "SELECT " FEED_COLUMNS " FROM feeds "
                        "ORDER BY COALESCE (title, url) COLLATE NOCASE, id", error);
  if (stmt == NULL)
    return NULL;
  while ((row = step_row (self, stmt, error)) == 1)
    g_ptr_array_add (feeds, feed_from_row (stmt));
  return row == 0 ? g_steal_pointer (&feeds) : NULL;
}

gboolean
tales_store_update_feed (TalesStore *self, TalesFeed *feed, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(TalesStmt) stmt = NULL;

  g_return_val_if_fail (TALES_IS_STORE (self), FALSE);
  g_return_val_if_fail (TALES_IS_FEED (feed), FALSE);

  locker = store_lock (self, _("Could not save the subscription"));
  stmt = prepare (self,
    "UPDATE feeds SET title = ?2, link = ?3, subtitle = ?4, image_url = ?5, language = ?6, "
    "etag = ?7, last_modified = ?8, last_refresh = ?9, last_error = ?10, updated = ?11 "
    "WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, tales_feed_get_db_id (feed));
  bind_text (stmt, 2, tales_feed_get_title (feed));
  bind_text (stmt, 3, tales_feed_get_link (feed));
  bind_text (stmt, 4, tales_feed_get_subtitle (feed));
  bind_text (stmt, 5, tales_feed_get_image_url (feed));
  bind_text (stmt, 6, tales_feed_get_language (feed));
  bind_text (stmt, 7, tales_feed_get_etag (feed));
  bind_text (stmt, 8, tales_feed_get_last_modified (feed));
  bind_date (stmt, 9, tales_feed_get_last_refresh (feed));
  bind_text (stmt, 10, tales_feed_get_last_error (feed));
  bind_date (stmt, 11, tales_feed_get_updated (feed));
  if (!step_done (self, stmt, error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      set_not_found (error, _("There is no such subscription."));
      return FALSE;
    }
  return TRUE;
}

/* Merging posts */

/* Feeds every field into @sum unambiguously: a length before each string,
 * and NULL distinct from "". */
static void
checksum_text (GChecksum *sum, const char *text)
{
  char prefix[32];

  if (text == NULL)
    {
      g_checksum_update (sum, (const guchar *) "N", 1);
      return;
    }
  g_snprintf (prefix, sizeof prefix, "S%" G_GSIZE_FORMAT ":", strlen (text));
  g_checksum_update (sum, (const guchar *) prefix, -1);
  g_checksum_update (sum, (const guchar *) text, strlen (text));
}

static void
checksum_int (GChecksum *sum, gint64 value)
{
  char text[32];

  g_snprintf (text, sizeof text, "I%" G_GINT64_FORMAT ";", value);
  g_checksum_update (sum, (const guchar *) text, -1);
}

static void
checksum_date (GChecksum *sum, GDateTime *when)
{
  if (when != NULL)
    checksum_int (sum, g_date_time_to_unix (when));
  else
    g_checksum_update (sum, (const guchar *) "N", 1);
}

static char *
post_fingerprint (TalesPost *post)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  GPtrArray *tags = tales_post_get_tags (post);
  GPtrArray *enclosures = tales_post_get_enclosures (post);
  const char *texts[] = {
    tales_post_get_guid (post), tales_post_get_title (post),
    tales_post_get_link (post), tales_post_get_author (post),
    tales_post_get_summary (post), tales_post_get_content (post),
    tales_post_get_cover_url (post), tales_post_get_published_text (post),
    tales_post_get_updated_text (post),
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    checksum_text (sum, texts[i]);
  checksum_date (sum, tales_post_get_published (post));
  checksum_date (sum, tales_post_get_updated (post));

  checksum_int (sum, tags->len);
  for (guint i = 0; i < tags->len; i++)
    {
      TalesTag *tag = g_ptr_array_index (tags, i);

      checksum_text (sum, tag->term);
      checksum_text (sum, tag->scheme);
      checksum_text (sum, tag->label);
    }

  checksum_int (sum, enclosures->len);
  for (guint i = 0; i < enclosures->len; i++)
    {
      TalesEnclosure *enclosure = g_ptr_array_index (enclosures, i);

      checksum_text (sum, enclosure->href);
      checksum_text (sum, enclosure->type);
      checksum_int (sum, enclosure->length);
    }
  return g_strdup (g_checksum_get_string (sum));
}

/* The guid, else the link, else "hash:" and the sha256 of the title and the
 * body: a post with neither keeps its identity as long as its text does. */
static char *
post_merge_key (TalesPost *post)
{
  const char *key = tales_post_get_merge_key (post);
  g_autoptr(GChecksum) sum = NULL;

  if (key != NULL)
    return g_strdup (key);

  sum = g_checksum_new (G_CHECKSUM_SHA256);
  checksum_text (sum, tales_post_get_title (post));
  checksum_text (sum, tales_post_get_body (post));
  return g_strconcat ("hash:", g_checksum_get_string (sum), NULL);
}

/* The category a term belongs to: its spellings that differ only in case,
 * Unicode form or surrounding space are one category. NULL for a blank term. */
static char *
fold_category (const char *term, char **name)
{
  g_autofree char *valid = g_utf8_make_valid (term, -1);
  g_autofree char *normal = NULL;

  g_strstrip (valid);
  if (*valid == '\0')
    return NULL;
  normal = g_utf8_normalize (valid, -1, G_NORMALIZE_ALL);
  *name = g_steal_pointer (&valid);
  return g_utf8_casefold (normal, -1);
}

static int
find_category (TalesStore *self, const char *folded, gint64 *id, GError **error)
{
  g_autoptr(TalesStmt) stmt = prepare (self, "SELECT id FROM categories WHERE folded = ?", error);
  int row;

  if (stmt == NULL)
    return -1;
  bind_text (stmt, 1, folded);
  row = step_row (self, stmt, error);
  if (row == 1)
    *id = sqlite3_column_int64 (stmt, 0);
  return row;
}

static gboolean
ensure_category (TalesStore *self, const char *term, gint64 *id, GError **error)
{
  g_autofree char *name = NULL;
  g_autofree char *folded = fold_category (term, &name);
  g_autoptr(TalesStmt) stmt = NULL;
  int found;

  *id = 0;
  if (folded == NULL)
    return TRUE;
  found = find_category (self, folded, id, error);
  if (found != 0)
    return found == 1;

  stmt = prepare (self, "INSERT INTO categories (name, folded) VALUES (?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, name);
  bind_text (stmt, 2, folded);
  if (!step_done (self, stmt, error))
    return FALSE;
  *id = sqlite3_last_insert_rowid (self->db);
  return TRUE;
}

static gboolean
insert_tag (TalesStore *self, gint64 post_id, guint position, TalesTag *tag, GError **error)
{
  g_autoptr(TalesStmt) stmt = NULL;
  gint64 category_id;

  if (!ensure_category (self, tag->term, &category_id, error))
    return FALSE;

  stmt = prepare (self, "INSERT INTO post_categories "
                        "(post_id, position, category_id, term, scheme, label) "
                        "VALUES (?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, post_id);
  sqlite3_bind_int64 (stmt, 2, position);
  if (category_id != 0)
    sqlite3_bind_int64 (stmt, 3, category_id);
  bind_text (stmt, 4, tag->term);
  bind_text (stmt, 5, tag->scheme);
  bind_text (stmt, 6, tag->label);
  return step_done (self, stmt, error);
}

static gboolean
write_tags (TalesStore *self, gint64 post_id, TalesPost *post, GError **error)
{
  GPtrArray *tags = tales_post_get_tags (post);

  if (!run_with_id (self, "DELETE FROM post_categories WHERE post_id = ?", post_id, error))
    return FALSE;
  for (guint i = 0; i < tags->len; i++)
    if (!insert_tag (self, post_id, i, g_ptr_array_index (tags, i), error))
      return FALSE;
  return TRUE;
}

static gboolean
insert_enclosure (TalesStore *self, gint64 post_id, guint position,
                  TalesEnclosure *enclosure, GError **error)
{
  g_autoptr(TalesStmt) stmt = prepare (self, "INSERT INTO enclosures "
                                             "(post_id, position, href, type, length) "
                                             "VALUES (?, ?, ?, ?, ?)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, post_id);
  sqlite3_bind_int64 (stmt, 2, position);
  bind_text (stmt, 3, enclosure->href);
  bind_text (stmt, 4, enclosure->type);
  sqlite3_bind_int64 (stmt, 5, enclosure->length);
  return step_done (self, stmt, error);
}

static gboolean
write_enclosures (TalesStore *self, gint64 post_id, TalesPost *post, GError **error)
{
  GPtrArray *enclosures = tales_post_get_enclosures (post);

  if (!run_with_id (self, "DELETE FROM enclosures WHERE post_id = ?", post_id, error))
    return FALSE;
  for (guint i = 0; i < enclosures->len; i++)
    if (!insert_enclosure (self, post_id, i, g_ptr_array_index (enclosures, i), error))
      return FALSE;
  return TRUE;
}

/* Returns 1 and the stored id and fingerprint when the feed already holds
 * a post under @key, 0 when not, -1 with @error set. */
static int
find_post (TalesStore *self, gint64 feed_id, const char *key,
           gint64 *id, char **fingerprint, GError **error)
{
  g_autoptr(TalesStmt) stmt = prepare (self, "SELECT id, fingerprint FROM posts "
                                             "WHERE feed_id = ? AND merge_key = ?", error);
  int row;

  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, feed_id);
  bind_text (stmt, 2, key);
  row = step_row (self, stmt, error);
  if (row == 1)
    {
      *id = sqlite3_column_int64 (stmt, 0);
      *fingerprint = g_strdup (column_text (stmt, 1));
    }
  return row;
}

/* Inserts the post, or updates the stored one in place: its id, first_seen
 * and read and star state stay. */
static gboolean
upsert_post (TalesStore *self, gint64 feed_id, TalesPost *post, const char *key,
             const char *fingerprint, gint64 now, gint64 *id, GError **error)
{
  g_autoptr(TalesStmt) stmt = prepare (self,
    "INSERT INTO posts (feed_id, merge_key, guid, title, link, author, summary, content, "
    "  cover_url, published, published_text, updated, updated_text, fingerprint, first_seen) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (feed_id, merge_key) DO UPDATE SET "
    "  guid = excluded.guid, title = excluded.title, link = excluded.link, "
    "  author = excluded.author, summary = excluded.summary, content = excluded.content, "
    "  cover_url = excluded.cover_url, published = excluded.published, "
    "  published_text = excluded.published_text, updated = excluded.updated, "
    "  updated_text = excluded.updated_text, fingerprint = excluded.fingerprint "
    "RETURNING id", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, feed_id);
  bind_text (stmt, 2, key);
  bind_text (stmt, 3, tales_post_get_guid (post));
  bind_text (stmt, 4, tales_post_get_title (post));
  bind_text (stmt, 5, tales_post_get_link (post));
  bind_text (stmt, 6, tales_post_get_author (post));
  bind_text (stmt, 7, tales_post_get_summary (post));
  bind_text (stmt, 8, tales_post_get_content (post));
  bind_text (stmt, 9, tales_post_get_cover_url (post));
  bind_date (stmt, 10, tales_post_get_published (post));
  bind_text (stmt, 11, tales_post_get_published_text (post));
  bind_date (stmt, 12, tales_post_get_updated (post));
  bind_text (stmt, 13, tales_post_get_updated_text (post));
  bind_text (stmt, 14, fingerprint);
  sqlite3_bind_int64 (stmt, 15, now);

  if (step_row (self, stmt, error) != 1)
    return FALSE;
  *id = sqlite3_column_int64 (stmt, 0);
  return step_done (self, stmt, error);
}

typedef enum {
  MERGE_UNCHANGED,
  MERGE_NEW,
  MERGE_UPDATED,
} MergeOutcome;

static gboolean
merge_one (TalesStore   *self,
           gint64        feed_id,
           TalesPost    *post,
           const char   *key,
           gint64        now,
           gint64       *id,
           MergeOutcome *outcome,
           GError      **error)
{
  g_autofree char *fingerprint = post_fingerprint (post);
  g_autofree char *stored = NULL;
  int found = find_post (self, feed_id, key, id, &stored, error);

  if (found < 0)
    return FALSE;
  if (found == 1 && g_strcmp0 (stored, fingerprint) == 0)
    {
      *outcome = MERGE_UNCHANGED;
      return TRUE;
    }

  *outcome = found == 1 ? MERGE_UPDATED : MERGE_NEW;
  return upsert_post (self, feed_id, post, key, fingerprint, now, id, error) &&
         write_tags (self, *id, post, error) &&
         write_enclosures (self, *id, post, error);
}

typedef struct {
  gint64 feed_id;
  GPtrArray *posts;
  gint64 *ids;          /* out: each post's db-id */
  guint n_new;
  guint n_updated;
} MergeData;

static gboolean
merge_posts_locked (TalesStore *self, gpointer data, GError **error)
{
  MergeData *merge = data;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gint64 now = now_unix ();
  int found = exists_with_id (self, "SELECT 1 FROM feeds WHERE id = ?", merge->feed_id, error);

  if (found == 0)
    set_not_found (error, _("There is no such subscription."));
  if (found != 1)
    return FALSE;

  for (guint i = 0; i < merge->posts->len; i++)
    {
      g_autofree char *key = post_merge_key (g_ptr_array_index (merge->posts, i));
      MergeOutcome outcome;
      gpointer first;

      /* A feed that lists one post twice: the first one wins. */
      if (g_hash_table_lookup_extended (seen, key, NULL, &first))
        {
          merge->ids[i] = merge->ids[GPOINTER_TO_UINT (first)];
          continue;
        }
      if (!merge_one (self, merge->feed_id, g_ptr_array_index (merge->posts, i),
                      key, now, &merge->ids[i], &outcome, error))
        return FALSE;
      merge->n_new += outcome == MERGE_NEW;
      merge->n_updated += outcome == MERGE_UPDATED;
      g_hash_table_insert (seen, g_steal_pointer (&key), GUINT_TO_POINTER (i));
    }
  return TRUE;
}

gboolean
tales_store_merge_posts (TalesStore  *self,
                         gint64       feed_id,
                         GPtrArray   *posts,
                         guint       *n_new,
                         guint       *n_updated,
                         GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree gint64 *ids = NULL;
  MergeData merge = { feed_id, posts, NULL, 0, 0 };

  g_return_val_if_fail (TALES_IS_STORE (self), FALSE);
  g_return_val_if_fail (posts != NULL, FALSE);

  if (n_new != NULL)
    *n_new = 0;
  if (n_updated != NULL)
    *n_updated = 0;

  merge.ids = ids = g_new0 (gint64, MAX (posts->len, 1));
  locker = store_lock (self, _("Could not save the posts"));
  if (!transaction (self, TRUE, merge_posts_locked, &merge, error))
    return FALSE;
  g_clear_pointer (&locker, g_mutex_locker_free);

  /* Only posts that are safely stored learn their ids. */
  for (guint i = 0; i < posts->len; i++)
    {
      tales_post_set_db_id (g_ptr_array_index (posts, i), ids[i]);
      tales_post_set_feed_id (g_ptr_array_index (posts, i), feed_id);
    }
  if (n_new != NULL)
    *n_new = merge.n_new;
  if (n_updated != NULL)
    *n_updated = merge.n_updated;
  return TRUE;
}

/* Reading posts */

#define POST_COLUMNS \
  "p.id, p.feed_id, p.guid, p.title, p.link, p.author, p.cover_url, " \
  "p.published, p.published_text, p.updated, p.updated_text, f.title"
#define POST_ORDER " ORDER BY COALESCE (p.published, p.updated, p.first_seen) DESC, p.id DESC"

/* A post from a row that starts with POST_COLUMNS. */
static TalesPost *
post_from_row (sqlite3_stmt *stmt)
{
  TalesPost *post = tales_post_new ();
  g_autoptr(GDateTime) published = column_date (stmt, 7);
  g_autoptr(GDateTime) updated = column_date (stmt, 9);

  g_object_freeze_notify (G_OBJECT (post));
  tales_post_set_db_id (post, sqlite3_column_int64 (stmt, 0));
  tales_post_set_feed_id (post, sqlite3_column_int64 (stmt, 1));
  tales_post_set_guid (post, column_text (stmt, 2));
  tales_post_set_title (post, column_text (stmt, 3));
  tales_post_set_link (post, column_text (stmt, 4));
  tales_post_set_author (post, column_text (stmt, 5));
  tales_post_set_cover_url (post, column_text (stmt, 6));
  tales_post_set_published (post, published);
  tales_post_set_published_text (post, column_text (stmt, 8));
  tales_post_set_updated (post, updated);
  tales_post_set_updated_text (post, column_text (stmt, 10));
  tales_post_set_feed_title (post, column_text (stmt, 11));
  g_object_thaw_notify (G_OBJECT (post));
  return post;
}

typedef struct {
  gint64 feed_id;
  GPtrArray *posts;     /* out: TalesPost */
} ListData;

static gboolean
list_rows (TalesStore *self, ListData *list, GError **error)
{
  g_autoptr(TalesStmt) stmt = NULL;
  int row;

  if (list->feed_id == 0)
    stmt = prepare (self, "SELECT " POST_COLUMNS " FROM posts p "
                          "JOIN feeds f ON f.id = p.feed_id" POST_ORDER, error);
  else
    stmt = prepare (self, "SELECT " POST_COLUMNS " FROM posts p "
                          "JOIN feeds f ON f.id = p.feed_id WHERE p.feed_id = ?" POST_ORDER,
                    error);
  if (stmt == NULL)
    return FALSE;
  if (list->feed_id != 0)
    sqlite3_bind_int64 (stmt, 1, list->feed_id);

  while ((row = step_row (self, stmt, error)) == 1)
    g_ptr_array_add (list->posts, post_from_row (stmt));
  return row == 0;
}

/* The tags of every listed post in one query, matched to the posts by id. */
static gboolean
list_tags (TalesStore *self, ListData *list, GError **error)
{
  g_autoptr(TalesStmt) stmt = NULL;
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autofree gint64 *ids = g_new (gint64, MAX (list->posts->len, 1));
  int row;

  for (guint i = 0; i < list->posts->len; i++)
    {
      ids[i] = tales_post_get_db_id (g_ptr_array_index (list->posts, i));
      g_hash_table_insert (by_id, &ids[i], g_ptr_array_index (list->posts, i));
    }

  if (list->feed_id == 0)
    stmt = prepare (self, "SELECT post_id, term, scheme, label FROM post_categories "
                          "ORDER BY post_id, position", error);
  else
    stmt = prepare (self, "SELECT pc.post_id, pc.term, pc.scheme, pc.label "
                          "FROM post_categories pc JOIN posts p ON p.id = pc.post_id "
                          "WHERE p.feed_id = ? ORDER BY pc.post_id, pc.position", error);
  if (stmt == NULL)
    return FALSE;
  if (list->feed_id != 0)
    sqlite3_bind_int64 (stmt, 1, list->feed_id);

  while ((row = step_row (self, stmt, error)) == 1)
    {
      gint64 post_id = sqlite3_column_int64 (stmt, 0);
      TalesPost *post = g_hash_table_lookup (by_id, &post_id);

      if (post != NULL)
        tales_post_add_tag (post, column_text (stmt, 1), column_text (stmt, 2),
                            column_text (stmt, 3));
    }
  return row == 0;
}

static gboolean
list_posts_locked (TalesStore *self, gpointer data, GError **error)
{
  return list_rows (self, data, error) && list_tags (self, data, error);
}

GListModel *
tales_store_list_posts (TalesStore *self, gint64 feed_id, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) posts = g_ptr_array_new_with_free_func (g_object_unref);
  ListData list = { feed_id, posts };
  GListStore *model;

  g_return_val_if_fail (TALES_IS_STORE (self), NULL);

  /* One read transaction, so the posts and their tags are one snapshot. */
  locker = store_lock (self, _("Could not read the posts"));
  if (!transaction (self, FALSE, list_posts_locked, &list, error))
    return NULL;
  g_clear_pointer (&locker, g_mutex_locker_free);

  model = g_list_store_new (TALES_TYPE_POST);
  g_list_store_splice (model, 0, 0, posts->pdata, posts->len);
  return G_LIST_MODEL (model);
}

static gboolean
load_tags (TalesStore *self, TalesPost *post, GError **error)
{
  g_autoptr(TalesStmt) stmt = prepare (self, "SELECT term, scheme, label FROM post_categories "
                                             "WHERE post_id = ? ORDER BY position", error);
  int row;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, tales_post_get_db_id (post));
  while ((row = step_row (self, stmt, error)) == 1)
    tales_post_add_tag (post, column_text (stmt, 0), column_text (stmt, 1), column_text (stmt, 2));
  return row == 0;
}

static gboolean
load_enclosures (TalesStore *self, TalesPost *post, GError **error)
{
  g_autoptr(TalesStmt) stmt = prepare (self, "SELECT href, type, length FROM enclosures "
                                             "WHERE post_id = ? ORDER BY position", error);
  int row;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, tales_post_get_db_id (post));
  while ((row = step_row (self, stmt, error)) == 1)
    tales_post_add_enclosure (post, column_text (stmt, 0), column_text (stmt, 1),
                              sqlite3_column_int64 (stmt, 2));
  return row == 0;
}

typedef struct {
  gint64 post_id;
  TalesPost *post;      /* out */
} LoadData;

static gboolean
load_row (TalesStore *self, LoadData *load, GError **error)
{
  g_autoptr(TalesStmt) stmt = prepare (self, "SELECT " POST_COLUMNS ", p.summary, p.content "
                                             "FROM posts p JOIN feeds f ON f.id = p.feed_id "
                                             "WHERE p.id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, load->post_id);
  switch (step_row (self, stmt, error))
    {
    case 1:
      load->post = post_from_row (stmt);
      tales_post_set_summary (load->post, column_text (stmt, 12));
      tales_post_set_content (load->post, column_text (stmt, 13));
      return TRUE;
    case 0:
      set_not_found (error, _("The post is no longer in the library."));
      return FALSE;
    default:
      return FALSE;
    }
}

static gboolean
load_post_locked (TalesStore *self, gpointer data, GError **error)
{
  LoadData *load = data;

  return load_row (self, load, error) &&
         load_tags (self, load->post, error) &&
         load_enclosures (self, load->post, error);
}

/**
 * tales_store_load_post:
 *
 * Returns: (transfer full) (nullable): the post with its body, or %NULL
 *   with %TALES_STORE_ERROR_NOT_FOUND (or another error)
 */
TalesPost *
tales_store_load_post (TalesStore *self, gint64 post_id, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  LoadData load = { post_id, NULL };

  g_return_val_if_fail (TALES_IS_STORE (self), NULL);

  locker = store_lock (self, _("Could not read the post"));
  if (!transaction (self, FALSE, load_post_locked, &load, error))
    {
      g_clear_object (&load.post);
      return NULL;
    }
  return load.post;
}

/* Returns the number of posts, 0 with @error set on failure. */
guint
tales_store_count_posts (TalesStore *self, gint64 feed_id, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(TalesStmt) stmt = NULL;

  g_return_val_if_fail (TALES_IS_STORE (self), 0);

  locker = store_lock (self, _("Could not count the posts"));
  if (feed_id == 0)
    stmt = prepare (self, "SELECT count(*) FROM posts", error);
  else
    stmt = prepare (self, "SELECT count(*) FROM posts WHERE feed_id = ?", error);
  if (stmt == NULL)
    return 0;
  if (feed_id != 0)
    sqlite3_bind_int64 (stmt, 1, feed_id);
  if (step_row (self, stmt, error) != 1)
    return 0;
  return (guint) sqlite3_column_int64 (stmt, 0);
}

/* Images */

static char *
url_hash (const char *url)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, url, -1);
}

/* A PENDING record for @url unless one exists: a known image keeps its
 * state, so linking never forgets a cached file. */
static gboolean
insert_image (TalesStore *self, const char *url, gint64 now, GError **error)
{
  g_autoptr(TalesStmt) stmt = prepare (self, "INSERT INTO images (url, url_hash, state, updated) "
                                             "VALUES (?, ?, ?, ?) ON CONFLICT (url) DO NOTHING",
                                       error);
  g_autofree char *hash = url_hash (url);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, url);
  bind_text (stmt, 2, hash);
  sqlite3_bind_int (stmt, 3, TALES_IMAGE_PENDING);
  sqlite3_bind_int64 (stmt, 4, now);
  return step_done (self, stmt, error);
}

static gboolean
insert_post_image (TalesStore *self, gint64 post_id, const char *url, guint position,
                   GError **error)
{
  /* A URL the post lists twice keeps its first place. */
  g_autoptr(TalesStmt) stmt = prepare (self, "INSERT INTO post_images (post_id, url, position) "
                                             "VALUES (?, ?, ?) "
                                             "ON CONFLICT (post_id, url) DO NOTHING", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, post_id);
  bind_text (stmt, 2, url);
  sqlite3_bind_int64 (stmt, 3, position);
  return step_done (self, stmt, error);
}

typedef struct {
  gint64 post_id;
  GPtrArray *urls;
} LinkData;

static gboolean
link_images_locked (TalesStore *self, gpointer data, GError **error)
{
  LinkData *link = data;
  gint64 now = now_unix ();
  int found = exists_with_id (self, "SELECT 1 FROM posts WHERE id = ?", link->post_id, error);

  if (found == 0)
    set_not_found (error, _("The post is no longer in the library."));
  if (found != 1)
    return FALSE;

  if (!run_with_id (self, "DELETE FROM post_images WHERE post_id = ?", link->post_id, error))
    return FALSE;
  for (guint i = 0; link->urls != NULL && i < link->urls->len; i++)
    {
      const char *url = g_ptr_array_index (link->urls, i);

      if (url == NULL || *url == '\0')
        continue;
      if (!insert_image (self, url, now, error) ||
          !insert_post_image (self, link->post_id, url, i, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * tales_store_link_post_images:
 * @urls: (element-type utf8) (nullable): the image URLs of the post, in order
 *
 * Replaces the list of images @post_id needs, adding a pending record for
 * each URL the store does not know yet.
 */
gboolean
tales_store_link_post_images (TalesStore  *self,
                              gint64       post_id,
                              GPtrArray   *urls,
                              GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  LinkData link = { post_id, urls };

  g_return_val_if_fail (TALES_IS_STORE (self), FALSE);

  locker = store_lock (self, _("Could not save the images of the post"));
  return transaction (self, TRUE, link_images_locked, &link, error);
}

GPtrArray *
tales_store_list_post_images (TalesStore *self, gint64 post_id, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(TalesStmt) stmt = NULL;
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  int row;

  g_return_val_if_fail (TALES_IS_STORE (self), NULL);

  locker = store_lock (self, _("Could not read the images of the post"));
  stmt = prepare (self, "SELECT url FROM post_images WHERE post_id = ? ORDER BY position", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, post_id);
  while ((row = step_row (self, stmt, error)) == 1)
    g_ptr_array_add (urls, g_strdup (column_text (stmt, 0)));
  return row == 0 ? g_steal_pointer (&urls) : NULL;
}

static gboolean
set_image_state (TalesStore      *self,
                 const char      *url,
                 TalesImageState  state,
                 const char      *path,
                 const char      *mime_type,
                 const char      *reason,
                 GError         **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self, _("Could not save the image record"));
  g_autoptr(TalesStmt) stmt = prepare (self,
    "INSERT INTO images (url, url_hash, state, path, mime_type, error, updated) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (url) DO UPDATE SET state = excluded.state, path = excluded.path, "
    "  mime_type = excluded.mime_type, error = excluded.error, updated = excluded.updated",
    error);
  g_autofree char *hash = url_hash (url);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, url);
  bind_text (stmt, 2, hash);
  sqlite3_bind_int (stmt, 3, state);
  bind_text (stmt, 4, path);
  bind_text (stmt, 5, mime_type);
  bind_text (stmt, 6, reason);
  sqlite3_bind_int64 (stmt, 7, now_unix ());
  return step_done (self, stmt, error);
}

gboolean
tales_store_set_image_cached (TalesStore  *self,
                              const char  *url,
                              const char  *path,
                              const char  *mime_type,
                              GError     **error)
{
  g_return_val_if_fail (TALES_IS_STORE (self), FALSE);
  g_return_val_if_fail (url != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  return set_image_state (self, url, TALES_IMAGE_CACHED, path, mime_type, NULL, error);
}

gboolean
tales_store_set_image_failed (TalesStore  *self,
                              const char  *url,
                              const char  *reason,
                              GError     **error)
{
  g_return_val_if_fail (TALES_IS_STORE (self), FALSE);
  g_return_val_if_fail (url != NULL, FALSE);

  return set_image_state (self, url, TALES_IMAGE_FAILED, NULL, NULL, reason, error);
}

static TalesImageRecord *
image_from_row (sqlite3_stmt *stmt)
{
  TalesImageRecord *record = g_new0 (TalesImageRecord, 1);
  int state = sqlite3_column_int (stmt, 1);

  record->url = g_strdup (column_text (stmt, 0));
  record->state = CLAMP (state, TALES_IMAGE_PENDING, TALES_IMAGE_FAILED);
  record->path = g_strdup (column_text (stmt, 2));
  record->mime_type = g_strdup (column_text (stmt, 3));
  record->error = g_strdup (column_text (stmt, 4));
  return record;
}

static TalesImageRecord *
get_image (TalesStore *self, const char *sql, const char *key, GError **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self, _("Could not read the image record"));
  g_autoptr(TalesStmt) stmt = prepare (self, sql, error);

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, key);
  return step_row (self, stmt, error) == 1 ? image_from_row (stmt) : NULL;
}

TalesImageRecord *
tales_store_get_image (TalesStore *self, const char *url, GError **error)
{
  g_return_val_if_fail (TALES_IS_STORE (self), NULL);
  g_return_val_if_fail (url != NULL, NULL);

  return get_image (self, "SELECT url, state, path, mime_type, error FROM images WHERE url = ?",
                    url, error);
}

TalesImageRecord *
tales_store_get_image_by_url_hash (TalesStore *self, const char *url_hash, GError **error)
{
  g_autofree char *lower = NULL;

  g_return_val_if_fail (TALES_IS_STORE (self), NULL);
  g_return_val_if_fail (url_hash != NULL, NULL);

  lower = g_ascii_strdown (url_hash, -1);
  return get_image (self, "SELECT url, state, path, mime_type, error FROM images "
                          "WHERE url_hash = ?", lower, error);
}
