/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-fuzz"

/* libFuzzer target: the HTML sanitizer, the image URL collector and the
 * text reducer on arbitrary (NUL-terminated) input. Besides memory errors
 * it checks the sanitizer's promises that are cheap to check: the output
 * never holds a <script element, and sanitizing is stable enough to run on
 * its own output. */

#include <stdint.h>
#include <string.h>

#include "tales-core.h"
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_no_script (const char *html)
{
  g_autofree char *lower = g_ascii_strdown (html, -1);

  if (strstr (lower, "<script") != NULL)
    g_error ("sanitized output holds a <script> element: %s", html);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static gboolean initialized;
  g_autofree char *html = NULL;
  g_autofree char *clean = NULL;
  g_autofree char *again = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) urls = NULL;

  if (!initialized)
    {
      tales_fuzz_make_warnings_fatal ();
      tales_core_init ();
      initialized = TRUE;
    }

  html = g_strndup ((const char *) data, size);
  clean = tales_html_sanitize (html, "http://example.com/post/");
  g_assert (clean != NULL);
  check_no_script (clean);
  again = tales_html_sanitize (clean, NULL);
  g_assert (again != NULL);
  check_no_script (again);

  urls = tales_html_collect_image_urls (html, "http://example.com/post/");
  g_assert (urls != NULL);
  for (guint i = 0; i < urls->len; i++)
    g_assert (g_str_has_prefix (g_ptr_array_index (urls, i), "http://") ||
              g_str_has_prefix (g_ptr_array_index (urls, i), "https://") ||
              g_str_has_prefix (g_ptr_array_index (urls, i), "resource:"));

  text = tales_html_to_text (html);
  g_assert (text != NULL);
  return 0;
}
