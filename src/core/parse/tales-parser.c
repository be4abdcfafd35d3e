/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-parser"

#include "config.h"

#include "tales-parser.h"
#include "tales-parser-private.h"
#include "tales-encoding-private.h"
#include "tales-compat.h"

#include <glib/gi18n-lib.h>
#include <libxml/HTMLparser.h>
#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <string.h>

/* How the parser works: the bytes are turned into UTF-8 (tales-encoding.c)
 * and fed, a chunk at a time, to libxml2's push parser, which builds the
 * tree with its usual SAX2 handlers. The root element and an RSS
 * <channel> are "live": they are announced to the feedparser rules
 * (tales-parser-state.c) as they start and end. Each of their children
 * is read whole when it ends (its subtree walked as start/text/end
 * events) and then freed. So the tree in memory never holds more than one
 * item, and the bytes never more than a chunk.
 *
 * (xmlTextReader would do the same with Expand/Next, but it gives up at
 * the first recoverable error, an undeclared &nbsp; say, and loses the
 * rest of the feed; the push parser in recovery mode goes on.)
 *
 * A document that starts with "{" is no XML: it goes, whole, to the JSON
 * Feed reader (tales-parser-json.c), under the same size cap. */

#define MAX_DOCUMENT_SIZE ((gsize) 256 * 1024 * 1024)
/* What one parse may add to the text through internal entities declared
 * in the document's own DTD: enough for real feeds, nothing for bombs. */
#define MAX_ENTITY_EXPANSION (1024 * 1024)
#define SNIFF_SIZE 1024
/* How much of a stream decides its encoding. */
#define DETECT_SIZE (64 * 1024)
#define CHUNK_SIZE (64 * 1024)
#define MAX_WALK_DEPTH 256

G_DEFINE_QUARK (tales-parse-error-quark, tales_parse_error)

typedef struct {
  TalesParseResult *result;
  TalesParseState *state;
  TalesDecoder *decoder;
  TalesParsePostFunc on_post;
  gpointer user_data;
  gboolean keep_extras;
  char prefix[SNIFF_SIZE + 1];  /* the document's first bytes, for errors */
  gsize prefix_len;
  gsize entity_budget;
  guint n_posts;
  guint n_errors;
  char *first_error;
  gboolean started;          /* the root element was seen */
  gboolean entity_loop;      /* libxml2 found an entity bomb */
  GError *root_error;        /* set when the root says "not a feed" */
  xmlNode *live[2];          /* the root, and an RSS <channel> */
  char *root_name;
  guint n_live;
} Parser;

void
tales_parse_result_free (TalesParseResult *result)
{
  if (result == NULL)
    return;
  g_free (result->version);
  g_free (result->bozo_message);
  g_free (result->bozo_exception);
  g_free (result->encoding);
  g_clear_pointer (&result->namespaces, json_object_unref);
  g_clear_object (&result->feed);
  g_clear_pointer (&result->posts, g_ptr_array_unref);
  g_free (result);
}

/* --- from libxml2 nodes to feedparser's events --------------------------- */

static char *
lower_dup (const char *text)
{
  return g_ascii_strdown (text, -1);
}

/* The tag as feedparser's strict parser names it: "prefix:local" in lower
 * case, with the prefix feedparser knows the namespace by, else one the
 * document declared for it. */
static char *
element_tag (TalesParseState *state, xmlNode *node)
{
  const char *ns = node->ns ? (const char *) node->ns->href : NULL;
  const char *local = (const char *) node->name;
  const char *prefix = _tales_parse_known_prefix (ns);
  g_autofree char *tag = NULL;

  if (prefix != NULL && *prefix != '\0')
    tag = g_strconcat (prefix, ":", local, NULL);
  else if (prefix == NULL && ns != NULL && *ns != '\0')
    {
      JsonObjectIter iter;
      const char *key;
      JsonNode *value;

      json_object_iter_init (&iter, state->namespaces_in_use);
      while (json_object_iter_next (&iter, &key, &value))
        if (*key && g_strcmp0 (json_node_get_string (value), ns) == 0)
          {
            tag = g_strconcat (key, ":", local, NULL);
            break;
          }
    }
  return lower_dup (tag ? tag : local);
}

