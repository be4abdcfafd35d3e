/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Hostile images: what a feed's images cannot do to the machine. Real
 * crafted files, served by a real SoupServer on 127.0.0.1 to the real
 * image cache and store; each refusal is a failed record with a reason,
 * and nothing on disk. */

#include "tales-core.h"
#include "tales-image-header.h"
#include "tales-image-svg.h"
#include "tales-test-utils.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <string.h>

typedef struct {
  TalesTestEnv parts;
  char *dir;
} Env;

static Env *
env_new (void)
{
  Env *env = g_new0 (Env, 1);
  g_autofree char *db = g_build_filename (g_get_user_data_dir (), "tales-test.db", NULL);

  /* Each test its own cache folder, so that "nothing written" means it. */
  g_mkdir_with_parents (g_get_user_cache_dir (), 0700);
  env->dir = g_build_filename (g_get_user_cache_dir (), "images-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (env->dir));
  g_remove (db);
  tales_test_env_init (&env->parts, "tales-test.db", env->dir);
  return env;
}

static void
env_free (Env *env)
{
  tales_test_remove_tree (env->dir);
  tales_test_env_clear (&env->parts);
  g_free (env->dir);
  g_free (env);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Env, env_free)

/* Crafting files */

static guint32
crc32_of (const guint8 *data, gsize size, guint32 crc)
{
  crc = ~crc;
  for (gsize i = 0; i < size; i++)
    {
      crc ^= data[i];
      for (int k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
    }
  return ~crc;
}

static void
append_be32 (GByteArray *out, guint32 value)
{
  guint8 bytes[4] = { value >> 24, value >> 16, value >> 8, value };

  g_byte_array_append (out, bytes, 4);
}

static void
append_png_chunk (GByteArray *out, const char *type, const guint8 *data, gsize size)
{
  guint32 crc = crc32_of ((const guint8 *) type, 4, 0);

  crc = crc32_of (data, size, crc);
  append_be32 (out, size);
  g_byte_array_append (out, (const guint8 *) type, 4);
  g_byte_array_append (out, data, size);
  append_be32 (out, crc);
}

/* A valid @width x @height black-and-white PNG of zero rows: 1 bit a
 * pixel compresses 20,000 x 20,000 to about 48 KB. */
static GBytes *
make_png_bomb (guint32 width, guint32 height)
{
  g_autoptr(GByteArray) png = g_byte_array_new ();
  g_autoptr(GZlibCompressor) zlib = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB, 9);
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) deflate = g_converter_output_stream_new (memory, G_CONVERTER (zlib));
  gsize row_size = 1 + (width + 7) / 8;
  g_autofree guint8 *row = g_malloc0 (row_size);
  g_autoptr(GBytes) idat = NULL;
  g_autoptr(GError) error = NULL;
  guint8 ihdr[13] = {
    width >> 24, width >> 16, width >> 8, width,
    height >> 24, height >> 16, height >> 8, height,
    1, 0, 0, 0, 0,   /* 1 bit, grey, deflate, adaptive filter, no interlace */
  };

  for (guint32 y = 0; y < height; y++)
    {
      g_output_stream_write_all (deflate, row, row_size, NULL, NULL, &error);
      g_assert_no_error (error);
    }
  g_output_stream_close (deflate, NULL, &error);
  g_assert_no_error (error);
  idat = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));

  g_byte_array_append (png, (const guint8 *) "\x89PNG\r\n\x1a\n", 8);
  append_png_chunk (png, "IHDR", ihdr, sizeof ihdr);
  append_png_chunk (png, "IDAT", g_bytes_get_data (idat, NULL), g_bytes_get_size (idat));
  append_png_chunk (png, "IEND", NULL, 0);
  return g_byte_array_free_to_bytes (g_steal_pointer (&png));
}

