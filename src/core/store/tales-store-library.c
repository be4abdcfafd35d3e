/* SPDX-License-Identifier: GPL-3.0-or-later */
/* TalesStore: the reader's library — read and star state, counts,
 * categories, unsubscribing, retention and the images still to fetch. */

#define G_LOG_DOMAIN "tales-store"

#include "config.h"

#include "tales-store-private.h"

#include <string.h>

#include <glib/gi18n-lib.h>

G_STATIC_ASSERT (TALES_IMAGE_CACHED == 1);   /* spelled out in the SQL below */

/* Read and star state */

static gboolean
set_flag (TalesStore *self, const char *sql, gint64 post_id, gboolean value, GError **error)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = tales_store_lock (self, _("Could not save the post"));
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, value ? 1 : 0);
  sqlite3_bind_int64 (stmt, 2, post_id);
  if (!tales_store_step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      tales_store_set_not_found (error, _("The post is no longer in the library."));
      return FALSE;
    }
  return TRUE;
}

/**
 * tales_store_set_read:
 *
 * Only the store changes: a TalesPost already handed out (a list row) keeps
 * its state until the caller sets it too (tales_post_set_is_read()).
 */
gboolean
tales_store_set_read (TalesStore *self, gint64 post_id, gboolean is_read, GError **error)
{
  g_return_val_if_fail (TALES_IS_STORE (self), FALSE);

  return set_flag (self, "UPDATE posts SET is_read = ? WHERE id = ?", post_id, is_read, error);
}

/**
 * tales_store_set_starred:
 *
 * As tales_store_set_read(), the caller updates the TalesPost it shows.
 */
gboolean
tales_store_set_starred (TalesStore *self, gint64 post_id, gboolean is_starred, GError **error)
{
  g_return_val_if_fail (TALES_IS_STORE (self), FALSE);

  return set_flag (self, "UPDATE posts SET is_starred = ? WHERE id = ?", post_id, is_starred,
                   error);
}

/* Counts */

/**
 * tales_store_count_by_feed:
 *
 * Returns: (transfer full) (element-type TalesFeedCounts) (nullable): one
 *   per feed, empty feeds included, or %NULL with @error set
 */
GArray *
tales_store_count_by_feed (TalesStore *self, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(TalesStmt) stmt = NULL;
  g_autoptr(GArray) counts = g_array_new (FALSE, FALSE, sizeof (TalesFeedCounts));
  int row;

  g_return_val_if_fail (TALES_IS_STORE (self), NULL);

  locker = tales_store_lock_read (&self, _("Could not count the posts"));
  stmt = tales_store_prepare_statement (self,
    "SELECT f.id, count(p.id), COALESCE (sum (p.is_read = 0), 0) "
    "FROM feeds f LEFT JOIN posts p ON p.feed_id = f.id GROUP BY f.id ORDER BY f.id", error);
  if (stmt == NULL)
    return NULL;
  while ((row = tales_store_step_row (self, stmt, error)) == 1)
    {
      TalesFeedCounts count = {
        sqlite3_column_int64 (stmt, 0),
        (guint) sqlite3_column_int64 (stmt, 1),
        (guint) sqlite3_column_int64 (stmt, 2),
      };

      g_array_append_val (counts, count);
    }
  return row == 0 ? g_steal_pointer (&counts) : NULL;
}

static guint
count_one (TalesStore *self, const char *sql, GError **error)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = tales_store_lock_read (&self, _("Could not count the posts"));
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self, sql, error);

  if (stmt == NULL || tales_store_step_row (self, stmt, error) != 1)
    return 0;
  return (guint) sqlite3_column_int64 (stmt, 0);
}

/* Returns the number of unread posts, 0 with @error set on failure. */
guint
tales_store_count_unread (TalesStore *self, GError **error)
{
  g_return_val_if_fail (TALES_IS_STORE (self), 0);

  return count_one (self, "SELECT count(*) FROM posts WHERE is_read = 0", error);
}

