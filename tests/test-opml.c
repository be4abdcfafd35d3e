/* SPDX-License-Identifier: GPL-3.0-or-later */
/* OPML subscription lists: reading 1.0 and 2.0 with folders, refusing what
 * is not one, importing all or nothing into a real store, and writing a
 * list that reads back the same. */

#include "tales-core.h"
#include "tales-test-utils.h"
#include "tales-opml.h"

static const char opml_v1[] =
  "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
  "<opml version=\"1.0\">\n"
  "  <head><title>mySubscriptions</title></head>\n"
  "  <body>\n"
  "    <outline text=\"CNET News.com\" description=\"Tech news\" htmlUrl=\"http://news.example.com/\"\n"
  "             language=\"unknown\" title=\"CNET News.com\" type=\"rss\" version=\"RSS2\"\n"
  "             xmlUrl=\"http://news.example.com/2547-1_3-0-5.xml\"/>\n"
  "    <outline text=\"Caf\xe9 du monde\" type=\"rss\" xmlUrl=\"http://cafe.example.com/rss\"/>\n"
  "  </body>\n"
  "</opml>\n";

static const char opml_v2_folders[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<opml version=\"2.0\">\n"
  "  <head><title>Export</title><dateCreated>Mon, 01 Jan 2024 00:00:00 GMT</dateCreated></head>\n"
  "  <body>\n"
  "    <outline text=\"Top\" title=\"Top level\" type=\"rss\" xmlUrl=\"https://top.example.com/feed\"/>\n"
  "    <outline text=\"Tech\">\n"
  "      <outline text=\"Tales\" type=\"rss\" xmlUrl=\"https://tltales.com/rss.xml\" htmlUrl=\"https://tltales.com/\"/>\n"
  "      <outline title=\"Deep\">\n"
  "        <outline text=\"Rust &amp; C\" type=\"rss\" xmlurl=\" https://deep.example.com/atom \"/>\n"
  "      </outline>\n"
  "    </outline>\n"
  "    <outline text=\"Again\" type=\"rss\" xmlUrl=\"https://top.example.com/feed\"/>\n"
  "  </body>\n"
  "</opml>\n";

static TalesFeed *
feed_at (GPtrArray *feeds, guint i)
{
  return g_ptr_array_index (feeds, i);
}

static void
test_parse_v1 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) feeds = tales_opml_parse (opml_v1, sizeof opml_v1 - 1, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (feeds->len, ==, 2);
  g_assert_cmpstr (tales_feed_get_url (feed_at (feeds, 0)), ==, "http://news.example.com/2547-1_3-0-5.xml");
  g_assert_cmpstr (tales_feed_get_title (feed_at (feeds, 0)), ==, "CNET News.com");
  g_assert_cmpstr (tales_feed_get_link (feed_at (feeds, 0)), ==, "http://news.example.com/");
  g_assert_null (tales_feed_get_folder (feed_at (feeds, 0)));
  /* The declared Latin-1 is decoded, and "text" stands in for a missing title. */
  g_assert_cmpstr (tales_feed_get_title (feed_at (feeds, 1)), ==, "Caf\xc3\xa9 du monde");
}

static void
test_parse_folders (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) feeds = tales_opml_parse (opml_v2_folders, sizeof opml_v2_folders - 1, &error);

  g_assert_no_error (error);
  /* The second outline for the same URL is dropped. */
  g_assert_cmpuint (feeds->len, ==, 3);
  g_assert_cmpstr (tales_feed_get_title (feed_at (feeds, 0)), ==, "Top level");
  g_assert_null (tales_feed_get_folder (feed_at (feeds, 0)));
  g_assert_cmpstr (tales_feed_get_url (feed_at (feeds, 1)), ==, "https://tltales.com/rss.xml");
  g_assert_cmpstr (tales_feed_get_folder (feed_at (feeds, 1)), ==, "Tech");
  g_assert_cmpstr (tales_feed_get_url (feed_at (feeds, 2)), ==, "https://deep.example.com/atom");
  g_assert_cmpstr (tales_feed_get_title (feed_at (feeds, 2)), ==, "Rust & C");
  g_assert_cmpstr (tales_feed_get_folder (feed_at (feeds, 2)), ==, "Tech/Deep");
}

