#define G_LOG_DOMAIN "tales-refresh"

#include "config.h"

#include "tales-refresh.h"
#include "tales-parser.h"
#include "tales-post-images.h"
#include "tales-store-merge.h"
#include "tales-thread.h"

#include <glib/gi18n-lib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/* No hint, however large, keeps a feed from being fetched for longer. */
#define MAX_HINT_SECONDS (24 * 60 * 60)

/* One refresh of one feed. The worker thread fills in the parse and merge
 * results; everything else runs on the caller's main context. */
typedef struct {
  TalesStore *store;
  TalesFetcher *fetcher;
  TalesImageCache *images;
  char *url;
  TalesFeed *feed;
  TalesRefreshFlags flags;
  GError *failure;         /* what a failed refresh returns once its error is saved */
  TalesFetchResult *fetched;
  GPtrArray *image_urls;   /* char *, every image the feed's posts need */
  TalesRefreshReport report;
} RefreshData;

static void
refresh_data_free (RefreshData *data)
{
  g_clear_object (&data->store);
  g_clear_object (&data->fetcher);
  g_clear_object (&data->images);
  g_clear_object (&data->feed);
  g_clear_pointer (&data->url, g_free);
  g_clear_error (&data->failure);
  g_clear_pointer (&data->fetched, tales_fetch_result_free);
  g_clear_pointer (&data->image_urls, g_ptr_array_unref);
  g_free (data);
}

GPtrArray *
tales_refresh_collect_post_images (TalesPost *post)
{
  return tales_post_images_collect (post, NULL);
}

/* Politeness */

/* Sets the earliest next fetch to now + @hint seconds, or clears it when
 * nothing hinted. */
static void
schedule_next_refresh (TalesFeed *feed, guint hint)
{
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) next = NULL;

  if (hint == 0)
    {
      tales_feed_set_next_refresh (feed, NULL);
      return;
    }
  now = g_date_time_new_now_utc ();
  next = g_date_time_add_seconds (now, MIN (hint, MAX_HINT_SECONDS));
  tales_feed_set_next_refresh (feed, next);
}

/* The largest of the feed's own hint and what the server said. */
static guint
refresh_hint (RefreshData *data)
{
  guint hint = tales_feed_get_refresh_hint (data->feed);

  hint = MAX (hint, data->fetched->max_age);
  return MAX (hint, data->fetched->retry_after);
}

/* Store calls off the main thread */

/* Every store write of a refresh runs in a worker thread: the library has
 * one writer, and another feed's merge may hold it for seconds, which the
 * main loop must never wait for. @func runs there with the refresh's
 * data; @callback gets the refresh's task back on the main context. The
 * step has no cancellable: a write that was asked for is made. */
static void
run_store_step (GTask *task, GTaskThreadFunc func, GAsyncReadyCallback callback)
{
  g_autoptr(GTask) step = g_task_new (NULL, NULL, callback, g_object_ref (task));

  g_task_set_source_tag (step, func);
  g_task_set_task_data (step, g_task_get_task_data (task), NULL);
  g_task_run_in_thread (step, func);
}

static void
save_feed_thread (GTask        *step,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  RefreshData *data = task_data;
  GError *error = NULL;

  if (tales_store_update_feed (data->store, data->feed, &error))
    g_task_return_boolean (step, TRUE);
  else
    g_task_return_error (step, error);
}

/* A feed that moved for good (301 or 308) and still answered as a feed
 * is stored at its new address, unless another subscription has it; one
 * whose refresh failed keeps its old address (a parked domain's 301 to a
 * landing page must not lose the feed). Runs in a worker thread. */
static void
follow_permanent_redirect (RefreshData *data)
{
  const char *url = data->fetched->permanent_url;
  g_autoptr(GError) error = NULL;
  gboolean moved = FALSE;

  if (url == NULL || g_strcmp0 (url, tales_feed_get_url (data->feed)) == 0)
    return;
  if (!tales_store_move_feed (data->store, data->report.feed_id, url, &moved, &error))
    g_debug ("Could not move %s to %s: %s", tales_feed_get_url (data->feed), url, error->message);
  else if (moved)
    tales_feed_set_url (data->feed, url);
}

static void
save_not_modified_thread (GTask        *step,
                          gpointer      source_object,
                          gpointer      task_data,
                          GCancellable *cancellable)
{
  follow_permanent_redirect (task_data);
  save_feed_thread (step, source_object, task_data, cancellable);
}

/* Errors */

static void
failure_saved_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  RefreshData *data = g_task_get_task_data (task);
  g_autoptr(GError) store_error = NULL;

  if (!g_task_propagate_boolean (G_TASK (res), &store_error))
    g_debug ("Could not save the error of %s: %s",
             tales_feed_get_url (data->feed), store_error->message);
  g_task_return_error (task, g_steal_pointer (&data->failure));
}

