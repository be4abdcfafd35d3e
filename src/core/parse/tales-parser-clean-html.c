/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-parser"

#include "config.h"

#include "tales-parser-private.h"

#include <libxml/HTMLparser.h>
#include <string.h>

/* feedparser's HTML sanitizer, for the feedparser-shaped output of
 * `tales-cli parse --json`: the same allow-lists of elements, attributes,
 * CSS properties, MathML and SVG, applied while tales-parser-html.c's
 * tokenizer writes the HTML back, so the result is written the way
 * feedparser writes it. Scripts, applets and styles go with their
 * content; other unknown elements go, their content stays.
 *
 * Where feedparser lets something active through, this does not: every
 * attribute that holds a URL (not only href) loses a value whose scheme
 * is not an acceptable one, after decoding character references as a
 * browser would; SVG animations may not target links or handlers; a CSS
 * value may call no function but rgb(); comments are dropped.
 *
 * The app does not use this: it keeps the feed's HTML as it came and
 * sanitizes it when it shows a post (tales-html.c), with a stricter list. */

#define SVG_NS "http://www.w3.org/2000/svg"
#define MATHML_NS "http://www.w3.org/1998/Math/MathML"
#define XLINK_NS "http://www.w3.org/1999/xlink"

static const char * const acceptable_elements[] = {
  "a", "abbr", "acronym", "address", "area", "article", "aside", "audio", "b", "big",
  "blockquote", "br", "button", "canvas", "caption", "center", "cite", "code", "col",
  "colgroup", "command", "datagrid", "datalist", "dd", "del", "details", "dfn", "dialog",
  "dir", "div", "dl", "dt", "em", "event-source", "fieldset", "figcaption", "figure", "font",
  "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i", "img", "input",
  "ins", "kbd", "keygen", "label", "legend", "li", "m", "map", "menu", "meter", "multicol",
  "nav", "nextid", "noscript", "ol", "optgroup", "option", "output", "p", "pre", "progress",
  "q", "rp", "rt", "ruby", "s", "samp", "section", "select", "small", "sound", "source",
  "spacer", "span", "strike", "strong", "sub", "sup", "table", "tbody", "td", "textarea",
  "tfoot", "th", "thead", "time", "tr", "tt", "u", "ul", "var", "video", NULL,
};

static const char * const acceptable_attributes[] = {
  "abbr", "accept", "accept-charset", "accesskey", "action", "align", "alt", "autocomplete",
  "autofocus", "axis", "background", "balance", "bgcolor", "bgproperties", "border",
  "bordercolor", "bordercolordark", "bordercolorlight", "bottompadding", "cellpadding",
  "cellspacing", "ch", "challenge", "char", "charoff", "charset", "checked", "choff", "cite",
  "class", "clear", "color", "cols", "colspan", "compact", "contenteditable", "controls",
  "coords", "data", "datafld", "datapagesize", "datasrc", "datetime", "default", "delay",
  "dir", "disabled", "draggable", "dynsrc", "enctype", "end", "face", "for", "form", "frame",
  "galleryimg", "gutter", "headers", "height", "hidden", "hidefocus", "high", "href",
  "hreflang", "hspace", "icon", "id", "inputmode", "ismap", "keytype", "label", "lang",
  "leftspacing", "list", "longdesc", "loop", "loopcount", "loopend", "loopstart", "low",
  "lowsrc", "max", "maxlength", "media", "method", "min", "multiple", "name", "nohref",
  "noshade", "nowrap", "open", "optimum", "pattern", "ping", "point-size", "poster", "pqg",
  "preload", "prompt", "radiogroup", "readonly", "rel", "repeat-max", "repeat-min", "replace",
  "required", "rev", "rightspacing", "rows", "rowspan", "rules", "scope", "selected", "shape",
  "size", "span", "src", "start", "step", "style", "summary", "suppress", "tabindex", "target",
  "template", "title", "toppadding", "type", "unselectable", "urn", "usemap", "valign",
  "value", "variable", "volume", "vrml", "vspace", "width", "wrap", "xml:lang", NULL,
};

/* Dropped with everything up to their end tag. */
static const char * const unacceptable_with_content[] = { "applet", "script", "style", NULL };

