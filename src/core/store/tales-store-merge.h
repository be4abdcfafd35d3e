#pragma once

#include "tales-store.h"

G_BEGIN_DECLS

/**
 * tales_store_merge_feed_posts:
 * @posts: (element-type TalesPost): what the feed holds now
 * @n_new: (out) (optional): how many posts were new
 * @n_updated: (out) (optional): how many stored posts changed
 * @image_urls: (out) (optional) (transfer full) (element-type utf8): every
 *   image the posts need, without duplicates
 *
 * tales_store_merge_posts(), and in the same transaction the list of
 * images each post needs (see tales_store_link_post_images()): a refresh
 * is stored whole or not at all. A post that did not change keeps the
 * images stored for it, without its body being read again.
 */
gboolean tales_store_merge_feed_posts (TalesStore  *self,
                                       gint64       feed_id,
                                       GPtrArray   *posts,
                                       guint       *n_new,
                                       guint       *n_updated,
                                       GPtrArray  **image_urls,
                                       GError     **error);

/**
 * tales_store_prepare_post:
 * @post: a post, complete: changing it afterwards is not seen by the merge
 * @with_images: whether the merge will link images
 *   (tales_store_merge_feed_posts() with @image_urls)
 *
 * Computes what merging @post needs from the post alone (its merge key,
 * fingerprint, body as search text and the images it needs) and keeps it
 * on @post until the merge. Call it from any thread, outside the store's
 * lock, while the feed is still being read: the merge then only writes.
 */
void     tales_store_prepare_post     (TalesPost   *post,
                                       gboolean     with_images);

/* Prepares posts on threads of its own as they are added, for
 * tales_store_merge_prepared(): the feed is read, the posts prepared and
 * (once the feed is read) the prepared ones written, all at once. */
typedef struct _TalesStorePreparer TalesStorePreparer;

TalesStorePreparer *tales_store_preparer_new         (gboolean            with_images);
/* Adds @post (taking a reference); call from one thread at a time. */
void                tales_store_preparer_add         (TalesStorePreparer *self,
                                                      TalesPost          *post);
guint               tales_store_preparer_get_n_posts (TalesStorePreparer *self);
/* Stops the threads, and drops the posts and what was prepared of them. */
void                tales_store_preparer_free        (TalesStorePreparer *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TalesStorePreparer, tales_store_preparer_free)

/**
 * tales_store_merge_prepared:
 * @preparer: the posts, in the feed's order; no more may be added
 *
 * tales_store_merge_feed_posts() of the posts added to @preparer (with
 * images when @preparer prepares them, and then @image_urls must be
 * given), each written as soon as it is prepared while the threads go on
 * with the next ones. A new post older than the feed's newest
 * tales_store_get_feed_post_limit() posts, when it holds that many, is
 * left out (tales_store_preparer_get_n_left_out()).
 */
gboolean tales_store_merge_prepared (TalesStore          *self,
                                     gint64               feed_id,
                                     TalesStorePreparer  *preparer,
                                     guint               *n_new,
                                     guint               *n_updated,
                                     GPtrArray          **image_urls,
                                     GError             **error);

/* After tales_store_merge_prepared(): how many new posts it left out, as
 * older than every post the feed keeps when it already holds its limit
 * (tales_store_get_feed_post_limit()): stored, they would only be removed
 * again. */
guint tales_store_preparer_get_n_left_out (TalesStorePreparer *self);

G_END_DECLS
