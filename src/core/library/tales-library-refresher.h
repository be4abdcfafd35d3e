/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "tales-fetcher.h"
#include "tales-image-cache.h"
#include "tales-feed-refresh.h"
#include "tales-store.h"

G_BEGIN_DECLS

#define TALES_TYPE_LIBRARY_REFRESHER (tales_library_refresher_get_type ())
G_DECLARE_FINAL_TYPE (TalesLibraryRefresher, tales_library_refresher, TALES, LIBRARY_REFRESHER, GObject)

/**
 * TalesLibraryRefresher:
 *
 * Refreshes every subscription with bounded concurrency, politely: a feed
 * is not fetched before its next-refresh time (from its ttl or
 * sy:updatePeriod, the server's Cache-Control max-age, Retry-After on 429
 * or 503) unless forced. Signals:
 * - "progress" (guint done, guint total)
 * - "feed-done" (gint64 feed_id, gpointer GError-or-NULL): once per feed;
 *   errors are also saved as the feed's last error
 * Properties: "refreshing" (read-only), "max-concurrent" (default 4),
 * "download-images" (default TRUE; FALSE on a metered connection unless the
 * person asked).
 */
TalesLibraryRefresher *tales_library_refresher_new (TalesStore      *store,
                                     TalesFetcher    *fetcher,
                                     TalesImageCache *images);

gboolean tales_library_refresher_get_refreshing      (TalesLibraryRefresher *self);
void     tales_library_refresher_set_max_concurrent  (TalesLibraryRefresher *self, guint max);
void     tales_library_refresher_set_download_images (TalesLibraryRefresher *self, gboolean download);

/* Refreshes every feed that is due (all when @force). A second call while
 * one runs joins it. Completes when all are done; the result is the number
 * of feeds that failed (never an error, except G_IO_ERROR_CANCELLED). */
void     tales_library_refresher_refresh_all_async  (TalesLibraryRefresher      *self,
                                                     gboolean             force,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean tales_library_refresher_refresh_all_finish (TalesLibraryRefresher      *self,
                                                     GAsyncResult        *result,
                                                     guint               *n_failed,
                                                     GError             **error);

/* Downloads every image stored posts need and the cache lacks ("make
 * available offline"), emitting "progress". */
void     tales_library_refresher_backfill_images_async  (TalesLibraryRefresher      *self,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
gboolean tales_library_refresher_backfill_images_finish (TalesLibraryRefresher      *self,
                                                         GAsyncResult        *result,
                                                         guint               *n_cached,
                                                         guint               *n_failed,
                                                         GError             **error);

G_END_DECLS
