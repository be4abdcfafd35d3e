/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-parser"

#include "config.h"

#include "tales-parser-private.h"
#include "tales-uri.h"

#include <libxml/HTMLparser.h>
#include <string.h>

/* Making the URIs inside HTML content absolute (joined as Python's urljoin
 * does, by tales_uri_join()). The HTML is tokenized leniently (feeds' HTML
 * is often broken), as feedparser's sgmllib-based processor does, and
 * written back in a fixed form: lower-case names, sorted attributes in
 * double quotes, <br />. The same tokenizer runs feedparser's output
 * cleaner (tales-parser-clean-html.c) through a TalesParserHtmlFilter. */

/* --- the HTML processor -------------------------------------------------- */

/* Where a search forward is known to find nothing: from none_from to
 * the end of the text there is no match (NULL: nothing known yet). */
typedef struct {
  const char *none_from;
} Miss;

typedef struct {
  GString *out;
  const char *base;
  gboolean xhtml;
  const TalesParserHtmlFilter *filter;  /* NULL: keep everything */
  const char *end;                /* the text's terminating NUL */
  /* Hostile HTML repeats an opener ("<!--", "<?", "<a \"") with no
   * closer; searching again from each one would rescan the rest of the
   * text every time, quadratic in its length. A search that finds
   * nothing records where it started, and no later search reads past
   * that point again, so the whole rewrite stays linear. */
  Miss miss_comment_end;          /* "-->" */
  Miss miss_gt;                   /* ">" */
  Miss miss_tag_stop;             /* any of < > " ' */
  Miss miss_quote[2];             /* the closing " and ' */
} Processor;

/* strchr (@s, @c), reading no byte again that a failed search read. */
static const char *
find_char (Miss *miss, const char *s, char c)
{
  const char *hit;

  if (miss->none_from != NULL && s >= miss->none_from)
    return NULL;
  hit = miss->none_from != NULL ? memchr (s, c, miss->none_from - s) : strchr (s, c);
  if (hit == NULL)
    miss->none_from = s;
  return hit;
}

/* strpbrk (@s, @accept), likewise. */
static const char *
find_any (Miss *miss, const char *s, const char *accept)
{
  const char *hit = NULL;

  if (miss->none_from != NULL && s >= miss->none_from)
    return NULL;
  if (miss->none_from == NULL)
    hit = strpbrk (s, accept);
  else
    for (const char *q = s; q < miss->none_from && hit == NULL; q++)
      if (strchr (accept, *q) != NULL)
        hit = q;
  if (hit == NULL)
    miss->none_from = s;
  return hit;
}

/* strstr (@s, @needle), likewise: a match may only start before the
 * point known to have none after it. */
static const char *
find_string (Processor *p, Miss *miss, const char *s, const char *needle)
{
  gsize len = strlen (needle);
  const char *hit;

  if (miss->none_from != NULL && s >= miss->none_from)
    return NULL;
  if (miss->none_from == NULL)
    hit = strstr (s, needle);
  else
    hit = g_strstr_len (s, (miss->none_from - s) + MIN (len - 1, (gsize) (p->end - miss->none_from)),
                        needle);
  if (hit == NULL)
    miss->none_from = s;
  return hit;
}

static const char * const void_elements[] = {
  "area", "base", "basefont", "br", "col", "command", "embed", "frame", "hr", "img", "input",
  "isindex", "keygen", "link", "meta", "param", "source", "track", "wbr", NULL,
};

typedef struct {
  const char *tag;
  const char *attr;
} UriAttr;

static const UriAttr uri_attrs[] = {
  { "a", "href" }, { "applet", "codebase" }, { "area", "href" }, { "audio", "src" },
  { "blockquote", "cite" }, { "body", "background" }, { "del", "cite" }, { "form", "action" },
  { "frame", "longdesc" }, { "frame", "src" }, { "iframe", "longdesc" }, { "iframe", "src" },
  { "head", "profile" }, { "img", "longdesc" }, { "img", "src" }, { "img", "usemap" },
  { "input", "src" }, { "input", "usemap" }, { "ins", "cite" }, { "link", "href" },
  { "object", "classid" }, { "object", "codebase" }, { "object", "data" },
  { "object", "usemap" }, { "q", "cite" }, { "script", "src" }, { "source", "src" },
  { "video", "poster" }, { "video", "src" },
};

