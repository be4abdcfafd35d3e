#define G_LOG_DOMAIN "tales-window"

#include "config.h"

#include <glib/gi18n.h>

#include "tales-window-private.h"

/* Busy state: one spinner and one "3 of 12" for refresh and backfill ------ */

static void
set_busy (TalesWindow *self)
{
  gboolean busy = self->refreshing || self->backfilling;

  gtk_stack_set_visible_child_name (self->refresh_stack, busy ? "busy" : "idle");
  gtk_spinner_set_spinning (self->spinner, busy);
  if (!busy)
    gtk_widget_set_visible (GTK_WIDGET (self->progress_label), FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.make-available-offline", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.refresh", !self->backfilling);
}

static void
progress_cb (TalesLibraryRefresher *refresher,
             guint           done,
             guint           total,
             TalesWindow    *self)
{
  g_autofree char *text = NULL;

  if (total == 0)
    return;
  /* TRANSLATORS: refresh progress, e.g. "3 of 12" */
  text = g_strdup_printf (_("%u of %u"), done, total);
  gtk_label_set_text (self->progress_label, text);
  /* Narrow, the spinner says enough. */
  gtk_widget_set_visible (GTK_WIDGET (self->progress_label), !adw_leaflet_get_folded (self->outer_leaflet));
}

static void
feed_done_cb (TalesLibraryRefresher *refresher,
              gint64          feed_id,
              gpointer        error,
              TalesWindow    *self)
{
  /* Posts appear as feeds land; errors show on the feed's row. */
  tales_window_queue_reload (self);
}

gboolean
tales_window_is_refreshing (TalesWindow *self)
{
  g_return_val_if_fail (TALES_IS_WINDOW (self), FALSE);

  return self->refreshing;
}

/* Network ----------------------------------------------------------------- */

static gboolean
is_online (TalesWindow *self)
{
  return self->monitor == NULL || g_network_monitor_get_network_available (self->monitor);
}

static void
update_download_images (TalesWindow *self)
{
  g_autofree char *prefetch = g_settings_get_string (self->settings, "image-prefetch");
  gboolean metered = self->monitor != NULL && g_network_monitor_get_network_metered (self->monitor);
  gboolean download;

  if (g_str_equal (prefetch, "always"))
    download = TRUE;
  else if (g_str_equal (prefetch, "never"))
    download = FALSE;
  else
    download = !metered;

  if (self->refresher != NULL)
    tales_library_refresher_set_download_images (self->refresher, download);
}

static void
network_changed_cb (TalesWindow *self)
{
  gboolean was_offline = self->offline;

  /* Offline is a normal state, said quietly, never an error. */
  self->offline = !is_online (self);
  gtk_widget_set_visible (self->offline_label, self->offline);
  update_download_images (self);
  tales_window_update_list_state (self);

  if (was_offline && !self->offline)
    tales_window_refresh_all (self, FALSE, TRUE);
}

/* Refresh ----------------------------------------------------------------- */

static void
notify_new_posts (TalesWindow *self,
                  guint        n_new)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *body = NULL;

  if (app == NULL || n_new == 0 || gtk_window_is_active (GTK_WINDOW (self)) ||
      !g_settings_get_boolean (self->settings, "notify-new-posts"))
    return;

  notification = g_notification_new (_("New Posts"));
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u new post to read", "%u new posts to read", n_new),
                          n_new);
  g_notification_set_body (notification, body);
  g_application_send_notification (app, "new-posts", notification);
}

static void
refresh_reloaded_cb (GObject      *source_object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  TalesWindow *self = TALES_WINDOW (source_object);

  /* Fails only when cancelled: the window is going away. */
  if (!tales_window_reload_finish (self, result, NULL))
    return;
  tales_window_emit_refresh_finished (self);
  tales_window_capture_after_refresh (self);
}

/* The last reload of a refresh reads in the background too; the refresh
 * is finished once the list and the sidebar show what it brought. */
static void
refresh_finished (TalesWindow *self)
{
  g_clear_handle_id (&self->reload_source, g_source_remove);
  tales_window_reload_async (self, refresh_reloaded_cb, NULL);
}

static void
refresh_all_done_cb (GObject      *source_object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(TalesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  guint n_failed = 0;
  guint unread;

  if (!tales_library_refresher_refresh_all_finish (TALES_LIBRARY_REFRESHER (source_object), result, &n_failed, &error) ||
      self->store == NULL)
    {
      /* Cancelled: the window is going away. */
      self->refreshing = FALSE;
      return;
    }

  self->refreshing = FALSE;
  set_busy (self);
  refresh_finished (self);

  /* One toast for the lot; each feed's row says what went wrong. */
  if (n_failed > 0 && !self->offline)
    {
      g_autofree char *message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                               "%u feed could not be refreshed",
                                                               "%u feeds could not be refreshed", n_failed),
                                                  n_failed);
      tales_window_show_message (self, message);
    }

  unread = tales_store_count_unread (self->store, NULL);
  if (self->background_refresh && unread > self->unread_before)
    notify_new_posts (self, unread - self->unread_before);
}

