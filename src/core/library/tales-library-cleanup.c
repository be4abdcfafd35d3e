/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Removing posts and the image files only they needed. */

#define G_LOG_DOMAIN "tales-library-cleanup"

#include "config.h"

#include "tales-library-cleanup.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

/* The store names files inside the cache; anything else is refused. */
static gboolean
is_cache_path (const char *path)
{
  return path != NULL && *path != '\0' && !g_path_is_absolute (path) &&
         strstr (path, "..") == NULL;
}

guint
tales_library_delete_cache_files (TalesStore *store,
                                  const char *dir,
                                  GPtrArray  *paths)
{
  guint n_deleted = 0;

  g_return_val_if_fail (TALES_IS_STORE (store), 0);

  for (guint i = 0; dir != NULL && paths != NULL && i < paths->len; i++)
    {
      const char *path = paths->pdata[i];
      g_autoptr(GError) error = NULL;
      g_autofree char *full = NULL;

      if (!is_cache_path (path))
        continue;
      /* A download of the same bytes under a new URL may have recorded
       * the file again since the removal: then it stays. */
      if (tales_store_is_image_path_recorded (store, path, &error) != 0)
        continue;
      full = g_build_filename (dir, path, NULL);
      if (g_unlink (full) == 0)
        n_deleted++;
      else if (errno != ENOENT)
        g_debug ("Could not delete %s: %s", full, g_strerror (errno));
    }
  return n_deleted;
}

gboolean
tales_library_remove_feed (TalesStore  *store,
                           const char  *image_dir,
                           gint64       feed_id,
                           GError     **error)
{
  g_autoptr(GPtrArray) orphaned = NULL;

  g_return_val_if_fail (TALES_IS_STORE (store), FALSE);

  if (!tales_store_remove_feed (store, feed_id, &orphaned, error))
    return FALSE;
  tales_library_delete_cache_files (store, image_dir, orphaned);
  return TRUE;
}

gboolean
tales_library_prune (TalesStore  *store,
                     const char  *image_dir,
                     GDateTime   *older_than,
                     guint       *n_pruned,
                     guint       *n_files,
                     GError     **error)
{
  g_autoptr(GPtrArray) orphaned = NULL;
  guint n_deleted;

  g_return_val_if_fail (TALES_IS_STORE (store), FALSE);

  if (n_files != NULL)
    *n_files = 0;
  if (!tales_store_prune (store, older_than, n_pruned, &orphaned, error))
    return FALSE;
  n_deleted = tales_library_delete_cache_files (store, image_dir, orphaned);
  if (n_files != NULL)
    *n_files = n_deleted;
  return TRUE;
}
