/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-window"

#include "config.h"

#include <glib/gi18n.h>

#include "tales-compat.h"
#include "tales-window-private.h"

/* A burst of feeds landing reloads the list once. */
#define RELOAD_DELAY_MS 400

G_DEFINE_FINAL_TYPE (TalesWindow, tales_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  PROP_FETCHER,
  PROP_IMAGE_CACHE,
  N_PROPS
};

enum {
  REFRESH_FINISHED,
  FIRST_FRAME,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

void
tales_window_show_message (TalesWindow *self,
                           const char  *message)
{
  g_autofree char *markup = NULL;
  AdwToast *toast;

  g_return_if_fail (TALES_IS_WINDOW (self));

  /* A toast's title is markup; error messages are plain text. */
  markup = g_markup_escape_text (message, -1);
  toast = adw_toast_new (markup);
  adw_toast_set_timeout (toast, 8);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* "@what: why", as one toast. */
void
_tales_window_show_error (TalesWindow  *self,
                          const char   *what,
                          const GError *error)
{
  /* TRANSLATORS: what failed, then why */
  g_autofree char *message = g_strdup_printf (_("%s: %s"), what, error->message);

  tales_window_show_message (self, message);
}

/* The post list ----------------------------------------------------------- */

/* (transfer none) (nullable): the list's row for the post on screen */
static TalesPost *
selected_post (TalesWindow *self)
{
  if (self->selection == NULL)
    return NULL;
  return gtk_single_selection_get_selected_item (self->selection);
}

/* One read or starred write under way: once it lands, the list's copy of
 * the post says so too. */
typedef struct {
  TalesWindow *self;     /* strong */
  gint64 post_id;
  gboolean flag;
  gboolean starred;      /* which flag: starred, or read */
} FlagWrite;

static void
flag_written_cb (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autofree FlagWrite *write = user_data;
  g_autoptr(TalesWindow) self = write->self;
  TalesStore *store = TALES_STORE (source_object);
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesPost) post = NULL;
  gboolean ok;
  int position;

  ok = write->starred ? tales_library_set_starred_finish (store, result, &error)
                      : tales_library_set_read_finish (store, result, &error);
  if (!ok)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _tales_window_show_error (self, _("Could not save the change"), error);
      return;
    }

  /* A reload that ran before the write landed read the old state. */
  position = tales_post_list_find (self->posts, write->post_id);
  if (position >= 0)
    post = g_list_model_get_item (G_LIST_MODEL (self->posts), position);
  if (post != NULL && write->starred)
    tales_post_set_is_starred (post, write->flag);
  else if (post != NULL)
    tales_post_set_is_read (post, write->flag);

  _tales_window_reload_sidebar (self);
}

/* Writes the flag in a worker (the store's writes wait for a refresh's
 * transactions, never the main loop). */
static void
write_flag (TalesWindow *self,
            gboolean     starred,
            gint64       post_id,
            gboolean     flag)
{
  FlagWrite *write = g_new0 (FlagWrite, 1);

  write->self = g_object_ref (self);
  write->post_id = post_id;
  write->flag = flag;
  write->starred = starred;
  if (starred)
    tales_library_set_starred_async (self->store, post_id, flag, self->cancellable, flag_written_cb, write);
  else
    tales_library_set_read_async (self->store, post_id, flag, self->cancellable, flag_written_cb, write);
}

/* Sets @post's read state, on screen at once and in the store behind. */
static void
set_read (TalesWindow *self,
          TalesPost   *post,
          gboolean     is_read)
{
  TalesPost *shown = _tales_window_get_shown_post (self);

  if (post == NULL || tales_post_get_is_read (post) == is_read)
    return;
  tales_post_set_is_read (post, is_read);
  if (shown != NULL && tales_post_get_db_id (shown) == tales_post_get_db_id (post))
    tales_post_set_is_read (shown, is_read);
  write_flag (self, FALSE, tales_post_get_db_id (post), is_read);
}

static void
set_starred (TalesWindow *self,
             TalesPost   *post,
             gboolean     is_starred)
{
  TalesPost *shown = _tales_window_get_shown_post (self);

  if (post == NULL || tales_post_get_is_starred (post) == is_starred)
    return;
  tales_post_set_is_starred (post, is_starred);
  if (shown != NULL && tales_post_get_db_id (shown) == tales_post_get_db_id (post))
    tales_post_set_is_starred (shown, is_starred);
  write_flag (self, TRUE, tales_post_get_db_id (post), is_starred);
}

