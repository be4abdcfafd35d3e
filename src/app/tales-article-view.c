/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-article-view"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "tales-article-view-private.h"

/* Every request the page could make that leaves the machine goes through
 * this proxy, which is a closed port: the last layer of defence. */
#define DEAD_PROXY_URI "http://127.0.0.1:9"

/* One rule per scheme: WebKit's content-filter regexes have no '|'. */
static const char content_filter_json[] =
  "["
  "{\"trigger\":{\"url-filter\":\"^http:\"},\"action\":{\"type\":\"block\"}},"
  "{\"trigger\":{\"url-filter\":\"^https:\"},\"action\":{\"type\":\"block\"}},"
  "{\"trigger\":{\"url-filter\":\"^ws:\"},\"action\":{\"type\":\"block\"}},"
  "{\"trigger\":{\"url-filter\":\"^wss:\"},\"action\":{\"type\":\"block\"}},"
  "{\"trigger\":{\"url-filter\":\"^ftp:\"},\"action\":{\"type\":\"block\"}},"
  "{\"trigger\":{\"url-filter\":\"^ftps:\"},\"action\":{\"type\":\"block\"}},"
  "{\"trigger\":{\"url-filter\":\"^file:\"},\"action\":{\"type\":\"block\"}}"
  "]";
#define CONTENT_FILTER_ID "tales-block-remote-v1"

/* A local document loads in well under a second; one that has not
 * finished after this long never will (its navigation was refused). */
#define LOAD_WATCHDOG_S 20

/* The web process's memory budget, through WebKit's memory-pressure
 * handler: past half of it the process drops caches, past two thirds it
 * frees all it can, and past the whole of it the process is stopped and
 * the view shows its fallback. A hostile post (an image bomb that slipped
 * past the image cache) ends there instead of taking the machine; real
 * posts stay far below it (the article-view suite's posts, pictures and
 * printing included, peak at about 250 MB of RSS). WebKit counts the
 * process's own dirty memory, which is about 200 MB less than its RSS, so
 * the RSS at the kill is near 850 MB. The handler runs on the web
 * process's main thread, so a renderer stuck in one long layout is left
 * to WEB_PROCESS_UNRESPONSIVE_S below. */
#define WEB_PROCESS_MEMORY_LIMIT_MB 640
#define WEB_PROCESS_CONSERVATIVE_THRESHOLD 0.5
#define WEB_PROCESS_STRICT_THRESHOLD 0.66
#define WEB_PROCESS_KILL_THRESHOLD 1.0
/* How often the web process checks its memory (WebKit's default is 30 s,
 * time enough to fill gigabytes). */
#define WEB_PROCESS_MEMORY_POLL_S 1.0

/* A web process that has not answered for this long (a layout that never
 * ends, such as an SVG of ten billion <use>) is stopped, and the view
 * shows its fallback: a hung renderer also grows without end (up to
 * 35 to 85 MB/s was measured here). It is asked every WEB_PROCESS_PING_S while
 * a document loads, and WebKit itself notices when it ignores input. A
 * stuck load so ends within WEB_PROCESS_PING_S + WEB_PROCESS_UNRESPONSIVE_S;
 * a web process still starting on a busy machine has that long to answer. */
#define WEB_PROCESS_UNRESPONSIVE_S 6
#define WEB_PROCESS_PING_S 2

/* What an image that was never cached looks like: a quiet grey card with a
 * small picture glyph, readable on light and dark pages alike. */
static const char placeholder_svg[] =
  "<svg xmlns='http://www.w3.org/2000/svg' width='320' height='180' viewBox='0 0 320 180'>"
  "<rect x='0.5' y='0.5' width='319' height='179' rx='12' fill='#9a9a9a' fill-opacity='0.18'"
  " stroke='#9a9a9a' stroke-opacity='0.35'/>"
  "<g transform='translate(136 66)' fill='none' stroke='#8a8a8a' stroke-width='3'"
  " stroke-linejoin='round' stroke-linecap='round'>"
  "<rect x='0' y='0' width='48' height='40' rx='5'/>"
  "<circle cx='14' cy='13' r='4.5'/>"
  "<path d='M3 35 L18 22 L28 30 L35 24 L45 34'/>"
  "</g></svg>";

/* Shared by the view and its web context (which may outlive the view a
 * little), so the scheme handler never touches a freed view. */
typedef struct {
  TalesImageCache *cache;
} SchemeData;

struct _TalesArticleView
{
  GtkWidget parent_instance;

  GtkWidget *stack;
  GtkWidget *fallback;
  WebKitWebView *web_view;
  WebKitUserContentManager *content_manager;
  SchemeData *scheme;