static void
track_declarations (TalesParseState *state, xmlNode *node, TalesAttrs *attrs)
{
  for (xmlNs *ns = node->nsDef; ns != NULL; ns = ns->next)
    {
      const char *prefix = (const char *) ns->prefix;
      const char *href = (const char *) ns->href;

      if (href == NULL || *href == '\0')
        continue;
      _tales_parse_state_track_namespace (state, prefix && *prefix ? prefix : NULL, href);
      if (prefix && *prefix && strcmp (href, "http://www.w3.org/1999/xlink") == 0)
        {
          g_autofree char *key = g_strconcat ("xmlns:", prefix, NULL);

          _tales_attrs_set (attrs, key, href);
        }
    }
}

static TalesAttrs *
element_attrs (TalesParseState *state, xmlNode *node)
{
  TalesAttrs *attrs = _tales_attrs_new ();
  const char *ns = node->ns ? (const char *) node->ns->href : NULL;
  const char *local = (const char *) node->name;

  track_declarations (state, node, attrs);
  if (g_ascii_strcasecmp (local, "math") == 0 && g_strcmp0 (ns, "http://www.w3.org/1998/Math/MathML") == 0)
    _tales_attrs_set (attrs, "xmlns", ns);
  if (g_ascii_strcasecmp (local, "svg") == 0 && g_strcmp0 (ns, "http://www.w3.org/2000/svg") == 0)
    _tales_attrs_set (attrs, "xmlns", ns);
  for (xmlAttr *attr = node->properties; attr != NULL; attr = attr->next)
    {
      xmlChar *value = xmlNodeListGetString (node->doc, attr->children, 1);
      const char *prefix = attr->ns ? _tales_parse_known_prefix ((const char *) attr->ns->href) : NULL;
      g_autofree char *name = prefix && *prefix
        ? g_strconcat (prefix, ":", (const char *) attr->name, NULL)
        : g_strdup ((const char *) attr->name);
      g_autofree char *lower = lower_dup (name);
      g_autofree char *lower_local = lower_dup ((const char *) attr->name);

      _tales_attrs_set (attrs, lower, value ? (const char *) value : "");
      if (strcmp (lower, lower_local) != 0)
        _tales_attrs_set (attrs, lower_local, value ? (const char *) value : "");
      xmlFree (value);
    }
  return attrs;
}

static void
announce_start (Parser *p, xmlNode *node)
{
  g_autoptr(TalesAttrs) attrs = element_attrs (p->state, node);
  g_autofree char *tag = element_tag (p->state, node);

  _tales_parse_state_start (p->state, tag, attrs);
}

static void
announce_end (Parser *p, xmlNode *node)
{
  g_autofree char *tag = element_tag (p->state, node);

  _tales_parse_state_end (p->state, tag);
}

/* An entity reference left in the tree (the parser never substitutes
 * entities): only internal entities with plain text are expanded, within
 * a budget, so neither external files nor entity bombs get in. */
static void
walk_entity (Parser *p, xmlNode *ref)
{
  xmlEntity *entity = xmlGetDocEntity (ref->doc, ref->name);
  gsize len;

  if (entity == NULL || entity->etype != XML_INTERNAL_GENERAL_ENTITY || entity->content == NULL)
    return;
  if (strchr ((const char *) entity->content, '&') || strchr ((const char *) entity->content, '<'))
    return;
  len = strlen ((const char *) entity->content);
  if (len > p->entity_budget)
    {
      /* the rest of an expansion bomb is dropped, and that is a flaw */
      if (p->n_errors++ == 0)
        p->first_error = g_strdup (_("The document's entities expand to more text than allowed."));
      p->entity_budget = 0;
      return;
    }
  p->entity_budget -= len;
  _tales_parse_state_text (p->state, (const char *) entity->content, len);
}

static void
walk (Parser *p, xmlNode *node, int depth)
{
  announce_start (p, node);
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    {
      switch (child->type)
        {
        case XML_TEXT_NODE:
        case XML_CDATA_SECTION_NODE:
          if (child->content)
            _tales_parse_state_text (p->state, (const char *) child->content,
                                     strlen ((const char *) child->content));
          break;
        case XML_ELEMENT_NODE:
          if (depth < MAX_WALK_DEPTH)
            walk (p, child, depth + 1);
          break;
        case XML_ENTITY_REF_NODE:
          walk_entity (p, child);
          break;
        default:
          break;
        }
    }
  announce_end (p, node);
}

