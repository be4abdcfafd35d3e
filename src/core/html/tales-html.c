/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-html"

#include "tales-html.h"
#include "tales-html-private.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <string.h>

/* The sanitizer never hands libxml2's tree to anybody: it walks the tree
 * the HTML parser built and writes a new document from an allow-list, with
 * its own serializer. Only element and attribute names from the tables
 * below ever reach the output, every text and attribute value is escaped,
 * and no raw-text element (script, style, textarea, title, xmp...) is ever
 * written, so the browser cannot parse the result into something the walk
 * did not see. Sanitizing and collecting image URLs share one walk, so the
 * cache always holds exactly the images the page asks for. */

/* Deeper than this, elements are dropped with their content. Real posts
 * never come close; it keeps the recursive walk's stack bounded. */
#define MAX_DEPTH 256

typedef enum {
  ELEMENT_UNKNOWN,     /* the tag goes, its children stay */
  ELEMENT_ALLOWED,
  ELEMENT_VOID,        /* allowed, and written with no end tag */
  ELEMENT_DROPPED,     /* goes with everything inside it */
  ELEMENT_DROPPED_VOID,/* goes, but is void: its "children" follow it */
} ElementKind;

typedef enum {
  ATTR_TEXT,
  ATTR_NUMBER,         /* digits, for width/height a trailing % too */
  ATTR_DIR,
  ATTR_BOOLEAN,
  ATTR_CLASS,          /* names, prefixed but for code highlighting's */
  ATTR_IDS,            /* an id, or ids (headers), all prefixed */
} AttrKind;

typedef struct {
  const char *element;   /* NULL: on every allowed element */
  const char *name;
  AttrKind kind;
} AttrRule;

static const char * const allowed_elements[] = {
  "a", "abbr", "address", "article", "aside", "b", "bdi", "bdo",
  "blockquote", "caption", "cite", "code", "colgroup", "data", "dd", "del",
  "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure",
  "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "i", "ins", "kbd",
  "li", "main", "mark", "nav", "ol", "p", "pre", "q", "rp", "rt", "ruby",
  "s", "samp", "section", "small", "span", "strike", "strong", "sub",
  "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time",
  "tr", "u", "ul", "var",
};

static const char * const void_elements[] = {
  "br", "col", "hr", "img", "wbr",
};

/* Scripts, styles, anything that embeds or loads another document or
 * resource, forms, and foreign content (svg/math have their own parsing
 * rules and their own ways to load things). */
static const char * const dropped_elements[] = {
  "applet", "area", "audio", "base", "basefont", "bgsound", "button",
  "canvas", "datalist", "dialog", "embed", "fieldset", "form", "frame",
  "frameset", "iframe", "input", "isindex", "link", "math",
  "meta", "noembed", "noframes", "noscript", "object", "optgroup", "option",
  "output", "param", "portal", "script", "select", "slot", "style", "svg",
  "template", "textarea", "title", "video",
};

/* Void in HTML5 but unknown to libxml2 2.9's HTML parser, which makes
 * whatever comes after them their children ("<picture><source><img>"). */
static const char * const dropped_void_elements[] = {
  "keygen", "source", "track",
};

/* href, src and srcset are handled on their own: they are URLs. */
static const AttrRule attr_rules[] = {
  { NULL, "class", ATTR_CLASS },
  { NULL, "id", ATTR_IDS },
  { NULL, "lang", ATTR_TEXT },
  { NULL, "dir", ATTR_DIR },
  { NULL, "title", ATTR_TEXT },
  { "img", "width", ATTR_NUMBER },
  { "img", "height", ATTR_NUMBER },
  { "td", "colspan", ATTR_NUMBER },
  { "td", "rowspan", ATTR_NUMBER },
  { "td", "headers", ATTR_IDS },
  { "th", "colspan", ATTR_NUMBER },
  { "th", "rowspan", ATTR_NUMBER },
  { "th", "headers", ATTR_IDS },
  { "th", "scope", ATTR_TEXT },
  { "th", "abbr", ATTR_TEXT },
  { "col", "span", ATTR_NUMBER },
  { "colgroup", "span", ATTR_NUMBER },
  { "ol", "start", ATTR_NUMBER },
  { "ol", "reversed", ATTR_BOOLEAN },
  { "ol", "type", ATTR_TEXT },
  { "li", "value", ATTR_NUMBER },
  { "time", "datetime", ATTR_TEXT },
  { "del", "datetime", ATTR_TEXT },
  { "ins", "datetime", ATTR_TEXT },
  { "data", "value", ATTR_TEXT },
  { "details", "open", ATTR_BOOLEAN },
};