  GCancellable *cancellable;
  TalesPost *post;
  char *queued_html;     /* waiting for the content filter or the load in flight */
  gboolean filter_ready;
  gboolean expect_load;  /* the next navigation to our base URI is ours */
  gboolean loading;       /* show_post until "loaded" */
  gboolean in_flight;     /* a document is loading in the web view */
  guint watchdog;         /* gives up on a load that never finishes */
  gboolean load_overdue;  /* the watchdog fired while a ping was waiting */
  guint ping;             /* asks the web process if it is alive, during a load */
  guint ping_timeout;     /* the web process has not answered the ping */
  guint ping_serial;      /* which ping is the current one */
  guint unresponsive;     /* stops a web process that stopped answering */
  gboolean stopped_hung;  /* the termination is ours, for a hung process */

  double font_scale;      /* the preference */
  double zoom;            /* Ctrl+plus and Ctrl+minus, for this session */
};

G_DEFINE_FINAL_TYPE (TalesArticleView, tales_article_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_IMAGE_CACHE,
  PROP_FONT_SCALE,
  PROP_ZOOM,
  N_PROPS
};

enum {
  LOADED,
  CATEGORY_ACTIVATED,
  N_SIGNALS
};

/* The steps Ctrl+plus and Ctrl+minus go through, as in a browser. */
static const double zoom_steps[] = { 0.5, 0.67, 0.8, 0.9, 1.0, 1.1, 1.2, 1.33, 1.5, 1.7, 2.0, 2.4, 3.0 };

/* A category chip in the article links here; the window filters on it. */
#define CATEGORY_LINK_SCHEME "tales-category:"


static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
scheme_data_release (gpointer data)
{
  SchemeData *scheme = data;

  g_clear_object (&scheme->cache);
}

static void
scheme_data_unref (gpointer data)
{
  g_atomic_rc_box_release_full (data, scheme_data_release);
}

/* The tales-image: scheme ------------------------------------------------ */

typedef struct {
  TalesImageCache *cache;
  char *url_hash;
} ImageLoad;

typedef struct {
  GBytes *bytes;
  char *mime_type;
} ImageData;

static void
image_load_free (ImageLoad *load)
{
  g_clear_object (&load->cache);
  g_free (load->url_hash);
  g_free (load);
}

static void
image_data_free (ImageData *data)
{
  g_clear_pointer (&data->bytes, g_bytes_unref);
  g_free (data->mime_type);
  g_free (data);
}

static void
finish_with_bytes (WebKitURISchemeRequest *request,
                   GBytes                 *bytes,
                   const char             *mime_type)
{
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (bytes);

  webkit_uri_scheme_request_finish (request, stream, g_bytes_get_size (bytes), mime_type);
}

static void
finish_with_placeholder (WebKitURISchemeRequest *request)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (placeholder_svg, sizeof placeholder_svg - 1);

  finish_with_bytes (request, bytes, "image/svg+xml");
}

/* Runs in a worker thread: the store and the cache are thread-safe, and a
 * disk read has no business on the main loop. */
static void
image_load_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  ImageLoad *load = task_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *mime_type = NULL;
  GBytes *bytes;
  ImageData *data;

  bytes = tales_image_cache_load_by_url_hash (load->cache, load->url_hash, &mime_type, &error);
  if (bytes == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data = g_new0 (ImageData, 1);
  data->bytes = bytes;
  data->mime_type = g_steal_pointer (&mime_type);
  g_task_return_pointer (task, data, (GDestroyNotify) image_data_free);
}

static void
image_loaded_cb (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(WebKitURISchemeRequest) request = user_data;
  g_autoptr(GError) error = NULL;
  ImageData *data;

  data = g_task_propagate_pointer (G_TASK (result), &error);
  if (data == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_debug ("Image not available: %s", error ? error->message : "no data");
      finish_with_placeholder (request);
      return;
    }

  g_debug ("Image served: %s, %zu bytes", data->mime_type, g_bytes_get_size (data->bytes));
  finish_with_bytes (request, data->bytes, data->mime_type);
  image_data_free (data);
}

static gboolean
is_url_hash (const char *text)
{
  if (text == NULL || *text == '\0' || strlen (text) > 128)
    return FALSE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isalnum (*p))
      return FALSE;
  return TRUE;
}

static void
image_scheme_cb (WebKitURISchemeRequest *request,
                 gpointer                user_data)
{
  SchemeData *scheme = user_data;
  const char *uri = webkit_uri_scheme_request_get_uri (request);
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  g_autofree char *url_hash = NULL;
  g_autoptr(GTask) task = NULL;
  ImageLoad *load;

  if (parsed == NULL || g_strcmp0 (g_uri_get_host (parsed), "image") != 0)
    {
      g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                                             "No such resource: %s", uri);
      webkit_uri_scheme_request_finish_error (request, error);
      return;
    }

  url_hash = g_path_get_basename (g_uri_get_path (parsed));
  g_debug ("Image requested: %s", url_hash);
  if (scheme->cache == NULL || !is_url_hash (url_hash))
    {
      finish_with_placeholder (request);
      return;
    }

  load = g_new0 (ImageLoad, 1);
  load->cache = g_object_ref (scheme->cache);
  load->url_hash = g_steal_pointer (&url_hash);

  task = g_task_new (NULL, NULL, image_loaded_cb, g_object_ref (request));
  g_task_set_source_tag (task, image_scheme_cb);
  g_task_set_task_data (task, load, (GDestroyNotify) image_load_free);
  g_task_run_in_thread (task, image_load_thread);
}

