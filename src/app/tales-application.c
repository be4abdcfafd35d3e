/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-application"

#include "config.h"

#include <glib/gi18n.h>

#include "tales-app-resources.h"
#include "tales-application.h"
#include "tales-preferences-window.h"
#include "tales-thread.h"
#include "tales-uri.h"
#include "tales-window.h"

struct _TalesApplication
{
  AdwApplication parent_instance;

  GSettings *settings;
  TalesStore *store;
  TalesFetcher *fetcher;
  TalesImageCache *image_cache;
  GError *store_error;
  /* --refresh came before there was a window to refresh. */
  gboolean refresh_pending;
  guint prune_source;
};

G_DEFINE_FINAL_TYPE (TalesApplication, tales_application, ADW_TYPE_APPLICATION)

void
tales_application_ensure_resources (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      g_resources_register (tales_app_get_resource ());
      g_once_init_leave (&initialized, 1);
    }
}

static TalesWindow *
get_window (TalesApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  return TALES_IS_WINDOW (window) ? TALES_WINDOW (window) : NULL;
}

/* A valid http(s) address, already as tales_uri_web_address() gives it. */
static gboolean
is_subscribable_url (const char *url)
{
  g_autofree char *web = tales_uri_web_address (url);

  return g_strcmp0 (web, url) == 0;
}

static void
subscribe_action_cb (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  TalesApplication *self = user_data;
  const char *url = g_variant_get_string (parameter, NULL);
  TalesWindow *window = get_window (self);
  g_autoptr(TalesFeed) feed = NULL;
  g_autoptr(GError) error = NULL;

  if (self->store == NULL)
    return;

  /* With a window, the new feed is fetched at once and shown. */
  if (window != NULL && is_subscribable_url (url))
    {
      tales_window_subscribe (window, url);
      return;
    }

  /* Without a window yet, activate refreshes everything that is due,
   * the new feed included. */
  if (!is_subscribable_url (url))
    g_set_error (&error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 _("“%s” is not a web address"), url);
  else
    feed = tales_store_ensure_feed (self->store, url, &error);

  if (feed == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not subscribe: %s"), error->message);

      if (window != NULL)
        tales_window_show_message (window, message);
      else
        g_printerr ("%s\n", message);
    }
}

static void
refresh_action_cb (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  TalesApplication *self = user_data;
  TalesWindow *window = get_window (self);

  if (window != NULL)
    tales_window_refresh (window);
  else
    self->refresh_pending = TRUE;
}

static void
about_action_cb (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  TalesApplication *self = user_data;
  static const char *developers[] = { "The Tales team", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        "modal", TRUE,
                        "application-name", _("Tales"),
                        "application-icon", APP_ID,
                        "version", PACKAGE_VERSION,
                        "developer-name", _("The Tales team"),
                        "developers", developers,
                        "comments", _("Read feeds, keep every post and picture, read them offline."),
                        "website", "https://github.com/talesreader/tales",
                        "issue-url", "https://github.com/talesreader/tales/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
preferences_action_cb (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  TalesApplication *self = user_data;
  GtkWidget *preferences = tales_preferences_window_new (gtk_application_get_active_window (GTK_APPLICATION (self)));

  gtk_window_present (GTK_WINDOW (preferences));
}

static void
quit_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GApplication *app = user_data;
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (app)));

  /* Closing the windows first lets them save their size. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
  g_list_free (windows);
  g_application_quit (app);
}

static const GActionEntry app_actions[] = {
  { .name = "subscribe", .activate = subscribe_action_cb, .parameter_type = "s" },
  { .name = "refresh", .activate = refresh_action_cb },
  { .name = "about", .activate = about_action_cb },
  { .name = "preferences", .activate = preferences_action_cb },
  { .name = "quit", .activate = quit_action_cb },
};

/* The built-in welcome feed is there on the first run, so the window is
 * never empty; the default blog is offered once, and removing it later is
 * respected. */
static void
prepare_subscriptions (TalesApplication *self)
{
  g_autoptr(GPtrArray) feeds = NULL;
  g_autoptr(GError) error = NULL;

  feeds = tales_store_list_feeds (self->store, &error);
  if (feeds == NULL)
    {
      g_warning ("Could not list subscriptions: %s", error->message);
      return;
    }

  if (feeds->len == 0)
    {
      g_autoptr(TalesFeed) welcome = tales_store_ensure_feed (self->store, TALES_WELCOME_FEED_URL, &error);

      if (welcome == NULL)
        {
          g_warning ("Could not add the welcome feed: %s", error->message);
          g_clear_error (&error);
        }
    }

  if (!g_settings_get_boolean (self->settings, "default-feed-subscribed"))
    {
      g_autoptr(TalesFeed) feed = tales_store_ensure_feed (self->store, TALES_DEFAULT_FEED_URL, &error);

      if (feed != NULL)
        g_settings_set_boolean (self->settings, "default-feed-subscribed", TRUE);
      else
        g_warning ("Could not subscribe to %s: %s", TALES_DEFAULT_FEED_URL, error->message);
    }
}

