/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-image-cache"

#include "config.h"

#include "tales-image-cache.h"
#include "tales-image-header.h"
#include "tales-image-svg.h"
#include "tales-paths.h"

#include <glib/gi18n-lib.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

/* How many downloads run at once. */
#define MAX_PARALLEL 4

struct _TalesImageCache
{
  GObject parent_instance;

  TalesStore *store;
  TalesFetcher *fetcher;
  char *dir;
  gint64 time_offset;   /* seconds, for tests */

  /* Held from a post's budget check to the record of the image it let
   * in, so that images saved at once cannot each take the same room. */
  GMutex budget_mutex;
};

G_DEFINE_FINAL_TYPE (TalesImageCache, tales_image_cache, G_TYPE_OBJECT)

static void
tales_image_cache_dispose (GObject *object)
{
  TalesImageCache *self = TALES_IMAGE_CACHE (object);

  g_clear_object (&self->store);
  g_clear_object (&self->fetcher);

  G_OBJECT_CLASS (tales_image_cache_parent_class)->dispose (object);
}

static void
tales_image_cache_finalize (GObject *object)
{
  TalesImageCache *self = TALES_IMAGE_CACHE (object);

  g_clear_pointer (&self->dir, g_free);
  g_mutex_clear (&self->budget_mutex);

  G_OBJECT_CLASS (tales_image_cache_parent_class)->finalize (object);
}

static void
tales_image_cache_class_init (TalesImageCacheClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tales_image_cache_dispose;
  object_class->finalize = tales_image_cache_finalize;
}

static void
tales_image_cache_init (TalesImageCache *self)
{
  g_mutex_init (&self->budget_mutex);
}

/**
 * tales_image_cache_new:
 * @dir: (nullable): where the files go; %NULL for the default
 *
 * Returns: (transfer full): a cache recording into @store and downloading
 *   with @fetcher
 */
TalesImageCache *
tales_image_cache_new (TalesStore   *store,
                       TalesFetcher *fetcher,
                       const char   *dir)
{
  TalesImageCache *self;

  g_return_val_if_fail (TALES_IS_STORE (store), NULL);
  g_return_val_if_fail (TALES_IS_FETCHER (fetcher), NULL);

  self = g_object_new (TALES_TYPE_IMAGE_CACHE, NULL);
  self->store = g_object_ref (store);
  self->fetcher = g_object_ref (fetcher);
  self->dir = dir ? g_strdup (dir) : tales_paths_image_dir ();
  return self;
}

/**
 * tales_image_cache_new_default:
 *
 * Returns: (transfer full): a cache in $XDG_CACHE_HOME/tales/images
 */
TalesImageCache *
tales_image_cache_new_default (TalesStore   *store,
                               TalesFetcher *fetcher)
{
  return tales_image_cache_new (store, fetcher, NULL);
}

const char *
tales_image_cache_get_dir (TalesImageCache *self)
{
  g_return_val_if_fail (TALES_IS_IMAGE_CACHE (self), NULL);

  return self->dir;
}

void
tales_image_cache_set_time_offset (TalesImageCache *self,
                                   gint64           seconds)
{
  g_return_if_fail (TALES_IS_IMAGE_CACHE (self));

  self->time_offset = seconds;
}

/* Unix time, as far as retry waits go. */
static gint64
cache_now (TalesImageCache *self)
{
  return g_get_real_time () / G_USEC_PER_SEC + self->time_offset;
}

/* Recognising images */

static gboolean
has_prefix (const guint8 *data, gsize size, const void *magic, gsize magic_size)
{
  return size >= magic_size && memcmp (data, magic, magic_size) == 0;
}

/* The image formats the article view shows, by their magic numbers: works
 * whether or not shared-mime-info is installed. */
static const char *
sniff_image_magic (const guint8 *data, gsize size)
{
  if (has_prefix (data, size, "\x89PNG\r\n\x1a\n", 8))
    return "image/png";
  if (has_prefix (data, size, "\xff\xd8\xff", 3))
    return "image/jpeg";
  if (has_prefix (data, size, "GIF87a", 6) || has_prefix (data, size, "GIF89a", 6))
    return "image/gif";
  if (size >= 12 && memcmp (data, "RIFF", 4) == 0 && memcmp (data + 8, "WEBP", 4) == 0)
    return "image/webp";
  if (size >= 12 && memcmp (data + 4, "ftypavif", 8) == 0)
    return "image/avif";
  if (has_prefix (data, size, "BM", 2) && size > 14)
    return "image/bmp";
  if (has_prefix (data, size, "\0\0\1\0", 4))
    return "image/x-icon";
  return NULL;
}

