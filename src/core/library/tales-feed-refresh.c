/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-feed-refresh"

#include "config.h"

#include "tales-feed-refresh.h"
#include "tales-library-cleanup.h"
#include "tales-parser.h"
#include "tales-post-images.h"
#include "tales-store-merge.h"
#include "tales-thread.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/* No hint, however large, keeps a feed from being fetched for longer. */
#define MAX_HINT_SECONDS (24 * 60 * 60)

/* Posts are merged (and committed) in batches of this many while the feed
 * is still being read, so that memory stays flat however long the feed,
 * and a download that fails late keeps what came before. */
#define MERGE_BATCH_POSTS 500

/* The most posts read from one fetched document: a feed that streams
 * items without end, small enough to stay under the fetcher's byte cap,
 * still ends. Above the per-feed limit's default, so that a feed listing
 * its oldest posts first still has its newest read. */
#define MAX_POSTS_PER_FETCH 10000

/* One refresh of one feed. The worker thread fills in the parse and merge
 * results; everything else runs on the caller's main context. */
typedef struct {
  TalesStore *store;
  TalesFetcher *fetcher;
  TalesImageCache *images;
  char *url;
  TalesFeed *feed;
  TalesFeedRefreshFlags flags;
  GError *failure;         /* what a failed refresh returns once its error is saved */
  TalesFetchResult *fetched;
  GPtrArray *image_urls;   /* char *, every image the feed's posts need */
  GHashTable *listed_images; /* the strings in image_urls */
  GString *notice;         /* what the feed's status says after a success, or empty */
  TalesFeedRefreshReport report;
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
  g_clear_pointer (&data->listed_images, g_hash_table_unref);
  g_clear_pointer (&data->image_urls, g_ptr_array_unref);
  g_string_free (data->notice, TRUE);
  g_free (data);
}

GPtrArray *
tales_feed_refresh_collect_post_images (TalesPost *post)
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

/* What the worker thread keeps while it reads the feed: the batch being
 * read, and why the reading stopped early. */
typedef struct {
  RefreshData *data;
  TalesStorePreparer *batch;  /* nullable: the posts read since the last merge */
  GCancellable *stop;         /* cancelled to end the parse early */
  guint n_read;
  guint n_merged;             /* posts in the batches merged so far */
  gboolean at_bound;          /* MAX_POSTS_PER_FETCH were read */
  GError *merge_error;        /* a batch could not be merged */
} Intake;

/* Adds @urls to the images the refresh downloads, once each. */
static void
list_images (RefreshData *data, GPtrArray *urls)
{
  for (guint i = 0; urls != NULL && i < urls->len; i++)
    {
      char *url = g_ptr_array_index (urls, i);

      if (g_hash_table_contains (data->listed_images, url))
        continue;
      url = g_strdup (url);
      g_ptr_array_add (data->image_urls, url);
      g_hash_table_add (data->listed_images, url);
    }
}

/* Merges the batch read so far (the posts and the images each needs, in
 * one transaction of its own) and drops it. */
static gboolean
merge_batch (Intake *intake, GError **error)
{
  RefreshData *data = intake->data;
  g_autoptr(TalesStorePreparer) batch = g_steal_pointer (&intake->batch);
  g_autoptr(GPtrArray) urls = NULL;
  guint n_posts, n_new, n_updated;

  if (batch == NULL)
    return TRUE;
  n_posts = tales_store_preparer_get_n_posts (batch);
  if (!tales_store_merge_prepared (data->store, data->report.feed_id, batch,
                                   &n_new, &n_updated, &urls, error))
    return FALSE;
  data->report.n_new += n_new;
  data->report.n_updated += n_updated;
  data->report.n_removed += tales_store_preparer_get_n_left_out (batch);
  intake->n_merged += n_posts;
  list_images (data, urls);
  return TRUE;
}

static void
post_read_cb (TalesPost *post, gpointer user_data)
{
  Intake *intake = user_data;

  if (intake->at_bound || intake->merge_error != NULL)
    return;
  /* Other threads prepare each post as soon as it is read, and go on
   * while the merge writes the ones before. Images are linked even when
   * none are downloaded now. */
  if (intake->batch == NULL)
    intake->batch = tales_store_preparer_new (TRUE);
  tales_store_preparer_add (intake->batch, post);
  intake->n_read++;

  if (tales_store_preparer_get_n_posts (intake->batch) >= MERGE_BATCH_POSTS &&
      !merge_batch (intake, &intake->merge_error))
    g_cancellable_cancel (intake->stop);
  else if (intake->n_read >= MAX_POSTS_PER_FETCH)
    {
      intake->at_bound = TRUE;
      g_cancellable_cancel (intake->stop);
    }
}