/* Loading ----------------------------------------------------------------- */

static void load_finished (TalesArticleView *self);

typedef struct {
  TalesArticleView *self;   /* referenced */
  guint serial;
} Ping;

static void
stop_watchdogs (TalesArticleView *self)
{
  g_clear_handle_id (&self->watchdog, g_source_remove);
  g_clear_handle_id (&self->ping, g_source_remove);
  g_clear_handle_id (&self->ping_timeout, g_source_remove);
  self->ping_serial++;
  self->load_overdue = FALSE;
}

/* "web-process-terminated" follows, which shows the fallback. */
static void
stop_hung_process (TalesArticleView *self)
{
  g_debug ("The web process did not answer in %d s: stopping it", WEB_PROCESS_UNRESPONSIVE_S);
  self->stopped_hung = TRUE;
  webkit_web_view_terminate_web_process (self->web_view);
}

static gboolean
ping_timeout_cb (gpointer user_data)
{
  TalesArticleView *self = user_data;

  self->ping_timeout = 0;
  stop_hung_process (self);
  return G_SOURCE_REMOVE;
}

static void
ping_answered_cb (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Ping *ping = user_data;
  TalesArticleView *self = ping->self;
  g_autoptr(JSCValue) value = NULL;
  g_autoptr(GError) error = NULL;

  value = webkit_web_view_evaluate_javascript_finish (WEBKIT_WEB_VIEW (source_object), result, &error);
  /* An answer, even an error, means the process is alive; a stale one
   * (the load ended meanwhile) means nothing. */
  if (ping->serial == self->ping_serial && self->ping_timeout != 0 &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_handle_id (&self->ping_timeout, g_source_remove);
      if (self->load_overdue)
        {
          g_debug ("A load did not finish in time, but the web process answers");
          load_finished (self);
        }
    }
  g_object_unref (ping->self);
  g_free (ping);
}

/* While a document loads, the web process is asked every few seconds
 * whether it is still there: one stuck in a layout never answers. */
static gboolean
ping_cb (gpointer user_data)
{
  TalesArticleView *self = user_data;
  Ping *ping;

  if (self->ping_timeout != 0)
    return G_SOURCE_CONTINUE;   /* the last one is still waiting */

  ping = g_new0 (Ping, 1);
  ping->self = g_object_ref (self);
  ping->serial = ++self->ping_serial;
  self->ping_timeout = g_timeout_add_seconds (WEB_PROCESS_UNRESPONSIVE_S, ping_timeout_cb, self);
  webkit_web_view_evaluate_javascript (self->web_view, "0", -1, NULL, NULL, self->cancellable,
                                       ping_answered_cb, ping);
  return G_SOURCE_CONTINUE;
}

/* The load has taken too long, and the navigation was refused: the load
 * is over. With a ping still waiting, its answer (or its timeout) ends it. */
static gboolean
watchdog_cb (gpointer user_data)
{
  TalesArticleView *self = user_data;

  self->watchdog = 0;
  if (self->ping_timeout != 0)
    self->load_overdue = TRUE;
  else
    {
      g_debug ("A load did not finish in time");
      load_finished (self);
    }
  return G_SOURCE_REMOVE;
}

static void
load_html_now (TalesArticleView *self,
               const char       *html)
{
  self->expect_load = TRUE;
  self->loading = TRUE;
  self->in_flight = TRUE;
  stop_watchdogs (self);
  self->watchdog = g_timeout_add_seconds (LOAD_WATCHDOG_S, watchdog_cb, self);
  self->ping = g_timeout_add_seconds (WEB_PROCESS_PING_S, ping_cb, self);
  gtk_stack_set_visible_child (GTK_STACK (self->stack), GTK_WIDGET (self->web_view));
  webkit_web_view_load_html (self->web_view, html, TALES_ARTICLE_BASE_URI);
}

static void
load_html (TalesArticleView *self,
           const char       *html)
{
  /* Nothing is loaded before every layer is in place, and one document
   * at a time: the policy then knows exactly which navigation is ours,
   * and "loaded" is the last post's. Only the latest waiting one counts. */
  if (!self->filter_ready || self->in_flight)
    {
      g_free (self->queued_html);
      self->queued_html = g_strdup (html);
      self->loading = TRUE;
      return;
    }

  load_html_now (self, html);
}

/* The compiled filter is shared by every view of the process: two views
 * compiling into the same store at once make WebKit fail one of them
 * ("Unspecified error during compile"), which the tests saw now and then. */
static WebKitUserContentFilter *shared_filter;
static GPtrArray *views_awaiting_filter;   /* TalesArticleView, referenced */

