/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The image cache's total budget. */

#define G_LOG_DOMAIN "tales-image-budget"

#include "config.h"

#include "tales-image-budget.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

/* What the folder holds: relative path -> size on disk, and the total. */
typedef struct {
  GHashTable *sizes;       /* char * -> guint64 * */
  GHashTable *mtimes;      /* char * -> gint64 * */
  guint64 total;
} CacheFiles;

static void
cache_files_clear (CacheFiles *files)
{
  g_clear_pointer (&files->sizes, g_hash_table_unref);
  g_clear_pointer (&files->mtimes, g_hash_table_unref);
}

/* Counts blocks, not lengths: that is what the disk gives up. */
static guint64
disk_size (const GStatBuf *st)
{
  guint64 allocated = (guint64) st->st_blocks * 512;

  return MAX (allocated, (guint64) st->st_size);
}

/* The files of one two-letter subfolder (see write_content_addressed in
 * tales-image-cache.c); symbolic links and deeper folders are not ours. */
static void
scan_subdir (CacheFiles *files, const char *dir, const char *prefix)
{
  g_autofree char *subdir = g_build_filename (dir, prefix, NULL);
  g_autoptr(GDir) handle = g_dir_open (subdir, 0, NULL);
  const char *name;

  if (handle == NULL)
    return;
  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *full = g_build_filename (subdir, name, NULL);
      GStatBuf st;
      guint64 *size;
      gint64 *mtime;
      char *path;

      if (lstat (full, &st) != 0 || !S_ISREG (st.st_mode))
        continue;
      path = g_build_filename (prefix, name, NULL);
      size = g_new (guint64, 1);
      *size = disk_size (&st);
      mtime = g_new (gint64, 1);
      *mtime = st.st_mtime;
      files->total += *size;
      g_hash_table_insert (files->sizes, path, size);
      g_hash_table_insert (files->mtimes, g_strdup (path), mtime);
    }
}

static void
scan_cache (CacheFiles *files, const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  files->sizes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  files->mtimes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  files->total = 0;
  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *full = g_build_filename (dir, name, NULL);
      GStatBuf st;

      if (lstat (full, &st) == 0 && S_ISDIR (st.st_mode))
        scan_subdir (files, dir, name);
    }
}

/* Deletes @path and takes its size off the total. */
static gboolean
delete_file (CacheFiles *files, const char *dir, const char *path)
{
  g_autofree char *full = g_build_filename (dir, path, NULL);
  guint64 *size = g_hash_table_lookup (files->sizes, path);

  if (g_unlink (full) != 0 && errno != ENOENT)
    {
      g_debug ("Could not delete %s: %s", full, g_strerror (errno));
      return FALSE;
    }
  if (size != NULL)
    files->total -= *size;
  g_hash_table_remove (files->sizes, path);
  return TRUE;
}

/* Files no record names: a removal that crashed before deleting them, or
 * a cache from before shared files were counted. */
static guint
delete_strays (CacheFiles *files, TalesStore *store, const char *dir, guint64 budget,
               GError **error)
{
  /* A copy: deleting a file takes it out of the table. (GLib 2.74 has no
   * g_hash_table_get_keys_as_ptr_array.) */
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  gint64 cutoff = g_get_real_time () / G_USEC_PER_SEC - TALES_IMAGE_BUDGET_STRAY_GRACE_S;
  guint n_deleted = 0;
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, files->sizes);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (paths, g_strdup (key));
  for (guint i = 0; i < paths->len && files->total > budget; i++)
    {
      const char *path = paths->pdata[i];
      gint64 *mtime = g_hash_table_lookup (files->mtimes, path);
      int recorded;

      if (*mtime > cutoff)
        continue;
      recorded = tales_store_is_image_path_recorded (store, path, error);
      if (recorded < 0)
        return G_MAXUINT;
      if (recorded == 0 && delete_file (files, dir, path))
        n_deleted++;
    }
  return n_deleted;
}

/* How many files one store transaction forgets: few enough that the
 * writer is not held long (a refresh may be waiting), many enough that
 * thousands of files do not cost thousands of commits. */
#define EVICT_BATCH 256

/* Forgets @batch in the store, then deletes the files it gave up. */
static guint
evict_batch (CacheFiles *files, TalesStore *store, const char *dir, GPtrArray *batch,
             GError **error)
{
  g_autoptr(GPtrArray) forgotten = tales_store_forget_image_files (store, batch, error);
  guint n_deleted = 0;

  if (forgotten == NULL)
    return G_MAXUINT;
  for (guint i = 0; i < forgotten->len; i++)
    if (delete_file (files, dir, forgotten->pdata[i]))
      n_deleted++;
  g_ptr_array_set_size (batch, 0);
  return n_deleted;
}

/* Evicts recorded files in the store's order until under @budget. */
static guint
evict_recorded (CacheFiles *files, TalesStore *store, const char *dir, guint64 budget,
                GError **error)
{
  g_autoptr(GPtrArray) evictable = NULL;
  g_autoptr(GPtrArray) batch = g_ptr_array_new ();
  guint64 planned = files->total;    /* what is left once the batch is deleted */
  guint n_deleted = 0;

  if (files->total <= budget)
    return 0;
  evictable = tales_store_list_evictable_image_files (store, error);
  if (evictable == NULL)
    return G_MAXUINT;
  for (guint i = 0; i < evictable->len && files->total > budget; i++)
    {
      TalesImageFile *file = evictable->pdata[i];
      guint64 *size = g_hash_table_lookup (files->sizes, file->path);
      guint n;

      /* A path the store made up, or a file already gone, frees nothing. */
      if (strstr (file->path, "..") != NULL || g_path_is_absolute (file->path) || size == NULL)
        continue;
      g_ptr_array_add (batch, file->path);
      planned -= MIN (planned, *size);
      if (batch->len < EVICT_BATCH && planned > budget)
        continue;
      n = evict_batch (files, store, dir, batch, error);
      if (n == G_MAXUINT)
        return G_MAXUINT;
      n_deleted += n;
      /* A file starred meanwhile stayed: plan again from what is there. */
      planned = files->total;
    }
  /* The list ran out before the plan was met: what is left to give. */
  if (batch->len > 0)
    {
      guint n = evict_batch (files, store, dir, batch, error);

      if (n == G_MAXUINT)
        return G_MAXUINT;
      n_deleted += n;
    }
  return n_deleted;
}

gboolean
tales_image_budget_apply (TalesStore              *store,
                          const char              *image_dir,
                          guint64                  budget,
                          TalesImageBudgetReport  *report,
                          GError                 **error)
{
  CacheFiles files = { 0 };
  TalesImageBudgetReport done = { 0 };
  guint n_strays = 0;
  guint n_recorded = 0;

  g_return_val_if_fail (TALES_IS_STORE (store), FALSE);
  g_return_val_if_fail (image_dir != NULL, FALSE);

  scan_cache (&files, image_dir);
  done.bytes_before = files.total;
  if (files.total > budget)
    n_strays = delete_strays (&files, store, image_dir, budget, error);
  if (n_strays != G_MAXUINT)
    n_recorded = evict_recorded (&files, store, image_dir, budget, error);
  done.bytes_after = files.total;
  cache_files_clear (&files);
  if (n_strays == G_MAXUINT || n_recorded == G_MAXUINT)
    return FALSE;
  done.n_evicted = n_strays + n_recorded;
  if (report != NULL)
    *report = done;
  return TRUE;
}