static void
test_parse_refused (void)
{
  static const struct {
    const char *data;
    int code;
    const char *words;
  } cases[] = {
    { "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel/></rss>",
      TALES_OPML_ERROR_INVALID, "<rss>" },
    { "<opml version=\"2.0\"><head/><body>\n<outline text=\"a\" xmlUrl=\"http://a/\">\n</body>",
      TALES_OPML_ERROR_INVALID, "line 3" },
    { "", TALES_OPML_ERROR_INVALID, "well-formed" },
    { "<opml version=\"2.0\"><head/><body><outline text=\"Folder\"/></body></opml>",
      TALES_OPML_ERROR_EMPTY, "no feeds" },
    { "<opml version=\"1.0\"><head/></opml>", TALES_OPML_ERROR_EMPTY, "no feeds" },
    /* Entities of the file's own making are neither fetched nor expanded. */
    { "<!DOCTYPE opml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
      "<opml version=\"2.0\"><body><outline text=\"&x;\" xmlUrl=\"http://a/\"/></body></opml>",
      TALES_OPML_ERROR_INVALID, "external entity" },
    { "<!DOCTYPE opml [<!ENTITY x \"http://a/\">]>"
      "<opml version=\"2.0\"><body><outline text=\"x\" xmlUrl=\"&x;\"/></body></opml>",
      TALES_OPML_ERROR_EMPTY, "no feeds" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) feeds = tales_opml_parse (cases[i].data, strlen (cases[i].data), &error);

      g_test_message ("case %u: %s", i, error ? error->message : "(no error)");
      g_assert_null (feeds);
      g_assert_error (error, TALES_OPML_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].words));
      g_assert_true (g_unichar_isupper (g_utf8_get_char (error->message)));
      g_assert_true (g_str_has_suffix (error->message, "."));
    }
}

/* Store-backed tests */