/* Called for every tag of every post: a hash lookup, not a list walk. */
static gboolean
is_void (const char *tag)
{
  static GHashTable *set;

  if (g_once_init_enter (&set))
    {
      GHashTable *t = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint i = 0; void_elements[i]; i++)
        g_hash_table_add (t, (gpointer) void_elements[i]);
      g_once_init_leave (&set, t);
    }
  return g_hash_table_contains (set, tag);
}

static gboolean
is_uri_attr (const char *tag, const char *attr)
{
  /* every such attribute name has one of these first letters */
  if (strchr ("abcdhlpsu", attr[0]) == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (uri_attrs); i++)
    if (strcmp (uri_attrs[i].tag, tag) == 0 && strcmp (uri_attrs[i].attr, attr) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
is_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_' || c == '.' || c == ':';
}

/* "&" that starts no reference becomes "&amp;". */
static void
append_attr_value (GString *out, const char *value)
{
  for (const char *p = value; *p; p++)
    {
      if (*p == '>')
        g_string_append (out, "&gt;");
      else if (*p == '<')
        g_string_append (out, "&lt;");
      else if (*p == '"')
        g_string_append (out, "&quot;");
      else if (*p == '&')
        {
          const char *q = p + 1;
          gboolean reference = FALSE;

          if (*q == '#' && (q[1] == 'x' || q[1] == 'X') && g_ascii_isxdigit (q[2]))
            {
              q += 2;
              while (g_ascii_isxdigit (*q))
                q++;
              reference = *q == ';';
            }
          else if (*q == '#' && g_ascii_isdigit (q[1]))
            {
              q++;
              while (g_ascii_isdigit (*q))
                q++;
              reference = *q == ';';
            }
          else if (g_ascii_isalnum (*q) || *q == '_')
            {
              while (g_ascii_isalnum (*q) || *q == '_')
                q++;
              reference = *q == ';';
            }
          g_string_append (out, reference ? "&" : "&amp;");
        }
      else
        g_string_append_c (out, *p);
    }
}

static int
compare_pairs (gconstpointer a, gconstpointer b)
{
  char * const *pa = a;
  char * const *pb = b;

  return strcmp (pa[0], pb[0]);
}

/* feedparser's normalize_attrs: one value per name (the last one), sorted
 * by name, rel and type in lower case; and URIs made absolute against the
 * base. Takes the values out of @attrs. */
static GPtrArray *
normalize_attrs (Processor *p, const char *tag, GPtrArray *attrs)
{
  guint n = attrs->len / 2;
  char **pairs = (char **) attrs->pdata;
  GArray *sorted = g_array_new (FALSE, FALSE, sizeof (char *) * 2);
  GPtrArray *normal = g_ptr_array_new_full (attrs->len, g_free);

  for (guint i = 0; i < n; i++)
    {
      gboolean repeated = FALSE;

      for (guint j = i + 1; j < n && !repeated; j++)
        repeated = strcmp (pairs[2 * i], pairs[2 * j]) == 0;
      if (!repeated)
        g_array_append_vals (sorted, &pairs[2 * i], 1);
    }
  g_array_sort (sorted, compare_pairs);
  for (guint i = 0; i < sorted->len; i++)
    {
      char **pair = &g_array_index (sorted, char *, 2 * i);
      char *value;

      if (strcmp (pair[0], "rel") == 0 || strcmp (pair[0], "type") == 0)
        value = g_utf8_strdown (pair[1], -1);
      else if (p->base != NULL && is_uri_attr (tag, pair[0]))
        {
          g_autofree char *stripped = g_strstrip (g_strdup (pair[1]));

          value = tales_uri_make_safe_absolute (p->base, stripped);
        }
      else
        value = g_strdup (pair[1]);
      g_ptr_array_add (normal, g_strdup (pair[0]));
      g_ptr_array_add (normal, value);
    }
  g_array_free (sorted, TRUE);
  return normal;
}

static void
emit_start (Processor *p, const char *tag, GPtrArray *attrs)
{
  g_autoptr(GPtrArray) pairs = normalize_attrs (p, tag, attrs);

  if (p->filter != NULL && !p->filter->start (p->filter->data, &tag, pairs))
    return;
  g_string_append_c (p->out, '<');
  g_string_append (p->out, tag);
  for (guint i = 0; i + 1 < pairs->len; i += 2)
    {
      g_string_append_c (p->out, ' ');
      g_string_append (p->out, g_ptr_array_index (pairs, i));
      g_string_append (p->out, "=\"");
      append_attr_value (p->out, g_ptr_array_index (pairs, i + 1));
      g_string_append_c (p->out, '"');
    }
  g_string_append (p->out, is_void (tag) ? " />" : ">");
}

/* sgmllib keeps no stack for the tags feedparser's processors see: every
 * end tag is written as it comes, unbalanced or not. */
static void
emit_end (Processor *p, const char *tag)
{
  if (p->filter != NULL && !p->filter->end (p->filter->data, &tag))
    return;
  if (!is_void (tag))
    {
      g_string_append (p->out, "</");
      g_string_append (p->out, tag);
      g_string_append_c (p->out, '>');
    }
}

/* What the filter says about text here; without one all text is kept. */
static gboolean
keeps_text (Processor *p)
{
  return p->filter == NULL || p->filter->text (p->filter->data);
}

/* "<!DOCTYPE" cut off at the very end: sgmllib waits for more and then
 * writes it as it is. A browser reads no element from it either. */
static gboolean
is_unfinished_name (const char *s)
{
  const char *p = s + 2;

  if (s[1] != '!' || !g_ascii_isalpha (*p))
    return FALSE;
  while (g_ascii_isalpha (*p))
    p++;
  while (g_ascii_isspace (*p))
    p++;
  return *p == '\0';
}

/* Text the tokenizer read as no markup. When sanitizing, a "<" in it is
 * escaped: a browser might still read markup there (an unterminated tag
 * at the end), or at once with the text after a tag the filter dropped
 * ("<<x>script>"), and only tags the filter has seen may reach the
 * output. */
static void
emit_text (Processor *p, const char *s, gsize len)
{
  if (!keeps_text (p))
    return;
  if (p->filter != NULL && *s == '<' && !is_unfinished_name (s))
    {
      g_string_append (p->out, "&lt;");
      s++;
      len--;
    }
  g_string_append_len (p->out, s, len);
}

/* Where the tag that starts at @s ends: the first < or > outside quotes. */
static const char *
tag_end (Processor *p, const char *s)
{
  for (const char *q = s; (q = find_any (&p->miss_tag_stop, q, "<>\"'")) != NULL; q++)
    {
      if (*q == '"' || *q == '\'')
        {
          const char *close = find_char (&p->miss_quote[*q == '\''], q + 1, *q);

          if (close == NULL)
            return NULL;
          q = close;
        }
      else
        return q;
    }
  return NULL;
}

static void
parse_attrs (const char *q, const char *end, GPtrArray *attrs)
{
  while (q < end)
    {
      const char *name;
      g_autofree char *value = NULL;

      while (q < end && g_ascii_isspace (*q))
        q++;
      if (q >= end || !(g_ascii_isalpha (*q) || *q == '_'))
        break;
      name = q;
      while (q < end && is_name_char (*q))
        q++;
      g_ptr_array_add (attrs, g_ascii_strdown (name, q - name));
      /* feedparser skips Blogger's stray "$" after a name: <img i$="true"> */
      if (q < end && *q == '$')
        q++;
      {
        const char *r = q;

        while (r < end && g_ascii_isspace (*r))
          r++;
        if (r < end && *r == '=')
          {
            r++;
            while (r < end && g_ascii_isspace (*r))
              r++;
            if (r < end && (*r == '"' || *r == '\''))
              {
                const char *close = memchr (r + 1, *r, end - r - 1);

                if (close == NULL)
                  close = end;
                value = g_strndup (r + 1, close - r - 1);
                q = close < end ? close + 1 : end;
              }
            else
              {
                const char *v = r;

                while (r < end && !g_ascii_isspace (*r) && *r != '>' && *r != '/')
                  r++;
                value = g_strndup (v, r - v);
                q = r;
              }
          }
        else
          value = g_ptr_array_index (attrs, attrs->len - 1)
                  ? g_strdup (g_ptr_array_index (attrs, attrs->len - 1)) : NULL;
      }
      g_ptr_array_add (attrs, g_steal_pointer (&value));
    }
}

/* Returns where parsing goes on, or NULL when @s starts no tag. */
static const char *
parse_start_tag (Processor *p, const char *s)
{
  const char *q = s + 1;
  const char *end;
  g_autofree char *tag = NULL;
  g_autoptr(GPtrArray) attrs = NULL;
  gboolean self_closing;

  while (is_name_char (*q))
    q++;
  tag = g_ascii_strdown (s + 1, q - s - 1);
  end = tag_end (p, q);
  if (end == NULL)
    return NULL;
  attrs = g_ptr_array_new_with_free_func (g_free);
  parse_attrs (q, end, attrs);
  self_closing = *end == '>' && end > s + 1 && end[-1] == '/';
  emit_start (p, tag, attrs);
  if (p->xhtml && self_closing)
    emit_end (p, tag);
  return *end == '>' ? end + 1 : end;
}

static const char *
parse_end_tag (Processor *p, const char *s)
{
  const char *end = tag_end (p, s + 2);
  g_autofree char *tag = NULL;

  if (end == NULL)
    return NULL;
  tag = g_ascii_strdown (s + 2, end - s - 2);
  g_strstrip (tag);
  emit_end (p, tag);
  return *end == '>' ? end + 1 : end;
}

static const char *
read_reference (Processor *p, const char *s)
{
  const char *q = s + 1;

  if (*q == '#')
    {
      gboolean hex = q[1] == 'x' || q[1] == 'X';
      const char *digits = q + 1 + hex;
      const char *r = digits;
      g_autofree char *ref = NULL;
      gint64 value;

      while (hex ? g_ascii_isxdigit (*r) : g_ascii_isdigit (*r))
        r++;
      if (r == digits || *r != ';')
        return NULL;
      ref = g_ascii_strdown (q + 1, r - q - 1);
      value = g_ascii_strtoll (digits, NULL, hex ? 16 : 10);
      if (value >= 128 && value <= 159)
        {
          extern gunichar tales_cp1252_char (gunichar c);

          g_string_append_printf (p->out, "&#x%x;", tales_cp1252_char ((gunichar) value));
        }
      else
        g_string_append_printf (p->out, "&#%s;", ref);
      return r + 1;
    }
  if (g_ascii_isalpha (*q))
    {
      const char *r = q;
      g_autofree char *name = NULL;

      while (g_ascii_isalnum (*r) || *r == '-' || *r == '.')
        r++;
      if (*r == '\0')
        return NULL;
      name = g_strndup (q, r - q);
      if (htmlEntityLookup ((const xmlChar *) name) != NULL || strcmp (name, "apos") == 0)
        {
          g_string_append_c (p->out, '&');
          g_string_append (p->out, name);
          g_string_append_c (p->out, ';');
        }
      else
        {
          g_string_append (p->out, "&amp;");
          g_string_append (p->out, name);
        }
      return *r == ';' ? r + 1 : r;
    }
  return NULL;
}

/* A reference is text: the filter may drop it (inside a <script>). */
static const char *
parse_reference (Processor *p, const char *s)
{
  gsize mark = p->out->len;
  const char *next = read_reference (p, s);

  if (next != NULL && !keeps_text (p))
    g_string_truncate (p->out, mark);
  return next;
}

/* feedparser's sanitizer on "<!--" with no "-->": up to a "--...>" if
 * there is one (a comment closed the wrong way, or meant to hide markup
 * from a regular expression), else the rest is dropped. */
static const char *
skip_unclosed_comment (const char *s)
{
  const char *dashes = strstr (s + 4, "--");
  const char *close = dashes ? strchr (dashes + 2, '>') : NULL;

  return close ? close + 1 : s + strlen (s);
}

/* Comments, declarations and processing instructions are kept as they
 * are, or all dropped when sanitizing: feedparser keeps comments, but a
 * comment's end is read differently by browsers ("--!>"), and nothing is
 * lost by dropping them. */
static const char *
parse_markup (Processor *p, const char *s)
{
  if (strncmp (s, "<!--", 4) == 0)
    {
      const char *end = find_string (p, &p->miss_comment_end, s + 4, "-->");

      if (end == NULL)
        return p->filter != NULL ? skip_unclosed_comment (s) : NULL;
      if (p->filter == NULL)
        g_string_append_len (p->out, s, end + 3 - s);
      return end + 3;
    }
  if (s[1] == '?' || s[1] == '!')
    {
      const char *end = find_char (&p->miss_gt, s, '>');

      if (end == NULL)
        return NULL;
      if (p->filter == NULL)
        g_string_append_len (p->out, s, end + 1 - s);
      return end + 1;
    }
  if (s[1] == '/' && g_ascii_isalpha (s[2]))
    return parse_end_tag (p, s);
  if (g_ascii_isalpha (s[1]))
    return parse_start_tag (p, s);
  return NULL;
}

/* feedparser's first pass: "<!x" that is no declaration is text, and
 * "<tag/>" is "<tag></tag>" (or "<br />"). */
static char *
prepare (const char *html)
{
  GString *out = g_string_sized_new (strlen (html) + 16);
  const char *p = html;

  while (*p)
    {
      const char *special = strpbrk (p, "<&");

      if (special == NULL)
        {
          g_string_append (out, p);
          break;
        }
      g_string_append_len (out, p, special - p);
      p = special;
      if (p[0] == '&')
        {
          if (strncmp (p, "&#39;", 5) == 0 || strncmp (p, "&#34;", 5) == 0)
            {
              g_string_append_c (out, p[3] == '9' ? '\'' : '"');
              p += 5;
            }
          else
            g_string_append_c (out, *p++);
          continue;
        }
      if (p[1] == '!' && strncmp (p + 2, "--", 2) != 0 && p[2] != '[' &&
          g_ascii_strncasecmp (p + 2, "DOCTYPE", 7) != 0)
        {
          g_string_append (out, "&lt;");
          p++;
          continue;
        }
      if (p[1] != '\0' && p[1] != '<' && p[1] != '>' && !g_ascii_isspace (p[1]))
        {
          const char *q = p + 1;
          const char *r;

          while (*q && *q != '<' && *q != '>' && !g_ascii_isspace (*q) && !(q[0] == '/' && q[1] == '>'))
            q++;
          r = q;
          while (g_ascii_isspace (*r))
            r++;
          if (r[0] == '/' && r[1] == '>' && q > p + 1)
            {
              g_autofree char *tag = g_strndup (p + 1, q - p - 1);

              if (is_void (tag))
                g_string_append_printf (out, "<%s />", tag);
              else
                g_string_append_printf (out, "<%s></%s>", tag, tag);
              p = r + 2;
              continue;
            }
        }
      g_string_append_c (out, *p++);
    }
  return g_string_free (out, FALSE);
}

char *
_tales_parser_html_rewrite (const char *html, const char *base, const char *type,
                            const TalesParserHtmlFilter *filter)
{
  g_autofree char *source = NULL;
  Processor p = { 0 };
  const char *s;

  if (strchr (html, '<') == NULL && strchr (html, '&') == NULL)
    return g_strdup (html);
  source = prepare (html);
  p.out = g_string_sized_new (strlen (source) + 16);
  p.base = base;
  p.xhtml = g_strcmp0 (type, "application/xhtml+xml") == 0;
  p.filter = filter;
  p.end = source + strlen (source);
  s = source;
  while (*s)
    {
      const char *next = NULL;

      if (*s == '<')
        next = parse_markup (&p, s);
      else if (*s == '&')
        next = parse_reference (&p, s);
      if (next == NULL)
        {
          const char *stop = s + 1 + strcspn (s + 1, "<&");

          emit_text (&p, s, stop - s);
          next = stop;
        }
      s = next;
    }
  return g_string_free (p.out, FALSE);
}

char *
_tales_parser_resolve_relative_uris (const char *html, const char *base, const char *type)
{
  return _tales_parser_html_rewrite (html, base, type, NULL);
}

static gboolean
is_uri_attr_name (const char *name, gsize len)
{
  static const char * const names[] = {
    "href", "src", "cite", "codebase", "background", "action", "longdesc", "profile",
    "usemap", "classid", "data", "poster",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (strlen (names[i]) == len && g_ascii_strncasecmp (names[i], name, len) == 0)
      return TRUE;
  return FALSE;
}

/* Whether a URI attribute in @html has a relative value: one pass, so
 * that HTML with absolute links only need not be rewritten. */
gboolean
_tales_parser_has_relative_uris (const char *html)
{
  for (const char *eq = strchr (html, '='); eq != NULL; eq = strchr (eq + 1, '='))
    {
      const char *end = eq;
      const char *start;
      const char *value = eq + 1;

      while (end > html && g_ascii_isspace (end[-1]))
        end--;
      start = end;
      while (start > html && g_ascii_isalpha (start[-1]))
        start--;
      if (start == end || !is_uri_attr_name (start, end - start))
        continue;
      while (g_ascii_isspace (*value))
        value++;
      if (*value == '"' || *value == '\'')
        value++;
      if (g_ascii_isalpha (*value))
        {
          const char *p = value;

          while (g_ascii_isalnum (*p) || *p == '+' || *p == '-' || *p == '.')
            p++;
          if (*p == ':')
            continue;
        }
      return TRUE;
    }
  return FALSE;
}
