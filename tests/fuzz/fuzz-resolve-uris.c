/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-fuzz"

/* libFuzzer target: the parser's relative-URL rewriter,
 * _tales_parser_resolve_relative_uris(), which every HTML field of every feed
 * passes through. The first byte picks the content type (HTML or XHTML)
 * and whether there is a base; the rest is the markup. build-aux/fuzz runs
 * it with inputs of several megabytes and a time budget per input, so that
 * a quadratic path fails as a timeout. */

#include <stdint.h>
#include <string.h>

#include "tales-core.h"
#include "tales-parser-private.h"
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static gboolean initialized;
  static const char * const bases[] = {
    "http://example.com/feed/dir/", "https://example.com", NULL, "not a uri",
  };
  g_autofree char *html = NULL;
  g_autofree char *resolved = NULL;
  const char *type;
  const char *base;

  if (!initialized)
    {
      tales_fuzz_make_warnings_fatal ();
      tales_core_init ();
      initialized = TRUE;
    }
  if (size == 0)
    return 0;

  type = (data[0] & 1) ? "application/xhtml+xml" : "text/html";
  base = bases[(data[0] >> 1) % G_N_ELEMENTS (bases)];
  html = g_strndup ((const char *) data + 1, size - 1);
  resolved = _tales_parser_resolve_relative_uris (html, base, type);
  g_assert (resolved != NULL);
  /* The parser's quick check before rewriting: a feed controls it too. */
  (void) _tales_parser_has_relative_uris (html);
  return 0;
}