/* SVG is text: look for its root element near the start, and for no HTML. */
static gboolean
looks_like_svg (const guint8 *data, gsize size)
{
  g_autofree char *head = g_ascii_strdown ((const char *) data, MIN (size, 1024));

  return strstr (head, "<svg") != NULL && strstr (head, "<html") == NULL;
}

/* Returns (transfer full) (nullable): the mime type of @bytes if they are
 * an image; @claimed is the server's Content-Type. */
static char *
image_mime_type (GBytes *bytes, const char *claimed)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  const char *magic = sniff_image_magic (data, size);
  g_autofree char *guessed = NULL;
  g_autofree char *guessed_mime = NULL;

  if (magic != NULL)
    return g_strdup (magic);
  if (looks_like_svg (data, size))
    return g_strdup ("image/svg+xml");

  guessed = g_content_type_guess (NULL, data, size, NULL);
  guessed_mime = g_content_type_get_mime_type (guessed);
  if (guessed_mime != NULL && g_str_has_prefix (guessed_mime, "image/"))
    return g_steal_pointer (&guessed_mime);

  /* A format we do not know by its bytes is trusted on the server's word,
   * unless the bytes are plainly text (an error page, say). */
  if (claimed != NULL && g_str_has_prefix (claimed, "image/") &&
      !g_content_type_is_a (guessed, "text/plain") &&
      !g_content_type_is_mime_type (guessed, "application/xhtml+xml"))
    return g_strdup (claimed);
  return NULL;
}

static gboolean is_cache_path (const char *path);

/* Saving, in a worker thread: hashing and writing a large image should
 * not stall the main loop. */

typedef struct {
  TalesImageCache *cache;
  TalesStore *store;
  char *dir;
  char *url;
  GBytes *bytes;
  char *claimed_type;
  /* out */
  char *path;
  char *mime_type;
  GError *failure;      /* or: the download failed */
  gboolean refused;     /* for what the bytes are: waits the longest */
} SaveData;

static void
save_data_free (SaveData *save)
{
  g_clear_object (&save->cache);
  g_clear_object (&save->store);
  g_free (save->dir);
  g_free (save->url);
  g_clear_pointer (&save->bytes, g_bytes_unref);
  g_free (save->claimed_type);
  g_free (save->path);
  g_free (save->mime_type);
  g_clear_error (&save->failure);
  g_free (save);
}

static gboolean
write_content_addressed (SaveData *save, GError **error)
{
  g_autofree char *hash = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, save->bytes);
  g_autofree char *prefix = g_strndup (hash, 2);
  g_autofree char *subdir = g_build_filename (save->dir, prefix, NULL);
  g_autofree char *filename = g_build_filename (subdir, hash, NULL);
  gsize size;
  const char *data = g_bytes_get_data (save->bytes, &size);
  GStatBuf st;

  save->path = g_build_filename (prefix, hash, NULL);

  /* The name is the content: a file already there with the right size
   * holds these very bytes. */
  if (g_stat (filename, &st) == 0 && (gsize) st.st_size == size)
    return TRUE;

  if (g_mkdir_with_parents (subdir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("The image cache folder %s could not be created: %s."),
                   subdir, g_strerror (saved_errno));
      return FALSE;
    }
  return g_file_set_contents (filename, data, size, error);
}

/* Records in the store, from a worker thread like every store write here:
 * the main loop must not wait for a merge that holds the writer. */
static void
record_failure (SaveData *save, const char *reason)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesImageRecord) record = tales_store_get_image (save->store, save->url, NULL);
  int failures = record != NULL && record->state == TALES_IMAGE_FAILED ? record->failures : 0;
  gint64 wait = TALES_IMAGE_RETRY_MAX_WAIT;

  /* 1 h, 2 h, 4 h ... for what may get better; the most for the rest. */
  if (!save->refused && failures < 16)
    wait = MIN (wait, (gint64) TALES_IMAGE_RETRY_FIRST_WAIT << failures);
  if (!tales_store_set_image_failed_until (save->store, save->url, reason,
                                           cache_now (save->cache) + wait, &error))
    g_debug ("Could not record that %s failed: %s", save->url, error->message);
}

