/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Module store: the library in SQLite: feeds, posts, categories, image
 * records, read and star state, search; merges, reads, removal and limits.
 * May use: base, model, html (to prepare a post for the search index),
 * SQLite. Knows no network. */

#include <gio/gio.h>

#include "tales-feed.h"
#include "tales-post.h"

G_BEGIN_DECLS

#define TALES_STORE_ERROR (tales_store_error_quark ())
GQuark tales_store_error_quark (void);

typedef enum {
  TALES_STORE_ERROR_OPEN,       /* the database could not be opened or created */
  TALES_STORE_ERROR_CORRUPT,
  TALES_STORE_ERROR_FULL,       /* the disk is full */
  TALES_STORE_ERROR_READ_ONLY,
  TALES_STORE_ERROR_NOT_FOUND,
  TALES_STORE_ERROR_FAILED,
} TalesStoreError;

typedef enum {
  TALES_IMAGE_PENDING,
  TALES_IMAGE_CACHED,
  TALES_IMAGE_FAILED,
} TalesImageState;

/* What the store knows of one image URL. */
typedef struct {
  char *url;
  TalesImageState state;
  char *path;        /* the cached file, relative to the image cache dir; NULL unless cached */
  char *mime_type;   /* NULL unless cached */
  char *error;       /* why it failed, in words; NULL unless failed */
  gint64 size;       /* the cached file's bytes; -1 when not known */
  int failures;      /* failures in a row; 0 once cached */
  gint64 retry_after; /* unix time before which a failed image waits; 0: none */
} TalesImageRecord;

void tales_image_record_free (TalesImageRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TalesImageRecord, tales_image_record_free)

#define TALES_TYPE_STORE (tales_store_get_type ())
G_DECLARE_FINAL_TYPE (TalesStore, tales_store, TALES, STORE, GObject)

/* Opens (creating if needed) the SQLite database at @path, in WAL mode.
 * Safe to use from several threads; every write is one transaction. */
TalesStore *tales_store_open              (const char  *path,
                                           GError     **error);
/* $XDG_DATA_HOME/tales/tales.db */
TalesStore *tales_store_open_default      (GError     **error);
const char *tales_store_get_path          (TalesStore  *self);

/* Subscribes to @url if it is new. Returns (transfer full): the feed. */
TalesFeed  *tales_store_ensure_feed       (TalesStore  *self,
                                           const char  *url,
                                           GError     **error);
/* Returns (transfer full) (nullable): the feed, or NULL with NOT_FOUND. */
TalesFeed  *tales_store_get_feed          (TalesStore  *self,
                                           gint64       feed_id,
                                           GError     **error);
TalesFeed  *tales_store_find_feed_by_url  (TalesStore  *self,
                                           const char  *url,
                                           GError     **error);
/* Returns (transfer full) (element-type TalesFeed): every subscription. */
GPtrArray  *tales_store_list_feeds        (TalesStore  *self,
                                           GError     **error);
/* Saves what a refresh learns of @feed (by its db-id): title, link,
 * subtitle, image, language, validators (etag, last-modified), last
 * refresh, last error, next refresh and refresh hint. The person's own
 * choices (user title, folder) are not written here, so a refresh that
 * loaded the feed earlier can never undo a rename. */
gboolean    tales_store_update_feed       (TalesStore  *self,
                                           TalesFeed   *feed,
                                           GError     **error);

/**
 * tales_store_merge_posts:
 * @posts: (element-type TalesPost): what the feed holds now
 *
 * Merges @posts into @feed_id in one transaction, by merge key (guid, else
 * link). A post already stored is updated in place (its id, read state and
 * images stay); a new one is added; a stored post missing from @posts stays.
 * Sets each post's db-id and feed-id. Posts without a merge key are keyed on
 * a hash of their title and body. On error nothing is changed.
 */
gboolean    tales_store_merge_posts       (TalesStore  *self,
                                           gint64       feed_id,
                                           GPtrArray   *posts,
                                           guint       *n_new,
                                           guint       *n_updated,
                                           GError     **error);

/* Every stored post of @feed_id (or of all feeds when @feed_id is 0), newest
 * first, with title, link, dates, author, categories, feed title and cover
 * URL, but without summary and content (see tales_store_load_post).
 * Returns (transfer full): a GListModel of TalesPost. */
GListModel *tales_store_list_posts        (TalesStore  *self,
                                           gint64       feed_id,
                                           GError     **error);
/* Returns (transfer full) (nullable): one post with everything, body included. */
TalesPost  *tales_store_load_post         (TalesStore  *self,
                                           gint64       post_id,
                                           GError     **error);
guint       tales_store_count_posts       (TalesStore  *self,
                                           gint64       feed_id,
                                           GError     **error);

