/* SPDX-License-Identifier: GPL-3.0-or-later */
/* TalesStore: merging a feed's posts (fingerprints, merge keys, categories,
 * enclosures, search text, image links), the calls of tales-store-merge.h.
 * Every merge takes its posts from a TalesStorePreparer, whose threads
 * work out what each needs while this one writes. Reading them back is in
 * tales-store-read.c. */

#define G_LOG_DOMAIN "tales-store"

#include "config.h"

#include "tales-store-private.h"
#include "tales-store-merge.h"
#include "tales-html.h"
#include "tales-post-images.h"

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

/* What the post is whatever its guid: its link, title and body. A feed
 * that gives its posts new guids on every fetch (a session id, a
 * timestamp) still gives them the same identity, and the merge finds
 * them by it (adopt_renamed_post). */
static char *
post_identity (TalesPost *post)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

  checksum_text (sum, tales_post_get_link (post));
  checksum_text (sum, tales_post_get_title (post));
  checksum_text (sum, tales_post_get_body (post));
  return g_strdup (g_checksum_get_string (sum));
}

/* What one merge carries from post to post. */
typedef struct {
  gint64 feed_id;
  GPtrArray *posts;
  gint64 *ids;            /* out: each post's db-id */
  guint n_new;
  guint n_updated;
  gboolean link_images;   /* also store the images each post needs */
  gint64 now;
  GArray *to_index;       /* gint64: posts whose search text is (re)indexed at the end */
  GHashTable *categories; /* folded term -> gint64 *, categories known to exist */
  GHashTable *known_images; /* URLs with an images row, seen in this merge */
  GPtrArray *image_urls;  /* out: every image the posts need, unique */
  GHashTable *listed_images; /* the strings in image_urls */
  GHashTable *seen;       /* merge key -> its index in posts, merged in this merge */
  gboolean leave_out_old; /* a refresh, which then applies the per-feed limit */
  gboolean has_floor;     /* the feed holds its limit of posts: */
  gint64 floor;           /* a new post dated before this is left out */
  guint n_left_out;
  TalesStorePreparer *preparer; /* works out the posts, in order */
} MergeData;

/* Working out a post ahead of the merge */

/* Any thread (the preparer's); the parsing of the body is what costs. */
TalesStorePrecomputed *
tales_store_precompute_post (TalesPost *post, gboolean with_images)
{
  const char *body = tales_post_get_body (post);
  TalesStorePrecomputed *precomputed = g_new (TalesStorePrecomputed, 1);

  *precomputed = (TalesStorePrecomputed) {
    .key = post_merge_key (post),
    .fingerprint = post_fingerprint (post),
    .identity = post_identity (post),
    .with_images = with_images,
  };
  if (with_images)
    precomputed->urls = tales_post_images_collect (post, &precomputed->body_text);
  else if (body != NULL)
    precomputed->body_text = tales_html_to_text (body);
  return precomputed;
}

void
tales_store_precomputed_free (TalesStorePrecomputed *precomputed)
{
  if (precomputed == NULL)
    return;
  g_free (precomputed->key);
  g_free (precomputed->fingerprint);
  g_free (precomputed->identity);
  g_free (precomputed->body_text);
  g_clear_pointer (&precomputed->urls, g_ptr_array_unref);
  g_free (precomputed);
}

static int
find_category (TalesStore *self, const char *folded, gint64 *id, GError **error)
{
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self,
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
insert_category (TalesStore *self, const char *name, const char *folded, gint64 *id,
                 GError **error)
{
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self,
    "INSERT INTO categories (name, folded) VALUES (?, ?)", error);

  if (stmt == NULL)
    return FALSE;
  tales_store_bind_text (stmt, 1, name);
  tales_store_bind_text (stmt, 2, folded);
  if (!tales_store_step_done (self, stmt, error))
    return FALSE;
  *id = sqlite3_last_insert_rowid (self->db);
  return TRUE;
}

/* A feed repeats the same few terms on every post: each is looked up
 * once per merge. */
static gboolean
ensure_category (TalesStore *self, MergeData *merge, const char *term, gint64 *id,
                 GError **error)
{
  g_autofree char *name = NULL;
  g_autofree char *folded = tales_store_fold_category (term, &name);
  gint64 *known;
  int found;

  *id = 0;
  if (folded == NULL)
    return TRUE;
  known = g_hash_table_lookup (merge->categories, folded);
  if (known != NULL)
    {
      *id = *known;
      return TRUE;
    }
  found = find_category (self, folded, id, error);
  if (found < 0 || (found == 0 && !insert_category (self, name, folded, id, error)))
    return FALSE;
  g_hash_table_insert (merge->categories, g_steal_pointer (&folded), g_memdup2 (id, sizeof *id));
  return TRUE;
}

