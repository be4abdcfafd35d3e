/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "tales-core.h"
#include "tales-test-server.h"

#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/* Under ASan every allocation records a stack, and libxml2 makes several
 * per element: smaller robustness runs keep that build within the
 * suite's timeout. */
#if defined(__SANITIZE_ADDRESS__)
#define HUGE_SOUP_SIZE (256 * 1024)
#define FUZZ_ROUNDS 400
#else
#define HUGE_SOUP_SIZE (8 * 1024 * 1024)
#define FUZZ_ROUNDS 2000
#endif

#define BASE "https://blog.example.com/posts/one"
#define MAX_NEEDLES 4

/* sha256 of the absolute URL, computed with sha256sum. */
#define SHA_A_PNG "494a30704d4f32ac0b81739d18a66d3638d440cbc6f5669f6af66f840edee5ab"

typedef struct {
  const char *name;
  const char *html;
  const char *base;
  const char *exact;                    /* nullable */
  const char *contains[MAX_NEEDLES];
  const char *absent[MAX_NEEDLES];      /* compared case-insensitively */
} SanitizeCase;

static const SanitizeCase sanitize_cases[] = {
  { "plain-text", "Hello <b>world</b> &amp; friends", NULL,
    "Hello <b>world</b> &amp; friends", { NULL }, { NULL } },
  { "empty", "", NULL, "", { NULL }, { NULL } },
  { "script", "<p>a<script>alert('x')</script>b</p>", NULL,
    "<p>ab</p>", { NULL }, { "script", "alert" } },
  { "script-upper", "<SCRIPT SRC=x.js>alert(1)</SCRIPT><p>ok</p>", BASE,
    "<p>ok</p>", { NULL }, { "script", "alert", "x.js" } },
  { "script-in-attr-breakout", "<p title='\"><script>alert(1)</script>'>t</p>", NULL,
    "<p title=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\">t</p>", { NULL }, { "<script" } },
  { "onclick", "<p onclick=\"alert(1)\">x</p>", NULL,
    "<p>x</p>", { NULL }, { "onclick", "alert" } },
  { "onerror", "<img src=\"https://example.com/a.png\" onerror=\"alert(1)\">", NULL,
    "<img src=\"tales-image://image/" SHA_A_PNG "\" alt=\"\">", { NULL }, { "onerror" } },
  { "onload-upper", "<div ONLOAD=\"alert(1)\" OnMouseOver=\"x()\">d</div>", NULL,
    "<div>d</div>", { NULL }, { "onload", "onmouseover" } },
  { "href-https", "<a href=\"https://example.com/x?a=1&amp;b=2\">l</a>", NULL,
    "<a href=\"https://example.com/x?a=1&amp;b=2\">l</a>", { NULL }, { NULL } },
  { "href-relative", "<a href=\"../two\">l</a>", BASE,
    "<a href=\"https://blog.example.com/two\">l</a>", { NULL }, { NULL } },
  { "href-mailto", "<a href=\"mailto:me@example.com\">m</a>", NULL,
    "<a href=\"mailto:me@example.com\">m</a>", { NULL }, { NULL } },
  { "href-javascript", "<a href=\"javascript:alert(1)\">l</a>", BASE,
    "<a>l</a>", { NULL }, { "javascript", "alert" } },
  { "href-javascript-case", "<a href=\"JaVaScRiPt:alert(1)\">l</a>", BASE,
    "<a>l</a>", { NULL }, { "javascript", "alert" } },
  { "href-javascript-entity", "<a href=\"&#106;avascript:alert(1)\">l</a>", BASE,
    "<a>l</a>", { NULL }, { "avascript", "alert" } },
  { "href-javascript-tab", "<a href=\"java\tscript:alert(1)\">l</a>", BASE,
    "<a>l</a>", { NULL }, { "script", "alert" } },
  { "href-javascript-entity-tab", "<a href=\"  jav&#x09;ascript:alert(1)\">l</a>", BASE,
    "<a>l</a>", { NULL }, { "script", "alert" } },
  { "href-javascript-newline", "<a href=\"\njavas\ncript:alert(1)\">l</a>", BASE,
    "<a>l</a>", { NULL }, { "script", "alert" } },
  { "href-data", "<a href=\"data:text/html;base64,PHNjcmlwdD4=\">l</a>", BASE,
    "<a>l</a>", { NULL }, { "data:", "base64" } },
  { "href-vbscript", "<a href=\"VBScript:msgbox(1)\">l</a>", BASE,
    "<a>l</a>", { NULL }, { "vbscript", "msgbox" } },
  { "href-file", "<a href=\"file:///etc/passwd\" target=\"_blank\">l</a>", BASE,
    "<a>l</a>", { NULL }, { "file:", "passwd", "target" } },
  { "iframe", "<p>a</p><iframe src=\"https://evil.example/\">fallback</iframe>", NULL,
    "<p>a</p>", { NULL }, { "iframe", "evil", "fallback" } },
  { "object-embed", "<object data=\"x.swf\"><param name=a value=b><embed src=\"x.swf\"></object>z", BASE,
    "z", { NULL }, { "object", "embed", "swf", "param" } },
  { "form", "<form action=\"https://evil.example/\"><input name=q><button>Go</button>"
    "<select><option>1</option></select><textarea>t</textarea></form>after", NULL,
    "after", { NULL }, { "form", "input", "button", "evil" } },
  { "style-element", "<style>body{background:url(https://evil.example/x.png)}</style><p>t</p>", NULL,
    "<p>t</p>", { NULL }, { "style", "evil", "url(" } },
  { "style-attribute", "<p style=\"background:url('https://evil.example/x.png')\">t</p>", NULL,
    "<p>t</p>", { NULL }, { "style", "evil", "url(" } },
  { "background-attribute", "<table background=\"https://evil.example/t.png\"><tr>"
    "<td bgcolor=red background=\"https://evil.example/c.png\">c</td></tr></table>", NULL,
    NULL, { "<table>", "<td>c</td>" }, { "background", "evil", "bgcolor" } },
  { "link", "<link rel=\"stylesheet\" href=\"https://evil.example/s.css\">"
    "<link rel=\"dns-prefetch\" href=\"//evil.example\"><p>t</p>", NULL,
    "<p>t</p>", { NULL }, { "link", "evil" } },
  { "meta-refresh", "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/\"><p>t</p>", NULL,
    "<p>t</p>", { NULL }, { "meta", "refresh", "evil" } },
  { "base", "<base href=\"https://evil.example/\"><a href=\"x\">l</a>", BASE,
    "<a href=\"https://blog.example.com/posts/x\">l</a>", { NULL }, { "base", "evil" } },
  { "svg-math", "<svg><image href=\"https://evil.example/i.png\"/><script>alert(1)</script></svg>"
    "<math><mi>x</mi></math>ok", NULL,
    "ok", { NULL }, { "svg", "evil", "math", "alert" } },
  { "media", "<video poster=\"https://evil.example/p.png\"><source src=\"https://evil.example/v.mp4\">"
    "<track src=\"t.vtt\"></video><audio src=\"https://evil.example/a.ogg\"></audio><canvas></canvas>ok", NULL,
    "ok", { NULL }, { "evil", "video", "audio", "canvas" } },
  { "noscript-template", "<noscript><img src=\"https://example.com/a.png\"></noscript>"
    "<template><p>t</p></template>ok", NULL,
    "ok", { NULL }, { "noscript", "template", "tales-image" } },
  { "comment", "a<!-- <script>alert(1)</script> -->b", NULL,
    "ab", { NULL }, { "<!--", "alert" } },
  { "unknown-element", "<font color=red face=x><center>hi <blink>there</blink></center></font>", NULL,
    "hi there", { NULL }, { "font", "center", "blink", "color" } },
  { "img-relative", "<img src=\"../a.png\" alt=\"A &amp; B\">", "https://example.com/posts/",
    "<img src=\"tales-image://image/" SHA_A_PNG "\" alt=\"A &amp; B\">", { NULL }, { "example.com" } },
  { "img-root-relative", "<img src=\"/a.png\" width=\"640\" height=\"50%\" title=\"t\">", "https://example.com/x/y",
    "<img src=\"tales-image://image/" SHA_A_PNG "\" alt=\"\" width=\"640\" height=\"50%\" title=\"t\">",
    { NULL }, { NULL } },
  { "img-bad-width", "<img src=\"https://example.com/a.png\" width=\"1;x\" height=\"expression(x)\">", NULL,
    "<img src=\"tales-image://image/" SHA_A_PNG "\" alt=\"\">", { NULL }, { "width", "height" } },
  { "img-javascript", "<p><img src=\"javascript:alert(1)\"></p>", BASE,
    "<p></p>", { NULL }, { "img", "alert" } },
  { "img-data", "<img src=\"data:image/png;base64,iVBORw0KGgo=\">x", BASE,
    "x", { NULL }, { "img", "data:" } },
  { "img-relative-no-base", "<img src=\"a.png\">x", NULL,
    "x", { NULL }, { "img", "a.png" } },
  { "img-resource", "<img src=\"resource:///io/github/talesreader/Tales/welcome/offline.png\" alt=\"o\">", NULL,
    NULL, { "<img src=\"tales-image://image/", "alt=\"o\"" }, { "resource:" } },
  { "picture", "<picture><source srcset=\"https://evil.example/s.webp\" type=\"image/webp\">"
    "<img src=\"https://example.com/a.png\" alt=\"p\"></picture>", NULL,
    "<img src=\"tales-image://image/" SHA_A_PNG "\" alt=\"p\">", { NULL }, { "source", "evil", "picture" } },
  { "srcset-gone", "<img src=\"https://example.com/small.png\" srcset=\"https://example.com/a.png 2x\">", NULL,
    "<img src=\"tales-image://image/" SHA_A_PNG "\" alt=\"\">", { NULL }, { "srcset", "small.png" } },
  { "css-url-text", "<p>url(https://evil.example/x.png)</p>", NULL,
    "<p>url(https://evil.example/x.png)</p>", { NULL }, { NULL } },
  { "hljs", "<pre><code class=\"lang-python\"><span class=\"hljs-keyword\">import</span> time\n"
    "<span class=\"hljs-comment\"># &lt;tag&gt;</span>\n</code></pre>", NULL,
    "<pre><code class=\"lang-python\"><span class=\"hljs-keyword\">import</span> time\n"
    "<span class=\"hljs-comment\"># &lt;tag&gt;</span>\n</code></pre>", { NULL }, { NULL } },
  { "table", "<table><thead><tr><th colspan=\"2\" scope=\"col\">h</th></tr></thead>"
    "<tbody><tr><td rowspan=\"x\">a</td><td>b</td></tr></tbody></table>", NULL,
    "<table><thead><tr><th colspan=\"2\" scope=\"col\">h</th></tr></thead>"
    "<tbody><tr><td>a</td><td>b</td></tr></tbody></table>", { NULL }, { NULL } },
  { "lists-and-global-attrs", "<ol start=\"3\" reversed><li value=\"5\" lang=\"fr\" dir=\"rtl\" id=\"i\">x</li></ol>"
    "<p dir=\"evil\">y</p>", NULL,
    "<ol start=\"3\" reversed=\"\"><li value=\"5\" lang=\"fr\" dir=\"rtl\" id=\"post-i\">x</li></ol><p>y</p>",
    { NULL }, { NULL } },
  { "void-elements", "a<br>b<hr/>c<wbr>d", NULL, "a<br>b<hr>c<wbr>d", { NULL }, { "</br>", "</hr>" } },
  { "details-time", "<details open><summary>s</summary><time datetime=\"2024-09-18\">t</time></details>", NULL,
    "<details open=\"\"><summary>s</summary><time datetime=\"2024-09-18\">t</time></details>", { NULL }, { NULL } },
  { "early-close", "a</div><p>b</p></body></html><p>c</p>", NULL,
    NULL, { "a", "<p>b</p>", "<p>c</p>" }, { "body", "html" } },
  { "head-stuff", "<html><head><title>T</title><script>x()</script></head><body><p>b</p></body></html>", NULL,
    "<p>b</p>", { NULL }, { "title", "x()", "head" } },
  { "invalid-utf8", "caf\xc3\xa9 \xff\xfe ok", NULL,
    "caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd ok", { NULL }, { NULL } },
};