static void
cancel_cb (GCancellable *cancellable, gpointer user_data)
{
  g_cancellable_cancel (user_data);
}

/* Parses the body as it arrives (the document is never whole in memory,
 * nor are its posts: every MERGE_BATCH_POSTS are merged as they fill),
 * leaving the last batch, not full, in @intake. A parse that fails keeps
 * the batches merged before; the caller drops the batch it was reading,
 * so that a feed smaller than a batch is stored whole or not at all, as
 * before. *@out is NULL when the parse stopped at MAX_POSTS_PER_FETCH
 * (the parser gives the feed's own fields at the end). */
static gboolean
parse_posts (RefreshData         *data,
             Intake              *intake,
             GCancellable        *cancellable,
             TalesParseResult   **out,
             GError             **error)
{
  GInputStream *body = data->fetched->stream;
  g_autoptr(TalesParseResult) parsed = NULL;
  g_autoptr(GError) parse_error = NULL;
  gulong cancel_id = 0;

  if (cancellable != NULL)
    cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (cancel_cb), intake->stop, NULL);
  parsed = tales_parse_stream (body, data->fetched->final_url, post_read_cb, intake,
                               intake->stop, &parse_error);
  if (cancellable != NULL)
    g_cancellable_disconnect (cancellable, cancel_id);
  /* Done with the body either way: a parser that stopped early stops the
   * download too. */
  g_input_stream_close (body, NULL, NULL);

  if (intake->merge_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&intake->merge_error));
      return FALSE;
    }
  if (parsed == NULL && !(intake->at_bound && !g_cancellable_is_cancelled (cancellable)))
    {
      g_propagate_error (error, g_steal_pointer (&parse_error));
      return FALSE;
    }
  if (parsed == NULL)
    return TRUE;

  /* A broken document that still gave posts is merged (and nothing is
   * deleted by a merge); one that gave nothing is an error, so that a
   * truncated download never reads as "the feed is empty now". */
  if (parsed->bozo && intake->n_read == 0)
    {
      g_set_error (error, TALES_PARSE_ERROR, TALES_PARSE_ERROR_MALFORMED,
                   _("The feed at %s is broken and no post could be read from it: %s"),
                   tales_feed_get_url (data->feed),
                   parsed->bozo_message ? parsed->bozo_message : _("it is not well-formed"));
      return FALSE;
    }
  if (parsed->bozo)
    g_debug ("%s is not well-formed, %u posts recovered: %s", tales_feed_get_url (data->feed),
             intake->n_read, parsed->bozo_message);

  *out = g_steal_pointer (&parsed);
  return TRUE;
}

/* What the feed says about itself (when the parse got that far), and the
 * validators for next time. */
static void
update_feed_fields (RefreshData *data, TalesFeed *parsed)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  TalesFeed *feed = data->feed;

  if (parsed != NULL)
    {
      if (tales_feed_get_title (parsed) != NULL)
        tales_feed_set_title (feed, tales_feed_get_title (parsed));
      if (tales_feed_get_link (parsed) != NULL)
        tales_feed_set_link (feed, tales_feed_get_link (parsed));
      tales_feed_set_subtitle (feed, tales_feed_get_subtitle (parsed));
      tales_feed_set_image_url (feed, tales_feed_get_image_url (parsed));
      tales_feed_set_language (feed, tales_feed_get_language (parsed));
      tales_feed_set_updated (feed, tales_feed_get_updated (parsed));
      tales_feed_set_refresh_hint (feed, tales_feed_get_refresh_hint (parsed));
    }
  tales_feed_set_etag (feed, data->fetched->etag);
  tales_feed_set_last_modified (feed, data->fetched->last_modified);
  tales_feed_set_last_refresh (feed, now);
  tales_feed_set_last_error (feed, data->notice->len > 0 ? data->notice->str : NULL);
  schedule_next_refresh (feed, refresh_hint (data));
}

static void
add_notice (RefreshData *data, const char *sentence)
{
  if (data->notice->len > 0)
    g_string_append_c (data->notice, ' ');
  g_string_append (data->notice, sentence);
}

/* A feed keeps its newest posts up to the store's per-feed limit (starred
 * ones always): the older ones go, with their images, and the feed's
 * status says so, counting the new ones the merge left out as older than
 * all those (see tales_store_preparer_get_n_left_out()). */