static gboolean
insert_tag (TalesStore *self, MergeData *merge, gint64 post_id, guint position, TalesTag *tag,
            GError **error)
{
  g_autoptr(TalesStmt) stmt = NULL;
  gint64 category_id;

  if (!ensure_category (self, merge, tag->term, &category_id, error))
    return FALSE;

  stmt = tales_store_prepare_statement (self,
    "INSERT INTO post_categories "
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
write_tags (TalesStore *self, MergeData *merge, gint64 post_id, TalesPost *post,
            gboolean is_new, GError **error)
{
  GPtrArray *tags = tales_post_get_tags (post);

  if (!is_new && !tales_store_run_with_id (self, "DELETE FROM post_categories WHERE post_id = ?",
                                           post_id, error))
    return FALSE;
  for (guint i = 0; i < tags->len; i++)
    if (!insert_tag (self, merge, post_id, i, g_ptr_array_index (tags, i), error))
      return FALSE;
  return TRUE;
}

static gboolean
insert_enclosure (TalesStore *self, gint64 post_id, guint position,
                  TalesEnclosure *enclosure, GError **error)
{
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self,
    "INSERT INTO enclosures "
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
write_enclosures (TalesStore *self, gint64 post_id, TalesPost *post, gboolean is_new,
                  GError **error)
{
  GPtrArray *enclosures = tales_post_get_enclosures (post);

  if (!is_new && !tales_store_run_with_id (self, "DELETE FROM enclosures WHERE post_id = ?",
                                           post_id, error))
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
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self,
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
             const char *fingerprint, const char *identity, gint64 now, gint64 *id,
             GError **error)
{
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self,
    "INSERT INTO posts (feed_id, merge_key, guid, title, link, author, "
    "  cover_url, published, published_text, updated, updated_text, fingerprint, first_seen, "
    "  last_seen, sort_date, identity) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?13, ?13, COALESCE (?8, ?10, ?13), ?14) "
    "ON CONFLICT (feed_id, merge_key) DO UPDATE SET "
    "  guid = excluded.guid, title = excluded.title, link = excluded.link, "
    "  author = excluded.author, "
    "  cover_url = excluded.cover_url, published = excluded.published, "
    "  published_text = excluded.published_text, updated = excluded.updated, "
    "  updated_text = excluded.updated_text, fingerprint = excluded.fingerprint, "
    "  last_seen = excluded.last_seen, identity = excluded.identity, "
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
  tales_store_bind_text (stmt, 14, identity);

  if (tales_store_step_row (self, stmt, error) != 1)
    return FALSE;
  *id = sqlite3_column_int64 (stmt, 0);
  return tales_store_step_done (self, stmt, error);
}

static gboolean
write_body (TalesStore *self, gint64 id, TalesPost *post, GError **error)
{
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self,
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

/* The feed still lists the post: see last_seen in the schema. A post
 * stored before identities were gets its own now. */
static gboolean
touch_post (TalesStore *self, gint64 id, gint64 now, const char *identity, GError **error)
{
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self,
    "UPDATE posts SET last_seen = ?, identity = COALESCE (identity, ?) WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now);
  tales_store_bind_text (stmt, 2, identity);
  sqlite3_bind_int64 (stmt, 3, id);
  return tales_store_step_done (self, stmt, error);
}

/* The id of a post of the feed with @identity but another merge key, not
 * merged yet in this merge (a feed listing two posts alike keeps both):
 * a post whose guid changed. 0 when there is none, -1 with @error set. */
static gint64
find_renamed_post (TalesStore *self, MergeData *merge, const char *key,
                   const char *identity, GError **error)
{
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self,
    "SELECT id, merge_key FROM posts WHERE feed_id = ? AND identity = ? AND merge_key != ?",
    error);
  int row;

  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, merge->feed_id);
  tales_store_bind_text (stmt, 2, identity);
  tales_store_bind_text (stmt, 3, key);
  while ((row = tales_store_step_row (self, stmt, error)) == 1)
    if (!g_hash_table_contains (merge->seen, tales_store_column_text (stmt, 1)))
      return sqlite3_column_int64 (stmt, 0);
  return row < 0 ? -1 : 0;
}

/* The post whose guid changed takes its new merge key, keeping its id,
 * first_seen and read and star state: the merge then goes on as for a
 * changed post. Returns 1 when there was one, 0 when not, -1 with @error
 * set. */
static int
adopt_renamed_post (TalesStore *self, MergeData *merge, const char *key,
                    const char *identity, GError **error)
{
  g_autoptr(TalesStmt) stmt = NULL;
  gint64 id = find_renamed_post (self, merge, key, identity, error);

  if (id <= 0)
    return (int) id;
  stmt = tales_store_prepare_statement (self,
    "UPDATE posts SET merge_key = ? WHERE id = ?", error);
  if (stmt == NULL)
    return -1;
  tales_store_bind_text (stmt, 1, key);
  sqlite3_bind_int64 (stmt, 2, id);
  return tales_store_step_done (self, stmt, error) ? 1 : -1;
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

/* Takes the index's entry of a stored post out, with the text it was
 * indexed with (external content: FTS5 needs the old text to forget it). */
static gboolean
unindex_post (TalesStore *self, gint64 id, GError **error)
{
  return tales_store_run_with_id (self,
    "INSERT INTO post_search (post_search, rowid, title, body, author, categories) "
    "SELECT 'delete', id, title, body, author, categories FROM post_text WHERE id = ?",
    id, error);
}

/* What search finds the post by: the body as text, so words inside tags
 * and attributes are not found. The index itself is written once, at the
 * end of the merge (index_posts): FTS5 writes its pending terms out at
 * every statement savepoint, so indexing post by post would leave one
 * small segment per post to merge. */
static gboolean
write_search_text (TalesStore *self, MergeData *merge, gint64 id, TalesPost *post,
                   const char *body_text, gboolean is_new, GError **error)
{
  g_autoptr(TalesStmt) stmt = NULL;
  g_autofree char *categories = search_categories (post);

  if (!is_new && !unindex_post (self, id, error))
    return FALSE;
  stmt = tales_store_prepare_statement (self,
    "INSERT INTO post_text (id, title, body, author, categories) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (id) DO UPDATE SET title = excluded.title, body = excluded.body, "
    "  author = excluded.author, categories = excluded.categories", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  tales_store_bind_text (stmt, 2, tales_post_get_title (post));
  tales_store_bind_text (stmt, 3, body_text);
  tales_store_bind_text (stmt, 4, tales_post_get_author (post));
  tales_store_bind_text (stmt, 5, categories);
  if (!tales_store_step_done (self, stmt, error))
    return FALSE;
  g_array_append_val (merge->to_index, id);
  return TRUE;
}

/* One statement for every post written: the index takes them in a few
 * large segments. */
static gboolean
index_posts (TalesStore *self, MergeData *merge, GError **error)
{
  g_autoptr(TalesStmt) stmt = NULL;
  g_autofree char *ids = NULL;

  if (merge->to_index->len == 0)
    return TRUE;
  stmt = tales_store_prepare_statement (self,
    "INSERT INTO post_search (rowid, title, body, author, categories) "
    "SELECT id, title, body, author, categories FROM post_text "
    "WHERE id IN (SELECT value FROM json_each (?))", error);
  if (stmt == NULL)
    return FALSE;
  ids = tales_store_ids_to_json ((const gint64 *) (gpointer) merge->to_index->data,
                                 merge->to_index->len);
  tales_store_bind_text (stmt, 1, ids);
  return tales_store_step_done (self, stmt, error);
}

/* Images */

/* Adds @url to the images the refresh downloads, once. */
static void
list_image (MergeData *merge, const char *url)
{
  char *copy;

  if (g_hash_table_contains (merge->listed_images, url))
    return;
  copy = g_strdup (url);
  g_ptr_array_add (merge->image_urls, copy);
  g_hash_table_add (merge->listed_images, copy);
}

/* A PENDING record for @url unless one exists: a known image keeps its
 * state. A feed shows the same few images on many posts, so each URL is
 * written once per merge. */
static gboolean
ensure_image (TalesStore *self, MergeData *merge, const char *url, GError **error)
{
  g_autoptr(TalesStmt) stmt = NULL;
  g_autofree char *hash = NULL;

  if (g_hash_table_contains (merge->known_images, url))
    return TRUE;
  stmt = tales_store_prepare_statement (self,
    "INSERT INTO images (url, url_hash, state, updated) "
    "VALUES (?, ?, ?, ?) ON CONFLICT (url) DO NOTHING", error);
  if (stmt == NULL)
    return FALSE;
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, url, -1);
  tales_store_bind_text (stmt, 1, url);
  tales_store_bind_text (stmt, 2, hash);
  sqlite3_bind_int (stmt, 3, TALES_IMAGE_PENDING);
  sqlite3_bind_int64 (stmt, 4, merge->now);
  if (!tales_store_step_done (self, stmt, error))
    return FALSE;
  g_hash_table_add (merge->known_images, g_strdup (url));
  return TRUE;
}

static gboolean
insert_post_image (TalesStore *self, gint64 post_id, const char *url, guint position,
                   GError **error)
{
  /* A URL the post lists twice keeps its first place. */
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self,
    "INSERT INTO post_images (post_id, url, position) VALUES (?, ?, ?) "
    "ON CONFLICT (post_id, url) DO NOTHING", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, post_id);
  tales_store_bind_text (stmt, 2, url);
  sqlite3_bind_int64 (stmt, 3, position);
  return tales_store_step_done (self, stmt, error);
}

/* Replaces the images @post_id needs with @urls, as
 * tales_store_link_post_images() does. */
static gboolean
link_images (TalesStore *self, MergeData *merge, gint64 post_id, GPtrArray *urls,
             gboolean is_new, GError **error)
{
  if (!is_new && !tales_store_run_with_id (self, "DELETE FROM post_images WHERE post_id = ?",
                                           post_id, error))
    return FALSE;
  for (guint i = 0; i < urls->len; i++)
    {
      const char *url = g_ptr_array_index (urls, i);

      if (url == NULL || *url == '\0')
        continue;
      if (!ensure_image (self, merge, url, error) ||
          !insert_post_image (self, post_id, url, i, error))
        return FALSE;
      list_image (merge, url);
    }
  return TRUE;
}

typedef enum {
  MERGE_UNCHANGED,
  MERGE_NEW,
  MERGE_UPDATED,
  MERGE_LEFT_OUT,
} MergeOutcome;

/* What is left to write of a post once its row is: a new or changed
 * one's search text and images, or the images of an unchanged one, which
 * go on the download list in its turn. Written right away (write_pending). */
typedef struct {
  TalesPost *post;
  gint64 id;
  gboolean is_new;
  gboolean unchanged;     /* only images to list (or to link, when none are) */
  gboolean link_images;
  gboolean done;          /* body_text and urls are worked out (by the
                           * preparer, or read from the store) */
  char *body_text;
  GPtrArray *urls;
} Pending;

static void
pending_clear (Pending *pending)
{
  g_clear_pointer (&pending->body_text, g_free);
  g_clear_pointer (&pending->urls, g_ptr_array_unref);
}

/* Works out what @pending needs from its body, when the preparer did not
 * (it worked out no images, or the stored post has none linked). */
static void
pending_parse (Pending *pending)
{
  const char *body = tales_post_get_body (pending->post);

  if (pending->unchanged)
    pending->urls = tales_post_images_collect (pending->post, NULL);
  else if (pending->link_images)
    pending->urls = tales_post_images_collect (pending->post, &pending->body_text);
  else if (body != NULL)
    pending->body_text = tales_html_to_text (body);
}

/* An unchanged post lists the images it has (stored, or worked out by the
 * preparer); one whose body had to be parsed here links them too. */
static gboolean
write_parts (TalesStore *self, MergeData *merge, Pending *pending, GError **error)
{
  if (pending->unchanged && pending->done)
    {
      for (guint i = 0; i < pending->urls->len; i++)
        list_image (merge, g_ptr_array_index (pending->urls, i));
      return TRUE;
    }
  if (pending->unchanged)
    return link_images (self, merge, pending->id, pending->urls, TRUE, error);
  return write_search_text (self, merge, pending->id, pending->post, pending->body_text,
                            pending->is_new, error) &&
         (!pending->link_images ||
          link_images (self, merge, pending->id, pending->urls, pending->is_new, error));
}

/* Writes what is left of a post once its row is, and clears @pending. */
static gboolean
write_pending (TalesStore *self, MergeData *merge, Pending *pending, GError **error)
{
  gboolean ok;

  if (!pending->done)
    pending_parse (pending);
  ok = write_parts (self, merge, pending, error);
  pending_clear (pending);
  return ok;
}

/* Everything of a new or changed post but its row in posts. */
static gboolean
write_post_rows (TalesStore            *self,
                 MergeData             *merge,
                 gint64                 id,
                 TalesPost             *post,
                 TalesStorePrecomputed *precomputed,
                 gboolean               is_new,
                 GError               **error)
{
  Pending pending = {
    .post = post,
    .id = id,
    .is_new = is_new,
    .link_images = merge->link_images,
  };

  /* Parsed already, outside the lock: only the writing is left. */
  if (precomputed->with_images == merge->link_images)
    {
      pending.body_text = g_steal_pointer (&precomputed->body_text);
      pending.urls = g_steal_pointer (&precomputed->urls);
      pending.done = TRUE;
    }
  if (!write_body (self, id, post, error) ||
      !write_tags (self, merge, id, post, is_new, error) ||
      !write_enclosures (self, id, post, is_new, error))
    {
      pending_clear (&pending);
      return FALSE;
    }
  return write_pending (self, merge, &pending, error);
}

/* The images stored for an unchanged post, read now, listed in its turn.
 * One stored without any (it has none, or an older Tales linked images
 * apart from the merge) has its body looked at again. */
static gboolean
keep_images (TalesStore            *self,
             MergeData             *merge,
             gint64                 id,
             TalesPost             *post,
             TalesStorePrecomputed *precomputed,
             GError               **error)
{
  g_autoptr(TalesStmt) stmt = NULL;
  Pending pending = {
    .post = post,
    .id = id,
    .is_new = TRUE,
    .unchanged = TRUE,
    .link_images = TRUE,
    .done = TRUE,
  };
  int row;

  if (!merge->link_images)
    return TRUE;
  stmt = tales_store_prepare_statement (self,
    "SELECT url FROM post_images WHERE post_id = ? ORDER BY position", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  pending.urls = g_ptr_array_new_with_free_func (g_free);
  while ((row = tales_store_step_row (self, stmt, error)) == 1)
    g_ptr_array_add (pending.urls, g_strdup (tales_store_column_text (stmt, 0)));
  if (row < 0)
    {
      pending_clear (&pending);
      return FALSE;
    }
  if (pending.urls->len == 0)
    {
      g_clear_pointer (&pending.urls, g_ptr_array_unref);
      pending.done = precomputed->urls != NULL;
      if (pending.done)
        pending.urls = g_steal_pointer (&precomputed->urls);
    }
  return write_pending (self, merge, &pending, error);
}

/* A new post older than every post the feed keeps would be removed by the
 * per-feed limit right after (tales_store_limit_feed_posts()), and come
 * back as new at the next refresh, again and again: it is left out. The
 * date is the one the post would be sorted by (see upsert_post). */
static gboolean
is_below_floor (MergeData *merge, TalesPost *post)
{
  GDateTime *date = tales_post_get_published (post);

  if (!merge->has_floor)
    return FALSE;
  if (date == NULL)
    date = tales_post_get_updated (post);
  return (date != NULL ? g_date_time_to_unix (date) : merge->now) < merge->floor;
}

/* The date of the feed's oldest post within its limit, when it holds that
 * many: see is_below_floor(). */
static gboolean
find_floor (TalesStore *self, MergeData *merge, GError **error)
{
  g_autoptr(TalesStmt) stmt = tales_store_prepare_statement (self,
    "SELECT sort_date FROM posts WHERE feed_id = ? "
    "ORDER BY sort_date DESC, id DESC LIMIT 1 OFFSET ?", error);
  int row;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, merge->feed_id);
  sqlite3_bind_int64 (stmt, 2, tales_store_get_feed_post_limit (self) - 1);
  row = tales_store_step_row (self, stmt, error);
  merge->has_floor = row == 1;
  if (row == 1)
    merge->floor = sqlite3_column_int64 (stmt, 0);
  return row >= 0;
}

static gboolean
merge_one (TalesStore            *self,
           MergeData             *merge,
           TalesPost             *post,
           TalesStorePrecomputed *precomputed,
           gint64                *id,
           MergeOutcome          *outcome,
           GError               **error)
{
  const char *key = precomputed->key;
  const char *fingerprint = precomputed->fingerprint;
  const char *identity = precomputed->identity;
  g_autofree char *stored = NULL;
  int found = find_post (self, merge->feed_id, key, id, &stored, error);

  if (found == 0)
    {
      found = adopt_renamed_post (self, merge, key, identity, error);
      if (found == 1)
        found = find_post (self, merge->feed_id, key, id, &stored, error);
    }
  if (found < 0)
    return FALSE;
  if (found == 1 && g_strcmp0 (stored, fingerprint) == 0)
    {
      *outcome = MERGE_UNCHANGED;
      return touch_post (self, *id, merge->now, identity, error) &&
             keep_images (self, merge, *id, post, precomputed, error);
    }

  if (found == 0 && is_below_floor (merge, post))
    {
      *outcome = MERGE_LEFT_OUT;
      *id = 0;
      return TRUE;
    }
  *outcome = found == 1 ? MERGE_UPDATED : MERGE_NEW;
  return upsert_post (self, merge->feed_id, post, key, fingerprint, identity, merge->now, id,
                      error) &&
         write_post_rows (self, merge, *id, post, precomputed, found == 0, error);
}

/* Merges the post at @index, worked out as @precomputed. */
static gboolean
merge_post_at (TalesStore            *self,
               MergeData             *merge,
               guint                  index,
               TalesStorePrecomputed *precomputed,
               GError               **error)
{
  TalesPost *post = g_ptr_array_index (merge->posts, index);
  MergeOutcome outcome;
  gpointer first;

  /* A feed that lists one post twice: the first one wins. */
  if (g_hash_table_lookup_extended (merge->seen, precomputed->key, NULL, &first))
    {
      merge->ids[index] = merge->ids[GPOINTER_TO_UINT (first)];
      return TRUE;
    }
  if (!merge_one (self, merge, post, precomputed, &merge->ids[index], &outcome, error))
    return FALSE;
  merge->n_new += outcome == MERGE_NEW;
  merge->n_updated += outcome == MERGE_UPDATED;
  merge->n_left_out += outcome == MERGE_LEFT_OUT;
  g_hash_table_insert (merge->seen, g_strdup (precomputed->key), GUINT_TO_POINTER (index));
  return TRUE;
}

static gboolean
merge_posts_locked (TalesStore *self, gpointer data, GError **error)
{
  MergeData *merge = data;
  int found = tales_store_exists_with_id (self, "SELECT 1 FROM feeds WHERE id = ?",
                                          merge->feed_id, error);

  if (found == 0)
    tales_store_set_not_found (error, _("There is no such subscription."));
  if (found != 1)
    return FALSE;
  if (merge->leave_out_old && !find_floor (self, merge, error))
    return FALSE;

  for (guint i = 0; i < merge->posts->len; i++)
    {
      TalesStorePrecomputed *precomputed = tales_store_preparer_wait (merge->preparer, i);
      gboolean ok = merge_post_at (self, merge, i, precomputed, error);

      /* Written: what was worked out for it is not needed any more. */
      tales_store_preparer_drop (merge->preparer, i);
      if (!ok)
        return FALSE;
    }
  tales_store_preparer_set_n_left_out (merge->preparer, merge->n_left_out);
  return index_posts (self, merge, error);
}

/* @posts are the preparer's, in the order added. */
static void
merge_data_init (MergeData          *merge,
                 gint64              feed_id,
                 TalesStorePreparer *preparer,
                 GPtrArray          *posts,
                 gboolean            link_images,
                 gboolean            leave_out_old)
{
  *merge = (MergeData) {
    .feed_id = feed_id,
    .posts = posts,
    .ids = g_new0 (gint64, MAX (posts->len, 1)),
    .link_images = link_images,
    .now = tales_store_now_unix (),
    .to_index = g_array_new (FALSE, FALSE, sizeof (gint64)),
    .categories = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free),
    .known_images = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL),
    .image_urls = g_ptr_array_new_with_free_func (g_free),
    .listed_images = g_hash_table_new (g_str_hash, g_str_equal),
    .seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL),
    .leave_out_old = leave_out_old,
    .preparer = preparer,
  };
}

