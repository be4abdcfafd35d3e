/* SPDX-License-Identifier: GPL-3.0-or-later */
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
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self,
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
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self,
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
  stmt = tales_store_prepare_statement (self,
    "SELECT url FROM post_images WHERE post_id = ? ORDER BY position", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, post_id);
  while ((row = tales_store_step_row (self, stmt, error)) == 1)
    g_ptr_array_add (urls, g_strdup (tales_store_column_text (stmt, 0)));
  return row == 0 ? g_steal_pointer (&urls) : NULL;
}

/* What set_image_state writes beyond the state. */
typedef struct {
  const char *path;
  const char *mime_type;
  gint64 size;          /* bytes of the cached file; < 0 when unknown */
  const char *reason;
  gint64 retry_after;   /* unix time; 0 for "any time" */
} ImageState;

/* A failure counts one more in a row; a success starts the count again. */
static gboolean
set_image_state (TalesStore        *self,
                 const char        *url,
                 TalesImageState    state,
                 const ImageState  *values,
                 GError           **error)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = tales_store_lock (self, _("Could not save the image record"));
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self,
    "INSERT INTO images (url, url_hash, state, path, mime_type, error, updated, "
    "  size, failures, retry_after) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (url) DO UPDATE SET state = excluded.state, path = excluded.path, "
    "  mime_type = excluded.mime_type, error = excluded.error, updated = excluded.updated, "
    "  size = excluded.size, retry_after = excluded.retry_after, "
    "  failures = CASE WHEN excluded.failures > 0 THEN images.failures + 1 ELSE 0 END",
    error);
  g_autofree char *hash = url_hash (url);

  if (stmt == NULL)
    return FALSE;
  tales_store_bind_text (stmt, 1, url);
  tales_store_bind_text (stmt, 2, hash);
  sqlite3_bind_int (stmt, 3, state);
  tales_store_bind_text (stmt, 4, values->path);
  tales_store_bind_text (stmt, 5, values->mime_type);
  tales_store_bind_text (stmt, 6, values->reason);
  sqlite3_bind_int64 (stmt, 7, tales_store_now_unix ());
  if (values->size >= 0)
    sqlite3_bind_int64 (stmt, 8, values->size);
  else
    sqlite3_bind_null (stmt, 8);
  sqlite3_bind_int (stmt, 9, state == TALES_IMAGE_FAILED ? 1 : 0);
  if (values->retry_after > 0)
    sqlite3_bind_int64 (stmt, 10, values->retry_after);
  else
    sqlite3_bind_null (stmt, 10);
  return tales_store_step_done (self, stmt, error);
}

gboolean
tales_store_set_image_cached (TalesStore  *self,
                              const char  *url,
                              const char  *path,
                              const char  *mime_type,
                              GError     **error)
{
  return tales_store_set_image_cached_size (self, url, path, mime_type, -1, error);
}

/**
 * tales_store_set_image_cached_size:
 * @size: the file's size in bytes, or -1 when unknown
 *
 * Records @url as cached in @path; the size counts towards the image
 * budget of every post that lists @url.
 */
gboolean
tales_store_set_image_cached_size (TalesStore  *self,
                                   const char  *url,
                                   const char  *path,
                                   const char  *mime_type,
                                   gint64       size,
                                   GError     **error)
{
  ImageState values = { path, mime_type, size, NULL, 0 };

  g_return_val_if_fail (TALES_IS_STORE (self), FALSE);
  g_return_val_if_fail (url != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  return set_image_state (self, url, TALES_IMAGE_CACHED, &values, error);
}

gboolean
tales_store_set_image_failed (TalesStore  *self,
                              const char  *url,
                              const char  *reason,
                              GError     **error)
{
  return tales_store_set_image_failed_until (self, url, reason, 0, error);
}

/**
 * tales_store_set_image_failed_until:
 * @retry_after: the unix time before which @url is not tried again, or 0
 *
 * Records @url as failed for @reason, one more failure in a row.
 */
gboolean
tales_store_set_image_failed_until (TalesStore  *self,
                                    const char  *url,
                                    const char  *reason,
                                    gint64       retry_after,
                                    GError     **error)
{
  ImageState values = { NULL, NULL, -1, reason, retry_after };

  g_return_val_if_fail (TALES_IS_STORE (self), FALSE);
  g_return_val_if_fail (url != NULL, FALSE);

  return set_image_state (self, url, TALES_IMAGE_FAILED, &values, error);
}

/**
 * tales_store_get_post_image_bytes:
 * @bytes: (out): the largest total, 0 when no post lists @url with others
 *
 * Of the posts that list @url, the largest number of bytes that the
 * other cached images of one of them take: what is left of that post's
 * budget decides whether @url may be cached.
 */
gboolean
tales_store_get_post_image_bytes (TalesStore  *self,
                                  const char  *url,
                                  gint64      *bytes,
                                  GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(TalesStmt) stmt = NULL;
  int row;

  g_return_val_if_fail (TALES_IS_STORE (self), FALSE);
  g_return_val_if_fail (url != NULL, FALSE);
  g_return_val_if_fail (bytes != NULL, FALSE);

  locker = tales_store_lock_read (&self, _("Could not read the image records"));
  stmt = tales_store_prepare_statement (self,
    "SELECT coalesce (max (total), 0) FROM ("
    "  SELECT sum (i.size) AS total FROM post_images me "
    "  JOIN post_images other ON other.post_id = me.post_id AND other.url != me.url "
    "  JOIN images i ON i.url = other.url AND i.state = 1 "
    "  WHERE me.url = ? GROUP BY me.post_id)", error);
  if (stmt == NULL)
    return FALSE;
  tales_store_bind_text (stmt, 1, url);
  row = tales_store_step_row (self, stmt, error);
  if (row != 1)
    return FALSE;
  *bytes = sqlite3_column_int64 (stmt, 0);
  return TRUE;
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
  record->size = sqlite3_column_type (stmt, 5) == SQLITE_NULL ? -1 : sqlite3_column_int64 (stmt, 5);
  record->failures = sqlite3_column_int (stmt, 6);
  record->retry_after = sqlite3_column_int64 (stmt, 7);
  return record;
}

static TalesImageRecord *
get_image (TalesStore *self, const char *sql, const char *key, GError **error)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = tales_store_lock_read (&self, _("Could not read the image record"));
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self, sql, error);

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

  return get_image (self, "SELECT url, state, path, mime_type, error, size, failures, retry_after "
                    "FROM images WHERE url = ?",
                    url, error);
}

TalesImageRecord *
tales_store_get_image_by_url_hash (TalesStore *self, const char *url_hash, GError **error)
{
  g_autofree char *lower = NULL;

  g_return_val_if_fail (TALES_IS_STORE (self), NULL);
  g_return_val_if_fail (url_hash != NULL, NULL);

  lower = g_ascii_strdown (url_hash, -1);
  return get_image (self, "SELECT url, state, path, mime_type, error, size, failures, "
                          "retry_after FROM images WHERE url_hash = ?", lower, error);
}