void
tales_window_refresh_all (TalesWindow *self,
                          gboolean     force,
                          gboolean     background)
{
  /* One refresh at a time: a second request finds this one under way. */
  if (self->refresher == NULL || self->backfilling || self->refreshing)
    return;

  if (self->offline)
    {
      /* Nothing to wait for: say so at once. */
      refresh_finished (self);
      return;
    }

  self->unread_before = tales_store_count_unread (self->store, NULL);
  self->background_refresh = background;
  self->refreshing = TRUE;
  set_busy (self);
  tales_library_refresher_refresh_all_async (self->refresher, force, self->cancellable,
                                             refresh_all_done_cb, g_object_ref (self));
}

void
tales_window_refresh (TalesWindow *self)
{
  g_return_if_fail (TALES_IS_WINDOW (self));

  tales_window_refresh_all (self, TRUE, FALSE);
}

void
tales_window_refresh_due (TalesWindow *self)
{
  g_return_if_fail (TALES_IS_WINDOW (self));

  tales_window_refresh_all (self, FALSE, FALSE);
}

static void
refresh_action_cb (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  tales_window_refresh (TALES_WINDOW (widget));
}

static void
refresh_feed_done_cb (GObject      *source_object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(TalesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  TalesFeedRefreshReport report = { 0 };

  if (!tales_feed_refresh_finish (result, &report, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->store == NULL)
        return;
      tales_window_show_error (self, _("The new feed could not be refreshed"), error);
    }
  if (self->store == NULL)
    return;
  tales_window_reload_sidebar (self);
  tales_window_reload_posts (self);
}

void
tales_window_refresh_feed (TalesWindow *self,
                           const char  *url)
{
  tales_window_reload_sidebar (self);
  if (self->offline)
    return;
  tales_feed_refresh_async (self->store, self->fetcher, self->image_cache, url, self->cancellable,
                            refresh_feed_done_cb, g_object_ref (self));
}

/* Automatic refresh --------------------------------------------------------- */

static gboolean
auto_refresh_cb (gpointer user_data)
{
  TalesWindow *self = user_data;

  tales_window_refresh_all (self, FALSE, TRUE);
  return G_SOURCE_CONTINUE;
}

static void
schedule_auto_refresh (TalesWindow *self)
{
  guint minutes = g_settings_get_uint (self->settings, "refresh-interval");

  g_clear_handle_id (&self->auto_refresh_source, g_source_remove);
  if (minutes > 0)
    self->auto_refresh_source = g_timeout_add_seconds (minutes * 60, auto_refresh_cb, self);
}

/* Make available offline ---------------------------------------------------- */

static void
backfill_done_cb (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(TalesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  guint n_cached = 0, n_failed = 0;

  if (!tales_library_refresher_backfill_images_finish (TALES_LIBRARY_REFRESHER (source_object), result,
                                                       &n_cached, &n_failed, &error))
    {
      self->backfilling = FALSE;
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->store != NULL)
        {
          set_busy (self);
          tales_window_show_error (self, _("Could not download the pictures"), error);
        }
      return;
    }

  self->backfilling = FALSE;
  if (self->store == NULL)
    return;
  set_busy (self);
  tales_window_reload_posts (self);

  if (n_failed > 0)
    message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "%u picture could not be downloaded",
                                            "%u pictures could not be downloaded", n_failed),
                               n_failed);
  else if (n_cached > 0)
    message = g_strdup (_("Every post is available offline"));
  else
    message = g_strdup (_("Everything was already available offline"));
  tales_window_show_message (self, message);
}

static void
make_available_offline_action_cb (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  TalesWindow *self = TALES_WINDOW (widget);

  if (self->refresher == NULL || self->refreshing || self->backfilling)
    return;
  if (self->offline)
    {
      tales_window_show_message (self, _("Pictures can be downloaded once the network is back"));
      return;
    }

  self->backfilling = TRUE;
  set_busy (self);
  tales_library_refresher_backfill_images_async (self->refresher, self->cancellable,
                                                 backfill_done_cb, g_object_ref (self));
}

/* Set-up -------------------------------------------------------------------- */

void
tales_window_refresh_init (TalesWindow *self)
{
  self->refresher = tales_library_refresher_new (self->store, self->fetcher, self->image_cache);
  g_signal_connect_object (self->refresher, "progress", G_CALLBACK (progress_cb), self, 0);
  g_signal_connect_object (self->refresher, "feed-done", G_CALLBACK (feed_done_cb), self, 0);

  self->monitor = g_object_ref (g_network_monitor_get_default ());
  g_signal_connect_object (self->monitor, "network-changed", G_CALLBACK (network_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->monitor, "notify::network-metered", G_CALLBACK (network_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::image-prefetch", G_CALLBACK (update_download_images),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::refresh-interval", G_CALLBACK (schedule_auto_refresh),
                           self, G_CONNECT_SWAPPED);

  self->offline = !is_online (self);
  gtk_widget_set_visible (self->offline_label, self->offline);
  update_download_images (self);
  tales_window_update_list_state (self);
  schedule_auto_refresh (self);
}

void
tales_window_refresh_dispose (TalesWindow *self)
{
  g_clear_handle_id (&self->auto_refresh_source, g_source_remove);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->monitor);
  g_clear_object (&self->refresher);
}

void
tales_window_refresh_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.refresh", NULL, refresh_action_cb);
  gtk_widget_class_install_action (widget_class, "win.make-available-offline", NULL,
                                   make_available_offline_action_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.refresh", NULL);
}