static gboolean
contains_nocase (const char *haystack, const char *needle)
{
  g_autofree char *h = g_ascii_strdown (haystack, -1);
  g_autofree char *n = g_ascii_strdown (needle, -1);

  return strstr (h, n) != NULL;
}

static void
test_sanitize_case (gconstpointer data)
{
  const SanitizeCase *c = data;
  g_autofree char *out = tales_html_sanitize (c->html, c->base);

  g_assert_nonnull (out);
  g_assert_true (g_utf8_validate (out, -1, NULL));
  if (c->exact != NULL)
    g_assert_cmpstr (out, ==, c->exact);
  for (guint i = 0; i < MAX_NEEDLES && c->contains[i]; i++)
    if (strstr (out, c->contains[i]) == NULL)
      g_error ("%s: \"%s\" not in \"%s\"", c->name, c->contains[i], out);
  for (guint i = 0; i < MAX_NEEDLES && c->absent[i]; i++)
    if (contains_nocase (out, c->absent[i]))
      g_error ("%s: \"%s\" found in \"%s\"", c->name, c->absent[i], out);
}

static void
test_image_uri (void)
{
  g_autofree char *uri = tales_html_image_uri ("https://example.com/a.png");

  g_assert_cmpstr (uri, ==, "tales-image://image/" SHA_A_PNG);
}

