/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-fetcher"

#include "config.h"

#include "tales-fetcher.h"
#include "tales-compat.h"
#include "tales-handoff-stream.h"
#include "tales-uri.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

/* No progress (no answer, no next bytes) for this long ends a download. */
#define DEFAULT_TIMEOUT_SECONDS 30

/* What one download of each kind may take, whatever the server does: a
 * deadline from the request to the last byte, so that a server sending a
 * byte a second cannot hold a refresh slot for days, and a cap on the
 * bytes after content decoding. The README quotes these numbers. */
/* A feed is streamed to the parser and never held whole, but a whole one
 * (discovery, OPML) is: one cap for both. */
#define FEED_DEADLINE_SECONDS 120
#define FEED_MAX_BYTES ((gsize) 50 * 1024 * 1024)
/* A photo is rarely over a few MiB; 16 MiB leaves room for large ones. */
#define IMAGE_DEADLINE_SECONDS 60
#define IMAGE_MAX_BYTES ((gsize) 16 * 1024 * 1024)
/* A full-article web page (HTML only, its images are fetched as images). */
#define PAGE_DEADLINE_SECONDS 60
#define PAGE_MAX_BYTES ((gsize) 10 * 1024 * 1024)
/* What may wait between the network and a slower reader of a stream. */
#define HANDOFF_CAPACITY (1024 * 1024)
#define IDLE_TIMEOUT_SECONDS 60
#define MAX_CONNS_PER_HOST 4
#define READ_CHUNK (64 * 1024)
#define RESOURCE_PREFIX_URI "resource://"
/* libsoup 3.2 has no name for it (RFC 6585). */
#define STATUS_TOO_MANY_REQUESTS 429

/* Server hints capped at a day, so that a misconfigured server (a
 * max-age of a year is common on static files) cannot silence a feed. */
#define MAX_HINT_SECONDS (24 * 60 * 60)
/* Feeds first; images and pages are still welcome for the image cache
 * and for discovery. */
#define ACCEPT_HEADER "application/rss+xml, application/atom+xml, application/feed+json, " \
                      "application/xml;q=0.9, */*;q=0.8"
#define ACCEPT_IMAGE_HEADER "image/*, */*;q=0.8"
#define ACCEPT_PAGE_HEADER "text/html, application/xhtml+xml;q=0.9, */*;q=0.8"

/* TALES_FETCH_ERROR errors carry the server's Retry-After, so that the
 * refresh can honour it without a side channel. */
typedef struct {
  guint retry_after;
} TalesFetchErrorPrivate;

static void
tales_fetch_error_private_init (TalesFetchErrorPrivate *priv)
{
  priv->retry_after = 0;
}

static void
tales_fetch_error_private_copy (const TalesFetchErrorPrivate *src,
                                TalesFetchErrorPrivate       *dest)
{
  dest->retry_after = src->retry_after;
}

static void
tales_fetch_error_private_clear (TalesFetchErrorPrivate *priv)
{
  priv->retry_after = 0;
}

G_DEFINE_EXTENDED_ERROR (TalesFetchError, tales_fetch_error)

/**
 * tales_fetch_error_get_retry_after:
 * @error: (nullable): any error
 *
 * Returns: the seconds a 429 or 503 asked to wait, or 0
 */
guint
tales_fetch_error_get_retry_after (const GError *error)
{
  if (error == NULL || error->domain != TALES_FETCH_ERROR)
    return 0;
  return tales_fetch_error_get_private (error)->retry_after;
}

struct _TalesFetcher
{
  GObject parent_instance;

  SoupSession *session;
  guint timeout;
  gsize max_bytes[TALES_FETCH_N_KINDS];
  guint deadline[TALES_FETCH_N_KINDS];
};

G_DEFINE_FINAL_TYPE (TalesFetcher, tales_fetcher, G_TYPE_OBJECT)

