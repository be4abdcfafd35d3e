/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-test"

#include "tales-test-ui.h"

/* The isolated XDG dirs would hide shared-mime-info, and with it the
 * type of GTK's SVG icons. */
static void
keep_system_mime_database (void)
{
  const char * const *data_dirs = g_get_system_data_dirs ();
  g_autoptr(GPtrArray) mime_dirs = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; data_dirs[i] != NULL; i++)
    g_ptr_array_add (mime_dirs, g_build_filename (data_dirs[i], "mime", NULL));
  g_ptr_array_add (mime_dirs, NULL);
  g_content_type_set_mime_dirs ((const char * const *) mime_dirs->pdata);
}

gboolean
tales_test_ui_init (int *argc, char ***argv)
{
  /* The isolated XDG dirs hide the system's proxy schema; the test server
   * is local anyway. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  keep_system_mime_database ();
  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display\n");
      return FALSE;
    }
  tales_core_init ();
  adw_init ();
  return TRUE;
}

GtkWidget *
tales_test_window_with_view (TalesImageCache *cache, TalesArticleView **view_out)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view = tales_article_view_new (cache);

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 700);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));
  *view_out = TALES_ARTICLE_VIEW (view);
  return window;
}

void
tales_test_collect_widgets (GtkWidget *widget, GType type, GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    g_ptr_array_add (found, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    tales_test_collect_widgets (child, type, found);
}

typedef struct {
  gboolean done;
  JSCValue *value;
  GError *error;
} JsCall;

static void
js_done_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  JsCall *call = user_data;

  call->value = webkit_web_view_evaluate_javascript_finish (WEBKIT_WEB_VIEW (source), result, &call->error);
  call->done = TRUE;
}

char *
tales_test_run_js (WebKitWebView *web_view, const char *script)
{
  JsCall call = { 0 };
  char *text;

  webkit_web_view_evaluate_javascript (web_view, script, -1, NULL, NULL, NULL, js_done_cb, &call);
  tales_test_wait_for (&call.done, TALES_TEST_JS_TIMEOUT_MS);
  g_assert_no_error (call.error);
  text = jsc_value_to_string (call.value);
  g_object_unref (call.value);
  return text;
}

static const char images_script[] =
  "JSON.stringify(Array.from(document.images).map(function (im) {"
  "  return { alt: im.alt, src: im.src, complete: im.complete,"
  "           width: im.naturalWidth, height: im.naturalHeight };"
  "}))";

JsonArray *
tales_test_page_images (WebKitWebView *web_view)
{
  g_autofree char *json = tales_test_run_js (web_view, images_script);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_array_ref (json_node_get_array (json_parser_get_root (parser)));
}

gboolean
tales_test_all_images_decoded (JsonArray *images)
{
  for (guint i = 0; i < json_array_get_length (images); i++)
    {
      JsonObject *image = json_array_get_object_element (images, i);

      if (!json_object_get_boolean_member (image, "complete") ||
          json_object_get_int_member (image, "width") <= 0)
        return FALSE;
    }
  return TRUE;
}