/* The bytes are an image of a size the view can afford: measured from
 * the header alone, before anything decodes them. An SVG becomes the PNG
 * it draws. */
static gboolean
check_image (SaveData *save, GError **error)
{
  guint width = 0, height = 0;

  if (g_str_equal (save->mime_type, "image/svg+xml"))
    {
      GBytes *png = tales_image_svg_rasterize (save->bytes, error);

      if (png == NULL)
        {
          g_prefix_error (error, "%s: ", save->url);
          return FALSE;
        }
      g_bytes_unref (save->bytes);
      save->bytes = png;
      g_free (save->mime_type);
      save->mime_type = g_strdup ("image/png");
    }
  if (!tales_image_header_knows (save->mime_type))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("%s is in a format Tales does not show (%s)."),
                   save->url, save->mime_type);
      return FALSE;
    }
  if (!tales_image_header_get_size (g_bytes_get_data (save->bytes, NULL),
                                    g_bytes_get_size (save->bytes), save->mime_type,
                                    &width, &height))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s is not a valid image (its %s header could not be read)."),
                   save->url, save->mime_type);
      return FALSE;
    }
  if (width > TALES_IMAGE_MAX_EDGE || height > TALES_IMAGE_MAX_EDGE ||
      (guint64) width * height > TALES_IMAGE_MAX_PIXELS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   _("%s is too large to show (%u × %u pixels)."),
                   save->url, width, height);
      return FALSE;
    }
  return TRUE;
}

/* Writes and records the image unless its posts' budget is spent, with
 * the budget held so that no other image takes the same room meanwhile. */
static gboolean
keep_within_budget (SaveData *save, GError **error)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&save->cache->budget_mutex);
  gint64 used = 0;
  gsize size = g_bytes_get_size (save->bytes);

  if (!tales_store_get_post_image_bytes (save->store, save->url, &used, error))
    return FALSE;
  if (used + (gint64) size > TALES_IMAGE_POST_BUDGET)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   _("%s is over this post’s image budget (%u MiB)."),
                   save->url, TALES_IMAGE_POST_BUDGET / (1024 * 1024));
      return FALSE;
    }
  if (!write_content_addressed (save, error))
    return FALSE;
  if (!tales_store_set_image_cached_size (save->store, save->url, save->path,
                                          save->mime_type, size, error))
    {
      g_prefix_error (error, _("%s was downloaded but could not be recorded: "), save->url);
      return FALSE;
    }
  return TRUE;
}

static gboolean
save_image (SaveData *save, GError **error)
{
  if (g_bytes_get_size (save->bytes) == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The server sent nothing for %s."), save->url);
      return FALSE;
    }
  save->mime_type = image_mime_type (save->bytes, save->claimed_type);
  if (save->mime_type == NULL)
    {
      save->refused = TRUE;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s is not an image (the server sent %s)."), save->url,
                   save->claimed_type ? save->claimed_type : _("something else"));
      return FALSE;
    }
  if (!check_image (save, error))
    {
      save->refused = TRUE;
      return FALSE;
    }
  return keep_within_budget (save, error);
}

/* Saves the file and records it as cached, or records why it failed. */
static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SaveData *save = task_data;
  GError *error = NULL;

  if (!save_image (save, &error))
    {
      record_failure (save, error->message);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* One batch of downloads. */

typedef struct {
  TalesStore *store;
  char *dir;
  gint64 now;          /* failed images waiting past this are not asked for */
  gboolean force;      /* ask for them all the same */
  GPtrArray *urls;     /* as asked for, until sorted into @pending */
  GQueue pending;      /* char *url */
  guint active;
  guint n_cached;
  guint n_failed;
} DownloadData;

static void
download_data_free (DownloadData *data)
{
  g_clear_object (&data->store);
  g_free (data->dir);
  g_clear_pointer (&data->urls, g_ptr_array_unref);
  g_queue_clear_full (&data->pending, g_free);
  g_free (data);
}

static void start_downloads (GTask *task);

/* Called for each image when it is done, however it went, and recorded
 * in the store already. */
static void
download_done (GTask *task, const GError *error)
{
  DownloadData *data = g_task_get_task_data (task);

  data->active--;
  if (error == NULL)
    data->n_cached++;
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    data->n_failed++;
  start_downloads (task);
}

/* One image in flight: the batch it belongs to, and its URL. */
typedef struct {
  GTask *batch;
  char *url;
} Download;

static void
download_free (Download *download)
{
  g_clear_object (&download->batch);
  g_free (download->url);
  g_free (download);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Download, download_free)

static void
save_cb (GObject      *source,
         GAsyncResult *res,
         gpointer      user_data)
{
  g_autoptr(GTask) batch = user_data;
  g_autoptr(GError) error = NULL;

  g_task_propagate_boolean (G_TASK (res), &error);
  download_done (batch, error);
}

/* A download that failed before there was anything to save. */
static void
failure_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  SaveData *save = task_data;

  record_failure (save, save->failure->message);
  g_task_return_error (task, g_error_copy (save->failure));
}