/* --- posts --------------------------------------------------------------- */

static void
parser_entry_cb (JsonObject *entry, gpointer user_data)
{
  Parser *p = user_data;
  const char *feed_title = _tales_json_get_string (p->state->feeddata, "title");
  TalesPost *post = _tales_post_from_entry (entry, feed_title,
                                            g_str_has_prefix (p->state->version, "atom"));

  if (p->keep_extras)
    g_object_set_data_full (G_OBJECT (post), TALES_PARSE_EXTRAS,
                            json_object_ref (entry), (GDestroyNotify) json_object_unref);
  if (p->on_post != NULL)
    p->on_post (post, p->user_data);
  else
    g_ptr_array_add (p->result->posts, g_object_ref (post));
  p->n_posts++;
  g_object_unref (post);
}

/* --- the document -------------------------------------------------------- */

static gboolean
prefix_contains (Parser *p, const char *needle)
{
  g_autofree char *lower = g_ascii_strdown (p->prefix, p->prefix_len);

  return strstr (lower, needle) != NULL;
}

/* Netscape's RSS 0.91 says so only in its DOCTYPE. */
static gboolean
doctype_is_netscape (Parser *p)
{
  g_autofree char *lower = g_ascii_strdown (p->prefix, p->prefix_len);
  const char *doctype = strstr (lower, "<!doctype");
  const char *end;

  if (doctype == NULL)
    return FALSE;
  end = strchr (doctype, '>');
  return g_strstr_len (doctype, end ? end - doctype : -1, "netscape") != NULL;
}

static gboolean
is_live (Parser *p, xmlNode *node)
{
  for (guint i = 0; i < p->n_live; i++)
    if (p->live[i] == node)
      return TRUE;
  return FALSE;
}

/* Frees a read element together with the text (whitespace, mostly) that
 * came before it, so that the tree never grows with the document. The
 * parent is then left with no text node last, which is what libxml2's
 * text coalescing (ctxt->nodelen) needs to stay right. */
static void
free_element (xmlNode *node)
{
  xmlNode *prev = node->prev;

  while (prev != NULL && prev->type != XML_ELEMENT_NODE)
    {
      xmlNode *before = prev->prev;

      xmlUnlinkNode (prev);
      xmlFreeNode (prev);
      prev = before;
    }
  xmlUnlinkNode (node);
  xmlFreeNode (node);
}

/* libxml2 2.9 drops every entity reference, even &amp;, once a document
 * has been found not well-formed, although it goes on reading in recovery
 * mode. The errors are counted in parser_error_cb(), so the flag is set
 * back at each step, and one stray "&" does not eat every later "&amp;". */
static inline void
keep_entities (xmlParserCtxt *ctxt)
{
  Parser *p = ctxt->_private;

  /* Except after an entity bomb: then skipping references is the point. */
  if (!p->entity_loop)
    ctxt->wellFormed = 1;
}

static void
sax_characters (void *ctx, const xmlChar *text, int len)
{
  keep_entities (ctx);
  xmlSAX2Characters (ctx, text, len);
}

static void
sax_cdata (void *ctx, const xmlChar *text, int len)
{
  keep_entities (ctx);
  xmlSAX2CDataBlock (ctx, text, len);
}

static gboolean
parser_start_root (Parser *p, xmlNode *root)
{
  const char *name = (const char *) root->name;

  p->root_name = g_strdup (name);
  if (g_ascii_strcasecmp (name, "html") == 0)
    {
      g_set_error (&p->root_error, TALES_PARSE_ERROR, TALES_PARSE_ERROR_NOT_A_FEED,
                   _("This is a web page, not a feed."));
      return FALSE;
    }
  return TRUE;
}