static const char * const mathml_elements[] = {
  "annotation", "annotation-xml", "maction", "maligngroup", "malignmark", "math", "menclose",
  "merror", "mfenced", "mfrac", "mglyph", "mi", "mlabeledtr", "mlongdiv", "mmultiscripts",
  "mn", "mo", "mover", "mpadded", "mphantom", "mprescripts", "mroot", "mrow", "ms",
  "mscarries", "mscarry", "msgroup", "msline", "mspace", "msqrt", "msrow", "mstack", "mstyle",
  "msub", "msubsup", "msup", "mtable", "mtd", "mtext", "mtr", "munder", "munderover", "none",
  "semantics", NULL,
};

static const char * const mathml_attributes[] = {
  "accent", "accentunder", "actiontype", "align", "alignmentscope", "altimg", "altimg-height",
  "altimg-valign", "altimg-width", "alttext", "bevelled", "charalign", "close", "columnalign",
  "columnlines", "columnspacing", "columnspan", "columnwidth", "crossout", "decimalpoint",
  "denomalign", "depth", "dir", "display", "displaystyle", "edge", "encoding", "equalcolumns",
  "equalrows", "fence", "fontstyle", "fontweight", "form", "frame", "framespacing",
  "groupalign", "height", "href", "id", "indentalign", "indentalignfirst", "indentalignlast",
  "indentshift", "indentshiftfirst", "indentshiftlast", "indenttarget", "infixlinebreakstyle",
  "largeop", "length", "linebreak", "linebreakmultchar", "linebreakstyle", "lineleading",
  "linethickness", "location", "longdivstyle", "lquote", "lspace", "mathbackground",
  "mathcolor", "mathsize", "mathvariant", "maxsize", "minlabelspacing", "minsize",
  "movablelimits", "notation", "numalign", "open", "other", "overflow", "position", "rowalign",
  "rowlines", "rowspacing", "rowspan", "rquote", "rspace", "scriptlevel", "scriptminsize",
  "scriptsizemultiplier", "selection", "separator", "separators", "shift", "side", "src",
  "stackalign", "stretchy", "subscriptshift", "superscriptshift", "symmetric", "voffset",
  "width", "xlink:href", "xlink:show", "xlink:type", "xmlns", "xmlns:xlink", NULL,
};

/* SVG Tiny's, written as SVG spells them (the tokenizer lower-cases). */
static const char * const svg_elements[] = {
  "a", "animate", "animateColor", "animateMotion", "animateTransform", "circle", "defs", "desc",
  "ellipse", "font-face", "font-face-name", "font-face-src", "foreignObject", "g", "glyph",
  "hkern", "line", "linearGradient", "marker", "metadata", "missing-glyph", "mpath", "path",
  "polygon", "polyline", "radialGradient", "rect", "set", "stop", "svg", "switch", "text",
  "title", "tspan", "use", NULL,
};

static const char * const svg_attributes[] = {
  "accent-height", "accumulate", "additive", "alphabetic", "arabic-form", "ascent",
  "attributeName", "attributeType", "baseProfile", "bbox", "begin", "by", "calcMode",
  "cap-height", "class", "color", "color-rendering", "content", "cx", "cy", "d", "descent",
  "display", "dur", "dx", "dy", "end", "fill", "fill-opacity", "fill-rule", "font-family",
  "font-size", "font-stretch", "font-style", "font-variant", "font-weight", "from", "fx", "fy",
  "g1", "g2", "glyph-name", "gradientUnits", "hanging", "height", "horiz-adv-x",
  "horiz-origin-x", "id", "ideographic", "k", "keyPoints", "keySplines", "keyTimes", "lang",
  "marker-end", "marker-mid", "marker-start", "markerHeight", "markerUnits", "markerWidth",
  "mathematical", "max", "min", "name", "offset", "opacity", "orient", "origin",
  "overline-position", "overline-thickness", "panose-1", "path", "pathLength", "points",
  "preserveAspectRatio", "r", "refX", "refY", "repeatCount", "repeatDur",
  "requiredExtensions", "requiredFeatures", "restart", "rotate", "rx", "ry", "slope", "stemh",
  "stemv", "stop-color", "stop-opacity", "strikethrough-position", "strikethrough-thickness",
  "stroke", "stroke-dasharray", "stroke-dashoffset", "stroke-linecap", "stroke-linejoin",
  "stroke-miterlimit", "stroke-opacity", "stroke-width", "systemLanguage", "target",
  "text-anchor", "to", "transform", "type", "u1", "u2", "underline-position",
  "underline-thickness", "unicode", "unicode-range", "units-per-em", "values", "version",
  "viewBox", "visibility", "width", "widths", "x", "x-height", "x1", "x2", "xlink:actuate",
  "xlink:arcrole", "xlink:href", "xlink:role", "xlink:show", "xlink:title", "xlink:type",
  "xml:base", "xml:lang", "xml:space", "xmlns", "xmlns:xlink", "y", "y1", "y2", "zoomAndPan",
  NULL,
};

