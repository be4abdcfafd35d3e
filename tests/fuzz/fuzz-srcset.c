/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-fuzz"

/* libFuzzer target: the srcset parser, alone and through the sanitizer's
 * image collector, which must agree on the candidate. build-aux/fuzz runs
 * it with inputs of several megabytes and a time budget per input, since
 * a quadratic path (four million commas once took 85 s) only shows on big
 * inputs. */

#include <stdint.h>
#include <string.h>

#include "tales-core.h"
#include "tales-html-private.h"
#include "fuzz-common.h"

#define BASE "http://example.com/post/"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* @srcset as the value of an <img>'s attribute: the HTML parser gives
 * back exactly @srcset. */
static char *
img_with_srcset (const char *srcset)
{
  GString *html = g_string_sized_new (strlen (srcset) + 32);

  g_string_append (html, "<img srcset=\"");
  for (const char *p = srcset; *p; p++)
    {
      if (*p == '"')
        g_string_append (html, "&quot;");
      else if (*p == '&')
        g_string_append (html, "&amp;");
      else
        g_string_append_c (html, *p);
    }
  g_string_append (html, "\">");
  return g_string_free (html, FALSE);
}

/* Valid UTF-8 without control characters, which the HTML parser passes
 * through unchanged (it rewrites CR and replaces invalid bytes). */
static gboolean
parser_keeps (const char *text)
{
  if (!g_utf8_validate (text, -1, NULL))
    return FALSE;
  for (const char *p = text; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return FALSE;
  return TRUE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static gboolean initialized;
  g_autofree char *srcset = NULL;
  g_autofree char *chosen = NULL;
  g_autofree char *html = NULL;
  g_autoptr(GPtrArray) urls = NULL;

  if (!initialized)
    {
      tales_fuzz_make_warnings_fatal ();
      tales_core_init ();
      initialized = TRUE;
    }

  srcset = g_strndup ((const char *) data, size);
  chosen = _tales_html_choose_srcset (srcset, BASE);
  if (chosen != NULL)
    g_assert (g_str_has_prefix (chosen, "http://") ||
              g_str_has_prefix (chosen, "https://") ||
              g_str_has_prefix (chosen, "resource:"));

  if (!parser_keeps (srcset))
    return 0;
  html = img_with_srcset (srcset);
  urls = tales_html_collect_image_urls (html, BASE);
  if (chosen == NULL)
    g_assert (urls->len == 0);
  else if (urls->len != 1 || strcmp (urls->pdata[0], chosen) != 0)
    g_error ("the sanitizer chose %s, the srcset parser %s",
             urls->len > 0 ? (char *) urls->pdata[0] : "nothing", chosen);
  return 0;
}