/* 10 levels of 10 nested <use>: 10^10 rectangles from 2.6 KB. */
static GBytes *
make_svg_bomb (void)
{
  GString *svg = g_string_new ("<svg xmlns=\"http://www.w3.org/2000/svg\" "
                               "xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
                               "width=\"100\" height=\"100\"><defs>"
                               "<rect id=\"l0\" width=\"1\" height=\"1\"/>");

  for (int level = 1; level <= 10; level++)
    {
      g_string_append_printf (svg, "<g id=\"l%d\">", level);
      for (int i = 0; i < 10; i++)
        g_string_append_printf (svg, "<use xlink:href=\"#l%d\"/>", level - 1);
      g_string_append (svg, "</g>");
    }
  g_string_append (svg, "</defs><use xlink:href=\"#l10\"/></svg>");
  return g_string_free_to_bytes (svg);
}

/* The classic 1 x 1 GIF. */
static const guint8 small_gif[] = {
  'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0x80, 0, 0, 0xff, 0xff, 0xff, 0, 0, 0,
  0x21, 0xf9, 4, 1, 0, 0, 0, 0, 0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, 0x3b,
};

static const char small_svg[] =
  "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"20\">"
  "<rect width=\"40\" height=\"20\" fill=\"#c00\"/></svg>";

/* Downloading */

/* Downloads @urls (NULL-terminated paths on the server) and waits. */
static TalesTestDownload
download (Env *env, gboolean now, const char *const *paths)
{
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  TalesTestDownload d = { 0 };

  for (guint i = 0; paths[i] != NULL; i++)
    g_ptr_array_add (urls, tales_test_server_url (env->parts.server, paths[i]));
  if (now)
    tales_image_cache_download_now_async (env->parts.images, urls, NULL, tales_test_download_cb, &d);
  else
    tales_image_cache_download_async (env->parts.images, urls, NULL, tales_test_download_cb, &d);
  tales_test_wait_for (&d.done, 30000);
  g_assert_no_error (d.error);
  g_assert_true (d.ok);
  return d;
}

static TalesImageRecord *
record_of (Env *env, const char *path)
{
  g_autofree char *url = tales_test_server_url (env->parts.server, path);
  g_autoptr(GError) error = NULL;
  TalesImageRecord *record = tales_store_get_image (env->parts.store, url, &error);

  g_assert_no_error (error);
  g_assert_nonnull (record);
  return record;
}

static void
assert_refused (Env *env, const char *path, const char *reason)
{
  g_autoptr(TalesImageRecord) record = record_of (env, path);

  g_assert_cmpint (record->state, ==, TALES_IMAGE_FAILED);
  g_assert_null (record->path);
  g_assert_nonnull (strstr (record->error, reason));
  g_assert_nonnull (strstr (record->error, record->url));
}

/* How many files the cache folder holds, at any depth. */
static guint
count_files (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *child = g_build_filename (dir, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        n += count_files (child);
      else
        n++;
    }
  return n;
}

/* The cached file, decoded for real: it must be the image it claims. */
static void
assert_cached_image (Env *env, const char *path, const char *mime_type, int width, int height)
{
  g_autoptr(TalesImageRecord) record = record_of (env, path);
  g_autofree char *filename = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GdkPixbufLoader) loader = NULL;
  GdkPixbuf *pixbuf;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (record->state, ==, TALES_IMAGE_CACHED);
  g_assert_cmpstr (record->mime_type, ==, mime_type);
  filename = g_build_filename (env->dir, record->path, NULL);
  g_file_get_contents (filename, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpint (record->size, ==, length);
  /* By the recorded type: the isolated test dirs hide shared-mime-info. */
  loader = gdk_pixbuf_loader_new_with_mime_type (mime_type, &error);
  g_assert_no_error (error);
  gdk_pixbuf_loader_write (loader, (const guint8 *) contents, length, &error);
  g_assert_no_error (error);
  gdk_pixbuf_loader_close (loader, &error);
  g_assert_no_error (error);
  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  g_assert_nonnull (pixbuf);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, width);
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, height);
  g_assert_cmpint (record->size, >, 0);
}

/* Tests */

/* Each format's header gives its size; truncated or garbled headers
 * give nothing. */
