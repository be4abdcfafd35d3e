/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-scheduler"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tales-compat.h"
#include "tales-scheduler.h"

struct _TalesScheduler
{
  GObject parent_instance;

  TalesStore *store;
  TalesLibraryRefresher *refresher;
  GNetworkMonitor *monitor;
  /* Cancelled when the scheduler goes: what it started stops. */
  GCancellable *cancellable;

  gboolean online;
  gboolean refreshing;
  gboolean backfilling;
  gboolean background;       /* of the refresh that runs */
  guint unread_before;       /* when the refresh that runs began */

  guint refresh_interval;    /* seconds; 0: no automatic refresh */
  guint auto_refresh_source;
  char *image_prefetch;
};

G_DEFINE_FINAL_TYPE (TalesScheduler, tales_scheduler, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ONLINE,
  PROP_REFRESHING,
  PROP_REFRESH_INTERVAL,
  PROP_IMAGE_PREFETCH,
  N_PROPS
};

enum {
  SIGNAL_REFRESH_STARTED,
  SIGNAL_PROGRESS,
  SIGNAL_FEED_DONE,
  SIGNAL_REFRESH_FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Network ----------------------------------------------------------------- */

static gboolean
is_online (TalesScheduler *self)
{
  return self->monitor == NULL || g_network_monitor_get_network_available (self->monitor);
}

static void
update_download_images (TalesScheduler *self)
{
  gboolean metered = self->monitor != NULL && g_network_monitor_get_network_metered (self->monitor);
  gboolean download;

  if (g_str_equal (self->image_prefetch, TALES_IMAGE_PREFETCH_ALWAYS))
    download = TRUE;
  else if (g_str_equal (self->image_prefetch, TALES_IMAGE_PREFETCH_NEVER))
    download = FALSE;
  else
    download = !metered;
  tales_library_refresher_set_download_images (self->refresher, download);
}

static void
network_changed_cb (TalesScheduler *self)
{
  gboolean was_online = self->online;

  self->online = is_online (self);
  update_download_images (self);
  if (was_online == self->online)
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ONLINE]);
  /* Back online: whatever fell due meanwhile. */
  if (self->online)
    tales_scheduler_refresh (self, FALSE, TRUE);
}

/* Refresh ----------------------------------------------------------------- */

static void
set_refreshing (TalesScheduler *self,
                gboolean        refreshing)
{
  if (self->refreshing == refreshing)
    return;
  self->refreshing = refreshing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REFRESHING]);
}

/* The refresher's callback may come after the scheduler went (its
 * cancellable cancelled the run): it holds the scheduler weakly. */
static void
refresh_all_done_cb (GObject      *source_object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(TalesScheduler) self = g_weak_ref_get (weak);
  g_autoptr(GError) error = NULL;
  guint n_failed = 0;
  guint unread;
  gboolean ok;

  g_weak_ref_clear (weak);
  g_free (weak);
  ok = tales_library_refresher_refresh_all_finish (TALES_LIBRARY_REFRESHER (source_object), result, &n_failed, &error);
  if (self == NULL)
    return;
  set_refreshing (self, FALSE);
  /* Cancelled: the scheduler is going away. */
  if (!ok || self->store == NULL)
    return;

  unread = tales_store_count_unread (self->store, NULL);
  g_signal_emit (self, signals[SIGNAL_REFRESH_FINISHED], 0, n_failed,
                 unread > self->unread_before ? unread - self->unread_before : 0, self->background);
}

void
tales_scheduler_refresh (TalesScheduler *self,
                         gboolean        force,
                         gboolean        background)
{
  GWeakRef *weak;

  g_return_if_fail (TALES_IS_SCHEDULER (self));

  /* One at a time: a second request finds this one under way. */
  if (self->store == NULL || self->refreshing || self->backfilling)
    return;

  if (!self->online)
    {
      /* Nothing to wait for: say so at once. */
      g_signal_emit (self, signals[SIGNAL_REFRESH_FINISHED], 0, 0, 0, background);
      return;
    }

  self->unread_before = tales_store_count_unread (self->store, NULL);
  self->background = background;
  set_refreshing (self, TRUE);
  g_signal_emit (self, signals[SIGNAL_REFRESH_STARTED], 0);
  weak = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak, self);
  tales_library_refresher_refresh_all_async (self->refresher, force, self->cancellable, refresh_all_done_cb, weak);
}