/* Images. Records are per URL; a post lists the URLs it needs. */
gboolean    tales_store_link_post_images  (TalesStore  *self,
                                           gint64       post_id,
                                           GPtrArray   *urls,
                                           GError     **error);
/* Returns (transfer full) (element-type utf8): the URLs @post_id needs. */
GPtrArray  *tales_store_list_post_images  (TalesStore  *self,
                                           gint64       post_id,
                                           GError     **error);
gboolean    tales_store_set_image_cached  (TalesStore  *self,
                                           const char  *url,
                                           const char  *path,
                                           const char  *mime_type,
                                           GError     **error);
gboolean    tales_store_set_image_failed  (TalesStore  *self,
                                           const char  *url,
                                           const char  *reason,
                                           GError     **error);
gboolean    tales_store_set_image_cached_size  (TalesStore  *self,
                                                const char  *url,
                                                const char  *path,
                                                const char  *mime_type,
                                                gint64       size,
                                                GError     **error);
gboolean    tales_store_set_image_failed_until (TalesStore  *self,
                                                const char  *url,
                                                const char  *reason,
                                                gint64       retry_after,
                                                GError     **error);
gboolean    tales_store_get_post_image_bytes   (TalesStore  *self,
                                                const char  *url,
                                                gint64      *bytes,
                                                GError     **error);
/* Returns (transfer full) (nullable): what is known of @url, NULL if nothing. */
TalesImageRecord *tales_store_get_image   (TalesStore  *self,
                                           const char  *url,
                                           GError     **error);
/* The same, looked up by the sha256 of the URL (the tales-image: URI's
 * last segment, see tales_html_image_uri()). */
TalesImageRecord *tales_store_get_image_by_url_hash (TalesStore *self,
                                                     const char *url_hash,
                                                     GError    **error);

/* ---- The reader's library: state, filters, counts, retention ---- */

/* Which posts a list shows. Search combines with any kind. */
typedef enum {
  TALES_FILTER_ALL,
  TALES_FILTER_UNREAD,
  TALES_FILTER_STARRED,
  TALES_FILTER_FEED,       /* @feed_id */
  TALES_FILTER_CATEGORY,   /* @category, compared case-folded */
} TalesFilterKind;

typedef struct {
  TalesFilterKind kind;
  gint64 feed_id;
  const char *category;
  const char *search;      /* nullable: words to find in title, text, author, categories (FTS5) */
} TalesPostFilter;
/* Search: every word must match, as a prefix ("kube" finds "Kubernetes"),
 * ignoring case and accents; a word of one character matches whole words.
 * Punctuation and FTS5 syntax are only separators, never an error: a
 * search with no word in it selects nothing, a blank one is no search. */

/* The ids of the posts @filter selects, in display order (newest first).
 * Returns (transfer full) (element-type gint64): the ids. */
GArray     *tales_store_query_post_ids    (TalesStore            *self,
                                           const TalesPostFilter *filter,
                                           GError               **error);
/* List rows (no summary or content) for @ids, in the order given; ids that
 * no longer exist are skipped. Returns (transfer full) (element-type TalesPost). */
GPtrArray  *tales_store_load_post_rows    (TalesStore            *self,
                                           const gint64          *ids,
                                           guint                  n_ids,
                                           GError               **error);

/* These change the store only: the caller also sets the TalesPost it shows
 * (tales_post_set_is_read()), and lists see the rest at their next reload. */
gboolean    tales_store_set_read          (TalesStore  *self,
                                           gint64       post_id,
                                           gboolean     is_read,
                                           GError     **error);
gboolean    tales_store_set_starred       (TalesStore  *self,
                                           gint64       post_id,
                                           gboolean     is_starred,
                                           GError     **error);
/* Marks every post @filter selects as read, in one transaction. */
gboolean    tales_store_mark_all_read     (TalesStore            *self,
                                           const TalesPostFilter *filter,
                                           GError               **error);

/* Per feed: how many posts, how many unread. */
typedef struct {
  gint64 feed_id;
  guint n_posts;
  guint n_unread;
} TalesFeedCounts;
/* Returns (transfer full) (element-type TalesFeedCounts): one per feed. */
GArray     *tales_store_count_by_feed     (TalesStore  *self,
                                           GError     **error);
guint       tales_store_count_unread      (TalesStore  *self,
                                           GError     **error);
guint       tales_store_count_starred     (TalesStore  *self,
                                           GError     **error);

/* Every category seen across all feeds, case-folded into one ("Python" and
 * "python" are one; the name shown is the most used spelling), with the
 * number of posts, sorted by name. */
typedef struct {
  char *name;
  guint n_posts;
} TalesCategoryCount;
void tales_category_count_free (TalesCategoryCount *count);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TalesCategoryCount, tales_category_count_free)
/* Returns (transfer full) (element-type TalesCategoryCount). */
GPtrArray  *tales_store_list_categories   (TalesStore  *self,
                                           GError     **error);

