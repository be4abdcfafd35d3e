/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-window"

#include "config.h"

#include <glib/gi18n.h>

#include "tales-discover.h"
#include "tales-opml.h"
#include "tales-window-private.h"

/* Subscribing ------------------------------------------------------------- */

void
tales_window_subscribe (TalesWindow *self,
                        const char  *url)
{
  g_autoptr(TalesFeed) feed = NULL;
  g_autoptr(GError) error = NULL;

  feed = tales_store_ensure_feed (self->store, url, &error);
  if (feed == NULL)
    {
      _tales_window_show_error (self, _("Could not subscribe"), error);
      return;
    }

  _tales_window_refresh_feed (self, url);
  tales_sidebar_select (self->sidebar, TALES_FILTER_FEED, tales_feed_get_db_id (feed), NULL);
}

static void
choose_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    TalesWindow      *self)
{
  GtkWidget *box = g_object_get_data (G_OBJECT (dialog), "choices");

  for (GtkWidget *child = gtk_widget_get_first_child (box); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (gtk_check_button_get_active (GTK_CHECK_BUTTON (child)))
      {
        tales_window_subscribe (self, g_object_get_data (G_OBJECT (child), "url"));
        return;
      }
}

/* The list of choices grows to this height, then scrolls: discovery
 * gives at most TALES_DISCOVER_MAX_CANDIDATES feeds, and a dialog taller
 * than the screen could not be answered. */
#define CHOICES_MAX_HEIGHT 320

/* A page with several feeds (posts, comments, a podcast): the person picks. */
static void
choose_feed (TalesWindow *self,
             GPtrArray   *feeds)
{
  AdwMessageDialog *dialog;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkCheckButton *group = NULL;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Choose a Feed"),
                                                       _("This site offers more than one feed.")));
  for (guint i = 0; i < feeds->len; i++)
    {
      TalesDiscoveredFeed *feed = feeds->pdata[i];
      GtkWidget *button = gtk_check_button_new_with_label (feed->title != NULL && *feed->title != '\0'
                                                           ? feed->title : feed->url);

      gtk_widget_set_tooltip_text (button, feed->url);
      g_object_set_data_full (G_OBJECT (button), "url", g_strdup (feed->url), g_free);
      if (group != NULL)
        gtk_check_button_set_group (GTK_CHECK_BUTTON (button), group);
      else
        group = GTK_CHECK_BUTTON (button);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (button), i == 0);
      gtk_box_append (GTK_BOX (box), button);
    }
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), CHOICES_MAX_HEIGHT);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), box);
  g_object_set_data (G_OBJECT (dialog), "choices", box);
  adw_message_dialog_set_extra_child (dialog, scrolled);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "subscribe", _("_Subscribe"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "subscribe", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "subscribe");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response::subscribe", G_CALLBACK (choose_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
discover_done_cb (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(TalesWindow) self = user_data;
  g_autoptr(GPtrArray) feeds = NULL;
  g_autoptr(GError) error = NULL;

  feeds = tales_discover_finish (result, &error);
  if (self->store == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (feeds == NULL)
    {
      _tales_window_show_error (self, _("No feed found"), error);
      return;
    }

  if (feeds->len == 1)
    tales_window_subscribe (self, ((TalesDiscoveredFeed *) feeds->pdata[0])->url);
  else
    choose_feed (self, feeds);
}

/* What a person pastes: "example.com/blog" means https. */
static char *
normalize_address (const char *text)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  g_autofree char *scheme = g_uri_parse_scheme (stripped);
  g_autofree char *url = NULL;

  if (scheme == NULL)
    url = g_strconcat ("https://", stripped, NULL);
  else if (g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "https") == 0)
    url = g_steal_pointer (&stripped);
  else
    return NULL;

  if (!g_uri_is_valid (url, G_URI_FLAGS_NONE, NULL))
    return NULL;
  return g_steal_pointer (&url);
}

static void
add_response_cb (AdwMessageDialog *dialog,
                 const char       *response,
                 TalesWindow      *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  g_autofree char *url = normalize_address (gtk_editable_get_text (entry));
  g_autofree char *message = NULL;

  if (url == NULL)
    {
      message = g_strdup_printf (_("“%s” is not a web address"), gtk_editable_get_text (entry));
      tales_window_show_message (self, message);
      return;
    }
  if (self->offline)
    {
      tales_window_show_message (self, _("Feeds can be added once the network is back"));
      return;
    }

  tales_discover_async (self->fetcher, url, self->cancellable, discover_done_cb, g_object_ref (self));
}

