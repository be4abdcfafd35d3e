/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-test-hostile-html"

/* Post HTML a stranger wrote, shaped to hurt: srcset attributes that once
 * took a minute to parse, mailto: links that ask the mail client for
 * attachments, and class names that dress a post up as the article
 * view's own byline. Each bound is checked on the real sanitizer. */

#include "tales-core.h"
#include "tales-html-private.h"

#include <string.h>

/* Under ASan every allocation is slower; the shapes stay the same but
 * shorter, and the growth check compares the same factor of four. */
#if defined(__SANITIZE_ADDRESS__)
#define BIG (1024 * 1024)
#else
#define BIG (4 * 1024 * 1024)
#endif

/* Generous: linear parsing of BIG bytes takes about a second here (and
 * the quadratic one took 85 s on 4M commas). */
#define DEADLINE_S 10.0

/* Time grows about 4x for 4x the input when linear, 16x when quadratic. */
#define MAX_GROWTH 10.0

#define BASE "https://blog.example.com/posts/one"

static double
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1e6;
}

/* "a.png" followed by @commas commas and " 2x": the trailing commas end
 * the candidate, so the descriptor is ignored. */
static char *
comma_srcset (gsize commas)
{
  GString *s = g_string_sized_new (commas + 16);

  g_string_append (s, "a.png");
  for (gsize i = 0; i < commas; i++)
    g_string_append_c (s, ',');
  g_string_append (s, " 2x");
  return g_string_free (s, FALSE);
}

/* The best of three runs of the image collector (the sanitizer's walk,
 * srcset included) on an <img> with @srcset, so that a neighbour's burst
 * of work on this shared machine does not read as growth. */
static double
time_collect (const char *srcset, char **chosen)
{
  g_autofree char *html = g_strdup_printf ("<img srcset=\"%s\">", srcset);
  double best = G_MAXDOUBLE;

  for (int run = 0; run < 3; run++)
    {
      gint64 start = g_get_monotonic_time ();
      g_autoptr(GPtrArray) urls = tales_html_collect_image_urls (html, BASE);

      best = MIN (best, seconds_since (start));
      g_assert_cmpuint (urls->len, ==, 1);
      if (run == 0)
        *chosen = g_strdup (urls->pdata[0]);
    }
  return best;
}

static void
test_srcset_commas_linear (void)
{
  g_autofree char *quarter = comma_srcset (BIG / 4);
  g_autofree char *full = comma_srcset (BIG);
  g_autofree char *chosen_quarter = NULL;
  g_autofree char *chosen_full = NULL;
  g_autofree char *chosen_direct = NULL;
  double t_quarter = time_collect (quarter, &chosen_quarter);
  double t_full = time_collect (full, &chosen_full);
  gint64 start = g_get_monotonic_time ();

  /* The srcset parser alone, as the fuzz target calls it. */
  chosen_direct = _tales_html_choose_srcset (full, BASE);
  g_test_message ("srcset: %d commas %.3f s, %d commas %.3f s; parser alone %.3f s",
                  BIG / 4, t_quarter, BIG, t_full, seconds_since (start));
  g_assert_cmpfloat (seconds_since (start), <, DEADLINE_S);
  g_assert_cmpstr (chosen_direct, ==, "https://blog.example.com/posts/a.png");
  g_assert_cmpstr (chosen_full, ==, chosen_direct);
  g_assert_cmpstr (chosen_quarter, ==, chosen_direct);
  g_assert_cmpfloat (t_full, <, DEADLINE_S);
  /* Below a few milliseconds the ratio is only noise. */
  if (t_full > 0.02)
    g_assert_cmpfloat (t_full / MAX (t_quarter, 0.001), <, MAX_GROWTH);
}

/* Through the whole sanitizer, as a post is rendered: parse, walk,
 * choose, write. */
static void
test_srcset_commas_rendered (void)
{
  g_autofree char *srcset = comma_srcset (BIG);
  g_autofree char *html = g_strdup_printf ("<img src=\"fallback.png\" srcset=\"%s\">", srcset);
  g_autofree char *expected = tales_html_image_uri ("https://blog.example.com/posts/a.png");
  g_autofree char *clean = NULL;
  g_autoptr(GPtrArray) urls = NULL;
  gint64 start = g_get_monotonic_time ();

  clean = tales_html_sanitize (html, BASE);
  urls = tales_html_collect_image_urls (html, BASE);
  g_test_message ("sanitize and collect with %d commas: %.3f s", BIG, seconds_since (start));
  g_assert_cmpfloat (seconds_since (start), <, DEADLINE_S);
  g_assert_nonnull (strstr (clean, expected));
  g_assert_cmpuint (urls->len, ==, 1);
  g_assert_cmpstr (urls->pdata[0], ==, "https://blog.example.com/posts/a.png");
}

