/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A hostile server on 127.0.0.1 against the fetcher: every download has a
 * deadline and a size cap (after content decoding), credentials in a URL
 * are never sent, and only permanent redirects move a subscription. */

#include "tales-core.h"
#include "tales-test-utils.h"

#define MIB (1024 * 1024)
/* Shortened deadline for the tests; the defaults are minutes. */
#define TEST_DEADLINE 2

static void
fetch_kind (TalesFetcher *fetcher, TalesFetchKind kind, const char *url, TalesTestFetch *fetched)
{
  memset (fetched, 0, sizeof *fetched);
  if (kind == TALES_FETCH_IMAGE)
    tales_fetcher_fetch_image_async (fetcher, url, NULL, tales_test_fetch_cb, fetched);
  else
    tales_fetcher_fetch_kind_async (fetcher, kind, url, NULL, NULL, NULL, tales_test_fetch_cb, fetched);
  tales_test_fetch_wait (fetched, 60000);
}

/* A store, a fetcher and an image cache in the test's own XDG dirs. */
static TalesTestEnv *
env_new (void)
{
  g_autofree char *name = g_strdup_printf ("hostile-%d.db", g_random_int_range (0, G_MAXINT));

  return tales_test_env_new (name, NULL);
}

static gboolean
refresh (TalesTestEnv *env, const char *url, GError **error)
{
  TalesTestRefresh refreshed;

  tales_test_refresh_start (&refreshed, env->store, env->fetcher, env->images, url);
  tales_test_refresh_wait (&refreshed);
  if (refreshed.error != NULL)
    g_propagate_error (error, refreshed.error);
  return refreshed.ok;
}

static const char feed_head[] =
  "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Hostile</title>"
  "<item><title>First</title><link>https://example.test/1</link><guid>g1</guid></item>";

static const char good_feed[] =
  "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Moved</title>"
  "<item><title>First</title><link>https://example.test/1</link><guid>g1</guid></item>"
  "</channel></rss>";

/* A server of our own for what TalesTestServer cannot do: a body that
 * trickles, and a body that is gzip on the wire. */

typedef struct {
  SoupServer *server;
  char *base;
  GBytes *gzip_body;   /* gzip of @gzip_size zero bytes */
  gsize gzip_size;
  GPtrArray *trickles;
} Hostile;

typedef struct {
  SoupServerMessage *msg;
  guint source;
  gboolean finished;
  guint64 sent;
} Trickle;

static void
trickle_free (Trickle *trickle)
{
  g_clear_handle_id (&trickle->source, g_source_remove);
  if (!trickle->finished)
    g_signal_handlers_disconnect_by_data (trickle->msg, trickle);
  g_object_unref (trickle->msg);
  g_free (trickle);
}

static void
trickle_finished_cb (SoupServerMessage *msg, Trickle *trickle)
{
  trickle->finished = TRUE;
  g_clear_handle_id (&trickle->source, g_source_remove);
  g_signal_handlers_disconnect_by_data (msg, trickle);
}

/* One byte a second, for ever: what used to re-arm the 30 s timeout. */
static gboolean
trickle_cb (gpointer user_data)
{
  Trickle *trickle = user_data;

  soup_message_body_append (soup_server_message_get_response_body (trickle->msg),
                            SOUP_MEMORY_STATIC, " ", 1);
  trickle->sent++;
  soup_server_message_unpause (trickle->msg);
  return G_SOURCE_CONTINUE;
}

static void
start_trickle (Hostile *hostile, SoupServerMessage *msg, const char *content_type)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  Trickle *trickle = g_new0 (Trickle, 1);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (headers, content_type, NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_body_append (soup_server_message_get_response_body (msg), SOUP_MEMORY_STATIC,
                            feed_head, strlen (feed_head));
  trickle->msg = g_object_ref (msg);
  g_signal_connect (msg, "finished", G_CALLBACK (trickle_finished_cb), trickle);
  trickle->source = g_timeout_add_seconds (1, trickle_cb, trickle);
  g_ptr_array_add (hostile->trickles, trickle);
}