static void
test_null_input (void)
{
  g_autofree char *out = tales_html_sanitize (NULL, NULL);
  g_autofree char *text = tales_html_to_text (NULL);
  g_autoptr(GPtrArray) urls = tales_html_collect_image_urls (NULL, NULL);

  g_assert_cmpstr (out, ==, "");
  g_assert_cmpstr (text, ==, "");
  g_assert_cmpuint (urls->len, ==, 0);
}

/* Each URL in @urls appears, rewritten, in the sanitized page, and the
 * page shows no image that is not in @urls. */
static void
assert_consistent (const char *html, const char *base, GPtrArray *urls)
{
  g_autofree char *out = tales_html_sanitize (html, base);
  guint shown = 0;

  for (guint i = 0; i < urls->len; i++)
    {
      g_autofree char *uri = tales_html_image_uri (urls->pdata[i]);

      g_assert_nonnull (strstr (out, uri));
    }
  for (const char *p = out; (p = strstr (p, "<img ")); p++)
    shown++;
  g_assert_cmpuint (shown, >=, urls->len);
  for (const char *p = out; (p = strstr (p, "tales-image://image/")); p++)
    {
      gboolean known = FALSE;

      for (guint i = 0; i < urls->len && !known; i++)
        {
          g_autofree char *uri = tales_html_image_uri (urls->pdata[i]);

          known = g_str_has_prefix (p, uri);
        }
      g_assert_true (known);
    }
}