typedef struct {
  const char *name;
  const char *prefix;      /* written once */
  const char *unit;        /* then repeated up to BIG bytes */
  const char *suffix;
  const char *expected;    /* nullable: the candidate chosen */
} Shape;

static const Shape shapes[] = {
  /* Separators only: nothing to choose. */
  { "separators", "", ", ", "", NULL },
  { "spaces", "a.png", " ", "2x", "https://blog.example.com/posts/a.png" },
  /* A descriptor list that never closes its parenthesis: unusable. */
  { "open-parens", "a.png 2x ", "(", "", NULL },
  /* A width too big for a double reads as infinity: still the only one. */
  { "long-number", "a.png ", "1", "w", "https://blog.example.com/posts/a.png" },
  { "long-url", "https://img.example.com/", "a", ".png", NULL },
  /* Commas inside one URL: one candidate, kept whole. */
  { "inner-commas", "https://img.example.com/a", ",b", " 1x", NULL },
  /* A million candidates: only the first TALES_HTML_MAX_SRCSET_CANDIDATES
   * are read, and the best of those (64w, below 1600w) wins. */
  { "many-candidates", "", "c.png 64w, ", "", "https://blog.example.com/posts/c.png" },
};

static char *
build_shape (const Shape *shape)
{
  GString *s = g_string_sized_new (BIG + 64);

  g_string_append (s, shape->prefix);
  while (s->len < BIG)
    g_string_append (s, shape->unit);
  g_string_append (s, shape->suffix);
  return g_string_free (s, FALSE);
}

static void
test_srcset_shape (gconstpointer data)
{
  const Shape *shape = data;
  g_autofree char *srcset = build_shape (shape);
  g_autofree char *chosen = NULL;
  gint64 start = g_get_monotonic_time ();
  double elapsed;

  chosen = _tales_html_choose_srcset (srcset, BASE);
  elapsed = seconds_since (start);
  g_test_message ("srcset %s (%zu bytes): %.3f s", shape->name, strlen (srcset), elapsed);
  g_assert_cmpfloat (elapsed, <, DEADLINE_S);

  if (g_str_equal (shape->name, "long-url") || g_str_equal (shape->name, "inner-commas"))
    {
      /* The one URL is the candidate, whole. */
      g_assert_nonnull (chosen);
      g_assert_true (g_str_has_prefix (chosen, "https://img.example.com/a"));
      g_assert_cmpuint (strlen (chosen), >=, BIG);
    }
  else
    g_assert_cmpstr (chosen, ==, shape->expected);
}

/* The many-candidates shape with the best candidate past the cap: it is
 * not read, so the best of the first ones wins. */
static void
test_srcset_candidate_cap (void)
{
  GString *s = g_string_new (NULL);
  g_autofree char *chosen = NULL;

  for (int i = 1; i <= TALES_HTML_MAX_SRCSET_CANDIDATES; i++)
    g_string_append_printf (s, "w%d.png %dw, ", i, i);
  g_string_append (s, "beyond.png 1600w");
  chosen = _tales_html_choose_srcset (s->str, BASE);
  g_string_free (s, TRUE);
  g_assert_cmpstr (chosen, ==, "https://blog.example.com/posts/w64.png");
}

typedef struct {
  const char *href;
  const char *expected;    /* the written href (escaped); NULL: none */
} MailtoCase;

static const MailtoCase mailto_cases[] = {
  { "mailto:me@example.com?subject=Hi&body=Text&attach=/etc/passwd"
    "&attachment=%2Fetc%2Fpasswd&cc=x@evil.test&bcc=y@evil.test&to=z@evil.test",
    "mailto:me@example.com?subject=Hi&amp;body=Text" },
  { "mailto:me@example.com?attach=file:///home/me/.ssh/id_rsa",
    "mailto:me@example.com" },
  /* Field names are case-insensitive and may be percent-encoded. */
  { "MAILTO:me@example.com?ATTACH=a&Subject=Hi&%61ttach=b&subj%65ct=Again",
    "mailto:me@example.com?subject=Hi&amp;subject=Again" },
  { "mailto:?to=z@evil.test&body=Hello%20there", "mailto:?body=Hello%20there" },
  { "mailto:me@example.com?subject=Hi#attach=/etc/passwd", "mailto:me@example.com?subject=Hi" },
  /* An address that decodes to a query of its own is not a link. */
  { "mailto:me@example.com%3Fattach=/etc/passwd", NULL },
  { "mailto:me@example.com", "mailto:me@example.com" },
  { "mailto:a@example.com,b@example.com?body=x", "mailto:a@example.com,b@example.com?body=x" },
};