static void
hostile_handler_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    const char        *path,
                    GHashTable        *query,
                    gpointer           user_data)
{
  Hostile *hostile = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  if (g_str_equal (path, "/trickle.xml"))
    start_trickle (hostile, msg, "application/rss+xml");
  else if (g_str_equal (path, "/trickle.png"))
    start_trickle (hostile, msg, "image/png");
  else if (g_str_equal (path, "/bomb.png"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_message_headers_set_content_type (headers, "image/png", NULL);
      soup_message_headers_replace (headers, "Content-Encoding", "gzip");
      soup_message_body_append_bytes (soup_server_message_get_response_body (msg),
                                      hostile->gzip_body);
    }
  else
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

/* gzip of @size zero bytes, made a MiB at a time. */
static GBytes *
make_gzip_bomb (gsize size)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 1);
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) out = g_converter_output_stream_new (memory, G_CONVERTER (compressor));
  g_autofree char *zeros = g_malloc0 (MIB);
  g_autoptr(GError) error = NULL;

  for (gsize done = 0; done < size; done += MIB)
    {
      g_output_stream_write_all (out, zeros, MIB, NULL, NULL, &error);
      g_assert_no_error (error);
    }
  g_output_stream_close (out, NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

static Hostile *
hostile_new (void)
{
  Hostile *hostile = g_new0 (Hostile, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  hostile->server = soup_server_new ("server-header", "hostile", NULL);
  hostile->trickles = g_ptr_array_new_with_free_func ((GDestroyNotify) trickle_free);
  soup_server_add_handler (hostile->server, NULL, hostile_handler_cb, hostile, NULL);
  soup_server_listen_local (hostile->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (hostile->server);
  hostile->base = g_uri_to_string (uris->data);
  if (g_str_has_suffix (hostile->base, "/"))
    hostile->base[strlen (hostile->base) - 1] = '\0';
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return hostile;
}

static void
hostile_free (Hostile *hostile)
{
  g_ptr_array_unref (hostile->trickles);
  soup_server_disconnect (hostile->server);
  g_object_unref (hostile->server);
  g_clear_pointer (&hostile->gzip_body, g_bytes_unref);
  g_free (hostile->base);
  g_free (hostile);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Hostile, hostile_free)

static char *
hostile_url (Hostile *hostile, const char *path)
{
  return g_strconcat (hostile->base, path, NULL);
}

/* The sentence names the cap as the README does ("50.0 MiB", with a
 * non-breaking space from GLib). */
static void
assert_names_size (const GError *error, gsize size, const char *number)
{
  g_autofree char *words = g_format_size_full (size, G_FORMAT_SIZE_IEC_UNITS);

  g_assert_true (g_str_has_prefix (words, number));
  g_assert_true (g_str_has_suffix (words, "MiB"));
  g_assert_nonnull (strstr (error->message, words));
}

/* The deadline */

static void
assert_deadline_error (const GError *error, gint64 start, const char *url)
{
  double elapsed = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_autofree char *words = g_strdup_printf ("took longer than %u seconds", TEST_DEADLINE);

  g_assert_error (error, TALES_FETCH_ERROR, TALES_FETCH_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, words));
  g_assert_nonnull (strstr (error->message, url));
  /* The deadline, not the 30 s no-progress timeout that each byte used to
   * re-arm; generous margins for a shared machine. */
  g_assert_cmpfloat (elapsed, >=, TEST_DEADLINE - 0.2);
  g_assert_cmpfloat (elapsed, <, TEST_DEADLINE + 4);
  g_test_message ("trickle stopped after %.2f s (deadline %u s)", elapsed, TEST_DEADLINE);
}

static void
test_trickle_feed (void)
{
  g_autoptr(Hostile) hostile = hostile_new ();
  g_autoptr(TalesTestEnv) env = env_new ();
  g_autofree char *url = hostile_url (hostile, "/trickle.xml");
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesFeed) feed = NULL;
  gint64 start;

  g_assert_cmpuint (tales_fetcher_get_deadline (env->fetcher, TALES_FETCH_FEED), >, 0);
  tales_fetcher_set_deadline (env->fetcher, TALES_FETCH_FEED, TEST_DEADLINE);
  start = g_get_monotonic_time ();
  g_assert_false (refresh (env, url, &error));
  assert_deadline_error (error, start, url);
  g_assert_cmpuint (hostile->trickles->len, ==, 1);
  g_assert_cmpuint (((Trickle *) hostile->trickles->pdata[0])->sent, >=, 1);
  g_clear_error (&error);

  /* The error is the feed's, in words; the post that arrived is not kept
   * from a download that never ended. */
  feed = tales_store_find_feed_by_url (env->store, url, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (tales_feed_get_last_error (feed), "took longer than"));
  g_assert_cmpuint (tales_store_count_posts (env->store, tales_feed_get_db_id (feed), NULL), ==, 0);
}

static void
test_trickle_image (void)
{
  g_autoptr(Hostile) hostile = hostile_new ();
  g_autoptr(TalesFetcher) fetcher = tales_fetcher_new ();
  g_autofree char *url = hostile_url (hostile, "/trickle.png");
  gint64 start;
  TalesTestFetch f;

  tales_fetcher_set_deadline (fetcher, TALES_FETCH_IMAGE, TEST_DEADLINE);
  start = g_get_monotonic_time ();
  fetch_kind (fetcher, TALES_FETCH_IMAGE, url, &f);
  assert_deadline_error (f.error, start, url);
  tales_test_fetch_clear (&f);
}

/* The caps */

/* A small gzip body that inflates far past the image cap stops at the cap
 * as the decoded bytes arrive, and never sits whole in memory. */
static void
test_gzip_bomb_image (void)
{
  g_autoptr(Hostile) hostile = hostile_new ();
  g_autoptr(TalesFetcher) fetcher = tales_fetcher_new ();
  g_autofree char *url = hostile_url (hostile, "/bomb.png");
  gsize cap = tales_fetcher_get_kind_max_bytes (fetcher, TALES_FETCH_IMAGE);
  gsize before;
  TalesTestFetch f;

  g_assert_cmpuint (cap, ==, 16 * MIB);
  hostile->gzip_size = 256 * MIB;
  hostile->gzip_body = make_gzip_bomb (hostile->gzip_size);
  /* Far under the cap on the wire: a cap on the encoded bytes would let
   * it through. */
  g_assert_cmpuint (g_bytes_get_size (hostile->gzip_body), <, cap / 8);

  tales_test_reset_peak_memory ();
  before = tales_test_memory_kib ("VmHWM");
  fetch_kind (fetcher, TALES_FETCH_IMAGE, url, &f);
  g_assert_error (f.error, TALES_FETCH_ERROR, TALES_FETCH_ERROR_TOO_LARGE);
  assert_names_size (f.error, 16 * MIB, "16.0");
  g_test_message ("gzip bomb: peak memory +%zu MiB while refusing %zu MiB",
                  (tales_test_memory_kib ("VmHWM") - before) / 1024, hostile->gzip_size / MIB);
  /* The cap (16 MiB) and its buffer's growth (more under ASan, which
   * keeps freed blocks a while), far from the 256 MiB body. */
  g_assert_cmpuint (tales_test_memory_kib ("VmHWM") - before, <, 96 * 1024);
  tales_test_fetch_clear (&f);
}

/* Reads a streamed body to its end in a thread, as the parser does. */
typedef struct {
  GInputStream *stream;
  gsize total;
  GError *error;
  gboolean done;
} Drain;

static gboolean
drain_done_cb (gpointer user_data)
{
  Drain *drain = user_data;

  drain->done = TRUE;
  return G_SOURCE_REMOVE;
}

static gpointer
drain_thread (gpointer user_data)
{
  Drain *drain = user_data;
  g_autofree char *buffer = g_malloc (64 * 1024);
  gssize n;

  while ((n = g_input_stream_read (drain->stream, buffer, 64 * 1024, NULL, &drain->error)) > 0)
    drain->total += n;
  g_idle_add (drain_done_cb, drain);
  return NULL;
}

/* A feed over 50 MiB is refused: streamed with no Content-Length, while it
 * is read (the parser never gets more than the cap), and whole, at once
 * from its Content-Length. */
static void
test_feed_over_cap (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autoptr(TalesFetcher) fetcher = tales_fetcher_new ();
  g_autofree char *url = tales_test_server_url (server, "/huge.xml");
  g_autofree char *whole_url = tales_test_server_url (server, "/huge-whole.xml");
  g_autoptr(GString) huge = g_string_sized_new (51 * MIB + 256);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GThread) thread = NULL;
  Drain drain = { 0 };
  TalesTestFetch f = { 0 };

  g_assert_cmpuint (tales_fetcher_get_kind_max_bytes (fetcher, TALES_FETCH_FEED), ==, 50 * MIB);
  g_string_append (huge, feed_head);
  while (huge->len < 51 * MIB)
    g_string_append (huge, "<x:pad xmlns:x=\"urn:pad\">padding padding padding padding</x:pad>\n");
  g_string_append (huge, "</channel></rss>\n");
  bytes = g_string_free_to_bytes (g_steal_pointer (&huge));
  tales_test_server_add_chunked (server, "/huge.xml", "application/rss+xml", bytes);
  tales_test_server_add_bytes (server, "/huge-whole.xml", "application/rss+xml", bytes);

  tales_fetcher_fetch_stream_async (fetcher, url, NULL, NULL, NULL, tales_test_fetch_stream_cb, &f);
  tales_test_wait_for (&f.done, 30000);
  g_assert_no_error (f.error);
  drain.stream = f.result->stream;
  thread = g_thread_new ("drain", drain_thread, &drain);
  tales_test_wait_for (&drain.done, 60000);
  g_assert_error (drain.error, TALES_FETCH_ERROR, TALES_FETCH_ERROR_TOO_LARGE);
  assert_names_size (drain.error, 50 * MIB, "50.0");
  g_assert_cmpuint (drain.total, <=, 50 * MIB);
  g_clear_error (&drain.error);
  tales_test_fetch_clear (&f);

  fetch_kind (fetcher, TALES_FETCH_FEED, whole_url, &f);
  g_assert_error (f.error, TALES_FETCH_ERROR, TALES_FETCH_ERROR_TOO_LARGE);
  tales_test_fetch_clear (&f);
}