static void
test_collect_order_dedup (void)
{
  const char *html =
    "<p><img src=\"b.png\"><img src=\"https://example.com/a.png\">"
    "<script><img src=\"https://example.com/script.png\"></script>"
    "<img src=\"/b.png\"><img src=\"javascript:x\"><img src=\"data:image/png;base64,AAAA\">"
    "<iframe><img src=\"https://example.com/iframe.png\"></iframe>"
    "<img src=\"c.png\"><img src=\"https://example.com/a.png\"></p>";
  g_autoptr(GPtrArray) urls = tales_html_collect_image_urls (html, "https://example.com/");

  g_assert_cmpuint (urls->len, ==, 3);
  g_assert_cmpstr (urls->pdata[0], ==, "https://example.com/b.png");
  g_assert_cmpstr (urls->pdata[1], ==, "https://example.com/a.png");
  g_assert_cmpstr (urls->pdata[2], ==, "https://example.com/c.png");
  assert_consistent (html, "https://example.com/", urls);
}

typedef struct {
  const char *img;
  const char *expected;   /* nullable: no image */
} SrcsetCase;

static const SrcsetCase srcset_cases[] = {
  { "<img src=\"s.png\" srcset=\"a-320.png 320w, a-800.png 800w, a-640.png 640w\">", "https://cdn.example/a-800.png" },
  /* Wider than 1600w only when nothing narrower exists. */
  { "<img src=\"s.png\" srcset=\"a-1200.png 1200w, a-3000.png 3000w\">", "https://cdn.example/a-1200.png" },
  { "<img src=\"s.png\" srcset=\"a-3000.png 3000w, a-2000.png 2000w\">", "https://cdn.example/a-2000.png" },
  { "<img src=\"s.png\" srcset=\"a1.png, a2.png 2x, a3.png 3x\">", "https://cdn.example/a2.png" },
  { "<img src=\"s.png\" srcset=\"a1.png 1x,a15.png 1.5x\">", "https://cdn.example/a15.png" },
  /* Commas inside URLs (image CDNs love them). */
  { "<img srcset=\"https://cdn.example/w_100,h_50/x.png 100w, https://cdn.example/w_900,h_450/x.png 900w\">",
    "https://cdn.example/w_900,h_450/x.png" },
  /* Unusable candidates are skipped; with none left, src wins. */
  { "<img src=\"s.png\" srcset=\"javascript:alert(1) 900w, data:image/png,AA 800w\">", "https://cdn.example/s.png" },
  { "<img src=\"s.png\" srcset=\"b.png 12q\">", "https://cdn.example/s.png" },
  { "<img src=\"s.png\" srcset=\"  ,,, \">", "https://cdn.example/s.png" },
  { "<img srcset=\"b.png 300w 200h\">", "https://cdn.example/b.png" },
  { "<img srcset=\"javascript:x 2x\">", NULL },
};

