/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The parser against hostile documents: external entities and DTDs (files
 * and the network), entity bombs, and a document far larger than memory
 * should hold. Time and memory are measured generously here, as bounds a
 * safe parser stays far below; the real speed figures come from
 * build-aux/bench-parse. Bounded checks run in a subprocess each, so that
 * the peak RSS they see is their own. */

#define G_LOG_DOMAIN "test-parse-safety"

#include <string.h>
#include <glib/gstdio.h>

#include "tales-core.h"
#include "tales-test-utils.h"

#define MAX_SECONDS (2.0 * SLOWDOWN)   /* an entity bomb must be refused fast */
#define MAX_BOMB_GROWTH_MB 100         /* peak RSS growth for an entity bomb */
#define BIG_FEED_MB 200
#define MAX_STREAM_GROWTH_MB 64        /* peak RSS growth for the 200 MB feed */
#define SUBPROCESS_TIMEOUT (100 * G_USEC_PER_SEC)

#ifdef TALES_TEST_ASAN
/* ASan runs the parser many times slower and keeps freed memory in a
 * quarantine (256 MB by default) that would count as growth: there the
 * time bound is looser, the stream smaller (it still crosses the parser's
 * chunk and item boundaries thousands of times), and the subprocesses get
 * a quarantine small enough that peak RSS still says whether the parser
 * holds on to the document. */
#undef BIG_FEED_MB
#define BIG_FEED_MB 16
#define SLOWDOWN 5
#else
#define SLOWDOWN 1
#endif

/* --- helpers ------------------------------------------------------------- */

static void
append (GString *all, const char *s)
{
  if (s != NULL)
    g_string_append_printf (all, "%s\n", s);
}

static void
append_post (GString *all, TalesPost *post)
{
  const char * const *categories = tales_post_get_categories (post);

  append (all, tales_post_get_title (post));
  append (all, tales_post_get_link (post));
  append (all, tales_post_get_author (post));
  append (all, tales_post_get_summary (post));
  append (all, tales_post_get_content (post));
  for (guint i = 0; categories != NULL && categories[i] != NULL; i++)
    append (all, categories[i]);
}

/* Every string a parse produced, one per line, so that a test can look for
 * text that must never get in. */
static char *
result_text (TalesParseResult *result)
{
  GString *all = g_string_new (NULL);

  if (result == NULL)
    return g_string_free (all, FALSE);
  append (all, result->bozo_message);
  append (all, tales_feed_get_title (result->feed));
  append (all, tales_feed_get_link (result->feed));
  append (all, tales_feed_get_subtitle (result->feed));
  for (guint i = 0; result->posts != NULL && i < result->posts->len; i++)
    append_post (all, g_ptr_array_index (result->posts, i));
  return g_string_free (all, FALSE);
}

static TalesParseResult *
parse_string (const char *xml, GError **error)
{
  return tales_parse (xml, strlen (xml), "http://example.com/feed.xml", NULL, NULL, error);
}

/* Returns (transfer full): @xml with every "@PREFIX@" replaced by @value. */
static char *
substitute (const char *xml, const char *prefix, const char *value)
{
  g_auto(GStrv) parts = g_strsplit (xml, prefix, -1);

  return g_strjoinv (value, parts);
}

/* --- external entities: files ------------------------------------------- */

typedef struct {
  const char *name;
  const char *xml;          /* @DIR@ is the test's temp dir */
  gboolean must_parse;      /* a feed that merely declares the entity still reads */
} XxeCase;

