/* SPDX-License-Identifier: GPL-3.0-or-later */
/* TalesStore: reading posts back, whole (with their categories and
 * enclosures) or as the rows a list shows. Merging them is in
 * tales-store-merge.c. */

#define G_LOG_DOMAIN "tales-store"

#include "config.h"

#include "tales-store-private.h"
#include "tales-text-limits.h"

#include <glib/gi18n-lib.h>

#define POST_COLUMNS TALES_STORE_POST_COLUMNS
#define POST_ORDER TALES_STORE_POST_ORDER

/* A text column, cut to @max_bytes (tales-text-limits.h) into *@cut when
 * it is longer; else the column's own text, not copied: the list reads
 * tens of thousands of rows, nearly all within their limits. */
static const char *
column_within (sqlite3_stmt *stmt,
               int           column,
               gsize         max_bytes,
               gboolean      ellipsis,
               char        **cut)
{
  const char *text = tales_store_column_text (stmt, column);

  if (text == NULL || (gsize) sqlite3_column_bytes (stmt, column) <= max_bytes)
    return text;
  *cut = tales_text_cut (text, max_bytes, ellipsis);
  return *cut;
}

/* A URL column, or NULL when it is longer than a URL may be. */
static const char *
column_url (sqlite3_stmt *stmt, int column)
{
  const char *url = tales_store_column_text (stmt, column);

  return (gsize) sqlite3_column_bytes (stmt, column) > TALES_MAX_URL_BYTES ? NULL : url;
}

/* A post from a row that starts with TALES_STORE_POST_COLUMNS.
 *
 * The parser cuts every field to its limit, but a library written before
 * it did may hold a post with a 9 MB title: unread, so retention never
 * removes it, and the list would hand it to a label on every start. So
 * what the list shows is cut here too, as it is read. */
TalesPost *
tales_store_post_from_row (sqlite3_stmt *stmt)
{
  TalesPost *post = tales_post_new ();
  g_autoptr(GDateTime) published = tales_store_column_date (stmt, 7);
  g_autoptr(GDateTime) updated = tales_store_column_date (stmt, 9);
  g_autofree char *title_cut = NULL;
  g_autofree char *author_cut = NULL;
  g_autofree char *published_cut = NULL;
  g_autofree char *updated_cut = NULL;
  g_autofree char *feed_title_cut = NULL;
  const char *title = column_within (stmt, 3, TALES_MAX_TITLE_BYTES, TRUE, &title_cut);
  const char *author = column_within (stmt, 5, TALES_MAX_AUTHOR_BYTES, TRUE, &author_cut);
  const char *published_text = column_within (stmt, 8, TALES_MAX_SHORT_TEXT_BYTES, FALSE, &published_cut);
  const char *updated_text = column_within (stmt, 10, TALES_MAX_SHORT_TEXT_BYTES, FALSE, &updated_cut);
  const char *feed_title = column_within (stmt, 11, TALES_MAX_TITLE_BYTES, TRUE, &feed_title_cut);

  g_object_freeze_notify (G_OBJECT (post));
  tales_post_set_db_id (post, sqlite3_column_int64 (stmt, 0));
  tales_post_set_feed_id (post, sqlite3_column_int64 (stmt, 1));
  /* The guid is a key the store matches on: kept as stored. */
  tales_post_set_guid (post, tales_store_column_text (stmt, 2));
  tales_post_set_title (post, title);
  tales_post_set_link (post, column_url (stmt, 4));
  tales_post_set_author (post, author);
  tales_post_set_cover_url (post, column_url (stmt, 6));
  tales_post_set_published (post, published);
  tales_post_set_published_text (post, published_text);
  tales_post_set_updated (post, updated);
  tales_post_set_updated_text (post, updated_text);
  tales_post_set_feed_title (post, feed_title);
  tales_post_set_is_read (post, sqlite3_column_int (stmt, 12) != 0);
  tales_post_set_is_starred (post, sqlite3_column_int (stmt, 13) != 0);
  tales_post_set_images_missing (post, sqlite3_column_int (stmt, 14));
  g_object_thaw_notify (G_OBJECT (post));
  return post;
}

/* A category from the row's term, scheme and label columns (from
 * @first on), cut as the parser cuts them now, and no more of them per
 * post than it keeps: for libraries written before it did. */