static void
show_post (TalesWindow *self,
           TalesPost   *listed)
{
  g_autoptr(TalesPost) post = NULL;
  g_autoptr(GError) error = NULL;

  post = tales_store_load_post (self->store, tales_post_get_db_id (listed), &error);
  if (post == NULL)
    {
      _tales_window_show_error (self, _("Could not open the post"), error);
      return;
    }

  self->shown_post_id = tales_post_get_db_id (listed);
  _tales_window_show_content (self, TRUE);
  tales_article_view_show_post (tales_window_get_article_view (self), post);
  /* Opening a post is reading it. */
  set_read (self, listed, TRUE);
}

static void
selection_changed_cb (TalesWindow *self)
{
  TalesPost *post;

  if (self->reloading)
    return;

  post = selected_post (self);
  if (post == NULL)
    {
      self->shown_post_id = 0;
      _tales_window_show_content (self, FALSE);
      return;
    }

  /* A reload hands us a new object for the post already on screen. */
  if (tales_post_get_db_id (post) == self->shown_post_id)
    return;

  show_post (self, post);
}

/* After the list changed under it, the post on screen is selected again
 * where it now is; when it left the list (read in Unread, say) it stays
 * on screen, unselected. */
static void
reselect_shown_post (TalesWindow *self)
{
  int position = self->shown_post_id != 0 ? tales_post_list_find (self->posts, self->shown_post_id) : -1;

  self->reloading = TRUE;
  gtk_single_selection_set_selected (self->selection,
                                     position >= 0 ? (guint) position : GTK_INVALID_LIST_POSITION);
  self->reloading = FALSE;
}

void
_tales_window_update_list_state (TalesWindow *self)
{
  const TalesPostFilter *filter;
  g_autofree char *description = NULL;
  const char *title;
  const char *icon = "mail-read-symbolic";

  if (self->posts == NULL)
    return;
  filter = tales_post_list_get_filter (self->posts);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->posts)) > 0)
    {
      gtk_stack_set_visible_child_name (self->list_stack, "list");
      return;
    }

  if (self->search_text != NULL)
    {
      title = _("No Results");
      /* The description is markup; the words are whatever was typed. */
      g_autofree char *words = g_markup_escape_text (self->search_text, -1);

      description = g_strdup_printf (_("No post here matches “%s”."), words);
      icon = "system-search-symbolic";
    }
  else if (self->offline && (filter == NULL || filter->kind == TALES_FILTER_ALL))
    {
      /* Nothing stored at all, and no way to fetch it now. */
      title = _("Offline");
      description = g_strdup (_("Nothing is stored on this computer yet. Posts appear here once Tales can reach your feeds."));
      icon = "network-offline-symbolic";
    }
  else if (filter != NULL && filter->kind == TALES_FILTER_UNREAD)
    title = _("All Read");
  else if (filter != NULL && filter->kind == TALES_FILTER_STARRED)
    title = _("No Starred Posts");
  else
    title = _("No Posts");

  adw_status_page_set_title (self->list_empty_page, title);
  adw_status_page_set_description (self->list_empty_page, description);
  adw_status_page_set_icon_name (self->list_empty_page, icon);
  gtk_stack_set_visible_child_name (self->list_stack, "empty");
}

void
_tales_window_update_library_state (TalesWindow *self)
{
  const char *page;

  /* Until the sidebar has read the library, its count of feeds says
   * nothing (the page stays as it was: "library" at start). */
  if (self->store == NULL || !tales_sidebar_is_loaded (self->sidebar))
    return;
  page = tales_sidebar_count_feeds (self->sidebar) == 0 ? "no-feeds" : "library";
  gtk_stack_set_visible_child_name (self->main_stack, page);
}

/* The sidebar's choice with the search words on top. */
static void
apply_filter (TalesWindow *self)
{
  TalesPostFilter filter = *tales_sidebar_get_filter (self->sidebar);
  g_autoptr(GError) error = NULL;

  if (self->posts == NULL)
    return;

  filter.search = self->search_text;
  self->reloading = TRUE;
  if (!tales_post_list_set_filter (self->posts, &filter, &error))
    _tales_window_show_error (self, _("Could not read your posts"), error);
  self->reloading = FALSE;
  reselect_shown_post (self);
  _tales_window_update_list_state (self);
}