static void
test_srcset (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (srcset_cases); i++)
    {
      const SrcsetCase *c = &srcset_cases[i];
      g_autoptr(GPtrArray) urls = tales_html_collect_image_urls (c->img, "https://cdn.example/post");
      g_autofree char *out = tales_html_sanitize (c->img, "https://cdn.example/post");

      if (c->expected == NULL)
        {
          g_assert_cmpuint (urls->len, ==, 0);
          g_assert_cmpstr (out, ==, "");
          continue;
        }
      g_assert_cmpuint (urls->len, ==, 1);
      g_assert_cmpstr (urls->pdata[0], ==, c->expected);
      assert_consistent (c->img, "https://cdn.example/post", urls);
      g_assert_null (strstr (out, "srcset"));
      g_assert_null (strstr (out, "cdn.example"));
    }
}

/* A tracking pixel on a live server: the sanitizer neither fetches it nor
 * leaves its address anywhere in the page. */
static void
test_tracker (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autoptr(GBytes) png = tales_test_make_image (1, 1, 0xff0000, "png");
  g_autofree char *tracker = tales_test_server_url (server, "/tracker.png");
  g_autofree char *html = NULL;
  g_autofree char *out = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GPtrArray) urls = NULL;

  tales_test_server_add_bytes (server, "/tracker.png", "image/png", png);
  html = g_strdup_printf ("<p>Hi<img src=\"%s\" width=1 height=1>"
                          "<img src=\"/tracker.png?u=2\" srcset=\"%s 1x\"></p>",
                          tracker, tracker);
  out = tales_html_sanitize (html, tales_test_server_get_base (server));
  urls = tales_html_collect_image_urls (html, tales_test_server_get_base (server));
  expected = tales_html_image_uri (tracker);

  g_assert_nonnull (strstr (out, expected));
  g_assert_null (strstr (out, "http://127.0.0.1"));
  g_assert_null (strstr (out, "127.0.0.1"));
  g_assert_cmpuint (urls->len, ==, 1);
  g_assert_cmpstr (urls->pdata[0], ==, tracker);
  g_assert_cmpuint (tales_test_server_hits (server, NULL), ==, 0);
}