/* Elements after which to_text() leaves a space, so that
 * "<p>a</p><p>b</p>" reads "a b". */
static const char * const block_elements[] = {
  "address", "article", "aside", "blockquote", "br", "caption", "dd",
  "details", "div", "dl", "dt", "figcaption", "figure", "footer", "h1",
  "h2", "h3", "h4", "h5", "h6", "header", "hr", "img", "li", "main", "nav",
  "ol", "p", "pre", "section", "summary", "table", "td", "th", "tr", "ul",
};

typedef struct {
  GString *out;          /* nullable: only collecting */
  GPtrArray *images;     /* nullable: not collecting */
  GHashTable *seen;      /* the strings in images */
  const char *base_uri;
  xmlNode *wrapper;      /* the <div> sanitize_parse put around the input */
  gboolean text_only;    /* to_text(): write text, no markup */
} Walk;

static void walk_children (Walk *walk, xmlNode *parent, guint depth);

static gboolean
in_list (const char * const *list, gsize n, const char *name)
{
  for (gsize i = 0; i < n; i++)
    if (g_ascii_strcasecmp (list[i], name) == 0)
      return TRUE;
  return FALSE;
}

#define IN_LIST(list, name) in_list (list, G_N_ELEMENTS (list), name)

/* What the walk knows of an element name: the lists above, in one table,
 * since the walk asks for every element of every post. */
typedef struct {
  ElementKind kind;
  const char *canonical;  /* the allow-list's spelling; NULL if not allowed */
  gboolean block;
} ElementInfo;

static void
add_elements (GHashTable *table, const char * const *names, gsize n, ElementKind kind)
{
  for (gsize i = 0; i < n; i++)
    {
      ElementInfo *info = g_new0 (ElementInfo, 1);

      info->kind = kind;
      if (kind == ELEMENT_ALLOWED || kind == ELEMENT_VOID)
        info->canonical = names[i];
      info->block = IN_LIST (block_elements, names[i]);
      g_hash_table_insert (table, (gpointer) names[i], info);
    }
}

#define ADD_ELEMENTS(table, list, kind) add_elements (table, list, G_N_ELEMENTS (list), kind)

/* Built once and never freed: only read afterwards, by any thread. A name
 * in two lists takes the kind that was asked for first before the table
 * existed (dropped, then dropped-void, void, allowed): the last insert
 * wins, so they go in the reverse order. */
static GHashTable *
element_table (void)
{
  static gsize table = 0;

  if (g_once_init_enter (&table))
    {
      GHashTable *built = g_hash_table_new (g_str_hash, g_str_equal);

      ADD_ELEMENTS (built, allowed_elements, ELEMENT_ALLOWED);
      ADD_ELEMENTS (built, void_elements, ELEMENT_VOID);
      ADD_ELEMENTS (built, dropped_void_elements, ELEMENT_DROPPED_VOID);
      ADD_ELEMENTS (built, dropped_elements, ELEMENT_DROPPED);
      g_once_init_leave (&table, (gsize) built);
    }
  return (GHashTable *) table;
}

/* libxml2's HTML parser gives names in lower case; anything else is
 * lowered first. Returns NULL for an unknown element. */