static void
fetch_cb (GObject      *source,
          GAsyncResult *res,
          gpointer      user_data)
{
  g_autoptr(Download) download = user_data;
  TalesImageCache *self = g_task_get_source_object (download->batch);
  g_autoptr(TalesFetchResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) save_task = NULL;
  SaveData *save;

  result = tales_fetcher_fetch_finish (TALES_FETCHER (source), res, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      download_done (download->batch, error);
      return;
    }

  save = g_new0 (SaveData, 1);
  save->cache = g_object_ref (self);
  save->store = g_object_ref (self->store);
  save->dir = g_strdup (self->dir);
  save->url = g_steal_pointer (&download->url);
  if (result != NULL)
    {
      save->bytes = g_bytes_ref (result->body);
      save->claimed_type = g_strdup (result->content_type);
    }
  save->failure = g_steal_pointer (&error);
  save_task = g_task_new (NULL, NULL, save_cb, g_steal_pointer (&download->batch));
  g_task_set_source_tag (save_task, save_thread);
  g_task_set_task_data (save_task, save, (GDestroyNotify) save_data_free);
  g_task_run_in_thread (save_task, result != NULL ? save_thread : failure_thread);
}

/* Keeps MAX_PARALLEL fetches going until the queue is empty, then
 * returns the batch. */
static void
start_downloads (GTask *task)
{
  TalesImageCache *self = g_task_get_source_object (task);
  DownloadData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (g_cancellable_is_cancelled (cancellable))
    g_queue_clear_full (&data->pending, g_free);

  while (data->active < MAX_PARALLEL && !g_queue_is_empty (&data->pending))
    {
      Download *download = g_new0 (Download, 1);

      download->batch = g_object_ref (task);
      download->url = g_queue_pop_head (&data->pending);
      data->active++;
      tales_fetcher_fetch_image_async (self->fetcher, download->url, cancellable,
                                       fetch_cb, download);
    }

  if (data->active == 0 && g_queue_is_empty (&data->pending))
    {
      if (!g_task_return_error_if_cancelled (task))
        g_task_return_boolean (task, TRUE);
    }
}

/* A cached image is kept while its file is there (something may have
 * deleted it); a failed one waits until its time, unless forced. */
static gboolean
needs_download (DownloadData *data, TalesImageRecord *record)
{
  g_autofree char *filename = NULL;

  switch (record->state)
    {
    case TALES_IMAGE_CACHED:
      if (!is_cache_path (record->path))
        return TRUE;
      filename = g_build_filename (data->dir, record->path, NULL);
      return !g_file_test (filename, G_FILE_TEST_IS_REGULAR);
    case TALES_IMAGE_FAILED:
      return data->force || record->retry_after <= data->now;
    case TALES_IMAGE_PENDING:
    default:
      return TRUE;
    }
}

/* Queues every URL of the batch that needs downloading, each once. */
static void
sort_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  DownloadData *data = task_data;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < data->urls->len; i++)
    {
      const char *url = g_ptr_array_index (data->urls, i);
      g_autoptr(TalesImageRecord) record = NULL;

      if (url == NULL || !g_hash_table_add (seen, (gpointer) url))
        continue;
      record = tales_store_get_image (data->store, url, NULL);
      if (record != NULL && !needs_download (data, record))
        continue;
      g_queue_push_tail (&data->pending, g_strdup (url));
    }
  g_task_return_boolean (task, TRUE);
}

