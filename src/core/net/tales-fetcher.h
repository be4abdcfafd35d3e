/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Module net: HTTP with libsoup 3, bounded: a deadline and a size cap per
 * kind of download, conditional GET, redirects, credentials never sent,
 * the body streamed to the parser (tales-handoff-stream).
 * May use: base, libsoup. Knows no database. */

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

/* What is being downloaded: each kind has its own deadline (from the
 * request to the last byte) and its own cap on the bytes (counted after
 * content decoding, so a small gzip body cannot inflate past it). */
typedef enum {
  TALES_FETCH_FEED,   /* a feed (streamed or whole); also discovery and OPML */
  TALES_FETCH_IMAGE,  /* one image of a post */
  TALES_FETCH_PAGE,   /* a full-article web page */
} TalesFetchKind;

#define TALES_FETCH_N_KINDS (TALES_FETCH_PAGE + 1)

typedef struct {
  guint status;
  gboolean not_modified;   /* 304: @body is NULL and nothing changed */
  GBytes *body;            /* NULL when streamed */
  GInputStream *stream;    /* the body of a streamed fetch, else NULL */
  char *content_type;      /* nullable */
  char *etag;              /* nullable */
  char *last_modified;     /* nullable */
  char *final_url;         /* after redirects */
  /* Where the redirects led while every one was permanent (301 or 308),
   * counted from the request: the address to remember instead of the one
   * asked for. NULL when there was no redirect or the first was temporary
   * (302, 303, 307). */
  char *permanent_url;
  /* TRUE when there was at least one redirect and all were permanent. */
  gboolean redirects_permanent;
  guint max_age;           /* seconds, from Cache-Control max-age; 0: none */
  guint retry_after;       /* seconds, from Retry-After; 0: none */
} TalesFetchResult;

void tales_fetch_result_free (TalesFetchResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TalesFetchResult, tales_fetch_result_free)

#define TALES_TYPE_FETCHER (tales_fetcher_get_type ())
G_DECLARE_FINAL_TYPE (TalesFetcher, tales_fetcher, TALES, FETCHER, GObject)

/* A libsoup 3 session with a no-progress timeout (seconds), an overall
 * deadline and a size cap per TalesFetchKind, and a redirect limit, that
 * names itself (User-Agent) and says which formats it wants (Accept).
 * resource:// URLs (the built-in feed) are read from the GResource
 * instead of the network. User names and passwords in a URL
 * (user:pass@host) are never sent: libsoup only sees the URL without
 * them, for the request and for every redirect. */
TalesFetcher *tales_fetcher_new (void);
/* The longest wait for any progress (the answer, or the next bytes), for
 * every kind. */
void          tales_fetcher_set_timeout   (TalesFetcher *self, guint seconds);
/* The cap for every kind of answer, streamed or not. */
void          tales_fetcher_set_max_bytes (TalesFetcher *self, gsize max_bytes);
/* The cap (decoded bytes) and the deadline (seconds from the request to
 * the last byte; 0: none) for one kind. */
gsize         tales_fetcher_get_kind_max_bytes (TalesFetcher   *self,
                                                TalesFetchKind  kind);
void          tales_fetcher_set_deadline       (TalesFetcher   *self,
                                                TalesFetchKind  kind,
                                                guint           seconds);
guint         tales_fetcher_get_deadline       (TalesFetcher   *self,
                                                TalesFetchKind  kind);

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

/* The same for any @kind (tales_fetcher_fetch_async() is
 * TALES_FETCH_FEED); finish with tales_fetcher_fetch_finish(). */
void              tales_fetcher_fetch_kind_async (TalesFetcher        *self,
                                                  TalesFetchKind       kind,
                                                  const char          *url,
                                                  const char          *etag,
                                                  const char          *last_modified,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
/* One image, with the image limits; finish with tales_fetcher_fetch_finish(). */
void              tales_fetcher_fetch_image_async (TalesFetcher        *self,
                                                   const char          *url,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);

/* The same, with the body handed over while it arrives instead of
 * collected: @stream in the result yields it (read it from a worker thread
 * with blocking reads; the fetcher keeps reading the network on this
 * thread's main context, and waits when the reader is behind). A failure
 * after the headers (timeout, size cap, lost connection) reaches the
 * reader as the TALES_FETCH_ERROR of a failed read; closing @stream
 * early stops the download. The feed limits apply; the time the reader
 * is behind (the fetcher waiting for it) does not count against the
 * deadline. */
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
