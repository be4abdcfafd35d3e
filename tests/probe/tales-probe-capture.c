/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The probe build-aux/screenshot runs the real app with (tales-probe
 * screenshot PATH): once the next refresh has finished ("refresh-finished")
 * it selects the first post with pictures, waits for the article view's
 * "loaded" and for every picture to decode, then saves the window as PNG
 * and quits. It sees the window through public getters and signals only. */

#define G_LOG_DOMAIN "tales-probe"

#include "config.h"

#include <glib/gi18n.h>

#include "tales-probe.h"

/* How long the screenshot mode waits for the article to settle, and for
 * everything at most. */
#define CAPTURE_SETTLE_MS 1500
#define CAPTURE_GIVE_UP_S 120

/* The window's data the capture is kept under. */
#define CAPTURE_KEY "tales-probe-capture"

typedef struct {
  TalesWindow *window;      /* unowned: the capture is the window's data */
  TalesStore *store;
  GCancellable *cancellable;
  char *path;
  guint settle_source;
  guint give_up_source;
  gulong loaded_handler;
  TalesArticleView *article_view;
  gboolean waiting;         /* for the chosen post's "loaded" */
} Capture;

/* Screenshot mode --------------------------------------------------------- */

/* Renders the window now and writes it as PNG to @path. */
static gboolean
save_png (TalesWindow  *self,
          const char   *path,
          GError      **error)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));

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
capture_and_quit (Capture *capture)
{
  g_autoptr(GError) error = NULL;
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (capture->window));

  g_clear_handle_id (&capture->settle_source, g_source_remove);
  g_clear_handle_id (&capture->give_up_source, g_source_remove);
  if (capture->path == NULL)
    return;

  if (save_png (capture->window, capture->path, &error))
    g_print ("Saved %s\n", capture->path);
  else
    g_printerr ("Screenshot failed: %s\n", error->message);
  g_clear_pointer (&capture->path, g_free);

  if (app != NULL)
    g_application_quit (G_APPLICATION (app));
}

static gboolean
capture_timeout_cb (gpointer user_data)
{
  Capture *capture = user_data;

  capture->settle_source = 0;
  capture_and_quit (capture);
  return G_SOURCE_REMOVE;
}

static gboolean
capture_give_up_cb (gpointer user_data)
{
  Capture *capture = user_data;

  capture->give_up_source = 0;
  g_printerr ("Screenshot: nothing loaded in time; capturing as is\n");
  capture_and_quit (capture);
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
  g_autoptr(TalesWindow) window = user_data;
  Capture *capture = g_object_get_data (G_OBJECT (window), CAPTURE_KEY);
  g_autoptr(JSCValue) value = NULL;
  g_autoptr(GError) error = NULL;

  value = webkit_web_view_call_async_javascript_function_finish (WEBKIT_WEB_VIEW (source_object),
                                                                 result, &error);
  if (value == NULL)
    g_printerr ("Screenshot: could not wait for the images: %s\n", error->message);
  if (capture == NULL || capture->path == NULL)
    return;

  /* Decoded is not yet painted: give the compositor a moment. */
  g_clear_handle_id (&capture->settle_source, g_source_remove);
  capture->settle_source = g_timeout_add (capture_settle_ms (), capture_timeout_cb, capture);
}

static void
article_loaded_cb (TalesArticleView *view,
                   Capture          *capture)
{
  static const char wait_for_images[] =
    "await Promise.all (Array.from (document.images).map (i => i.decode ().catch (() => null)));"
    "return document.images.length;";

  if (!capture->waiting || capture->path == NULL)
    return;

  /* Large pictures decode after load-finished; wait for every one. */
  capture->waiting = FALSE;
  webkit_web_view_call_async_javascript_function (tales_article_view_get_web_view (view),
                                                  wait_for_images, -1, NULL, NULL, NULL,
                                                  capture->cancellable, images_decoded_cb,
                                                  g_object_ref (capture->window));
}