static void
sax_start_element_ns (void *ctx, const xmlChar *localname, const xmlChar *prefix,
                      const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
                      int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
  xmlParserCtxt *ctxt = ctx;
  Parser *p = ctxt->_private;
  xmlNode *node;
  int depth;

  keep_entities (ctxt);
  xmlSAX2StartElementNs (ctx, localname, prefix, uri, nb_namespaces, namespaces,
                         nb_attributes, nb_defaulted, attributes);
  node = ctxt->node;
  depth = ctxt->nodeNr - 1;
  if (node == NULL || p->root_error != NULL)
    return;
  if (depth == 0 && !p->started)
    {
      p->started = TRUE;
      if (!parser_start_root (p, node))
        {
          xmlStopParser (ctxt);
          return;
        }
    }
  else if (!(depth == 1 && is_live (p, node->parent) &&
             g_ascii_strcasecmp ((const char *) node->name, "channel") == 0))
    return;
  if (p->n_live < G_N_ELEMENTS (p->live))
    {
      p->live[p->n_live++] = node;
      announce_start (p, node);
    }
}

/* Each element is read when it ends: the tree then holds it whole. */
static void
sax_end_element_ns (void *ctx, const xmlChar *localname, const xmlChar *prefix,
                    const xmlChar *uri)
{
  xmlParserCtxt *ctxt = ctx;
  Parser *p = ctxt->_private;
  xmlNode *node = ctxt->node;

  keep_entities (ctxt);
  xmlSAX2EndElementNs (ctx, localname, prefix, uri);
  if (node == NULL || node->type != XML_ELEMENT_NODE || p->root_error != NULL)
    return;
  if (is_live (p, node))
    {
      announce_end (p, node);
      p->n_live--;
      return;
    }
  if (node->parent == NULL || !is_live (p, node->parent))
    return;
  walk (p, node, 0);
  free_element (node);
}

/* Feeds use HTML's named entities (&nbsp;, &hellip;) without declaring
 * them; XML would stop there. They are declared on the fly as the one
 * character they stand for, and only those: nothing external. */
static xmlEntity *
sax_get_entity (void *ctx, const xmlChar *name)
{
  xmlParserCtxt *ctxt = ctx;
  xmlEntity *entity;
  const htmlEntityDesc *html;
  char utf8[8];
  int len;

  keep_entities (ctxt);
  entity = xmlSAX2GetEntity (ctx, name);
  if (entity != NULL || ctxt->inSubset != 0 || ctxt->myDoc == NULL)
    return entity;
  html = htmlEntityLookup (name);
  if (html == NULL || html->value == '<' || html->value == '&')
    return NULL;
  if (ctxt->myDoc->intSubset == NULL &&
      xmlCreateIntSubset (ctxt->myDoc, (const xmlChar *) "feed", NULL, NULL) == NULL)
    return NULL;
  len = g_unichar_to_utf8 (html->value, utf8);
  utf8[len] = '\0';
  return xmlAddDocEntity (ctxt->myDoc, name, XML_INTERNAL_GENERAL_ENTITY, NULL, NULL,
                          (const xmlChar *) utf8);
}

static void
parser_error_cb (void *user_data, xmlError *error)
{
  xmlParserCtxt *ctxt = user_data;
  Parser *p = ctxt->_private;

  if (error->level < XML_ERR_ERROR || error->code == XML_ERR_USER_STOP)
    return;
  p->n_errors++;
  if (error->code == XML_ERR_ENTITY_LOOP)
    p->entity_loop = TRUE;
  if (p->first_error == NULL)
    {
      g_autofree char *message = g_strdup (error->message ? error->message : "unknown error");

      g_strstrip (message);
      p->first_error = g_strdup_printf ("line %d: %s", error->line, message);
    }
}

static void
silent_generic_error_cb (void *ctx, const char *msg, ...)
{
}

static void
silent_structured_error_cb (void *ctx, xmlError *error)
{
}