static void
test_import (void)
{
  g_autoptr(TalesStore) store = tales_test_open_store (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesFeed) deep = NULL;
  guint n_added = 0;

  g_assert_true (tales_opml_import (store, opml_v2_folders, sizeof opml_v2_folders - 1, &n_added, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_added, ==, 3);
  g_assert_cmpuint (tales_test_count_feeds (store), ==, 3);

  deep = tales_store_find_feed_by_url (store, "https://deep.example.com/atom", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tales_feed_get_folder (deep), ==, "Tech/Deep");
  g_assert_cmpstr (tales_feed_get_display_title (deep), ==, "Rust & C");

  /* Importing the same list again adds nothing. */
  g_assert_true (tales_opml_import (store, opml_v2_folders, sizeof opml_v2_folders - 1, &n_added, &error));
  g_assert_cmpuint (n_added, ==, 0);
  g_assert_cmpuint (tales_test_count_feeds (store), ==, 3);
}

/* Only web addresses are subscribed to: feed:// is read as https, and file:,
 * data:, javascript: and the like are skipped and counted. */
static void
test_import_schemes (void)
{
  static const char opml[] =
    "<?xml version=\"1.0\"?><opml version=\"2.0\"><body>\n"
    "<outline text=\"ok\" xmlUrl=\"https://ok.example.com/rss\" htmlUrl=\"javascript:alert(1)\"/>\n"
    "<outline text=\"feed\" xmlUrl=\"feed://feed.example.com/atom\" htmlUrl=\"https://feed.example.com/\"/>\n"
    "<outline text=\"wrapped\" xmlUrl=\"feed:https://wrapped.example.com/rss\"/>\n"
    "<outline text=\"js\" xmlUrl=\"javascript:alert(document.cookie)\"/>\n"
    "<outline text=\"file\" xmlUrl=\"file:///etc/passwd\"/>\n"
    "<outline text=\"FILE\" xmlUrl=\"FILE:///home/me/.ssh/id_rsa\"/>\n"
    "<outline text=\"data\" xmlUrl=\"data:application/rss+xml,%3Crss/%3E\"/>\n"
    "<outline text=\"wrapped js\" xmlUrl=\"feed:javascript:alert(1)\"/>\n"
    "<outline text=\"relative\" xmlUrl=\"/feed.xml\"/>\n"
    "</body></opml>";
  static const char only_bad[] =
    "<opml version=\"2.0\"><body><outline text=\"f\" xmlUrl=\"file:///etc/passwd\"/>"
    "<outline text=\"d\" xmlUrl=\"data:,x\"/></body></opml>";
  g_autoptr(TalesStore) store = tales_test_open_store (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) feeds = NULL;
  g_autoptr(TalesFeed) ok = NULL;
  g_autoptr(TalesFeed) feed = NULL;
  g_autoptr(TalesFeed) wrapped = NULL;
  guint n_added = 0;
  guint n_refused = 0;

  g_assert_true (tales_opml_import_full (store, opml, sizeof opml - 1, &n_added, &n_refused, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_added, ==, 3);
  g_assert_cmpuint (n_refused, ==, 6);

  feeds = tales_store_list_feeds (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (feeds->len, ==, 3);
  for (guint i = 0; i < feeds->len; i++)
    g_assert_true (g_str_has_prefix (tales_feed_get_url (g_ptr_array_index (feeds, i)), "http"));
  ok = tales_store_find_feed_by_url (store, "https://ok.example.com/rss", &error);
  g_assert_nonnull (ok);
  g_assert_null (tales_feed_get_link (ok));
  feed = tales_store_find_feed_by_url (store, "https://feed.example.com/atom", &error);
  g_assert_nonnull (feed);
  g_assert_cmpstr (tales_feed_get_link (feed), ==, "https://feed.example.com/");
  wrapped = tales_store_find_feed_by_url (store, "https://wrapped.example.com/rss", &error);
  g_assert_nonnull (wrapped);

  /* A list of nothing but such addresses says so, and adds nothing. */
  g_assert_false (tales_opml_import_full (store, only_bad, sizeof only_bad - 1, &n_added, &n_refused, &error));
  g_assert_error (error, TALES_OPML_ERROR, TALES_OPML_ERROR_EMPTY);
  g_assert_nonnull (strstr (error->message, "2 addresses are not http or https"));
  g_assert_cmpuint (tales_test_count_feeds (store), ==, 3);
}

static void
test_import_broken (void)
{
  g_autoptr(TalesStore) store = tales_test_open_store (NULL);
  g_autoptr(GError) error = NULL;
  gsize truncated = strstr (opml_v2_folders, "<outline text=\"Again\"") - opml_v2_folders;
  guint n_added = 42;

  g_assert_false (tales_opml_import (store, opml_v2_folders, truncated, &n_added, &error));
  g_assert_error (error, TALES_OPML_ERROR, TALES_OPML_ERROR_INVALID);
  g_assert_cmpuint (n_added, ==, 42);
  /* Three complete feed outlines came before the cut: none is added. */
  g_assert_cmpuint (tales_test_count_feeds (store), ==, 0);
}

/* Subscribes @url with @title in @folder through the store's own API,
 * with the site @link a refresh would have saved. */
static void
subscribe (TalesStore *store, const char *url, const char *title, const char *link, const char *folder)
{
  g_autoptr(GPtrArray) feeds = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesFeed) stored = NULL;
  TalesFeed *feed = tales_feed_new ();
  guint n_added = 0;

  tales_feed_set_url (feed, url);
  tales_feed_set_title (feed, title);
  tales_feed_set_folder (feed, folder);
  g_ptr_array_add (feeds, feed);
  g_assert_true (tales_store_add_feeds (store, feeds, &n_added, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_added, ==, 1);

  stored = tales_store_find_feed_by_url (store, url, &error);
  g_assert_no_error (error);
  tales_feed_set_link (stored, link);
  g_assert_true (tales_store_update_feed (store, stored, &error));
  g_assert_no_error (error);
}

static void
test_export_escaping (void)
{
  g_autoptr(TalesStore) store = tales_test_open_store (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *opml = NULL;
  g_autoptr(GPtrArray) feeds = NULL;
  const char *title = "Tips & <tricks> \"quoted\"";

  subscribe (store, "https://example.com/feed?a=1&b=2", title, "https://example.com/", NULL);
  opml = tales_opml_export (store, &error);
  g_assert_no_error (error);
  g_test_message ("%s", opml);

  g_assert_nonnull (strstr (opml, "<opml version=\"2.0\">"));
  g_assert_nonnull (strstr (opml, "<title>Tales subscriptions</title>"));
  g_assert_nonnull (strstr (opml, "<dateCreated>"));
  g_assert_nonnull (strstr (opml, "GMT</dateCreated>"));
  g_assert_nonnull (strstr (opml, "Tips &amp; &lt;tricks&gt; &quot;quoted&quot;"));
  g_assert_nonnull (strstr (opml, "xmlUrl=\"https://example.com/feed?a=1&amp;b=2\""));
  g_assert_nonnull (strstr (opml, "type=\"rss\""));
  g_assert_null (strstr (opml, "<tricks>"));

  /* And a strict parser reads back exactly what went in. */
  feeds = tales_opml_parse (opml, strlen (opml), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (feeds->len, ==, 1);
  g_assert_cmpstr (tales_feed_get_title (feed_at (feeds, 0)), ==, title);
  g_assert_cmpstr (tales_feed_get_url (feed_at (feeds, 0)), ==, "https://example.com/feed?a=1&b=2");
  g_assert_cmpstr (tales_feed_get_link (feed_at (feeds, 0)), ==, "https://example.com/");
}

static void
test_round_trip (void)
{
  g_autoptr(TalesStore) store = tales_test_open_store (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) original = tales_opml_parse (opml_v2_folders, sizeof opml_v2_folders - 1, &error);
  g_autoptr(GPtrArray) again = NULL;
  g_autofree char *opml = NULL;

  g_assert_no_error (error);
  g_assert_true (tales_opml_import (store, opml_v2_folders, sizeof opml_v2_folders - 1, NULL, &error));
  g_assert_no_error (error);

  opml = tales_opml_export (store, &error);
  g_assert_no_error (error);
  again = tales_opml_parse (opml, strlen (opml), &error);
  g_assert_no_error (error);

  g_assert_cmpuint (again->len, ==, original->len);
  for (guint i = 0; i < original->len; i++)
    {
      TalesFeed *before = feed_at (original, i);
      TalesFeed *after = NULL;

      /* Export order is the store's: match by URL. */
      for (guint j = 0; j < again->len && after == NULL; j++)
        if (g_str_equal (tales_feed_get_url (feed_at (again, j)), tales_feed_get_url (before)))
          after = feed_at (again, j);
      g_assert_nonnull (after);
      g_assert_cmpstr (tales_feed_get_title (after), ==, tales_feed_get_title (before));
      g_assert_cmpstr (tales_feed_get_folder (after), ==, tales_feed_get_folder (before));
      g_assert_cmpstr (tales_feed_get_link (after), ==, tales_feed_get_link (before));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  tales_core_init ();

  g_test_add_func ("/tales/opml/parse/v1", test_parse_v1);
  g_test_add_func ("/tales/opml/parse/folders", test_parse_folders);
  g_test_add_func ("/tales/opml/parse/refused", test_parse_refused);
  g_test_add_func ("/tales/opml/import", test_import);
  g_test_add_func ("/tales/opml/import/broken", test_import_broken);
  g_test_add_func ("/tales/opml/import/schemes", test_import_schemes);
  g_test_add_func ("/tales/opml/export/escaping", test_export_escaping);
  g_test_add_func ("/tales/opml/round-trip", test_round_trip);
  return g_test_run ();
}
