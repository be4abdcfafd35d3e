#pragma once

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
/* Saves title, link, subtitle, image, language, validators (etag,
 * last-modified), last refresh time and last error of @feed (by its db-id). */
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
/* Returns (transfer full) (nullable): what is known of @url, NULL if nothing. */
TalesImageRecord *tales_store_get_image   (TalesStore  *self,
                                           const char  *url,
                                           GError     **error);
/* The same, looked up by the sha256 of the URL (the tales-image: URI's
 * last segment, see tales_html_image_uri()). */
TalesImageRecord *tales_store_get_image_by_url_hash (TalesStore *self,
                                                     const char *url_hash,
                                                     GError    **error);

G_END_DECLS