static void
test_header_sizes (void)
{
  g_autoptr(GBytes) png = tales_test_make_image (37, 23, 0x336699, "png");
  g_autoptr(GBytes) jpeg = tales_test_make_image (41, 29, 0x336699, "jpeg");
  const guint8 *png_data = g_bytes_get_data (png, NULL);
  /* VP8X canvas 3000 x 2000; BMP 640 x -480 (top-down); ICO of two
   * entries, 16 and 0 (= 256). */
  static const guint8 webp[] = "RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0\xb7\x0b\0\xcf\x07\0";
  static const guint8 bmp[] = "BM\0\0\0\0\0\0\0\0\0\0\0\0\x28\0\0\0\x80\x02\0\0\x20\xfe\xff\xff";
  static const guint8 ico[] = "\0\0\1\0\2\0" "\x10\x10\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
                              "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
  /* A 1 x 1 logical screen whose one frame is 30,000 x 30,000. */
  static const guint8 gif_frame_bomb[] = {
    'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0, 0, 0,
    0x2c, 0, 0, 0, 0, 0x30, 0x75, 0x30, 0x75, 0, 2, 2, 0x44, 1, 0, 0x3b,
  };
  /* ftyp, then meta (a full box) > iprp > ipco > ispe of 8000 x 7000. */
  static const guint8 avif[] = "\0\0\0\x10" "ftypavif\0\0\0\0"
                               "\0\0\0\x30" "meta\0\0\0\0"
                               "\0\0\0\x24" "iprp"
                               "\0\0\0\x1c" "ipco"
                               "\0\0\0\x14" "ispe\0\0\0\0\0\0\x1f\x40\0\0\x1b\x58";
  guint width = 0, height = 0;

  g_assert_true (tales_image_header_get_size (avif, sizeof avif - 1, "image/avif", &width, &height));
  g_assert_cmpuint (width, ==, 8000);
  g_assert_cmpuint (height, ==, 7000);
  g_assert_true (tales_image_header_get_size (png_data, g_bytes_get_size (png), "image/png", &width, &height));
  g_assert_cmpuint (width, ==, 37);
  g_assert_cmpuint (height, ==, 23);
  g_assert_true (tales_image_header_get_size (g_bytes_get_data (jpeg, NULL), g_bytes_get_size (jpeg),
                                              "image/jpeg", &width, &height));
  g_assert_cmpuint (width, ==, 41);
  g_assert_cmpuint (height, ==, 29);
  g_assert_true (tales_image_header_get_size (small_gif, sizeof small_gif, "image/gif", &width, &height));
  g_assert_cmpuint (width, ==, 1);
  g_assert_cmpuint (height, ==, 1);
  g_assert_true (tales_image_header_get_size (gif_frame_bomb, sizeof gif_frame_bomb, "image/gif",
                                              &width, &height));
  g_assert_cmpuint (width, ==, 30000);
  g_assert_cmpuint (height, ==, 30000);
  g_assert_true (tales_image_header_get_size (webp, sizeof webp - 1, "image/webp", &width, &height));
  g_assert_cmpuint (width, ==, 3000);
  g_assert_cmpuint (height, ==, 2000);
  g_assert_true (tales_image_header_get_size (bmp, sizeof bmp - 1, "image/bmp", &width, &height));
  g_assert_cmpuint (width, ==, 640);
  g_assert_cmpuint (height, ==, 480);
  g_assert_true (tales_image_header_get_size (ico, sizeof ico - 1, "image/x-icon", &width, &height));
  g_assert_cmpuint (width, ==, 256);
  g_assert_cmpuint (height, ==, 256);

  /* Every cut of the PNG and JPEG short of their size field measures
   * nothing, and reads nothing past the cut (ASan would say). */
  for (gsize cut = 0; cut < 24; cut++)
    {
      g_autofree guint8 *copy = g_memdup2 (png_data, cut);
      g_assert_false (tales_image_header_get_size (copy, cut, "image/png", NULL, NULL));
    }
  for (gsize cut = 0; cut < 8; cut++)
    {
      g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (jpeg, NULL), cut);
      g_assert_false (tales_image_header_get_size (copy, cut, "image/jpeg", NULL, NULL));
    }
  /* The magic, then garbage; and a format that is not measured. */
  g_assert_false (tales_image_header_get_size ((const guint8 *) "\x89PNG\r\n\x1a\ngarbage garbage garbage",
                                               31, "image/png", NULL, NULL));
  g_assert_false (tales_image_header_get_size (png_data, g_bytes_get_size (png), "image/tiff", NULL, NULL));
}

