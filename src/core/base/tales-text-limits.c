/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-text-limits"

#include "config.h"

#include "tales-text-limits.h"

#include <string.h>

#define ELLIPSIS "…"

/**
 * tales_text_cut:
 * @text: (nullable): UTF-8 text
 * @max_bytes: the most bytes the result may have, at least 4
 * @ellipsis: whether a cut text ends with "…" (counted in @max_bytes)
 *
 * Returns: (transfer full) (nullable): @text when it fits, else its start
 * up to a character boundary, so the result stays valid UTF-8 when @text
 * is; NULL for NULL.
 */
char *
tales_text_cut (const char *text, gsize max_bytes, gboolean ellipsis)
{
  gsize keep;
  const char *boundary;
  g_autofree char *head = NULL;

  if (text == NULL)
    return NULL;
  /* strnlen, not strlen: a 100 MB text is not read to its end. */
  if (strnlen (text, max_bytes + 1) <= max_bytes)
    return g_strdup (text);
  keep = ellipsis ? max_bytes - strlen (ELLIPSIS) : max_bytes;
  /* Back off to the first byte of a character: continuation bytes are
   * 10xxxxxx, and a character has at most four bytes. */
  boundary = text + keep;
  while (boundary > text && ((guchar) *boundary & 0xC0) == 0x80)
    boundary--;
  head = g_strndup (text, boundary - text);
  return ellipsis ? g_strconcat (head, ELLIPSIS, NULL) : g_steal_pointer (&head);
}

/**
 * tales_text_cut_url:
 * @url: (nullable): a URL
 *
 * Returns: (transfer full) (nullable): @url when it has at most
 * TALES_MAX_URL_BYTES bytes, else NULL: a cut URL would lead elsewhere.
 */
char *
tales_text_cut_url (const char *url)
{
  if (url == NULL || strnlen (url, TALES_MAX_URL_BYTES + 1) > TALES_MAX_URL_BYTES)
    return NULL;
  return g_strdup (url);
}
