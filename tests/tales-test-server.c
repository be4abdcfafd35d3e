/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "tales-test-server.h"
#include "tales-test-utils.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <string.h>

#ifdef TALES_TEST_ASAN
/* GLib is built without frame pointers, so ASan's fast unwinder often
 * loses the stack of an allocation, and lsan.supp's known GLib leaks
 * (g_set_user_dirs) then go unrecognised. The slow unwinder sees them. */
const char *__asan_default_options (void);
const char *
__asan_default_options (void)
{
  return "fast_unwind_on_malloc=0";
}
#endif

typedef enum {
  ROUTE_BODY,
  ROUTE_STATUS,
  ROUTE_SILENT,
  ROUTE_REDIRECT,
  ROUTE_DELAYED,
} RouteKind;

typedef struct {
  RouteKind kind;
  char *content_type;
  GBytes *body;
  guint status;
  char *etag;
  char *location;
  gboolean chunked;
  guint delay_ms;
  SoupMessageHeaders *extra_headers;   /* nullable: added to every answer */
  guint hits;
  SoupMessageHeaders *last_headers;
} Route;

struct _TalesTestServer {
  SoupServer *server;
  char *base;
  GHashTable *routes;      /* path -> Route */
  guint total_hits;
  GPtrArray *held;         /* SoupServerMessage paused forever */
  GPtrArray *delayed;      /* Delayed, waiting for their timer */
  guint in_flight;
  guint max_in_flight;
};

/* A delayed request waiting for its answer. */
typedef struct {
  TalesTestServer *server;
  Route *route;
  SoupServerMessage *msg;
  guint timeout_id;
} Delayed;

static void
route_free (Route *route)
{
  g_free (route->content_type);
  g_clear_pointer (&route->body, g_bytes_unref);
  g_free (route->etag);
  g_free (route->location);
  g_clear_pointer (&route->last_headers, soup_message_headers_unref);
  g_clear_pointer (&route->extra_headers, soup_message_headers_unref);
  g_free (route);
}

/* The same fixed date for every body: enough for If-Modified-Since. */
#define LAST_MODIFIED "Wed, 01 Jan 2025 00:00:00 GMT"

static void
serve_body (Route *route, SoupServerMessage *msg, SoupMessageHeaders *request)
{
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);
  const char *if_none_match = soup_message_headers_get_one (request, "If-None-Match");
  const char *if_modified_since = soup_message_headers_get_one (request, "If-Modified-Since");

  soup_message_headers_replace (response, "ETag", route->etag);
  soup_message_headers_replace (response, "Last-Modified", LAST_MODIFIED);

  /* As RFC 9110 says: If-None-Match, when sent, decides alone. */
  if (if_none_match != NULL ? g_strcmp0 (if_none_match, route->etag) == 0
                            : g_strcmp0 (if_modified_since, LAST_MODIFIED) == 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_MODIFIED, NULL);
      return;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  if (route->chunked)
    {
      SoupMessageBody *body = soup_server_message_get_response_body (msg);
      gsize size = g_bytes_get_size (route->body);
      const guint8 *data = g_bytes_get_data (route->body, NULL);

      soup_message_headers_set_encoding (response, SOUP_ENCODING_CHUNKED);
      soup_message_headers_set_content_type (response, route->content_type, NULL);
      for (gsize offset = 0; offset < size; offset += 4096)
        soup_message_body_append (body, SOUP_MEMORY_COPY, data + offset, MIN (4096, size - offset));
      soup_message_body_complete (body);
      return;
    }
  soup_server_message_set_response (msg, route->content_type, SOUP_MEMORY_COPY,
                                    g_bytes_get_data (route->body, NULL),
                                    g_bytes_get_size (route->body));
}

static void
add_extra_headers (Route *route, SoupServerMessage *msg)
{
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);
  SoupMessageHeadersIter iter;
  const char *name, *value;

  if (route->extra_headers == NULL)
    return;
  soup_message_headers_iter_init (&iter, route->extra_headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    soup_message_headers_replace (response, name, value);
}

static void
delayed_answer (Delayed *delayed)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (delayed->msg);

  serve_body (delayed->route, delayed->msg, request);
  add_extra_headers (delayed->route, delayed->msg);
  soup_server_message_unpause (delayed->msg);
  delayed->server->in_flight--;
}