static void
address_changed_cb (GtkEditable      *entry,
                    AdwMessageDialog *dialog)
{
  const char *text = gtk_editable_get_text (entry);

  adw_message_dialog_set_response_enabled (dialog, "add", text != NULL && *text != '\0');
}

static void
add_feed_action_cb (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TalesWindow *self = TALES_WINDOW (widget);
  AdwMessageDialog *dialog;
  GtkWidget *entry = gtk_entry_new ();

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Add Feed"),
                                                       _("Paste the address of a feed, or of a web site that has one.")));
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), "https://");
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_URL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Feed or web site address"), -1);
  adw_message_dialog_set_extra_child (dialog, entry);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "add", _("_Add"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "add", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (dialog, "add", FALSE);
  adw_message_dialog_set_default_response (dialog, "add");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect (entry, "changed", G_CALLBACK (address_changed_cb), dialog);
  g_signal_connect_object (dialog, "response::add", G_CALLBACK (add_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* One feed's menu: rename, copy address, unsubscribe ----------------------- */

static TalesFeed *
get_feed (TalesWindow *self,
          GVariant    *parameter)
{
  g_autoptr(GError) error = NULL;
  TalesFeed *feed = tales_store_get_feed (self->store, g_variant_get_int64 (parameter), &error);

  if (feed == NULL)
    _tales_window_show_error (self, _("Could not find the feed"), error);
  return feed;
}

static void
rename_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    TalesWindow      *self)
{
  TalesFeed *feed = g_object_get_data (G_OBJECT (dialog), "feed");
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
  g_autoptr(GError) error = NULL;

  /* An empty name, or the feed's own, goes back to the feed's title. */
  if (g_strcmp0 (name, tales_feed_get_title (feed)) == 0)
    *name = '\0';

  if (!tales_store_rename_feed (self->store, tales_feed_get_db_id (feed), name, &error))
    {
      _tales_window_show_error (self, _("Could not rename the feed"), error);
      return;
    }
  _tales_window_reload_sidebar (self);
  tales_window_reload_posts (self);
}

static void
rename_feed_action_cb (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  TalesWindow *self = TALES_WINDOW (widget);
  g_autoptr(TalesFeed) feed = get_feed (self, parameter);
  AdwMessageDialog *dialog;
  GtkWidget *entry;

  if (feed == NULL)
    return;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Rename Feed"), NULL));
  entry = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (entry), tales_feed_get_display_title (feed));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Name"), -1);
  adw_message_dialog_set_extra_child (dialog, entry);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "rename", _("_Rename"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "rename", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "rename");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "feed", g_steal_pointer (&feed), g_object_unref);
  g_signal_connect_object (dialog, "response::rename", G_CALLBACK (rename_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
copy_feed_address_action_cb (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  TalesWindow *self = TALES_WINDOW (widget);
  g_autoptr(TalesFeed) feed = get_feed (self, parameter);

  if (feed == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), tales_feed_get_url (feed));
  tales_window_show_message (self, _("Address copied"));
}

typedef struct {
  gint64 feed_id;
  char *title;
} RemoveFeed;

static void
remove_feed_free (RemoveFeed *remove)
{
  g_free (remove->title);
  g_free (remove);
}

static void
remove_feed_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  TalesWindow *self = source_object;
  RemoveFeed *remove = task_data;
  GError *error = NULL;

  if (!tales_library_remove_feed (self->store, tales_image_cache_get_dir (self->image_cache),
                                  remove->feed_id, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
remove_feed_done_cb (GObject      *source_object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  TalesWindow *self = TALES_WINDOW (source_object);
  RemoveFeed *remove = g_task_get_task_data (G_TASK (result));
  TalesPost *shown = _tales_window_get_shown_post (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _tales_window_show_error (self, _("Could not unsubscribe"), error);
      return;
    }

  /* The post on screen went with its feed. */
  if (shown != NULL && tales_post_get_feed_id (shown) == remove->feed_id)
    {
      self->shown_post_id = 0;
      _tales_window_show_content (self, FALSE);
    }
  _tales_window_reload_sidebar (self);
  tales_window_reload_posts (self);
  message = g_strdup_printf (_("Unsubscribed from %s"), remove->title);
  tales_window_show_message (self, message);
}

static void
remove_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    TalesWindow      *self)
{
  TalesFeed *feed = g_object_get_data (G_OBJECT (dialog), "feed");
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, remove_feed_done_cb, NULL);
  RemoveFeed *remove = g_new0 (RemoveFeed, 1);

  remove->feed_id = tales_feed_get_db_id (feed);
  remove->title = g_strdup (tales_feed_get_display_title (feed));
  g_task_set_source_tag (task, remove_response_cb);
  g_task_set_task_data (task, remove, (GDestroyNotify) remove_feed_free);
  g_task_run_in_thread (task, remove_feed_thread);
}

static void
remove_feed_action_cb (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  TalesWindow *self = TALES_WINDOW (widget);
  g_autoptr(TalesFeed) feed = get_feed (self, parameter);
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;

  if (feed == NULL)
    return;

  heading = g_strdup_printf (_("Unsubscribe from “%s”?"), tales_feed_get_display_title (feed));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading,
                                                       _("Its posts and their pictures are removed from this computer, starred ones included.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "remove", _("_Unsubscribe"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "feed", g_steal_pointer (&feed), g_object_unref);
  g_signal_connect_object (dialog, "response::remove", G_CALLBACK (remove_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* OPML ------------------------------------------------------------------- */

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  TalesWindow *self = source_object;
  GBytes *bytes = task_data;
  GError *error = NULL;
  guint *counts = g_new0 (guint, 2);   /* added, skipped for their scheme */

  /* All or nothing: the store adds the feeds in one transaction. */
  if (tales_opml_import_full (self->store, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                              &counts[0], &counts[1], &error))
    g_task_return_pointer (task, counts, g_free);
  else
    {
      g_free (counts);
      g_task_return_error (task, error);
    }
}

static void
import_done_cb (GObject      *source_object,
                GAsyncResult *result,
                gpointer      user_data)
{
  TalesWindow *self = TALES_WINDOW (source_object);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree guint *counts = NULL;
  guint n_added;

  counts = g_task_propagate_pointer (G_TASK (result), &error);
  if (counts == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _tales_window_show_error (self, _("Could not import the subscriptions"), error);
      return;
    }

  n_added = counts[0];
  if (counts[1] > 0)
    message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "Subscribed to %u new feed; %u address was not a web address",
                                            "Subscribed to %u new feeds; %u addresses were not web addresses",
                                            counts[1]), n_added, counts[1]);
  else if (n_added == 0)
    message = g_strdup (_("You already follow every feed of that list"));
  else
    message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Subscribed to %u new feed",
                                            "Subscribed to %u new feeds", n_added), n_added);
  tales_window_show_message (self, message);
  _tales_window_reload_sidebar (self);
  /* The new feeds have never been fetched, so they are due. */
  tales_window_refresh_due (self);
}

/* Takes @contents. */
static void
start_import (TalesWindow *self,
              char        *contents,
              gsize        length)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, import_done_cb, NULL);

  g_task_set_source_tag (task, start_import);
  g_task_set_task_data (task, g_bytes_new_take (contents, length), (GDestroyNotify) g_bytes_unref);
  g_task_run_in_thread (task, import_thread);
}

