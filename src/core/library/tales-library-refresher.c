/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-library-refresher"

#include "config.h"

#include "tales-library-refresher.h"

#define DEFAULT_MAX_CONCURRENT 4

/* One refresh of every due feed, shared by every caller that asked while
 * it ran. Lives on the main context of the first caller. */
typedef struct {
  TalesLibraryRefresher *self;      /* strong */
  GPtrArray *queue;          /* TalesFeed, due, in order */
  GPtrArray *not_due;        /* TalesFeed skipped: a forced call that joins adds them */
  gboolean force;
  guint next;                /* index in @queue of the next feed to start */
  guint in_flight;
  guint done;
  guint n_failed;
  GList *waiters;            /* Waiter */
  GCancellable *cancellable; /* cancelled when every waiter has gone */
} Run;

/* A caller waiting for the run. */
typedef struct {
  Run *run;
  GTask *task;
  GSource *cancel_source;    /* fires when the caller's cancellable does */
} Waiter;

struct _TalesLibraryRefresher
{
  GObject parent_instance;

  TalesStore *store;
  TalesFetcher *fetcher;
  TalesImageCache *images;
  guint max_concurrent;
  gboolean download_images;
  Run *run;                  /* the run in progress, or NULL */
};

G_DEFINE_FINAL_TYPE (TalesLibraryRefresher, tales_library_refresher, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_REFRESHING,
  PROP_MAX_CONCURRENT,
  PROP_DOWNLOAD_IMAGES,
  N_PROPS
};

enum {
  SIGNAL_PROGRESS,
  SIGNAL_FEED_DONE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* GObject */

static void
tales_library_refresher_dispose (GObject *object)
{
  TalesLibraryRefresher *self = TALES_LIBRARY_REFRESHER (object);

  g_clear_object (&self->images);
  g_clear_object (&self->fetcher);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (tales_library_refresher_parent_class)->dispose (object);
}

static void
tales_library_refresher_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  TalesLibraryRefresher *self = TALES_LIBRARY_REFRESHER (object);