static void
delayed_free (Delayed *delayed)
{
  if (delayed->timeout_id != 0)
    {
      g_source_remove (delayed->timeout_id);
      delayed_answer (delayed);
    }
  g_object_unref (delayed->msg);
  g_free (delayed);
}

static gboolean
delayed_cb (gpointer user_data)
{
  Delayed *delayed = user_data;

  delayed->timeout_id = 0;
  delayed_answer (delayed);
  g_ptr_array_remove_fast (delayed->server->delayed, delayed);
  return G_SOURCE_REMOVE;
}

static void
hold_delayed (TalesTestServer *self, Route *route, SoupServerMessage *msg)
{
  Delayed *delayed = g_new0 (Delayed, 1);

  delayed->server = self;
  delayed->route = route;
  delayed->msg = g_object_ref (msg);
  soup_server_message_pause (msg);
  self->in_flight++;
  self->max_in_flight = MAX (self->max_in_flight, self->in_flight);
  delayed->timeout_id = g_timeout_add (route->delay_ms, delayed_cb, delayed);
  g_ptr_array_add (self->delayed, delayed);
}

static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  TalesTestServer *self = user_data;
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  Route *route = g_hash_table_lookup (self->routes, path);

  self->total_hits++;
  if (route == NULL)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  route->hits++;
  g_clear_pointer (&route->last_headers, soup_message_headers_unref);
  route->last_headers = soup_message_headers_ref (request);

  switch (route->kind)
    {
    case ROUTE_BODY:
      serve_body (route, msg, request);
      break;
    case ROUTE_STATUS:
      soup_server_message_set_status (msg, route->status, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "nope", 4);
      break;
    case ROUTE_SILENT:
      soup_server_message_pause (msg);
      g_ptr_array_add (self->held, g_object_ref (msg));
      break;
    case ROUTE_REDIRECT:
      soup_server_message_set_redirect (msg, route->status, route->location);
      break;
    case ROUTE_DELAYED:
      hold_delayed (self, route, msg);
      return;
    }
  add_extra_headers (route, msg);
}

TalesTestServer *
tales_test_server_new (void)
{
  TalesTestServer *self = g_new0 (TalesTestServer, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  self->routes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) route_free);
  self->held = g_ptr_array_new_with_free_func (g_object_unref);
  self->delayed = g_ptr_array_new_with_free_func ((GDestroyNotify) delayed_free);
  self->server = soup_server_new ("server-header", "tales-test", NULL);
  soup_server_add_handler (self->server, NULL, handler_cb, self, NULL);
  soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (self->server);
  g_assert_nonnull (uris);
  {
    GUri *uri = uris->data;
    self->base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uri));
  }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return self;
}

void
tales_test_server_free (TalesTestServer *self)
{
  if (self == NULL)
    return;
  tales_test_server_stop (self);
  g_ptr_array_unref (self->held);
  g_ptr_array_unref (self->delayed);
  g_clear_object (&self->server);
  g_hash_table_unref (self->routes);
  g_free (self->base);
  g_free (self);
}

const char *
tales_test_server_get_base (TalesTestServer *self)
{
  return self->base;
}

char *
tales_test_server_url (TalesTestServer *self, const char *path)
{
  return g_strconcat (self->base, path, NULL);
}

static Route *
add_route (TalesTestServer *self, const char *path, RouteKind kind)
{
  Route *route = g_new0 (Route, 1);

  route->kind = kind;
  g_hash_table_replace (self->routes, g_strdup (path), route);
  return route;
}

void
tales_test_server_add_bytes (TalesTestServer *self, const char *path,
                             const char *content_type, GBytes *body)
{
  Route *route = add_route (self, path, ROUTE_BODY);
  g_autofree char *hash = g_compute_checksum_for_bytes (G_CHECKSUM_SHA1, body);

  route->content_type = g_strdup (content_type);
  route->body = g_bytes_ref (body);
  route->etag = g_strdup_printf ("\"%s\"", hash);
}

void
tales_test_server_add_string (TalesTestServer *self, const char *path,
                              const char *content_type, const char *body)
{
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

  tales_test_server_add_bytes (self, path, content_type, bytes);
}

void
tales_test_server_add_file (TalesTestServer *self, const char *path,
                            const char *content_type, const char *filename)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;
  g_autoptr(GBytes) bytes = NULL;

  g_file_get_contents (filename, &contents, &length, &error);
  g_assert_no_error (error);
  bytes = g_bytes_new_take (contents, length);
  tales_test_server_add_bytes (self, path, content_type, bytes);
}