/* Returns the number of starred posts, 0 with @error set on failure. */
guint
tales_store_count_starred (TalesStore *self, GError **error)
{
  g_return_val_if_fail (TALES_IS_STORE (self), 0);

  return count_one (self, "SELECT count(*) FROM posts WHERE is_starred = 1", error);
}

/* Categories */

void
tales_category_count_free (TalesCategoryCount *count)
{
  if (count == NULL)
    return;
  g_free (count->name);
  g_free (count);
}

static int
compare_categories (gconstpointer a, gconstpointer b)
{
  const TalesCategoryCount *first = *(TalesCategoryCount * const *) a;
  const TalesCategoryCount *second = *(TalesCategoryCount * const *) b;
  g_autofree char *first_key = g_utf8_casefold (first->name, -1);
  g_autofree char *second_key = g_utf8_casefold (second->name, -1);
  int order = g_utf8_collate (first_key, second_key);

  return order != 0 ? order : g_strcmp0 (first->name, second->name);
}

/* One category as the rows of post_categories come in. */
typedef struct {
  gint64 id;
  gint64 last_post_id;
  guint n_posts;
  GHashTable *spellings;    /* trimmed term -> number of uses */
} CategoryRun;

/* The most used spelling; a tie goes to the one that sorts first, so the
 * name does not change from one call to the next. */
static const char *
most_used_spelling (GHashTable *spellings)
{
  GHashTableIter iter;
  gpointer key, value;
  const char *best = NULL;
  guint best_uses = 0;

  g_hash_table_iter_init (&iter, spellings);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      guint uses = GPOINTER_TO_UINT (value);

      if (uses > best_uses || (uses == best_uses && strcmp (key, best) < 0))
        {
          best = key;
          best_uses = uses;
        }
    }
  return best;
}

static void
end_category_run (CategoryRun *run, GPtrArray *categories)
{
  TalesCategoryCount *count;

  if (run->id == 0)
    return;
  count = g_new0 (TalesCategoryCount, 1);
  count->name = g_strdup (most_used_spelling (run->spellings));
  count->n_posts = run->n_posts;
  g_ptr_array_add (categories, count);
  g_hash_table_remove_all (run->spellings);
  run->n_posts = 0;
  run->last_post_id = 0;
}

static void
add_to_category_run (CategoryRun *run, gint64 post_id, const char *term)
{
  char *name = g_strstrip (g_strdup (term));
  guint uses = GPOINTER_TO_UINT (g_hash_table_lookup (run->spellings, name));

  /* Rows come by post within a category: a post that names the category
   * twice (two spellings) counts once. */
  run->n_posts += post_id != run->last_post_id;
  run->last_post_id = post_id;
  g_hash_table_replace (run->spellings, name, GUINT_TO_POINTER (uses + 1));
}

/**
 * tales_store_list_categories:
 *
 * One pass over the category index, in order, so the cost is one step per
 * post-category row and no sort.
 *
 * Returns: (transfer full) (element-type TalesCategoryCount) (nullable):
 *   the categories, or %NULL with @error set
 */
GPtrArray *
tales_store_list_categories (TalesStore *self, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(TalesStmt) stmt = NULL;
  g_autoptr(GPtrArray) categories = NULL;
  g_autoptr(GHashTable) spellings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  CategoryRun run = { 0, 0, 0, spellings };
  int row;

  g_return_val_if_fail (TALES_IS_STORE (self), NULL);

  categories = g_ptr_array_new_with_free_func ((GDestroyNotify) tales_category_count_free);
  locker = tales_store_lock_read (&self, _("Could not read the categories"));
  stmt = tales_store_prepare_statement (self,
    "SELECT category_id, post_id, term FROM post_categories "
    "WHERE category_id IS NOT NULL ORDER BY category_id, post_id", error);
  if (stmt == NULL)
    return NULL;
  while ((row = tales_store_step_row (self, stmt, error)) == 1)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      if (id != run.id)
        {
          end_category_run (&run, categories);
          run.id = id;
        }
      add_to_category_run (&run, sqlite3_column_int64 (stmt, 1),
                           tales_store_column_text (stmt, 2));
    }
  if (row != 0)
    return NULL;
  end_category_run (&run, categories);
  g_ptr_array_sort (categories, compare_categories);
  return g_steal_pointer (&categories);
}