  switch (prop_id)
    {
    case PROP_REFRESHING:
      g_value_set_boolean (value, tales_library_refresher_get_refreshing (self));
      break;
    case PROP_MAX_CONCURRENT:
      g_value_set_uint (value, self->max_concurrent);
      break;
    case PROP_DOWNLOAD_IMAGES:
      g_value_set_boolean (value, self->download_images);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tales_library_refresher_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  TalesLibraryRefresher *self = TALES_LIBRARY_REFRESHER (object);

  switch (prop_id)
    {
    case PROP_MAX_CONCURRENT:
      tales_library_refresher_set_max_concurrent (self, g_value_get_uint (value));
      break;
    case PROP_DOWNLOAD_IMAGES:
      tales_library_refresher_set_download_images (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tales_library_refresher_class_init (TalesLibraryRefresherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tales_library_refresher_dispose;
  object_class->get_property = tales_library_refresher_get_property;
  object_class->set_property = tales_library_refresher_set_property;

  properties[PROP_REFRESHING] =
    g_param_spec_boolean ("refreshing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_CONCURRENT] =
    g_param_spec_uint ("max-concurrent", NULL, NULL, 1, 64, DEFAULT_MAX_CONCURRENT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DOWNLOAD_IMAGES] =
    g_param_spec_boolean ("download-images", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
  signals[SIGNAL_FEED_DONE] =
    g_signal_new ("feed-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_POINTER);
}

static void
tales_library_refresher_init (TalesLibraryRefresher *self)
{
  self->max_concurrent = DEFAULT_MAX_CONCURRENT;
  self->download_images = TRUE;
}

/**
 * tales_library_refresher_new:
 *
 * Returns: (transfer full): a refresher for @store's subscriptions
 */
TalesLibraryRefresher *
tales_library_refresher_new (TalesStore      *store,
                             TalesFetcher    *fetcher,
                             TalesImageCache *images)
{
  TalesLibraryRefresher *self;

  g_return_val_if_fail (TALES_IS_STORE (store), NULL);
  g_return_val_if_fail (TALES_IS_FETCHER (fetcher), NULL);
  g_return_val_if_fail (TALES_IS_IMAGE_CACHE (images), NULL);

  self = g_object_new (TALES_TYPE_LIBRARY_REFRESHER, NULL);
  self->store = g_object_ref (store);
  self->fetcher = g_object_ref (fetcher);
  self->images = g_object_ref (images);
  return self;
}

gboolean
tales_library_refresher_get_refreshing (TalesLibraryRefresher *self)
{
  g_return_val_if_fail (TALES_IS_LIBRARY_REFRESHER (self), FALSE);

  return self->run != NULL;
}

void
tales_library_refresher_set_max_concurrent (TalesLibraryRefresher *self, guint max)
{
  g_return_if_fail (TALES_IS_LIBRARY_REFRESHER (self));

  max = CLAMP (max, 1, 64);
  if (self->max_concurrent == max)
    return;
  self->max_concurrent = max;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_CONCURRENT]);
}

void
tales_library_refresher_set_download_images (TalesLibraryRefresher *self, gboolean download)
{
  g_return_if_fail (TALES_IS_LIBRARY_REFRESHER (self));

  download = !!download;
  if (self->download_images == download)
    return;
  self->download_images = download;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DOWNLOAD_IMAGES]);
}

/* Which feeds are due */

static gboolean
is_due (TalesFeed *feed, GDateTime *now)
{
  GDateTime *next = tales_feed_get_next_refresh (feed);

  return next == NULL || g_date_time_compare (next, now) <= 0;
}

/* Splits @feeds into @run's queue (due, or all when forced) and the rest. */
static void
sort_feeds (Run *run, GPtrArray *feeds)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  for (guint i = 0; i < feeds->len; i++)
    {
      TalesFeed *feed = g_ptr_array_index (feeds, i);

      if (run->force || is_due (feed, now))
        g_ptr_array_add (run->queue, g_object_ref (feed));
      else
        g_ptr_array_add (run->not_due, g_object_ref (feed));
    }
}

/* The run */

static void
waiter_free (Waiter *waiter)
{
  if (waiter->cancel_source != NULL)
    {
      g_source_destroy (waiter->cancel_source);
      g_source_unref (waiter->cancel_source);
    }
  g_clear_object (&waiter->task);
  g_free (waiter);
}

static void
run_free (Run *run)
{
  g_list_free_full (run->waiters, (GDestroyNotify) waiter_free);
  g_ptr_array_unref (run->queue);
  g_ptr_array_unref (run->not_due);
  g_clear_object (&run->cancellable);
  g_clear_object (&run->self);
  g_free (run);
}

/* Lets go of the run: later calls start a new one. */
static void
detach_run (Run *run)
{
  TalesLibraryRefresher *self = run->self;

  if (self->run != run)
    return;
  self->run = NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REFRESHING]);
}

/* Every feed is done: every waiter hears the count of failures. */
static void
run_complete (Run *run)
{
  detach_run (run);
  for (GList *l = run->waiters; l != NULL; l = l->next)
    {
      Waiter *waiter = l->data;

      g_task_return_int (waiter->task, run->n_failed);
    }
  run_free (run);
}

/* One feed being refreshed. */
typedef struct {
  Run *run;
  gint64 feed_id;
} Job;

static void start_more (Run *run);

static void
feed_refreshed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Job *job = user_data;
  Run *run = job->run;
  g_autoptr(GError) error = NULL;
  gboolean cancelled;

  run->in_flight--;
  tales_feed_refresh_finish (result, NULL, &error);
  cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
              g_cancellable_is_cancelled (run->cancellable);
  /* Cancellation is silence: no failure, no signal. */
  if (!cancelled)
    {
      if (error != NULL)
        run->n_failed++;
      run->done++;
      g_signal_emit (run->self, signals[SIGNAL_FEED_DONE], 0, job->feed_id, error);
      g_signal_emit (run->self, signals[SIGNAL_PROGRESS], 0, run->done, run->queue->len);
    }
  g_free (job);
  start_more (run);
}

