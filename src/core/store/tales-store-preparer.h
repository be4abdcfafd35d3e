/* SPDX-License-Identifier: GPL-3.0-or-later */
/* TalesStorePreparer: the store's one pool of worker threads. It works
 * out what merging each post needs from the post alone (merge key,
 * fingerprint, body as search text, the images it needs) while the feed
 * is still being read, and while the merge writes the posts before.
 * Every merge goes through one (tales-store-merge.h). */

#pragma once

#include "tales-post.h"

G_BEGIN_DECLS

typedef struct _TalesStorePreparer TalesStorePreparer;

/* Starts the threads. @with_images: whether the merge will link images
 * (tales_store_merge_prepared() with @image_urls). */
TalesStorePreparer *tales_store_preparer_new            (gboolean            with_images);
/* Adds @post (taking a reference), to be merged in the order added; call
 * from one thread at a time. The post must be complete: a change made
 * after this is not seen by the merge. */
void                tales_store_preparer_add            (TalesStorePreparer *self,
                                                         TalesPost          *post);
guint               tales_store_preparer_get_n_posts    (TalesStorePreparer *self);
/* After tales_store_merge_prepared(): how many new posts it left out, as
 * older than every post the feed keeps when it already holds its limit
 * (tales_store_get_feed_post_limit()): stored, they would only be removed
 * again. */
guint               tales_store_preparer_get_n_left_out (TalesStorePreparer *self);
/* Stops the threads, and drops the posts and what was worked out for
 * them. */
void                tales_store_preparer_free           (TalesStorePreparer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TalesStorePreparer, tales_store_preparer_free)

G_END_DECLS
