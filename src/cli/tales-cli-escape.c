/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-cli"

#include "config.h"

#include <string.h>

#include "tales-cli-escape.h"

/* Embeddings, overrides and isolates reorder what follows them on the
 * line ("Trojan Source"); LRM/RLM only mark a direction and stay. */
static gboolean
is_bidi_control (gunichar c)
{
  return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

/* What a terminal may act on, or what breaks a line a field must keep. */
static gboolean
is_unsafe (gunichar c)
{
  return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) ||
         is_bidi_control (c) || c == 0x2028 || c == 0x2029;
}

static void
append_escape (GString *out, gunichar c)
{
  if (c < 0x80)
    g_string_append_printf (out, "\\x%02x", c);
  else
    g_string_append_printf (out, "\\u%04x", c);
}

char *
tales_cli_escape (const char          *text,
                  TalesCliEscapeFlags  flags)
{
  gboolean keep_lines = (flags & TALES_CLI_KEEP_LINES) != 0;
  const char *end;
  GString *out;

  if (text == NULL)
    return NULL;
  end = text + strlen (text);
  out = g_string_sized_new (end - text);
  for (const char *p = text; p < end;)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          /* Not UTF-8: show the byte, and go on from the next one. */
          g_string_append_printf (out, "\\x%02x", (guchar) *p);
          p++;
          continue;
        }
      if (is_unsafe (c) && !(keep_lines && (c == '\n' || c == '\t')))
        append_escape (out, c);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      p = g_utf8_next_char (p);
    }
  return g_string_free (out, FALSE);
}

char *
tales_cli_escape_json (const char *json)
{
  const char *end = json + strlen (json);
  GString *out = g_string_sized_new (end - json);

  /* Outside strings, JSON is ASCII without controls: whatever is unsafe
   * sits inside a string, where \uXXXX means the same character. */
  for (const char *p = json; p < end;)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append (out, "\\ufffd");
          p++;
          continue;
        }
      if (is_unsafe (c) && c >= 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      p = g_utf8_next_char (p);
    }
  return g_string_free (out, FALSE);
}

char *
tales_cli_escape_html (const char *html)
{
  const char *end = html + strlen (html);
  GString *out = g_string_sized_new (end - html);

  for (const char *p = html; p < end;)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_unichar (out, 0xFFFD);
          p++;
          continue;
        }
      if (c == '\r')
        g_string_append_c (out, '\n');
      else if (is_unsafe (c) && c != '\n' && c != '\t')
        g_string_append_printf (out, "&#x%x;", c);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      p = g_utf8_next_char (p);
    }
  return g_string_free (out, FALSE);
}