static gboolean
is_blank (const char *data, gsize length)
{
  gsize i = 0;

  if (length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    i = 3;
  for (; i < length; i++)
    if (!g_ascii_isspace (data[i]) && data[i] != '\0')
      return FALSE;
  return TRUE;
}

/* Why no feed came out of a document whose root could not be read. */
static void
parser_set_unreadable_error (Parser *p, GError **error)
{
  const char *first = p->prefix + strspn (p->prefix, " \t\r\n");

  if (prefix_contains (p, "<html") || prefix_contains (p, "<!doctype html"))
    g_set_error (error, TALES_PARSE_ERROR, TALES_PARSE_ERROR_NOT_A_FEED,
                 _("This is a web page, not a feed."));
  else if (*first == '{' || *first == '[')
    g_set_error (error, TALES_PARSE_ERROR, TALES_PARSE_ERROR_NOT_A_FEED,
                 _("This is a JSON document, not a feed Tales can read."));
  else
    g_set_error (error, TALES_PARSE_ERROR, TALES_PARSE_ERROR_MALFORMED,
                 _("The document is not readable XML (%s)."),
                 p->first_error ? p->first_error : _("no root element"));
}

/* Never NOENT (entities substituted), DTDLOAD, DTDATTR or DTDVALID (which
 * would read other files), never HUGE (its limits stop entity bombs);
 * NONET in case anything still tried. CDATA stays CDATA, so that its
 * text is never coalesced with the markup-free text around it. */
static const int parser_options =
  XML_PARSE_NONET | XML_PARSE_RECOVER | XML_PARSE_NOWARNING | XML_PARSE_NOERROR |
  XML_PARSE_COMPACT;

typedef struct {
  Parser parser;
  xmlParserCtxt *ctxt;
  xmlGenericErrorFunc old_generic;
  void *old_generic_ctx;
  xmlStructuredErrorFunc old_structured;
  void *old_structured_ctx;
} Session;

/* The base URI and language HTTP gave, as feedparser weighs them. */
static char *
options_base (const TalesParseOptions *options)
{
  const char *href = options ? options->base_uri : NULL;
  const char *location = options ? options->content_location : NULL;
  g_autofree char *joined = NULL;

  if (location != NULL && *location != '\0')
    {
      joined = tales_uri_make_safe_absolute (href, location);
      if (joined != NULL && *joined != '\0')
        return g_steal_pointer (&joined);
      g_free (joined);
      joined = tales_uri_make_safe_absolute (location, NULL);
      if (joined != NULL && *joined != '\0')
        return g_steal_pointer (&joined);
    }
  return g_strdup (href);
}

static void
session_begin (Session *s, const TalesParseOptions *options, TalesParsePostFunc on_post,
               gpointer user_data)
{
  static gsize initialized = 0;
  g_autofree char *base = options_base (options);

  if (g_once_init_enter (&initialized))
    {
      xmlInitParser ();
      g_once_init_leave (&initialized, 1);
    }

  memset (s, 0, sizeof *s);
  s->parser.result = g_new0 (TalesParseResult, 1);
  s->parser.result->feed = tales_feed_new ();
  if (on_post == NULL)
    s->parser.result->posts = g_ptr_array_new_with_free_func (g_object_unref);
  s->parser.on_post = on_post;
  s->parser.user_data = user_data;
  s->parser.keep_extras = options != NULL && options->keep_extras;
  s->parser.entity_budget = MAX_ENTITY_EXPANSION;
  /* The text reaches the rules as UTF-8, whatever the document was in. */
  s->parser.state = _tales_parse_state_new (base, options ? options->content_language : NULL,
                                            "utf-8", parser_entry_cb, &s->parser);
  s->parser.state->exact_html = s->parser.keep_extras;
}

/* Starts the parser on the first (UTF-8) bytes. */
static gboolean
session_start (Session *s, const char *head, gsize head_len, const char *base_uri)
{
  xmlSAXHandler sax;
  gsize first = MIN (head_len, 4);

  /* libxml2 reports some errors outside of any parser context; none of
   * them may reach stderr. These are per thread. */
  s->old_generic = xmlGenericError;
  s->old_generic_ctx = xmlGenericErrorContext;
  s->old_structured = xmlStructuredError;
  s->old_structured_ctx = xmlStructuredErrorContext;
  xmlSetGenericErrorFunc (NULL, silent_generic_error_cb);
  xmlSetStructuredErrorFunc (NULL, silent_structured_error_cb);

  memset (&sax, 0, sizeof sax);
  xmlSAXVersion (&sax, 2);
  sax.startElementNs = sax_start_element_ns;
  sax.endElementNs = sax_end_element_ns;
  sax.getEntity = sax_get_entity;
  sax.characters = sax_characters;
  sax.cdataBlock = sax_cdata;
  sax.serror = parser_error_cb;
  sax.warning = NULL;
  sax.error = NULL;
  sax.fatalError = NULL;

  s->ctxt = xmlCreatePushParserCtxt (&sax, NULL, head, (int) first, base_uri);
  if (s->ctxt == NULL)
    return FALSE;
  s->ctxt->_private = &s->parser;
  xmlCtxtUseOptions (s->ctxt, parser_options);
  if (head_len > first)
    xmlParseChunk (s->ctxt, head + first, (int) (head_len - first), 0);
  return TRUE;
}

static gboolean
session_stopped (Session *s)
{
  return s->ctxt == NULL || s->ctxt->instate == XML_PARSER_EOF || s->ctxt->disableSAX;
}

/* Converts and parses the next raw bytes. */
static void
session_feed (Session *s, const char *data, gsize length, gboolean last, const char *base_uri)
{
  for (gsize done = 0; (done < length || (last && done == 0)); )
    {
      gsize n = MIN (CHUNK_SIZE, length - done);
      gboolean final = last && done + n == length;
      gsize utf8_len;
      const char *utf8 = _tales_decoder_convert (s->parser.decoder, data + done, n, final, &utf8_len);

      done += n;
      if (s->ctxt == NULL)
        {
          if (utf8_len == 0 && !final)
            continue;
          if (!session_start (s, utf8, utf8_len, base_uri))
            return;
        }
      else if (!session_stopped (s) && utf8_len > 0)
        xmlParseChunk (s->ctxt, utf8, (int) utf8_len, 0);
      if (session_stopped (s) || n == 0)
        break;
    }
}

static void
result_set_bozo (TalesParseResult *result, const char *exception, const char *message)
{
  result->bozo = TRUE;
  tales_set_str (&result->bozo_exception, exception);
  tales_set_str (&result->bozo_message, message);
}

/* What the document as a whole came to: version, encoding, bozo. */
static void
session_fill_result (Session *s)
{
  Parser *p = &s->parser;
  TalesParseResult *result = p->result;
  TalesDecoder *decoder = p->decoder;

  result->version = doctype_is_netscape (p) ? g_strdup ("rss091n") : g_strdup (p->state->version);
  result->encoding = g_strdup (decoder ? _tales_decoder_get_encoding (decoder) : "utf-8");
  result->namespaces = json_object_ref (p->state->namespaces_in_use);
  if (decoder != NULL && _tales_decoder_get_problem (decoder) != NULL)
    result_set_bozo (result, _tales_decoder_get_problem (decoder),
                     _tales_decoder_get_problem_message (decoder));
  else if (decoder != NULL && _tales_decoder_had_errors (decoder))
    result_set_bozo (result, "CharacterEncodingOverride",
                     _("Some bytes were not in the document's encoding."));
  if (p->n_errors > 0)
    result_set_bozo (result, "SAXParseException", p->first_error);
  _tales_feed_fill (result->feed, p->state->feeddata);
  if (p->keep_extras)
    g_object_set_data_full (G_OBJECT (result->feed), TALES_PARSE_EXTRAS,
                            json_object_ref (p->state->feeddata),
                            (GDestroyNotify) json_object_unref);
}

/* Roots feedparser reads as feeds even when no version shows (CDF's
 * <channel>, broken RSS). */
static gboolean
root_is_feedish (const char *name)
{
  static const char * const names[] = { "rss", "feed", "rdf", "channel", NULL };
  g_autofree char *lower = g_ascii_strdown (name ? name : "", -1);

  return g_strv_contains (names, lower);
}

/* Ends the parse and says what came of it. */
static TalesParseResult *
session_end (Session *s, GError **error)
{
  Parser *p = &s->parser;
  g_autoptr(TalesParseResult) result = NULL;

  if (s->ctxt != NULL)
    {
      if (!session_stopped (s))
        xmlParseChunk (s->ctxt, NULL, 0, 1);
      if (s->ctxt->myDoc != NULL)
        xmlFreeDoc (s->ctxt->myDoc);
      s->ctxt->myDoc = NULL;
      xmlFreeParserCtxt (s->ctxt);
      s->ctxt = NULL;
      xmlSetGenericErrorFunc (s->old_generic_ctx, s->old_generic);
      xmlSetStructuredErrorFunc (s->old_structured_ctx, s->old_structured);
    }
  if (p->root_error == NULL && p->started)
    {
      _tales_parse_state_finish (p->state);
      session_fill_result (s);
    }

  result = g_steal_pointer (&p->result);
  g_clear_pointer (&p->state, _tales_parse_state_free);
  g_clear_pointer (&p->decoder, _tales_decoder_free);
  if (p->root_error != NULL)
    {
      g_clear_pointer (&p->first_error, g_free);
      g_clear_pointer (&p->root_name, g_free);
      g_propagate_error (error, g_steal_pointer (&p->root_error));
      return NULL;
    }
  if (!p->started)
    {
      parser_set_unreadable_error (p, error);
      g_clear_pointer (&p->first_error, g_free);
      return NULL;
    }
  g_clear_pointer (&p->first_error, g_free);
  if (*result->version == '\0' && !root_is_feedish (p->root_name))
    {
      g_set_error (error, TALES_PARSE_ERROR, TALES_PARSE_ERROR_NOT_A_FEED,
                   _("This is an XML document of another kind (<%s>), not a feed."), p->root_name);
      g_clear_pointer (&p->root_name, g_free);
      return NULL;
    }
  g_clear_pointer (&p->root_name, g_free);
  if (result->bozo && p->n_errors > 0 && p->n_posts == 0 &&
      tales_feed_get_title (result->feed) == NULL && tales_feed_get_link (result->feed) == NULL)
    {
      g_set_error (error, TALES_PARSE_ERROR, TALES_PARSE_ERROR_MALFORMED,
                   _("The document is too broken to read a feed from it (%s)."),
                   result->bozo_message);
      return NULL;
    }
  return g_steal_pointer (&result);
}

static void
set_too_large_error (GError **error)
{
  g_set_error (error, TALES_PARSE_ERROR, TALES_PARSE_ERROR_TOO_LARGE,
               _("The document is larger than %u MiB."),
               (guint) (MAX_DOCUMENT_SIZE / 1024 / 1024));
}

static void
set_empty_error (GError **error)
{
  g_set_error (error, TALES_PARSE_ERROR, TALES_PARSE_ERROR_EMPTY,
               _("The document is empty."));
}

static TalesDecoder *
make_decoder (const char *data, gsize length, gboolean complete, const TalesParseOptions *options)
{
  return _tales_decoder_new (data, length, complete, options && options->from_http,
                             options ? options->content_type : NULL);
}

static TalesParseResult *
parse_json (GBytes                   *document,
            const TalesParseOptions  *options,
            TalesParsePostFunc        on_post,
            gpointer                  user_data,
            GError                  **error)
{
  g_autofree char *base = options_base (options);

  return _tales_parse_json (document, base, options, on_post, user_data, error);
}

TalesParseResult *
tales_parse_full (const char               *data,
                  gsize                     length,
                  const TalesParseOptions  *options,
                  TalesParsePostFunc        on_post,
                  gpointer                  user_data,
                  GError                  **error)
{
  Session s;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length > MAX_DOCUMENT_SIZE)
    {
      set_too_large_error (error);
      return NULL;
    }
  if (is_blank (data, length))
    {
      set_empty_error (error);
      return NULL;
    }
  if (_tales_parse_json_sniff (data, length))
    return parse_json (g_bytes_new_static (data, length), options, on_post, user_data, error);

  session_begin (&s, options, on_post, user_data);
  s.parser.prefix_len = MIN (length, SNIFF_SIZE);
  memcpy (s.parser.prefix, data, s.parser.prefix_len);
  s.parser.decoder = make_decoder (data, length, TRUE, options);
  session_feed (&s, data, length, TRUE, options ? options->base_uri : NULL);
  return session_end (&s, error);
}