static void
apply_content_filter (TalesArticleView *self)
{
  g_autofree char *html = NULL;

  if (self->web_view == NULL)
    return;
  if (shared_filter != NULL)
    webkit_user_content_manager_add_filter (self->content_manager, shared_filter);
  self->filter_ready = TRUE;
  html = g_steal_pointer (&self->queued_html);
  if (html != NULL)
    load_html_now (self, html);
}

static void
filter_saved_cb (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  WebKitUserContentFilterStore *store = WEBKIT_USER_CONTENT_FILTER_STORE (source_object);
  g_autoptr(GPtrArray) waiting = g_steal_pointer (&views_awaiting_filter);
  g_autoptr(GError) error = NULL;

  shared_filter = webkit_user_content_filter_store_save_finish (store, result, &error);
  if (shared_filter == NULL)
    /* The CSP, the dead proxy and the policy still hold without it. */
    g_warning ("Could not compile the content filter: %s", error->message);

  for (guint i = 0; i < waiting->len; i++)
    apply_content_filter (g_ptr_array_index (waiting, i));
}

static void
compile_content_filter (TalesArticleView *self)
{
  g_autofree char *dir = NULL;
  g_autoptr(WebKitUserContentFilterStore) store = NULL;
  g_autoptr(GBytes) source = NULL;

  if (shared_filter != NULL)
    {
      apply_content_filter (self);
      return;
    }
  if (views_awaiting_filter != NULL)
    {
      g_ptr_array_add (views_awaiting_filter, g_object_ref (self));
      return;
    }

  views_awaiting_filter = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (views_awaiting_filter, g_object_ref (self));
  dir = g_build_filename (g_get_user_cache_dir (), "tales", "content-filters", NULL);
  store = webkit_user_content_filter_store_new (dir);
  source = g_bytes_new_static (content_filter_json, sizeof content_filter_json - 1);
  /* Not cancellable: other views may be waiting for the same compile. */
  webkit_user_content_filter_store_save (store, CONTENT_FILTER_ID, source,
                                         NULL, filter_saved_cb, NULL);
}

/* Policy ------------------------------------------------------------------ */

static gboolean
is_external_link (const char *uri)
{
  g_autofree char *scheme = g_uri_parse_scheme (uri);

  return scheme != NULL &&
         (g_ascii_strcasecmp (scheme, "http") == 0 ||
          g_ascii_strcasecmp (scheme, "https") == 0 ||
          g_ascii_strcasecmp (scheme, "mailto") == 0);
}

static void
open_in_browser (TalesArticleView *self,
                 const char       *uri)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, uri, GDK_CURRENT_TIME);
}

static gboolean
is_own_document (TalesArticleView *self,
                 const char       *uri)
{
  return g_strcmp0 (uri, TALES_ARTICLE_BASE_URI) == 0;
}

static void
activate_category_link (TalesArticleView *self,
                        const char       *uri)
{
  g_autofree char *name = g_uri_unescape_string (uri + strlen (CATEGORY_LINK_SCHEME), NULL);

  if (name != NULL && *name != '\0' && g_utf8_validate (name, -1, NULL))
    g_signal_emit (self, signals[CATEGORY_ACTIVATED], 0, name);
}

static gboolean
decide_navigation (TalesArticleView       *self,
                   WebKitNavigationAction *action)
{
  WebKitURIRequest *request = webkit_navigation_action_get_request (action);
  const char *uri = webkit_uri_request_get_uri (request);
  WebKitNavigationType type = webkit_navigation_action_get_navigation_type (action);

  if (type == WEBKIT_NAVIGATION_TYPE_LINK_CLICKED)
    {
      if (g_str_has_prefix (uri, CATEGORY_LINK_SCHEME))
        {
          activate_category_link (self, uri);
          return FALSE;
        }
      /* Footnotes and other in-page anchors only scroll. */
      if (g_str_has_prefix (uri, TALES_ARTICLE_BASE_URI "#"))
        return TRUE;
      if (is_external_link (uri))
        open_in_browser (self, uri);
      return FALSE;
    }

  /* Empty frames are harmless and keep layouts from breaking. */
  if (g_strcmp0 (uri, "about:blank") == 0)
    return TRUE;

  if (self->expect_load && is_own_document (self, uri))
    {
      self->expect_load = FALSE;
      return TRUE;
    }

  return FALSE;
}

static gboolean
decide_policy_cb (WebKitWebView            *web_view,
                  WebKitPolicyDecision     *decision,
                  WebKitPolicyDecisionType  type,
                  TalesArticleView         *self)
{
  WebKitNavigationAction *action;

  if (type == WEBKIT_POLICY_DECISION_TYPE_RESPONSE)
    return FALSE;

  action = webkit_navigation_policy_decision_get_navigation_action (WEBKIT_NAVIGATION_POLICY_DECISION (decision));

  if (type == WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION)
    {
      /* target=_blank links still open, in the browser. */
      const char *uri = webkit_uri_request_get_uri (webkit_navigation_action_get_request (action));

      if (webkit_navigation_action_get_navigation_type (action) == WEBKIT_NAVIGATION_TYPE_LINK_CLICKED &&
          is_external_link (uri))
        open_in_browser (self, uri);
      webkit_policy_decision_ignore (decision);
      return TRUE;
    }

  if (decide_navigation (self, action))
    webkit_policy_decision_use (decision);
  else
    webkit_policy_decision_ignore (decision);
  return TRUE;
}

