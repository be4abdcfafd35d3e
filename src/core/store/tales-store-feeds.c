/* SPDX-License-Identifier: GPL-3.0-or-later */
/* TalesStore: the subscriptions. */

#define G_LOG_DOMAIN "tales-store"

#include "config.h"

#include "tales-store-private.h"
#include "tales-text-limits.h"

#include <glib/gi18n-lib.h>

#define FEED_COLUMNS \
  "id, url, title, link, subtitle, image_url, language, etag, last_modified, " \
  "last_refresh, last_error, updated, user_title, folder, next_refresh, refresh_hint"

static TalesFeed *
feed_from_row (sqlite3_stmt *stmt)
{
  TalesFeed *feed = tales_feed_new ();
  /* Cut on the way out too: a library stored before the parser cut feed
   * titles may hold megabytes, which the sidebar would lay out. */
  g_autofree char *title = tales_text_cut (tales_store_column_text (stmt, 2), TALES_MAX_TITLE_BYTES, TRUE);
  g_autofree char *subtitle = tales_text_cut (tales_store_column_text (stmt, 4), TALES_MAX_SUBTITLE_BYTES, FALSE);
  g_autofree char *user_title = tales_text_cut (tales_store_column_text (stmt, 12), TALES_MAX_TITLE_BYTES, TRUE);
  g_autoptr(GDateTime) last_refresh = tales_store_column_date (stmt, 9);
  g_autoptr(GDateTime) updated = tales_store_column_date (stmt, 11);
  g_autoptr(GDateTime) next_refresh = tales_store_column_date (stmt, 14);
  gint64 refresh_hint = sqlite3_column_int64 (stmt, 15);

  tales_feed_set_db_id (feed, sqlite3_column_int64 (stmt, 0));
  tales_feed_set_url (feed, tales_store_column_text (stmt, 1));
  tales_feed_set_title (feed, title);
  tales_feed_set_link (feed, tales_store_column_text (stmt, 3));
  tales_feed_set_subtitle (feed, subtitle);
  tales_feed_set_image_url (feed, tales_store_column_text (stmt, 5));
  tales_feed_set_language (feed, tales_store_column_text (stmt, 6));
  tales_feed_set_etag (feed, tales_store_column_text (stmt, 7));
  tales_feed_set_last_modified (feed, tales_store_column_text (stmt, 8));
  tales_feed_set_last_refresh (feed, last_refresh);
  tales_feed_set_last_error (feed, tales_store_column_text (stmt, 10));
  tales_feed_set_updated (feed, updated);
  tales_feed_set_user_title (feed, user_title);
  tales_feed_set_folder (feed, tales_store_column_text (stmt, 13));
  tales_feed_set_next_refresh (feed, next_refresh);
  tales_feed_set_refresh_hint (feed, (guint) CLAMP (refresh_hint, 0, G_MAXUINT));
  return feed;
}

/* Steps @stmt, bound by the caller, for its one feed. */
static TalesFeed *
step_feed (TalesStore *self, sqlite3_stmt *stmt, GError **error)
{
  switch (tales_store_step_row (self, stmt, error))
    {
    case 1:
      return feed_from_row (stmt);
    case 0:
      tales_store_set_not_found (error, _("There is no such subscription."));
      return NULL;
    default:
      return NULL;
    }
}

static TalesFeed *
feed_by_url (TalesStore *self, const char *url, GError **error)
{
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self,
    "SELECT " FEED_COLUMNS " FROM feeds WHERE url = ?", error);

  if (stmt == NULL)
    return NULL;
  tales_store_bind_text (stmt, 1, url);
  return step_feed (self, stmt, error);
}

static gboolean
insert_feed (TalesStore *self, const char *url, GError **error)
{
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self,
    "INSERT INTO feeds (url, added) VALUES (?, ?) ON CONFLICT (url) DO NOTHING", error);

  if (stmt == NULL)
    return FALSE;
  tales_store_bind_text (stmt, 1, url);
  sqlite3_bind_int64 (stmt, 2, tales_store_now_unix ());
  return tales_store_step_done (self, stmt, error);
}

