#define G_LOG_DOMAIN "tales-window"

#include "config.h"

#include <glib/gi18n.h>

#include "tales-post-row.h"
#include "tales-window.h"

/* How long the screenshot mode waits for the article to settle, and for
 * everything at most. */
#define CAPTURE_SETTLE_MS 1500
#define CAPTURE_GIVE_UP_S 120

struct _TalesWindow
{
  AdwApplicationWindow parent_instance;

  /* template */
  AdwToastOverlay *toast_overlay;
  GtkStack *refresh_stack;
  GtkSpinner *spinner;
  GtkStack *main_stack;
  GtkPaned *paned;
  GtkListView *list_view;
  GtkStack *content_stack;
  TalesArticleView *article_view;
  AdwStatusPage *error_page;

  TalesStore *store;
  TalesFetcher *fetcher;
  TalesImageCache *image_cache;
  GSettings *settings;

  GListStore *posts;
  GtkSingleSelection *selection;
  gint64 shown_post_id;
  gboolean reloading;

  GCancellable *cancellable;
  GPtrArray *refresh_queue;   /* TalesFeed */
  guint refresh_next;

  char *capture_path;
  guint capture_source;
  guint capture_give_up_source;
  gboolean capture_waiting;   /* a post was chosen, waiting for "loaded" */
};

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
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void capture_after_refresh (TalesWindow *self);

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

/* The post list ----------------------------------------------------------- */

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  gtk_list_item_set_child (item, tales_post_row_new ());
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  user_data)
{
  tales_post_row_set_post (TALES_POST_ROW (gtk_list_item_get_child (item)),
                           gtk_list_item_get_item (item));
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  tales_post_row_set_post (TALES_POST_ROW (gtk_list_item_get_child (item)), NULL);
}

static void
show_post (TalesWindow *self,
           gint64       post_id)
{
  g_autoptr(TalesPost) post = NULL;
  g_autoptr(GError) error = NULL;

  post = tales_store_load_post (self->store, post_id, &error);
  if (post == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not open the post: %s"), error->message);

      tales_window_show_message (self, message);
      return;
    }

  self->shown_post_id = post_id;
  gtk_stack_set_visible_child_name (self->content_stack, "article");
  tales_article_view_show_post (self->article_view, post);
}

static void
selection_changed_cb (TalesWindow *self)
{
  TalesPost *post;

  if (self->reloading)
    return;

  post = gtk_single_selection_get_selected_item (self->selection);
  if (post == NULL)
    {
      self->shown_post_id = 0;
      gtk_stack_set_visible_child_name (self->content_stack, "empty");
      return;
    }

  /* A reload hands us a new object for the post already on screen. */
  if (tales_post_get_db_id (post) == self->shown_post_id)
    return;

  show_post (self, tales_post_get_db_id (post));
}

static guint
find_post (TalesWindow *self,
           gint64       post_id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->posts));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TalesPost) post = g_list_model_get_item (G_LIST_MODEL (self->posts), i);

      if (tales_post_get_db_id (post) == post_id)
        return i;
    }
  return GTK_INVALID_LIST_POSITION;
}