void
tales_window_reload_posts (TalesWindow *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (TALES_IS_WINDOW (self));

  if (self->posts == NULL)
    return;

  self->reloading = TRUE;
  if (!tales_post_list_reload (self->posts, &error))
    _tales_window_show_error (self, _("Could not read your posts"), error);
  self->reloading = FALSE;
  reselect_shown_post (self);
  _tales_window_update_list_state (self);
}

void
_tales_window_reload_sidebar (TalesWindow *self)
{
  tales_sidebar_reload (self->sidebar);
  _tales_window_update_library_state (self);
}

/* Reloading in the background: one reload of the sidebar and the list,
 * done when both have landed. The task data counts what is still out. */
static void
reload_landed (GTask *task)
{
  guint *pending = g_task_get_task_data (task);

  if (--*pending > 0)
    return;
  if (!g_task_return_error_if_cancelled (task))
    g_task_return_boolean (task, TRUE);
}

static void
sidebar_reloaded_cb (GObject      *source_object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TalesWindow *self = g_task_get_source_object (task);

  if (tales_sidebar_reload_finish (TALES_SIDEBAR (source_object), result, NULL) && self->store != NULL)
    _tales_window_update_library_state (self);
  reload_landed (task);
}

static void
posts_reloaded_cb (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TalesWindow *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  self->reloading = TRUE;
  ok = tales_post_list_reload_finish (TALES_POST_LIST (source_object), result, &error);
  self->reloading = FALSE;
  if (ok && self->posts != NULL)
    {
      reselect_shown_post (self);
      _tales_window_update_list_state (self);
    }
  else if (!ok && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    _tales_window_show_error (self, _("Could not read your posts"), error);
  reload_landed (task);
}

/* Reloads the sidebar and the list as _tales_window_reload_sidebar() and
 * tales_window_reload_posts() do, but reads the library in worker threads:
 * the main loop never waits for the queries (nor for a refresh writing). */
void
_tales_window_reload_async (TalesWindow         *self,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, callback, user_data);
  guint *pending = g_new (guint, 1);

  *pending = self->posts != NULL ? 2 : 1;
  g_task_set_source_tag (task, _tales_window_reload_async);
  g_task_set_task_data (task, pending, g_free);
  tales_sidebar_reload_async (self->sidebar, self->cancellable, sidebar_reloaded_cb, g_object_ref (task));
  if (self->posts != NULL)
    tales_post_list_reload_async (self->posts, self->cancellable, posts_reloaded_cb, g_object_ref (task));
}

/* FALSE only with G_IO_ERROR_CANCELLED: the window is going away. */
gboolean
_tales_window_reload_finish (TalesWindow   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
reload_timeout_cb (gpointer user_data)
{
  TalesWindow *self = user_data;

  self->reload_source = 0;
  _tales_window_reload_async (self, NULL, NULL);
  return G_SOURCE_REMOVE;
}

void
_tales_window_queue_reload (TalesWindow *self)
{
  if (self->reload_source == 0)
    self->reload_source = g_timeout_add (RELOAD_DELAY_MS, reload_timeout_cb, self);
}

static void
sidebar_filter_changed_cb (TalesWindow *self)
{
  apply_filter (self);
}

static void
article_category_cb (TalesWindow *self,
                     const char  *name)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-category", "s", name);
}

GtkSingleSelection *
tales_window_get_selection (TalesWindow *self)
{
  g_return_val_if_fail (TALES_IS_WINDOW (self), NULL);

  return self->selection;
}

/* (transfer none): the article pane, made on first use; a window that
 * never shows a post never starts a web process. */
TalesArticleView *
tales_window_get_article_view (TalesWindow *self)
{
  g_return_val_if_fail (TALES_IS_WINDOW (self), NULL);

  if (self->article_view != NULL)
    return self->article_view;

  self->article_view = TALES_ARTICLE_VIEW (tales_article_view_new (self->image_cache));
  g_settings_bind (self->settings, "article-font-scale", self->article_view, "font-scale", G_SETTINGS_BIND_GET);
  g_signal_connect_object (self->article_view, "category-activated", G_CALLBACK (article_category_cb),
                           self, G_CONNECT_SWAPPED);
  adw_bin_set_child (self->article_bin, GTK_WIDGET (self->article_view));
  return self->article_view;
}