/* One fetch in flight. */
typedef struct {
  char *display_url;   /* the URL as error sentences name it: no password */
  SoupMessage *msg;
  GInputStream *stream;
  GByteArray *buffer;
  /* A streamed fetch: the body goes there instead of into @buffer, and
   * the reading goes on after the task returned. */
  TalesHandoffStream *handoff;
  gsize received;
  gsize max_bytes;
  guint timeout;
  /* Our own timers: libsoup's "timeout" only reaches new connections,
   * and a kept-alive one would wait with the old value. Each step must
   * make progress within @timeout seconds, and the whole download end
   * by @deadline_at, or @cancellable fires. */
  guint deadline;          /* seconds; 0: none */
  gint64 deadline_at;      /* monotonic time; 0: none */
  gint64 paused_at;        /* when a stream's reader fell behind, else 0 */
  GCancellable *cancellable;
  GCancellable *caller_cancellable;
  gulong caller_handler;
  GSource *timer;
  gboolean timer_is_deadline;
  gboolean timed_out;
  gboolean deadline_passed;
  gboolean streamed;   /* tales_fetcher_fetch_stream_async() */
  TalesFetchKind kind;
  /* Redirects, as libsoup follows them. */
  guint redirect_status;   /* of the answer being followed, else 0 */
  gboolean redirected;
  gboolean temporary_seen; /* a 302, 303 or 307 on the way */
  char *permanent_url;
} FetchData;

static void
stop_timer (FetchData *data)
{
  if (data->timer != NULL)
    {
      g_source_destroy (data->timer);
      g_clear_pointer (&data->timer, g_source_unref);
    }
}

static void
fetch_data_free (FetchData *data)
{
  stop_timer (data);
  if (data->caller_handler != 0)
    g_cancellable_disconnect (data->caller_cancellable, data->caller_handler);
  g_clear_object (&data->caller_cancellable);
  g_clear_object (&data->cancellable);
  g_free (data->display_url);
  g_free (data->permanent_url);
  if (data->msg != NULL)
    g_signal_handlers_disconnect_by_data (data->msg, data);
  g_clear_object (&data->msg);
  g_clear_object (&data->stream);
  g_clear_pointer (&data->buffer, g_byte_array_unref);
  if (data->handoff != NULL && !tales_handoff_stream_is_finished (data->handoff))
    {
      /* Never leave a reader waiting for bytes that cannot come. */
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                     "The fetch was abandoned.");

      tales_handoff_stream_finish (data->handoff, error);
    }
  g_clear_object (&data->handoff);
  g_free (data);
}

void
tales_fetch_result_free (TalesFetchResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->body, g_bytes_unref);
  g_clear_object (&result->stream);
  g_free (result->content_type);
  g_free (result->etag);
  g_free (result->last_modified);
  g_free (result->final_url);
  g_free (result->permanent_url);
  g_free (result);
}

static void
tales_fetcher_finalize (GObject *object)
{
  TalesFetcher *self = TALES_FETCHER (object);

  g_clear_object (&self->session);

  G_OBJECT_CLASS (tales_fetcher_parent_class)->finalize (object);
}

static void
tales_fetcher_class_init (TalesFetcherClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tales_fetcher_finalize;
}

static void
tales_fetcher_init (TalesFetcher *self)
{
  self->timeout = DEFAULT_TIMEOUT_SECONDS;
  self->max_bytes[TALES_FETCH_FEED] = FEED_MAX_BYTES;
  self->deadline[TALES_FETCH_FEED] = FEED_DEADLINE_SECONDS;
  self->max_bytes[TALES_FETCH_IMAGE] = IMAGE_MAX_BYTES;
  self->deadline[TALES_FETCH_IMAGE] = IMAGE_DEADLINE_SECONDS;
  self->max_bytes[TALES_FETCH_PAGE] = PAGE_MAX_BYTES;
  self->deadline[TALES_FETCH_PAGE] = PAGE_DEADLINE_SECONDS;
  /* A few connections per host: a feed's images usually share one CDN,
   * and a reader has no reason to hammer it. */
  self->session = soup_session_new_with_options (
      "timeout", self->timeout,
      "idle-timeout", IDLE_TIMEOUT_SECONDS,
      "max-conns-per-host", MAX_CONNS_PER_HOST,
      "user-agent", "Tales/" PACKAGE_VERSION " (+https://github.com/talesreader/tales)",
      NULL);
}

/**
 * tales_fetcher_new:
 *
 * Returns: (transfer full): a fetcher with a 30 second no-progress
 *   timeout, and per kind a deadline and a size cap: feeds 120 s and
 *   50 MiB, images 60 s and 16 MiB, pages 60 s and 10 MiB
 */
TalesFetcher *
tales_fetcher_new (void)
{
  return g_object_new (TALES_TYPE_FETCHER, NULL);
}

void
tales_fetcher_set_timeout (TalesFetcher *self, guint seconds)
{
  g_return_if_fail (TALES_IS_FETCHER (self));

  self->timeout = seconds;
  g_object_set (self->session, "timeout", seconds, NULL);
}

