/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-fuzz"

/* libFuzzer target: the feed parser on arbitrary bytes, both the one-buffer
 * entry point and the streaming one (which cuts the input in chunks), and
 * every string the result carries, so that a dangling pointer in a post
 * shows up under ASan. */

#include <stdint.h>
#include <string.h>

#include "tales-core.h"
#include "fuzz-common.h"

static gsize sink;

static void
touch (const char *s)
{
  if (s != NULL)
    sink += strlen (s);
}

static void
touch_post (TalesPost *post)
{
  const char * const *categories = tales_post_get_categories (post);

  touch (tales_post_get_guid (post));
  touch (tales_post_get_title (post));
  touch (tales_post_get_link (post));
  touch (tales_post_get_author (post));
  touch (tales_post_get_summary (post));
  touch (tales_post_get_content (post));
  touch (tales_post_get_cover_url (post));
  touch (tales_post_get_published_text (post));
  touch (tales_post_get_updated_text (post));
  for (guint i = 0; categories != NULL && categories[i] != NULL; i++)
    touch (categories[i]);
}

static void
on_post_cb (TalesPost *post, gpointer user_data)
{
  touch_post (post);
  (*(guint *) user_data)++;
}

static void
touch_result (TalesParseResult *result)
{
  touch (result->version);
  touch (result->bozo_message);
  touch (result->encoding);
  g_assert (result->feed != NULL);
  touch (tales_feed_get_title (result->feed));
  touch (tales_feed_get_link (result->feed));
  touch (tales_feed_get_subtitle (result->feed));
  touch (tales_feed_get_image_url (result->feed));
  touch (tales_feed_get_language (result->feed));
  for (guint i = 0; result->posts != NULL && i < result->posts->len; i++)
    touch_post (g_ptr_array_index (result->posts, i));
}

static void
parse_buffer (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesParseResult) result = NULL;

  result = tales_parse ((const char *) data, size, "http://example.com/feed/", NULL, NULL, &error);
  g_assert ((result == NULL) != (error == NULL));
  if (result != NULL)
    touch_result (result);
}

static void
parse_stream (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesParseResult) result = NULL;
  g_autoptr(GInputStream) stream = NULL;
  guint n_posts = 0;

  stream = g_memory_input_stream_new_from_data (data, size, NULL);
  result = tales_parse_stream (stream, NULL, on_post_cb, &n_posts, NULL, &error);
  g_assert ((result == NULL) != (error == NULL));
  if (result != NULL)
    {
      g_assert (result->posts == NULL);
      touch_result (result);
    }
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static gboolean initialized;

  if (!initialized)
    {
      tales_fuzz_make_warnings_fatal ();
      tales_core_init ();
      initialized = TRUE;
    }
  parse_buffer (data, size);
  parse_stream (data, size);
  return 0;
}