/* The 20,000 x 20,000 PNG of 48 KB that took the web process to 3.37 GB
 * is refused as too large, written nowhere, and not asked for again
 * for the longest wait. */
static void
test_png_bomb (void)
{
  g_autoptr(Env) env = env_new ();
  g_autoptr(GBytes) bomb = make_png_bomb (20000, 20000);
  g_autoptr(GBytes) strip = make_png_bomb (TALES_IMAGE_MAX_EDGE + 1, 1);
  g_autoptr(TalesImageRecord) record = NULL;
  const char *const paths[] = { "/bomb.png", "/strip.png", NULL };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  TalesTestDownload d;

  g_assert_cmpuint (g_bytes_get_size (bomb), <, 100 * 1024);
  tales_test_server_add_bytes (env->parts.server, "/bomb.png", "image/png", bomb);
  tales_test_server_add_bytes (env->parts.server, "/strip.png", "image/png", strip);
  d = download (env, FALSE, paths);
  g_assert_cmpuint (d.n_cached, ==, 0);
  g_assert_cmpuint (d.n_failed, ==, 2);
  assert_refused (env, "/bomb.png", "too large to show");
  assert_refused (env, "/strip.png", "too large to show");
  g_assert_cmpuint (count_files (env->dir), ==, 0);

  record = record_of (env, "/bomb.png");
  g_assert_cmpint (record->failures, ==, 1);
  g_assert_cmpint (record->retry_after, >=, now + TALES_IMAGE_RETRY_MAX_WAIT);
  g_assert_cmpint (record->retry_after, <=, now + TALES_IMAGE_RETRY_MAX_WAIT + 60);
}

/* The nested-<use> SVG that drove the web process to 22.4 GB is refused
 * before it is rendered, in well under a second's work. */