TalesParseResult *
tales_parse (const char         *data,
             gsize               length,
             const char         *base_uri,
             TalesParsePostFunc  on_post,
             gpointer            user_data,
             GError            **error)
{
  TalesParseOptions options = { .base_uri = base_uri };

  return tales_parse_full (data, length, &options, on_post, user_data, error);
}

/* The rest of a JSON document after its first @head_len bytes, read whole
 * (see tales-parser-json.c) but never past the size cap. */
static TalesParseResult *
parse_json_stream (GInputStream             *stream,
                   const char               *head,
                   gsize                     head_len,
                   const TalesParseOptions  *options,
                   TalesParsePostFunc        on_post,
                   gpointer                  user_data,
                   GCancellable             *cancellable,
                   GError                  **error)
{
  g_autoptr(GByteArray) document = g_byte_array_new ();
  g_autofree char *chunk = g_malloc (CHUNK_SIZE);
  gssize n;

  g_byte_array_append (document, (const guint8 *) head, head_len);
  while ((n = g_input_stream_read (stream, chunk, CHUNK_SIZE, cancellable, error)) > 0)
    {
      if (document->len + (gsize) n > MAX_DOCUMENT_SIZE)
        {
          set_too_large_error (error);
          return NULL;
        }
      g_byte_array_append (document, (const guint8 *) chunk, n);
    }
  if (n < 0)
    return NULL;
  return parse_json (g_byte_array_free_to_bytes (g_steal_pointer (&document)),
                     options, on_post, user_data, error);
}