static const ElementInfo *
element_info (const char *name)
{
  GHashTable *table = element_table ();
  const ElementInfo *info = g_hash_table_lookup (table, name);
  g_autofree char *lower = NULL;

  if (info != NULL)
    return info;
  for (const char *p = name; *p; p++)
    if (g_ascii_isupper (*p))
      {
        lower = g_ascii_strdown (name, -1);
        return g_hash_table_lookup (table, lower);
      }
  return NULL;
}

static ElementKind
element_kind (const char *name)
{
  const ElementInfo *info = element_info (name);

  return info != NULL ? info->kind : ELEMENT_UNKNOWN;
}

static const AttrRule *
find_attr_rule (const char *element, const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (attr_rules); i++)
    {
      const AttrRule *rule = &attr_rules[i];

      if ((rule->element == NULL || strcmp (rule->element, element) == 0) &&
          g_ascii_strcasecmp (rule->name, name) == 0)
        return rule;
    }
  return NULL;
}

static gboolean
attr_value_ok (const AttrRule *rule, const char *value)
{
  gsize len = strlen (value);

  switch (rule->kind)
    {
    case ATTR_NUMBER:
      if (len > 0 && value[len - 1] == '%' && g_str_equal (rule->element, "img"))
        len--;
      if (len == 0 || len > 6)
        return FALSE;
      for (gsize i = 0; i < len; i++)
        if (!g_ascii_isdigit (value[i]))
          return FALSE;
      return TRUE;
    case ATTR_DIR:
      return g_ascii_strcasecmp (value, "ltr") == 0 ||
             g_ascii_strcasecmp (value, "rtl") == 0 ||
             g_ascii_strcasecmp (value, "auto") == 0;
    case ATTR_TEXT:
    case ATTR_BOOLEAN:
    case ATTR_CLASS:
    case ATTR_IDS:
    default:
      return TRUE;
    }
}

static void
append_escaped (GString *out, const char *text, gboolean attribute)
{
  for (const char *p = text; *p; p++)
    {
      switch (*p)
        {
        case '&': g_string_append (out, "&amp;"); break;
        case '<': g_string_append (out, "&lt;"); break;
        case '>': g_string_append (out, "&gt;"); break;
        case '"':
          g_string_append (out, attribute ? "&quot;" : "\"");
          break;
        case '\'':
          g_string_append (out, attribute ? "&#39;" : "'");
          break;
        default:
          g_string_append_c (out, *p);
        }
    }
}

static void
append_attr (GString *out, const char *name, const char *value)
{
  g_string_append_printf (out, " %s=\"", name);
  append_escaped (out, value, TRUE);
  g_string_append_c (out, '"');
}

/* Returns (transfer full): the value of @name on @node, or NULL. */
static char *
get_attr (xmlNode *node, const char *name)
{
  for (xmlAttr *attr = node->properties; attr; attr = attr->next)
    {
      if (attr->name && g_ascii_strcasecmp ((const char *) attr->name, name) == 0)
        {
          xmlChar *value = xmlNodeGetContent ((xmlNode *) attr);
          char *copy = g_strdup (value ? (const char *) value : "");

          xmlFree (value);
          return copy;
        }
    }
  return NULL;
}

/* Returns (transfer full) (nullable): the absolute URL <img> @node shows:
 * the chosen srcset candidate, else src. */
static char *
image_url (xmlNode *node, const char *base_uri)
{
  g_autofree char *srcset = get_attr (node, "srcset");
  g_autofree char *src = NULL;
  char *url = NULL;

  if (srcset != NULL)
    url = _tales_html_choose_srcset (srcset, base_uri);
  if (url == NULL)
    {
      src = get_attr (node, "src");
      url = _tales_html_resolve_image_url (src, base_uri);
    }
  return url;
}

/* Class names that stay as the post wrote them: highlight.js's, which
 * article.css colours, and the language of a code block, which
 * highlighters read. The view names none of its own this way. */
static gboolean
is_code_class (const char *name)
{
  return g_str_equal (name, "hljs") || g_str_has_prefix (name, "hljs-") ||
         g_str_has_prefix (name, "language-") || g_str_has_prefix (name, "lang-");
}