static void
merge_data_clear (MergeData *merge)
{
  g_clear_pointer (&merge->ids, g_free);
  g_clear_pointer (&merge->to_index, g_array_unref);
  g_clear_pointer (&merge->categories, g_hash_table_unref);
  g_clear_pointer (&merge->known_images, g_hash_table_unref);
  g_clear_pointer (&merge->listed_images, g_hash_table_unref);
  g_clear_pointer (&merge->image_urls, g_ptr_array_unref);
  g_clear_pointer (&merge->seen, g_hash_table_unref);
}

/* Posts in a merge beyond which the store gives its cache back after. */
#define LARGE_MERGE 1000

static gboolean
run_merge (TalesStore *self, MergeData *merge, GError **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  locker = tales_store_lock (self, _("Could not save the posts"));
  if (!tales_store_transaction (self, TRUE, merge_posts_locked, merge, error))
    return FALSE;
  /* A large import filled the page cache with pages written once: hand
   * the memory back rather than keep it for the rest of the session. */
  if (merge->posts->len >= LARGE_MERGE)
    sqlite3_db_release_memory (self->db);
  g_clear_pointer (&locker, g_mutex_locker_free);

  /* Only posts that are safely stored learn their ids. */
  for (guint i = 0; i < merge->posts->len; i++)
    {
      tales_post_set_db_id (g_ptr_array_index (merge->posts, i), merge->ids[i]);
      tales_post_set_feed_id (g_ptr_array_index (merge->posts, i), merge->feed_id);
    }
  return TRUE;
}