/* (transfer none) (nullable): the post in the article pane, if any */
TalesPost *
_tales_window_get_shown_post (TalesWindow *self)
{
  if (self->article_view == NULL)
    return NULL;
  return tales_article_view_get_post (self->article_view);
}

TalesSidebar *
tales_window_get_sidebar (TalesWindow *self)
{
  g_return_val_if_fail (TALES_IS_WINDOW (self), NULL);

  return self->sidebar;
}

GtkEditable *
_tales_window_get_search_entry (TalesWindow *self)
{
  g_return_val_if_fail (TALES_IS_WINDOW (self), NULL);

  return GTK_EDITABLE (self->search_entry);
}

/* Search ------------------------------------------------------------------ */

static void
search_changed_cb (TalesWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  if (!tales_set_str (&self->search_text, *stripped != '\0' ? stripped : NULL))
    return;
  apply_filter (self);
}

static void
search_mode_cb (TalesWindow *self)
{
  /* Closing the bar ends the search. */
  if (!gtk_search_bar_get_search_mode (self->search_bar))
    gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

static void
search_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TalesWindow *self = TALES_WINDOW (widget);

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* Reading actions --------------------------------------------------------- */

static void
move_selection (TalesWindow *self,
                int          delta)
{
  guint n, selected, next;

  if (self->posts == NULL || (n = g_list_model_get_n_items (G_LIST_MODEL (self->posts))) == 0)
    return;
  selected = gtk_single_selection_get_selected (self->selection);
  if (selected == GTK_INVALID_LIST_POSITION)
    next = delta > 0 ? 0 : n - 1;
  else if (delta < 0)
    next = selected > 0 ? selected - 1 : 0;
  else
    next = MIN (selected + 1, n - 1);

  if (next == selected)
    return;
  gtk_single_selection_set_selected (self->selection, next);
  tales_post_list_view_scroll_to (self->list_view, next);
}

static void
next_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  move_selection (TALES_WINDOW (widget), +1);
}

static void
previous_action_cb (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  move_selection (TALES_WINDOW (widget), -1);
}

static void
toggle_read_action_cb (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  TalesWindow *self = TALES_WINDOW (widget);
  TalesPost *post = selected_post (self);

  if (post != NULL)
    set_read (self, post, !tales_post_get_is_read (post));
}

static void
toggle_star_action_cb (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  TalesWindow *self = TALES_WINDOW (widget);
  TalesPost *post = selected_post (self);

  if (post != NULL)
    set_starred (self, post, !tales_post_get_is_starred (post));
}

/* The star on a row: that post, selected or not. */
static void
toggle_star_post_action_cb (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  TalesWindow *self = TALES_WINDOW (widget);
  g_autoptr(TalesPost) post = NULL;
  int position;

  if (self->posts == NULL)
    return;
  position = tales_post_list_find (self->posts, g_variant_get_int64 (parameter));
  if (position < 0)
    return;
  post = g_list_model_get_item (G_LIST_MODEL (self->posts), position);
  set_starred (self, post, !tales_post_get_is_starred (post));
}

static void
show_category_action_cb (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  TalesWindow *self = TALES_WINDOW (widget);
  const char *name = g_variant_get_string (parameter, NULL);

  if (tales_sidebar_select (self->sidebar, TALES_FILTER_CATEGORY, 0, name))
    return;
  /* A category the sidebar has not seen yet (it came with a refresh). */
  _tales_window_reload_sidebar (self);
  tales_sidebar_select (self->sidebar, TALES_FILTER_CATEGORY, 0, name);
}

