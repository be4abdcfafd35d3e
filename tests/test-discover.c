/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Feed discovery against a real SoupServer on 127.0.0.1: a feed address
 * itself, a page's <link rel="alternate">, the common paths, and nothing. */

#include <string.h>

#include "tales-core.h"
#include "tales-test-utils.h"

#ifdef TALES_TEST_ASAN
#define SLOWDOWN 5
#else
#define SLOWDOWN 1
#endif

/* A page of 200,000 feed links once took 55 s and 2.9 GB (370 MB in
 * tales-cli alone); bounded, it is a fetch and one pass of a SAX parser. */
#define MANY_LINKS 200000
#define MAX_MANY_SECONDS (10.0 * SLOWDOWN)
#define MAX_MANY_GROWTH_MB 100
#define SUBPROCESS_TIMEOUT (120 * G_USEC_PER_SEC)

static const char rss[] =
  "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Plain RSS</title>"
  "<link>http://example.com/</link><item><title>One</title><guid>1</guid></item>"
  "</channel></rss>";

static const char atom[] =
  "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Atomic</title>"
  "<id>urn:x</id><updated>2024-01-01T00:00:00Z</updated></feed>";

typedef struct {
  gboolean done;
  GPtrArray *found;
  GError *error;
} Discovered;

static void
discover_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Discovered *discovered = user_data;

  discovered->found = tales_discover_finish (res, &discovered->error);
  discovered->done = TRUE;
}

/* Discovers @path on @server; returns the feeds, or NULL with @error. */
static GPtrArray *
discover (TalesTestServer *server, const char *path, GError **error)
{
  g_autoptr(TalesFetcher) fetcher = tales_fetcher_new ();
  g_autofree char *url = tales_test_server_url (server, path);
  Discovered discovered = { 0 };

  tales_discover_async (fetcher, url, NULL, discover_cb, &discovered);
  tales_test_wait_for (&discovered.done, 20000);
  g_assert_true ((discovered.found == NULL) != (discovered.error == NULL));
  if (discovered.error != NULL)
    g_propagate_error (error, discovered.error);
  return discovered.found;
}

static TalesDiscoveredFeed *
found_at (GPtrArray *found, guint i)
{
  return g_ptr_array_index (found, i);
}

