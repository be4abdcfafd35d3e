/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-bench-srcset"

/* Prints how long the sanitizer takes on one <img> whose srcset is a URL
 * followed by N commas ("a.png,,,,...,, 2x"), the shape that once made the
 * trailing-comma trim quadratic. A figure, never a pass/fail:
 *
 *   build/tests/bench-srcset 1000000 4000000
 */

#include "tales-core.h"

#include <stdlib.h>
#include <string.h>

static char *
comma_post (long commas)
{
  GString *html = g_string_sized_new (commas + 64);

  g_string_append (html, "<img src=\"fallback.png\" srcset=\"a.png");
  for (long i = 0; i < commas; i++)
    g_string_append_c (html, ',');
  g_string_append (html, " 2x\">");
  return g_string_free (html, FALSE);
}

int
main (int argc, char *argv[])
{
  tales_core_init ();
  if (argc < 2)
    {
      g_printerr ("usage: %s COMMAS...\n", argv[0]);
      return 2;
    }
  for (int i = 1; i < argc; i++)
    {
      long commas = strtol (argv[i], NULL, 10);
      g_autofree char *html = comma_post (commas);
      gint64 start = g_get_monotonic_time ();
      g_autofree char *clean = tales_html_sanitize (html, "https://example.com/post/");
      double seconds = (g_get_monotonic_time () - start) / 1e6;

      g_print ("srcset with %ld commas: %.3f s (%zu bytes out)\n",
               commas, seconds, strlen (clean));
    }
  return 0;
}