void
tales_window_reload_posts (TalesWindow *self)
{
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  guint n, position;

  g_return_if_fail (TALES_IS_WINDOW (self));

  if (self->store == NULL)
    return;

  model = tales_store_list_posts (self->store, 0, &error);
  if (model == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not read your posts: %s"), error->message);

      tales_window_show_message (self, message);
      return;
    }

  n = g_list_model_get_n_items (model);
  items = g_ptr_array_new_full (n, g_object_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (items, g_list_model_get_item (model, i));

  /* One splice, then the post on screen is selected again. */
  self->reloading = TRUE;
  g_list_store_splice (self->posts, 0, g_list_model_get_n_items (G_LIST_MODEL (self->posts)),
                       items->pdata, items->len);
  position = self->shown_post_id != 0 ? find_post (self, self->shown_post_id) : GTK_INVALID_LIST_POSITION;
  gtk_single_selection_set_selected (self->selection, position);
  self->reloading = FALSE;

  if (position == GTK_INVALID_LIST_POSITION)
    selection_changed_cb (self);
}

GtkSingleSelection *
tales_window_get_selection (TalesWindow *self)
{
  g_return_val_if_fail (TALES_IS_WINDOW (self), NULL);

  return self->selection;
}

TalesArticleView *
tales_window_get_article_view (TalesWindow *self)
{
  g_return_val_if_fail (TALES_IS_WINDOW (self), NULL);

  return self->article_view;
}

/* Refresh ----------------------------------------------------------------- */

static void
set_refreshing (TalesWindow *self,
                gboolean     refreshing)
{
  gtk_stack_set_visible_child_name (self->refresh_stack, refreshing ? "busy" : "idle");
  gtk_spinner_set_spinning (self->spinner, refreshing);
}

gboolean
tales_window_is_refreshing (TalesWindow *self)
{
  g_return_val_if_fail (TALES_IS_WINDOW (self), FALSE);

  return self->refresh_queue != NULL;
}

/* The feed's title, or the host it lives on before its first fetch. */
static char *
feed_display_name (TalesFeed *feed)
{
  const char *title = tales_feed_get_title (feed);
  const char *url = tales_feed_get_url (feed);
  g_autoptr(GUri) uri = NULL;

  if (title != NULL && *title != '\0')
    return g_strdup (title);
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri != NULL && g_uri_get_host (uri) != NULL)
    return g_strdup (g_uri_get_host (uri));
  return g_strdup (url);
}

static void refresh_next (TalesWindow *self);

static void
refresh_done_cb (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(TalesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  TalesRefreshReport report = { 0 };

  /* The window went away while this feed was on its way. */
  if (self->refresh_queue == NULL)
    {
      g_clear_error (&error);
      tales_refresh_feed_finish (result, &report, &error);
      return;
    }

  if (!tales_refresh_feed_finish (result, &report, &error))
    {
      TalesFeed *feed;
      g_autofree char *name = NULL;
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      feed = g_ptr_array_index (self->refresh_queue, self->refresh_next - 1);
      name = feed_display_name (feed);
      /* TRANSLATORS: the feed's name, then why it failed */
      message = g_strdup_printf (_("Could not refresh %s: %s"), name, error->message);
      tales_window_show_message (self, message);
    }

  /* Posts appear as each feed lands; stored ones never go away. */
  tales_window_reload_posts (self);
  refresh_next (self);
}

static void
refresh_next (TalesWindow *self)
{
  TalesFeed *feed;

  if (self->refresh_next >= self->refresh_queue->len)
    {
      g_clear_pointer (&self->refresh_queue, g_ptr_array_unref);
      set_refreshing (self, FALSE);
      g_signal_emit (self, signals[REFRESH_FINISHED], 0);
      capture_after_refresh (self);
      return;
    }

  feed = g_ptr_array_index (self->refresh_queue, self->refresh_next++);
  tales_refresh_feed_async (self->store, self->fetcher, self->image_cache,
                            tales_feed_get_url (feed), self->cancellable,
                            refresh_done_cb, g_object_ref (self));
}

void
tales_window_refresh (TalesWindow *self)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *feeds;

  g_return_if_fail (TALES_IS_WINDOW (self));

  if (self->refresh_queue != NULL || self->store == NULL)
    return;

  feeds = tales_store_list_feeds (self->store, &error);
  if (feeds == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not read your subscriptions: %s"), error->message);

      tales_window_show_message (self, message);
      return;
    }

  self->refresh_queue = feeds;
  self->refresh_next = 0;
  set_refreshing (self, TRUE);
  refresh_next (self);
}

static void
refresh_action_cb (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  tales_window_refresh (TALES_WINDOW (widget));
}

/* Screenshot mode --------------------------------------------------------- */