static void
add_tag_cut (TalesPost *post, sqlite3_stmt *stmt, int first)
{
  g_autofree char *term_cut = NULL;
  g_autofree char *scheme_cut = NULL;
  g_autofree char *label_cut = NULL;

  if (tales_post_get_tags (post)->len >= TALES_MAX_CATEGORIES_PER_POST ||
      tales_store_column_text (stmt, first) == NULL)
    return;
  tales_post_add_tag (post,
                      column_within (stmt, first, TALES_MAX_CATEGORY_BYTES, TRUE, &term_cut),
                      column_within (stmt, first + 1, TALES_MAX_CATEGORY_BYTES, FALSE, &scheme_cut),
                      column_within (stmt, first + 2, TALES_MAX_CATEGORY_BYTES, TRUE, &label_cut));
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
    stmt = tales_store_prepare_statement (self,
      "SELECT " POST_COLUMNS " FROM posts p "
      "JOIN feeds f ON f.id = p.feed_id" POST_ORDER, error);
  else
    stmt = tales_store_prepare_statement (self,
      "SELECT " POST_COLUMNS " FROM posts p "
      "JOIN feeds f ON f.id = p.feed_id WHERE p.feed_id = ?" POST_ORDER, error);
  if (stmt == NULL)
    return FALSE;
  if (list->feed_id != 0)
    sqlite3_bind_int64 (stmt, 1, list->feed_id);

  while ((row = tales_store_step_row (self, stmt, error)) == 1)
    g_ptr_array_add (list->posts, tales_store_post_from_row (stmt));
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
    stmt = tales_store_prepare_statement (self,
      "SELECT post_id, term, scheme, label FROM post_categories "
      "ORDER BY post_id, position", error);
  else
    stmt = tales_store_prepare_statement (self,
      "SELECT pc.post_id, pc.term, pc.scheme, pc.label "
      "FROM post_categories pc JOIN posts p ON p.id = pc.post_id "
      "WHERE p.feed_id = ? ORDER BY pc.post_id, pc.position", error);
  if (stmt == NULL)
    return FALSE;
  if (list->feed_id != 0)
    sqlite3_bind_int64 (stmt, 1, list->feed_id);

  while ((row = tales_store_step_row (self, stmt, error)) == 1)
    {
      gint64 post_id = sqlite3_column_int64 (stmt, 0);
      TalesPost *post = g_hash_table_lookup (by_id, &post_id);

      if (post != NULL)
        add_tag_cut (post, stmt, 1);
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
  locker = tales_store_lock_read (&self, _("Could not read the posts"));
  if (!tales_store_transaction (self, FALSE, list_posts_locked, &list, error))
    return NULL;
  g_clear_pointer (&locker, g_mutex_locker_free);

  model = g_list_store_new (TALES_TYPE_POST);
  g_list_store_splice (model, 0, 0, posts->pdata, posts->len);
  return G_LIST_MODEL (model);
}

static gboolean
load_tags (TalesStore *self, TalesPost *post, GError **error)
{
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self,
    "SELECT term, scheme, label FROM post_categories "
    "WHERE post_id = ? ORDER BY position", error);
  int row;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, tales_post_get_db_id (post));
  while ((row = tales_store_step_row (self, stmt, error)) == 1)
    add_tag_cut (post, stmt, 0);
  return row == 0;
}

static gboolean
load_enclosures (TalesStore *self, TalesPost *post, GError **error)
{
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self,
    "SELECT href, type, length FROM enclosures "
    "WHERE post_id = ? ORDER BY position", error);
  int row;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, tales_post_get_db_id (post));
  while ((row = tales_store_step_row (self, stmt, error)) == 1)
    tales_post_add_enclosure (post,
                              tales_store_column_text (stmt, 0),
                              tales_store_column_text (stmt, 1),
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
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self,
    "SELECT " POST_COLUMNS ", b.summary, b.content "
    "FROM posts p JOIN feeds f ON f.id = p.feed_id LEFT JOIN post_bodies b ON b.id = p.id "
    "WHERE p.id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, load->post_id);
  switch (tales_store_step_row (self, stmt, error))
    {
    case 1:
      load->post = tales_store_post_from_row (stmt);
      tales_post_set_summary (load->post,
                              tales_store_column_text (stmt, TALES_STORE_POST_N_COLUMNS));
      tales_post_set_content (load->post,
                              tales_store_column_text (stmt, TALES_STORE_POST_N_COLUMNS + 1));
      return TRUE;
    case 0:
      tales_store_set_not_found (error, _("The post is no longer in the library."));
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

  locker = tales_store_lock_read (&self, _("Could not read the post"));
  if (!tales_store_transaction (self, FALSE, load_post_locked, &load, error))
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

  locker = tales_store_lock_read (&self, _("Could not count the posts"));
  if (feed_id == 0)
    stmt = tales_store_prepare_statement (self, "SELECT count(*) FROM posts", error);
  else
    stmt = tales_store_prepare_statement (self,
      "SELECT count(*) FROM posts WHERE feed_id = ?", error);
  if (stmt == NULL)
    return 0;
  if (feed_id != 0)
    sqlite3_bind_int64 (stmt, 1, feed_id);
  if (tales_store_step_row (self, stmt, error) != 1)
    return 0;
  return (guint) sqlite3_column_int64 (stmt, 0);
}