/* Removing posts, and the images they leave behind */

/* The image URLs the posts that "@sql" (one integer parameter) selects
 * need, into @urls. */
static gboolean
collect_image_urls (TalesStore *self, const char *sql, gint64 param, GPtrArray *urls,
                    GError **error)
{
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self, sql, error);
  int row;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, param);
  while ((row = tales_store_step_row (self, stmt, error)) == 1)
    g_ptr_array_add (urls, g_strdup (tales_store_column_text (stmt, 0)));
  return row == 0;
}

/* Whether some image record (another URL with the same bytes) still
 * points at the content-addressed file @path: 1 yes, 0 no, -1 on error. */
static int
path_still_recorded (TalesStore *self, const char *path, GError **error)
{
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self,
    "SELECT 1 FROM images WHERE path = ? LIMIT 1", error);

  if (stmt == NULL)
    return -1;
  tales_store_bind_text (stmt, 1, path);
  return tales_store_step_row (self, stmt, error);
}

/* Forgets the image records of @urls that no post needs any more, and
 * adds to @paths the cache files no record points at any more. Files are
 * named by their bytes, so two URLs with the same bytes share one: the
 * file goes only with the last record that needs it. */
static gboolean
drop_orphaned_images (TalesStore *self, GPtrArray *urls, GPtrArray *paths, GError **error)
{
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self,
    "DELETE FROM images WHERE url = ? "
    "AND NOT EXISTS (SELECT 1 FROM post_images WHERE url = images.url) RETURNING path", error);
  g_autoptr(GHashTable) freed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer path;

  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < urls->len; i++)
    {
      int row;

      tales_store_bind_text (stmt, 1, g_ptr_array_index (urls, i));
      while ((row = tales_store_step_row (self, stmt, error)) == 1)
        if (sqlite3_column_type (stmt, 0) != SQLITE_NULL)
          g_hash_table_add (freed, g_strdup (tales_store_column_text (stmt, 0)));
      sqlite3_reset (stmt);
      if (row != 0)
        return FALSE;
    }
  /* Only once every record of this removal is gone: two of them may
   * share a file. */
  g_hash_table_iter_init (&iter, freed);
  while (g_hash_table_iter_next (&iter, &path, NULL))
    {
      int recorded = path_still_recorded (self, path, error);

      if (recorded < 0)
        return FALSE;
      if (recorded == 0)
        g_ptr_array_add (paths, g_strdup (path));
    }
  return TRUE;
}

/* Categories no post uses any more would show in no list; they go too. */
static gboolean
drop_unused_categories (TalesStore *self, GError **error)
{
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self,
    "DELETE FROM categories WHERE NOT EXISTS "
    "(SELECT 1 FROM post_categories WHERE category_id = categories.id)", error);

  return stmt != NULL && tales_store_step_done (self, stmt, error);
}

typedef struct {
  const char *select_urls;    /* the image URLs of the posts to delete */
  const char *delete;         /* deletes them */
  gint64 param;               /* the one parameter of both */
  guint n_deleted;            /* out */
  GPtrArray *paths;           /* out */
} RemoveData;

/* Posts, their categories, enclosures, image links and search rows go by
 * the foreign keys' cascades (and the triggers on post_text). */
static gboolean
remove_locked (TalesStore *self, gpointer data, GError **error)
{
  RemoveData *remove = data;
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);

  if (!collect_image_urls (self, remove->select_urls, remove->param, urls, error) ||
      !tales_store_run_with_id (self, remove->delete, remove->param, error))
    return FALSE;
  remove->n_deleted = sqlite3_changes (self->db);
  return drop_orphaned_images (self, urls, remove->paths, error) &&
         drop_unused_categories (self, error);
}

