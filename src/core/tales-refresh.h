#pragma once

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
} TalesRefreshReport;

/**
 * tales_refresh_feed_async:
 *
 * Fetches @feed_url (subscribing if new) with a conditional GET, parses it
 * off the main thread, merges the posts into @store in one transaction, and
 * downloads every image the posts need (img src, the displayed srcset
 * candidate, the enclosure cover, media:thumbnail) through @images. A
 * failure leaves the stored posts as they were and is saved as the feed's
 * last error.
 */
void     tales_refresh_feed_async  (TalesStore          *store,
                                    TalesFetcher        *fetcher,
                                    TalesImageCache     *images,
                                    const char          *feed_url,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
gboolean tales_refresh_feed_finish (GAsyncResult        *result,
                                    TalesRefreshReport  *report,
                                    GError             **error);

/* The images a post needs, absolute URLs without duplicates: body images
 * first, then cover and enclosure images. Returns (transfer full). */
GPtrArray *tales_refresh_collect_post_images (TalesPost *post);

G_END_DECLS