gboolean
tales_window_save_png (TalesWindow  *self,
                       const char   *path,
                       GError      **error)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));

  g_return_val_if_fail (TALES_IS_WINDOW (self), FALSE);

  paintable = gtk_widget_paintable_new (GTK_WIDGET (self));
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL || width <= 0 || height <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "The window has not been drawn yet");
      return FALSE;
    }

  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (self)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Could not write %s", path);
      return FALSE;
    }
  return TRUE;
}

static void
capture_and_quit (TalesWindow *self)
{
  g_autoptr(GError) error = NULL;
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  g_clear_handle_id (&self->capture_source, g_source_remove);
  g_clear_handle_id (&self->capture_give_up_source, g_source_remove);

  if (tales_window_save_png (self, self->capture_path, &error))
    g_print ("Saved %s\n", self->capture_path);
  else
    g_printerr ("Screenshot failed: %s\n", error->message);
  g_clear_pointer (&self->capture_path, g_free);

  if (app != NULL)
    g_application_quit (G_APPLICATION (app));
}

static gboolean
capture_timeout_cb (gpointer user_data)
{
  TalesWindow *self = user_data;

  self->capture_source = 0;
  capture_and_quit (self);
  return G_SOURCE_REMOVE;
}

static gboolean
capture_give_up_cb (gpointer user_data)
{
  TalesWindow *self = user_data;

  self->capture_give_up_source = 0;
  g_printerr ("Screenshot: nothing loaded in time; capturing as is\n");
  capture_and_quit (self);
  return G_SOURCE_REMOVE;
}

static guint
capture_settle_ms (void)
{
  const char *text = g_getenv ("TALES_SCREENSHOT_DELAY_MS");
  guint64 ms;

  if (text != NULL && g_ascii_string_to_unsigned (text, 10, 0, 60000, &ms, NULL))
    return ms;
  return CAPTURE_SETTLE_MS;
}

static void
images_decoded_cb (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(TalesWindow) self = user_data;
  g_autoptr(JSCValue) value = NULL;
  g_autoptr(GError) error = NULL;

  value = webkit_web_view_call_async_javascript_function_finish (WEBKIT_WEB_VIEW (source_object),
                                                                 result, &error);
  if (value == NULL)
    g_printerr ("Screenshot: could not wait for the images: %s\n", error->message);
  if (self->capture_path == NULL)
    return;

  /* Decoded is not yet painted: give the compositor a moment. */
  g_clear_handle_id (&self->capture_source, g_source_remove);
  self->capture_source = g_timeout_add (capture_settle_ms (), capture_timeout_cb, self);
}

static void
article_loaded_cb (TalesWindow *self)
{
  static const char wait_for_images[] =
    "await Promise.all (Array.from (document.images).map (i => i.decode ().catch (() => null)));"
    "return document.images.length;";

  if (!self->capture_waiting || self->capture_path == NULL)
    return;

  /* Large pictures decode after load-finished; wait for every one. */
  self->capture_waiting = FALSE;
  webkit_web_view_call_async_javascript_function (tales_article_view_get_web_view (self->article_view),
                                                  wait_for_images, -1, NULL, NULL, NULL,
                                                  self->cancellable, images_decoded_cb,
                                                  g_object_ref (self));
}

static gboolean
post_has_images (TalesWindow *self,
                 TalesPost   *listed)
{
  g_autoptr(TalesPost) post = tales_store_load_post (self->store, tales_post_get_db_id (listed), NULL);
  g_autoptr(GPtrArray) urls = NULL;

  if (post == NULL)
    return FALSE;
  urls = tales_refresh_collect_post_images (post);
  return urls != NULL && urls->len > 0;
}

/* The first post with pictures, preferring a real feed's to the welcome
 * feed's. */