static gboolean
remove_posts (TalesStore *self, RemoveData *remove, GPtrArray **orphaned_paths, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  remove->paths = paths;
  locker = tales_store_lock (self, _("Could not remove the posts"));
  if (!tales_store_transaction (self, TRUE, remove_locked, remove, error))
    return FALSE;
  if (orphaned_paths != NULL)
    *orphaned_paths = g_steal_pointer (&paths);
  return TRUE;
}

/**
 * tales_store_remove_feed:
 * @orphaned_paths: (out) (optional) (transfer full) (element-type filename):
 *   cache files to delete
 *
 * Fails with %TALES_STORE_ERROR_NOT_FOUND when there is no such feed.
 */
gboolean
tales_store_remove_feed (TalesStore  *self,
                         gint64       feed_id,
                         GPtrArray  **orphaned_paths,
                         GError     **error)
{
  RemoveData remove = {
    "SELECT DISTINCT pi.url FROM posts p JOIN post_images pi ON pi.post_id = p.id "
    "WHERE p.feed_id = ?",
    "DELETE FROM feeds WHERE id = ?",
    feed_id, 0, NULL,
  };

  g_return_val_if_fail (TALES_IS_STORE (self), FALSE);

  if (orphaned_paths != NULL)
    *orphaned_paths = NULL;
  if (!remove_posts (self, &remove, orphaned_paths, error))
    return FALSE;
  if (remove.n_deleted == 0)
    {
      g_clear_pointer (orphaned_paths, g_ptr_array_unref);
      tales_store_set_not_found (error, _("There is no such subscription."));
      return FALSE;
    }
  return TRUE;
}

/* Read, unstarred, and neither first seen nor listed by its feed since the
 * cutoff: see last_seen in the schema. */
#define PRUNABLE \
  "is_read = 1 AND is_starred = 0 AND first_seen < ?1 AND last_seen < ?1"

/**
 * tales_store_prune:
 * @n_pruned: (out) (optional): how many posts went
 * @orphaned_paths: (out) (optional) (transfer full) (element-type filename):
 *   cache files to delete
 */
gboolean
tales_store_prune (TalesStore  *self,
                   GDateTime   *older_than,
                   guint       *n_pruned,
                   GPtrArray  **orphaned_paths,
                   GError     **error)
{
  RemoveData remove = {
    "SELECT DISTINCT pi.url FROM posts p JOIN post_images pi ON pi.post_id = p.id "
    "WHERE " PRUNABLE,
    "DELETE FROM posts WHERE " PRUNABLE,
    0, 0, NULL,
  };

  g_return_val_if_fail (TALES_IS_STORE (self), FALSE);
  g_return_val_if_fail (older_than != NULL, FALSE);

  if (n_pruned != NULL)
    *n_pruned = 0;
  if (orphaned_paths != NULL)
    *orphaned_paths = NULL;
  remove.param = g_date_time_to_unix (older_than);
  if (!remove_posts (self, &remove, orphaned_paths, error))
    return FALSE;
  if (n_pruned != NULL)
    *n_pruned = remove.n_deleted;
  return TRUE;
}

/* The id of the newest post of @feed_id beyond its newest @limit, or 0
 * when it holds no more than that. The order is the post list's, so what
 * goes is what shows last. */
static gint64
first_beyond_limit (TalesStore *self, gint64 feed_id, guint limit, GError **error)
{
  g_autoptr(GMutexLocker) locker = tales_store_lock (self, _("Could not remove the posts"));
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self,
    "SELECT id FROM posts WHERE feed_id = ? "
    "ORDER BY sort_date DESC, id DESC LIMIT 1 OFFSET ?", error);
  int row;

  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, feed_id);
  sqlite3_bind_int64 (stmt, 2, limit);
  row = tales_store_step_row (self, stmt, error);
  if (row < 0)
    return -1;
  return row == 1 ? sqlite3_column_int64 (stmt, 0) : 0;
}

/* Unstarred posts of the feed of post ?1 that sort at or after it. */
#define AT_OR_BEYOND \
  "p.is_starred = 0 AND p.feed_id = (SELECT feed_id FROM posts WHERE id = ?1) " \
  "AND (p.sort_date, p.id) <= (SELECT sort_date, id FROM posts WHERE id = ?1)"