/* The document in flight is done (or given up on): load the next one, or
 * say the last one is shown. */
static void
load_finished (TalesArticleView *self)
{
  g_autofree char *queued = g_steal_pointer (&self->queued_html);

  stop_watchdogs (self);
  self->in_flight = FALSE;
  self->expect_load = FALSE;
  if (queued != NULL)
    {
      load_html_now (self, queued);
      return;
    }

  if (self->loading)
    {
      self->loading = FALSE;
      g_signal_emit (self, signals[LOADED], 0);
    }
}

static void
load_changed_cb (WebKitWebView    *web_view,
                 WebKitLoadEvent   event,
                 TalesArticleView *self)
{
  if (event == WEBKIT_LOAD_FINISHED)
    load_finished (self);
}

static void
show_fallback (TalesArticleView *self,
               const char       *description)
{
  self->loading = FALSE;
  adw_status_page_set_description (ADW_STATUS_PAGE (self->fallback), description);
  gtk_stack_set_visible_child (GTK_STACK (self->stack), self->fallback);
  g_signal_emit (self, signals[LOADED], 0);
}

static const char *
termination_description (TalesArticleView                  *self,
                         WebKitWebProcessTerminationReason  reason)
{
  if (self->stopped_hung)
    return _("It kept the page renderer busy for too long.");
  if (reason == WEBKIT_WEB_PROCESS_EXCEEDED_MEMORY_LIMIT)
    return _("It needed more memory than a post may use.");
  return _("The page renderer stopped while showing it.");
}

static void
web_process_terminated_cb (WebKitWebView                     *web_view,
                           WebKitWebProcessTerminationReason  reason,
                           TalesArticleView                  *self)
{
  g_autofree char *queued = g_steal_pointer (&self->queued_html);

  g_debug ("Web process terminated (reason %d)", reason);
  stop_watchdogs (self);
  g_clear_handle_id (&self->unresponsive, g_source_remove);
  self->in_flight = FALSE;
  self->expect_load = FALSE;

  /* A post chosen while the last one was loading never reached the dead
   * process: it gets a new one. The post that was on screen is never
   * rendered again by itself, since it would most likely kill the next
   * process too (an image bomb did, three times over); another post, or
   * the fallback's button, renders again. */
  if (queued != NULL)
    load_html_now (self, queued);
  else
    show_fallback (self, termination_description (self, reason));
  self->stopped_hung = FALSE;
}

static gboolean
unresponsive_cb (gpointer user_data)
{
  TalesArticleView *self = user_data;

  self->unresponsive = 0;
  stop_hung_process (self);
  return G_SOURCE_REMOVE;
}

static void
responsive_changed_cb (WebKitWebView    *web_view,
                       GParamSpec       *pspec,
                       TalesArticleView *self)
{
  if (webkit_web_view_get_is_web_process_responsive (web_view))
    g_clear_handle_id (&self->unresponsive, g_source_remove);
  else if (self->unresponsive == 0)
    self->unresponsive = g_timeout_add_seconds (WEB_PROCESS_UNRESPONSIVE_S, unresponsive_cb, self);
}

static gboolean
context_menu_cb (WebKitWebView       *web_view,
                 WebKitContextMenu   *menu,
                 WebKitHitTestResult *hit,
                 TalesArticleView    *self)
{
  GList *items = g_list_copy (webkit_context_menu_get_items (menu));

  /* Navigation entries make no sense for a single local document. */
  for (GList *l = items; l != NULL; l = l->next)
    {
      WebKitContextMenuItem *item = l->data;

      switch (webkit_context_menu_item_get_stock_action (item))
        {
        case WEBKIT_CONTEXT_MENU_ACTION_GO_BACK:
        case WEBKIT_CONTEXT_MENU_ACTION_GO_FORWARD:
        case WEBKIT_CONTEXT_MENU_ACTION_STOP:
        case WEBKIT_CONTEXT_MENU_ACTION_RELOAD:
        case WEBKIT_CONTEXT_MENU_ACTION_OPEN_LINK_IN_NEW_WINDOW:
        case WEBKIT_CONTEXT_MENU_ACTION_OPEN_IMAGE_IN_NEW_WINDOW:
        case WEBKIT_CONTEXT_MENU_ACTION_DOWNLOAD_LINK_TO_DISK:
        case WEBKIT_CONTEXT_MENU_ACTION_DOWNLOAD_IMAGE_TO_DISK:
        case WEBKIT_CONTEXT_MENU_ACTION_OPEN_FRAME_IN_NEW_WINDOW:
        case WEBKIT_CONTEXT_MENU_ACTION_INSPECT_ELEMENT:
          webkit_context_menu_remove (menu, item);
          break;
        default:
          break;
        }
    }
  g_list_free (items);

  return webkit_context_menu_get_n_items (menu) == 0;
}