/* The store keeps at most this many posts per feed (starred ones always). */
static void
apply_feed_post_limit (TalesApplication *self)
{
  tales_store_set_feed_post_limit (self->store, g_settings_get_uint (self->settings, "max-posts-per-feed"));
}

static void
open_library (TalesApplication *self)
{
  self->store = tales_store_open_default (&self->store_error);
  self->fetcher = tales_fetcher_new ();
  if (self->store == NULL)
    {
      g_printerr ("%s\n", self->store_error->message);
      return;
    }

  self->image_cache = tales_image_cache_new_default (self->store, self->fetcher);
  g_signal_connect_object (self->settings, "changed::max-posts-per-feed",
                           G_CALLBACK (apply_feed_post_limit), self, G_CONNECT_SWAPPED);
  apply_feed_post_limit (self);
  prepare_subscriptions (self);
}

static void
apply_color_scheme (TalesApplication *self)
{
  g_autofree char *scheme = g_settings_get_string (self->settings, "color-scheme");
  AdwColorScheme color_scheme = ADW_COLOR_SCHEME_DEFAULT;

  if (g_str_equal (scheme, "light"))
    color_scheme = ADW_COLOR_SCHEME_FORCE_LIGHT;
  else if (g_str_equal (scheme, "dark"))
    color_scheme = ADW_COLOR_SCHEME_FORCE_DARK;
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), color_scheme);
}

/* Retention --------------------------------------------------------------- */

/* The image cache's total budget, from the preference (in MiB). */
static guint64
image_budget (TalesApplication *self)
{
  return (guint64) g_settings_get_uint (self->settings, "image-cache-budget-mb") << 20;
}

static void
tidied_cb (GObject      *source_object,
           GAsyncResult *result,
           gpointer      user_data)
{
  TalesTidyReport report = { 0 };
  g_autoptr(GError) error = NULL;

  if (!tales_library_tidy_finish (TALES_STORE (source_object), result, &report, &error))
    g_warning ("%s", error->message);
  if (GPOINTER_TO_UINT (user_data) > 0)
    g_debug ("Removed %u old posts and %u pictures", report.n_pruned, report.n_files);
  g_debug ("Image cache: %" G_GUINT64_FORMAT " bytes, %u files evicted, %" G_GUINT64_FORMAT " left",
           report.budget.bytes_before, report.budget.n_evicted, report.budget.bytes_after);
}

/* Prune and budget run in a worker: both walk the store and the disk. */
static void
start_prune (TalesApplication *self, guint days)
{
  if (self->store == NULL || self->image_cache == NULL)
    return;
  tales_library_tidy_async (self->store, tales_image_cache_get_dir (self->image_cache), days,
                            image_budget (self), NULL, tidied_cb, GUINT_TO_POINTER (days));
}

/* A refresh round may have brought more images than the budget holds. */
static void
refresh_finished_cb (TalesApplication *self)
{
  start_prune (self, 0);
}

/* A while after the window is up (not to compete with the first frames
 * and the start-up refresh), old read posts go, with the pictures only
 * they needed; starred and unread posts stay. */
#define PRUNE_DELAY_S 20

static gboolean
prune_timeout_cb (gpointer user_data)
{
  TalesApplication *self = user_data;

  self->prune_source = 0;
  start_prune (self, g_settings_get_uint (self->settings, "retention-days"));
  return G_SOURCE_REMOVE;
}

static void
tales_application_startup (GApplication *app)
{
  TalesApplication *self = TALES_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };

  /* Before chaining up: AdwApplication loads style.css from the resources. */
  tales_application_ensure_resources ();
  tales_core_init ();
  /* The window first: parsing and merging feeds yield the processor. */
  tales_thread_enable_background_priority ();

  G_APPLICATION_CLASS (tales_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", preferences_accels);

  self->settings = g_settings_new (APP_ID);
  g_signal_connect_object (self->settings, "changed::color-scheme", G_CALLBACK (apply_color_scheme),
                           self, G_CONNECT_SWAPPED);
  apply_color_scheme (self);
  open_library (self);
}

static void
start_up_refresh (TalesApplication *self)
{
  TalesWindow *window = get_window (self);

  if (window == NULL)
    return;
  /* tales --refresh (the desktop file's Refresh action) forces it. */
  if (self->refresh_pending)
    tales_window_refresh (window);
  else
    tales_window_refresh_due (window);
  self->refresh_pending = FALSE;
}