/* A post's class names and ids live in the same document as the view's
 * own (the byline, the title, the body's <div>), so a post could style
 * itself as the byline or be found as it. Every name gets a prefix the
 * view never uses instead, which keeps a post's own names distinct. */
char *
_tales_html_post_names (const char *value, gboolean keep_code_classes)
{
  static const char spaces[] = " \t\n\r\f";
  GString *out = g_string_new (NULL);
  const char *p = value;

  /* In place: a value of a million spaces is not a million strings. */
  while (*(p += strspn (p, spaces)) != '\0')
    {
      gsize len = strcspn (p, spaces);
      g_autofree char *name = g_strndup (p, len);

      if (out->len > 0)
        g_string_append_c (out, ' ');
      if (!keep_code_classes || !is_code_class (name))
        g_string_append (out, TALES_HTML_POST_NAME_PREFIX);
      g_string_append_len (out, p, len);
      p += len;
    }
  if (out->len == 0)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

static void
write_attrs (Walk *walk, xmlNode *node, const char *name)
{
  for (xmlAttr *attr = node->properties; attr; attr = attr->next)
    {
      const AttrRule *rule;
      xmlChar *value;

      if (attr->name == NULL)
        continue;
      rule = find_attr_rule (name, (const char *) attr->name);
      if (rule == NULL)
        continue;
      if (rule->kind == ATTR_BOOLEAN)
        {
          append_attr (walk->out, rule->name, "");
          continue;
        }
      value = xmlNodeGetContent ((xmlNode *) attr);
      if (value == NULL)
        continue;
      if (rule->kind == ATTR_CLASS || rule->kind == ATTR_IDS)
        {
          g_autofree char *names = _tales_html_post_names ((const char *) value,
                                                           rule->kind == ATTR_CLASS);

          if (names != NULL)
            append_attr (walk->out, rule->name, names);
        }
      else if (attr_value_ok (rule, (const char *) value))
        append_attr (walk->out, rule->name, (const char *) value);
      xmlFree (value);
    }
}

static void
collect_image (Walk *walk, const char *url)
{
  if (walk->images == NULL || g_hash_table_contains (walk->seen, url))
    return;
  g_ptr_array_add (walk->images, g_strdup (url));
  g_hash_table_add (walk->seen, g_ptr_array_index (walk->images, walk->images->len - 1));
}

/* An <img> with no acceptable source is dropped; otherwise it points at
 * the image cache and always has an alt. */
static void
write_image (Walk *walk, xmlNode *node)
{
  g_autofree char *url = image_url (node, walk->base_uri);
  g_autofree char *alt = NULL;
  g_autofree char *uri = NULL;

  if (url == NULL)
    return;
  collect_image (walk, url);
  if (walk->out == NULL || walk->text_only)
    return;

  uri = tales_html_image_uri (url);
  alt = get_attr (node, "alt");
  g_string_append (walk->out, "<img");
  append_attr (walk->out, "src", uri);
  append_attr (walk->out, "alt", alt ? alt : "");
  write_attrs (walk, node, "img");
  g_string_append_c (walk->out, '>');
}

static void
write_link_start (Walk *walk, xmlNode *node)
{
  g_autofree char *href = get_attr (node, "href");
  g_autofree char *url = _tales_html_resolve_link_url (href, walk->base_uri);

  g_string_append (walk->out, "<a");
  if (url != NULL)
    append_attr (walk->out, "href", url);
  write_attrs (walk, node, "a");
  g_string_append_c (walk->out, '>');
}

/* Returns the allow-list's spelling of @name (never the input's). */
static const char *
canonical_name (const char *name)
{
  const ElementInfo *info = element_info (name);

  g_return_val_if_fail (info != NULL && info->canonical != NULL, "span");
  return info->canonical;
}

static void
walk_element (Walk *walk, xmlNode *node, guint depth)
{
  const char *raw_name = (const char *) node->name;
  ElementKind kind;
  const char *name;

  if (raw_name == NULL || depth > MAX_DEPTH)
    return;
  kind = element_kind (raw_name);
  if (kind == ELEMENT_DROPPED)
    return;
  if (kind == ELEMENT_UNKNOWN || kind == ELEMENT_DROPPED_VOID || node == walk->wrapper)
    {
      walk_children (walk, node, depth + 1);
      return;
    }

  name = canonical_name (raw_name);
  if (g_str_equal (name, "img"))
    write_image (walk, node);
  else if (walk->out != NULL && !walk->text_only)
    {
      if (g_str_equal (name, "a"))
        write_link_start (walk, node);
      else
        {
          g_string_append_printf (walk->out, "<%s", name);
          write_attrs (walk, node, name);
          g_string_append_c (walk->out, '>');
        }
    }

  walk_children (walk, node, depth + 1);

  if (walk->out == NULL)
    return;
  if (walk->text_only)
    {
      if (element_info (name)->block)
        g_string_append_c (walk->out, ' ');
    }
  else if (kind == ELEMENT_ALLOWED)
    g_string_append_printf (walk->out, "</%s>", name);
}

static void
walk_children (Walk *walk, xmlNode *parent, guint depth)
{
  for (xmlNode *child = parent->children; child; child = child->next)
    {
      switch (child->type)
        {
        case XML_ELEMENT_NODE:
          walk_element (walk, child, depth);
          break;
        case XML_TEXT_NODE:
        case XML_CDATA_SECTION_NODE:
          if (walk->out != NULL && child->content != NULL)
            {
              if (walk->text_only)
                g_string_append (walk->out, (const char *) child->content);
              else
                append_escaped (walk->out, (const char *) child->content, FALSE);
            }
          break;
        default:
          /* Comments, processing instructions, DTDs: nothing to show. */
          break;
        }
    }
}

static xmlNode *
find_element (xmlNode *first, const char *name)
{
  for (xmlNode *node = first; node; node = node->next)
    if (node->type == XML_ELEMENT_NODE && node->name &&
        g_ascii_strcasecmp ((const char *) node->name, name) == 0)
      return node;
  return NULL;
}

/* Parses @html inside a <div> of our own, so that leading text does not
 * get an implied <p> and the fragment has one known parent. Input that
 * closes that div early only puts its rest beside it, where the walk
 * still finds it. Invalid UTF-8 becomes U+FFFD before libxml2 sees it. */
static htmlDocPtr
parse_fragment (const char *html, xmlNode **wrapper)
{
  static gsize initialized = 0;
  g_autofree char *valid = NULL;
  g_autofree char *wrapped = NULL;
  htmlParserCtxtPtr ctxt;
  htmlDocPtr doc;
  xmlNode *html_node;
  xmlNode *body;
  gsize len;

  if (g_once_init_enter (&initialized))
    {
      xmlInitParser ();
      g_once_init_leave (&initialized, 1);
    }

  *wrapper = NULL;
  valid = g_utf8_make_valid (html ? html : "", -1);
  wrapped = g_strconcat ("<html><body><div>", valid, "</div></body></html>", NULL);
  len = strlen (wrapped);
  if (len > G_MAXINT)
    return NULL;

  ctxt = htmlNewParserCtxt ();
  if (ctxt == NULL)
    return NULL;
  doc = htmlCtxtReadMemory (ctxt, wrapped, (int) len, NULL, "UTF-8",
                            HTML_PARSE_RECOVER | HTML_PARSE_NONET |
                            HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
  htmlFreeParserCtxt (ctxt);
  if (doc == NULL)
    return NULL;

  html_node = find_element (doc->children, "html");
  body = html_node ? find_element (html_node->children, "body") : NULL;
  if (body != NULL)
    *wrapper = find_element (body->children, "div");
  return doc;
}

static void
run_walk (Walk *walk, const char *html)
{
  htmlDocPtr doc = parse_fragment (html, &walk->wrapper);

  if (doc == NULL)
    return;
  /* html, head and body are unknown elements to the walk: transparent. */
  walk_children (walk, (xmlNode *) doc, 0);
  xmlFreeDoc (doc);
}

char *
tales_html_image_uri (const char *url)
{
  g_autofree char *hash = NULL;

  g_return_val_if_fail (url != NULL, NULL);
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, url, -1);
  return g_strconcat (TALES_IMAGE_SCHEME "://image/", hash, NULL);
}

char *
tales_html_sanitize (const char *html, const char *base_uri)
{
  Walk walk = { 0 };

  walk.out = g_string_new (NULL);
  walk.base_uri = base_uri;
  run_walk (&walk, html);

  /* Text nodes come from valid UTF-8, but be certain. */
  if (!g_utf8_validate (walk.out->str, walk.out->len, NULL))
    {
      char *valid = g_utf8_make_valid (walk.out->str, walk.out->len);

      g_string_free (walk.out, TRUE);
      return valid;
    }
  return g_string_free (walk.out, FALSE);
}

GPtrArray *
tales_html_collect_image_urls (const char *html, const char *base_uri)
{
  Walk walk = { 0 };

  walk.images = g_ptr_array_new_with_free_func (g_free);
  walk.seen = g_hash_table_new (g_str_hash, g_str_equal);
  walk.base_uri = base_uri;
  run_walk (&walk, html);
  g_hash_table_unref (walk.seen);
  return walk.images;
}

/* Collapses every run of white space (Unicode's too, such as no-break
 * spaces) to one space and trims the ends. ASCII, most of any text, is
 * copied a byte at a time without decoding. */
static char *
collapse_whitespace (const char *text)
{
  GString *out = g_string_sized_new (strlen (text));
  gboolean pending_space = FALSE;

  for (const char *p = text; *p; )
    {
      guchar byte = (guchar) *p;
      gunichar c;

      if (byte < 0x80)
        {
          /* g_unichar_isspace()'s ASCII: not the vertical tab. */
          if (g_ascii_isspace (byte) && byte != '\v')
            pending_space = out->len > 0;
          else
            {
              if (pending_space)
                g_string_append_c (out, ' ');
              pending_space = FALSE;
              g_string_append_c (out, (char) byte);
            }
          p++;
          continue;
        }
      c = g_utf8_get_char (p);
      if (g_unichar_isspace (c) || c == 0x00A0 || c == 0x200B)
        pending_space = out->len > 0;
      else
        {
          const char *next = g_utf8_next_char (p);

          if (pending_space)
            g_string_append_c (out, ' ');
          pending_space = FALSE;
          g_string_append_len (out, p, next - p);
        }
      p = g_utf8_next_char (p);
    }
  return g_string_free (out, FALSE);
}

/* The text of the walk's output, valid and with its white space collapsed. */
static char *
finish_text (GString *out)
{
  g_autofree char *raw = g_string_free (out, FALSE);
  g_autofree char *valid = NULL;

  if (g_utf8_validate (raw, -1, NULL))
    return collapse_whitespace (raw);
  valid = g_utf8_make_valid (raw, -1);
  return collapse_whitespace (valid);
}

char *
tales_html_to_text (const char *html)
{
  Walk walk = { 0 };

  walk.out = g_string_new (NULL);
  walk.text_only = TRUE;
  run_walk (&walk, html);
  return finish_text (walk.out);
}

void
_tales_html_extract (const char  *html,
                     const char  *base_uri,
                     char       **text,
                     GPtrArray  **image_urls)
{
  Walk walk = { 0 };

  g_return_if_fail (text != NULL && image_urls != NULL);

  walk.out = g_string_new (NULL);
  walk.text_only = TRUE;
  walk.images = g_ptr_array_new_with_free_func (g_free);
  walk.seen = g_hash_table_new (g_str_hash, g_str_equal);
  walk.base_uri = base_uri;
  run_walk (&walk, html);
  g_hash_table_unref (walk.seen);
  *text = finish_text (walk.out);
  *image_urls = walk.images;
}