/* Runs the merge @merge was set up for, says what it did (nothing on
 * failure) and clears it. */
static gboolean
run_merge_and_report (TalesStore  *self,
                      MergeData   *merge,
                      guint       *n_new,
                      guint       *n_updated,
                      GPtrArray  **image_urls,
                      GError     **error)
{
  gboolean ok = run_merge (self, merge, error);

  if (n_new != NULL)
    *n_new = ok ? merge->n_new : 0;
  if (n_updated != NULL)
    *n_updated = ok ? merge->n_updated : 0;
  if (image_urls != NULL)
    *image_urls = ok ? g_steal_pointer (&merge->image_urls) : NULL;
  merge_data_clear (merge);
  return ok;
}

/* The posts all at once, worked out on the preparer's threads as for a
 * refresh; none is left out. */
gboolean
tales_store_merge_feed_posts (TalesStore  *self,
                              gint64       feed_id,
                              GPtrArray   *posts,
                              guint       *n_new,
                              guint       *n_updated,
                              GPtrArray  **image_urls,
                              GError     **error)
{
  g_autoptr(TalesStorePreparer) preparer = NULL;
  MergeData data;

  g_return_val_if_fail (TALES_IS_STORE (self), FALSE);
  g_return_val_if_fail (posts != NULL, FALSE);

  preparer = tales_store_preparer_new_for_posts (posts, image_urls != NULL);
  merge_data_init (&data, feed_id, preparer, tales_store_preparer_finish (preparer),
                   image_urls != NULL, FALSE);
  return run_merge_and_report (self, &data, n_new, n_updated, image_urls, error);
}