/* Automatic refresh --------------------------------------------------------- */

static gboolean
auto_refresh_cb (gpointer user_data)
{
  TalesScheduler *self = user_data;

  tales_scheduler_refresh (self, FALSE, TRUE);
  return G_SOURCE_CONTINUE;
}

void
tales_scheduler_set_refresh_interval (TalesScheduler *self,
                                      guint           seconds)
{
  g_return_if_fail (TALES_IS_SCHEDULER (self));

  if (self->refresh_interval == seconds)
    return;
  self->refresh_interval = seconds;
  /* A new interval counts from now. */
  g_clear_handle_id (&self->auto_refresh_source, g_source_remove);
  if (seconds > 0)
    self->auto_refresh_source = g_timeout_add_seconds (seconds, auto_refresh_cb, self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REFRESH_INTERVAL]);
}

guint
tales_scheduler_get_refresh_interval (TalesScheduler *self)
{
  g_return_val_if_fail (TALES_IS_SCHEDULER (self), 0);

  return self->refresh_interval;
}

/* Make available offline ---------------------------------------------------- */

static void
backfill_done_cb (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TalesScheduler *self = g_task_get_source_object (task);
  guint *counts = g_task_get_task_data (task);
  GError *error = NULL;

  self->backfilling = FALSE;
  if (tales_library_refresher_backfill_images_finish (TALES_LIBRARY_REFRESHER (source_object), result,
                                              &counts[0], &counts[1], &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
tales_scheduler_backfill_images_async (TalesScheduler      *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TALES_IS_SCHEDULER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tales_scheduler_backfill_images_async);
  g_task_set_task_data (task, g_new0 (guint, 2), g_free);
  if (self->refreshing || self->backfilling)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY, "%s",
                               _("Tales is already refreshing or downloading"));
      return;
    }
  if (!self->online)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE, "%s",
                               _("Pictures can be downloaded once the network is back"));
      return;
    }
  self->backfilling = TRUE;
  tales_library_refresher_backfill_images_async (self->refresher, cancellable, backfill_done_cb,
                                         g_steal_pointer (&task));
}

gboolean
tales_scheduler_backfill_images_finish (TalesScheduler  *self,
                                        GAsyncResult    *result,
                                        guint           *n_cached,
                                        guint           *n_failed,
                                        GError         **error)
{
  guint *counts;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  counts = g_task_get_task_data (G_TASK (result));
  if (n_cached != NULL)
    *n_cached = counts[0];
  if (n_failed != NULL)
    *n_failed = counts[1];
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Accessors ----------------------------------------------------------------- */

TalesLibraryRefresher *
tales_scheduler_get_refresher (TalesScheduler *self)
{
  g_return_val_if_fail (TALES_IS_SCHEDULER (self), NULL);

  return self->refresher;
}

gboolean
tales_scheduler_get_online (TalesScheduler *self)
{
  g_return_val_if_fail (TALES_IS_SCHEDULER (self), FALSE);

  return self->online;
}

gboolean
tales_scheduler_get_refreshing (TalesScheduler *self)
{
  g_return_val_if_fail (TALES_IS_SCHEDULER (self), FALSE);

  return self->refreshing;
}

gboolean
tales_scheduler_get_backfilling (TalesScheduler *self)
{
  g_return_val_if_fail (TALES_IS_SCHEDULER (self), FALSE);

  return self->backfilling;
}

const char *
tales_scheduler_get_image_prefetch (TalesScheduler *self)
{
  g_return_val_if_fail (TALES_IS_SCHEDULER (self), NULL);

  return self->image_prefetch;
}

void
tales_scheduler_set_image_prefetch (TalesScheduler *self,
                                    const char     *policy)
{
  g_return_if_fail (TALES_IS_SCHEDULER (self));
  g_return_if_fail (policy != NULL);

  if (!tales_set_str (&self->image_prefetch, policy))
    return;
  update_download_images (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IMAGE_PREFETCH]);
}

/* GObject ----------------------------------------------------------------- */