static void
start_one (Run *run, TalesFeed *feed)
{
  TalesLibraryRefresher *self = run->self;
  Job *job = g_new0 (Job, 1);
  TalesFeedRefreshFlags flags = self->download_images ? TALES_FEED_REFRESH_FLAGS_NONE
                                                  : TALES_FEED_REFRESH_FLAGS_SKIP_IMAGES;

  job->run = run;
  job->feed_id = tales_feed_get_db_id (feed);
  run->in_flight++;
  tales_feed_refresh_full_async (self->store, self->fetcher, self->images,
                                 tales_feed_get_url (feed), flags, run->cancellable,
                                 feed_refreshed_cb, job);
}

/* Keeps up to max-concurrent refreshes going; completes the run when
 * nothing is left, or when it was cancelled and the last one came back. */
static void
start_more (Run *run)
{
  gboolean cancelled = g_cancellable_is_cancelled (run->cancellable);

  while (!cancelled && run->in_flight < run->self->max_concurrent && run->next < run->queue->len)
    start_one (run, g_ptr_array_index (run->queue, run->next++));

  if (run->in_flight == 0 && (cancelled || run->next >= run->queue->len))
    run_complete (run);
}

/* A caller gave up: it hears G_IO_ERROR_CANCELLED now, and the run stops
 * once nobody waits for it any more. */
static gboolean
waiter_cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  Waiter *waiter = user_data;
  Run *run = waiter->run;

  run->waiters = g_list_remove (run->waiters, waiter);
  g_clear_pointer (&waiter->cancel_source, g_source_unref);
  g_task_return_error_if_cancelled (waiter->task);
  waiter_free (waiter);

  if (run->waiters == NULL)
    {
      detach_run (run);
      g_cancellable_cancel (run->cancellable);
    }
  return G_SOURCE_REMOVE;
}

static void
add_waiter (Run *run, GTask *task)
{
  Waiter *waiter = g_new0 (Waiter, 1);
  GCancellable *cancellable = g_task_get_cancellable (task);

  waiter->run = run;
  waiter->task = g_object_ref (task);
  if (cancellable != NULL)
    {
      waiter->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (waiter->cancel_source, G_SOURCE_FUNC (waiter_cancelled_cb), waiter, NULL);
      g_source_set_static_name (waiter->cancel_source, "[tales] refresh cancelled");
      g_source_attach (waiter->cancel_source, g_main_context_get_thread_default ());
    }
  run->waiters = g_list_append (run->waiters, waiter);
}

/* A forced call that joins a run of due feeds adds the others. */
static void
force_run (Run *run)
{
  if (run->force)
    return;
  run->force = TRUE;
  for (guint i = 0; i < run->not_due->len; i++)
    g_ptr_array_add (run->queue, g_object_ref (g_ptr_array_index (run->not_due, i)));
  g_ptr_array_set_size (run->not_due, 0);
  g_signal_emit (run->self, signals[SIGNAL_PROGRESS], 0, run->done, run->queue->len);
  start_more (run);
}

static Run *
run_new (TalesLibraryRefresher *self, gboolean force, GPtrArray *feeds)
{
  Run *run = g_new0 (Run, 1);

  run->self = g_object_ref (self);
  run->force = force;
  run->queue = g_ptr_array_new_with_free_func (g_object_unref);
  run->not_due = g_ptr_array_new_with_free_func (g_object_unref);
  run->cancellable = g_cancellable_new ();
  sort_feeds (run, feeds);
  return run;
}

void
tales_library_refresher_refresh_all_async (TalesLibraryRefresher      *self,
                                           gboolean             force,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) feeds = NULL;
  GError *error = NULL;
  Run *run;

  g_return_if_fail (TALES_IS_LIBRARY_REFRESHER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tales_library_refresher_refresh_all_async);
  if (g_task_return_error_if_cancelled (task))
    return;

  if (self->run != NULL)
    {
      add_waiter (self->run, task);
      if (force)
        force_run (self->run);
      return;
    }

  feeds = tales_store_list_feeds (self->store, &error);
  if (feeds == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  run = run_new (self, force, feeds);
  add_waiter (run, task);
  self->run = run;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REFRESHING]);
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, 0, run->queue->len);
  start_more (run);
}

