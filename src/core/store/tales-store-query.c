/* SPDX-License-Identifier: GPL-3.0-or-later */
/* TalesStore: which posts a list shows (filters and search), their list
 * rows, and marking a whole list read. */

#define G_LOG_DOMAIN "tales-store"

#include "config.h"

#include "tales-store-private.h"

#include <glib/gi18n-lib.h>

/* One statement per filter kind, with and without search, so each has a
 * plan that uses its index: the partial indexes for unread and starred,
 * posts_by_feed_date for a feed, the category index and the search index
 * for the id sets. Parameters are bound by name, each only where used. */
#define WHERE_ALL       "1"
#define WHERE_UNREAD    "p.is_read = 0"
#define WHERE_STARRED   "p.is_starred = 1"
#define WHERE_FEED      "p.feed_id = :feed"
#define WHERE_CATEGORY  "p.id IN (SELECT pc.post_id FROM categories c " \
                        "JOIN post_categories pc ON pc.category_id = c.id " \
                        "WHERE c.folded = :category)"
#define AND_SEARCH      " AND p.id IN (SELECT rowid FROM post_search " \
                        "WHERE post_search MATCH :search)"

#define SELECT_IDS(where) "SELECT p.id FROM posts p WHERE " where TALES_STORE_POST_ORDER
#define MARK_READ(where)  "UPDATE posts AS p SET is_read = 1 WHERE p.is_read = 0 AND " where
#define STATEMENTS(where) \
  { SELECT_IDS (where), SELECT_IDS (where AND_SEARCH), \
    MARK_READ (where), MARK_READ (where AND_SEARCH) }

enum {
  SQL_SELECT,
  SQL_SELECT_SEARCH,
  SQL_MARK_READ,
  SQL_MARK_READ_SEARCH,
};

static const char * const filter_sql[][4] = {
  [TALES_FILTER_ALL] = STATEMENTS (WHERE_ALL),
  [TALES_FILTER_UNREAD] = STATEMENTS (WHERE_UNREAD),
  [TALES_FILTER_STARRED] = STATEMENTS (WHERE_STARRED),
  [TALES_FILTER_FEED] = STATEMENTS (WHERE_FEED),
  [TALES_FILTER_CATEGORY] = STATEMENTS (WHERE_CATEGORY),
};

/* A person's words never reach FTS5 as syntax: every run of letters and
 * digits becomes a quoted prefix ("word"*), and the runs must all match.
 * Quotes, operators and brackets are separators, as they are for the
 * unicode61 tokenizer, so nothing typed is an error. A word of one
 * character matches whole words only: as a prefix it would select nearly
 * every post and cost the most (a tenth of a second and more at 100,000
 * posts), for the first key typed in a search field. Beyond this many
 * words a query narrows nothing a person could see. */
#define MAX_SEARCH_WORDS 32

static gboolean
is_word_char (gunichar c)
{
  return g_unichar_isalnum (c) || g_unichar_ismark (c);
}

static void
append_word (GString *match, const char *word, gsize length)
{
  g_string_append (match, match->len > 0 ? " \"" : "\"");
  g_string_append_len (match, word, length);
  g_string_append (match, g_utf8_strlen (word, length) > 1 ? "\"*" : "\"");
}

/* Returns (transfer full): the MATCH expression; "" when @search holds no
 * word at all. */
static char *
search_expression (const char *search)
{
  g_autofree char *valid = g_utf8_make_valid (search, -1);
  GString *match = g_string_new (NULL);
  const char *word = NULL;
  guint n_words = 0;

  for (const char *p = valid; n_words < MAX_SEARCH_WORDS; p = g_utf8_next_char (p))
    {
      gboolean word_char = *p != '\0' && is_word_char (g_utf8_get_char (p));

      if (word_char && word == NULL)
        word = p;
      else if (!word_char && word != NULL)
        {
          append_word (match, word, p - word);
          n_words++;
          word = NULL;
        }
      if (*p == '\0')
        break;
    }
  return g_string_free (match, FALSE);
}