static guint
choose_capture_post (TalesWindow *self)
{
  g_autoptr(TalesFeed) welcome = tales_store_find_feed_by_url (self->store, TALES_WELCOME_FEED_URL, NULL);
  gint64 welcome_id = welcome != NULL ? tales_feed_get_db_id (welcome) : -1;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->posts));
  guint fallback = n > 0 ? 0 : GTK_INVALID_LIST_POSITION;

  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < n; i++)
      {
        g_autoptr(TalesPost) post = g_list_model_get_item (G_LIST_MODEL (self->posts), i);

        if (pass == 0 && tales_post_get_feed_id (post) == welcome_id)
          continue;
        if (post_has_images (self, post))
          return i;
      }
  return fallback;
}

static void
capture_after_refresh (TalesWindow *self)
{
  guint position;

  if (self->capture_path == NULL || self->capture_waiting || self->capture_source != 0)
    return;

  position = choose_capture_post (self);
  if (position == GTK_INVALID_LIST_POSITION)
    {
      capture_and_quit (self);
      return;
    }

  self->capture_waiting = TRUE;
  gtk_single_selection_set_selected (self->selection, position);
  /* Already on screen: "loaded" will not come again. */
  if (!tales_article_view_is_loading (self->article_view))
    article_loaded_cb (self);
}

void
tales_window_capture_when_ready (TalesWindow *self,
                                 const char  *path)
{
  g_return_if_fail (TALES_IS_WINDOW (self));
  g_return_if_fail (path != NULL);

  g_free (self->capture_path);
  self->capture_path = g_strdup (path);
  g_clear_handle_id (&self->capture_give_up_source, g_source_remove);
  self->capture_give_up_source = g_timeout_add_seconds (CAPTURE_GIVE_UP_S, capture_give_up_cb, self);
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
  g_settings_bind (self->settings, "list-pane-position", self->paned, "position", G_SETTINGS_BIND_DEFAULT);
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
  adw_status_page_set_description (self->error_page, message);
  gtk_stack_set_visible_child_name (self->main_stack, "error");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.refresh", FALSE);
}

static void
tales_window_constructed (GObject *object)
{
  TalesWindow *self = TALES_WINDOW (object);

  G_OBJECT_CLASS (tales_window_parent_class)->constructed (object);

  if (self->store == NULL)
    show_library_error (self, NULL);
  if (self->fetcher == NULL)
    self->fetcher = tales_fetcher_new ();
  if (self->image_cache == NULL && self->store != NULL)
    self->image_cache = tales_image_cache_new_default (self->store, self->fetcher);

  tales_article_view_set_image_cache (self->article_view, self->image_cache);
  restore_window_state (self);
  tales_window_reload_posts (self);
}

static void
tales_window_dispose (GObject *object)
{
  TalesWindow *self = TALES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->capture_source, g_source_remove);
  g_clear_handle_id (&self->capture_give_up_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), TALES_TYPE_WINDOW);
  g_clear_pointer (&self->refresh_queue, g_ptr_array_unref);
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
  g_clear_pointer (&self->capture_path, g_free);

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
   * TalesWindow::refresh-finished:
   *
   * Every subscription was refreshed (or failed), and the list reloaded.
   */
  signals[REFRESH_FINISHED] = g_signal_new ("refresh-finished", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 0);

  g_type_ensure (TALES_TYPE_ARTICLE_VIEW);
  tales_application_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/tales-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, refresh_stack);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, paned);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, list_view);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, article_view);
  gtk_widget_class_bind_template_child (widget_class, TalesWindow, error_page);

  gtk_widget_class_install_action (widget_class, "win.refresh", NULL, refresh_action_cb);
}

static void
tales_window_init (TalesWindow *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->settings = g_settings_new (APP_ID);
  self->posts = g_list_store_new (TALES_TYPE_POST);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->posts)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  g_signal_connect_swapped (self->selection, "notify::selected-item",
                            G_CALLBACK (selection_changed_cb), self);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row_cb), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect_object (self->article_view, "loaded", G_CALLBACK (article_loaded_cb),
                           self, G_CONNECT_SWAPPED);
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