/* Construction ------------------------------------------------------------ */

static WebKitSettings *
create_settings (void)
{
  WebKitSettings *settings = webkit_settings_new ();

  /* The page's own scripts never run (JavaScript markup is off, and the
   * sanitizer removed them anyway); the app's evaluate_javascript still
   * works, which the tests use to inspect the page. */
  webkit_settings_set_enable_javascript (settings, TRUE);
  webkit_settings_set_enable_javascript_markup (settings, FALSE);
  webkit_settings_set_javascript_can_open_windows_automatically (settings, FALSE);
  webkit_settings_set_enable_media (settings, FALSE);
  webkit_settings_set_enable_media_stream (settings, FALSE);
  webkit_settings_set_enable_mediasource (settings, FALSE);
  webkit_settings_set_enable_encrypted_media (settings, FALSE);
  webkit_settings_set_enable_webrtc (settings, FALSE);
  webkit_settings_set_enable_webgl (settings, FALSE);
  webkit_settings_set_enable_webaudio (settings, FALSE);
  webkit_settings_set_enable_html5_local_storage (settings, FALSE);
  webkit_settings_set_enable_html5_database (settings, FALSE);
  webkit_settings_set_enable_page_cache (settings, FALSE);
  webkit_settings_set_enable_developer_extras (settings, FALSE);
  webkit_settings_set_enable_back_forward_navigation_gestures (settings, FALSE);
  webkit_settings_set_allow_file_access_from_file_urls (settings, FALSE);
  webkit_settings_set_allow_universal_access_from_file_urls (settings, FALSE);
  webkit_settings_set_allow_top_navigation_to_data_urls (settings, FALSE);
  /* The text size preference and the zoom scale the words, not the
   * pictures, which already fit the column. */
  webkit_settings_set_zoom_text_only (settings, TRUE);

  return settings;
}

static WebKitNetworkSession *
create_network_session (void)
{
  WebKitNetworkSession *session = webkit_network_session_new_ephemeral ();
  WebKitNetworkProxySettings *proxy = webkit_network_proxy_settings_new (DEAD_PROXY_URI, NULL);

  webkit_network_session_set_proxy_settings (session, WEBKIT_NETWORK_PROXY_MODE_CUSTOM, proxy);
  webkit_network_proxy_settings_free (proxy);

  return session;
}

static WebKitMemoryPressureSettings *
create_memory_pressure_settings (void)
{
  WebKitMemoryPressureSettings *settings = webkit_memory_pressure_settings_new ();

  /* The kill threshold first: each setter checks the order of the three. */
  webkit_memory_pressure_settings_set_memory_limit (settings, WEB_PROCESS_MEMORY_LIMIT_MB);
  webkit_memory_pressure_settings_set_kill_threshold (settings, WEB_PROCESS_KILL_THRESHOLD);
  webkit_memory_pressure_settings_set_strict_threshold (settings, WEB_PROCESS_STRICT_THRESHOLD);
  webkit_memory_pressure_settings_set_conservative_threshold (settings, WEB_PROCESS_CONSERVATIVE_THRESHOLD);
  webkit_memory_pressure_settings_set_poll_interval (settings, WEB_PROCESS_MEMORY_POLL_S);

  return settings;
}

static WebKitWebContext *
create_web_context (SchemeData *scheme)
{
  WebKitMemoryPressureSettings *memory = create_memory_pressure_settings ();
  WebKitWebContext *context = g_object_new (WEBKIT_TYPE_WEB_CONTEXT,
                                            "memory-pressure-settings", memory,
                                            NULL);
  WebKitSecurityManager *security = webkit_web_context_get_security_manager (context);

  webkit_memory_pressure_settings_free (memory);

  webkit_web_context_set_cache_model (context, WEBKIT_CACHE_MODEL_DOCUMENT_VIEWER);
  webkit_web_context_register_uri_scheme (context, TALES_IMAGE_SCHEME, image_scheme_cb,
                                          g_atomic_rc_box_acquire (scheme), scheme_data_unref);
  webkit_security_manager_register_uri_scheme_as_secure (security, TALES_IMAGE_SCHEME);
  webkit_security_manager_register_uri_scheme_as_local (security, TALES_IMAGE_SCHEME);

  return context;
}