static gboolean
post_has_images (Capture   *capture,
                 TalesPost *listed)
{
  g_autoptr(TalesPost) post = tales_store_load_post (capture->store, tales_post_get_db_id (listed), NULL);
  g_autoptr(GPtrArray) urls = NULL;

  if (post == NULL)
    return FALSE;
  urls = tales_feed_refresh_collect_post_images (post);
  return urls != NULL && urls->len > 0;
}

/* The first post with pictures, preferring a real feed's to the welcome
 * feed's. */
static guint
choose_capture_post (Capture    *capture,
                     GListModel *posts)
{
  g_autoptr(TalesFeed) welcome = tales_store_find_feed_by_url (capture->store, TALES_WELCOME_FEED_URL, NULL);
  gint64 welcome_id = welcome != NULL ? tales_feed_get_db_id (welcome) : -1;
  /* The newest few are enough, and the list loads rows lazily. */
  guint n = MIN (g_list_model_get_n_items (posts), 50);
  guint fallback = n > 0 ? 0 : GTK_INVALID_LIST_POSITION;

  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < n; i++)
      {
        g_autoptr(TalesPost) post = g_list_model_get_item (posts, i);

        if (pass == 0 && tales_post_get_feed_id (post) == welcome_id)
          continue;
        if (post_has_images (capture, post))
          return i;
      }
  return fallback;
}

static void
refresh_finished_cb (TalesWindow *window,
                     Capture     *capture)
{
  GtkSingleSelection *selection = tales_window_get_selection (window);
  TalesArticleView *view;
  guint position;

  if (capture->path == NULL || capture->waiting || capture->settle_source != 0)
    return;

  position = selection != NULL && capture->store != NULL
             ? choose_capture_post (capture, gtk_single_selection_get_model (selection))
             : GTK_INVALID_LIST_POSITION;
  if (position == GTK_INVALID_LIST_POSITION)
    {
      capture_and_quit (capture);
      return;
    }

  /* The window makes its article view on first use: hear it load. */
  view = tales_window_get_article_view (window);
  if (capture->article_view == NULL)
    {
      capture->article_view = g_object_ref (view);
      capture->loaded_handler = g_signal_connect (view, "loaded", G_CALLBACK (article_loaded_cb), capture);
    }
  capture->waiting = TRUE;
  gtk_single_selection_set_selected (selection, position);
  /* Already on screen: "loaded" will not come again. */
  if (!tales_article_view_is_loading (view))
    article_loaded_cb (view, capture);
}

static void
capture_free (Capture *capture)
{
  g_cancellable_cancel (capture->cancellable);
  g_clear_handle_id (&capture->settle_source, g_source_remove);
  g_clear_handle_id (&capture->give_up_source, g_source_remove);
  if (capture->article_view != NULL)
    g_clear_signal_handler (&capture->loaded_handler, capture->article_view);
  g_clear_object (&capture->article_view);
  g_clear_object (&capture->store);
  g_clear_object (&capture->cancellable);
  g_free (capture->path);
  g_free (capture);
}

void
tales_probe_capture_attach (TalesWindow *window,
                            const char  *path)
{
  GtkApplication *app;
  Capture *capture;

  g_return_if_fail (TALES_IS_WINDOW (window));
  g_return_if_fail (path != NULL);

  app = gtk_window_get_application (GTK_WINDOW (window));
  capture = g_new0 (Capture, 1);
  capture->window = window;
  capture->path = g_strdup (path);
  capture->cancellable = g_cancellable_new ();
  if (app != NULL && tales_application_get_store (TALES_APPLICATION (app)) != NULL)
    capture->store = g_object_ref (tales_application_get_store (TALES_APPLICATION (app)));
  g_object_set_data_full (G_OBJECT (window), CAPTURE_KEY, capture, (GDestroyNotify) capture_free);

  /* After the application's own handler, as the window's hook ran. */
  g_signal_connect_after (window, "refresh-finished", G_CALLBACK (refresh_finished_cb), capture);
  capture->give_up_source = g_timeout_add_seconds (CAPTURE_GIVE_UP_S, capture_give_up_cb, capture);
}