static void
tales_application_activate (GApplication *app)
{
  TalesApplication *self = TALES_APPLICATION (app);
  TalesWindow *window = get_window (self);

  if (window != NULL)
    {
      gtk_window_present (GTK_WINDOW (window));
      return;
    }

  window = tales_window_new (self);

  /* The posts are on screen before Tales goes to the network: with a big
   * library, the feeds that land would otherwise hold up the first frame. */
  g_signal_connect_object (window, "first-frame", G_CALLBACK (start_up_refresh), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (window, "refresh-finished", G_CALLBACK (refresh_finished_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (window));
  if (self->prune_source == 0)
    self->prune_source = g_timeout_add_seconds_full (G_PRIORITY_LOW, PRUNE_DELAY_S, prune_timeout_cb, self, NULL);
}

/* Opened from the command line, a browser or a file manager: web and
 * feed: addresses are subscribed to, files are looked at. */
static void
open_one (TalesApplication *self,
          TalesWindow      *window,
          GFile            *file)
{
  g_autofree char *uri = g_file_get_uri (file);
  g_autofree char *url = tales_uri_web_address (uri);
  g_autofree char *message = NULL;

  if (url != NULL)
    g_action_group_activate_action (G_ACTION_GROUP (self), "subscribe", g_variant_new_string (url));
  else if (g_file_is_native (file))
    tales_window_open_file (window, file);
  else
    {
      message = g_strdup_printf (_("“%s” is not a web address"), uri);
      tales_window_show_message (window, message);
    }
}

static void
tales_application_open (GApplication  *app,
                        GFile        **files,
                        int            n_files,
                        const char    *hint)
{
  TalesApplication *self = TALES_APPLICATION (app);
  TalesWindow *window;

  g_application_activate (app);
  window = get_window (self);
  for (int i = 0; window != NULL && i < n_files; i++)
    open_one (self, window, files[i]);
}

static int
tales_application_handle_local_options (GApplication *app,
                                        GVariantDict *options)
{
  g_autofree const char **urls = NULL;
  g_autoptr(GError) error = NULL;
  gboolean refresh;

  if (g_variant_dict_lookup (options, "version", "b", NULL))
    {
      g_print ("%s %s\n", "tales", PACKAGE_VERSION);
      return 0;
    }

  refresh = g_variant_dict_contains (options, "refresh");
  if (!g_variant_dict_lookup (options, "subscribe", "^a&s", &urls) && !refresh)
    return -1;

  /* Through the actions, so a running instance does it too. */
  if (!g_application_register (app, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  for (guint i = 0; urls != NULL && urls[i] != NULL; i++)
    g_action_group_activate_action (G_ACTION_GROUP (app), "subscribe", g_variant_new_string (urls[i]));
  if (refresh)
    g_action_group_activate_action (G_ACTION_GROUP (app), "refresh", NULL);

  return -1;
}

static void
tales_application_dispose (GObject *object)
{
  TalesApplication *self = TALES_APPLICATION (object);

  g_clear_handle_id (&self->prune_source, g_source_remove);
  g_clear_object (&self->image_cache);
  g_clear_object (&self->fetcher);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (tales_application_parent_class)->dispose (object);
}

static void
tales_application_finalize (GObject *object)
{
  TalesApplication *self = TALES_APPLICATION (object);

  g_clear_error (&self->store_error);

  G_OBJECT_CLASS (tales_application_parent_class)->finalize (object);
}

static void
tales_application_class_init (TalesApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = tales_application_dispose;
  object_class->finalize = tales_application_finalize;
  app_class->startup = tales_application_startup;
  app_class->activate = tales_application_activate;
  app_class->open = tales_application_open;
  app_class->handle_local_options = tales_application_handle_local_options;
}

static void
tales_application_init (TalesApplication *self)
{
  static const GOptionEntry entries[] = {
    { "subscribe", 's', 0, G_OPTION_ARG_STRING_ARRAY, NULL,
      N_("Subscribe to the feed at URL"), N_("URL") },
    { "refresh", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Refresh every feed now"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and exit"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
}

TalesApplication *
tales_application_new (void)
{
  return g_object_new (TALES_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS | G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", RESOURCE_PREFIX,
                       NULL);
}

TalesStore *
tales_application_get_store (TalesApplication *self)
{
  g_return_val_if_fail (TALES_IS_APPLICATION (self), NULL);

  return self->store;
}

TalesFetcher *
tales_application_get_fetcher (TalesApplication *self)
{
  g_return_val_if_fail (TALES_IS_APPLICATION (self), NULL);

  return self->fetcher;
}

TalesImageCache *
tales_application_get_image_cache (TalesApplication *self)
{
  g_return_val_if_fail (TALES_IS_APPLICATION (self), NULL);

  return self->image_cache;
}

const GError *
tales_application_get_store_error (TalesApplication *self)
{
  g_return_val_if_fail (TALES_IS_APPLICATION (self), NULL);

  return self->store_error;
}