/* A failed refresh is remembered as the feed's last error, in words, and
 * touches nothing else: not the posts, not the validators. Only a server
 * that said when to come back (Retry-After) moves the next refresh. */
static void
return_failure (GTask *task, GError *error)
{
  RefreshData *data = g_task_get_task_data (task);
  guint retry_after = tales_fetch_error_get_retry_after (error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, error);
      return;
    }

  if (retry_after > 0)
    schedule_next_refresh (data->feed, retry_after);
  tales_feed_set_last_error (data->feed, error->message);
  data->failure = error;
  run_store_step (task, save_feed_thread, failure_saved_cb);
}

/* The worker thread: parse, merge, link images */

static void
post_read_cb (TalesPost *post, gpointer user_data)
{
  tales_store_preparer_add (user_data, post);
}

/* Parses the body as it arrives (the document is never whole in memory,
 * only the posts read from it), handing each post read to @preparer. */
static gboolean
parse_posts (RefreshData         *data,
             TalesStorePreparer  *preparer,
             GCancellable        *cancellable,
             TalesParseResult   **out,
             GError             **error)
{
  GInputStream *body = data->fetched->stream;
  g_autoptr(TalesParseResult) parsed = NULL;
  guint n_posts;

  parsed = tales_parse_stream (body, data->fetched->final_url, post_read_cb, preparer,
                               cancellable, error);
  /* Done with the body either way: a parser that stopped early stops the
   * download too. */
  g_input_stream_close (body, NULL, NULL);
  if (parsed == NULL)
    return FALSE;

  /* A broken document that still gave posts is merged (and nothing is
   * deleted by a merge); one that gave nothing is an error, so that a
   * truncated download never reads as "the feed is empty now". */
  n_posts = tales_store_preparer_get_n_posts (preparer);
  if (parsed->bozo && n_posts == 0)
    {
      g_set_error (error, TALES_PARSE_ERROR, TALES_PARSE_ERROR_MALFORMED,
                   _("The feed at %s is broken and no post could be read from it: %s"),
                   tales_feed_get_url (data->feed),
                   parsed->bozo_message ? parsed->bozo_message : _("it is not well-formed"));
      return FALSE;
    }
  if (parsed->bozo)
    g_debug ("%s is not well-formed, %u posts recovered: %s", tales_feed_get_url (data->feed),
             n_posts, parsed->bozo_message);

  *out = g_steal_pointer (&parsed);
  return TRUE;
}

/* What the feed says about itself, and the validators for next time. */
static void
update_feed_fields (RefreshData *data, TalesFeed *parsed)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  TalesFeed *feed = data->feed;

  if (tales_feed_get_title (parsed) != NULL)
    tales_feed_set_title (feed, tales_feed_get_title (parsed));
  if (tales_feed_get_link (parsed) != NULL)
    tales_feed_set_link (feed, tales_feed_get_link (parsed));
  tales_feed_set_subtitle (feed, tales_feed_get_subtitle (parsed));
  tales_feed_set_image_url (feed, tales_feed_get_image_url (parsed));
  tales_feed_set_language (feed, tales_feed_get_language (parsed));
  tales_feed_set_updated (feed, tales_feed_get_updated (parsed));
  tales_feed_set_etag (feed, data->fetched->etag);
  tales_feed_set_last_modified (feed, data->fetched->last_modified);
  tales_feed_set_last_refresh (feed, now);
  tales_feed_set_last_error (feed, NULL);
  tales_feed_set_refresh_hint (feed, tales_feed_get_refresh_hint (parsed));
  schedule_next_refresh (feed, refresh_hint (data));
}

/* A large feed's posts were many small blocks, freed now but kept by
 * malloc for reuse: hand them back, so that a long-running app does not
 * stay at its peak after one big import. */
static void
release_memory (void)
{
#ifdef __GLIBC__
  malloc_trim (0);
#endif
}