static void
sorted_cb (GObject      *source,
           GAsyncResult *res,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DownloadData *data = g_task_get_task_data (task);

  g_clear_pointer (&data->urls, g_ptr_array_unref);
  start_downloads (task);
}

static void
start_batch (TalesImageCache     *self,
             GPtrArray           *urls,
             gboolean             force,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) sort_task = NULL;
  DownloadData *data;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tales_image_cache_download_async);
  data = g_new0 (DownloadData, 1);
  data->store = g_object_ref (self->store);
  data->dir = g_strdup (self->dir);
  data->now = cache_now (self);
  data->force = force;
  data->urls = g_ptr_array_ref (urls);
  g_task_set_task_data (task, data, (GDestroyNotify) download_data_free);

  /* Which ones are cached already is a question for the store: asked in a
   * worker thread, like everything else this does with the store. */
  sort_task = g_task_new (NULL, NULL, sorted_cb, g_steal_pointer (&task));
  g_task_set_source_tag (sort_task, sort_thread);
  g_task_set_task_data (sort_task, data, NULL);
  g_task_run_in_thread (sort_task, sort_thread);
}

void
tales_image_cache_download_async (TalesImageCache     *self,
                                  GPtrArray           *urls,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (TALES_IS_IMAGE_CACHE (self));
  g_return_if_fail (urls != NULL);

  start_batch (self, urls, FALSE, cancellable, callback, user_data);
}

/**
 * tales_image_cache_download_now_async:
 *
 * Like tales_image_cache_download_async(), failed images included
 * whatever their wait; finish with tales_image_cache_download_finish().
 */
void
tales_image_cache_download_now_async (TalesImageCache     *self,
                                      GPtrArray           *urls,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (TALES_IS_IMAGE_CACHE (self));
  g_return_if_fail (urls != NULL);

  start_batch (self, urls, TRUE, cancellable, callback, user_data);
}

/**
 * tales_image_cache_download_finish:
 * @n_cached: (out) (optional): how many images were downloaded
 * @n_failed: (out) (optional): how many could not be
 *
 * Returns: %TRUE, or %FALSE with G_IO_ERROR_CANCELLED
 */
gboolean
tales_image_cache_download_finish (TalesImageCache  *self,
                                   GAsyncResult     *result,
                                   guint            *n_cached,
                                   guint            *n_failed,
                                   GError          **error)
{
  DownloadData *data;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tales_image_cache_download_async, FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (n_cached != NULL)
    *n_cached = data->n_cached;
  if (n_failed != NULL)
    *n_failed = data->n_failed;
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Reading back */

/* The store only ever records "<2 hex>/<sha256>", but the database is a
 * file on disk: do not let it name anything outside the cache. */
static gboolean
is_cache_path (const char *path)
{
  return path != NULL && !g_path_is_absolute (path) && strstr (path, "..") == NULL;
}

/**
 * tales_image_cache_load_by_url_hash:
 * @mime_type: (out) (optional): the image's mime type
 *
 * Returns: (transfer full) (nullable): the bytes, or %NULL with @error set
 */
GBytes *
tales_image_cache_load_by_url_hash (TalesImageCache  *self,
                                    const char       *url_hash,
                                    char            **mime_type,
                                    GError          **error)
{
  g_autoptr(TalesImageRecord) record = NULL;
  g_autofree char *filename = NULL;
  char *contents = NULL;
  gsize length = 0;
  GError *local_error = NULL;

  g_return_val_if_fail (TALES_IS_IMAGE_CACHE (self), NULL);
  g_return_val_if_fail (url_hash != NULL, NULL);

  record = tales_store_get_image_by_url_hash (self->store, url_hash, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (record == NULL || record->state != TALES_IMAGE_CACHED || !is_cache_path (record->path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("This image was never downloaded."));
      return NULL;
    }

  filename = g_build_filename (self->dir, record->path, NULL);
  if (!g_file_get_contents (filename, &contents, &length, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The downloaded image %s is missing from the cache: %s"),
                   record->url, local_error->message);
      g_error_free (local_error);
      return NULL;
    }
  if (mime_type != NULL)
    *mime_type = g_strdup (record->mime_type);
  return g_bytes_new_take (contents, length);
}