void
tales_fetcher_set_max_bytes (TalesFetcher *self, gsize max_bytes)
{
  g_return_if_fail (TALES_IS_FETCHER (self));

  for (guint i = 0; i < TALES_FETCH_N_KINDS; i++)
    self->max_bytes[i] = max_bytes;
}

gsize
tales_fetcher_get_kind_max_bytes (TalesFetcher *self, TalesFetchKind kind)
{
  g_return_val_if_fail (TALES_IS_FETCHER (self), 0);
  g_return_val_if_fail (kind < TALES_FETCH_N_KINDS, 0);

  return self->max_bytes[kind];
}

void
tales_fetcher_set_deadline (TalesFetcher *self, TalesFetchKind kind, guint seconds)
{
  g_return_if_fail (TALES_IS_FETCHER (self));
  g_return_if_fail (kind < TALES_FETCH_N_KINDS);

  self->deadline[kind] = seconds;
}

guint
tales_fetcher_get_deadline (TalesFetcher *self, TalesFetchKind kind)
{
  g_return_val_if_fail (TALES_IS_FETCHER (self), 0);
  g_return_val_if_fail (kind < TALES_FETCH_N_KINDS, 0);

  return self->deadline[kind];
}

/* The deadline */

static gboolean
timeout_cb (gpointer user_data)
{
  FetchData *data = user_data;

  data->timed_out = TRUE;
  data->deadline_passed = data->timer_is_deadline;
  g_clear_pointer (&data->timer, g_source_unref);
  g_cancellable_cancel (data->cancellable);
  return G_SOURCE_REMOVE;
}

/* (Re)starts the timer before each step that waits on the server: it
 * fires after @timeout seconds without progress, or at the overall
 * deadline, whichever comes first. */
static void
restart_timer (FetchData *data)
{
  gint64 wait = G_MAXINT64;

  stop_timer (data);
  if (data->timeout > 0)
    wait = (gint64) data->timeout * G_USEC_PER_SEC;
  data->timer_is_deadline = FALSE;
  if (data->deadline_at > 0 && data->deadline_at - g_get_monotonic_time () < wait)
    {
      wait = MAX (data->deadline_at - g_get_monotonic_time (), 0);
      data->timer_is_deadline = TRUE;
    }
  if (wait == G_MAXINT64)
    return;
  data->timer = g_timeout_source_new ((guint) MIN (wait / 1000, G_MAXUINT));
  g_source_set_callback (data->timer, timeout_cb, data, NULL);
  g_source_set_static_name (data->timer, "[tales] fetch timeout");
  g_source_attach (data->timer, g_main_context_get_thread_default ());
}

static void
caller_cancelled_cb (GCancellable *caller, GCancellable *ours)
{
  g_cancellable_cancel (ours);
}

static void
setup_cancellation (FetchData *data, GCancellable *caller)
{
  data->cancellable = g_cancellable_new ();
  if (caller == NULL)
    return;
  data->caller_cancellable = g_object_ref (caller);
  data->caller_handler = g_cancellable_connect (caller, G_CALLBACK (caller_cancelled_cb),
                                                data->cancellable, NULL);
}

/* Errors */

static GError *
timeout_error (FetchData *data)
{
  if (data->deadline_passed)
    return g_error_new (TALES_FETCH_ERROR, TALES_FETCH_ERROR_TIMEOUT,
                        g_dngettext (GETTEXT_PACKAGE,
                                     "%s took longer than %u second to download.",
                                     "%s took longer than %u seconds to download.",
                                     data->deadline),
                        data->display_url, data->deadline);
  return g_error_new (TALES_FETCH_ERROR, TALES_FETCH_ERROR_TIMEOUT,
                      g_dngettext (GETTEXT_PACKAGE,
                                   "The server at %s did not answer in %u second.",
                                   "The server at %s did not answer in %u seconds.",
                                   data->timeout),
                      data->display_url, data->timeout);
}

static GError *
too_large_error (FetchData *data)
{
  /* In MiB, as the README states the caps. */
  g_autofree char *size = g_format_size_full (data->max_bytes, G_FORMAT_SIZE_IEC_UNITS);

  return g_error_new (TALES_FETCH_ERROR, TALES_FETCH_ERROR_TOO_LARGE,
                      _("The answer from %s is larger than %s, the most Tales accepts."),
                      data->display_url, size);
}