/* The XML path of tales_parse_stream_full(), once @buffer holds the
 * first @total bytes (DETECT_SIZE of them, unless the stream ended). */
static TalesParseResult *
parse_xml_stream (GInputStream             *stream,
                  char                     *buffer,
                  gsize                     total,
                  const TalesParseOptions  *options,
                  TalesParsePostFunc        on_post,
                  gpointer                  user_data,
                  GCancellable             *cancellable,
                  GError                  **error)
{
  Session s;
  Parser *p = &s.parser;
  GError *read_error = NULL;
  gboolean eof = total < DETECT_SIZE;
  TalesParseResult *result;
  const char *base_uri = options ? options->base_uri : NULL;

  session_begin (&s, options, on_post, user_data);
  p->prefix_len = MIN (total, SNIFF_SIZE);
  memcpy (p->prefix, buffer, p->prefix_len);
  p->decoder = make_decoder (buffer, total, eof, options);
  session_feed (&s, buffer, total, eof, base_uri);

  while (!eof && !session_stopped (&s))
    {
      gssize n;

      if (g_cancellable_set_error_if_cancelled (cancellable, &read_error))
        break;
      n = g_input_stream_read (stream, buffer, CHUNK_SIZE, cancellable, &read_error);
      if (n < 0)
        break;
      total += n;
      if (total > MAX_DOCUMENT_SIZE)
        break;
      eof = n == 0;
      session_feed (&s, buffer, n, eof, base_uri);
    }

  result = session_end (&s, error == NULL || read_error != NULL || total > MAX_DOCUMENT_SIZE
                            ? NULL : error);
  /* A failed read or an oversized stream explains any parse error. */
  if (read_error != NULL || total > MAX_DOCUMENT_SIZE)
    {
      g_clear_pointer (&result, tales_parse_result_free);
      if (read_error != NULL)
        g_propagate_error (error, read_error);
      else
        set_too_large_error (error);
    }
  return result;
}

