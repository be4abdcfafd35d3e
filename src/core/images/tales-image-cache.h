/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Module images: the picture cache on disk. Images are measured from their
 * headers (tales-image-header) and SVG rasterised (tales-image-svg) before
 * a file is written, named by the SHA-256 of its bytes; the cache keeps
 * its budget (tales-image-budget).
 * May use: base, net (to download), store (image records). */

#include <gio/gio.h>

#include "tales-fetcher.h"
#include "tales-store.h"

G_BEGIN_DECLS

#define TALES_TYPE_IMAGE_CACHE (tales_image_cache_get_type ())
G_DECLARE_FINAL_TYPE (TalesImageCache, tales_image_cache, TALES, IMAGE_CACHE, GObject)

/* Image bytes live in @dir (default $XDG_CACHE_HOME/tales/images/), named
 * by the sha256 of their content; the store records which URL is which
 * file, or why it failed. */
TalesImageCache *tales_image_cache_new          (TalesStore   *store,
                                                 TalesFetcher *fetcher,
                                                 const char   *dir);
TalesImageCache *tales_image_cache_new_default  (TalesStore   *store,
                                                 TalesFetcher *fetcher);
const char      *tales_image_cache_get_dir      (TalesImageCache *self);

/* The most bytes one post's images may take in the cache: the images of
 * a post beyond it are recorded as failed. */
#define TALES_IMAGE_POST_BUDGET (32 * 1024 * 1024)

/* A failed image waits this long before it is tried again, twice as long
 * after each failure in a row, up to TALES_IMAGE_RETRY_MAX_WAIT; an image
 * refused for what it is (not an image, too large) waits the most. */
#define TALES_IMAGE_RETRY_FIRST_WAIT (60 * 60)
#define TALES_IMAGE_RETRY_MAX_WAIT (7 * 24 * 60 * 60)

/* Downloads every URL of @urls that is not cached yet, at most a few at a
 * time, and records each as cached or failed. An image is checked before
 * it is kept: its header must give a size within TALES_IMAGE_MAX_PIXELS
 * and TALES_IMAGE_MAX_EDGE (tales-image-header.h), and an SVG is kept as
 * the PNG it renders to (tales-image-svg.h). A failed image is not tried
 * again until its wait has passed; a cached one whose file is gone is
 * downloaded again. Fails only when cancelled. */
void     tales_image_cache_download_async  (TalesImageCache     *self,
                                            GPtrArray           *urls,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean tales_image_cache_download_finish (TalesImageCache     *self,
                                            GAsyncResult        *result,
                                            guint               *n_cached,
                                            guint               *n_failed,
                                            GError             **error);

/* The same, but also retries the failed images whose wait has not
 * passed: for "make available offline", which a person asks for. */
void     tales_image_cache_download_now_async (TalesImageCache     *self,
                                               GPtrArray           *urls,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);

/* For tests of the retry waits: the cache acts as if it were @seconds
 * later than it is. */
void     tales_image_cache_set_time_offset (TalesImageCache *self,
                                            gint64           seconds);

/* Reads the cached bytes for a tales-image: URI's url hash.
 * Returns (transfer full) (nullable): the bytes, with @mime_type set, or
 * NULL when the image was never cached (G_IO_ERROR_NOT_FOUND). */
GBytes  *tales_image_cache_load_by_url_hash (TalesImageCache *self,
                                             const char      *url_hash,
                                             char           **mime_type,
                                             GError         **error);

G_END_DECLS