/* Server hints */

/* Cache-Control: max-age=N, in seconds (capped); 0 when absent. */
static guint
parse_max_age (SoupMessageHeaders *headers)
{
  const char *value = soup_message_headers_get_list (headers, "Cache-Control");
  g_autoptr(GHashTable) params = NULL;
  const char *max_age;
  guint64 seconds = 0;

  if (value == NULL)
    return 0;
  params = soup_header_parse_param_list (value);
  max_age = g_hash_table_lookup (params, "max-age");
  if (max_age == NULL || !g_ascii_string_to_unsigned (max_age, 10, 0, G_MAXUINT64, &seconds, NULL))
    return 0;
  return (guint) MIN (seconds, MAX_HINT_SECONDS);
}

/* Retry-After: either seconds or an HTTP date (RFC 9110 10.2.3). */
static guint
parse_retry_after (SoupMessageHeaders *headers)
{
  const char *value = soup_message_headers_get_one (headers, "Retry-After");
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GDateTime) now = NULL;
  guint64 seconds = 0;
  GTimeSpan span;

  if (value == NULL)
    return 0;
  value += strspn (value, " \t");
  if (g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT64, &seconds, NULL))
    return (guint) MIN (seconds, MAX_HINT_SECONDS);

  when = soup_date_time_new_from_http_string (value);
  if (when == NULL)
    return 0;
  now = g_date_time_new_now_utc ();
  span = g_date_time_difference (when, now);
  if (span <= 0)
    return 0;
  return (guint) MIN ((span + G_TIME_SPAN_SECOND - 1) / G_TIME_SPAN_SECOND, MAX_HINT_SECONDS);
}

static GError *
rate_limited_error (FetchData *data, guint retry_after)
{
  GError *error;

  if (retry_after > 0)
    error = g_error_new (TALES_FETCH_ERROR, TALES_FETCH_ERROR_RATE_LIMITED,
                         g_dngettext (GETTEXT_PACKAGE,
                                      "The server at %s asked Tales to wait %u second before fetching again.",
                                      "The server at %s asked Tales to wait %u seconds before fetching again.",
                                      retry_after),
                         data->display_url, retry_after);
  else
    error = g_error_new (TALES_FETCH_ERROR, TALES_FETCH_ERROR_RATE_LIMITED,
                         _("The server at %s asked Tales to wait before fetching again."),
                         data->display_url);
  tales_fetch_error_get_private (error)->retry_after = retry_after;
  return error;
}

static GError *
http_status_error (FetchData *data, guint status)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (data->msg);
  const char *phrase = soup_message_get_reason_phrase (data->msg);
  guint retry_after = parse_retry_after (headers);
  GError *error;

  if (status == STATUS_TOO_MANY_REQUESTS)
    return rate_limited_error (data, retry_after);

  if (phrase == NULL || *phrase == '\0')
    phrase = soup_status_get_phrase (status);
  if (phrase == NULL)
    phrase = "";

  if (status == SOUP_STATUS_SERVICE_UNAVAILABLE)
    {
      error = g_error_new (TALES_FETCH_ERROR, TALES_FETCH_ERROR_HTTP,
                           _("The server answered %u %s for %s."),
                           status, phrase, data->display_url);
      tales_fetch_error_get_private (error)->retry_after = retry_after;
      return error;
    }
  if (status == SOUP_STATUS_NOT_FOUND || status == SOUP_STATUS_GONE)
    return g_error_new (TALES_FETCH_ERROR, TALES_FETCH_ERROR_NOT_FOUND,
                        _("The server has nothing at %s (it answered %u %s)."),
                        data->display_url, status, phrase);
  return g_error_new (TALES_FETCH_ERROR, TALES_FETCH_ERROR_HTTP,
                      _("The server answered %u %s for %s."),
                      status, phrase, data->display_url);
}

/* Turns what GIO or libsoup said into one plain sentence that names the
 * URL. Cancellation passes through untouched: it is silence, not a fault. */
