/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "tales-core.h"

#include <string.h>

#define COVER "https://cdn.example.com/cover.jpg"
#define BODY_IMG "https://blog.example.com/posts/inline.png"

static TalesPost *
sample_post (void)
{
  TalesPost *post = tales_post_new ();
  g_autoptr(GDateTime) date = g_date_time_new_local (2024, 9, 18, 12, 30, 0);
  const char *categories[] = { "GNOME & GTK", "C", "Offline", NULL };

  tales_post_set_title (post, "Pointers <&> \"Tales\"");
  tales_post_set_author (post, "Ada <Lovelace>");
  tales_post_set_feed_title (post, "Tech Lead Tales");
  tales_post_set_link (post, "https://blog.example.com/posts/pointers");
  tales_post_set_published (post, date);
  tales_post_set_categories (post, categories);
  tales_post_set_cover_url (post, COVER);
  tales_post_set_content (post,
    "<p>Intro<script>alert('pwned')</script></p>"
    "<p><img src=\"inline.png\" alt=\"inline\" onerror=\"alert(2)\"></p>"
    "<pre><code><span class=\"hljs-keyword\">int</span> x;</code></pre>");
  return post;
}

static gboolean
contains (const char *haystack, const char *needle)
{
  return strstr (haystack, needle) != NULL;
}

static void
test_render (void)
{
  g_autoptr(TalesPost) post = sample_post ();
  g_autofree char *doc = tales_article_render (post);
  g_autofree char *cover_uri = tales_html_image_uri (COVER);
  g_autofree char *body_uri = tales_html_image_uri (BODY_IMG);

  g_assert_true (g_utf8_validate (doc, -1, NULL));
  g_assert_true (g_str_has_prefix (doc, "<!DOCTYPE html>"));
  g_assert_true (contains (doc, "<meta charset=\"utf-8\">"));
  g_assert_true (contains (doc, "<meta http-equiv=\"Content-Security-Policy\" content=\""
                                TALES_ARTICLE_CSP "\">"));

  g_assert_true (contains (doc, "<h1 class=\"title\">Pointers &lt;&amp;&gt; &quot;Tales&quot;</h1>"));
  g_assert_false (contains (doc, "<&>"));
  g_assert_true (contains (doc, "Ada &lt;Lovelace&gt;"));
  g_assert_true (contains (doc, ">18 September 2024</time>"));
  g_assert_true (contains (doc, "Tech Lead Tales"));

  g_assert_true (contains (doc, "<ul class=\"categories\">"));
  /* Each chip links to its category (percent-encoded) and shows the term. */
  g_assert_true (contains (doc, "<li class=\"category\"><a href=\"tales-category:GNOME%20%26%20GTK\">GNOME &amp; GTK</a></li>"));
  g_assert_true (contains (doc, "<li class=\"category\"><a href=\"tales-category:C\">C</a></li>"));
  g_assert_true (contains (doc, "<li class=\"category\"><a href=\"tales-category:Offline\">Offline</a></li>"));

  g_assert_true (contains (doc, "<figure class=\"cover\"><img src=\""));
  g_assert_true (contains (doc, cover_uri));
  g_assert_true (contains (doc, body_uri));
  g_assert_false (contains (doc, "cdn.example.com"));
  g_assert_false (contains (doc, "inline.png"));

  g_assert_false (contains (doc, "<script"));
  g_assert_false (contains (doc, "pwned"));
  g_assert_false (contains (doc, "onerror"));
  g_assert_true (contains (doc, "<span class=\"hljs-keyword\">int</span>"));

  /* The stylesheet is inlined, light and dark. */
  g_assert_true (contains (doc, "<style>"));
  g_assert_true (contains (doc, ".hljs-keyword"));
  g_assert_true (contains (doc, "prefers-color-scheme: dark"));

  g_assert_true (contains (doc, "<a href=\"https://blog.example.com/posts/pointers\">Read on the web</a>"));
}

/* A cover that the body already shows is not shown twice. */
static void
test_cover_in_body (void)
{
  g_autoptr(TalesPost) post = sample_post ();
  g_autofree char *doc = NULL;
  g_autofree char *cover_uri = tales_html_image_uri (COVER);
  const char *first;

  tales_post_set_content (post, "<p><img src=\"" COVER "\" alt=\"c\"></p>");
  doc = tales_article_render (post);
  g_assert_false (contains (doc, "<figure class=\"cover\">"));
  first = strstr (doc, cover_uri);
  g_assert_nonnull (first);
  g_assert_null (strstr (first + 1, cover_uri));
}

static void
test_minimal_post (void)
{
  g_autoptr(TalesPost) post = tales_post_new ();
  g_autofree char *doc = tales_article_render (post);

  g_assert_true (contains (doc, "<h1 class=\"title\">Untitled</h1>"));
  g_assert_false (contains (doc, "class=\"byline\""));
  g_assert_false (contains (doc, "class=\"categories\""));
  g_assert_false (contains (doc, "<figure"));
  g_assert_false (contains (doc, "Read on the web"));
  g_assert_true (contains (doc, "<div class=\"body\">"));
}

/* Only http(s) links get a "Read on the web", and a hostile cover URL is
 * simply not shown. */
static void
test_hostile_links (void)
{
  g_autoptr(TalesPost) post = tales_post_new ();
  g_autofree char *doc = NULL;

  tales_post_set_title (post, "t");
  tales_post_set_link (post, "javascript:alert(1)");
  tales_post_set_cover_url (post, "javascript:alert(2)\"><script>alert(3)</script>");
  tales_post_set_content (post, "<a href=\"x\">relative to a hostile base</a>");
  doc = tales_article_render (post);

  g_assert_false (contains (doc, "javascript"));
  g_assert_false (contains (doc, "<script"));
  g_assert_false (contains (doc, "<figure"));
  g_assert_false (contains (doc, "Read on the web"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  tales_core_init ();

  g_test_add_func ("/tales/article/render", test_render);
  g_test_add_func ("/tales/article/cover-in-body", test_cover_in_body);
  g_test_add_func ("/tales/article/minimal", test_minimal_post);
  g_test_add_func ("/tales/article/hostile-links", test_hostile_links);

  return g_test_run ();
}