static void
test_to_text (void)
{
  static const struct { const char *html, *text; } cases[] = {
    { "<p>Hello   <b>world</b></p><p>again</p>", "Hello world again" },
    { "  a\n\n\tb  ", "a b" },
    { "<script>alert(1)</script>x<style>p{}</style>", "x" },
    { "Fish &amp; chips &lt;3 &nbsp; yes", "Fish & chips <3 yes" },
    { "line<br>break<img src=x>end", "line break end" },
    { "<ul><li>one</li><li>two</li></ul>", "one two" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = tales_html_to_text (cases[i].html);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

/* Every '<' in the output opens a tag the sanitizer wrote (text and
 * attribute values are escaped), always as <name( attr="value")*> or
 * </name>, so each tag can be read back and checked. */
static void
check_tag (const char *tag, const char *out)
{
  static const char *attrs[] = {
    "class", "id", "lang", "dir", "title", "href", "src", "alt", "width", "height",
    "colspan", "rowspan", "headers", "scope", "abbr", "span", "start", "reversed",
    "type", "value", "datetime", "open", NULL,
  };
  static const char *banned[] = {
    "script", "style", "iframe", "svg", "math", "textarea", "title", "object",
    "embed", "form", "input", "link", "meta", "base", "noscript", "template",
    "xmp", "plaintext", "noembed", "noframes", "source", NULL,
  };
  g_autofree char *name = NULL;
  const char *p = tag + 1;
  gsize n;

  if (*p == '/')
    p++;
  n = strspn (p, "abcdefghijklmnopqrstuvwxyz0123456789");
  g_assert_cmpuint (n, >, 0);
  name = g_strndup (p, n);
  if (g_strv_contains (banned, name))
    g_error ("banned element <%s> in %s", name, out);
  for (p += n; *p == ' '; )
    {
      const char *value;
      const char *end;
      g_autofree char *attr = NULL;

      p++;
      n = strspn (p, "abcdefghijklmnopqrstuvwxyz");
      attr = g_strndup (p, n);
      if (!g_strv_contains (attrs, attr))
        g_error ("attribute %s on <%s> in %s", attr, name, out);
      g_assert_true (g_str_has_prefix (p + n, "=\""));
      value = p + n + 2;
      end = strchr (value, '"');
      g_assert_nonnull (end);
      if (g_str_equal (attr, "href"))
        g_assert_true (g_str_has_prefix (value, "http://") || g_str_has_prefix (value, "https://") ||
                       g_str_has_prefix (value, "mailto:"));
      if (g_str_equal (attr, "src"))
        g_assert_true (g_str_has_prefix (value, "tales-image://image/"));
      p = end + 1;
    }
  g_assert_cmpint (*p, ==, '>');
}

static void
check_markup (const char *html)
{
  g_autofree char *out = tales_html_sanitize (html, BASE);

  for (const char *p = strchr (out, '<'); p; p = strchr (p + 1, '<'))
    {
      const char *end = strchr (p, '>');
      g_autofree char *tag = NULL;

      g_assert_nonnull (end);
      tag = g_strndup (p, end - p + 1);
      check_tag (tag, out);
    }
}

static void
check_survives (const char *html)
{
  g_autofree char *out = tales_html_sanitize (html, BASE);
  g_autofree char *text = tales_html_to_text (html);
  g_autoptr(GPtrArray) urls = tales_html_collect_image_urls (html, BASE);

  g_assert_true (g_utf8_validate (out, -1, NULL));
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_false (contains_nocase (out, "<script"));
}

static void
test_garbage (void)
{
  static const char *inputs[] = {
    "<", ">", "<<<>>>", "</", "<!--", "<![CDATA[", "<?xml", "<!DOCTYPE", "&", "&#", "&#x;",
    "&#0;", "&#xD800;", "&#1114112;", "<a href=", "<img src=\"", "<p <p <p", "</p></p></div>",
    "<table><td><table><tr><caption>", "<a\x01b>", "\x01\x02\x03\x7f", "<scr<script>ipt>alert(1)</script>",
    "<script", "<script>", "<style><script>", "<textarea><script>alert(1)</script></textarea>",
    "<title><script>alert(1)</script></title>", "<xmp><script>alert(1)</script></xmp>",
    "<plaintext><script>alert(1)</script>", "<noembed><script>alert(1)</script></noembed>",
  };
  GRand *rand = g_rand_new_with_seed (42);
  char bytes[4096];

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      check_survives (inputs[i]);
      check_markup (inputs[i]);
    }

  for (guint round = 0; round < FUZZ_ROUNDS / 10; round++)
    {
      gsize len = g_rand_int_range (rand, 0, sizeof bytes - 1);

      for (gsize i = 0; i < len; i++)
        bytes[i] = (char) g_rand_int_range (rand, 1, 256);
      bytes[len] = '\0';
      check_survives (bytes);
      check_markup (bytes);
    }
  g_rand_free (rand);
}

/* A tiny mutation fuzzer over tag soup built from the interesting pieces;
 * deterministic, so a failure reproduces. */
static void
test_soup_fuzz (void)
{
  static const char *pieces[] = {
    "<p>", "</p>", "<div>", "</div>", "<a href=\"", "javascript:", "https://x.example/", "\">",
    "</a>", "<img src=", "\"a.png\"", " srcset=\"b.png 2x, c.png 300w\"", ">", "<script>",
    "</script>", "<style>", "</style>", "<svg>", "</svg>", "<table>", "<tr>", "<td>", "text",
    " onclick=\"x()\"", " style=\"x\"", "&amp;", "&#106;", "<!--", "-->", "<pre>", "<code>",
    "<span class=\"hljs-keyword\">", "</span>", "<iframe>", "<textarea>", "</textarea>",
    "<noscript>", "</noscript>", "<math>", "<template>", "\"", "'", "=", "<", "/", "\n",
  };
  GRand *rand = g_rand_new_with_seed (7);

  for (guint round = 0; round < FUZZ_ROUNDS; round++)
    {
      GString *html = g_string_new (NULL);
      guint n = g_rand_int_range (rand, 1, 40);

      for (guint i = 0; i < n; i++)
        g_string_append (html, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
      check_survives (html->str);
      check_markup (html->str);
      g_string_free (html, TRUE);
    }
  g_rand_free (rand);
}

static void
test_deep_nesting (void)
{
  GString *html = g_string_new (NULL);
  g_autofree char *out = NULL;

  for (guint i = 0; i < 100000; i++)
    g_string_append (html, "<div><span>");
  g_string_append (html, "deep");
  out = tales_html_sanitize (html->str, NULL);
  g_assert_true (g_utf8_validate (out, -1, NULL));
  check_survives (html->str);
  g_string_free (html, TRUE);
}

static void
test_huge (void)
{
  GString *html = g_string_new (NULL);
  g_autofree char *out = NULL;
  g_autoptr(GPtrArray) urls = NULL;

#ifdef __GLIBC__
  /* meson test sets MALLOC_PERTURB_, and glibc then fills every free
   * chunk, including the tens of megabytes a freed document leaves
   * behind each time a small realloc splits it: minutes of memset for a
   * test about our code. Only this test turns it off. */
  mallopt (M_PERTURB, 0);
#endif

  while (html->len < HUGE_SOUP_SIZE)
    g_string_append (html, "<p>Some <b>bold</b> text &amp; <img src=\"https://example.com/a.png\"></p>\n");
  g_string_append (html, "<p>the end</p>");
  out = tales_html_sanitize (html->str, NULL);
  urls = tales_html_collect_image_urls (html->str, NULL);
  g_assert_true (g_str_has_suffix (out, "<p>the end</p>"));
  g_assert_cmpuint (urls->len, ==, 1);
  g_string_free (html, TRUE);

  /* One enormous text node. */
  html = g_string_new ("<p>");
  while (html->len < 11 * 1024 * 1024)
    g_string_append (html, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ");
  g_string_append (html, "the end</p>");
  g_clear_pointer (&out, g_free);
  out = tales_html_sanitize (html->str, NULL);
  /* libxml2 caps one text node at 10 MB (XML_MAX_TEXT_LENGTH; the
   * sanitizer does not ask for HTML_PARSE_HUGE): the rest is cut, the
   * output stays well formed. */
  g_assert_true (g_str_has_prefix (out, "<p>aaaa"));
  g_assert_true (g_str_has_suffix (out, "</p>"));
  g_assert_true (g_utf8_validate (out, -1, NULL));
  g_string_free (html, TRUE);
}

/* "test-html --fuzz FILE..." runs every entry point over each file and
 * checks the output's tags, without the test harness: a target for AFL
 * (afl-fuzz -i seeds -o out -- test-html --fuzz @@) or a crash replay. */
static int
fuzz_files (int n_files, char **files)
{
  for (int i = 0; i < n_files; i++)
    {
      g_autofree char *contents = NULL;
      g_autoptr(GError) error = NULL;

      if (!g_file_get_contents (files[i], &contents, NULL, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      check_survives (contents);
      check_markup (contents);
    }
  return 0;
}

int
main (int argc, char *argv[])
{
  if (argc > 1 && g_str_equal (argv[1], "--fuzz"))
    {
      tales_core_init ();
      return fuzz_files (argc - 2, argv + 2);
    }

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  tales_core_init ();

  for (guint i = 0; i < G_N_ELEMENTS (sanitize_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/tales/html/sanitize/%s", sanitize_cases[i].name);

      g_test_add_data_func (path, &sanitize_cases[i], test_sanitize_case);
    }
  g_test_add_func ("/tales/html/image-uri", test_image_uri);
  g_test_add_func ("/tales/html/null-input", test_null_input);
  g_test_add_func ("/tales/html/collect/order-dedup", test_collect_order_dedup);
  g_test_add_func ("/tales/html/collect/srcset", test_srcset);
  g_test_add_func ("/tales/html/tracker", test_tracker);
  g_test_add_func ("/tales/html/to-text", test_to_text);
  g_test_add_func ("/tales/html/robust/garbage", test_garbage);
  g_test_add_func ("/tales/html/robust/soup-fuzz", test_soup_fuzz);
  g_test_add_func ("/tales/html/robust/deep-nesting", test_deep_nesting);
  g_test_add_func ("/tales/html/robust/huge", test_huge);

  return g_test_run ();
}