static void
test_mailto (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (mailto_cases); i++)
    {
      const MailtoCase *c = &mailto_cases[i];
      g_autofree char *html = g_strdup_printf ("<a href=\"%s\">m</a>", c->href);
      g_autofree char *clean = tales_html_sanitize (html, BASE);
      g_autofree char *expected = c->expected
        ? g_strdup_printf ("<a href=\"%s\">m</a>", c->expected)
        : g_strdup ("<a>m</a>");

      g_test_message ("%s", c->href);
      g_assert_cmpstr (clean, ==, expected);
    }
}

static char *
mailto_with_fields (gsize size)
{
  GString *url = g_string_new ("mailto:me@example.com?subject=s");

  while (url->len < size)
    g_string_append (url, "&cc=x&body=b");
  return g_string_free (url, FALSE);
}

/* A link with a few hundred thousand fields is read in one pass. The
 * link resolver is timed alone: through the whole sanitizer, libxml2's
 * reading of every "&" in the attribute (linear, but one allocation
 * each) takes several seconds under ASan. */
static void
test_mailto_many_fields (void)
{
  g_autofree char *url = mailto_with_fields (BIG);
  g_autofree char *small = mailto_with_fields (BIG / 16);
  g_autofree char *html = g_strdup_printf ("<a href=\"%s\">m</a>", small);
  g_autofree char *resolved = NULL;
  g_autofree char *clean = NULL;
  gint64 start = g_get_monotonic_time ();

  resolved = _tales_html_resolve_link_url (url, BASE);
  g_test_message ("mailto: with %d bytes of fields: %.3f s", BIG, seconds_since (start));
  g_assert_cmpfloat (seconds_since (start), <, DEADLINE_S);
  g_assert_true (g_str_has_prefix (resolved, "mailto:me@example.com?subject=s&body=b&body=b"));
  g_assert_null (strstr (resolved, "cc="));

  clean = tales_html_sanitize (html, BASE);
  g_assert_true (g_str_has_prefix (clean, "<a href=\"mailto:me@example.com?subject=s&amp;body=b&amp;body=b"));
  g_assert_null (strstr (clean, "cc="));
}

static void
add_names (GHashTable *names, const char *text, const char *pattern)
{
  g_autoptr(GRegex) regex = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  g_assert_nonnull (regex);
  g_regex_match (regex, text, 0, &match);
  for (; g_match_info_matches (match); g_match_info_next (match, NULL))
    {
      g_autofree char *value = g_match_info_fetch (match, 1);
      g_auto(GStrv) tokens = g_strsplit_set (value, " \t\n", -1);

      for (guint i = 0; tokens[i]; i++)
        if (*tokens[i] != '\0')
          g_hash_table_add (names, g_strdup (tokens[i]));
    }
}

/* A post with every part the view draws: title, byline, categories,
 * cover, body and source link. */
static TalesPost *
full_post (const char *body)
{
  TalesPost *post = tales_post_new ();
  g_autoptr(GDateTime) date = g_date_time_new_utc (2024, 9, 18, 12, 30, 0);
  const char *categories[] = { "C", NULL };

  tales_post_set_title (post, "Title");
  tales_post_set_author (post, "Real Author");
  tales_post_set_feed_title (post, "Real Feed");
  tales_post_set_link (post, BASE);
  tales_post_set_published (post, date);
  tales_post_set_categories (post, categories);
  tales_post_set_cover_url (post, "https://cdn.example.com/cover.jpg");
  tales_post_set_content (post, body);
  return post;
}

/* The class names and ids the view itself uses: in the document it
 * writes around an empty post and in the selectors of its stylesheet.
 * highlight.js's names are the post's own (see is_code_class in
 * tales-html.c) and are left out. */
static GHashTable *
view_names (void)
{
  g_autoptr(TalesPost) post = full_post ("");
  g_autofree char *doc = tales_article_render (post);
  const char *style = strstr (doc, "<style>");
  const char *style_end = strstr (doc, "</style>");
  g_autofree char *css = NULL;
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer name;

  g_assert_nonnull (style);
  g_assert_nonnull (style_end);
  css = g_strndup (style, style_end - style);
  add_names (names, doc, "\\b(?:class|id)=\"([^\"]*)\"");
  add_names (names, css, "[.#]([A-Za-z_][-A-Za-z0-9_]*)");
  g_hash_table_iter_init (&iter, names);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    if (g_str_has_prefix (name, "hljs"))
      g_hash_table_iter_remove (&iter);
  return names;
}