gboolean
tales_store_merge_prepared (TalesStore          *self,
                            gint64               feed_id,
                            TalesStorePreparer  *preparer,
                            guint               *n_new,
                            guint               *n_updated,
                            GPtrArray          **image_urls,
                            GError             **error)
{
  MergeData data;

  g_return_val_if_fail (TALES_IS_STORE (self), FALSE);
  g_return_val_if_fail (preparer != NULL, FALSE);

  /* Only a refresh (which then applies the limit) leaves posts out. */
  merge_data_init (&data, feed_id, preparer, tales_store_preparer_finish (preparer),
                   image_urls != NULL, TRUE);
  return run_merge_and_report (self, &data, n_new, n_updated, image_urls, error);
}

gboolean
tales_store_merge_posts (TalesStore  *self,
                         gint64       feed_id,
                         GPtrArray   *posts,
                         guint       *n_new,
                         guint       *n_updated,
                         GError     **error)
{
  return tales_store_merge_feed_posts (self, feed_id, posts, n_new, n_updated, NULL, error);
}

/* The per-feed limit */

void
tales_store_set_feed_post_limit (TalesStore *self, guint limit)
{
  g_return_if_fail (TALES_IS_STORE (self));

  g_atomic_int_set (&self->feed_post_limit, (int) MIN (limit, (guint) G_MAXINT));
}

guint
tales_store_get_feed_post_limit (TalesStore *self)
{
  int limit;

  g_return_val_if_fail (TALES_IS_STORE (self), TALES_STORE_DEFAULT_FEED_POST_LIMIT);

  limit = g_atomic_int_get (&self->feed_post_limit);
  return limit > 0 ? (guint) limit : TALES_STORE_DEFAULT_FEED_POST_LIMIT;
}
