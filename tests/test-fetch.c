/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The fetcher against a real SoupServer on 127.0.0.1. */

#include "tales-core.h"
#include "tales-test-utils.h"

static void
fetch (TalesFetcher *fetcher, const char *url, const char *etag,
       const char *last_modified, TalesTestFetch *fetched)
{
  memset (fetched, 0, sizeof *fetched);
  tales_fetcher_fetch_async (fetcher, url, etag, last_modified, NULL, tales_test_fetch_cb, fetched);
  tales_test_fetch_wait (fetched, 10000);
}

/* An error message is a sentence: not empty, and it names the URL. */
static void
assert_sentence (const GError *error, const char *url)
{
  g_assert_nonnull (error->message);
  g_assert_cmpuint (strlen (error->message), >, 10);
  if (url != NULL)
    g_assert_nonnull (strstr (error->message, url));
}

static const char feed_body[] =
  "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title></channel></rss>";

static void
test_fetch_ok (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autoptr(TalesFetcher) fetcher = tales_fetcher_new ();
  g_autofree char *url = tales_test_server_url (server, "/feed.xml");
  g_autofree char *user_agent = NULL;
  TalesTestFetch f;

  tales_test_server_add_string (server, "/feed.xml", "application/rss+xml", feed_body);
  fetch (fetcher, url, NULL, NULL, &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (f.result->status, ==, 200);
  g_assert_false (f.result->not_modified);
  g_assert_cmpmem (g_bytes_get_data (f.result->body, NULL), g_bytes_get_size (f.result->body),
                   feed_body, strlen (feed_body));
  g_assert_cmpstr (f.result->content_type, ==, "application/rss+xml");
  g_assert_nonnull (f.result->etag);
  g_assert_cmpstr (f.result->last_modified, ==, "Wed, 01 Jan 2025 00:00:00 GMT");
  g_assert_cmpstr (f.result->final_url, ==, url);
  g_assert_null (tales_test_server_last_header (server, "/feed.xml", "If-None-Match"));
  g_assert_true (g_str_has_prefix (tales_test_server_last_header (server, "/feed.xml", "User-Agent"),
                                   "Tales/"));
  tales_test_fetch_clear (&f);
}

static void
test_fetch_not_modified (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autoptr(TalesFetcher) fetcher = tales_fetcher_new ();
  g_autofree char *url = tales_test_server_url (server, "/feed.xml");
  g_autofree char *etag = NULL;
  g_autofree char *last_modified = NULL;
  TalesTestFetch f;

  tales_test_server_add_string (server, "/feed.xml", "application/rss+xml", feed_body);
  fetch (fetcher, url, NULL, NULL, &f);
  g_assert_no_error (f.error);
  etag = g_strdup (f.result->etag);
  last_modified = g_strdup (f.result->last_modified);
  tales_test_fetch_clear (&f);

  fetch (fetcher, url, etag, NULL, &f);
  g_assert_no_error (f.error);
  g_assert_cmpstr (tales_test_server_last_header (server, "/feed.xml", "If-None-Match"), ==, etag);
  g_assert_cmpuint (f.result->status, ==, 304);
  g_assert_true (f.result->not_modified);
  g_assert_null (f.result->body);
  tales_test_fetch_clear (&f);

  fetch (fetcher, url, NULL, last_modified, &f);
  g_assert_no_error (f.error);
  g_assert_cmpstr (tales_test_server_last_header (server, "/feed.xml", "If-Modified-Since"), ==,
                   last_modified);
  g_assert_true (f.result->not_modified);
  tales_test_fetch_clear (&f);
  g_assert_cmpuint (tales_test_server_hits (server, "/feed.xml"), ==, 3);
}

static void
test_fetch_status (gconstpointer user_data)
{
  guint status = GPOINTER_TO_UINT (user_data);
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autoptr(TalesFetcher) fetcher = tales_fetcher_new ();
  g_autofree char *url = tales_test_server_url (server, "/feed.xml");
  int code = status == 404 || status == 410 ? TALES_FETCH_ERROR_NOT_FOUND : TALES_FETCH_ERROR_HTTP;
  TalesTestFetch f;

  tales_test_server_add_status (server, "/feed.xml", status);
  fetch (fetcher, url, NULL, NULL, &f);
  g_assert_error (f.error, TALES_FETCH_ERROR, code);
  assert_sentence (f.error, url);
  if (status == 503)
    g_assert_nonnull (strstr (f.error->message, "503 Service Unavailable"));
  tales_test_fetch_clear (&f);
}

static void
test_fetch_timeout (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autoptr(TalesFetcher) fetcher = tales_fetcher_new ();
  g_autofree char *url = tales_test_server_url (server, "/slow.xml");
  gint64 start;
  TalesTestFetch f;

  tales_test_server_add_silent (server, "/slow.xml");
  tales_fetcher_set_timeout (fetcher, 1);
  start = g_get_monotonic_time ();
  fetch (fetcher, url, NULL, NULL, &f);
  g_assert_error (f.error, TALES_FETCH_ERROR, TALES_FETCH_ERROR_TIMEOUT);
  assert_sentence (f.error, url);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  tales_test_fetch_clear (&f);
}

/* The timeout holds on a kept-alive connection made before it was set. */
static void
test_fetch_timeout_reused (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autoptr(TalesFetcher) fetcher = tales_fetcher_new ();
  g_autofree char *url = tales_test_server_url (server, "/feed.xml");
  g_autofree char *slow_url = tales_test_server_url (server, "/slow.xml");
  gint64 start;
  TalesTestFetch f;

  tales_test_server_add_string (server, "/feed.xml", "application/rss+xml", feed_body);
  tales_test_server_add_silent (server, "/slow.xml");
  fetch (fetcher, url, NULL, NULL, &f);
  g_assert_no_error (f.error);
  tales_test_fetch_clear (&f);

  tales_fetcher_set_timeout (fetcher, 1);
  start = g_get_monotonic_time ();
  fetch (fetcher, slow_url, NULL, NULL, &f);
  g_assert_error (f.error, TALES_FETCH_ERROR, TALES_FETCH_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (f.error->message, "1 second"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  tales_test_fetch_clear (&f);
}

static void
test_fetch_too_large (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autoptr(TalesFetcher) fetcher = tales_fetcher_new ();
  g_autofree char *url = tales_test_server_url (server, "/big.xml");
  g_autofree char *small_url = tales_test_server_url (server, "/small.xml");
  g_autofree char *big = g_malloc (100 * 1024);
  g_autoptr(GBytes) body = NULL;
  TalesTestFetch f;

  memset (big, 'x', 100 * 1024);
  body = g_bytes_new (big, 100 * 1024);
  tales_test_server_add_bytes (server, "/big.xml", "application/xml", body);
  tales_test_server_add_string (server, "/small.xml", "application/xml", feed_body);
  tales_fetcher_set_max_bytes (fetcher, 1000);

  fetch (fetcher, url, NULL, NULL, &f);
  g_assert_error (f.error, TALES_FETCH_ERROR, TALES_FETCH_ERROR_TOO_LARGE);
  assert_sentence (f.error, url);
  tales_test_fetch_clear (&f);

  /* Under the cap is fine, and the session still works. */
  fetch (fetcher, small_url, NULL, NULL, &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (g_bytes_get_size (f.result->body), ==, strlen (feed_body));
  tales_test_fetch_clear (&f);
}

/* No Content-Length: the cap has to hold while reading. */
static void
test_fetch_too_large_chunked (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autoptr(TalesFetcher) fetcher = tales_fetcher_new ();
  g_autofree char *url = tales_test_server_url (server, "/big.xml");
  g_autofree char *fits_url = tales_test_server_url (server, "/fits.xml");
  g_autofree char *big = g_malloc (300 * 1024);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) fits = NULL;
  TalesTestFetch f;

  memset (big, 'x', 300 * 1024);
  body = g_bytes_new (big, 300 * 1024);
  fits = g_bytes_new (big, 100 * 1024);
  tales_test_server_add_chunked (server, "/big.xml", "application/xml", body);
  tales_test_server_add_chunked (server, "/fits.xml", "application/xml", fits);
  tales_fetcher_set_max_bytes (fetcher, 200 * 1024);

  fetch (fetcher, url, NULL, NULL, &f);
  g_assert_error (f.error, TALES_FETCH_ERROR, TALES_FETCH_ERROR_TOO_LARGE);
  assert_sentence (f.error, url);
  tales_test_fetch_clear (&f);

  fetch (fetcher, fits_url, NULL, NULL, &f);
  g_assert_no_error (f.error);
  g_assert_true (g_bytes_equal (f.result->body, fits));
  tales_test_fetch_clear (&f);
}

static void
test_fetch_redirect (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autoptr(TalesFetcher) fetcher = tales_fetcher_new ();
  g_autofree char *url = tales_test_server_url (server, "/old.xml");
  g_autofree char *final_url = tales_test_server_url (server, "/feed.xml");
  g_autofree char *loop_url = tales_test_server_url (server, "/loop");
  TalesTestFetch f;

  tales_test_server_add_string (server, "/feed.xml", "application/rss+xml", feed_body);
  tales_test_server_add_redirect (server, "/old.xml", 301, "/feed.xml");
  tales_test_server_add_redirect (server, "/loop", 302, "/loop");

  fetch (fetcher, url, NULL, NULL, &f);
  g_assert_no_error (f.error);
  g_assert_cmpstr (f.result->final_url, ==, final_url);
  g_assert_cmpuint (g_bytes_get_size (f.result->body), ==, strlen (feed_body));
  tales_test_fetch_clear (&f);

  fetch (fetcher, loop_url, NULL, NULL, &f);
  g_assert_error (f.error, TALES_FETCH_ERROR, TALES_FETCH_ERROR_HTTP);
  assert_sentence (f.error, loop_url);
  tales_test_fetch_clear (&f);
}

static void
test_fetch_refused (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autoptr(TalesFetcher) fetcher = tales_fetcher_new ();
  g_autofree char *url = tales_test_server_url (server, "/feed.xml");
  TalesTestFetch f;

  tales_test_server_add_string (server, "/feed.xml", "application/rss+xml", feed_body);
  tales_test_server_stop (server);
  fetch (fetcher, url, NULL, NULL, &f);
  g_assert_error (f.error, TALES_FETCH_ERROR, TALES_FETCH_ERROR_NETWORK);
  assert_sentence (f.error, url);
  tales_test_fetch_clear (&f);
}

static void
test_fetch_invalid_url (void)
{
  g_autoptr(TalesFetcher) fetcher = tales_fetcher_new ();
  const char *urls[] = { "not a url", "ftp://127.0.0.1/feed.xml", "http://", "file:///etc/passwd" };
  TalesTestFetch f;

  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      fetch (fetcher, urls[i], NULL, NULL, &f);
      g_assert_error (f.error, TALES_FETCH_ERROR, TALES_FETCH_ERROR_INVALID_URL);
      assert_sentence (f.error, urls[i]);
      tales_test_fetch_clear (&f);
    }
}

static void
test_fetch_cancelled (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autoptr(TalesFetcher) fetcher = tales_fetcher_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *url = tales_test_server_url (server, "/slow.xml");
  TalesTestFetch f = { 0 };

  tales_test_server_add_silent (server, "/slow.xml");
  tales_fetcher_fetch_async (fetcher, url, NULL, NULL, cancellable, tales_test_fetch_cb, &f);
  g_cancellable_cancel (cancellable);
  tales_test_wait_for (&f.done, 5000);
  g_assert_error (f.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  tales_test_fetch_clear (&f);
}

static void
test_fetch_resource (void)
{
  g_autoptr(TalesFetcher) fetcher = tales_fetcher_new ();
  TalesTestFetch f;

  fetch (fetcher, TALES_WELCOME_FEED_URL, NULL, NULL, &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (f.result->status, ==, 200);
  g_assert_true (g_str_has_prefix (g_bytes_get_data (f.result->body, NULL), "<?xml"));
  g_assert_cmpstr (f.result->final_url, ==, TALES_WELCOME_FEED_URL);
  g_assert_null (f.result->etag);
  g_assert_null (f.result->last_modified);
  tales_test_fetch_clear (&f);

  fetch (fetcher, "resource:///io/github/talesreader/Tales/welcome/offline.png", NULL, NULL, &f);
  g_assert_no_error (f.error);
  g_assert_cmpstr (f.result->content_type, ==, "image/png");
  tales_test_fetch_clear (&f);

  fetch (fetcher, "resource:///io/github/talesreader/Tales/welcome/missing.png", NULL, NULL, &f);
  g_assert_error (f.error, TALES_FETCH_ERROR, TALES_FETCH_ERROR_NOT_FOUND);
  tales_test_fetch_clear (&f);
}

/* Streamed fetches: the body is read, with blocking reads, on another
 * thread while the fetcher keeps reading the network on this one. */

static void
fetch_stream (TalesFetcher *fetcher, const char *url, const char *etag, TalesTestFetch *fetched)
{
  memset (fetched, 0, sizeof *fetched);
  tales_fetcher_fetch_stream_async (fetcher, url, etag, NULL, NULL, tales_test_fetch_stream_cb,
                                    fetched);
  tales_test_fetch_wait (fetched, 10000);
}

typedef struct {
  GInputStream *stream;
  gsize piece;          /* read this much at a time */
  gsize stop_after;     /* close the stream after this much; 0: read it all */
  GByteArray *read;
  GError *error;
  gboolean done;        /* set last, by the reader */
} Reader;

static gpointer
reader_thread (gpointer user_data)
{
  Reader *reader = user_data;
  g_autofree guint8 *buffer = g_malloc (reader->piece);
  gssize n;

  reader->read = g_byte_array_new ();
  while ((n = g_input_stream_read (reader->stream, buffer, reader->piece, NULL,
                                   &reader->error)) > 0)
    {
      g_byte_array_append (reader->read, buffer, n);
      if (reader->stop_after > 0 && reader->read->len >= reader->stop_after)
        break;
    }
  g_input_stream_close (reader->stream, NULL, NULL);
  g_atomic_int_set (&reader->done, TRUE);
  g_main_context_wakeup (NULL);
  return NULL;
}

/* Reads @stream on a thread while this one runs the main loop. */
static void
read_in_thread (Reader *reader)
{
  GThread *thread = g_thread_new ("reader", reader_thread, reader);

  tales_test_wait_for (&reader->done, 20000);
  g_thread_join (thread);
}

static GBytes *
patterned_bytes (gsize size)
{
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (i * 7 + i / 4096);
  return g_bytes_new_take (data, size);
}

static void
test_fetch_stream (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autoptr(TalesFetcher) fetcher = tales_fetcher_new ();
  g_autofree char *url = tales_test_server_url (server, "/big.xml");
  /* Several times what may wait between the network and the reader. */
  g_autoptr(GBytes) body = patterned_bytes (5 * 1024 * 1024 + 123);
  Reader reader = { .piece = 3000 };
  TalesTestFetch f;

  tales_test_server_add_chunked (server, "/big.xml", "application/xml", body);
  fetch_stream (fetcher, url, NULL, &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (f.result->status, ==, 200);
  g_assert_null (f.result->body);
  g_assert_nonnull (f.result->stream);
  g_assert_nonnull (f.result->etag);
  g_assert_cmpstr (f.result->final_url, ==, url);

  reader.stream = f.result->stream;
  read_in_thread (&reader);
  g_assert_no_error (reader.error);
  g_assert_cmpmem (reader.read->data, reader.read->len,
                   g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  g_byte_array_unref (reader.read);
  tales_test_fetch_clear (&f);

  /* A 304 has no stream. */
  tales_test_server_add_string (server, "/feed.xml", "application/rss+xml", feed_body);
  g_free (url);
  url = tales_test_server_url (server, "/feed.xml");
  fetch_stream (fetcher, url, NULL, &f);
  g_assert_no_error (f.error);
  {
    g_autofree char *etag = g_strdup (f.result->etag);

    tales_test_fetch_clear (&f);
    fetch_stream (fetcher, url, etag, &f);
  }
  g_assert_no_error (f.error);
  g_assert_true (f.result->not_modified);
  g_assert_null (f.result->stream);
  tales_test_fetch_clear (&f);
}

/* The cap still holds, and reaches the reader as the fetch's own error. */
static void
test_fetch_stream_too_large (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autoptr(TalesFetcher) fetcher = tales_fetcher_new ();
  g_autofree char *url = tales_test_server_url (server, "/big.xml");
  g_autoptr(GBytes) body = patterned_bytes (300 * 1024);
  Reader reader = { .piece = 16 * 1024 };
  TalesTestFetch f;

  tales_test_server_add_chunked (server, "/big.xml", "application/xml", body);
  tales_fetcher_set_max_bytes (fetcher, 200 * 1024);
  fetch_stream (fetcher, url, NULL, &f);
  g_assert_no_error (f.error);

  reader.stream = f.result->stream;
  read_in_thread (&reader);
  g_assert_error (reader.error, TALES_FETCH_ERROR, TALES_FETCH_ERROR_TOO_LARGE);
  assert_sentence (reader.error, url);
  g_assert_cmpuint (reader.read->len, <=, 200 * 1024);
  g_byte_array_unref (reader.read);
  g_clear_error (&reader.error);
  tales_test_fetch_clear (&f);
}

/* A reader that has enough stops the download; the fetcher goes on. */
static void
test_fetch_stream_closed_early (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autoptr(TalesFetcher) fetcher = tales_fetcher_new ();
  g_autofree char *url = tales_test_server_url (server, "/big.xml");
  g_autofree char *small_url = tales_test_server_url (server, "/small.xml");
  g_autoptr(GBytes) body = patterned_bytes (8 * 1024 * 1024);
  Reader reader = { .piece = 64 * 1024, .stop_after = 64 * 1024 };
  TalesTestFetch f;

  tales_test_server_add_chunked (server, "/big.xml", "application/xml", body);
  tales_test_server_add_string (server, "/small.xml", "application/xml", feed_body);
  fetch_stream (fetcher, url, NULL, &f);
  g_assert_no_error (f.error);
  reader.stream = f.result->stream;
  read_in_thread (&reader);
  g_assert_no_error (reader.error);
  g_assert_cmpmem (reader.read->data, 64 * 1024, g_bytes_get_data (body, NULL), 64 * 1024);
  g_byte_array_unref (reader.read);
  tales_test_fetch_clear (&f);

  fetch (fetcher, small_url, NULL, NULL, &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (g_bytes_get_size (f.result->body), ==, strlen (feed_body));
  tales_test_fetch_clear (&f);
}

static void
test_fetch_stream_resource (void)
{
  g_autoptr(TalesFetcher) fetcher = tales_fetcher_new ();
  g_autoptr(GBytes) expected = g_resources_lookup_data ("/io/github/talesreader/Tales/welcome/offline.png",
                                                        G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  Reader reader = { .piece = 100 };
  TalesTestFetch f;

  g_assert_nonnull (expected);
  fetch_stream (fetcher, "resource:///io/github/talesreader/Tales/welcome/offline.png", NULL, &f);
  g_assert_no_error (f.error);
  g_assert_cmpstr (f.result->content_type, ==, "image/png");
  reader.stream = f.result->stream;
  read_in_thread (&reader);
  g_assert_no_error (reader.error);
  g_assert_cmpmem (reader.read->data, reader.read->len,
                   g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
  g_byte_array_unref (reader.read);
  tales_test_fetch_clear (&f);
}

int
main (int argc, char *argv[])
{
  /* No system proxy: the isolated dirs hide its GSettings schema (which
   * glib-networking's GNOME resolver would abort on), and the tests must
   * reach nothing but 127.0.0.1 anyway. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  tales_core_init ();

  g_test_add_func ("/tales/fetch/ok", test_fetch_ok);
  g_test_add_func ("/tales/fetch/not-modified", test_fetch_not_modified);
  g_test_add_data_func ("/tales/fetch/status/404", GUINT_TO_POINTER (404), test_fetch_status);
  g_test_add_data_func ("/tales/fetch/status/410", GUINT_TO_POINTER (410), test_fetch_status);
  g_test_add_data_func ("/tales/fetch/status/503", GUINT_TO_POINTER (503), test_fetch_status);
  g_test_add_data_func ("/tales/fetch/status/403", GUINT_TO_POINTER (403), test_fetch_status);
  g_test_add_func ("/tales/fetch/timeout", test_fetch_timeout);
  g_test_add_func ("/tales/fetch/timeout-reused", test_fetch_timeout_reused);
  g_test_add_func ("/tales/fetch/too-large", test_fetch_too_large);
  g_test_add_func ("/tales/fetch/too-large-chunked", test_fetch_too_large_chunked);
  g_test_add_func ("/tales/fetch/redirect", test_fetch_redirect);
  g_test_add_func ("/tales/fetch/refused", test_fetch_refused);
  g_test_add_func ("/tales/fetch/invalid-url", test_fetch_invalid_url);
  g_test_add_func ("/tales/fetch/cancelled", test_fetch_cancelled);
  g_test_add_func ("/tales/fetch/resource", test_fetch_resource);
  g_test_add_func ("/tales/fetch/stream", test_fetch_stream);
  g_test_add_func ("/tales/fetch/stream-too-large", test_fetch_stream_too_large);
  g_test_add_func ("/tales/fetch/stream-closed-early", test_fetch_stream_closed_early);
  g_test_add_func ("/tales/fetch/stream-resource", test_fetch_stream_resource);

  return g_test_run ();
}