/* Credentials */

/* user:pass@ never reaches libsoup: a 401 is not answered with them,
 * neither for the URL asked for nor for a redirect's target. */
static void
test_userinfo_stripped (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autoptr(TalesFetcher) fetcher = tales_fetcher_new ();
  const char *base = tales_test_server_get_base (server);
  g_autofree char *secret_url = g_strdup_printf ("http://reader:s3cret@%s/private.xml",
                                                 base + strlen ("http://"));
  g_autofree char *image_url = g_strdup_printf ("http://reader:s3cret@%s/private.png",
                                                base + strlen ("http://"));
  g_autofree char *go_url = tales_test_server_url (server, "/go");
  TalesTestFetch f;

  tales_test_server_add_status (server, "/private.xml", 401);
  tales_test_server_add_header (server, "/private.xml", "WWW-Authenticate", "Basic realm=\"feeds\"");
  tales_test_server_add_status (server, "/private.png", 401);
  tales_test_server_add_header (server, "/private.png", "WWW-Authenticate", "Basic realm=\"feeds\"");
  tales_test_server_add_redirect (server, "/go", 302, secret_url);

  fetch_kind (fetcher, TALES_FETCH_FEED, secret_url, &f);
  g_assert_error (f.error, TALES_FETCH_ERROR, TALES_FETCH_ERROR_HTTP);
  g_assert_null (strstr (f.error->message, "s3cret"));
  tales_test_fetch_clear (&f);
  g_assert_cmpuint (tales_test_server_hits (server, "/private.xml"), ==, 1);
  g_assert_null (tales_test_server_last_header (server, "/private.xml", "Authorization"));

  fetch_kind (fetcher, TALES_FETCH_IMAGE, image_url, &f);
  g_assert_error (f.error, TALES_FETCH_ERROR, TALES_FETCH_ERROR_HTTP);
  tales_test_fetch_clear (&f);
  g_assert_cmpuint (tales_test_server_hits (server, "/private.png"), ==, 1);
  g_assert_null (tales_test_server_last_header (server, "/private.png", "Authorization"));

  /* A Location with credentials: followed without them. */
  fetch_kind (fetcher, TALES_FETCH_FEED, go_url, &f);
  g_assert_error (f.error, TALES_FETCH_ERROR, TALES_FETCH_ERROR_HTTP);
  tales_test_fetch_clear (&f);
  g_assert_cmpuint (tales_test_server_hits (server, "/private.xml"), ==, 2);
  g_assert_null (tales_test_server_last_header (server, "/private.xml", "Authorization"));
}