static void
mark_all_read_done_cb (GObject      *source_object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(TalesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!tales_library_mark_all_read_finish (TALES_STORE (source_object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _tales_window_show_error (self, _("Could not mark the posts as read"), error);
      return;
    }
  /* Fresh rows, so every dot goes. */
  _tales_window_reload_sidebar (self);
  apply_filter (self);
}

static void
mark_all_read_action_cb (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  TalesWindow *self = TALES_WINDOW (widget);

  if (self->posts == NULL)
    return;
  tales_library_mark_all_read_async (self->store, tales_post_list_get_filter (self->posts),
                                     self->cancellable, mark_all_read_done_cb, g_object_ref (self));
}

/* GObject ----------------------------------------------------------------- */

static void
restore_window_state (TalesWindow *self)
{
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  g_settings_bind (self->settings, "list-pane-position", self->list_pane, "natural-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "sidebar-width", self->sidebar_pane, "natural-width", G_SETTINGS_BIND_DEFAULT);
}

static gboolean
tales_window_close_request (GtkWindow *window)
{
  TalesWindow *self = TALES_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  if (!gtk_window_is_maximized (window) && width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));

  return GTK_WINDOW_CLASS (tales_window_parent_class)->close_request (window);
}

static void
show_library_error (TalesWindow *self,
                    const char  *message)
{
  /* The description is markup; the message quotes file names and SQLite. */
  g_autofree char *markup = message != NULL ? g_markup_escape_text (message, -1) : NULL;

  adw_status_page_set_description (self->error_page, markup);
  gtk_stack_set_visible_child_name (self->main_stack, "error");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.refresh", FALSE);
}

static void
sidebar_loaded_cb (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  /* Not cancelled: the window is still there. */
  if (tales_sidebar_reload_finish (TALES_SIDEBAR (source_object), result, NULL))
    _tales_window_update_library_state (TALES_WINDOW (user_data));
}

static void
setup_post_list (TalesWindow *self)
{
  self->posts = tales_post_list_new (self->store);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->posts)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  g_signal_connect_swapped (self->selection, "notify::selected-item",
                            G_CALLBACK (selection_changed_cb), self);
  tales_post_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  /* The list first: the sidebar's counts over a large library take longer
   * than the first frame should wait, so they are read once it is painted
   * (see first_frame_painted_cb). */
  tales_sidebar_set_store (self->sidebar, self->store);
  apply_filter (self);
}

/* The first look at the posts comes before anything that can wait: the
 * sidebar's counts (read in a thread, but its rows are built here) and,
 * through "first-frame", the application's start-up refresh. */
static void
first_frame_painted_cb (GdkFrameClock *clock,
                        TalesWindow   *self)
{
  g_signal_handlers_disconnect_by_func (clock, first_frame_painted_cb, self);
  if (self->store != NULL)
    tales_sidebar_reload_async (self->sidebar, self->cancellable, sidebar_loaded_cb, self);
  g_signal_emit (self, signals[FIRST_FRAME], 0);
}

static void
realized_cb (TalesWindow *self)
{
  g_signal_handlers_disconnect_by_func (self, realized_cb, NULL);
  g_signal_connect_object (gtk_widget_get_frame_clock (GTK_WIDGET (self)), "after-paint",
                           G_CALLBACK (first_frame_painted_cb), self, 0);
}

static void
tales_window_constructed (GObject *object)
{
  TalesWindow *self = TALES_WINDOW (object);

  G_OBJECT_CLASS (tales_window_parent_class)->constructed (object);

  if (self->fetcher == NULL)
    self->fetcher = tales_fetcher_new ();
  if (self->image_cache == NULL && self->store != NULL)
    self->image_cache = tales_image_cache_new_default (self->store, self->fetcher);

  restore_window_state (self);
  g_signal_connect (self, "realize", G_CALLBACK (realized_cb), NULL);

  if (self->store == NULL)
    {
      show_library_error (self, NULL);
      return;
    }
  setup_post_list (self);
  _tales_window_refresh_init (self);
}

static void
tales_window_dispose (GObject *object)
{
  TalesWindow *self = TALES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->reload_source, g_source_remove);
  _tales_window_refresh_dispose (self);
  _tales_window_layout_dispose (self);
  if (self->list_view != NULL)
    tales_post_list_view_set_model (self->list_view, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TALES_TYPE_WINDOW);
  g_clear_object (&self->selection);
  g_clear_object (&self->posts);
  g_clear_object (&self->settings);
  g_clear_object (&self->image_cache);
  g_clear_object (&self->fetcher);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (tales_window_parent_class)->dispose (object);
}

static void
tales_window_finalize (GObject *object)
{
  TalesWindow *self = TALES_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->search_text, g_free);

  G_OBJECT_CLASS (tales_window_parent_class)->finalize (object);
}

static void
tales_window_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  TalesWindow *self = TALES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_FETCHER:
      g_value_set_object (value, self->fetcher);
      break;
    case PROP_IMAGE_CACHE:
      g_value_set_object (value, self->image_cache);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tales_window_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  TalesWindow *self = TALES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_FETCHER:
      self->fetcher = g_value_dup_object (value);
      break;
    case PROP_IMAGE_CACHE:
      self->image_cache = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