void
tales_test_server_add_chunked (TalesTestServer *self, const char *path,
                               const char *content_type, GBytes *body)
{
  Route *route;

  tales_test_server_add_bytes (self, path, content_type, body);
  route = g_hash_table_lookup (self->routes, path);
  route->chunked = TRUE;
}

void
tales_test_server_add_redirect (TalesTestServer *self, const char *path,
                                guint status, const char *location)
{
  Route *route = add_route (self, path, ROUTE_REDIRECT);

  route->status = status;
  route->location = g_strdup (location);
}

void
tales_test_server_add_status (TalesTestServer *self, const char *path, guint status)
{
  add_route (self, path, ROUTE_STATUS)->status = status;
}

void
tales_test_server_add_silent (TalesTestServer *self, const char *path)
{
  add_route (self, path, ROUTE_SILENT);
}

void
tales_test_server_add_delayed (TalesTestServer *self, const char *path,
                               const char *content_type, const char *body,
                               guint delay_ms)
{
  Route *route;

  tales_test_server_add_string (self, path, content_type, body);
  route = g_hash_table_lookup (self->routes, path);
  route->kind = ROUTE_DELAYED;
  route->delay_ms = delay_ms;
}

void
tales_test_server_add_header (TalesTestServer *self, const char *path,
                              const char *name, const char *value)
{
  Route *route = g_hash_table_lookup (self->routes, path);

  g_assert_nonnull (route);
  if (route->extra_headers == NULL)
    route->extra_headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  soup_message_headers_replace (route->extra_headers, name, value);
}

guint
tales_test_server_max_in_flight (TalesTestServer *self)
{
  return self->max_in_flight;
}

guint
tales_test_server_hits (TalesTestServer *self, const char *path)
{
  Route *route;

  if (path == NULL)
    return self->total_hits;
  route = g_hash_table_lookup (self->routes, path);
  return route ? route->hits : 0;
}

const char *
tales_test_server_last_header (TalesTestServer *self, const char *path, const char *header)
{
  Route *route = g_hash_table_lookup (self->routes, path);

  if (route == NULL || route->last_headers == NULL)
    return NULL;
  return soup_message_headers_get_one (route->last_headers, header);
}

void
tales_test_server_stop (TalesTestServer *self)
{
  /* Unpause what was held so libsoup can tear the connections down. */
  for (guint i = 0; i < self->held->len; i++)
    {
      SoupServerMessage *msg = g_ptr_array_index (self->held, i);
      soup_server_message_set_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
      soup_server_message_unpause (msg);
    }
  g_ptr_array_set_size (self->held, 0);
  /* Answers what was delayed, now. */
  g_ptr_array_set_size (self->delayed, 0);
  if (self->server)
    soup_server_disconnect (self->server);
}

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Under AddressSanitizer every allocation records its whole stack (see
 * ASAN_OPTIONS in tests/meson.build): work takes many times longer, so the
 * bounds on waiting stretch with it. */
#ifdef TALES_TEST_ASAN
#define WAIT_SCALE 10
#else
#define WAIT_SCALE 1
#endif

void
tales_test_wait_for (gboolean *flag, guint timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms * WAIT_SCALE, timeout_cb, &timed_out);

  while (!*flag && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  g_assert_false (timed_out);
}

static void
refreshed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TalesTestRefresh *refresh = user_data;

  refresh->ok = tales_feed_refresh_finish (result, &refresh->report, &refresh->error);
  refresh->done = TRUE;
}

void
tales_test_refresh_start (TalesTestRefresh *refresh, TalesStore *store, TalesFetcher *fetcher,
                          TalesImageCache *images, const char *url)
{
  memset (refresh, 0, sizeof *refresh);
  tales_feed_refresh_async (store, fetcher, images, url, NULL, refreshed_cb, refresh);
}

void
tales_test_refresh_wait (TalesTestRefresh *refresh)
{
  tales_test_wait_for (&refresh->done, 30000);
  g_assert_true (refresh->ok == (refresh->error == NULL));
}

GBytes *
tales_test_make_image (int width, int height, guint32 rgb, const char *format)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  g_autoptr(GError) error = NULL;
  char *buffer = NULL;
  gsize size = 0;

  gdk_pixbuf_fill (pixbuf, (rgb << 8) | 0xff);
  gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, format, &error, NULL);
  g_assert_no_error (error);
  return g_bytes_new_take (buffer, size);
}