static void
forward_progress_cb (TalesScheduler *self,
                     guint           done,
                     guint           total)
{
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, done, total);
}

static void
forward_feed_done_cb (TalesScheduler *self,
                      gint64          feed_id,
                      gpointer        error)
{
  g_signal_emit (self, signals[SIGNAL_FEED_DONE], 0, feed_id, error);
}

TalesScheduler *
tales_scheduler_new (TalesStore      *store,
                     TalesFetcher    *fetcher,
                     TalesImageCache *images,
                     GNetworkMonitor *monitor)
{
  TalesScheduler *self;

  g_return_val_if_fail (TALES_IS_STORE (store), NULL);
  g_return_val_if_fail (monitor == NULL || G_IS_NETWORK_MONITOR (monitor), NULL);

  self = g_object_new (TALES_TYPE_SCHEDULER, NULL);
  self->store = g_object_ref (store);
  self->refresher = tales_library_refresher_new (store, fetcher, images);
  g_signal_connect_object (self->refresher, "progress", G_CALLBACK (forward_progress_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->refresher, "feed-done", G_CALLBACK (forward_feed_done_cb),
                           self, G_CONNECT_SWAPPED);

  self->monitor = g_object_ref (monitor != NULL ? monitor : g_network_monitor_get_default ());
  g_signal_connect_object (self->monitor, "network-changed", G_CALLBACK (network_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->monitor, "notify::network-metered", G_CALLBACK (network_changed_cb),
                           self, G_CONNECT_SWAPPED);
  self->online = is_online (self);
  update_download_images (self);
  return self;
}

static void
tales_scheduler_dispose (GObject *object)
{
  TalesScheduler *self = TALES_SCHEDULER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->auto_refresh_source, g_source_remove);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);
  g_clear_object (&self->refresher);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (tales_scheduler_parent_class)->dispose (object);
}

static void
tales_scheduler_finalize (GObject *object)
{
  TalesScheduler *self = TALES_SCHEDULER (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->image_prefetch, g_free);

  G_OBJECT_CLASS (tales_scheduler_parent_class)->finalize (object);
}

static void
tales_scheduler_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  TalesScheduler *self = TALES_SCHEDULER (object);

  switch (prop_id)
    {
    case PROP_ONLINE:
      g_value_set_boolean (value, self->online);
      break;
    case PROP_REFRESHING:
      g_value_set_boolean (value, self->refreshing);
      break;
    case PROP_REFRESH_INTERVAL:
      g_value_set_uint (value, self->refresh_interval);
      break;
    case PROP_IMAGE_PREFETCH:
      g_value_set_string (value, self->image_prefetch);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tales_scheduler_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  TalesScheduler *self = TALES_SCHEDULER (object);

  switch (prop_id)
    {
    case PROP_REFRESH_INTERVAL:
      tales_scheduler_set_refresh_interval (self, g_value_get_uint (value));
      break;
    case PROP_IMAGE_PREFETCH:
      tales_scheduler_set_image_prefetch (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tales_scheduler_class_init (TalesSchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tales_scheduler_dispose;
  object_class->finalize = tales_scheduler_finalize;
  object_class->get_property = tales_scheduler_get_property;
  object_class->set_property = tales_scheduler_set_property;

  properties[PROP_ONLINE] =
    g_param_spec_boolean ("online", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REFRESHING] =
    g_param_spec_boolean ("refreshing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REFRESH_INTERVAL] =
    g_param_spec_uint ("refresh-interval", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_IMAGE_PREFETCH] =
    g_param_spec_string ("image-prefetch", NULL, NULL, TALES_IMAGE_PREFETCH_NOT_METERED,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_REFRESH_STARTED] =
    g_signal_new ("refresh-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
  signals[SIGNAL_FEED_DONE] =
    g_signal_new ("feed-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_POINTER);
  signals[SIGNAL_REFRESH_FINISHED] =
    g_signal_new ("refresh-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_BOOLEAN);
}

static void
tales_scheduler_init (TalesScheduler *self)
{
  self->cancellable = g_cancellable_new ();
  self->online = TRUE;
  self->image_prefetch = g_strdup (TALES_IMAGE_PREFETCH_NOT_METERED);
}