TalesFeed *
tales_store_ensure_feed (TalesStore *self, const char *url, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (TALES_IS_STORE (self), NULL);
  g_return_val_if_fail (url != NULL && *url != '\0', NULL);

  locker = tales_store_lock (self, _("Could not save the subscription"));
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

  locker = tales_store_lock_read (&self, _("Could not read the subscriptions"));
  stmt = tales_store_prepare_statement (self,
    "SELECT " FEED_COLUMNS " FROM feeds WHERE id = ?", error);
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

  locker = tales_store_lock_read (&self, _("Could not read the subscriptions"));
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

  locker = tales_store_lock_read (&self, _("Could not read the subscriptions"));
  stmt = tales_store_prepare_statement (self,
    "SELECT " FEED_COLUMNS " FROM feeds "
    "ORDER BY COALESCE (title, url) COLLATE NOCASE, id", error);
  if (stmt == NULL)
    return NULL;
  while ((row = tales_store_step_row (self, stmt, error)) == 1)
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

  locker = tales_store_lock (self, _("Could not save the subscription"));
  stmt = tales_store_prepare_statement (self,
    "UPDATE feeds SET title = ?2, link = ?3, subtitle = ?4, image_url = ?5, language = ?6, "
    "etag = ?7, last_modified = ?8, last_refresh = ?9, last_error = ?10, updated = ?11, "
    "next_refresh = ?14, refresh_hint = ?15 "
    "WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, tales_feed_get_db_id (feed));
  tales_store_bind_text (stmt, 2, tales_feed_get_title (feed));
  tales_store_bind_text (stmt, 3, tales_feed_get_link (feed));
  tales_store_bind_text (stmt, 4, tales_feed_get_subtitle (feed));
  tales_store_bind_text (stmt, 5, tales_feed_get_image_url (feed));
  tales_store_bind_text (stmt, 6, tales_feed_get_language (feed));
  tales_store_bind_text (stmt, 7, tales_feed_get_etag (feed));
  tales_store_bind_text (stmt, 8, tales_feed_get_last_modified (feed));
  tales_store_bind_date (stmt, 9, tales_feed_get_last_refresh (feed));
  tales_store_bind_text (stmt, 10, tales_feed_get_last_error (feed));
  tales_store_bind_date (stmt, 11, tales_feed_get_updated (feed));
  tales_store_bind_date (stmt, 14, tales_feed_get_next_refresh (feed));
  sqlite3_bind_int64 (stmt, 15, tales_feed_get_refresh_hint (feed));
  if (!tales_store_step_done (self, stmt, error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      tales_store_set_not_found (error, _("There is no such subscription."));
      return FALSE;
    }
  return TRUE;
}


typedef struct {
  GPtrArray *feeds;     /* TalesFeed */
  gint64 *ids;          /* out: each feed's db-id */
  guint n_added;
} AddData;

/* Adds @feed unless its URL is subscribed; either way *@id is its row. */
static gboolean
add_one (TalesStore *self, TalesFeed *feed, gint64 now, gint64 *id, gboolean *added,
         GError **error)
{
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self,
    "INSERT INTO feeds (url, title, user_title, folder, link, added) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (url) DO NOTHING RETURNING id", error);
  int row;

  if (stmt == NULL)
    return FALSE;
  tales_store_bind_text (stmt, 1, tales_feed_get_url (feed));
  tales_store_bind_text (stmt, 2, tales_feed_get_title (feed));
  tales_store_bind_text (stmt, 3, tales_feed_get_user_title (feed));
  tales_store_bind_text (stmt, 4, tales_feed_get_folder (feed));
  tales_store_bind_text (stmt, 5, tales_feed_get_link (feed));
  sqlite3_bind_int64 (stmt, 6, now);
  row = tales_store_step_row (self, stmt, error);
  if (row < 0)
    return FALSE;
  *added = row == 1;
  if (row == 1)
    {
      *id = sqlite3_column_int64 (stmt, 0);
      return tales_store_step_done (self, stmt, error);
    }
  return TRUE;
}

static gboolean
add_feeds_locked (TalesStore *self, gpointer data, GError **error)
{
  AddData *add = data;
  gint64 now = tales_store_now_unix ();

  for (guint i = 0; i < add->feeds->len; i++)
    {
      TalesFeed *feed = g_ptr_array_index (add->feeds, i);
      const char *url = TALES_IS_FEED (feed) ? tales_feed_get_url (feed) : NULL;
      gboolean added = FALSE;

      if (url == NULL || *url == '\0')
        {
          g_set_error (error, TALES_STORE_ERROR, TALES_STORE_ERROR_FAILED,
                       _("Subscription %u of %u has no address; none were added."),
                       i + 1, add->feeds->len);
          return FALSE;
        }
      if (!add_one (self, feed, now, &add->ids[i], &added, error))
        return FALSE;
      add->n_added += added;
    }
  return TRUE;
}

/**
 * tales_store_add_feeds:
 * @feeds: (element-type TalesFeed): the feeds to subscribe to
 * @n_added: (out) (optional): how many were new
 *
 * Each new feed learns its db-id. A feed whose URL is subscribed already is
 * not changed, neither in the store nor in @feeds.
 */
gboolean
tales_store_add_feeds (TalesStore  *self,
                       GPtrArray   *feeds,
                       guint       *n_added,
                       GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree gint64 *ids = NULL;
  AddData add = { feeds, NULL, 0 };

  g_return_val_if_fail (TALES_IS_STORE (self), FALSE);
  g_return_val_if_fail (feeds != NULL, FALSE);

  if (n_added != NULL)
    *n_added = 0;
  add.ids = ids = g_new0 (gint64, MAX (feeds->len, 1));
  locker = tales_store_lock (self, _("Could not save the subscriptions"));
  if (!tales_store_transaction (self, TRUE, add_feeds_locked, &add, error))
    return FALSE;
  g_clear_pointer (&locker, g_mutex_locker_free);

  for (guint i = 0; i < feeds->len; i++)
    if (ids[i] != 0)
      tales_feed_set_db_id (g_ptr_array_index (feeds, i), ids[i]);
  if (n_added != NULL)
    *n_added = add.n_added;
  return TRUE;
}

gboolean
tales_store_rename_feed (TalesStore  *self,
                         gint64       feed_id,
                         const char  *user_title,
                         GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(TalesStmt) stmt = NULL;

  g_return_val_if_fail (TALES_IS_STORE (self), FALSE);

  locker = tales_store_lock (self, _("Could not rename the subscription"));
  stmt = tales_store_prepare_statement (self,
    "UPDATE feeds SET user_title = ?2 WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, feed_id);
  tales_store_bind_text (stmt, 2, user_title && *user_title ? user_title : NULL);
  if (!tales_store_step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      tales_store_set_not_found (error, _("There is no such subscription."));
      return FALSE;
    }
  return TRUE;
}

/**
 * tales_store_move_feed:
 * @moved: (out) (optional): whether the feed is at @url now
 *
 * A feed that moved for good (HTTP 301 or 308) is stored at its new
 * address, so that it is fetched and exported (OPML) from there. When
 * another subscription already has @url, nothing changes: two rows for
 * one feed would be worse than a redirect followed on each refresh.
 */
gboolean
tales_store_move_feed (TalesStore  *self,
                       gint64       feed_id,
                       const char  *url,
                       gboolean    *moved,
                       GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(TalesStmt) stmt = NULL;

  g_return_val_if_fail (TALES_IS_STORE (self), FALSE);
  g_return_val_if_fail (url != NULL && *url != '\0', FALSE);

  if (moved != NULL)
    *moved = FALSE;
  locker = tales_store_lock (self, _("Could not save the subscription"));
  stmt = tales_store_prepare_statement (self,
    "UPDATE feeds SET url = ?2 WHERE id = ?1 "
    "AND NOT EXISTS (SELECT 1 FROM feeds WHERE url = ?2)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, feed_id);
  tales_store_bind_text (stmt, 2, url);
  if (!tales_store_step_done (self, stmt, error))
    return FALSE;
  if (moved != NULL)
    *moved = sqlite3_changes (self->db) > 0;
  return TRUE;
}