/* Attributes, in any of the three vocabularies, whose value is a URL that
 * something follows or loads. */
static const char * const uri_attributes[] = {
  "action", "altimg", "background", "cite", "codebase", "data", "datasrc", "dynsrc",
  "formaction", "href", "icon", "longdesc", "lowsrc", "ping", "poster", "src", "usemap",
  "xlink:href", "xml:base", NULL,
};

static const char * const css_properties[] = {
  "azimuth", "background-color", "border-bottom-color", "border-collapse", "border-color",
  "border-left-color", "border-right-color", "border-top-color", "clear", "color", "cursor",
  "direction", "display", "elevation", "float", "font", "font-family", "font-size",
  "font-style", "font-variant", "font-weight", "height", "letter-spacing", "line-height",
  "overflow", "pause", "pause-after", "pause-before", "pitch", "pitch-range", "richness",
  "speak", "speak-header", "speak-numeral", "speak-punctuation", "speech-rate", "stress",
  "text-align", "text-decoration", "text-indent", "unicode-bidi", "vertical-align",
  "voice-family", "volume", "white-space", "width", NULL,
};

/* For background*, border*, margin* and padding*, every word of the
 * value must be one of these or a plain colour or size. */
static const char * const css_keywords[] = {
  "!important", "aqua", "auto", "black", "block", "blue", "bold", "both", "bottom", "brown",
  "center", "collapse", "dashed", "dotted", "fuchsia", "gray", "green", "italic", "left",
  "lime", "maroon", "medium", "navy", "none", "normal", "nowrap", "olive", "pointer", "purple",
  "red", "right", "silver", "solid", "teal", "top", "transparent", "underline", "white",
  "yellow", NULL,
};

static const char * const css_shorthand_groups[] = {
  "background", "border", "margin", "padding", NULL,
};

static const char * const svg_css_properties[] = {
  "fill", "fill-opacity", "fill-rule", "stroke", "stroke-linecap", "stroke-linejoin",
  "stroke-opacity", "stroke-width", NULL,
};

typedef struct {
  GHashTable *elements;
  GHashTable *attributes;
  GHashTable *mathml_elements;
  GHashTable *mathml_attributes;
  GHashTable *svg_elements;     /* lower case -> SVG's spelling */
  GHashTable *svg_attributes;   /* lower case -> SVG's spelling */
  GHashTable *uri_attributes;
  GRegex *css_url;
  GRegex *css_gauntlet;
  GRegex *css_any_declaration;
  GRegex *css_declaration;
  GRegex *css_value;
} Tables;

/* Maps each name's lower-case form to the name itself. */
static GHashTable *
name_table (const char * const *names)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; names[i]; i++)
    g_hash_table_insert (table, g_ascii_strdown (names[i], -1), (gpointer) names[i]);
  return table;
}

static GRegex *
css_regex (const char *pattern)
{
  /* raw: style values are matched as bytes, so that bytes that are not
   * UTF-8 make a style fail rather than the match */
  GRegex *regex = g_regex_new (pattern, G_REGEX_RAW | G_REGEX_OPTIMIZE, 0, NULL);

  g_assert (regex != NULL);
  return regex;
}