static GError *
translate_error (FetchData *data, GError *error)
{
  gboolean caller_cancelled = g_cancellable_is_cancelled (data->caller_cancellable);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && data->timed_out &&
      !caller_cancelled)
    return timeout_error (data);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      error->domain == TALES_FETCH_ERROR)
    return g_error_copy (error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return timeout_error (data);

  if (error->domain == G_TLS_ERROR)
    return g_error_new (TALES_FETCH_ERROR, TALES_FETCH_ERROR_TLS,
                        _("The secure connection to %s could not be trusted: %s."),
                        data->display_url, error->message);

  if (error->domain == G_RESOLVER_ERROR)
    return g_error_new (TALES_FETCH_ERROR, TALES_FETCH_ERROR_NETWORK,
                        _("The address of %s could not be found: %s."),
                        data->display_url, error->message);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_error_new (TALES_FETCH_ERROR, TALES_FETCH_ERROR_NETWORK,
                        _("The server at %s refused the connection."),
                        data->display_url);

  if (g_error_matches (error, SOUP_SESSION_ERROR, SOUP_SESSION_ERROR_TOO_MANY_REDIRECTS))
    return g_error_new (TALES_FETCH_ERROR, TALES_FETCH_ERROR_HTTP,
                        _("The server sent %s through too many redirects."),
                        data->display_url);

  return g_error_new (TALES_FETCH_ERROR, TALES_FETCH_ERROR_NETWORK,
                      _("%s could not be fetched: %s."),
                      data->display_url, error->message);
}

static void
return_error (GTask *task, GError *error)
{
  FetchData *data = g_task_get_task_data (task);

  stop_timer (data);
  g_task_return_error (task, translate_error (data, error));
  g_error_free (error);
}

/* resource:// */

/* What the built-in files are, for when shared-mime-info is not there to
 * say (a sandbox without it, or tests with isolated XDG dirs). */
static const char *
mime_type_from_name (const char *name)
{
  static const struct { const char *suffix; const char *mime_type; } types[] = {
    { ".png", "image/png" },
    { ".jpg", "image/jpeg" },
    { ".jpeg", "image/jpeg" },
    { ".gif", "image/gif" },
    { ".webp", "image/webp" },
    { ".svg", "image/svg+xml" },
    { ".xml", "application/xml" },
    { ".css", "text/css" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    if (g_str_has_suffix (name, types[i].suffix))
      return types[i].mime_type;
  return "application/octet-stream";
}

static void
fetch_resource (GTask *task, const char *url)
{
  FetchData *data = g_task_get_task_data (task);
  const char *path = url + strlen (RESOURCE_PREFIX_URI);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *guessed = NULL;
  TalesFetchResult *result;
  gsize size;

  bytes = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  if (bytes == NULL)
    {
      g_task_return_new_error (task, TALES_FETCH_ERROR, TALES_FETCH_ERROR_NOT_FOUND,
                               _("Tales has no built-in file at %s."), url);
      return;
    }
  if (g_bytes_get_size (bytes) > data->max_bytes)
    {
      g_task_return_error (task, too_large_error (data));
      return;
    }

  size = g_bytes_get_size (bytes);
  guessed = g_content_type_guess (path, g_bytes_get_data (bytes, NULL), size, NULL);

  result = g_new0 (TalesFetchResult, 1);
  result->status = SOUP_STATUS_OK;
  result->body = g_steal_pointer (&bytes);
  result->content_type = g_content_type_get_mime_type (guessed);
  if (result->content_type == NULL || g_content_type_is_unknown (guessed))
    tales_set_str (&result->content_type, mime_type_from_name (path));
  result->final_url = g_strdup (url);
  if (data->streamed)
    result->stream = g_memory_input_stream_new_from_bytes (g_steal_pointer (&result->body));
  g_task_return_pointer (task, result, (GDestroyNotify) tales_fetch_result_free);
}

/* http(s):// */

static TalesFetchResult *
result_from_message (FetchData *data)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (data->msg);
  TalesFetchResult *result = g_new0 (TalesFetchResult, 1);

  result->status = soup_message_get_status (data->msg);
  result->not_modified = result->status == SOUP_STATUS_NOT_MODIFIED;
  /* The media type alone: the parser reads the charset from the bytes. */
  result->content_type = g_strdup (soup_message_headers_get_content_type (headers, NULL));
  result->etag = g_strdup (soup_message_headers_get_one (headers, "ETag"));
  result->last_modified = g_strdup (soup_message_headers_get_one (headers, "Last-Modified"));
  result->final_url = g_uri_to_string (soup_message_get_uri (data->msg));
  result->permanent_url = g_strdup (data->permanent_url);
  result->redirects_permanent = data->redirected && !data->temporary_seen;
  result->max_age = parse_max_age (headers);
  result->retry_after = parse_retry_after (headers);
  return result;
}

static void
finish_body (GTask *task)
{
  FetchData *data = g_task_get_task_data (task);
  TalesFetchResult *result = result_from_message (data);

  stop_timer (data);
  result->body = g_byte_array_free_to_bytes (g_steal_pointer (&data->buffer));
  g_task_return_pointer (task, result, (GDestroyNotify) tales_fetch_result_free);
}

static void read_next_chunk (GTask *task);

static void
read_cb (GObject      *source,
         GAsyncResult *res,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FetchData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GBytes) chunk = NULL;
  gsize size;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), res, &error);
  if (chunk == NULL)
    {
      return_error (task, error);
      return;
    }

  size = g_bytes_get_size (chunk);
  if (size == 0)
    {
      finish_body (task);
      return;
    }
  if (data->buffer->len + size > data->max_bytes)
    {
      /* Dropping the stream unread closes the connection. */
      g_task_return_error (task, too_large_error (data));
      return;
    }
  g_byte_array_append (data->buffer, g_bytes_get_data (chunk, NULL), size);
  read_next_chunk (g_steal_pointer (&task));
}