/* Sets the name the person gave the feed; NULL or "" goes back to the
 * feed's own title. */
gboolean    tales_store_rename_feed       (TalesStore  *self,
                                           gint64       feed_id,
                                           const char  *user_title,
                                           GError     **error);

/* Subscribes to every feed of @feeds (TalesFeed with url, and optionally
 * title, user title and folder) in one transaction: all or nothing (a feed
 * without a url refuses the batch). Feeds already subscribed are left as
 * they are and not counted; each new one learns its db-id. */
gboolean    tales_store_add_feeds         (TalesStore  *self,
                                           GPtrArray   *feeds,
                                           guint       *n_added,
                                           GError     **error);

/* Moves the feed @feed_id to @url (a permanent redirect), unless another
 * feed is subscribed at @url already; *@moved says whether it moved. */
gboolean    tales_store_move_feed         (TalesStore  *self,
                                           gint64       feed_id,
                                           const char  *url,
                                           gboolean    *moved,
                                           GError     **error);

/* Unsubscribes: the feed, its posts and their image records go (in one
 * transaction). Returns the cache files no post needs any more in
 * @orphaned_paths (relative to the image cache dir) for the caller to delete. */
gboolean    tales_store_remove_feed       (TalesStore  *self,
                                           gint64       feed_id,
                                           GPtrArray  **orphaned_paths,
                                           GError     **error);

/* Deletes read, unstarred posts first seen before @older_than (starred and
 * unread posts are never pruned), and reports the cache files that no
 * remaining post needs. A post that its feed still listed at a refresh
 * since @older_than stays too, or the next refresh would bring it back as
 * new and unread. */
gboolean    tales_store_prune             (TalesStore  *self,
                                           GDateTime   *older_than,
                                           guint       *n_pruned,
                                           GPtrArray  **orphaned_paths,
                                           GError     **error);

/* How many posts one feed keeps by default: a feed cannot fill the disk,
 * however many posts it lists over time. */
#define TALES_STORE_DEFAULT_FEED_POST_LIMIT 5000

/* Sets how many posts each feed keeps (0: the default); the next refresh
 * of a feed that holds more removes its oldest unstarred posts. Any thread. */
void        tales_store_set_feed_post_limit (TalesStore *self,
                                             guint       limit);
guint       tales_store_get_feed_post_limit (TalesStore *self);

/* Removes the oldest posts of @feed_id beyond its newest @limit (by date),
 * except starred ones, the way tales_store_prune() removes posts: their
 * search rows, and the image records no other post needs, go too; the
 * cache files of those images are returned in @orphaned_paths. */
gboolean    tales_store_limit_feed_posts  (TalesStore  *self,
                                           gint64       feed_id,
                                           guint        limit,
                                           guint       *n_removed,
                                           GPtrArray  **orphaned_paths,
                                           GError     **error);

/* The URLs of images that stored posts need and that are not cached
 * (pending or failed), for the "make available offline" backfill.
 * Returns (transfer full) (element-type utf8). */
GPtrArray  *tales_store_list_missing_images (TalesStore  *self,
                                             GError     **error);

/* ---- The image budget (see tales-image-budget.h) ---- */

/* Who needs a cached file, in the order the budget evicts. */
typedef enum {
  TALES_IMAGE_FILE_UNNEEDED,    /* no post needs it */
  TALES_IMAGE_FILE_READ,        /* only read, unstarred posts */
  TALES_IMAGE_FILE_UNREAD,      /* some unread, unstarred post */
} TalesImageFileUse;

typedef struct {
  char *path;                   /* relative to the image cache dir */
  TalesImageFileUse use;
  gint64 newest;                /* the sort date of the newest post that needs it */
} TalesImageFile;
void tales_image_file_free (TalesImageFile *file);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TalesImageFile, tales_image_file_free)

/* Every cached file no starred post needs, in eviction order: unneeded,
 * then read-only, then unread; oldest first within each.
 * Returns (transfer full) (element-type TalesImageFile). */
GPtrArray  *tales_store_list_evictable_image_files (TalesStore  *self,
                                                    GError     **error);
/* In one transaction, sets every record cached in one of @paths back to
 * pending (shown as missing, fetched again by the backfill), unless a
 * starred post needs that file. Returns (transfer full) (element-type
 * filename): the paths whose files may go. */
GPtrArray  *tales_store_forget_image_files (TalesStore  *self,
                                            GPtrArray   *paths,
                                            GError     **error);
/* 1 when a record points at @path, 0 when none does, -1 with @error set. */
int         tales_store_is_image_path_recorded (TalesStore  *self,
                                                const char  *path,
                                                GError     **error);

G_END_DECLS