static void
test_svg_bomb (void)
{
  g_autoptr(Env) env = env_new ();
  g_autoptr(GBytes) bomb = make_svg_bomb ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) png = NULL;
  const char *const paths[] = { "/bomb.svg", NULL };
  gint64 start = g_get_monotonic_time ();
  TalesTestDownload d;

  g_assert_cmpuint (g_bytes_get_size (bomb), <, 3000);
  png = tales_image_svg_rasterize (bomb, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  g_assert_null (png);
  /* A generous bound on a shared machine: librsvg itself takes about 4 s
   * to stop at its own limit. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);

  tales_test_server_add_bytes (env->parts.server, "/bomb.svg", "image/svg+xml", bomb);
  d = download (env, FALSE, paths);
  g_assert_cmpuint (d.n_failed, ==, 1);
  assert_refused (env, "/bomb.svg", "too large to show");
  g_assert_cmpuint (count_files (env->dir), ==, 0);
}

/* A <use> that refers to itself, and SVG that is not XML, are refused. */
static void
test_svg_invalid (void)
{
  g_autoptr(Env) env = env_new ();
  const char *const paths[] = { "/cycle.svg", "/broken.svg", NULL };

  tales_test_server_add_string (env->parts.server, "/cycle.svg", "image/svg+xml",
                                "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                                "xmlns:xlink=\"http://www.w3.org/1999/xlink\">"
                                "<g id=\"a\"><use xlink:href=\"#a\"/></g></svg>");
  tales_test_server_add_string (env->parts.server, "/broken.svg", "image/svg+xml",
                                "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect");
  download (env, FALSE, paths);
  assert_refused (env, "/cycle.svg", "too large to show");
  assert_refused (env, "/broken.svg", "not valid SVG");
  g_assert_cmpuint (count_files (env->dir), ==, 0);
}

/* PNG magic followed by garbage, or cut short, is not an image; a format
 * whose size cannot be read is not shown: none of them is kept. */
static void
test_garbage_after_magic (void)
{
  g_autoptr(Env) env = env_new ();
  const char *const paths[] = { "/garbage.png", "/cut.png", "/photo.tiff", NULL };
  g_autoptr(GBytes) png = tales_test_make_image (8, 8, 0x00ff00, "png");
  g_autoptr(GBytes) cut = g_bytes_new_from_bytes (png, 0, 20);

  tales_test_server_add_string (env->parts.server, "/garbage.png", "image/png",
                                "\x89PNG\r\n\x1a\nthis is not a header at all, just words");
  tales_test_server_add_bytes (env->parts.server, "/cut.png", "image/png", cut);
  /* Trusted as an image on the server's word, but not measurable. */
  tales_test_server_add_string (env->parts.server, "/photo.tiff", "image/tiff", "II*\x01\x02\x03\x04");
  download (env, FALSE, paths);
  assert_refused (env, "/garbage.png", "not a valid image");
  assert_refused (env, "/cut.png", "not a valid image");
  assert_refused (env, "/photo.tiff", "a format Tales does not show (image/tiff)");
  g_assert_cmpuint (count_files (env->dir), ==, 0);
}

/* Ordinary images still go through: PNG, JPEG and GIF as they are, SVG
 * as the PNG it draws, a large SVG scaled to fit TALES_SVG_MAX_EDGE. */
static void
test_normal_images (void)
{
  g_autoptr(Env) env = env_new ();
  g_autoptr(GBytes) png = tales_test_make_image (30, 20, 0x123456, "png");
  g_autoptr(GBytes) jpeg = tales_test_make_image (64, 48, 0x654321, "jpeg");
  g_autoptr(GBytes) gif = g_bytes_new_static (small_gif, sizeof small_gif);
  const char *const paths[] = { "/a.png", "/b.jpg", "/c.gif", "/d.svg", "/e.svg", NULL };
  TalesTestDownload d;

  tales_test_server_add_bytes (env->parts.server, "/a.png", "image/png", png);
  tales_test_server_add_bytes (env->parts.server, "/b.jpg", "image/jpeg", jpeg);
  tales_test_server_add_bytes (env->parts.server, "/c.gif", "image/gif", gif);
  tales_test_server_add_string (env->parts.server, "/d.svg", "image/svg+xml", small_svg);
  tales_test_server_add_string (env->parts.server, "/e.svg", "image/svg+xml",
                                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"8000\" "
                                "height=\"4000\"><circle cx=\"4000\" cy=\"2000\" r=\"1900\"/></svg>");
  d = download (env, FALSE, paths);
  g_assert_cmpuint (d.n_cached, ==, 5);
  g_assert_cmpuint (d.n_failed, ==, 0);
  assert_cached_image (env, "/a.png", "image/png", 30, 20);
  assert_cached_image (env, "/b.jpg", "image/jpeg", 64, 48);
  assert_cached_image (env, "/c.gif", "image/gif", 1, 1);
  assert_cached_image (env, "/d.svg", "image/png", 40, 20);
  assert_cached_image (env, "/e.svg", "image/png", TALES_SVG_MAX_EDGE, TALES_SVG_MAX_EDGE / 2);
  g_assert_cmpuint (count_files (env->dir), ==, 5);
}

/* A PNG whose header is 100 x 100 padded with @size bytes: header checks
 * pass, and the file weighs what the budget test needs. */
static GBytes *
make_heavy_png (gsize size, guint8 fill)
{
  g_autoptr(GBytes) small = tales_test_make_image (100, 100, 0x808080, "png");
  g_autoptr(GByteArray) heavy = g_byte_array_sized_new (size);

  g_byte_array_append (heavy, g_bytes_get_data (small, NULL), g_bytes_get_size (small));
  g_byte_array_set_size (heavy, size);
  memset (heavy->data + g_bytes_get_size (small), fill, size - g_bytes_get_size (small));
  return g_byte_array_free_to_bytes (g_steal_pointer (&heavy));
}

/* A post's images beyond TALES_IMAGE_POST_BUDGET are failed, not kept;
 * another post's image is not counted against it. */
static void
test_post_budget (void)
{
  g_autoptr(Env) env = env_new ();
  const gsize each = TALES_IMAGE_POST_BUDGET / 3 + 1024 * 1024;
  g_autofree char *base = g_strdup (tales_test_server_get_base (env->parts.server));
  g_autofree char *feed_url = tales_test_server_url (env->parts.server, "/feed.xml");
  g_autofree char *xml = g_strdup_printf (
    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Heavy</title>"
    "<link>https://example.test/</link><description>d</description>"
    "<item><title>Heavy</title><guid>heavy</guid><description><![CDATA["
    "<img src=\"%s/1.png\"><img src=\"%s/2.png\"><img src=\"%s/3.png\">]]></description></item>"
    "<item><title>Light</title><guid>light</guid><description><![CDATA["
    "<img src=\"%s/4.png\">]]></description></item>"
    "</channel></rss>", base, base, base, base);
  TalesTestRefresh refresh;
  guint n_cached = 0, n_failed = 0;

  tales_test_server_add_string (env->parts.server, "/feed.xml", "application/rss+xml", xml);
  for (guint i = 1; i <= 4; i++)
    {
      g_autofree char *path = g_strdup_printf ("/%u.png", i);
      g_autoptr(GBytes) heavy = make_heavy_png (each, i);

      tales_test_server_add_bytes (env->parts.server, path, "image/png", heavy);
    }

  tales_test_refresh_start (&refresh, env->parts.store, env->parts.fetcher, env->parts.images, feed_url);
  tales_test_refresh_wait (&refresh);
  g_assert_no_error (refresh.error);
  g_assert_true (refresh.ok);
  g_assert_cmpuint (refresh.report.n_images_cached, ==, 3);
  g_assert_cmpuint (refresh.report.n_images_failed, ==, 1);

  /* Two of the heavy post's three fit; which two depends on the order
   * they arrived in. */
  for (guint i = 1; i <= 3; i++)
    {
      g_autofree char *path = g_strdup_printf ("/%u.png", i);
      g_autoptr(TalesImageRecord) record = record_of (env, path);

      if (record->state == TALES_IMAGE_CACHED)
        n_cached++;
      else
        {
          n_failed++;
          assert_refused (env, path, "over this post’s image budget");
        }
    }
  g_assert_cmpuint (n_cached, ==, 2);
  g_assert_cmpuint (n_failed, ==, 1);
  assert_cached_image (env, "/4.png", "image/png", 100, 100);
  g_assert_cmpuint (count_files (env->dir), ==, 3);
}

/* A failed image waits an hour, then two, before it is asked for again;
 * "make available offline" asks at once. */
static void
test_backoff (void)
{
  g_autoptr(Env) env = env_new ();
  const char *const paths[] = { "/gone.png", NULL };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(TalesImageRecord) record = NULL;
  TalesTestDownload d;

  tales_test_server_add_status (env->parts.server, "/gone.png", 503);
  d = download (env, FALSE, paths);
  g_assert_cmpuint (d.n_failed, ==, 1);
  g_assert_cmpuint (tales_test_server_hits (env->parts.server, "/gone.png"), ==, 1);
  record = record_of (env, "/gone.png");
  g_assert_cmpint (record->failures, ==, 1);
  g_assert_cmpint (record->retry_after, >=, now + TALES_IMAGE_RETRY_FIRST_WAIT);
  g_assert_cmpint (record->retry_after, <=, now + TALES_IMAGE_RETRY_FIRST_WAIT + 60);
  g_clear_pointer (&record, tales_image_record_free);

  /* The next refresh, at once: not asked for. */
  d = download (env, FALSE, paths);
  g_assert_cmpuint (d.n_failed, ==, 0);
  g_assert_cmpuint (tales_test_server_hits (env->parts.server, "/gone.png"), ==, 1);

  /* An hour later: asked for, fails again, and now waits two hours. */
  tales_image_cache_set_time_offset (env->parts.images, TALES_IMAGE_RETRY_FIRST_WAIT + 1);
  d = download (env, FALSE, paths);
  g_assert_cmpuint (d.n_failed, ==, 1);
  g_assert_cmpuint (tales_test_server_hits (env->parts.server, "/gone.png"), ==, 2);
  record = record_of (env, "/gone.png");
  g_assert_cmpint (record->failures, ==, 2);
  g_assert_cmpint (record->retry_after, >=, now + 3 * TALES_IMAGE_RETRY_FIRST_WAIT);
  g_clear_pointer (&record, tales_image_record_free);

  tales_image_cache_set_time_offset (env->parts.images, 2 * TALES_IMAGE_RETRY_FIRST_WAIT + 1);
  download (env, FALSE, paths);
  g_assert_cmpuint (tales_test_server_hits (env->parts.server, "/gone.png"), ==, 2);

  /* Forced: asked for now, and this time it is there. */
  {
    g_autoptr(GBytes) png = tales_test_make_image (5, 5, 0xabcdef, "png");
    tales_test_server_add_bytes (env->parts.server, "/gone.png", "image/png", png);
  }
  d = download (env, TRUE, paths);
  g_assert_cmpuint (d.n_cached, ==, 1);
  /* (The new route counts from zero.) */
  g_assert_cmpuint (tales_test_server_hits (env->parts.server, "/gone.png"), ==, 1);
  record = record_of (env, "/gone.png");
  g_assert_cmpint (record->failures, ==, 0);
  g_assert_cmpint (record->retry_after, ==, 0);
  assert_cached_image (env, "/gone.png", "image/png", 5, 5);
}

/* A cached record whose file has gone is downloaded again. */
static void
test_missing_file_refetched (void)
{
  g_autoptr(Env) env = env_new ();
  g_autoptr(GBytes) png = tales_test_make_image (6, 6, 0x00aa00, "png");
  const char *const paths[] = { "/here.png", NULL };
  g_autoptr(TalesImageRecord) record = NULL;
  g_autofree char *filename = NULL;
  TalesTestDownload d;

  tales_test_server_add_bytes (env->parts.server, "/here.png", "image/png", png);
  d = download (env, FALSE, paths);
  g_assert_cmpuint (d.n_cached, ==, 1);
  d = download (env, FALSE, paths);
  g_assert_cmpuint (d.n_cached, ==, 0);
  g_assert_cmpuint (tales_test_server_hits (env->parts.server, "/here.png"), ==, 1);

  record = record_of (env, "/here.png");
  filename = g_build_filename (env->dir, record->path, NULL);
  g_assert_cmpint (g_unlink (filename), ==, 0);

  d = download (env, FALSE, paths);
  g_assert_cmpuint (d.n_cached, ==, 1);
  g_assert_cmpuint (tales_test_server_hits (env->parts.server, "/here.png"), ==, 2);
  g_assert_true (g_file_test (filename, G_FILE_TEST_IS_REGULAR));
  assert_cached_image (env, "/here.png", "image/png", 6, 6);
}

int
main (int argc, char *argv[])
{
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  tales_core_init ();

  g_test_add_func ("/tales/hostile-images/header-sizes", test_header_sizes);
  g_test_add_func ("/tales/hostile-images/png-bomb", test_png_bomb);
  g_test_add_func ("/tales/hostile-images/svg-bomb", test_svg_bomb);
  g_test_add_func ("/tales/hostile-images/svg-invalid", test_svg_invalid);
  g_test_add_func ("/tales/hostile-images/garbage-after-magic", test_garbage_after_magic);
  g_test_add_func ("/tales/hostile-images/normal-images", test_normal_images);
  g_test_add_func ("/tales/hostile-images/post-budget", test_post_budget);
  g_test_add_func ("/tales/hostile-images/backoff", test_backoff);
  g_test_add_func ("/tales/hostile-images/missing-file-refetched", test_missing_file_refetched);
  return g_test_run ();
}