/* Takes the reference on @task. */
static void
read_next_chunk (GTask *task)
{
  FetchData *data = g_task_get_task_data (task);

  restart_timer (data);
  g_input_stream_read_bytes_async (data->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   data->cancellable, read_cb, task);
}

static gboolean
check_status (GTask *task)
{
  FetchData *data = g_task_get_task_data (task);
  SoupMessageHeaders *headers = soup_message_get_response_headers (data->msg);
  guint status = soup_message_get_status (data->msg);

  stop_timer (data);
  if (status == SOUP_STATUS_NOT_MODIFIED)
    {
      g_task_return_pointer (task, result_from_message (data),
                             (GDestroyNotify) tales_fetch_result_free);
      return FALSE;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_task_return_error (task, http_status_error (data, status));
      return FALSE;
    }
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > (goffset) data->max_bytes)
    {
      g_task_return_error (task, too_large_error (data));
      return FALSE;
    }
  return TRUE;
}

/* Streaming: the task returns as soon as the headers are in, with the
 * body as a TalesHandoffStream; the pump below goes on reading the network
 * into it, holding its own reference on the task. */

static void pump_next (GTask *task);

/* Ends the stream: end-of-file, or @error (owned) in a plain sentence. */
static void
pump_finish (GTask *task, GError *error)
{
  FetchData *data = g_task_get_task_data (task);

  stop_timer (data);
  if (error != NULL)
    {
      g_autoptr(GError) translated = translate_error (data, error);

      g_error_free (error);
      tales_handoff_stream_finish (data->handoff, translated);
    }
  else
    tales_handoff_stream_finish (data->handoff, NULL);
  /* Dropping the stream unread closes the connection. */
  g_clear_object (&data->stream);
}

static gboolean
pump_room_cb (gpointer user_data)
{
  FetchData *data = g_task_get_task_data (user_data);

  if (data->deadline_at > 0 && data->paused_at > 0)
    data->deadline_at += g_get_monotonic_time () - data->paused_at;
  data->paused_at = 0;
  pump_next (user_data);
  return G_SOURCE_REMOVE;
}

static void
pump_read_cb (GObject      *source,
              GAsyncResult *res,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FetchData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GBytes) chunk = NULL;
  gsize size;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), res, &error);
  if (chunk == NULL)
    {
      pump_finish (task, error);
      return;
    }
  size = g_bytes_get_size (chunk);
  if (size == 0)
    {
      pump_finish (task, NULL);
      return;
    }
  data->received += size;
  if (data->received > data->max_bytes)
    {
      pump_finish (task, too_large_error (data));
      return;
    }
  if (tales_handoff_stream_push (data->handoff, chunk))
    {
      pump_next (g_steal_pointer (&task));
      return;
    }
  /* The reader is behind: the server waits for it, not the other way,
   * and that time is not the server's to answer for. */
  stop_timer (data);
  data->paused_at = g_get_monotonic_time ();
  tales_handoff_stream_wait_room (data->handoff, pump_room_cb, g_steal_pointer (&task));
}

/* Takes the reference on @task. */
static void
pump_next (GTask *task)
{
  FetchData *data = g_task_get_task_data (task);

  if (tales_handoff_stream_is_closed (data->handoff))
    {
      /* Nobody reads any more (the parser stopped): stop downloading. */
      pump_finish (task, NULL);
      g_object_unref (task);
      return;
    }
  restart_timer (data);
  g_input_stream_read_bytes_async (data->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   data->cancellable, pump_read_cb, task);
}

