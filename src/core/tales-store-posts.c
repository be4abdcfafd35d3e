/* TalesStore: merging a feed's posts (fingerprints, merge keys, categories,
 * enclosures) and reading them back. */

#define G_LOG_DOMAIN "tales-store"

#include "config.h"

#include "tales-store-private.h"
#include "tales-html.h"

#include <string.h>

#include <glib/gi18n-lib.h>

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

static int
find_category (TalesStore *self, const char *folded, gint64 *id, GError **error)
{
  g_autoptr(TalesStmt) stmt = tales_store_prepare (self,
    "SELECT id FROM categories WHERE folded = ?", error);
  int row;

  if (stmt == NULL)
    return -1;
  tales_store_bind_text (stmt, 1, folded);
  row = tales_store_step_row (self, stmt, error);
  if (row == 1)
    *id = sqlite3_column_int64 (stmt, 0);
  return row;
}

static gboolean
ensure_category (TalesStore *self, const char *term, gint64 *id, GError **error)
{
  g_autofree char *name = NULL;
  g_autofree char *folded = tales_store_fold_category (term, &name);
  g_autoptr(TalesStmt) stmt = NULL;
  int found;

  *id = 0;
  if (folded == NULL)
    return TRUE;
  found = find_category (self, folded, id, error);
  if (found != 0)
    return found == 1;

  stmt = tales_store_prepare (self, "INSERT INTO categories (name, folded) VALUES (?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  tales_store_bind_text (stmt, 1, name);
  tales_store_bind_text (stmt, 2, folded);
  if (!tales_store_step_done (self, stmt, error))
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

  stmt = tales_store_prepare (self, "INSERT INTO post_categories "
                                    "(post_id, position, category_id, term, scheme, label) "
                                    "VALUES (?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, post_id);
  sqlite3_bind_int64 (stmt, 2, position);
  if (category_id != 0)
    sqlite3_bind_int64 (stmt, 3, category_id);
  tales_store_bind_text (stmt, 4, tag->term);
  tales_store_bind_text (stmt, 5, tag->scheme);
  tales_store_bind_text (stmt, 6, tag->label);
  return tales_store_step_done (self, stmt, error);
}

static gboolean
write_tags (TalesStore *self, gint64 post_id, TalesPost *post, GError **error)
{
  GPtrArray *tags = tales_post_get_tags (post);

  if (!tales_store_run_with_id (self, "DELETE FROM post_categories WHERE post_id = ?",
                                post_id, error))
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
  g_autoptr(TalesStmt) stmt = tales_store_prepare (self, "INSERT INTO enclosures "
                                                         "(post_id, position, href, type, length) "
                                                         "VALUES (?, ?, ?, ?, ?)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, post_id);
  sqlite3_bind_int64 (stmt, 2, position);
  tales_store_bind_text (stmt, 3, enclosure->href);
  tales_store_bind_text (stmt, 4, enclosure->type);
  sqlite3_bind_int64 (stmt, 5, enclosure->length);
  return tales_store_step_done (self, stmt, error);
}

static gboolean
write_enclosures (TalesStore *self, gint64 post_id, TalesPost *post, GError **error)
{
  GPtrArray *enclosures = tales_post_get_enclosures (post);

  if (!tales_store_run_with_id (self, "DELETE FROM enclosures WHERE post_id = ?", post_id, error))
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
  g_autoptr(TalesStmt) stmt = tales_store_prepare (self,
    "SELECT id, fingerprint FROM posts "
    "WHERE feed_id = ? AND merge_key = ?", error);
  int row;

  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, feed_id);
  tales_store_bind_text (stmt, 2, key);
  row = tales_store_step_row (self, stmt, error);
  if (row == 1)
    {
      *id = sqlite3_column_int64 (stmt, 0);
      *fingerprint = g_strdup (tales_store_column_text (stmt, 1));
    }
  return row;
}

/* Inserts the post, or updates the stored one in place: its id, first_seen
 * and read and star state stay. */
static gboolean
upsert_post (TalesStore *self, gint64 feed_id, TalesPost *post, const char *key,
             const char *fingerprint, gint64 now, gint64 *id, GError **error)
{
  g_autoptr(TalesStmt) stmt = tales_store_prepare (self,
    "INSERT INTO posts (feed_id, merge_key, guid, title, link, author, "
    "  cover_url, published, published_text, updated, updated_text, fingerprint, first_seen, "
    "  last_seen, sort_date) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?13, ?13, COALESCE (?8, ?10, ?13)) "
    "ON CONFLICT (feed_id, merge_key) DO UPDATE SET "
    "  guid = excluded.guid, title = excluded.title, link = excluded.link, "
    "  author = excluded.author, "
    "  cover_url = excluded.cover_url, published = excluded.published, "
    "  published_text = excluded.published_text, updated = excluded.updated, "
    "  updated_text = excluded.updated_text, fingerprint = excluded.fingerprint, "
    "  last_seen = excluded.last_seen, "
    "  sort_date = COALESCE (excluded.published, excluded.updated, posts.first_seen) "
    "RETURNING id", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, feed_id);
  tales_store_bind_text (stmt, 2, key);
  tales_store_bind_text (stmt, 3, tales_post_get_guid (post));
  tales_store_bind_text (stmt, 4, tales_post_get_title (post));
  tales_store_bind_text (stmt, 5, tales_post_get_link (post));
  tales_store_bind_text (stmt, 6, tales_post_get_author (post));
  tales_store_bind_text (stmt, 7, tales_post_get_cover_url (post));
  tales_store_bind_date (stmt, 8, tales_post_get_published (post));
  tales_store_bind_text (stmt, 9, tales_post_get_published_text (post));
  tales_store_bind_date (stmt, 10, tales_post_get_updated (post));
  tales_store_bind_text (stmt, 11, tales_post_get_updated_text (post));
  tales_store_bind_text (stmt, 12, fingerprint);
  sqlite3_bind_int64 (stmt, 13, now);

  if (tales_store_step_row (self, stmt, error) != 1)
    return FALSE;
  *id = sqlite3_column_int64 (stmt, 0);
  return tales_store_step_done (self, stmt, error);
}

static gboolean
write_body (TalesStore *self, gint64 id, TalesPost *post, GError **error)
{
  g_autoptr(TalesStmt) stmt = tales_store_prepare (self,
    "INSERT INTO post_bodies (id, summary, content) VALUES (?, ?, ?) "
    "ON CONFLICT (id) DO UPDATE SET summary = excluded.summary, content = excluded.content",
    error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  tales_store_bind_text (stmt, 2, tales_post_get_summary (post));
  tales_store_bind_text (stmt, 3, tales_post_get_content (post));
  return tales_store_step_done (self, stmt, error);
}

/* The feed still lists the post: see last_seen in the schema. */
static gboolean
touch_post (TalesStore *self, gint64 id, gint64 now, GError **error)
{
  g_autoptr(TalesStmt) stmt = tales_store_prepare (self,
    "UPDATE posts SET last_seen = ? WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_int64 (stmt, 2, id);
  return tales_store_step_done (self, stmt, error);
}

/* The tags' terms, one a line, for the search index. */
static char *
search_categories (TalesPost *post)
{
  GPtrArray *tags = tales_post_get_tags (post);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < tags->len; i++)
    {
      TalesTag *tag = g_ptr_array_index (tags, i);

      if (tag->term != NULL)
        g_string_append_printf (text, "%s%s", text->len > 0 ? "\n" : "", tag->term);
    }
  return g_string_free (text, FALSE);
}

/* What search finds the post by; the triggers on post_text update the
 * index in the same transaction. The body is searched as text, so words
 * inside tags and attributes are not found. */
static gboolean
write_search_text (TalesStore *self, gint64 id, TalesPost *post, GError **error)
{
  g_autoptr(TalesStmt) stmt = tales_store_prepare (self,
    "INSERT INTO post_text (id, title, body, author, categories) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (id) DO UPDATE SET title = excluded.title, body = excluded.body, "
    "  author = excluded.author, categories = excluded.categories", error);
  const char *body = tales_post_get_body (post);
  g_autofree char *body_text = body != NULL ? tales_html_to_text (body) : NULL;
  g_autofree char *categories = search_categories (post);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  tales_store_bind_text (stmt, 2, tales_post_get_title (post));
  tales_store_bind_text (stmt, 3, body_text);
  tales_store_bind_text (stmt, 4, tales_post_get_author (post));
  tales_store_bind_text (stmt, 5, categories);
  return tales_store_step_done (self, stmt, error);
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
      return touch_post (self, *id, now, error);
    }

  *outcome = found == 1 ? MERGE_UPDATED : MERGE_NEW;
  return upsert_post (self, feed_id, post, key, fingerprint, now, id, error) &&
         write_body (self, *id, post, error) &&
         write_tags (self, *id, post, error) &&
         write_enclosures (self, *id, post, error) &&
         write_search_text (self, *id, post, error);
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
  gint64 now = tales_store_now_unix ();
  int found = tales_store_exists_with_id (self, "SELECT 1 FROM feeds WHERE id = ?",
                                          merge->feed_id, error);

  if (found == 0)
    tales_store_set_not_found (error, _("There is no such subscription."));
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
  locker = tales_store_lock (self, _("Could not save the posts"));
  if (!tales_store_transaction (self, TRUE, merge_posts_locked, &merge, error))
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

#define POST_COLUMNS TALES_STORE_POST_COLUMNS
#define POST_ORDER TALES_STORE_POST_ORDER

/* A post from a row that starts with TALES_STORE_POST_COLUMNS. */
TalesPost *
tales_store_post_from_row (sqlite3_stmt *stmt)
{
  TalesPost *post = tales_post_new ();
  g_autoptr(GDateTime) published = tales_store_column_date (stmt, 7);
  g_autoptr(GDateTime) updated = tales_store_column_date (stmt, 9);

  g_object_freeze_notify (G_OBJECT (post));
  tales_post_set_db_id (post, sqlite3_column_int64 (stmt, 0));
  tales_post_set_feed_id (post, sqlite3_column_int64 (stmt, 1));
  tales_post_set_guid (post, tales_store_column_text (stmt, 2));
  tales_post_set_title (post, tales_store_column_text (stmt, 3));
  tales_post_set_link (post, tales_store_column_text (stmt, 4));
  tales_post_set_author (post, tales_store_column_text (stmt, 5));
  tales_post_set_cover_url (post, tales_store_column_text (stmt, 6));
  tales_post_set_published (post, published);
  tales_post_set_published_text (post, tales_store_column_text (stmt, 8));
  tales_post_set_updated (post, updated);
  tales_post_set_updated_text (post, tales_store_column_text (stmt, 10));
  tales_post_set_feed_title (post, tales_store_column_text (stmt, 11));
  tales_post_set_is_read (post, sqlite3_column_int (stmt, 12) != 0);
  tales_post_set_is_starred (post, sqlite3_column_int (stmt, 13) != 0);
  tales_post_set_images_missing (post, sqlite3_column_int (stmt, 14));
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
    stmt = tales_store_prepare (self, "SELECT " POST_COLUMNS " FROM posts p "
                                      "JOIN feeds f ON f.id = p.feed_id" POST_ORDER, error);
  else
    stmt = tales_store_prepare (self,
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
    stmt = tales_store_prepare (self, "SELECT post_id, term, scheme, label FROM post_categories "
                                      "ORDER BY post_id, position", error);
  else
    stmt = tales_store_prepare (self,
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
        tales_post_add_tag (post,
                            tales_store_column_text (stmt, 1),
                            tales_store_column_text (stmt, 2),
                            tales_store_column_text (stmt, 3));
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
  locker = tales_store_lock (self, _("Could not read the posts"));
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
  g_autoptr(TalesStmt) stmt = tales_store_prepare (self,
    "SELECT term, scheme, label FROM post_categories "
    "WHERE post_id = ? ORDER BY position", error);
  int row;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, tales_post_get_db_id (post));
  while ((row = tales_store_step_row (self, stmt, error)) == 1)
    tales_post_add_tag (post,
                        tales_store_column_text (stmt, 0),
                        tales_store_column_text (stmt, 1),
                        tales_store_column_text (stmt, 2));
  return row == 0;
}

static gboolean
load_enclosures (TalesStore *self, TalesPost *post, GError **error)
{
  g_autoptr(TalesStmt) stmt = tales_store_prepare (self,
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
  g_autoptr(TalesStmt) stmt = tales_store_prepare (self,
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

  locker = tales_store_lock (self, _("Could not read the post"));
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

  locker = tales_store_lock (self, _("Could not count the posts"));
  if (feed_id == 0)
    stmt = tales_store_prepare (self, "SELECT count(*) FROM posts", error);
  else
    stmt = tales_store_prepare (self, "SELECT count(*) FROM posts WHERE feed_id = ?", error);
  if (stmt == NULL)
    return 0;
  if (feed_id != 0)
    sqlite3_bind_int64 (stmt, 1, feed_id);
  if (tales_store_step_row (self, stmt, error) != 1)
    return 0;
  return (guint) sqlite3_column_int64 (stmt, 0);
}