/* (transfer full) (nullable): @file's contents, or NULL after saying why. */
static char *
load_finish (TalesWindow  *self,
             GFile        *file,
             GAsyncResult *result,
             gsize        *length)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  if (!g_file_load_contents_finish (file, result, &contents, length, NULL, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->store != NULL)
        _tales_window_show_error (self, _("Could not read the file"), error);
      return NULL;
    }
  if (self->store == NULL)
    g_clear_pointer (&contents, g_free);
  return contents;
}

static void
import_loaded_cb (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(TalesWindow) self = user_data;
  gsize length = 0;
  char *contents = load_finish (self, G_FILE (source_object), result, &length);

  if (contents != NULL)
    start_import (self, contents, length);
}

/* An OPML document says so near its top, whatever the file is called. */
static gboolean
looks_like_opml (GFile      *file,
                 const char *contents,
                 gsize       length)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *head = g_strndup (contents, MIN (length, 4096));

  return (name != NULL && g_str_has_suffix (name, ".opml")) || strstr (head, "<opml") != NULL;
}

static void
open_file_loaded_cb (GObject      *source_object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(TalesWindow) self = user_data;
  GFile *file = G_FILE (source_object);
  gsize length = 0;
  g_autofree char *contents = load_finish (self, file, result, &length);
  g_autofree char *name = NULL;
  g_autofree char *message = NULL;

  if (contents == NULL)
    return;
  if (looks_like_opml (file, contents, length))
    {
      start_import (self, g_steal_pointer (&contents), length);
      return;
    }

  /* A feed saved to disk never updates: following it means its address. */
  name = g_file_get_basename (file);
  message = g_strdup_printf (_("“%s” is a file on this computer. Tales subscribes to feeds by their web address: "
                               "use Add Feed with the address of the feed or of its site."), name);
  tales_window_show_message (self, message);
}

