/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* A real libsoup server on 127.0.0.1 for the tests: serves fixed bodies at
 * paths, answers conditional GETs, counts every request, and can be told to
 * misbehave (status codes, a connection that never answers). */

#include <libsoup/soup.h>

#include "tales-core.h"

G_BEGIN_DECLS

typedef struct _TalesTestServer TalesTestServer;

TalesTestServer *tales_test_server_new        (void);
void             tales_test_server_free       (TalesTestServer *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TalesTestServer, tales_test_server_free)

/* "http://127.0.0.1:PORT" with no trailing slash. */
const char      *tales_test_server_get_base   (TalesTestServer *self);
/* Returns (transfer full): base + @path. */
char            *tales_test_server_url        (TalesTestServer *self, const char *path);

/* Serves @body at @path with a 200, an ETag and a Last-Modified, and answers
 * 304 to a request that carries either validator (If-None-Match, when
 * present, decides alone, so a changed body is sent in full). */
void tales_test_server_add_bytes   (TalesTestServer *self, const char *path,
                                    const char *content_type, GBytes *body);
void tales_test_server_add_string  (TalesTestServer *self, const char *path,
                                    const char *content_type, const char *body);
/* Reads the file and serves it. */
void tales_test_server_add_file    (TalesTestServer *self, const char *path,
                                    const char *content_type, const char *filename);
/* Answers @path with @status and a short text body. */
void tales_test_server_add_status  (TalesTestServer *self, const char *path, guint status);
/* Accepts the request at @path and never answers it. */
void tales_test_server_add_silent  (TalesTestServer *self, const char *path);

/* Serves @body at @path like tales_test_server_add_bytes(), but chunked,
 * with no Content-Length: the client learns the size only by reading. */
void tales_test_server_add_chunked (TalesTestServer *self, const char *path,
                                    const char *content_type, GBytes *body);
/* Answers @path with a @status redirect (301, 302, ...) to @location. */
void tales_test_server_add_redirect (TalesTestServer *self, const char *path,
                                     guint status, const char *location);

/* Serves @body at @path like tales_test_server_add_string(), but answers
 * each request only after @delay_ms, counting how many such delayed
 * requests are waiting at once (see tales_test_server_max_in_flight()). */
void tales_test_server_add_delayed (TalesTestServer *self, const char *path,
                                    const char *content_type, const char *body,
                                    guint delay_ms);
/* Adds @name: @value to every answer from @path (a route added before). */
void tales_test_server_add_header  (TalesTestServer *self, const char *path,
                                    const char *name, const char *value);

/* The most delayed requests that were ever waiting at the same time. */
guint       tales_test_server_max_in_flight (TalesTestServer *self);

/* How many requests reached @path (NULL: all paths). */
guint       tales_test_server_hits        (TalesTestServer *self, const char *path);
/* The value of @header in the last request to @path, or NULL. */
const char *tales_test_server_last_header (TalesTestServer *self, const char *path,
                                           const char *header);
/* Stops listening: later requests fail to connect. */
void        tales_test_server_stop        (TalesTestServer *self);

/* Iterates the default main context until *@flag is TRUE, or fails the
 * test after @timeout_ms. */
void tales_test_wait_for (gboolean *flag, guint timeout_ms);

/* A refresh of one feed that a test starts, may look at while it runs,
 * then waits for. */
typedef struct {
  gboolean done;
  gboolean ok;
  TalesFeedRefreshReport report;
  GError *error;            /* owned by the test when set */
} TalesTestRefresh;

void tales_test_refresh_start (TalesTestRefresh *refresh, TalesStore *store, TalesFetcher *fetcher,
                               TalesImageCache *images, const char *url);
/* Waits up to 30 s (longer under ASan). */
void tales_test_refresh_wait  (TalesTestRefresh *refresh);

/* Encodes a @width x @height image in one colour as @format ("png" or
 * "jpeg"); returns its bytes. */
GBytes *tales_test_make_image (int width, int height, guint32 rgb, const char *format);

G_END_DECLS