static void
merge_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  RefreshData *data = task_data;
  g_autoptr(TalesParseResult) parsed = NULL;
  /* Other threads prepare each post as soon as it is read, and go on
   * while the merge writes the ones before. Images are linked even when
   * none are downloaded now. */
  g_autoptr(TalesStorePreparer) preparer = tales_store_preparer_new (TRUE);
  GError *error = NULL;

  if (!parse_posts (data, preparer, cancellable, &parsed, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  /* The posts and the images each needs, in one transaction. */
  if (!tales_store_merge_prepared (data->store, data->report.feed_id, preparer,
                                   &data->report.n_new, &data->report.n_updated,
                                   &data->image_urls, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  update_feed_fields (data, parsed->feed);
  follow_permanent_redirect (data);
  g_clear_pointer (&parsed, tales_parse_result_free);
  g_clear_pointer (&preparer, tales_store_preparer_free);
  release_memory ();
  if (!tales_store_update_feed (data->store, data->feed, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* Back on the main context */

static void
images_cb (GObject      *source,
           GAsyncResult *res,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RefreshData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!tales_image_cache_download_finish (TALES_IMAGE_CACHE (source), res,
                                          &data->report.n_images_cached,
                                          &data->report.n_images_failed, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
merged_cb (GObject      *source,
           GAsyncResult *res,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RefreshData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (res), &error))
    {
      return_failure (task, error);
      return;
    }

  if (data->flags & TALES_REFRESH_FLAGS_SKIP_IMAGES)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* Every image of every post, not only the new ones: the cache skips
   * what it has, and retries what failed last time. */
  tales_image_cache_download_async (data->images, data->image_urls,
                                    g_task_get_cancellable (task),
                                    images_cb, g_object_ref (task));
}

static void
not_modified_saved_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (g_task_propagate_boolean (G_TASK (res), &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
save_not_modified (GTask *task)
{
  RefreshData *data = g_task_get_task_data (task);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  data->report.not_modified = TRUE;
  tales_feed_set_last_refresh (data->feed, now);
  tales_feed_set_last_error (data->feed, NULL);
  schedule_next_refresh (data->feed, refresh_hint (data));
  run_store_step (task, save_not_modified_thread, not_modified_saved_cb);
}

static void
fetch_cb (GObject      *source,
          GAsyncResult *res,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RefreshData *data = g_task_get_task_data (task);
  g_autoptr(GTask) merge_task = NULL;
  GError *error = NULL;

  data->fetched = tales_fetcher_fetch_stream_finish (TALES_FETCHER (source), res, &error);
  if (data->fetched == NULL)
    {
      return_failure (task, error);
      return;
    }
  if (data->fetched->not_modified)
    {
      save_not_modified (task);
      return;
    }

  merge_task = g_task_new (NULL, g_task_get_cancellable (task), merged_cb, g_object_ref (task));
  g_task_set_source_tag (merge_task, merge_thread);
  g_task_set_task_data (merge_task, data, NULL);
  /* Not GLib's pool: the merge thread works at a lower priority. */
  tales_thread_run_task_in_background (merge_task, merge_thread);
}

/* Subscribing (a new URL) is a write too. */
static void
ensure_feed_thread (GTask        *step,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  RefreshData *data = task_data;
  GError *error = NULL;

  data->feed = tales_store_ensure_feed (data->store, data->url, &error);
  if (data->feed != NULL)
    g_task_return_boolean (step, TRUE);
  else
    g_task_return_error (step, error);
}

static void
feed_ensured_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  RefreshData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (res), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  data->report.feed_id = tales_feed_get_db_id (data->feed);

  tales_fetcher_fetch_stream_async (data->fetcher, data->url,
                                    tales_feed_get_etag (data->feed),
                                    tales_feed_get_last_modified (data->feed),
                                    cancellable, fetch_cb, g_steal_pointer (&task));
}

void
tales_refresh_feed_async (TalesStore          *store,
                          TalesFetcher        *fetcher,
                          TalesImageCache     *images,
                          const char          *feed_url,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  tales_refresh_feed_full_async (store, fetcher, images, feed_url, TALES_REFRESH_FLAGS_NONE,
                                 cancellable, callback, user_data);
}

void
tales_refresh_feed_full_async (TalesStore          *store,
                               TalesFetcher        *fetcher,
                               TalesImageCache     *images,
                               const char          *feed_url,
                               TalesRefreshFlags    flags,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RefreshData *data;

  g_return_if_fail (TALES_IS_STORE (store));
  g_return_if_fail (TALES_IS_FETCHER (fetcher));
  g_return_if_fail (TALES_IS_IMAGE_CACHE (images));
  g_return_if_fail (feed_url != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tales_refresh_feed_async);
  data = g_new0 (RefreshData, 1);
  data->store = g_object_ref (store);
  data->fetcher = g_object_ref (fetcher);
  data->images = g_object_ref (images);
  data->url = g_strdup (feed_url);
  data->flags = flags;
  g_task_set_task_data (task, data, (GDestroyNotify) refresh_data_free);

  run_store_step (task, ensure_feed_thread, feed_ensured_cb);
}

/**
 * tales_refresh_feed_finish:
 * @report: (out) (optional): what the refresh did
 *
 * Returns: %TRUE, or %FALSE with @error set (a fetch, parse or store
 *   error, or G_IO_ERROR_CANCELLED)
 */
gboolean
tales_refresh_feed_finish (GAsyncResult        *result,
                           TalesRefreshReport  *report,
                           GError             **error)
{
  RefreshData *data;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tales_refresh_feed_async, FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (report != NULL)
    *report = data->report;
  return g_task_propagate_boolean (G_TASK (result), error);
}
