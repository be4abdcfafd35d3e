#pragma once

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

/* Downloads every URL of @urls that is not cached yet, at most a few at a
 * time, and records each as cached or failed. Fails only when cancelled. */
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

/* Reads the cached bytes for a tales-image: URI's url hash.
 * Returns (transfer full) (nullable): the bytes, with @mime_type set, or
 * NULL when the image was never cached (G_IO_ERROR_NOT_FOUND). */
GBytes  *tales_image_cache_load_by_url_hash (TalesImageCache *self,
                                             const char      *url_hash,
                                             char           **mime_type,
                                             GError         **error);

G_END_DECLS