static const XxeCase xxe_cases[] = {
  { "general-entity",
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE rss [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n"
    "<rss version=\"2.0\"><channel><title>Feed &xxe;</title><link>http://example.com/</link>\n"
    "<description>&xxe;</description>\n"
    "<item><title>Post &xxe;</title><description>Body &xxe;</description>"
    "<category>&xxe;</category><guid>a</guid></item>\n"
    "</channel></rss>\n", TRUE },
  { "general-entity-atom",
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE feed [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n"
    "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Feed &xxe;</title>\n"
    "<entry><title>Post &xxe;</title><id>a</id><content type=\"html\">&xxe;</content>"
    "<summary type=\"text\">&xxe;</summary></entry></feed>\n", TRUE },
  { "parameter-entity",
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE rss [ <!ENTITY % xxe SYSTEM \"file:///etc/passwd\"> %xxe; ]>\n"
    "<rss version=\"2.0\"><channel><title>Feed</title>\n"
    "<item><title>Post</title><description>Body</description></item>\n"
    "</channel></rss>\n", FALSE },
  { "external-subset",
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE rss SYSTEM \"file://@DIR@/evil.dtd\">\n"
    "<rss version=\"2.0\"><channel><title>Feed &secret;</title>\n"
    "<item><title>Post &secret;</title><description>&secret; &passwd;</description></item>\n"
    "</channel></rss>\n", FALSE },
  { "parameter-entity-dtd",
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE rss [ <!ENTITY % dtd SYSTEM \"file://@DIR@/evil.dtd\"> %dtd; ]>\n"
    "<rss version=\"2.0\"><channel><title>Feed &secret;</title>\n"
    "<item><title>Post &secret;</title><description>&secret; &passwd;</description></item>\n"
    "</channel></rss>\n", FALSE },
  { "xinclude",
    "<?xml version=\"1.0\"?>\n"
    "<rss version=\"2.0\" xmlns:xi=\"http://www.w3.org/2001/XInclude\"><channel><title>Feed</title>\n"
    "<item><title>Post</title><description><xi:include href=\"file:///etc/passwd\" parse=\"text\"/>"
    "</description></item>\n</channel></rss>\n", TRUE },
};

/* A local DTD that, if it were ever loaded, would put a marker and the
 * password file into the feed. */
static const char evil_dtd[] =
  "<!ENTITY secret \"LEAKED-FROM-DTD\">\n"
  "<!ENTITY passwd SYSTEM \"file:///etc/passwd\">\n";

static void
assert_no_leak (TalesParseResult *result, GError *error)
{
  g_autofree char *text = result_text (result);

  g_assert_true ((result == NULL) != (error == NULL));
  if (error != NULL)
    g_assert_true (error->domain == TALES_PARSE_ERROR);
  g_assert_null (strstr (text, "root:"));
  g_assert_null (strstr (text, "LEAKED-FROM-DTD"));
}

static void
test_xxe_file (gconstpointer data)
{
  const XxeCase *c = data;
  g_autofree char *passwd = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *dtd_path = NULL;
  g_autofree char *xml = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesParseResult) result = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) stream_error = NULL;
  g_autoptr(TalesParseResult) stream_result = NULL;

  /* The check below means something only if the secret is there to steal. */
  g_assert_true (g_file_get_contents ("/etc/passwd", &passwd, NULL, NULL));
  g_assert_nonnull (strstr (passwd, "root:"));

  dir = g_dir_make_tmp ("tales-xxe-XXXXXX", NULL);
  g_assert_nonnull (dir);
  dtd_path = g_build_filename (dir, "evil.dtd", NULL);
  g_assert_true (g_file_set_contents (dtd_path, evil_dtd, -1, NULL));
  xml = substitute (c->xml, "@DIR@", dir);

  result = parse_string (xml, &error);
  assert_no_leak (result, error);
  if (c->must_parse)
    {
      g_assert_no_error (error);
      g_assert_cmpuint (result->posts->len, ==, 1);
      g_assert_true (g_str_has_prefix (tales_post_get_title (g_ptr_array_index (result->posts, 0)),
                                       "Post"));
    }

  stream = g_memory_input_stream_new_from_data (xml, strlen (xml), NULL);
  stream_result = tales_parse_stream (stream, NULL, NULL, NULL, NULL, &stream_error);
  g_assert_true ((stream_result == NULL) != (stream_error == NULL));
  g_assert_cmpint (result == NULL, ==, stream_result == NULL);

  g_assert_cmpint (g_remove (dtd_path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* --- external entities and DTDs: the network ----------------------------- */

typedef struct {
  char *xml;
  TalesParseResult *result;
  GError *error;
  gboolean done;
} NetParse;

static gboolean
net_parse_done_cb (gpointer user_data)
{
  NetParse *np = user_data;

  np->done = TRUE;
  return G_SOURCE_REMOVE;
}

/* Parses on a worker thread while the main thread keeps serving: if the
 * parser ever fetched anything, the request would be answered and
 * counted, not left hanging. */
static gpointer
net_parse_thread (gpointer user_data)
{
  NetParse *np = user_data;

  np->result = parse_string (np->xml, &np->error);
  g_main_context_invoke (NULL, net_parse_done_cb, np);
  return NULL;
}

static const char *net_feeds[] = {
  "<?xml version=\"1.0\"?>\n"
  "<!DOCTYPE rss SYSTEM \"@BASE@/evil.dtd\">\n"
  "<rss version=\"2.0\"><channel><title>Feed &secret;</title>\n"
  "<item><title>Post &remote;</title><description>&secret;</description></item>\n"
  "</channel></rss>\n",

  "<?xml version=\"1.0\"?>\n"
  "<!DOCTYPE rss PUBLIC \"-//Evil//DTD Feed//EN\" \"@BASE@/evil.dtd\">\n"
  "<rss version=\"2.0\"><channel><title>Feed</title>\n"
  "<item><title>Post &secret;</title></item>\n"
  "</channel></rss>\n",

  "<?xml version=\"1.0\"?>\n"
  "<!DOCTYPE rss [\n"
  "  <!ENTITY % dtd SYSTEM \"@BASE@/evil.dtd\"> %dtd;\n"
  "  <!ENTITY remote SYSTEM \"@BASE@/x\">\n"
  "]>\n"
  "<rss version=\"2.0\"><channel><title>Feed &remote;</title>\n"
  "<item><title>Post &remote;</title><description>&remote; &secret;</description></item>\n"
  "</channel></rss>\n",

  "<?xml version=\"1.0\"?>\n"
  "<!DOCTYPE feed [ <!ENTITY remote SYSTEM \"@BASE@/x\"> ]>\n"
  "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Feed &remote;</title>\n"
  "<entry><title>Post &remote;</title><id>a</id><content type=\"xhtml\">"
  "<div xmlns=\"http://www.w3.org/1999/xhtml\">&remote;</div></content></entry></feed>\n",
};

static void
test_xxe_network (void)
{
  g_autoptr(TalesTestServer) server = tales_test_server_new ();
  g_autofree char *remote_entity = NULL;

  remote_entity = substitute ("<!ENTITY secret \"LEAKED-FROM-DTD\">\n"
                              "<!ENTITY remote SYSTEM \"@BASE@/x\">\n",
                              "@BASE@", tales_test_server_get_base (server));
  tales_test_server_add_string (server, "/evil.dtd", "application/xml-dtd", remote_entity);
  tales_test_server_add_string (server, "/x", "text/plain", "LEAKED-FROM-DTD root:x:0:0");

  for (guint i = 0; i < G_N_ELEMENTS (net_feeds); i++)
    {
      NetParse np = { 0 };
      GThread *thread;

      np.xml = substitute (net_feeds[i], "@BASE@", tales_test_server_get_base (server));
      thread = g_thread_new ("parse", net_parse_thread, &np);
      tales_test_wait_for (&np.done, 10000);
      g_thread_join (thread);

      assert_no_leak (np.result, np.error);
      g_assert_cmpuint (tales_test_server_hits (server, NULL), ==, 0);

      g_clear_pointer (&np.result, tales_parse_result_free);
      g_clear_error (&np.error);
      g_free (np.xml);
    }
}

/* --- entity bombs --------------------------------------------------------- */

static char *
billion_laughs (void)
{
  GString *xml = g_string_new ("<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n"
                               "  <!ENTITY lol0 \"lol\">\n");

  for (int level = 1; level <= 9; level++)
    {
      g_string_append_printf (xml, "  <!ENTITY lol%d \"", level);
      for (int i = 0; i < 10; i++)
        g_string_append_printf (xml, "&lol%d;", level - 1);
      g_string_append (xml, "\">\n");
    }
  g_string_append (xml, "]>\n<rss version=\"2.0\"><channel><title>&lol9;</title>\n"
                        "<item><title>Laughs &lol9;</title><description>&lol9;</description>"
                        "<guid>a</guid></item>\n</channel></rss>\n");
  return g_string_free (xml, FALSE);
}

/* One entity of 100 KB referenced 10,000 times: no nesting for a depth
 * limit to catch, yet 1 GB once expanded. */
static char *
quadratic_blowup (void)
{
  GString *xml = g_string_new ("<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n  <!ENTITY a \"");

  for (int i = 0; i < 100 * 1024; i++)
    g_string_append_c (xml, 'a');
  g_string_append (xml, "\">\n]>\n<rss version=\"2.0\"><channel><title>Quadratic</title>\n"
                        "<item><title>Blowup</title><description>");
  for (int i = 0; i < 10000; i++)
    g_string_append (xml, "&a;");
  g_string_append (xml, "</description><guid>a</guid></item>\n</channel></rss>\n");
  return g_string_free (xml, FALSE);
}

static void
run_bomb (char *(*make) (void))
{
  g_autofree char *xml = make ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesParseResult) result = NULL;
  g_autofree char *text = NULL;
  double rss_before = tales_test_peak_mb ();
  gint64 start = g_get_monotonic_time ();
  double seconds, growth;

  result = parse_string (xml, &error);
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  growth = tales_test_peak_mb () - rss_before;
  text = result_text (result);
  g_printerr ("# %.3f s, peak RSS +%.1f MB, %s, %zu bytes of text\n", seconds, growth,
              result == NULL ? error->message : result->bozo ? "bozo" : "not bozo",
              strlen (text));

  g_assert_true ((result == NULL) != (error == NULL));
  g_assert_true (result == NULL || result->bozo);
  g_assert_cmpfloat (seconds, <, MAX_SECONDS);
  g_assert_cmpfloat (growth, <, MAX_BOMB_GROWTH_MB);
  /* Whatever was kept is a sliver of the expansion, not the expansion. */
  g_assert_cmpuint (strlen (text), <, 16 * 1024 * 1024);
}

static void
test_billion_laughs (void)
{
  if (g_test_subprocess ())
    {
      run_bomb (billion_laughs);
      return;
    }
  tales_test_limit_asan_quarantine ();
  g_test_trap_subprocess (NULL, SUBPROCESS_TIMEOUT, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_quadratic_blowup (void)
{
  if (g_test_subprocess ())
    {
      run_bomb (quadratic_blowup);
      return;
    }
  tales_test_limit_asan_quarantine ();
  g_test_trap_subprocess (NULL, SUBPROCESS_TIMEOUT, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* --- a 200 MB feed, generated while it is read ----------------------------- */

/* A GInputStream that writes an RSS feed item by item as it is read, until
 * at least @target bytes have gone out: the test never holds the document. */
#define TALES_TYPE_BIG_FEED_STREAM (tales_big_feed_stream_get_type ())
G_DECLARE_FINAL_TYPE (TalesBigFeedStream, tales_big_feed_stream, TALES, BIG_FEED_STREAM, GInputStream)

struct _TalesBigFeedStream {
  GInputStream parent_instance;
  guint64 target;
  guint64 produced;
  guint n_items;
  GString *piece;   /* what is being served now */
  gsize offset;     /* how much of it was served */
  gboolean ended;   /* the closing tags are in @piece */
};

G_DEFINE_FINAL_TYPE (TalesBigFeedStream, tales_big_feed_stream, G_TYPE_INPUT_STREAM)

static const char big_feed_body[] =
  "&lt;p&gt;A paragraph of an ordinary post, long enough that the feed grows "
  "by whole kilobytes per item, with &lt;a href=\"https://example.com/\"&gt;a "
  "link&lt;/a&gt; and &lt;code&gt;some code&lt;/code&gt; in it.&lt;/p&gt;\n";

static void
big_feed_next_piece (TalesBigFeedStream *self)
{
  g_string_truncate (self->piece, 0);
  self->offset = 0;
  if (self->produced >= self->target)
    {
      g_string_append (self->piece, "</channel>\n</rss>\n");
      self->ended = TRUE;
      return;
    }
  g_string_append_printf (self->piece,
                          "<item><title>Item %u</title><link>https://example.com/%u</link>"
                          "<guid>https://example.com/%u</guid>"
                          "<pubDate>Thu, 16 Apr 2026 12:00:00 GMT</pubDate>"
                          "<category>big</category><description>",
                          self->n_items, self->n_items, self->n_items);
  for (int i = 0; i < 40; i++)
    g_string_append (self->piece, big_feed_body);
  g_string_append (self->piece, "</description></item>\n");
  self->n_items++;
}

static gssize
tales_big_feed_stream_read (GInputStream  *stream,
                            void          *buffer,
                            gsize          count,
                            GCancellable  *cancellable,
                            GError       **error)
{
  TalesBigFeedStream *self = TALES_BIG_FEED_STREAM (stream);
  gsize done = 0;

  while (done < count)
    {
      gsize n;

      if (self->offset == self->piece->len)
        {
          if (self->ended)
            break;
          big_feed_next_piece (self);
        }
      n = MIN (count - done, self->piece->len - self->offset);
      memcpy ((char *) buffer + done, self->piece->str + self->offset, n);
      self->offset += n;
      done += n;
    }
  self->produced += done;
  return done;
}

static void
tales_big_feed_stream_finalize (GObject *object)
{
  TalesBigFeedStream *self = TALES_BIG_FEED_STREAM (object);

  g_string_free (self->piece, TRUE);
  G_OBJECT_CLASS (tales_big_feed_stream_parent_class)->finalize (object);
}

static void
tales_big_feed_stream_class_init (TalesBigFeedStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tales_big_feed_stream_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = tales_big_feed_stream_read;
}

static void
tales_big_feed_stream_init (TalesBigFeedStream *self)
{
  self->piece = g_string_new ("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                              "<rss version=\"2.0\"><channel><title>Big</title>"
                              "<link>https://example.com/</link>\n");
}

static GInputStream *
tales_big_feed_stream_new (guint64 target)
{
  TalesBigFeedStream *self = g_object_new (TALES_TYPE_BIG_FEED_STREAM, NULL);

  self->target = target;
  return G_INPUT_STREAM (self);
}

typedef struct {
  guint n_posts;
  gboolean in_order;
} BigCount;

static void
big_feed_post_cb (TalesPost *post, gpointer user_data)
{
  BigCount *count = user_data;
  g_autofree char *expected = g_strdup_printf ("Item %u", count->n_posts);

  /* Not kept: the parser must not need us to hold the posts either. */
  if (g_strcmp0 (tales_post_get_title (post), expected) != 0)
    count->in_order = FALSE;
  count->n_posts++;
}

/* 200 MB, or $TALES_BIG_FEED_MB (to try other sizes by hand). */
static guint64
big_feed_bytes (void)
{
  const char *mb = g_getenv ("TALES_BIG_FEED_MB");

  return (mb != NULL ? g_ascii_strtoull (mb, NULL, 10) : BIG_FEED_MB) * 1024 * 1024;
}

static void
run_big_stream (void)
{
  guint64 target = big_feed_bytes ();
  g_autoptr(GInputStream) stream = tales_big_feed_stream_new (target);
  TalesBigFeedStream *big = TALES_BIG_FEED_STREAM (stream);
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesParseResult) result = NULL;
  BigCount count = { 0, TRUE };
  double rss_before = tales_test_peak_mb ();
  gint64 start = g_get_monotonic_time ();
  double seconds, growth;

  result = tales_parse_stream (stream, NULL, big_feed_post_cb, &count, NULL, &error);
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  growth = tales_test_peak_mb () - rss_before;
  g_printerr ("# %.0f MB in %.1f s, %u posts, peak RSS +%.1f MB, %s\n",
              big->produced / 1048576.0, seconds, count.n_posts, growth,
              result != NULL ? "read" : error->message);

  /* Either outcome is safe, but it must be one of the two. */
  if (result == NULL)
    {
      g_assert_error (error, TALES_PARSE_ERROR, TALES_PARSE_ERROR_TOO_LARGE);
    }
  else
    {
      g_assert_no_error (error);
      g_assert_false (result->bozo);
      g_assert_null (result->posts);
      g_assert_true (big->ended);
      g_assert_cmpuint (count.n_posts, ==, big->n_items);
      g_assert_true (count.in_order);
    }
  g_assert_cmpuint (big->produced, >=, result != NULL ? target : 0);
  g_assert_cmpfloat (growth, <, MAX_STREAM_GROWTH_MB);
}

static void
test_big_stream (void)
{
  if (g_test_subprocess ())
    {
      run_big_stream ();
      return;
    }
  tales_test_limit_asan_quarantine ();
  g_test_trap_subprocess (NULL, SUBPROCESS_TIMEOUT, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  tales_core_init ();

  for (guint i = 0; i < G_N_ELEMENTS (xxe_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/tales/parse-safety/xxe/file/%s", xxe_cases[i].name);

      g_test_add_data_func (path, &xxe_cases[i], test_xxe_file);
    }
  g_test_add_func ("/tales/parse-safety/xxe/network", test_xxe_network);
  g_test_add_func ("/tales/parse-safety/billion-laughs", test_billion_laughs);
  g_test_add_func ("/tales/parse-safety/quadratic-blowup", test_quadratic_blowup);
  g_test_add_func ("/tales/parse-safety/stream-200mb", test_big_stream);
  return g_test_run ();
}
