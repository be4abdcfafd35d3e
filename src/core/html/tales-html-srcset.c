/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-html"

/* The srcset attribute: which candidate a post shows (and Tales caches).
 * Everything here runs when a post is rendered, on the main thread, over
 * an attribute a feed wrote, so every step is one pass over the text. */

#include "tales-html-private.h"

#include <string.h>

/* Limits for the candidate shown (see _tales_html_choose_srcset). */
#define MAX_SRCSET_WIDTH 1600
#define MAX_SRCSET_DENSITY 2.0

typedef struct {
  char *url;          /* absolute */
  double width;       /* "w" descriptor, 0 when none */
  double density;     /* "x" descriptor, 1 when none */
} Candidate;

static gboolean
is_descriptor_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Reads the srcset descriptor list from @p to @end ("640w", "2x") into
 * @candidate; FALSE when it says something we cannot use. The tokens are
 * read in place: a list of a million spaces is not a million strings. */
static gboolean
parse_descriptors (const char *p, const char *end, Candidate *candidate)
{
  candidate->width = 0;
  candidate->density = 1;
  while (p < end)
    {
      const char *token;
      char *number_end = NULL;
      gsize len;
      double value;

      while (p < end && is_descriptor_space (*p))
        p++;
      if (p == end)
        break;
      token = p;
      while (p < end && !is_descriptor_space (*p))
        p++;
      len = p - token;

      /* The number cannot run past the token: it stops at white space,
       * and @end is a comma or the end of the string. */
      value = g_ascii_strtod (token, &number_end);
      if (number_end == token || value <= 0 || number_end != token + len - 1)
        {
          if (g_ascii_tolower (token[len - 1]) == 'h')
            continue;   /* "h" is allowed beside "w" and changes nothing */
          return FALSE;
        }
      switch (g_ascii_tolower (*number_end))
        {
        case 'w': candidate->width = value; break;
        case 'x': candidate->density = value; break;
        case 'h': break;
        default: return FALSE;
        }
    }
  return TRUE;
}

/* Reads the candidate that starts at @p (past any separators) into
 * @candidates if its URL is acceptable, and returns where the next one
 * may start. The URL runs to the next white space; commas at its end
 * close the candidate with no descriptors. They are trimmed by moving the
 * end back once: trimming one comma at a time with strlen() made four
 * million commas take over a minute. */
static const char *
read_candidate (const char *p, const char *base_uri, GArray *candidates)
{
  const char *url_start = p;
  const char *url_end;
  const char *descriptors_start;
  g_autofree char *url = NULL;
  g_autofree char *absolute = NULL;
  Candidate candidate = { 0 };
  gboolean had_comma = FALSE;
  int parens = 0;

  while (*p && !g_ascii_isspace (*p))
    p++;
  url_end = p;
  while (url_end > url_start && url_end[-1] == ',')
    {
      url_end--;
      had_comma = TRUE;
    }

  /* A descriptor list ends at a comma outside parentheses. */
  descriptors_start = p;
  if (!had_comma)
    for (; *p && (*p != ',' || parens > 0); p++)
      {
        if (*p == '(')
          parens++;
        else if (*p == ')' && parens > 0)
          parens--;
      }

  url = g_strndup (url_start, url_end - url_start);
  absolute = _tales_html_resolve_image_url (url, base_uri);
  if (absolute == NULL)
    return p;
  if (parse_descriptors (descriptors_start, p, &candidate))
    {
      candidate.url = g_steal_pointer (&absolute);
      g_array_append_val (candidates, candidate);
    }
  return p;
}

static void
clear_candidate (gpointer data)
{
  g_free (((Candidate *) data)->url);
}

/* Splits a srcset the way the HTML standard does (a URL may hold commas;
 * a descriptor list ends at a comma outside parentheses) and keeps the
 * candidates whose URL is acceptable, from the first
 * TALES_HTML_MAX_SRCSET_CANDIDATES. */
static GArray *
parse_srcset (const char *srcset, const char *base_uri)
{
  GArray *candidates = g_array_new (FALSE, TRUE, sizeof (Candidate));
  const char *p = srcset;

  g_array_set_clear_func (candidates, clear_candidate);
  for (int read = 0; read < TALES_HTML_MAX_SRCSET_CANDIDATES; read++)
    {
      while (*p && (g_ascii_isspace (*p) || *p == ','))
        p++;
      if (*p == '\0')
        break;
      p = read_candidate (p, base_uri, candidates);
    }
  return candidates;
}

/* Is @a a better pick than @b for a value where bigger is sharper but
 * anything above @limit only costs disk? The largest at or under the
 * limit wins; above it, the smallest. */
static gboolean
better (double a, double b, double limit)
{
  if ((a <= limit) != (b <= limit))
    return a <= limit;
  return a <= limit ? a > b : a < b;
}

/* The image a post shows is the one Tales caches, and it is cached to be
 * read later, so the sharpest reasonable candidate is chosen: among the
 * "w" candidates the widest up to 1600w (else the narrowest above it);
 * with no "w" at all, the highest density up to 2x (else the lowest above).
 * The first candidate wins ties. */
char *
_tales_html_choose_srcset (const char *srcset, const char *base_uri)
{
  g_autoptr(GArray) candidates = NULL;
  Candidate *best = NULL;
  gboolean any_width = FALSE;

  g_return_val_if_fail (srcset != NULL, NULL);

  candidates = parse_srcset (srcset, base_uri);
  for (guint i = 0; i < candidates->len; i++)
    any_width |= g_array_index (candidates, Candidate, i).width > 0;

  for (guint i = 0; i < candidates->len; i++)
    {
      Candidate *c = &g_array_index (candidates, Candidate, i);

      if (any_width && c->width <= 0)
        continue;
      if (best == NULL ||
          (any_width ? better (c->width, best->width, MAX_SRCSET_WIDTH)
                     : better (c->density, best->density, MAX_SRCSET_DENSITY)))
        best = c;
    }
  return best != NULL ? g_strdup (best->url) : NULL;
}