/* Takes the reference on @task. */
static void
start_pump (GTask *task)
{
  FetchData *data = g_task_get_task_data (task);
  TalesFetchResult *result = result_from_message (data);

  stop_timer (data);
  data->handoff = tales_handoff_stream_new (HANDOFF_CAPACITY);
  result->stream = g_object_ref (G_INPUT_STREAM (data->handoff));
  g_task_return_pointer (task, result, (GDestroyNotify) tales_fetch_result_free);
  pump_next (task);
}

static void
send_cb (GObject      *source,
         GAsyncResult *res,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FetchData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->stream = soup_session_send_finish (SOUP_SESSION (source), res, &error);
  if (data->stream == NULL)
    {
      return_error (task, error);
      return;
    }
  if (!check_status (task))
    return;

  if (data->streamed)
    {
      start_pump (g_steal_pointer (&task));
      return;
    }
  data->buffer = g_byte_array_new ();
  read_next_chunk (g_steal_pointer (&task));
}

static GUri *
parse_http_url (const char *url, GError **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  const char *scheme = uri ? g_uri_get_scheme (uri) : NULL;
  const char *host = uri ? g_uri_get_host (uri) : NULL;

  if (uri == NULL || host == NULL || *host == '\0' ||
      (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0))
    {
      g_set_error (error, TALES_FETCH_ERROR, TALES_FETCH_ERROR_INVALID_URL,
                   _("“%s” is not a web address Tales can fetch."), url);
      return NULL;
    }
  return g_steal_pointer (&uri);
}

/* Redirects: libsoup follows them; these two handlers watch each hop. */

static gboolean
is_redirect (guint status)
{
  return status == SOUP_STATUS_MULTIPLE_CHOICES || status == SOUP_STATUS_MOVED_PERMANENTLY ||
         status == SOUP_STATUS_FOUND || status == SOUP_STATUS_SEE_OTHER ||
         status == SOUP_STATUS_TEMPORARY_REDIRECT || status == SOUP_STATUS_PERMANENT_REDIRECT;
}

static void
got_headers_cb (SoupMessage *msg, FetchData *data)
{
  guint status = soup_message_get_status (msg);
  SoupMessageHeaders *headers = soup_message_get_response_headers (msg);

  data->redirect_status = 0;
  if (is_redirect (status) && soup_message_headers_get_one (headers, "Location") != NULL)
    data->redirect_status = status;
}

/* The message is about to go again, to the redirect's target when
 * got_headers_cb() saw a redirect. */
static void
restarted_cb (SoupMessage *msg, FetchData *data)
{
  GUri *uri = soup_message_get_uri (msg);
  gboolean permanent = data->redirect_status == SOUP_STATUS_MOVED_PERMANENTLY ||
                       data->redirect_status == SOUP_STATUS_PERMANENT_REDIRECT;

  /* A Location may carry user:pass@ too: never let libsoup use them. */
  if (g_uri_get_userinfo (uri) != NULL)
    {
      g_autoptr(GUri) stripped = tales_uri_without_userinfo (uri);

      soup_message_set_uri (msg, stripped);
      uri = soup_message_get_uri (msg);
    }
  if (data->redirect_status == 0)
    return;
  data->redirect_status = 0;
  if (!permanent)
    data->temporary_seen = TRUE;
  else if (!data->temporary_seen)
    {
      g_free (data->permanent_url);
      data->permanent_url = g_uri_to_string (uri);
    }
  data->redirected = TRUE;
}

static const char *
accept_header (TalesFetchKind kind)
{
  switch (kind)
    {
    case TALES_FETCH_IMAGE:
      return ACCEPT_IMAGE_HEADER;
    case TALES_FETCH_PAGE:
      return ACCEPT_PAGE_HEADER;
    case TALES_FETCH_FEED:
    default:
      return ACCEPT_HEADER;
    }
}