static gboolean
is_blank (const char *text)
{
  for (; text != NULL && *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

/* A filter made ready to bind. It selects nothing when it cannot match:
 * a blank category, or a search with no word in it. */
typedef struct {
  const TalesPostFilter *filter;
  char *folded_category;
  char *match;          /* NULL: no search */
  gboolean selects_nothing;
} Query;

static void
query_clear (Query *query)
{
  g_clear_pointer (&query->folded_category, g_free);
  g_clear_pointer (&query->match, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Query, query_clear)

static void
query_init (Query *query, const TalesPostFilter *filter)
{
  query->filter = filter;
  if (filter->kind == TALES_FILTER_CATEGORY)
    {
      query->folded_category = filter->category != NULL
        ? tales_store_fold_category (filter->category, NULL) : NULL;
      query->selects_nothing |= query->folded_category == NULL;
    }
  if (!is_blank (filter->search))
    {
      query->match = search_expression (filter->search);
      query->selects_nothing |= *query->match == '\0';
    }
}

static void
bind_named (sqlite3_stmt *stmt, const char *name, const char *text, gint64 number)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (index == 0)
    return;
  if (text != NULL)
    tales_store_bind_text (stmt, index, text);
  else
    sqlite3_bind_int64 (stmt, index, number);
}

/* The statement @which of the query's kind (without or with search), bound. */
static sqlite3_stmt *
query_prepare (TalesStore *self, Query *query, int which, GError **error)
{
  sqlite3_stmt *stmt = tales_store_prepare_statement (self,
    filter_sql[query->filter->kind][which], error);

  if (stmt == NULL)
    return NULL;
  bind_named (stmt, ":feed", NULL, query->filter->feed_id);
  bind_named (stmt, ":category", query->folded_category, 0);
  bind_named (stmt, ":search", query->match, 0);
  return stmt;
}

static gboolean
filter_is_valid (const TalesPostFilter *filter)
{
  return filter != NULL &&
         filter->kind >= TALES_FILTER_ALL && filter->kind <= TALES_FILTER_CATEGORY;
}

/* Appends the first column of every row of @stmt to @ids, keeping only the
 * ids set in @only when it is not NULL (a bit per id, up to @max_only). */
static gboolean
collect_ids (TalesStore *self, sqlite3_stmt *stmt, const guint8 *only, gint64 max_only,
             GArray *ids, GError **error)
{
  int row;

  while ((row = tales_store_step_row (self, stmt, error)) == 1)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      if (only == NULL || (id >= 0 && id <= max_only && (only[id >> 3] & (1 << (id & 7)))))
        g_array_append_val (ids, id);
    }
  return row == 0;
}

static gboolean
select_matches (TalesStore *self, const char *match, GArray *matches, GError **error)
{
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self,
    "SELECT rowid FROM post_search WHERE post_search MATCH ?", error);

  if (stmt == NULL)
    return FALSE;
  tales_store_bind_text (stmt, 1, match);
  return collect_ids (self, stmt, NULL, 0, matches, error);
}

/* The filter's ids in order, kept when they are among @matches. */
static gboolean
select_among (TalesStore *self, Query *query, GArray *matches, GArray *ids, GError **error)
{
  g_autoptr(TalesStmt) stmt = NULL;
  g_autofree guint8 *bits = NULL;
  gint64 max = 0;

  for (guint i = 0; i < matches->len; i++)
    max = MAX (max, g_array_index (matches, gint64, i));
  bits = g_malloc0 (max / 8 + 1);
  for (guint i = 0; i < matches->len; i++)
    {
      gint64 id = g_array_index (matches, gint64, i);

      if (id >= 0)
        bits[id >> 3] |= 1 << (id & 7);
    }

  stmt = query_prepare (self, query, SQL_SELECT, error);
  return stmt != NULL && collect_ids (self, stmt, bits, max, ids, error);
}

/* Below this many matches, SQLite looks each one up and sorts them; above
 * it, walking the filter's own ordered index and keeping the matches costs
 * less (a word in every one of 100,000 posts: about 40 ms against 110). */
#define FEW_MATCHES 5000

typedef struct {
  Query *query;
  GArray *ids;          /* out */
} SelectData;

static gboolean
select_ids_locked (TalesStore *self, gpointer data, GError **error)
{
  SelectData *select = data;
  g_autoptr(GArray) matches = NULL;
  g_autoptr(TalesStmt) stmt = NULL;

  if (select->query->match == NULL)
    {
      stmt = query_prepare (self, select->query, SQL_SELECT, error);
      return stmt != NULL && collect_ids (self, stmt, NULL, 0, select->ids, error);
    }

  matches = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (!select_matches (self, select->query->match, matches, error))
    return FALSE;
  if (matches->len > FEW_MATCHES)
    return select_among (self, select->query, matches, select->ids, error);
  if (matches->len == 0)
    return TRUE;
  stmt = query_prepare (self, select->query, SQL_SELECT_SEARCH, error);
  return stmt != NULL && collect_ids (self, stmt, NULL, 0, select->ids, error);
}

/**
 * tales_store_query_post_ids:
 *
 * A search with no word in it (only punctuation, say) selects nothing; a
 * blank one is no search.
 *
 * Returns: (transfer full) (element-type gint64) (nullable): the ids, or
 *   %NULL with @error set
 */