/* The host the server saw for a URL with userinfo is the plain one. */
static void
test_userinfo_host (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autoptr(TalesFetcher) fetcher = tales_fetcher_new ();
  const char *base = tales_test_server_get_base (server);
  g_autofree char *url = g_strdup_printf ("http://reader:s3cret@%s/feed.xml", base + strlen ("http://"));
  g_autofree char *plain = tales_test_server_url (server, "/feed.xml");
  TalesTestFetch f;

  tales_test_server_add_string (server, "/feed.xml", "application/rss+xml", good_feed);
  fetch_kind (fetcher, TALES_FETCH_FEED, url, &f);
  g_assert_no_error (f.error);
  g_assert_cmpstr (f.result->final_url, ==, plain);
  g_assert_null (tales_test_server_last_header (server, "/feed.xml", "Authorization"));
  g_assert_cmpstr (tales_test_server_last_header (server, "/feed.xml", "Host"), ==,
                   base + strlen ("http://"));
  tales_test_fetch_clear (&f);
}

/* Redirects */

static void
assert_stored_at (TalesTestEnv *env, gint64 id, const char *url, const char *gone)
{
  g_autoptr(TalesFeed) feed = tales_store_get_feed (env->store, id, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesFeed) old = NULL;
  g_autofree char *opml = NULL;

  g_assert_nonnull (feed);
  g_assert_cmpstr (tales_feed_get_url (feed), ==, url);
  opml = tales_opml_export (env->store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (opml, url));
  if (gone != NULL)
    {
      old = tales_store_find_feed_by_url (env->store, gone, &error);
      g_assert_null (old);
      g_assert_error (error, TALES_STORE_ERROR, TALES_STORE_ERROR_NOT_FOUND);
      g_assert_null (strstr (opml, gone));
    }
}