void
tales_window_open_file (TalesWindow *self,
                        GFile       *file)
{
  g_return_if_fail (TALES_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->store == NULL)
    return;
  g_file_load_contents_async (file, self->cancellable, open_file_loaded_cb, g_object_ref (self));
}

static void
import_response_cb (GtkNativeDialog *native,
                    int              response,
                    TalesWindow     *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_file_load_contents_async (file, self->cancellable, import_loaded_cb, g_object_ref (self));
    }
  g_object_unref (native);
}

static GtkFileFilter *
opml_filter_new (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Subscription lists (OPML)"));
  gtk_file_filter_add_pattern (filter, "*.opml");
  gtk_file_filter_add_pattern (filter, "*.xml");
  gtk_file_filter_add_mime_type (filter, "text/x-opml+xml");
  return filter;
}

/* A modal chooser of OPML files; @response_cb owns and frees it. Returns
 * (transfer none) the chooser, shown. */
static GtkFileChooser *
show_opml_chooser (TalesWindow          *self,
                   const char           *title,
                   GtkFileChooserAction  action,
                   const char           *accept_label,
                   GCallback             response_cb)
{
  g_autoptr(GtkFileFilter) filter = opml_filter_new ();
  GtkFileChooserNative *native;

  native = gtk_file_chooser_native_new (title, GTK_WINDOW (self), action, accept_label, _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect_object (native, "response", response_cb, self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
  return GTK_FILE_CHOOSER (native);
}

static void
import_opml_action_cb (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  show_opml_chooser (TALES_WINDOW (widget), _("Import Subscriptions"),
                     GTK_FILE_CHOOSER_ACTION_OPEN, _("_Import"), G_CALLBACK (import_response_cb));
}

static void
export_saved_cb (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(TalesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source_object), result, NULL, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->store != NULL)
        _tales_window_show_error (self, _("Could not save the subscriptions"), error);
      return;
    }
  if (self->store != NULL)
    tales_window_show_message (self, _("Subscriptions exported"));
}

static void
export_response_cb (GtkNativeDialog *native,
                    int              response,
                    TalesWindow     *self)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  char *opml;

  if (response != GTK_RESPONSE_ACCEPT)
    {
      g_object_unref (native);
      return;
    }

  file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
  g_object_unref (native);
  opml = tales_opml_export (self->store, &error);
  if (opml == NULL)
    {
      _tales_window_show_error (self, _("Could not export the subscriptions"), error);
      return;
    }

  bytes = g_bytes_new_take (opml, strlen (opml));
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                       self->cancellable, export_saved_cb, g_object_ref (self));
}

static void
export_opml_action_cb (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  GtkFileChooser *chooser;

  chooser = show_opml_chooser (TALES_WINDOW (widget), _("Export Subscriptions"),
                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"),
                               G_CALLBACK (export_response_cb));
  gtk_file_chooser_set_current_name (chooser, _("Tales subscriptions.opml"));
}

void
_tales_window_feeds_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.add-feed", NULL, add_feed_action_cb);
  gtk_widget_class_install_action (widget_class, "win.rename-feed", "x", rename_feed_action_cb);
  gtk_widget_class_install_action (widget_class, "win.copy-feed-address", "x", copy_feed_address_action_cb);
  gtk_widget_class_install_action (widget_class, "win.remove-feed", "x", remove_feed_action_cb);
  gtk_widget_class_install_action (widget_class, "win.import-opml", NULL, import_opml_action_cb);
  gtk_widget_class_install_action (widget_class, "win.export-opml", NULL, export_opml_action_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.add-feed", NULL);
}
