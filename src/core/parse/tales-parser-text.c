/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-parser"

#include "config.h"

#include "tales-parser-private.h"

#include <libxml/HTMLparser.h>
#include <string.h>

/* Small transformations of an element's text, as feedparser makes them
 * when the element ends. */

const char *
_tales_map_content_type (const char *type)
{
  g_autofree char *lower = g_ascii_strdown (type ? type : "", -1);

  if (strcmp (lower, "text") == 0 || strcmp (lower, "plain") == 0)
    return "text/plain";
  if (strcmp (lower, "html") == 0)
    return "text/html";
  if (strcmp (lower, "xhtml") == 0)
    return "application/xhtml+xml";
  return g_intern_string (lower);
}

/* The elements feedparser's sanitizer keeps: text with only these tags
 * is taken for HTML. */
static const char * const acceptable_elements[] = {
  "a", "abbr", "acronym", "address", "area", "article", "aside", "audio", "b", "big",
  "blockquote", "br", "button", "canvas", "caption", "center", "cite", "code", "col",
  "colgroup", "command", "datagrid", "datalist", "dd", "del", "details", "dfn", "dialog",
  "dir", "div", "dl", "dt", "em", "event-source", "fieldset", "figcaption", "figure",
  "font", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i", "img",
  "input", "ins", "kbd", "keygen", "label", "legend", "li", "m", "map", "menu", "meter",
  "multicol", "nav", "nextid", "noscript", "ol", "optgroup", "option", "output", "p", "pre",
  "progress", "q", "s", "samp", "section", "select", "small", "sound", "source", "spacer",
  "span", "strike", "strong", "sub", "sup", "table", "tbody", "td", "textarea", "tfoot",
  "th", "thead", "time", "tr", "tt", "u", "ul", "var", "video", NULL,
};

static gboolean
is_word (char c)
{
  return g_ascii_isalnum (c) || c == '_' || (guchar) c >= 0x80;
}

/* Whether text that is nominally plain is really HTML: it has a closing
 * tag or an entity, and every tag and entity is one HTML has. Errs on the
 * side of plain text. */
gboolean
_tales_looks_like_html (const char *s)
{
  gboolean evidence = FALSE;

  for (const char *p = s; *p; p++)
    {
      if (p[0] == '<' && p[1] == '/' && is_word (p[2]))
        {
          const char *q = p + 2;

          while (is_word (*q))
            q++;
          if (*q == '>')
            evidence = TRUE;
        }
      else if (p[0] == '&')
        {
          const char *q = p + 1 + (p[1] == '#');

          if (is_word (*q))
            {
              while (is_word (*q))
                q++;
              if (*q == ';')
                evidence = TRUE;
            }
        }
    }
  if (!evidence)
    return FALSE;

  for (const char *p = s; *p; p++)
    {
      if (p[0] == '<')
        {
          const char *q = p + 1 + (p[1] == '/');
          g_autofree char *tag = NULL;
          const char *start = q;

          if (!is_word (*q))
            continue;
          while (is_word (*q))
            q++;
          tag = g_ascii_strdown (start, q - start);
          if (!g_strv_contains (acceptable_elements, tag))
            return FALSE;
        }
      else if (p[0] == '&' && is_word (p[1]))
        {
          const char *q = p + 1;
          g_autofree char *name = NULL;

          while (is_word (*q))
            q++;
          if (*q != ';')
            continue;
          name = g_strndup (p + 1, q - p - 1);
          if (htmlEntityLookup ((const xmlChar *) name) == NULL)
            return FALSE;
        }
    }
  return TRUE;
}

/* Windows-1252's printable characters where Latin-1 has C1 controls. */
static const gunichar cp1252[32] = {
  0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
  0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d, 0x017d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
  0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d, 0x017e, 0x0178,
};

gunichar tales_cp1252_char (gunichar c);

gunichar
tales_cp1252_char (gunichar c)
{
  return c >= 0x80 && c <= 0x9f ? cp1252[c - 0x80] : c;
}

/* C1 controls are what cp1252 text read as Latin-1 leaves: map them. */
char *
_tales_fix_cp1252 (char *text)
{
  GString *out;

  if (strstr (text, "\xC2") == NULL)
    return text;
  out = g_string_sized_new (strlen (text) + 8);
  for (const char *p = text; *p; p++)
    {
      if ((guchar) p[0] == 0xC2 && (guchar) p[1] >= 0x80 && (guchar) p[1] <= 0x9F)
        {
          g_string_append_unichar (out, cp1252[(guchar) p[1] - 0x80]);
          p++;
        }
      else
        g_string_append_c (out, *p);
    }
  g_free (text);
  return g_string_free (out, FALSE);
}

/* UTF-8 text that was read as Latin-1 and encoded again: undo it when the
 * result is valid UTF-8 (feedparser does the same). */
char *
_tales_fix_double_utf8 (char *text)
{
  gboolean high = FALSE;
  GString *bytes;

  /* A character above U+00FF (lead byte C4 and up) rules it out. */
  for (const guchar *p = (const guchar *) text; *p; p++)
    {
      if (*p >= 0xC4)
        return text;
      if (*p >= 0x80)
        high = TRUE;
    }
  if (!high)
    return text;
  bytes = g_string_new (NULL);
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    g_string_append_c (bytes, (char) g_utf8_get_char (p));
  if (!g_utf8_validate_len (bytes->str, bytes->len, NULL))
    {
      g_string_free (bytes, TRUE);
      return text;
    }
  g_free (text);
  return g_string_free (bytes, FALSE);
}

static gboolean
blank (const char *piece)
{
  for (const char *p = piece; *p; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

/* Atom's xhtml content comes wrapped in one <div>: drop it, but only
 * when everything is inside that one div. */
char *
_tales_unwrap_xhtml_div (GPtrArray *pieces)
{
  guint first = 0, last = pieces->len;
  GString *out = g_string_new (NULL);

  while (last - first > 1 && blank (g_ptr_array_index (pieces, last - 1)))
    last--;
  while (last - first > 1 && blank (g_ptr_array_index (pieces, first)))
    first++;
  if (last > first)
    {
      const char *head = g_ptr_array_index (pieces, first);
      const char *tail = g_ptr_array_index (pieces, last - 1);

      if ((strcmp (head, "<div>") == 0 || g_str_has_prefix (head, "<div ")) &&
          strcmp (tail, "</div>") == 0)
        {
          int depth = 0;
          gboolean whole = TRUE;

          for (guint i = first; i < last - 1; i++)
            {
              const char *piece = g_ptr_array_index (pieces, i);

              if (g_str_has_prefix (piece, "</"))
                {
                  if (--depth == 0)
                    {
                      whole = FALSE;
                      break;
                    }
                }
              else if (piece[0] == '<' && !g_str_has_suffix (piece, "/>"))
                depth++;
            }
          if (whole)
            {
              first++;
              last--;
            }
        }
    }
  for (guint i = first; i < last; i++)
    g_string_append (out, g_ptr_array_index (pieces, i));
  return g_string_free (out, FALSE);
}

char *
_tales_base64_decode_text (const char *text)
{
  gsize len = 0;
  guchar *bytes = g_base64_decode (text, &len);
  char *result;

  if (bytes == NULL || !g_utf8_validate_len ((const char *) bytes, len, NULL))
    {
      g_free (bytes);
      return NULL;
    }
  result = g_strndup ((const char *) bytes, len);
  g_free (bytes);
  return result;
}