static gint64
feed_id_of (TalesTestEnv *env, const char *url)
{
  g_autoptr(TalesFeed) feed = tales_store_find_feed_by_url (env->store, url, NULL);

  g_assert_nonnull (feed);
  return tales_feed_get_db_id (feed);
}

static void
test_redirect_permanent (gconstpointer user_data)
{
  guint status = GPOINTER_TO_UINT (user_data);
  g_autoptr(TalesTestEnv) env = env_new ();
  g_autofree char *old_url = tales_test_server_url (env->server, "/old.xml");
  g_autofree char *new_url = tales_test_server_url (env->server, "/new.xml");
  g_autoptr(GError) error = NULL;
  gint64 id;
  TalesTestFetch f;

  tales_test_server_add_redirect (env->server, "/old.xml", status, "/new.xml");
  tales_test_server_add_string (env->server, "/new.xml", "application/rss+xml", good_feed);

  fetch_kind (env->fetcher, TALES_FETCH_FEED, old_url, &f);
  g_assert_no_error (f.error);
  g_assert_true (f.result->redirects_permanent);
  g_assert_cmpstr (f.result->permanent_url, ==, new_url);
  tales_test_fetch_clear (&f);

  g_assert_true (refresh (env, old_url, &error));
  g_assert_no_error (error);
  id = feed_id_of (env, new_url);
  assert_stored_at (env, id, new_url, old_url);

  /* The next refresh goes to the new address directly (and a 304 there
   * changes nothing). */
  g_assert_true (refresh (env, new_url, &error));
  g_assert_cmpuint (tales_test_server_hits (env->server, "/old.xml"), ==, 2);
  assert_stored_at (env, id, new_url, old_url);
}

static void
test_redirect_temporary (gconstpointer user_data)
{
  guint status = GPOINTER_TO_UINT (user_data);
  g_autoptr(TalesTestEnv) env = env_new ();
  g_autofree char *url = tales_test_server_url (env->server, "/temp.xml");
  g_autofree char *target = tales_test_server_url (env->server, "/target.xml");
  g_autoptr(GError) error = NULL;
  TalesTestFetch f;

  tales_test_server_add_redirect (env->server, "/temp.xml", status, "/target.xml");
  tales_test_server_add_string (env->server, "/target.xml", "application/rss+xml", good_feed);

  fetch_kind (env->fetcher, TALES_FETCH_FEED, url, &f);
  g_assert_no_error (f.error);
  g_assert_false (f.result->redirects_permanent);
  g_assert_null (f.result->permanent_url);
  g_assert_cmpstr (f.result->final_url, ==, target);
  tales_test_fetch_clear (&f);

  g_assert_true (refresh (env, url, &error));
  g_assert_no_error (error);
  assert_stored_at (env, feed_id_of (env, url), url, target);
}

/* 301 then 302: the address to keep is the 301's target, not where the
 * temporary redirect led. */