static const Tables *
tables (void)
{
  static Tables *t;

  if (g_once_init_enter (&t))
    {
      Tables *n = g_new0 (Tables, 1);

      n->elements = name_table (acceptable_elements);
      n->attributes = name_table (acceptable_attributes);
      n->mathml_elements = name_table (mathml_elements);
      n->mathml_attributes = name_table (mathml_attributes);
      n->svg_elements = name_table (svg_elements);
      n->svg_attributes = name_table (svg_attributes);
      n->uri_attributes = name_table (uri_attributes);
      n->css_url = css_regex ("url\\s*\\(\\s*[^\\s)]+?\\s*\\)\\s*");
      n->css_gauntlet = css_regex ("^([:,;#%.\\sa-zA-Z0-9!]|\\w-\\w|'[\\s\\w]+'|\"[\\s\\w]+\"|"
                                   "\\([\\d,\\s]+\\))*$");
      n->css_any_declaration = css_regex ("\\s*[-\\w]+\\s*:\\s*[^:;]*;?");
      n->css_declaration = css_regex ("([-\\w]+)\\s*:\\s*([^:;]*)");
      n->css_value = css_regex ("^(#[0-9a-f]+|rgb\\(\\d+%?,\\d*%?,?\\d*%?\\)?|"
                                "\\d{0,2}\\.?\\d{0,2}(cm|em|ex|in|mm|pc|pt|px|%|,|\\))?)$");
      g_once_init_leave (&t, n);
    }
  return t;
}

/* --- character references, as a browser decodes them in attributes ----- */

/* HTML5 names for the characters that can build a URL scheme; the others
 * are HTML 4's, which libxml2 knows. */
static const struct {
  const char *name;
  char c;
} url_entities[] = {
  { "colon", ':' }, { "Tab", '\t' }, { "NewLine", '\n' }, { "period", '.' }, { "plus", '+' },
  { "hyphen", '-' }, { "sol", '/' }, { "num", '#' }, { "quest", '?' }, { "lpar", '(' },
  { "rpar", ')' }, { "semi", ';' }, { "comma", ',' }, { "lowbar", '_' }, { "bsol", '\\' },
};