static void
create_web_view (TalesArticleView *self)
{
  g_autoptr(WebKitWebContext) context = create_web_context (self->scheme);
  g_autoptr(WebKitNetworkSession) session = create_network_session ();
  g_autoptr(WebKitSettings) settings = create_settings ();

  self->content_manager = webkit_user_content_manager_new ();
  self->web_view = g_object_new (WEBKIT_TYPE_WEB_VIEW,
                                 "web-context", context,
                                 "network-session", session,
                                 "settings", settings,
                                 "user-content-manager", self->content_manager,
                                 "default-content-security-policy", TALES_ARTICLE_CSP,
                                 "hexpand", TRUE,
                                 "vexpand", TRUE,
                                 NULL);

  /* No white flash in dark mode: the pane's own colour shows until the
   * page (which follows light and dark itself) is drawn. */
  webkit_web_view_set_background_color (self->web_view, &(GdkRGBA) { 0, 0, 0, 0 });

  g_signal_connect_object (self->web_view, "decide-policy", G_CALLBACK (decide_policy_cb), self, 0);
  g_signal_connect_object (self->web_view, "load-changed", G_CALLBACK (load_changed_cb), self, 0);
  g_signal_connect_object (self->web_view, "web-process-terminated",
                           G_CALLBACK (web_process_terminated_cb), self, 0);
  g_signal_connect_object (self->web_view, "notify::is-web-process-responsive",
                           G_CALLBACK (responsive_changed_cb), self, 0);
  g_signal_connect_object (self->web_view, "context-menu", G_CALLBACK (context_menu_cb), self, 0);
}

/* The reader asked for this post again: render it, in a new process. */
static void
retry_clicked_cb (TalesArticleView *self)
{
  if (self->post != NULL)
    tales_article_view_show_post (self, self->post);
}

