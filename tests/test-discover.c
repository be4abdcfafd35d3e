/* Feed discovery against a real SoupServer on 127.0.0.1: a feed address
 * itself, a page's <link rel="alternate">, the common paths, and nothing. */

#include "tales-core.h"
#include "tales-test-server.h"

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
  return g_test_run ();
}