static const char *
decode_numeric (GString *out, const char *s)
{
  gboolean hex = s[2] == 'x' || s[2] == 'X';
  const char *digits = s + 2 + hex;
  const char *p = digits;
  guint32 value = 0;

  while (hex ? g_ascii_isxdigit (*p) : g_ascii_isdigit (*p))
    {
      int digit = hex ? g_ascii_xdigit_value (*p) : g_ascii_digit_value (*p);

      value = MIN (value * (hex ? 16 : 10) + (guint32) digit, 0x110000);
      p++;
    }
  if (p == digits)
    return NULL;
  if (value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
    value = 0xFFFD;
  g_string_append_unichar (out, value);
  /* browsers take a numeric reference with no ";" too */
  return *p == ';' ? p + 1 : p;
}

static const char *
decode_named (GString *out, const char *s)
{
  const char *p = s + 1;
  g_autofree char *name = NULL;
  const htmlEntityDesc *entity;

  while (g_ascii_isalnum (*p))
    p++;
  if (*p != ';' || p == s + 1)
    return NULL;
  name = g_strndup (s + 1, p - s - 1);
  for (guint i = 0; i < G_N_ELEMENTS (url_entities); i++)
    if (strcmp (url_entities[i].name, name) == 0)
      {
        g_string_append_c (out, url_entities[i].c);
        return p + 1;
      }
  entity = htmlEntityLookup ((const xmlChar *) name);
  if (entity == NULL)
    return NULL;
  g_string_append_unichar (out, entity->value);
  return p + 1;
}

static char *
decode_references (const char *value)
{
  GString *out = g_string_sized_new (strlen (value));
  const char *p = value;

  while (*p)
    {
      const char *next = NULL;

      if (p[0] == '&' && p[1] == '#')
        next = decode_numeric (out, p);
      else if (p[0] == '&')
        next = decode_named (out, p);
      if (next == NULL)
        g_string_append_c (out, *p++);
      else
        p = next;
    }
  return g_string_free (out, FALSE);
}

/* The value as a browser reads it, minus every space and control
 * character (browsers drop tabs and newlines anywhere in a URL), in lower
 * case: what a scheme or name check must look at. */
static char *
effective_value (const char *value)
{
  g_autofree char *decoded = decode_references (value);
  GString *out = g_string_sized_new (strlen (decoded));

  for (const char *p = decoded; *p; p++)
    if ((guchar) *p > 0x20 && *p != 0x7f)
      g_string_append_c (out, g_ascii_tolower (*p));
  return g_string_free (out, FALSE);
}

static gboolean
uri_is_safe (const char *value)
{
  g_autofree char *uri = effective_value (value);
  g_autofree char *scheme = NULL;
  const char *p = uri;

  if (!g_ascii_isalpha (*p))
    return TRUE;
  while (g_ascii_isalnum (*p) || *p == '+' || *p == '-' || *p == '.')
    p++;
  if (*p != ':')
    return TRUE;  /* relative */
  scheme = g_strndup (uri, p - uri);
  return tales_uri_scheme_is_acceptable (scheme);
}

/* <set attributeName="href" to="javascript:..."> rewrites a link from
 * inside; an SVG animation may not target links or event handlers. */
static gboolean
animation_target_is_safe (const char *value)
{
  g_autofree char *name = effective_value (value);
  const char *local = strrchr (name, ':');

  local = local ? local + 1 : name;
  return !g_str_has_prefix (local, "on") && strcmp (local, "href") != 0 &&
         strcmp (local, "src") != 0 && strcmp (local, "style") != 0;
}

/* --- CSS ---------------------------------------------------------------- */

/* Whether a CSS value calls no function but rgb(): with feedparser's
 * gauntlet a value has no escapes, but "url( )" would still pass it. */
static gboolean
css_value_loads_nothing (const char *value)
{
  for (const char *paren = strchr (value, '('); paren; paren = strchr (paren + 1, '('))
    {
      const char *end = paren;
      const char *start;

      while (end > value && g_ascii_isspace (end[-1]))
        end--;
      start = end;
      while (start > value && (g_ascii_isalnum (start[-1]) || start[-1] == '-'))
        start--;
      if (end - start != 3 || g_ascii_strncasecmp (start, "rgb", 3) != 0)
        return FALSE;
    }
  return TRUE;
}

/* Every word of a background/border/margin/padding value is a keyword
 * or a plain colour or size. */
static gboolean
css_shorthand_is_plain (const Tables *t, const char *value)
{
  g_auto(GStrv) words = g_strsplit_set (value, " \t\n\r\f\v", -1);

  for (guint i = 0; words[i]; i++)
    if (*words[i] && !g_strv_contains (css_keywords, words[i]) &&
        !g_regex_match (t->css_value, words[i], 0, NULL))
      return FALSE;
  return TRUE;
}

static gboolean
css_declaration_is_acceptable (const Tables *t, const char *property, const char *value,
                               gboolean in_svg)
{
  g_autofree char *lower = g_ascii_strdown (property, -1);
  g_autofree char *group = g_strndup (lower, strcspn (lower, "-"));

  if (!css_value_loads_nothing (value))
    return FALSE;
  if (g_strv_contains (css_properties, lower))
    return TRUE;
  if (g_strv_contains (css_shorthand_groups, group))
    return css_shorthand_is_plain (t, value);
  return in_svg && g_strv_contains (svg_css_properties, lower);
}

/* Whether @style is made of "property: value;" declarations only, in
 * feedparser's narrow alphabet (no escapes, no quotes but of words, no
 * parentheses but around numbers). */
static gboolean
css_passes_gauntlet (const Tables *t, const char *style)
{
  g_autofree char *rest = NULL;

  if (!g_regex_match (t->css_gauntlet, style, 0, NULL))
    return FALSE;
  rest = g_regex_replace_literal (t->css_any_declaration, style, -1, 0, "", 0, NULL);
  return rest != NULL && *g_strstrip (rest) == '\0';
}

/* The acceptable declarations of @style, written "property: value;" and
 * joined by spaces as feedparser does; NULL when none is left. */
static char *
sanitize_style (const char *style, gboolean in_svg)
{
  const Tables *t = tables ();
  g_autofree char *source = g_regex_replace_literal (t->css_url, style, -1, 0, " ", 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  GString *clean;

  if (source == NULL || !css_passes_gauntlet (t, source))
    return NULL;
  clean = g_string_new (NULL);
  g_regex_match (t->css_declaration, source, 0, &match);
  for (; g_match_info_matches (match); g_match_info_next (match, NULL))
    {
      g_autofree char *property = g_match_info_fetch (match, 1);
      g_autofree char *value = g_match_info_fetch (match, 2);

      if (*value == '\0' || !css_declaration_is_acceptable (t, property, value, in_svg))
        continue;
      if (clean->len > 0)
        g_string_append_c (clean, ' ');
      g_string_append_printf (clean, "%s: %s;", property, value);
    }
  if (clean->len == 0)
    {
      g_string_free (clean, TRUE);
      return NULL;
    }
  return g_string_free (clean, FALSE);
}

/* --- attributes --------------------------------------------------------- */

static const char *
pair_value (GPtrArray *pairs, const char *name)
{
  for (guint i = 0; i + 1 < pairs->len; i += 2)
    if (strcmp (g_ptr_array_index (pairs, i), name) == 0)
      return g_ptr_array_index (pairs, i + 1);
  return NULL;
}

/* Sets @name to @value, keeping the pairs sorted by name. */
static void
set_pair (GPtrArray *pairs, const char *name, const char *value)
{
  guint i = 0;

  while (i + 1 < pairs->len && strcmp (g_ptr_array_index (pairs, i), name) < 0)
    i += 2;
  if (i + 1 < pairs->len && strcmp (g_ptr_array_index (pairs, i), name) == 0)
    {
      g_free (g_ptr_array_index (pairs, i + 1));
      g_ptr_array_index (pairs, i + 1) = g_strdup (value);
      return;
    }
  g_ptr_array_insert (pairs, (int) i, g_strdup (value));
  g_ptr_array_insert (pairs, (int) i, g_strdup (name));
}

static gboolean
has_xlink_attribute (GPtrArray *pairs)
{
  for (guint i = 0; i + 1 < pairs->len; i += 2)
    if (g_str_has_prefix (g_ptr_array_index (pairs, i), "xlink:"))
      return TRUE;
  return FALSE;
}

typedef enum {
  VOCABULARY_HTML,
  VOCABULARY_MATHML,
  VOCABULARY_SVG,
} Vocabulary;

typedef struct {
  int unacceptable;   /* inside script, applet or style */
  int mathml_ok;      /* inside <math> in the MathML namespace */
  int svg_ok;         /* inside <svg> in the SVG namespace */
} Sanitizer;

/* The name to write for an acceptable attribute, NULL for another. */
static const char *
acceptable_attribute (const Tables *t, Vocabulary vocabulary, const char *name)
{
  switch (vocabulary)
    {
    case VOCABULARY_MATHML:
      return g_hash_table_lookup (t->mathml_attributes, name);
    case VOCABULARY_SVG:
      return g_hash_table_lookup (t->svg_attributes, name);
    case VOCABULARY_HTML:
    default:
      return g_hash_table_lookup (t->attributes, name);
    }
}

/* The value to write for an acceptable attribute, NULL to drop it. */
static char *
clean_value (Sanitizer *s, Vocabulary vocabulary, const char *name, const char *value)
{
  const Tables *t = tables ();

  if (strcmp (name, "style") == 0)
    return vocabulary == VOCABULARY_HTML ? sanitize_style (value, s->svg_ok > 0) : NULL;
  if (g_hash_table_contains (t->uri_attributes, name) && !uri_is_safe (value))
    return g_strdup ("");
  if (strcmp (name, "attributename") == 0 && !animation_target_is_safe (value))
    return NULL;
  return g_strdup (value);
}

static void
filter_attributes (Sanitizer *s, Vocabulary vocabulary, GPtrArray *pairs)
{
  const Tables *t = tables ();
  g_autoptr(GPtrArray) kept = g_ptr_array_new_full (pairs->len, g_free);

  for (guint i = 0; i + 1 < pairs->len; i += 2)
    {
      const char *name = g_ptr_array_index (pairs, i);
      const char *spelled = acceptable_attribute (t, vocabulary, name);
      char *value = spelled ? clean_value (s, vocabulary, name, g_ptr_array_index (pairs, i + 1))
                            : NULL;

      if (value == NULL)
        continue;
      g_ptr_array_add (kept, g_strdup (spelled));
      g_ptr_array_add (kept, value);
    }
  g_ptr_array_set_size (pairs, 0);
  g_ptr_array_extend_and_steal (pairs, g_steal_pointer (&kept));
}

/* <svg> and <math> open their vocabulary when in their namespace, which
 * HTML5 implies when no xmlns is given. */
static void
open_foreign (Sanitizer *s, const char *tag, GPtrArray *pairs)
{
  gboolean svg = strcmp (tag, "svg") == 0;
  const char *ns = svg ? SVG_NS : MATHML_NS;
  const char *xmlns;

  if (!svg && strcmp (tag, "math") != 0)
    return;
  xmlns = pair_value (pairs, "xmlns");
  if (xmlns == NULL || *xmlns == '\0')
    set_pair (pairs, "xmlns", ns);
  if (strcmp (pair_value (pairs, "xmlns"), ns) != 0)
    return;
  if (svg)
    s->svg_ok++;
  else
    s->mathml_ok++;
}

/* A tag that is not plain acceptable HTML, or any tag inside SVG. */
static gboolean
start_other (Sanitizer *s, const char **tag, GPtrArray *pairs, Vocabulary *vocabulary)
{
  const Tables *t = tables ();
  const char *svg_name;

  if (g_strv_contains (unacceptable_with_content, *tag))
    s->unacceptable++;
  open_foreign (s, *tag, pairs);
  if (s->mathml_ok && g_hash_table_contains (t->mathml_elements, *tag))
    {
      *vocabulary = VOCABULARY_MATHML;
      return TRUE;
    }
  svg_name = s->svg_ok ? g_hash_table_lookup (t->svg_elements, *tag) : NULL;
  if (svg_name != NULL)
    {
      *vocabulary = VOCABULARY_SVG;
      *tag = svg_name;
      return TRUE;
    }
  return g_hash_table_contains (t->elements, *tag);
}

static gboolean
sanitize_start (gpointer data, const char **tag, GPtrArray *pairs)
{
  Sanitizer *s = data;
  Vocabulary vocabulary = VOCABULARY_HTML;

  if ((!g_hash_table_contains (tables ()->elements, *tag) || s->svg_ok) &&
      !start_other (s, tag, pairs, &vocabulary))
    return FALSE;
  if ((s->mathml_ok || s->svg_ok) && has_xlink_attribute (pairs))
    set_pair (pairs, "xmlns:xlink", XLINK_NS);
  filter_attributes (s, vocabulary, pairs);
  return TRUE;
}

static gboolean
sanitize_end (gpointer data, const char **tag)
{
  Sanitizer *s = data;
  const Tables *t = tables ();
  const char *svg_name;

  if (g_hash_table_contains (t->elements, *tag))
    return TRUE;
  if (g_strv_contains (unacceptable_with_content, *tag))
    s->unacceptable--;
  if (s->mathml_ok && g_hash_table_contains (t->mathml_elements, *tag))
    {
      if (strcmp (*tag, "math") == 0)
        s->mathml_ok--;
      return TRUE;
    }
  svg_name = s->svg_ok ? g_hash_table_lookup (t->svg_elements, *tag) : NULL;
  if (svg_name == NULL)
    return FALSE;
  if (strcmp (*tag, "svg") == 0)
    s->svg_ok--;
  *tag = svg_name;
  return TRUE;
}

/* feedparser keeps text only outside scripts; a stray </script> makes
 * its count negative, which drops the rest too. */
static gboolean
sanitize_text (gpointer data)
{
  Sanitizer *s = data;

  return s->unacceptable == 0;
}

char *
_tales_parser_clean_html (const char *html, const char *type)
{
  Sanitizer s = { 0 };
  TalesParserHtmlFilter filter = { sanitize_start, sanitize_end, sanitize_text, &s };
  GString *source = g_string_new (html);
  g_autofree char *clean = NULL;
  GString *out;

  /* as feedparser: a CDATA section is text, not a declaration to drop */
  g_string_replace (source, "<![CDATA[", "&lt;![CDATA[", 0);
  clean = _tales_parser_html_rewrite (source->str, NULL, type, &filter);
  g_string_free (source, TRUE);
  out = g_string_new (g_strstrip (clean));
  g_string_replace (out, "\r\n", "\n", 0);
  return g_string_free (out, FALSE);
}