/**
 * tales_store_limit_feed_posts:
 * @n_removed: (out) (optional): how many posts went
 * @orphaned_paths: (out) (optional) (transfer full) (element-type filename):
 *   cache files to delete
 */
gboolean
tales_store_limit_feed_posts (TalesStore  *self,
                              gint64       feed_id,
                              guint        limit,
                              guint       *n_removed,
                              GPtrArray  **orphaned_paths,
                              GError     **error)
{
  RemoveData remove = {
    "SELECT DISTINCT pi.url FROM posts p JOIN post_images pi ON pi.post_id = p.id "
    "WHERE " AT_OR_BEYOND,
    "DELETE FROM posts AS p WHERE " AT_OR_BEYOND,
    0, 0, NULL,
  };

  g_return_val_if_fail (TALES_IS_STORE (self), FALSE);
  g_return_val_if_fail (limit > 0, FALSE);

  if (n_removed != NULL)
    *n_removed = 0;
  if (orphaned_paths != NULL)
    *orphaned_paths = NULL;
  remove.param = first_beyond_limit (self, feed_id, limit, error);
  if (remove.param <= 0)
    return remove.param == 0;
  if (!remove_posts (self, &remove, orphaned_paths, error))
    return FALSE;
  if (n_removed != NULL)
    *n_removed = remove.n_deleted;
  return TRUE;
}

/**
 * tales_store_list_missing_images:
 *
 * The images of the newest posts come first, so a backfill that stops
 * early has fetched what a person is most likely to open.
 *
 * Returns: (transfer full) (element-type utf8) (nullable): the URLs, or
 *   %NULL with @error set
 */
GPtrArray *
tales_store_list_missing_images (TalesStore *self, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(TalesStmt) stmt = NULL;
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  int row;

  g_return_val_if_fail (TALES_IS_STORE (self), NULL);

  locker = tales_store_lock_read (&self, _("Could not read the image records"));
  stmt = tales_store_prepare_statement (self,
    "SELECT pi.url FROM post_images pi JOIN posts p ON p.id = pi.post_id "
    "LEFT JOIN images i ON i.url = pi.url WHERE i.state IS NOT 1 "
    "GROUP BY pi.url ORDER BY max (p.sort_date) DESC, "
    "pi.url", error);
  if (stmt == NULL)
    return NULL;
  while ((row = tales_store_step_row (self, stmt, error)) == 1)
    g_ptr_array_add (urls, g_strdup (tales_store_column_text (stmt, 0)));
  return row == 0 ? g_steal_pointer (&urls) : NULL;
}

/* The image budget */

void
tales_image_file_free (TalesImageFile *file)
{
  if (file == NULL)
    return;
  g_free (file->path);
  g_free (file);
}

/**
 * tales_store_list_evictable_image_files:
 *
 * One row per cached file (several URLs may share it), classed by the
 * posts that need it: none, only read ones, some unread one. Files a
 * starred post needs are left out: they are never evicted. A file is as
 * old as the newest post that needs it.
 *
 * Returns: (transfer full) (element-type TalesImageFile) (nullable): the
 *   files in the order to evict them, or %NULL with @error set
 */