static void
fetch_http (TalesFetcher *self,
            GTask        *task,
            GUri         *uri,
            const char   *etag,
            const char   *last_modified)
{
  FetchData *data = g_task_get_task_data (task);
  SoupMessageHeaders *headers;

  data->msg = soup_message_new_from_uri (SOUP_METHOD_GET, uri);
  g_signal_connect (data->msg, "got-headers", G_CALLBACK (got_headers_cb), data);
  g_signal_connect (data->msg, "restarted", G_CALLBACK (restarted_cb), data);
  headers = soup_message_get_request_headers (data->msg);
  soup_message_headers_replace (headers, "Accept", accept_header (data->kind));
  if (etag != NULL && *etag != '\0')
    soup_message_headers_replace (headers, "If-None-Match", etag);
  if (last_modified != NULL && *last_modified != '\0')
    soup_message_headers_replace (headers, "If-Modified-Since", last_modified);

  if (data->deadline > 0)
    data->deadline_at = g_get_monotonic_time () + (gint64) data->deadline * G_USEC_PER_SEC;
  restart_timer (data);
  soup_session_send_async (self->session, data->msg, G_PRIORITY_DEFAULT,
                           data->cancellable, send_cb, g_object_ref (task));
}

static void
fetch_start (TalesFetcher        *self,
             TalesFetchKind       kind,
             const char          *url,
             const char          *etag,
             const char          *last_modified,
             gboolean             streamed,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GUri) anonymous = NULL;
  GError *error = NULL;
  FetchData *data;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, streamed ? (gpointer) tales_fetcher_fetch_stream_async
                                        : (gpointer) tales_fetcher_fetch_async);

  data = g_new0 (FetchData, 1);
  data->streamed = streamed;
  data->kind = kind;
  data->max_bytes = self->max_bytes[kind];
  data->deadline = self->deadline[kind];
  data->timeout = self->timeout;
  g_task_set_task_data (task, data, (GDestroyNotify) fetch_data_free);

  if (g_str_has_prefix (url, RESOURCE_PREFIX_URI))
    {
      data->display_url = g_strdup (url);
      fetch_resource (task, url);
      return;
    }

  uri = parse_http_url (url, &error);
  if (uri == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* Error sentences end up on screen and in the database: no passwords. */
  data->display_url = g_uri_to_string_partial (uri, G_URI_HIDE_PASSWORD);
  setup_cancellation (data, cancellable);
  /* Credentials in a feed's or an image's URL are the feed author's to
   * hand out, not Tales' to replay: libsoup would answer a 401 with them. */
  anonymous = tales_uri_without_userinfo (uri);
  fetch_http (self, task, anonymous, etag, last_modified);
}

void
tales_fetcher_fetch_async (TalesFetcher        *self,
                           const char          *url,
                           const char          *etag,
                           const char          *last_modified,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (TALES_IS_FETCHER (self));
  g_return_if_fail (url != NULL);

  fetch_start (self, TALES_FETCH_FEED, url, etag, last_modified, FALSE, cancellable, callback,
               user_data);
}

void
tales_fetcher_fetch_kind_async (TalesFetcher        *self,
                                TalesFetchKind       kind,
                                const char          *url,
                                const char          *etag,
                                const char          *last_modified,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (TALES_IS_FETCHER (self));
  g_return_if_fail (kind < TALES_FETCH_N_KINDS);
  g_return_if_fail (url != NULL);

  fetch_start (self, kind, url, etag, last_modified, FALSE, cancellable, callback, user_data);
}

void
tales_fetcher_fetch_image_async (TalesFetcher        *self,
                                 const char          *url,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (TALES_IS_FETCHER (self));
  g_return_if_fail (url != NULL);

  fetch_start (self, TALES_FETCH_IMAGE, url, NULL, NULL, FALSE, cancellable, callback, user_data);
}

void
tales_fetcher_fetch_stream_async (TalesFetcher        *self,
                                  const char          *url,
                                  const char          *etag,
                                  const char          *last_modified,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (TALES_IS_FETCHER (self));
  g_return_if_fail (url != NULL);

  fetch_start (self, TALES_FETCH_FEED, url, etag, last_modified, TRUE, cancellable, callback,
               user_data);
}

/**
 * tales_fetcher_fetch_finish:
 *
 * Returns: (transfer full) (nullable): the answer, or %NULL with @error set
 */
TalesFetchResult *
tales_fetcher_fetch_finish (TalesFetcher  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tales_fetcher_fetch_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * tales_fetcher_fetch_stream_finish:
 *
 * Returns: (transfer full) (nullable): the answer, its body in @stream
 *   (unless not_modified), or %NULL with @error set
 */
TalesFetchResult *
tales_fetcher_fetch_stream_finish (TalesFetcher  *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tales_fetcher_fetch_stream_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