static gboolean
limit_feed_posts (RefreshData *data, GError **error)
{
  guint limit = tales_store_get_feed_post_limit (data->store);
  g_autoptr(GPtrArray) orphaned = NULL;
  g_autofree char *sentence = NULL;
  guint n_removed = 0;

  if (!tales_store_limit_feed_posts (data->store, data->report.feed_id, limit,
                                     &n_removed, &orphaned, error))
    return FALSE;
  tales_library_delete_cache_files (data->store, tales_image_cache_get_dir (data->images), orphaned);
  data->report.n_removed += n_removed;
  if (data->report.n_removed == 0)
    return TRUE;
  sentence = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Kept the newest %u posts; %u older one was dropped.",
                                           "Kept the newest %u posts; %u older ones were dropped.",
                                           data->report.n_removed),
                              limit, data->report.n_removed);
  add_notice (data, sentence);
  return TRUE;
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

/* After a failed parse, the batches merged before it stay; the per-feed
 * limit still holds for them. The failure is what the status says, not
 * the limit. */
static void
limit_after_failure (RefreshData *data, Intake *intake)
{
  g_autoptr(GError) error = NULL;

  if (intake->n_merged == 0)
    return;
  if (!limit_feed_posts (data, &error))
    g_debug ("Could not limit the posts of %s: %s", tales_feed_get_url (data->feed),
             error->message);
}

static void
merge_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  RefreshData *data = task_data;
  g_autoptr(TalesParseResult) parsed = NULL;
  g_autoptr(GCancellable) stop = g_cancellable_new ();
  Intake intake = { data, NULL, stop, 0, 0, FALSE, NULL };
  GError *error = NULL;
  gboolean ok;

  ok = parse_posts (data, &intake, cancellable, &parsed, &error) &&
       !g_cancellable_set_error_if_cancelled (cancellable, &error) &&
       merge_batch (&intake, &error);
  g_clear_pointer (&intake.batch, tales_store_preparer_free);
  release_memory ();
  if (!ok)
    {
      limit_after_failure (data, &intake);
      g_task_return_error (task, error);
      return;
    }

  if (intake.at_bound)
    {
      g_autofree char *sentence = g_strdup_printf (
        _("Only the first %u posts of the feed were read; the rest was left out."),
        MAX_POSTS_PER_FETCH);

      add_notice (data, sentence);
    }
  if (!limit_feed_posts (data, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  update_feed_fields (data, parsed != NULL ? parsed->feed : NULL);
  follow_permanent_redirect (data);
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

  if (data->flags & TALES_FEED_REFRESH_FLAGS_SKIP_IMAGES)
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
tales_feed_refresh_async (TalesStore          *store,
                          TalesFetcher        *fetcher,
                          TalesImageCache     *images,
                          const char          *feed_url,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  tales_feed_refresh_full_async (store, fetcher, images, feed_url, TALES_FEED_REFRESH_FLAGS_NONE,
                                 cancellable, callback, user_data);
}

void
tales_feed_refresh_full_async (TalesStore          *store,
                               TalesFetcher        *fetcher,
                               TalesImageCache     *images,
                               const char          *feed_url,
                               TalesFeedRefreshFlags    flags,
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
  g_task_set_source_tag (task, tales_feed_refresh_async);
  data = g_new0 (RefreshData, 1);
  data->store = g_object_ref (store);
  data->fetcher = g_object_ref (fetcher);
  data->images = g_object_ref (images);
  data->url = g_strdup (feed_url);
  data->flags = flags;
  data->image_urls = g_ptr_array_new_with_free_func (g_free);
  data->listed_images = g_hash_table_new (g_str_hash, g_str_equal);
  data->notice = g_string_new (NULL);
  g_task_set_task_data (task, data, (GDestroyNotify) refresh_data_free);

  run_store_step (task, ensure_feed_thread, feed_ensured_cb);
}

/**
 * tales_feed_refresh_finish:
 * @report: (out) (optional): what the refresh did
 *
 * Returns: %TRUE, or %FALSE with @error set (a fetch, parse or store
 *   error, or G_IO_ERROR_CANCELLED)
 */
gboolean
tales_feed_refresh_finish (GAsyncResult        *result,
                           TalesFeedRefreshReport  *report,
                           GError             **error)
{
  RefreshData *data;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tales_feed_refresh_async, FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (report != NULL)
    *report = data->report;
  return g_task_propagate_boolean (G_TASK (result), error);
}
