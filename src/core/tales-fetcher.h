#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TALES_FETCH_ERROR (tales_fetch_error_quark ())
GQuark tales_fetch_error_quark (void);

typedef enum {
  TALES_FETCH_ERROR_NOT_FOUND,    /* 404 / 410 */
  TALES_FETCH_ERROR_HTTP,         /* any other 4xx / 5xx */
  TALES_FETCH_ERROR_TIMEOUT,
  TALES_FETCH_ERROR_TOO_LARGE,    /* over the size cap */
  TALES_FETCH_ERROR_TLS,          /* certificate or handshake failure */
  TALES_FETCH_ERROR_NETWORK,      /* refused, unreachable, name not found */
  TALES_FETCH_ERROR_INVALID_URL,
  TALES_FETCH_ERROR_RATE_LIMITED, /* 429: the server asked Tales to wait */
} TalesFetchError;

/* How long (seconds) the server asked Tales to wait before asking again
 * (Retry-After on a 429 or 503) when @error is a TALES_FETCH_ERROR that
 * carries it; 0 otherwise. */
guint tales_fetch_error_get_retry_after (const GError *error);

typedef struct {
  guint status;
  gboolean not_modified;   /* 304: @body is NULL and nothing changed */
  GBytes *body;            /* NULL when streamed */
  GInputStream *stream;    /* the body of a streamed fetch, else NULL */
  char *content_type;      /* nullable */
  char *etag;              /* nullable */
  char *last_modified;     /* nullable */
  char *final_url;         /* after redirects */
  guint max_age;           /* seconds, from Cache-Control max-age; 0: none */
  guint retry_after;       /* seconds, from Retry-After; 0: none */
} TalesFetchResult;

void tales_fetch_result_free (TalesFetchResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TalesFetchResult, tales_fetch_result_free)

#define TALES_TYPE_FETCHER (tales_fetcher_get_type ())
G_DECLARE_FINAL_TYPE (TalesFetcher, tales_fetcher, TALES, FETCHER, GObject)

/* A libsoup 3 session with a timeout (seconds), a response size cap
 * (bytes) and a redirect limit, that names itself (User-Agent) and says
 * which formats it wants (Accept: feeds first). resource:// URLs (the built-in feed) are
 * read from the GResource instead of the network. */
TalesFetcher *tales_fetcher_new (void);
void          tales_fetcher_set_timeout   (TalesFetcher *self, guint seconds);
/* The cap for every answer, streamed or not. */
void          tales_fetcher_set_max_bytes (TalesFetcher *self, gsize max_bytes);

/* Fetches @url; @etag and @last_modified (nullable) make it a conditional
 * GET, and a 304 answers with not_modified set. Errors are
 * TALES_FETCH_ERROR_* with a plain sentence as message. */
void              tales_fetcher_fetch_async  (TalesFetcher        *self,
                                              const char          *url,
                                              const char          *etag,
                                              const char          *last_modified,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
TalesFetchResult *tales_fetcher_fetch_finish (TalesFetcher        *self,
                                              GAsyncResult        *result,
                                              GError             **error);

/* The same, with the body handed over while it arrives instead of
 * collected: @stream in the result yields it (read it from a worker thread
 * with blocking reads; the fetcher keeps reading the network on this
 * thread's main context, and waits when the reader is behind). A failure
 * after the headers (timeout, size cap, lost connection) reaches the
 * reader as the TALES_FETCH_ERROR of a failed read; closing @stream
 * early stops the download. */
void              tales_fetcher_fetch_stream_async  (TalesFetcher        *self,
                                                     const char          *url,
                                                     const char          *etag,
                                                     const char          *last_modified,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
TalesFetchResult *tales_fetcher_fetch_stream_finish (TalesFetcher        *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

G_END_DECLS