TalesParseResult *
tales_parse_stream_full (GInputStream             *stream,
                         const TalesParseOptions  *options,
                         TalesParsePostFunc        on_post,
                         gpointer                  user_data,
                         GCancellable             *cancellable,
                         GError                  **error)
{
  g_autofree char *buffer = NULL;
  gsize total = 0;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  /* The first bytes say which parser reads the document; both are given
   * them, so nothing read here is lost. */
  buffer = g_malloc (DETECT_SIZE);
  if (!g_input_stream_read_all (stream, buffer, DETECT_SIZE, &total, cancellable, error))
    return NULL;
  if (total < DETECT_SIZE && is_blank (buffer, total))
    {
      set_empty_error (error);
      return NULL;
    }
  if (_tales_parse_json_sniff (buffer, total))
    return parse_json_stream (stream, buffer, total, options, on_post, user_data,
                              cancellable, error);
  return parse_xml_stream (stream, buffer, total, options, on_post, user_data,
                           cancellable, error);
}

TalesParseResult *
tales_parse_stream (GInputStream        *stream,
                    const char          *base_uri,
                    TalesParsePostFunc   on_post,
                    gpointer             user_data,
                    GCancellable        *cancellable,
                    GError             **error)
{
  TalesParseOptions options = { .base_uri = base_uri };

  return tales_parse_stream_full (stream, &options, on_post, user_data, cancellable, error);
}
