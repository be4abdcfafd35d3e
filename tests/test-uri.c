/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The URI module (base/tales-uri): joining as feedparser does (Python's
 * urljoin), refusing unsafe schemes, and resolving hostile references
 * without a GLib critical (the suite runs with fatal criticals). */

#include "tales-uri.h"

typedef struct {
  const char *base;
  const char *uri;
  const char *expected;
} JoinCase;

static const JoinCase join_cases[] = {
  { "http://example.com/a/b", "c", "http://example.com/a/c" },
  { "http://example.com/a/b", "/c", "http://example.com/c" },
  { "http://example.com/a/b/", "../c", "http://example.com/a/c" },
  { "http://example.com/a/b", "?q=1", "http://example.com/a/b?q=1" },
  { "http://example.com/a/b", "#frag", "http://example.com/a/b#frag" },
  { "http://example.com/a/b", "//other.test/x", "http://other.test/x" },
  /* another scheme stays as it is, not resolved against the base */
  { "http://example.com/a", "https://other.test/x", "https://other.test/x" },
  { "http://example.com/a", "mailto:someone@example.com", "mailto:someone@example.com" },
  /* feedparser's _urifixer: "http:////x" is "http://x" */
  { "http://example.com/a", "http:////x/y", "http://x/y" },
  /* a base whose scheme is not hierarchical joins nothing */
  { "mailto:someone@example.com", "x", "x" },
  /* file: keeps its empty authority */
  { "file:///tmp/feeds/a.xml", "b.xml", "file:///tmp/feeds/b.xml" },
  /* resource: is not one of urljoin's hierarchical schemes (Python's
   * uses_relative), so nothing is joined to it */
  { "resource:///io/github/talesreader/Tales/welcome.xml", "logo.png", "logo.png" },
  /* nothing to join */
  { NULL, "relative/x", "relative/x" },
  { "", "relative/x", "relative/x" },
  { "http://example.com/a", "", "http://example.com/a" },
  { "http://example.com/a", NULL, "http://example.com/a" },
};

static void
test_join (gconstpointer data)
{
  const JoinCase *c = data;
  g_autofree char *joined = tales_uri_join (c->base, c->uri);

  g_assert_cmpstr (joined, ==, c->expected);
}

static const JoinCase safe_cases[] = {
  { "http://example.com/a/", "b", "http://example.com/a/b" },
  { "http://example.com/a/", "  /b  ", "http://example.com/b" },
  { "http://example.com/", "javascript:alert(1)", "" },
  { "http://example.com/", "data:text/html,<script>x</script>", "" },
  { "http://example.com/", "vbscript:x", "" },
  { "http://example.com/", "magnet:?xt=urn:btih:x", "magnet:?xt=urn:btih:x" },
  /* no reference: the base itself, if its scheme is acceptable */
  { "http://example.com/", NULL, "http://example.com/" },
  { "javascript:alert(1)", NULL, "" },
  { "relative/only", NULL, "relative/only" },
};

static void
test_make_safe_absolute (gconstpointer data)
{
  const JoinCase *c = data;
  g_autofree char *safe = tales_uri_make_safe_absolute (c->base, c->uri);

  g_assert_cmpstr (safe, ==, c->expected);
}

static void
test_acceptable_schemes (void)
{
  const char * const accepted[] = { "http", "https", "mailto", "ftp", "magnet", "resource", "feed" };
  const char * const refused[] = { "javascript", "vbscript", "data", "about", "blob", "", "HTTP" };

  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    g_assert_true (tales_uri_scheme_is_acceptable (accepted[i]));
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    g_assert_false (tales_uri_scheme_is_acceptable (refused[i]));
}

/* GLib 2.74 raises a critical for some of these; here they are NULL. */
static void
test_resolve_hostile (void)
{
  const char * const hostile[][2] = {
    { NULL, "http:/.//x" },
    { "http://[::1", "x" },
    { "http://example.com:99999999/", "x" },
  };
  g_autofree char *fine = tales_uri_resolve ("http://example.com/a/b", "../c", G_URI_FLAGS_PARSE_RELAXED);

  g_assert_cmpstr (fine, ==, "http://example.com/c");
  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autofree char *resolved = tales_uri_resolve (hostile[i][0], hostile[i][1], G_URI_FLAGS_PARSE_RELAXED);

      g_assert_null (resolved);
    }
}

static void
test_without_userinfo (void)
{
  g_autoptr(GUri) with = g_uri_parse ("http://user:secret@example.com:8080/feed?x=1#f", G_URI_FLAGS_HAS_PASSWORD, NULL);
  g_autoptr(GUri) plain = g_uri_parse ("http://example.com/feed", G_URI_FLAGS_NONE, NULL);
  g_autoptr(GUri) stripped = tales_uri_without_userinfo (with);
  g_autoptr(GUri) same = tales_uri_without_userinfo (plain);
  g_autofree char *text = g_uri_to_string (stripped);

  g_assert_cmpstr (text, ==, "http://example.com:8080/feed?x=1#f");
  g_assert_null (g_uri_get_user (stripped));
  g_assert_null (g_uri_get_password (stripped));
  g_assert_true (same == plain);
}

/* Addresses a person, a desktop file or an OPML list hands over. */
static void
test_web_address (void)
{
  static const struct { const char *uri; const char *expected; } cases[] = {
    { "https://example.test/feed.xml", "https://example.test/feed.xml" },
    { "http://example.test/rss", "http://example.test/rss" },
    { "feed://example.test/rss.xml", "https://example.test/rss.xml" },
    { "feed:https://example.test/atom", "https://example.test/atom" },
    { "feed:http://example.test/atom", "http://example.test/atom" },
    { "FEED://example.test/a?b=c", "https://example.test/a?b=c" },
    { "file:///home/me/feed.xml", NULL },
    { "feed:file:///etc/passwd", NULL },
    { "feed:javascript:alert(1)", NULL },
    { "ftp://example.test/x", NULL },
    { "not a uri", NULL },
    /* unwrapped once: a list cannot nest feed: without end */
    { "feed:feed:https://example.test/x", NULL },
    { "feed:feed://example.test/x", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *url = tales_uri_web_address (cases[i].uri);

      g_assert_cmpstr (url, ==, cases[i].expected);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (join_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/tales/uri/join/%u", i);

      g_test_add_data_func (path, &join_cases[i], test_join);
    }
  for (guint i = 0; i < G_N_ELEMENTS (safe_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/tales/uri/make-safe-absolute/%u", i);

      g_test_add_data_func (path, &safe_cases[i], test_make_safe_absolute);
    }
  g_test_add_func ("/tales/uri/acceptable-schemes", test_acceptable_schemes);
  g_test_add_func ("/tales/uri/resolve-hostile", test_resolve_hostile);
  g_test_add_func ("/tales/uri/without-userinfo", test_without_userinfo);
  g_test_add_func ("/tales/uri/web-address", test_web_address);
  return g_test_run ();
}
