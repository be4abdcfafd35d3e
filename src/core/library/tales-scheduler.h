/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "tales-fetcher.h"
#include "tales-image-cache.h"
#include "tales-library-refresher.h"
#include "tales-store.h"

G_BEGIN_DECLS

/* The values of the "image-prefetch" property (the app's preference). */
#define TALES_IMAGE_PREFETCH_ALWAYS      "always"
#define TALES_IMAGE_PREFETCH_NOT_METERED "not-metered"
#define TALES_IMAGE_PREFETCH_NEVER       "never"

#define TALES_TYPE_SCHEDULER (tales_scheduler_get_type ())
G_DECLARE_FINAL_TYPE (TalesScheduler, tales_scheduler, TALES, SCHEDULER, GObject)

/**
 * TalesScheduler:
 *
 * Decides when the library is refreshed, so that a window (or anything
 * else: sync plugs in here) only asks and listens. It owns the
 * TalesLibraryRefresher, watches a GNetworkMonitor (no refresh while offline, a
 * refresh when the network comes back, no image downloads on a metered
 * connection unless "image-prefetch" says "always") and runs the automatic
 * refresh every "refresh-interval" seconds. One refresh or image backfill
 * at a time. Dropping the last reference cancels what runs.
 *
 * Signals:
 * - "refresh-started" (): a refresh began; "refreshing" is TRUE
 * - "progress" (guint done, guint total): of a refresh or a backfill
 * - "feed-done" (gint64 feed_id, gpointer GError-or-NULL): once per feed
 * - "refresh-finished" (guint n_failed, guint n_new, gboolean background):
 *   every feed was refreshed or failed (at once, with 0 and 0, when
 *   offline); @n_new is how many more posts are unread than before;
 *   @background is TRUE for the timer's and the network's refreshes
 * Properties: "online" (read-only), "refreshing" (read-only),
 * "refresh-interval" (seconds, 0: no automatic refresh; the default),
 * "image-prefetch" (TALES_IMAGE_PREFETCH_*, default "not-metered").
 */

/* @monitor (nullable): the network to watch; NULL for the system's. */
TalesScheduler *tales_scheduler_new (TalesStore      *store,
                                     TalesFetcher    *fetcher,
                                     TalesImageCache *images,
                                     GNetworkMonitor *monitor);

/* (transfer none) */
TalesLibraryRefresher *tales_scheduler_get_refresher        (TalesScheduler *self);
gboolean        tales_scheduler_get_online           (TalesScheduler *self);
gboolean        tales_scheduler_get_refreshing       (TalesScheduler *self);
gboolean        tales_scheduler_get_backfilling      (TalesScheduler *self);
guint           tales_scheduler_get_refresh_interval (TalesScheduler *self);
void            tales_scheduler_set_refresh_interval (TalesScheduler *self,
                                                      guint           seconds);
const char     *tales_scheduler_get_image_prefetch   (TalesScheduler *self);
void            tales_scheduler_set_image_prefetch   (TalesScheduler *self,
                                                      const char     *policy);

/* Refreshes every feed that is due (all when @force), unless a refresh or
 * a backfill runs already; @background marks it as not asked for (see
 * "refresh-finished"). Offline, nothing is fetched and "refresh-finished"
 * comes at once. */
void     tales_scheduler_refresh                (TalesScheduler      *self,
                                                 gboolean             force,
                                                 gboolean             background);

/* Downloads every image stored posts need and the cache lacks ("make
 * available offline"); fails with G_IO_ERROR_BUSY while a refresh or
 * another backfill runs, G_IO_ERROR_NETWORK_UNREACHABLE offline. */
void     tales_scheduler_backfill_images_async  (TalesScheduler      *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean tales_scheduler_backfill_images_finish (TalesScheduler      *self,
                                                 GAsyncResult        *result,
                                                 guint               *n_cached,
                                                 guint               *n_failed,
                                                 GError             **error);

G_END_DECLS