static GtkWidget *
create_fallback (TalesArticleView *self)
{
  GtkWidget *retry = gtk_button_new_with_mnemonic (_("_Try Again"));

  gtk_widget_set_halign (retry, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (retry, "pill");
  g_signal_connect_object (retry, "clicked", G_CALLBACK (retry_clicked_cb), self, G_CONNECT_SWAPPED);

  return g_object_new (ADW_TYPE_STATUS_PAGE,
                       "icon-name", "dialog-warning-symbolic",
                       "title", _("This Post Could Not Be Displayed"),
                       "description", _("The page renderer stopped while showing it."),
                       "child", retry,
                       NULL);
}

static void
tales_article_view_dispose (GObject *object)
{
  TalesArticleView *self = TALES_ARTICLE_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  stop_watchdogs (self);
  g_clear_handle_id (&self->unresponsive, g_source_remove);
  g_clear_pointer (&self->stack, gtk_widget_unparent);
  self->web_view = NULL;
  self->fallback = NULL;
  g_clear_object (&self->content_manager);
  g_clear_object (&self->post);
  if (self->scheme != NULL)
    g_clear_object (&self->scheme->cache);

  G_OBJECT_CLASS (tales_article_view_parent_class)->dispose (object);
}

static void
tales_article_view_finalize (GObject *object)
{
  TalesArticleView *self = TALES_ARTICLE_VIEW (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->scheme, scheme_data_unref);
  g_clear_pointer (&self->queued_html, g_free);

  G_OBJECT_CLASS (tales_article_view_parent_class)->finalize (object);
}

static void
tales_article_view_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  TalesArticleView *self = TALES_ARTICLE_VIEW (object);

  switch (prop_id)
    {
    case PROP_IMAGE_CACHE:
      g_value_set_object (value, tales_article_view_get_image_cache (self));
      break;
    case PROP_FONT_SCALE:
      g_value_set_double (value, tales_article_view_get_font_scale (self));
      break;
    case PROP_ZOOM:
      g_value_set_double (value, tales_article_view_get_zoom (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tales_article_view_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  TalesArticleView *self = TALES_ARTICLE_VIEW (object);

  switch (prop_id)
    {
    case PROP_IMAGE_CACHE:
      tales_article_view_set_image_cache (self, g_value_get_object (value));
      break;
    case PROP_FONT_SCALE:
      tales_article_view_set_font_scale (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tales_article_view_class_init (TalesArticleViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tales_article_view_dispose;
  object_class->finalize = tales_article_view_finalize;
  object_class->get_property = tales_article_view_get_property;
  object_class->set_property = tales_article_view_set_property;

  properties[PROP_IMAGE_CACHE] =
    g_param_spec_object ("image-cache", NULL, NULL,
                         TALES_TYPE_IMAGE_CACHE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FONT_SCALE] =
    g_param_spec_double ("font-scale", NULL, NULL, 0.5, 3.0, 1.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL, 0.5, 3.0, 1.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TalesArticleView::loaded:
   *
   * The post passed to tales_article_view_show_post() finished loading
   * (or could not be shown, and the fallback page is up).
   */
  signals[LOADED] = g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * TalesArticleView::category-activated:
   * @name: the category, as the post spells it
   *
   * A category chip (a tales-category:NAME link) was clicked.
   */
  signals[CATEGORY_ACTIVATED] = g_signal_new ("category-activated", G_TYPE_FROM_CLASS (klass),
                                              G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                              G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "articleview");
}

static void
tales_article_view_init (TalesArticleView *self)
{
  self->cancellable = g_cancellable_new ();
  self->scheme = g_atomic_rc_box_new0 (SchemeData);
  self->font_scale = 1.0;
  self->zoom = 1.0;

  create_web_view (self);
  self->fallback = create_fallback (self);

  self->stack = gtk_stack_new ();
  gtk_stack_add_child (GTK_STACK (self->stack), GTK_WIDGET (self->web_view));
  gtk_stack_add_child (GTK_STACK (self->stack), self->fallback);
  gtk_widget_set_parent (self->stack, GTK_WIDGET (self));

  compile_content_filter (self);
}

GtkWidget *
tales_article_view_new (TalesImageCache *cache)
{
  g_return_val_if_fail (cache == NULL || TALES_IS_IMAGE_CACHE (cache), NULL);

  return g_object_new (TALES_TYPE_ARTICLE_VIEW, "image-cache", cache, NULL);
}

TalesImageCache *
tales_article_view_get_image_cache (TalesArticleView *self)
{
  g_return_val_if_fail (TALES_IS_ARTICLE_VIEW (self), NULL);

  return self->scheme->cache;
}

void
tales_article_view_set_image_cache (TalesArticleView *self,
                                    TalesImageCache  *cache)
{
  g_return_if_fail (TALES_IS_ARTICLE_VIEW (self));
  g_return_if_fail (cache == NULL || TALES_IS_IMAGE_CACHE (cache));

  if (g_set_object (&self->scheme->cache, cache))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IMAGE_CACHE]);
}

void
tales_article_view_show_post (TalesArticleView *self,
                              TalesPost        *post)
{
  g_autofree char *html = NULL;

  g_return_if_fail (TALES_IS_ARTICLE_VIEW (self));
  g_return_if_fail (TALES_IS_POST (post));

  g_set_object (&self->post, post);
  html = tales_article_render (post);
  load_html (self, html);
}

TalesPost *
tales_article_view_get_post (TalesArticleView *self)
{
  g_return_val_if_fail (TALES_IS_ARTICLE_VIEW (self), NULL);

  return self->post;
}

gboolean
tales_article_view_is_loading (TalesArticleView *self)
{
  g_return_val_if_fail (TALES_IS_ARTICLE_VIEW (self), FALSE);

  return self->loading;
}

WebKitWebView *
tales_article_view_get_web_view (TalesArticleView *self)
{
  g_return_val_if_fail (TALES_IS_ARTICLE_VIEW (self), NULL);

  return self->web_view;
}

void
_tales_article_view_load_raw_html (TalesArticleView *self,
                                   const char       *html)
{
  g_return_if_fail (TALES_IS_ARTICLE_VIEW (self));
  g_return_if_fail (html != NULL);

  g_clear_object (&self->post);
  load_html (self, html);
}

double
tales_article_view_get_font_scale (TalesArticleView *self)
{
  g_return_val_if_fail (TALES_IS_ARTICLE_VIEW (self), 1.0);

  return self->font_scale;
}

/* The text is the preference's size times the session's zoom. */
static void
apply_zoom (TalesArticleView *self)
{
  webkit_web_view_set_zoom_level (self->web_view, CLAMP (self->font_scale * self->zoom, 0.25, 5.0));
}

void
tales_article_view_set_font_scale (TalesArticleView *self,
                                   double            scale)
{
  g_return_if_fail (TALES_IS_ARTICLE_VIEW (self));

  scale = CLAMP (scale, 0.5, 3.0);
  if (G_APPROX_VALUE (self->font_scale, scale, 0.001))
    return;
  self->font_scale = scale;
  apply_zoom (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FONT_SCALE]);
}

double
tales_article_view_get_zoom (TalesArticleView *self)
{
  g_return_val_if_fail (TALES_IS_ARTICLE_VIEW (self), 1.0);

  return self->zoom;
}

static void
set_zoom (TalesArticleView *self,
          double            zoom)
{
  if (G_APPROX_VALUE (self->zoom, zoom, 0.001))
    return;
  self->zoom = zoom;
  apply_zoom (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
}

void
tales_article_view_zoom_in (TalesArticleView *self)
{
  g_return_if_fail (TALES_IS_ARTICLE_VIEW (self));

  for (guint i = 0; i < G_N_ELEMENTS (zoom_steps); i++)
    if (zoom_steps[i] > self->zoom + 0.001)
      {
        set_zoom (self, zoom_steps[i]);
        return;
      }
}

void
tales_article_view_zoom_out (TalesArticleView *self)
{
  g_return_if_fail (TALES_IS_ARTICLE_VIEW (self));

  for (guint i = G_N_ELEMENTS (zoom_steps); i > 0; i--)
    if (zoom_steps[i - 1] < self->zoom - 0.001)
      {
        set_zoom (self, zoom_steps[i - 1]);
        return;
      }
}

void
tales_article_view_zoom_reset (TalesArticleView *self)
{
  g_return_if_fail (TALES_IS_ARTICLE_VIEW (self));

  set_zoom (self, 1.0);
}
