/* TalesStore: image records per URL, and the images each post needs. */

#define G_LOG_DOMAIN "tales-store"

#include "config.h"

#include "tales-store-private.h"

#include <glib/gi18n-lib.h>

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
  g_autoptr(TalesStmt) stmt = tales_store_prepare (self,
    "INSERT INTO images (url, url_hash, state, updated) "
    "VALUES (?, ?, ?, ?) ON CONFLICT (url) DO NOTHING", error);
  g_autofree char *hash = url_hash (url);

  if (stmt == NULL)
    return FALSE;
  tales_store_bind_text (stmt, 1, url);
  tales_store_bind_text (stmt, 2, hash);
  sqlite3_bind_int (stmt, 3, TALES_IMAGE_PENDING);
  sqlite3_bind_int64 (stmt, 4, now);
  return tales_store_step_done (self, stmt, error);
}

static gboolean
insert_post_image (TalesStore *self, gint64 post_id, const char *url, guint position,
                   GError **error)
{
  /* A URL the post lists twice keeps its first place. */
  g_autoptr(TalesStmt) stmt = tales_store_prepare (self,
    "INSERT INTO post_images (post_id, url, position) "
    "VALUES (?, ?, ?) "
    "ON CONFLICT (post_id, url) DO NOTHING", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, post_id);
  tales_store_bind_text (stmt, 2, url);
  sqlite3_bind_int64 (stmt, 3, position);
  return tales_store_step_done (self, stmt, error);
}

typedef struct {
  gint64 post_id;
  GPtrArray *urls;
} LinkData;

static gboolean
link_images_locked (TalesStore *self, gpointer data, GError **error)
{
  LinkData *link = data;
  gint64 now = tales_store_now_unix ();
  int found = tales_store_exists_with_id (self, "SELECT 1 FROM posts WHERE id = ?",
                                          link->post_id, error);

  if (found == 0)
    tales_store_set_not_found (error, _("The post is no longer in the library."));
  if (found != 1)
    return FALSE;

  if (!tales_store_run_with_id (self, "DELETE FROM post_images WHERE post_id = ?",
                                link->post_id, error))
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

  locker = tales_store_lock (self, _("Could not save the images of the post"));
  return tales_store_transaction (self, TRUE, link_images_locked, &link, error);
}

GPtrArray *
tales_store_list_post_images (TalesStore *self, gint64 post_id, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(TalesStmt) stmt = NULL;
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  int row;

  g_return_val_if_fail (TALES_IS_STORE (self), NULL);

  locker = tales_store_lock_read (&self, _("Could not read the images of the post"));
  stmt = tales_store_prepare (self,
    "SELECT url FROM post_images WHERE post_id = ? ORDER BY position", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, post_id);
  while ((row = tales_store_step_row (self, stmt, error)) == 1)
    g_ptr_array_add (urls, g_strdup (tales_store_column_text (stmt, 0)));
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
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = tales_store_lock (self, _("Could not save the image record"));
  g_autoptr(TalesStmt) stmt = tales_store_prepare (self,
    "INSERT INTO images (url, url_hash, state, path, mime_type, error, updated) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (url) DO UPDATE SET state = excluded.state, path = excluded.path, "
    "  mime_type = excluded.mime_type, error = excluded.error, updated = excluded.updated",
    error);
  g_autofree char *hash = url_hash (url);

  if (stmt == NULL)
    return FALSE;
  tales_store_bind_text (stmt, 1, url);
  tales_store_bind_text (stmt, 2, hash);
  sqlite3_bind_int (stmt, 3, state);
  tales_store_bind_text (stmt, 4, path);
  tales_store_bind_text (stmt, 5, mime_type);
  tales_store_bind_text (stmt, 6, reason);
  sqlite3_bind_int64 (stmt, 7, tales_store_now_unix ());
  return tales_store_step_done (self, stmt, error);
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

  record->url = g_strdup (tales_store_column_text (stmt, 0));
  record->state = CLAMP (state, TALES_IMAGE_PENDING, TALES_IMAGE_FAILED);
  record->path = g_strdup (tales_store_column_text (stmt, 2));
  record->mime_type = g_strdup (tales_store_column_text (stmt, 3));
  record->error = g_strdup (tales_store_column_text (stmt, 4));
  return record;
}

static TalesImageRecord *
get_image (TalesStore *self, const char *sql, const char *key, GError **error)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = tales_store_lock_read (&self, _("Could not read the image record"));
  g_autoptr(TalesStmt) stmt = tales_store_prepare (self, sql, error);

  if (stmt == NULL)
    return NULL;
  tales_store_bind_text (stmt, 1, key);
  return tales_store_step_row (self, stmt, error) == 1 ? image_from_row (stmt) : NULL;
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