static void
test_redirect_chain (void)
{
  g_autoptr(TalesTestEnv) env = env_new ();
  g_autofree char *url = tales_test_server_url (env->server, "/a.xml");
  g_autofree char *moved = tales_test_server_url (env->server, "/b.xml");
  g_autoptr(GError) error = NULL;
  TalesTestFetch f;

  tales_test_server_add_redirect (env->server, "/a.xml", 301, "/b.xml");
  tales_test_server_add_redirect (env->server, "/b.xml", 302, "/c.xml");
  tales_test_server_add_string (env->server, "/c.xml", "application/rss+xml", good_feed);

  fetch_kind (env->fetcher, TALES_FETCH_FEED, url, &f);
  g_assert_no_error (f.error);
  g_assert_false (f.result->redirects_permanent);
  g_assert_cmpstr (f.result->permanent_url, ==, moved);
  tales_test_fetch_clear (&f);

  g_assert_true (refresh (env, url, &error));
  assert_stored_at (env, feed_id_of (env, moved), moved, url);
}

/* A 301 to an address another subscription has: both stay as they are. */
static void
test_redirect_to_subscribed (void)
{
  g_autoptr(TalesTestEnv) env = env_new ();
  g_autofree char *old_url = tales_test_server_url (env->server, "/old.xml");
  g_autofree char *new_url = tales_test_server_url (env->server, "/new.xml");
  g_autoptr(GError) error = NULL;
  gint64 old_id, new_id;

  tales_test_server_add_redirect (env->server, "/old.xml", 301, "/new.xml");
  tales_test_server_add_string (env->server, "/new.xml", "application/rss+xml", good_feed);
  g_assert_true (refresh (env, new_url, &error));
  new_id = feed_id_of (env, new_url);

  g_assert_true (refresh (env, old_url, &error));
  g_assert_no_error (error);
  old_id = feed_id_of (env, old_url);
  g_assert_cmpint (old_id, !=, new_id);
  assert_stored_at (env, old_id, old_url, NULL);
  assert_stored_at (env, new_id, new_url, NULL);
}

/* A 301 to something that is not a feed (a parked domain's landing page)
 * does not move the subscription. */
static void
test_redirect_permanent_broken (void)
{
  g_autoptr(TalesTestEnv) env = env_new ();
  g_autofree char *url = tales_test_server_url (env->server, "/feed.xml");
  g_autofree char *parked = tales_test_server_url (env->server, "/parked");
  g_autoptr(GError) error = NULL;

  tales_test_server_add_redirect (env->server, "/feed.xml", 301, "/parked");
  tales_test_server_add_string (env->server, "/parked", "text/plain", "\x01\x02 this domain is for sale");
  g_assert_false (refresh (env, url, &error));
  g_assert_nonnull (error);
  assert_stored_at (env, feed_id_of (env, url), url, parked);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tales/hostile-fetch/deadline/feed-trickle", test_trickle_feed);
  g_test_add_func ("/tales/hostile-fetch/deadline/image-trickle", test_trickle_image);
  g_test_add_func ("/tales/hostile-fetch/cap/image-gzip-bomb", test_gzip_bomb_image);
  g_test_add_func ("/tales/hostile-fetch/cap/feed-over-50-mib", test_feed_over_cap);
  g_test_add_func ("/tales/hostile-fetch/credentials/not-sent", test_userinfo_stripped);
  g_test_add_func ("/tales/hostile-fetch/credentials/plain-host", test_userinfo_host);
  g_test_add_data_func ("/tales/hostile-fetch/redirect/301-moves", GUINT_TO_POINTER (301),
                        test_redirect_permanent);
  g_test_add_data_func ("/tales/hostile-fetch/redirect/308-moves", GUINT_TO_POINTER (308),
                        test_redirect_permanent);
  g_test_add_data_func ("/tales/hostile-fetch/redirect/302-stays", GUINT_TO_POINTER (302),
                        test_redirect_temporary);
  g_test_add_data_func ("/tales/hostile-fetch/redirect/307-stays", GUINT_TO_POINTER (307),
                        test_redirect_temporary);
  g_test_add_func ("/tales/hostile-fetch/redirect/301-then-302", test_redirect_chain);
  g_test_add_func ("/tales/hostile-fetch/redirect/301-to-subscribed", test_redirect_to_subscribed);
  g_test_add_func ("/tales/hostile-fetch/redirect/301-to-non-feed", test_redirect_permanent_broken);

  return g_test_run ();
}