static void
test_feed_itself (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autofree char *url = tales_test_server_url (server, "/blog/rss");

  tales_test_server_add_string (server, "/blog/rss", "application/rss+xml", rss);
  found = discover (server, "/blog/rss", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpstr (found_at (found, 0)->url, ==, url);
  g_assert_cmpstr (found_at (found, 0)->title, ==, "Plain RSS");
  g_assert_cmpstr (found_at (found, 0)->type, ==, "application/rss+xml");
  /* Nothing more was asked of the server. */
  g_assert_cmpuint (tales_test_server_hits (server, NULL), ==, 1);
}

static void
test_page_links (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autofree char *first = tales_test_server_url (server, "/blog/atom.xml");
  const char *page =
    "<!DOCTYPE html><html><head><title>A blog</title>\n"
    "<link rel=\"stylesheet\" href=\"/style.css\">\n"
    "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Posts (Atom)\" href=\"atom.xml\">\n"
    "<link rel=\"alternate\" type=\"text/html\" hreflang=\"fr\" href=\"/fr/\">\n"
    "<link rel=\"Alternate Feed\" type=\"application/rss+xml; charset=utf-8\" title=\"Comments &amp; more\"\n"
    "      href=\"http://elsewhere.example/comments.rss\">\n"
    "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"javascript:alert(1)\">\n"
    "</head><body><p>Hello</body></html>";

  tales_test_server_add_string (server, "/blog/", "text/html", page);
  found = discover (server, "/blog/", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 2);
  g_assert_cmpstr (found_at (found, 0)->url, ==, first);
  g_assert_cmpstr (found_at (found, 0)->title, ==, "Posts (Atom)");
  g_assert_cmpstr (found_at (found, 0)->type, ==, "application/atom+xml");
  g_assert_cmpstr (found_at (found, 1)->url, ==, "http://elsewhere.example/comments.rss");
  g_assert_cmpstr (found_at (found, 1)->title, ==, "Comments & more");
  g_assert_cmpstr (found_at (found, 1)->type, ==, "application/rss+xml");
  /* The links are reported, not fetched. */
  g_assert_cmpuint (tales_test_server_hits (server, NULL), ==, 1);
}

static void
test_common_path (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autofree char *feed_url = tales_test_server_url (server, "/feed.xml");

  tales_test_server_add_string (server, "/about/me.html", "text/html",
                                "<html><head><title>No feeds here</title></head><body></body></html>");
  /* An HTML page at a common path is not a feed: the search goes on. */
  tales_test_server_add_string (server, "/feed", "text/html", "<html><body>Not a feed</body></html>");
  tales_test_server_add_string (server, "/feed.xml", "application/atom+xml", atom);
  tales_test_server_add_string (server, "/index.xml", "application/rss+xml", rss);

  found = discover (server, "/about/me.html", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpstr (found_at (found, 0)->url, ==, feed_url);
  g_assert_cmpstr (found_at (found, 0)->title, ==, "Atomic");
  g_assert_cmpstr (found_at (found, 0)->type, ==, "application/atom+xml");
  /* In order, and no further than the first that answered. */
  g_assert_cmpuint (tales_test_server_hits (server, "/feed"), ==, 1);
  g_assert_cmpuint (tales_test_server_hits (server, "/index.xml"), ==, 0);
}

static void
test_json_feed_path (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;

  /* The page itself is missing: the common paths are still tried. */
  tales_test_server_add_string (server, "/feed.json", "application/feed+json",
                                "{\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"Jason\", \"items\": []}");
  found = discover (server, "/gone", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpstr (found_at (found, 0)->title, ==, "Jason");
  g_assert_cmpstr (found_at (found, 0)->type, ==, "application/feed+json");
}

static void
test_nothing (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autofree char *url = tales_test_server_url (server, "/plain");

  tales_test_server_add_string (server, "/plain", "text/html", "<html><body>Just words.</body></html>");
  tales_test_server_add_string (server, "/rss.xml", "application/json", "{\"version\": \"nope\"}");
  found = discover (server, "/plain", &error);
  g_assert_null (found);
  g_assert_error (error, TALES_DISCOVER_ERROR, TALES_DISCOVER_ERROR_NOT_FOUND);
  g_assert_true (g_str_has_prefix (error->message, "No feed was found at "));
  g_assert_nonnull (strstr (error->message, url));
  /* The page and every common path were asked, once each. */
  g_assert_cmpuint (tales_test_server_hits (server, NULL), ==, 7);
}

static void
test_unreachable (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;

  tales_test_server_stop (server);
  found = discover (server, "/", &error);
  g_assert_null (found);
  g_assert_error (error, TALES_FETCH_ERROR, TALES_FETCH_ERROR_NETWORK);
}

/* @n feed links, in <head> when @in_head, else in <body>. */
static GBytes *
many_links_page (guint n, gboolean in_head)
{
  GString *page = g_string_sized_new (n * 100 + 200);

  g_string_append (page, "<!DOCTYPE html><html><head><title>Many</title>\n");
  if (!in_head)
    g_string_append (page, "</head><body>\n");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (page, "<link rel=\"alternate\" type=\"application/rss+xml\" "
                                  "title=\"Feed %u\" href=\"/feeds/%u.xml\">\n", i, i);
  g_string_append (page, in_head ? "</head><body></body></html>\n" : "</body></html>\n");
  return g_string_free_to_bytes (page);
}

static void
run_many_links (gboolean in_head)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autoptr(GBytes) page = many_links_page (MANY_LINKS, in_head);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autofree char *last = tales_test_server_url (server, "/feeds/49.xml");
  double rss_before, seconds, growth;
  gint64 start;

  tales_test_server_add_bytes (server, "/", "text/html", page);
  rss_before = tales_test_peak_mb ();
  start = g_get_monotonic_time ();
  found = discover (server, "/", &error);
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  growth = tales_test_peak_mb () - rss_before;
  g_printerr ("# %u links in <%s> (%zu bytes): %.2f s, peak RSS +%.1f MB\n", MANY_LINKS,
              in_head ? "head" : "body", g_bytes_get_size (page), seconds, growth);

  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, TALES_DISCOVER_MAX_CANDIDATES);
  /* The first ones, in the page's order. */
  g_assert_cmpstr (found_at (found, 0)->title, ==, "Feed 0");
  g_assert_cmpstr (found_at (found, found->len - 1)->url, ==, last);
  g_assert_cmpfloat (seconds, <, MAX_MANY_SECONDS);
  g_assert_cmpfloat (growth, <, MAX_MANY_GROWTH_MB);
}

static void
test_many_links_in_head (void)
{
  if (g_test_subprocess ())
    {
      run_many_links (TRUE);
      return;
    }
  tales_test_limit_asan_quarantine ();
  g_test_trap_subprocess (NULL, SUBPROCESS_TIMEOUT, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_many_links_in_body (void)
{
  if (g_test_subprocess ())
    {
      run_many_links (FALSE);
      return;
    }
  tales_test_limit_asan_quarantine ();
  g_test_trap_subprocess (NULL, SUBPROCESS_TIMEOUT, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* A title is cut, an address nobody meant is skipped, and a <base> after
 * the links still applies to them. */
static void
test_link_bounds (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autofree char *long_title = g_strnfill (100000, 'x');
  g_autofree char *long_href = g_strnfill (TALES_DISCOVER_MAX_URL_BYTES + 1, 'a');
  g_autofree char *page = g_strdup_printf (
    "<html><head>\n"
    "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"%s\" href=\"one.xml\">\n"
    "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"long\" href=\"/%s\">\n"
    "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"data\" href=\"data:,x\">\n"
    "<base href=\"/sub/\">\n"
    "</head><body></body></html>", long_title, long_href);
  g_autofree char *one = tales_test_server_url (server, "/sub/one.xml");
  const char *title;

  tales_test_server_add_string (server, "/page", "text/html", page);
  found = discover (server, "/page", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpstr (found_at (found, 0)->url, ==, one);
  title = found_at (found, 0)->title;
  g_assert_cmpuint (g_utf8_strlen (title, -1), ==, TALES_DISCOVER_MAX_TITLE_CHARS + 1);
  g_assert_true (g_str_has_suffix (title, "…"));
}

/* The page is read in its own encoding: UTF-8 without a declaration,
 * UTF-16 with a byte order mark, a declared legacy charset. */
static void
test_page_encodings (void)
{
  static const struct {
    const char *path;
    const char *data;
  } pages[] = {
    { "/utf8", "<html><head><link rel=\"alternate\" type=\"application/rss+xml\" "
               "title=\"Caf\xc3\xa9 \xe6\x97\xa5\" href=\"/f.xml\"></head></html>" },
    { "/latin1", "<html><head><meta charset=\"iso-8859-1\"><link rel=\"alternate\" "
                 "type=\"application/rss+xml\" title=\"Caf\xe9 \xe6\x97\xa5\" href=\"/f.xml\"></head></html>" },
    { "/utf16", NULL },   /* utf16_text in UTF-16LE, with its byte order mark */
  };
  const char *expected[] = { "Café 日", "Caf\xc3\xa9 \xc3\xa6\xc2\x97\xc2\xa5", "Café 日" };
  const char *utf16_text = "<link rel=alternate type=application/rss+xml title=\"Café 日\" href=/f.xml>";
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autofree char *utf16 = NULL;
  glong utf16_units = 0;

  utf16 = (char *) g_utf8_to_utf16 (utf16_text, -1, NULL, &utf16_units, NULL);
  {
    GByteArray *array = g_byte_array_new ();
    g_autoptr(GBytes) bytes = NULL;

    g_byte_array_append (array, (const guint8 *) "\xff\xfe", 2);
    g_byte_array_append (array, (const guint8 *) utf16, utf16_units * 2);
    bytes = g_byte_array_free_to_bytes (array);
    tales_test_server_add_bytes (server, "/utf16", "text/html", bytes);
  }
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) found = NULL;

      if (pages[i].data != NULL)
        tales_test_server_add_string (server, pages[i].path, "text/html", pages[i].data);
      found = discover (server, pages[i].path, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (found->len, ==, 1);
      g_assert_cmpstr (found_at (found, 0)->title, ==, expected[i]);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  tales_core_init ();

  g_test_add_func ("/tales/discover/feed-itself", test_feed_itself);
  g_test_add_func ("/tales/discover/page-links", test_page_links);
  g_test_add_func ("/tales/discover/common-path", test_common_path);
  g_test_add_func ("/tales/discover/json-feed-path", test_json_feed_path);
  g_test_add_func ("/tales/discover/nothing", test_nothing);
  g_test_add_func ("/tales/discover/unreachable", test_unreachable);
  g_test_add_func ("/tales/discover/link-bounds", test_link_bounds);
  g_test_add_func ("/tales/discover/page-encodings", test_page_encodings);
  g_test_add_func ("/tales/discover/many-links-in-head", test_many_links_in_head);
  g_test_add_func ("/tales/discover/many-links-in-body", test_many_links_in_body);
  return g_test_run ();
}