GArray *
tales_store_query_post_ids (TalesStore            *self,
                            const TalesPostFilter *filter,
                            GError               **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_auto(Query) query = { 0 };
  SelectData select = { &query, ids };

  g_return_val_if_fail (TALES_IS_STORE (self), NULL);
  g_return_val_if_fail (filter_is_valid (filter), NULL);

  query_init (&query, filter);
  if (query.selects_nothing)
    return g_steal_pointer (&ids);

  /* One read transaction: the matches and the filter are one snapshot. */
  locker = tales_store_lock_read (&self, _("Could not read the posts"));
  if (!tales_store_transaction (self, FALSE, select_ids_locked, &select, error))
    return NULL;
  return g_steal_pointer (&ids);
}

typedef struct {
  const char *json_ids;
  GHashTable *by_id;    /* out: gint64 * -> TalesPost */
} RowsData;

static gboolean
load_rows (TalesStore *self, RowsData *rows, GError **error)
{
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self,
    "SELECT " TALES_STORE_POST_COLUMNS " FROM posts p JOIN feeds f ON f.id = p.feed_id "
    "WHERE p.id IN (SELECT value FROM json_each (?))", error);
  int row;

  if (stmt == NULL)
    return FALSE;
  tales_store_bind_text (stmt, 1, rows->json_ids);
  while ((row = tales_store_step_row (self, stmt, error)) == 1)
    {
      TalesPost *post = tales_store_post_from_row (stmt);
      gint64 *id = g_new (gint64, 1);

      *id = tales_post_get_db_id (post);
      g_hash_table_insert (rows->by_id, id, post);
    }
  return row == 0;
}

static gboolean
load_rows_tags (TalesStore *self, RowsData *rows, GError **error)
{
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self,
    "SELECT post_id, term, scheme, label FROM post_categories "
    "WHERE post_id IN (SELECT value FROM json_each (?)) ORDER BY post_id, position", error);
  int row;

  if (stmt == NULL)
    return FALSE;
  tales_store_bind_text (stmt, 1, rows->json_ids);
  while ((row = tales_store_step_row (self, stmt, error)) == 1)
    {
      gint64 post_id = sqlite3_column_int64 (stmt, 0);
      TalesPost *post = g_hash_table_lookup (rows->by_id, &post_id);

      if (post != NULL)
        tales_post_add_tag (post,
                            tales_store_column_text (stmt, 1),
                            tales_store_column_text (stmt, 2),
                            tales_store_column_text (stmt, 3));
    }
  return row == 0;
}

static gboolean
load_post_rows_locked (TalesStore *self, gpointer data, GError **error)
{
  return load_rows (self, data, error) && load_rows_tags (self, data, error);
}

/**
 * tales_store_load_post_rows:
 * @ids: (array length=n_ids): the posts wanted
 *
 * Two queries for any number of ids, in one read transaction so rows and
 * their categories agree.
 *
 * Returns: (transfer full) (element-type TalesPost) (nullable): the rows
 *   in the order of @ids, or %NULL with @error set
 */
GPtrArray *
tales_store_load_post_rows (TalesStore    *self,
                            const gint64  *ids,
                            guint          n_ids,
                            GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GHashTable) by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                                       g_free, g_object_unref);
  g_autofree char *json_ids = NULL;
  g_autoptr(GPtrArray) posts = g_ptr_array_new_full (n_ids, g_object_unref);
  RowsData rows;

  g_return_val_if_fail (TALES_IS_STORE (self), NULL);
  g_return_val_if_fail (ids != NULL || n_ids == 0, NULL);

  if (n_ids == 0)
    return g_steal_pointer (&posts);

  json_ids = tales_store_ids_to_json (ids, n_ids);
  rows = (RowsData) { json_ids, by_id };
  locker = tales_store_lock_read (&self, _("Could not read the posts"));
  if (!tales_store_transaction (self, FALSE, load_post_rows_locked, &rows, error))
    return NULL;
  g_clear_pointer (&locker, g_mutex_locker_free);

  for (guint i = 0; i < n_ids; i++)
    {
      TalesPost *post = g_hash_table_lookup (by_id, &ids[i]);

      if (post != NULL)
        g_ptr_array_add (posts, g_object_ref (post));
    }
  return g_steal_pointer (&posts);
}

static gboolean
mark_all_read_locked (TalesStore *self, gpointer data, GError **error)
{
  Query *query = data;
  g_autoptr(TalesStmt) stmt = query_prepare (self, query,
                                             query->match ? SQL_MARK_READ_SEARCH : SQL_MARK_READ,
                                             error);

  return stmt != NULL && tales_store_step_done (self, stmt, error);
}

gboolean
tales_store_mark_all_read (TalesStore            *self,
                           const TalesPostFilter *filter,
                           GError               **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_auto(Query) query = { 0 };

  g_return_val_if_fail (TALES_IS_STORE (self), FALSE);
  g_return_val_if_fail (filter_is_valid (filter), FALSE);

  query_init (&query, filter);
  if (query.selects_nothing)
    return TRUE;
  locker = tales_store_lock (self, _("Could not mark the posts as read"));
  return tales_store_transaction (self, TRUE, mark_all_read_locked, &query, error);
}