static void
test_no_view_names (void)
{
  g_autoptr(GHashTable) names = view_names ();
  g_autoptr(GHashTable) written = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GString *body = g_string_new (NULL);
  g_autofree char *clean = NULL;
  GHashTableIter iter;
  gpointer name;

  /* Without these the test would check nothing. */
  g_assert_true (g_hash_table_contains (names, "byline"));
  g_assert_true (g_hash_table_contains (names, "author"));
  g_assert_true (g_hash_table_contains (names, "body"));

  g_hash_table_iter_init (&iter, names);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    g_string_append_printf (body,
                            "<p class=\"%s x\" id=\"%s\">a</p>"
                            "<table><tr><td headers=\"%s\">b</td></tr></table>",
                            (char *) name, (char *) name, (char *) name);
  clean = tales_html_sanitize (body->str, BASE);
  g_string_free (body, TRUE);

  add_names (written, clean, "\\b(?:class|id|headers)=\"([^\"]*)\"");
  g_assert_cmpuint (g_hash_table_size (written), >, 0);
  g_hash_table_iter_init (&iter, written);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    {
      if (g_hash_table_contains (names, name))
        g_error ("a post wrote the view's own name \"%s\": %s", (char *) name, clean);
      g_assert_true (g_str_has_prefix (name, TALES_HTML_POST_NAME_PREFIX));
    }
}

/* A class attribute of BIG bytes, mostly white space, is read in one
 * pass (and each name still gets its prefix). */
static void
test_huge_class (void)
{
  GString *html = g_string_new ("<p class=\"hljs");
  g_autofree char *clean = NULL;
  gint64 start;

  while (html->len < BIG)
    g_string_append (html, " \t\n  byline       ");
  g_string_append (html, "\">x</p>");
  start = g_get_monotonic_time ();
  clean = tales_html_sanitize (html->str, BASE);
  g_string_free (html, TRUE);
  g_test_message ("class of %d bytes: %.3f s", BIG, seconds_since (start));
  g_assert_cmpfloat (seconds_since (start), <, DEADLINE_S);
  g_assert_true (g_str_has_prefix (clean, "<p class=\"hljs post-byline post-byline "));
  g_assert_null (strstr (clean, " byline"));
}

static int
count (const char *haystack, const char *needle)
{
  int n = 0;

  for (const char *p = strstr (haystack, needle); p; p = strstr (p + 1, needle))
    n++;
  return n;
}

/* The whole rendered page: a post that fakes a byline still has only the
 * view's one. */
static void
test_fake_byline (void)
{
  g_autoptr(TalesPost) post = full_post (
    "<p class=\"byline\" id=\"byline\"><span class=\"author\">Fake Author</span></p>"
    "<header><h1 class=\"title\">Fake title</h1></header>"
    "<pre><code class=\"language-c hljs\"><span class=\"hljs-keyword\">int</span></code></pre>");
  g_autofree char *doc = tales_article_render (post);

  g_assert_cmpint (count (doc, "class=\"byline\""), ==, 1);
  g_assert_cmpint (count (doc, "class=\"author\""), ==, 1);
  g_assert_cmpint (count (doc, "class=\"title\""), ==, 1);
  g_assert_cmpint (count (doc, "id=\"byline\""), ==, 0);
  g_assert_nonnull (strstr (doc, "<p class=\"post-byline\" id=\"post-byline\">"
                                 "<span class=\"post-author\">Fake Author</span></p>"));
  /* Code highlighting keeps its names, which article.css colours. */
  g_assert_nonnull (strstr (doc, "<code class=\"language-c hljs\"><span class=\"hljs-keyword\">"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  tales_core_init ();

  g_test_add_func ("/tales/hostile-html/srcset/commas-linear", test_srcset_commas_linear);
  g_test_add_func ("/tales/hostile-html/srcset/commas-rendered", test_srcset_commas_rendered);
  for (gsize i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      g_autofree char *path = g_strdup_printf ("/tales/hostile-html/srcset/shape/%s", shapes[i].name);

      g_test_add_data_func (path, &shapes[i], test_srcset_shape);
    }
  g_test_add_func ("/tales/hostile-html/srcset/candidate-cap", test_srcset_candidate_cap);
  g_test_add_func ("/tales/hostile-html/mailto/fields", test_mailto);
  g_test_add_func ("/tales/hostile-html/mailto/many-fields", test_mailto_many_fields);
  g_test_add_func ("/tales/hostile-html/names/no-view-names", test_no_view_names);
  g_test_add_func ("/tales/hostile-html/names/fake-byline", test_fake_byline);
  g_test_add_func ("/tales/hostile-html/names/huge-class", test_huge_class);
  return g_test_run ();
}