/**
 * tales_library_refresher_refresh_all_finish:
 * @n_failed: (out) (optional): how many feeds failed
 *
 * Returns: %TRUE, or %FALSE when cancelled (or the feeds could not be listed)
 */
gboolean
tales_library_refresher_refresh_all_finish (TalesLibraryRefresher  *self,
                                            GAsyncResult    *result,
                                            guint           *n_failed,
                                            GError         **error)
{
  gssize failed;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tales_library_refresher_refresh_all_async, FALSE);

  failed = g_task_propagate_int (G_TASK (result), error);
  if (failed < 0)
    return FALSE;
  if (n_failed != NULL)
    *n_failed = (guint) failed;
  return TRUE;
}

/* Backfilling images */

typedef struct {
  TalesLibraryRefresher *self;
  GPtrArray *urls;
  guint next;
  guint in_flight;
  guint done;
  guint n_cached;
  guint n_failed;
} Backfill;

static void
backfill_free (Backfill *backfill)
{
  g_clear_object (&backfill->self);
  g_clear_pointer (&backfill->urls, g_ptr_array_unref);
  g_free (backfill);
}

static void backfill_more (GTask *task);

static void
image_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Backfill *backfill = g_task_get_task_data (task);
  guint cached = 0, failed = 0;

  backfill->in_flight--;
  /* Fails only when cancelled, which backfill_more sees. */
  if (tales_image_cache_download_finish (TALES_IMAGE_CACHE (source), result, &cached, &failed, NULL))
    {
      backfill->n_cached += cached;
      backfill->n_failed += failed;
      backfill->done++;
      g_signal_emit (backfill->self, signals[SIGNAL_PROGRESS], 0, backfill->done, backfill->urls->len);
    }
  backfill_more (task);
}

/* One URL per download, so that progress moves image by image. */
static void
backfill_more (GTask *task)
{
  Backfill *backfill = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  gboolean cancelled = g_cancellable_is_cancelled (cancellable);

  while (!cancelled && backfill->in_flight < backfill->self->max_concurrent &&
         backfill->next < backfill->urls->len)
    {
      g_autoptr(GPtrArray) one = g_ptr_array_new_with_free_func (g_free);

      g_ptr_array_add (one, g_strdup (g_ptr_array_index (backfill->urls, backfill->next++)));
      backfill->in_flight++;
      tales_image_cache_download_now_async (backfill->self->images, one, cancellable,
                                            image_done_cb, g_object_ref (task));
    }

  if (backfill->in_flight > 0)
    return;
  if (!g_task_return_error_if_cancelled (task))
    g_task_return_boolean (task, TRUE);
}

void
tales_library_refresher_backfill_images_async (TalesLibraryRefresher      *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Backfill *backfill;
  GError *error = NULL;
  GPtrArray *urls;

  g_return_if_fail (TALES_IS_LIBRARY_REFRESHER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tales_library_refresher_backfill_images_async);
  urls = tales_store_list_missing_images (self->store, &error);
  if (urls == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  backfill = g_new0 (Backfill, 1);
  backfill->self = g_object_ref (self);
  backfill->urls = urls;
  g_task_set_task_data (task, backfill, (GDestroyNotify) backfill_free);
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, 0, urls->len);
  backfill_more (task);
}

/**
 * tales_library_refresher_backfill_images_finish:
 * @n_cached: (out) (optional): images now cached
 * @n_failed: (out) (optional): images that could not be had
 *
 * Returns: %TRUE, or %FALSE when cancelled (or the store failed)
 */
gboolean
tales_library_refresher_backfill_images_finish (TalesLibraryRefresher  *self,
                                                GAsyncResult    *result,
                                                guint           *n_cached,
                                                guint           *n_failed,
                                                GError         **error)
{
  Backfill *backfill;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tales_library_refresher_backfill_images_async, FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  backfill = g_task_get_task_data (G_TASK (result));
  if (n_cached != NULL)
    *n_cached = backfill->n_cached;
  if (n_failed != NULL)
    *n_failed = backfill->n_failed;
  return TRUE;
}