GPtrArray *
tales_store_list_evictable_image_files (TalesStore *self, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(TalesStmt) stmt = NULL;
  g_autoptr(GPtrArray) files = NULL;
  int row;

  g_return_val_if_fail (TALES_IS_STORE (self), NULL);

  files = g_ptr_array_new_with_free_func ((GDestroyNotify) tales_image_file_free);
  locker = tales_store_lock_read (&self, _("Could not read the image records"));
  stmt = tales_store_prepare_statement (self,
    "SELECT i.path, "
    "  CASE WHEN count (p.id) = 0 THEN 0 WHEN max (p.is_starred) = 1 THEN 3 "
    "       WHEN min (p.is_read) = 1 THEN 1 ELSE 2 END AS use, "
    "  COALESCE (max (p.sort_date), max (i.updated), 0) AS newest "
    "FROM images i LEFT JOIN post_images pi ON pi.url = i.url "
    "LEFT JOIN posts p ON p.id = pi.post_id "
    "WHERE i.state = 1 AND i.path IS NOT NULL "
    "GROUP BY i.path HAVING use < 3 ORDER BY use, newest, i.path", error);
  if (stmt == NULL)
    return NULL;
  while ((row = tales_store_step_row (self, stmt, error)) == 1)
    {
      TalesImageFile *file = g_new0 (TalesImageFile, 1);

      file->path = g_strdup (tales_store_column_text (stmt, 0));
      file->use = (TalesImageFileUse) sqlite3_column_int (stmt, 1);
      file->newest = sqlite3_column_int64 (stmt, 2);
      g_ptr_array_add (files, file);
    }
  return row == 0 ? g_steal_pointer (&files) : NULL;
}

typedef struct {
  GPtrArray *paths;
  GPtrArray *forgotten;    /* out */
} ForgetData;

static gboolean
forget_image_files_locked (TalesStore *self, gpointer data, GError **error)
{
  ForgetData *forget = data;
  g_autoptr(TalesStmt) starred = tales_store_prepare_statement (self,
    "SELECT 1 FROM images i JOIN post_images pi ON pi.url = i.url "
    "JOIN posts p ON p.id = pi.post_id WHERE i.path = ? AND p.is_starred = 1 LIMIT 1", error);
  /* Pending is what a record never fetched says: the view shows the
   * image as missing, and the backfill fetches it again. */
  g_autoptr(TalesStmt) reset = tales_store_prepare_statement (self,
    "UPDATE images SET state = 0, path = NULL, mime_type = NULL, error = NULL, updated = ? "
    "WHERE path = ?", error);

  if (starred == NULL || reset == NULL)
    return FALSE;
  sqlite3_bind_int64 (reset, 1, tales_store_now_unix ());
  for (guint i = 0; i < forget->paths->len; i++)
    {
      const char *path = forget->paths->pdata[i];
      int found;

      tales_store_bind_text (starred, 1, path);
      found = tales_store_step_row (self, starred, error);
      sqlite3_reset (starred);
      if (found < 0)
        return FALSE;
      if (found == 1)
        continue;    /* starred since the list was read: it stays */
      tales_store_bind_text (reset, 2, path);
      if (!tales_store_step_done (self, reset, error))
        return FALSE;
      sqlite3_reset (reset);
      g_ptr_array_add (forget->forgotten, g_strdup (path));
    }
  return TRUE;
}

/**
 * tales_store_forget_image_files:
 * @paths: (element-type filename): cache files, relative to the cache dir
 *
 * In one transaction, every record cached in one of @paths goes back to
 * pending, unless a starred post needs that file.
 *
 * Returns: (transfer full) (element-type filename) (nullable): the paths
 *   no record points at any more, whose files may go; %NULL with @error set
 */
GPtrArray *
tales_store_forget_image_files (TalesStore  *self,
                                GPtrArray   *paths,
                                GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) forgotten = g_ptr_array_new_with_free_func (g_free);
  ForgetData forget = { paths, forgotten };

  g_return_val_if_fail (TALES_IS_STORE (self), NULL);
  g_return_val_if_fail (paths != NULL, NULL);

  locker = tales_store_lock (self, _("Could not save the image record"));
  if (!tales_store_transaction (self, TRUE, forget_image_files_locked, &forget, error))
    return NULL;
  return g_steal_pointer (&forgotten);
}

/**
 * tales_store_is_image_path_recorded:
 *
 * Returns: 1 when some image record points at @path, 0 when none does,
 *   -1 with @error set
 */
int
tales_store_is_image_path_recorded (TalesStore *self, const char *path, GError **error)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (TALES_IS_STORE (self), -1);
  g_return_val_if_fail (path != NULL, -1);

  locker = tales_store_lock_read (&self, _("Could not read the image records"));
  return path_still_recorded (self, path, error);
}
