/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "tales-store.h"
#include "tales-store-preparer.h"

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
 * images stored for it. The posts are worked out on a preparer's threads
 * (TalesStorePreparer), as for tales_store_merge_prepared(), but none is
 * left out.
 */
gboolean tales_store_merge_feed_posts (TalesStore  *self,
                                       gint64       feed_id,
                                       GPtrArray   *posts,
                                       guint       *n_new,
                                       guint       *n_updated,
                                       GPtrArray  **image_urls,
                                       GError     **error);

/**
 * tales_store_merge_prepared:
 * @preparer: the posts, in the feed's order; no more may be added
 *
 * tales_store_merge_feed_posts() of the posts added to @preparer (with
 * images when @preparer works them out, and then @image_urls must be
 * given), each written as soon as it is worked out while the threads go
 * on with the next ones. A new post older than the feed's newest
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

G_END_DECLS