install_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action_cb);
  gtk_widget_class_install_action (widget_class, "win.next-post", NULL, next_action_cb);
  gtk_widget_class_install_action (widget_class, "win.previous-post", NULL, previous_action_cb);
  gtk_widget_class_install_action (widget_class, "win.toggle-read", NULL, toggle_read_action_cb);
  gtk_widget_class_install_action (widget_class, "win.toggle-star", NULL, toggle_star_action_cb);
  gtk_widget_class_install_action (widget_class, "win.toggle-star-post", "x", toggle_star_post_action_cb);
  gtk_widget_class_install_action (widget_class, "win.show-category", "s", show_category_action_cb);
  gtk_widget_class_install_action (widget_class, "win.mark-all-read", NULL, mark_all_read_action_cb);

  /* Single keys reach the window only when no text field took them. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_j, 0, "win.next-post", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, 0, "win.next-post", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, 0, "win.previous-post", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, 0, "win.previous-post", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, 0, "win.toggle-read", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, 0, "win.toggle-star", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_slash, 0, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.mark-all-read", NULL);
}

static void
tales_window_class_init (TalesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = tales_window_constructed;
  object_class->dispose = tales_window_dispose;
  object_class->finalize = tales_window_finalize;
  object_class->get_property = tales_window_get_property;
  object_class->set_property = tales_window_set_property;
  window_class->close_request = tales_window_close_request;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TALES_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FETCHER] =
    g_param_spec_object ("fetcher", NULL, NULL, TALES_TYPE_FETCHER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_IMAGE_CACHE] =
    g_param_spec_object ("image-cache", NULL, NULL, TALES_TYPE_IMAGE_CACHE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TalesWindow::first-frame:
   *
   * The window has painted for the first time: what waited for it may
   * start (the application's start-up refresh).
   */
  signals[FIRST_FRAME] = g_signal_new ("first-frame", G_TYPE_FROM_CLASS (klass),
                                       G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * TalesWindow::refresh-finished:
   *
   * Every subscription was refreshed (or failed), and the list reloaded.
   */
  signals[REFRESH_FINISHED] = g_signal_new ("refresh-finished", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 0);

  g_type_ensure (TALES_TYPE_ARTICLE_VIEW);
  g_type_ensure (TALES_TYPE_PANE);
  g_type_ensure (TALES_TYPE_POST_LIST_VIEW);
  g_type_ensure (TALES_TYPE_SIDEBAR);
  tales_application_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/tales-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, refresh_stack);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, offline_label);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, add_button);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, outer_leaflet);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, inner_leaflet);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, sidebar_pane);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, list_pane);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, sidebar_handle);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, list_handle);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, list_stack);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, list_empty_page);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, list_view);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, article_bin);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, no_feeds_page);

  install_actions (widget_class);
  _tales_window_refresh_class_init (widget_class);
  _tales_window_feeds_class_init (widget_class);
  _tales_window_layout_class_init (widget_class);
}

static void
tales_window_init (TalesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->settings = g_settings_new (APP_ID);

  g_signal_connect_object (self->sidebar, "filter-changed", G_CALLBACK (sidebar_filter_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->sidebar, "activated", G_CALLBACK (_tales_window_sidebar_activated),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->list_view, "activate", G_CALLBACK (_tales_window_post_activated),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search_entry, "search-changed", G_CALLBACK (search_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search_bar, "notify::search-mode-enabled", G_CALLBACK (search_mode_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  _tales_window_layout_init (self);
}

TalesWindow *
tales_window_new (TalesApplication *app)
{
  TalesWindow *self;
  const GError *error;

  g_return_val_if_fail (TALES_IS_APPLICATION (app), NULL);

  self = g_object_new (TALES_TYPE_WINDOW,
                       "application", app,
                       "store", tales_application_get_store (app),
                       "fetcher", tales_application_get_fetcher (app),
                       "image-cache", tales_application_get_image_cache (app),
                       NULL);
  error = tales_application_get_store_error (app);
  if (error != NULL)
    show_library_error (self, error->message);

  return self;
}

void
_tales_window_emit_refresh_finished (TalesWindow *self)
{
  g_signal_emit (self, signals[REFRESH_FINISHED], 0);
}
