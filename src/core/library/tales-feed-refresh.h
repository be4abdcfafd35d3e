/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Module library: what a person does with the library, built from the
 * other modules: refresh one feed (tales-feed-refresh) or all that are due
 * (tales-library-refresher), discover feeds on a page, import and export
 * OPML, and remove a feed with the files only it needed
 * (tales-library-cleanup).
 * May use: every other module of the core. */

#include <gio/gio.h>

#include "tales-fetcher.h"
#include "tales-image-cache.h"
#include "tales-store.h"

G_BEGIN_DECLS

/* What one refresh of one feed did. */
typedef struct {
  gint64 feed_id;
  gboolean not_modified;
  guint n_new;
  guint n_updated;
  guint n_images_cached;
  guint n_images_failed;
  guint n_removed;      /* old posts the per-feed limit dropped: removed,
                         * or new but older than all it keeps, not stored */
} TalesFeedRefreshReport;

typedef enum {
  TALES_FEED_REFRESH_FLAGS_NONE = 0,
  /* Record the images the posts need but download none (a metered
   * connection); a later backfill fetches them. */
  TALES_FEED_REFRESH_FLAGS_SKIP_IMAGES = 1 << 0,
} TalesFeedRefreshFlags;

/**
 * tales_feed_refresh_async:
 *
 * Fetches @feed_url (subscribing if new) with a conditional GET, parses it
 * off the main thread while it arrives (never holding the whole document
 * nor all its posts), merges the posts and the images each needs into
 * @store in batches of a fixed size, each in one transaction, as they are
 * read (at most a fixed number of posts per fetch), keeps the feed to the
 * store's per-feed post limit (tales_store_set_feed_post_limit()), and
 * downloads every image the posts need (img src, the displayed srcset
 * candidate, the enclosure cover, media:thumbnail) through @images. A
 * failure keeps the batches merged before it, changes nothing else of the
 * stored posts and is saved as the feed's last error; a limit that applied
 * is saved there too, in words, on success.
 *
 * Afterwards the feed's next-refresh time is now plus the largest of its
 * own hint (ttl, sy:updatePeriod), the server's Cache-Control max-age and
 * Retry-After (each capped at a day), or none when nothing hinted; a 429
 * or 503 with Retry-After sets it too.
 */
void     tales_feed_refresh_async  (TalesStore          *store,
                                    TalesFetcher        *fetcher,
                                    TalesImageCache     *images,
                                    const char          *feed_url,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
/* The same, with @flags. tales_feed_refresh_finish() completes it. */
void     tales_feed_refresh_full_async (TalesStore          *store,
                                        TalesFetcher        *fetcher,
                                        TalesImageCache     *images,
                                        const char          *feed_url,
                                        TalesFeedRefreshFlags    flags,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean tales_feed_refresh_finish (GAsyncResult        *result,
                                    TalesFeedRefreshReport  *report,
                                    GError             **error);

/* The images a post needs, absolute URLs without duplicates: body images
 * first, then cover and enclosure images. Returns (transfer full). */
GPtrArray *tales_feed_refresh_collect_post_images (TalesPost *post);

G_END_DECLS
