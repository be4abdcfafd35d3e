#define G_LOG_DOMAIN "tales-window"

#include "config.h"

#include <glib/gi18n.h>

#include "tales-window-private.h"

/* How long the screenshot mode waits for the article to settle, and for
 * everything at most. */
#define CAPTURE_SETTLE_MS 1500
#define CAPTURE_GIVE_UP_S 120

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

void
tales_window_capture_article_loaded (TalesWindow *self)
{
  static const char wait_for_images[] =
    "await Promise.all (Array.from (document.images).map (i => i.decode ().catch (() => null)));"
    "return document.images.length;";

  if (!self->capture_waiting || self->capture_path == NULL)
    return;

  /* Large pictures decode after load-finished; wait for every one. */
  self->capture_waiting = FALSE;
  webkit_web_view_call_async_javascript_function (tales_article_view_get_web_view (tales_window_get_article_view (self)),
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
  urls = tales_feed_refresh_collect_post_images (post);
  return urls != NULL && urls->len > 0;
}

/* The first post with pictures, preferring a real feed's to the welcome
 * feed's. */
static guint
choose_capture_post (TalesWindow *self)
{
  g_autoptr(TalesFeed) welcome = tales_store_find_feed_by_url (self->store, TALES_WELCOME_FEED_URL, NULL);
  gint64 welcome_id = welcome != NULL ? tales_feed_get_db_id (welcome) : -1;
  /* The newest few are enough, and the list loads rows lazily. */
  guint n = MIN (g_list_model_get_n_items (G_LIST_MODEL (self->posts)), 50);
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

void
tales_window_capture_after_refresh (TalesWindow *self)
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
  if (!tales_article_view_is_loading (tales_window_get_article_view (self)))
    tales_window_capture_article_loaded (self);
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

void
tales_window_capture_dispose (TalesWindow *self)
{
  g_clear_handle_id (&self->capture_source, g_source_remove);
  g_clear_handle_id (&self->capture_give_up_source, g_source_remove);
  g_clear_pointer (&self->capture_path, g_free);
}
