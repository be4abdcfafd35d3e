/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-window"

#include "config.h"

#include <glib/gi18n.h>

#include "tales-window-private.h"

/* Busy state: one spinner and one "3 of 12" for refresh and backfill ------ */

static void
set_busy (TalesWindow *self)
{
  gboolean backfilling = tales_scheduler_get_backfilling (self->scheduler);
  gboolean busy = tales_scheduler_get_refreshing (self->scheduler) || backfilling;

  gtk_stack_set_visible_child_name (self->refresh_stack, busy ? "busy" : "idle");
  gtk_spinner_set_spinning (self->spinner, busy);
  if (!busy)
    gtk_widget_set_visible (GTK_WIDGET (self->progress_label), FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.make-available-offline", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.refresh", !backfilling);
}

static void
progress_cb (TalesScheduler *scheduler,
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
feed_done_cb (TalesScheduler *scheduler,
              gint64          feed_id,
              gpointer        error,
              TalesWindow    *self)
{
  /* Posts appear as feeds land; errors show on the feed's row. */
  _tales_window_queue_reload (self);
}

gboolean
tales_window_is_refreshing (TalesWindow *self)
{
  g_return_val_if_fail (TALES_IS_WINDOW (self), FALSE);

  return self->scheduler != NULL && tales_scheduler_get_refreshing (self->scheduler);
}

/* Network ----------------------------------------------------------------- */

static void
online_changed_cb (TalesWindow *self)
{
  /* Offline is a normal state, said quietly, never an error. */
  self->offline = !tales_scheduler_get_online (self->scheduler);
  gtk_widget_set_visible (self->offline_label, self->offline);
  _tales_window_update_list_state (self);
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
  if (!_tales_window_reload_finish (self, result, NULL))
    return;
  _tales_window_emit_refresh_finished (self);
}

/* The last reload of a refresh reads in the background too; the refresh
 * is finished once the list and the sidebar show what it brought. */
static void
refresh_finished (TalesWindow *self)
{
  g_clear_handle_id (&self->reload_source, g_source_remove);
  _tales_window_reload_async (self, refresh_reloaded_cb, NULL);
}

static void
refresh_started_cb (TalesWindow *self)
{
  set_busy (self);
}

static void
refresh_finished_cb (TalesScheduler *scheduler,
                     guint           n_failed,
                     guint           n_new,
                     gboolean        background,
                     TalesWindow    *self)
{
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

  if (background)
    notify_new_posts (self, n_new);
}

void
_tales_window_refresh_all (TalesWindow *self,
                           gboolean     force,
                           gboolean     background)
{
  if (self->scheduler != NULL)
    tales_scheduler_refresh (self->scheduler, force, background);
}

void
tales_window_refresh (TalesWindow *self)
{
  g_return_if_fail (TALES_IS_WINDOW (self));

  _tales_window_refresh_all (self, TRUE, FALSE);
}

void
tales_window_refresh_due (TalesWindow *self)
{
  g_return_if_fail (TALES_IS_WINDOW (self));

  _tales_window_refresh_all (self, FALSE, FALSE);
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
      _tales_window_show_error (self, _("The new feed could not be refreshed"), error);
    }
  if (self->store == NULL)
    return;
  _tales_window_reload_sidebar (self);
  tales_window_reload_posts (self);
}

void
_tales_window_refresh_feed (TalesWindow *self,
                            const char  *url)
{
  _tales_window_reload_sidebar (self);
  if (self->offline)
    return;
  tales_feed_refresh_async (self->store, self->fetcher, self->image_cache, url, self->cancellable,
                            refresh_feed_done_cb, g_object_ref (self));
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

  if (!tales_scheduler_backfill_images_finish (TALES_SCHEDULER (source_object), result,
                                               &n_cached, &n_failed, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->store != NULL)
        {
          set_busy (self);
          _tales_window_show_error (self, _("Could not download the pictures"), error);
        }
      return;
    }

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

  if (self->scheduler == NULL || tales_scheduler_get_refreshing (self->scheduler) ||
      tales_scheduler_get_backfilling (self->scheduler))
    return;
  if (self->offline)
    {
      tales_window_show_message (self, _("Pictures can be downloaded once the network is back"));
      return;
    }

  tales_scheduler_backfill_images_async (self->scheduler, self->cancellable,
                                         backfill_done_cb, g_object_ref (self));
  set_busy (self);
}

/* Set-up -------------------------------------------------------------------- */

/* The preference is in minutes, the scheduler counts seconds. */
static gboolean
minutes_to_seconds (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  g_value_set_uint (value, g_variant_get_uint32 (variant) * 60);
  return TRUE;
}

void
_tales_window_refresh_init (TalesWindow *self)
{
  self->scheduler = tales_scheduler_new (self->store, self->fetcher, self->image_cache, NULL);
  g_signal_connect_object (self->scheduler, "refresh-started", G_CALLBACK (refresh_started_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->scheduler, "refresh-finished", G_CALLBACK (refresh_finished_cb), self, 0);
  g_signal_connect_object (self->scheduler, "progress", G_CALLBACK (progress_cb), self, 0);
  g_signal_connect_object (self->scheduler, "feed-done", G_CALLBACK (feed_done_cb), self, 0);
  g_signal_connect_object (self->scheduler, "notify::online", G_CALLBACK (online_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_settings_bind (self->settings, "image-prefetch", self->scheduler, "image-prefetch", G_SETTINGS_BIND_GET);
  g_settings_bind_with_mapping (self->settings, "refresh-interval", self->scheduler, "refresh-interval",
                                G_SETTINGS_BIND_GET, minutes_to_seconds, NULL, NULL, NULL);
  online_changed_cb (self);
}

void
_tales_window_refresh_dispose (TalesWindow *self)
{
  if (self->scheduler == NULL)
    return;
  /* A backfill under way keeps the scheduler a moment longer: it must
   * neither reach this window nor follow its settings meanwhile. */
  g_signal_handlers_disconnect_by_data (self->scheduler, self);
  g_settings_unbind (self->scheduler, "image-prefetch");
  g_settings_unbind (self->scheduler, "refresh-interval");
  g_clear_object (&self->scheduler);
}

void
_tales_window_refresh_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.refresh", NULL, refresh_action_cb);
  gtk_widget_class_install_action (widget_class, "win.make-available-offline", NULL,
                                   make_available_offline_action_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.refresh", NULL);
}
