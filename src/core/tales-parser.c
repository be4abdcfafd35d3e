#define G_LOG_DOMAIN "tales-parser"

#include "config.h"

#include "tales-parser.h"
#include "tales-date.h"
#include "tales-compat.h"

#include <glib/gi18n-lib.h>
#include <libxml/HTMLparser.h>
#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <string.h>

/* How the parser works: libxml2's push parser builds the tree with its
 * usual SAX2 handlers, fed a chunk at a time. The root element says which
 * format this is. When an <item>/<entry> ends, it is whole in the tree:
 * it is turned into a TalesPost, handed on, and freed; every other child
 * of the channel is read and freed the same way. So the tree in memory
 * never holds more than one item, and the bytes never more than a chunk.
 *
 * (xmlTextReader would do the same with Expand/Next, but it gives up at
 * the first recoverable error, an undeclared &nbsp; say, and loses the
 * rest of the feed; the push parser in recovery mode goes on. An item the
 * input ended inside of never ends, so it is never emitted.) */

#define MAX_DOCUMENT_SIZE ((gsize) 256 * 1024 * 1024)
/* What one parse may add to the text through internal entities declared
 * in the document's own DTD: enough for real feeds, nothing for bombs. */
#define MAX_ENTITY_EXPANSION (1024 * 1024)
#define SNIFF_SIZE 1024

#define NS_ATOM10  "http://www.w3.org/2005/Atom"
#define NS_ATOM03  "http://purl.org/atom/ns#"
#define NS_RSS10   "http://purl.org/rss/1.0/"
#define NS_RSS090  "http://my.netscape.com/rdf/simple/0.9/"
#define NS_RDF     "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_DC      "http://purl.org/dc/elements/1.1/"
#define NS_DCTERMS "http://purl.org/dc/terms/"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"
#define NS_MEDIA   "http://search.yahoo.com/mrss"
#define NS_XHTML   "http://www.w3.org/1999/xhtml"

G_DEFINE_QUARK (tales-parse-error-quark, tales_parse_error)

typedef enum {
  FORMAT_NONE,
  FORMAT_RSS,   /* RSS 0.9x and 2.0: <rss><channel><item> */
  FORMAT_RDF,   /* RSS 0.90 and 1.0: <rdf:RDF><channel/><item/> */
  FORMAT_ATOM,  /* Atom 0.3 and 1.0: <feed><entry> */
} Format;

typedef enum {
  ROLE_DESCEND,  /* a container: read into it */
  ROLE_ITEM,     /* one post */
  ROLE_CHANNEL,  /* a feed-level element */
  ROLE_SKIP,
} Role;

typedef struct {
  Format format;
  char *core_ns;             /* the root element's namespace, if any */
  TalesParseResult *result;
  TalesParsePostFunc on_post;
  gpointer user_data;
  char prefix[SNIFF_SIZE + 1];  /* the document's first bytes, for errors */
  gsize prefix_len;
  gsize entity_budget;
  guint n_posts;
  guint n_errors;
  char *first_error;
  gboolean started;          /* the root element was seen */
  gboolean entity_loop;      /* libxml2 found an entity bomb */
  GError *root_error;        /* set when the root says "not a feed" */
} Parser;

/* Ranks of the places a cover image can come from; the higher wins. */
enum {
  COVER_NONE,
  COVER_MEDIA_CONTENT,
  COVER_ENCLOSURE,
  COVER_THUMBNAIL,
};

typedef struct {
  TalesPost *post;
  int cover_rank;
  gboolean have_link;
  char *guid_link;   /* a permalink guid: the link when there is none */
} Item;

void
tales_parse_result_free (TalesParseResult *result)
{
  if (result == NULL)
    return;
  g_free (result->version);
  g_free (result->bozo_message);
  g_free (result->encoding);
  g_clear_object (&result->feed);
  g_clear_pointer (&result->posts, g_ptr_array_unref);
  g_free (result);
}

/* --- small tree helpers ------------------------------------------------ */

static inline gboolean
name_is (xmlNode *node, const char *name)
{
  return strcmp ((const char *) node->name, name) == 0;
}

static inline const char *
ns_of (xmlNode *node)
{
  return node->ns ? (const char *) node->ns->href : NULL;
}

static inline gboolean
ns_is (xmlNode *node, const char *href)
{
  return node->ns && strcmp ((const char *) node->ns->href, href) == 0;
}

/* Whether @node belongs to the feed format itself rather than to an
 * extension: no namespace, the root's namespace, or the format's own. */
static gboolean
is_core (Parser *p, xmlNode *node)
{
  const char *href = ns_of (node);

  if (href == NULL || (p->core_ns && strcmp (href, p->core_ns) == 0))
    return TRUE;
  if (p->format == FORMAT_ATOM)
    return strcmp (href, NS_ATOM10) == 0 || strcmp (href, NS_ATOM03) == 0;
  return strcmp (href, NS_RSS10) == 0 || strcmp (href, NS_RSS090) == 0;
}

static char *
get_attr (xmlNode *node, const char *name)
{
  xmlChar *value = xmlGetNoNsProp (node, (const xmlChar *) name);
  char *copy;

  if (value == NULL)
    return NULL;
  copy = g_strdup ((const char *) value);
  xmlFree (value);
  return copy;
}

static void collect_text (Parser *p, xmlNode *node, GString *out, int depth);

/* An entity reference left in the tree (the parser never substitutes
 * entities): only internal entities with plain text are expanded, within
 * a budget, so neither external files nor entity bombs get in. */
static void
append_entity (Parser *p, xmlNode *ref, GString *out)
{
  xmlEntity *entity = xmlGetDocEntity (ref->doc, ref->name);
  gsize len;

  if (entity == NULL || entity->etype != XML_INTERNAL_GENERAL_ENTITY ||
      entity->content == NULL)
    return;
  if (strchr ((const char *) entity->content, '&') ||
      strchr ((const char *) entity->content, '<'))
    return;
  len = strlen ((const char *) entity->content);
  if (len > p->entity_budget)
    return;
  p->entity_budget -= len;
  g_string_append (out, (const char *) entity->content);
}

static void
collect_text (Parser *p, xmlNode *node, GString *out, int depth)
{
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    {
      switch (child->type)
        {
        case XML_TEXT_NODE:
        case XML_CDATA_SECTION_NODE:
          if (child->content)
            g_string_append (out, (const char *) child->content);
          break;
        case XML_ELEMENT_NODE:
          if (depth < 64)
            collect_text (p, child, out, depth + 1);
          break;
        case XML_ENTITY_REF_NODE:
          append_entity (p, child, out);
          break;
        default:
          break;
        }
    }
}

/* All the text inside @node (CDATA and entities decoded); NULL when there
 * is none. */
static char *
node_text (Parser *p, xmlNode *node)
{
  xmlNode *child = node->children;
  GString *out;

  if (child == NULL)
    return NULL;
  /* The usual case, one text or CDATA node, without a GString. */
  if (child->next == NULL &&
      (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE))
    return g_strdup ((const char *) child->content);
  out = g_string_new (NULL);
  collect_text (p, node, out, 0);
  return g_string_free (out, out->len == 0);
}

static char *
node_text_trimmed (Parser *p, xmlNode *node)
{
  char *text = node_text (p, node);

  if (text == NULL)
    return NULL;
  g_strstrip (text);
  if (*text == '\0')
    g_clear_pointer (&text, g_free);
  return text;
}

static gboolean
has_element_child (xmlNode *node)
{
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      return TRUE;
  return FALSE;
}

/* The children of @node as markup. */
static char *
inner_markup (xmlNode *node)
{
  xmlBuffer *buffer = xmlBufferCreate ();
  char *markup;

  for (xmlNode *child = node->children; child != NULL; child = child->next)
    xmlNodeDump (buffer, node->doc, child, 0, 0);
  markup = g_strndup ((const char *) xmlBufferContent (buffer), xmlBufferLength (buffer));
  xmlBufferFree (buffer);
  return markup;
}

/* An HTML body as the feed has it: escaped or CDATA HTML as text, or
 * (in sloppy feeds) HTML elements written straight into the XML. */
static char *
node_html (Parser *p, xmlNode *node)
{
  char *html = has_element_child (node) ? inner_markup (node) : node_text (p, node);

  return html ? g_strstrip (html) : NULL;
}

/* @href made absolute against xml:base and the document's address. */
static char *
resolve_uri (xmlNode *node, const char *href)
{
  xmlChar *base;
  char *resolved;

  if (href == NULL || g_uri_peek_scheme (href) != NULL)
    return g_strdup (href);
  base = xmlNodeGetBase (node->doc, node);
  if (base == NULL)
    return g_strdup (href);
  resolved = g_uri_resolve_relative ((const char *) base, href, G_URI_FLAGS_NONE, NULL);
  xmlFree (base);
  return resolved ? resolved : g_strdup (href);
}

static char *
node_uri (Parser *p, xmlNode *node)
{
  g_autofree char *text = node_text_trimmed (p, node);

  return text ? resolve_uri (node, text) : NULL;
}

static char *
attr_uri (xmlNode *node, const char *name)
{
  g_autofree char *value = get_attr (node, name);

  if (value == NULL)
    return NULL;
  g_strstrip (value);
  if (*value == '\0')
    return NULL;
  return resolve_uri (node, value);
}

static gboolean
looks_like_image (const char *type, const char *href)
{
  static const char * const extensions[] = {
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg", ".bmp",
  };
  const char *path_end;
  gsize len;

  if (type != NULL)
    return g_ascii_strncasecmp (type, "image/", 6) == 0;
  if (href == NULL)
    return FALSE;
  path_end = href + strcspn (href, "?#");
  len = path_end - href;
  for (guint i = 0; i < G_N_ELEMENTS (extensions); i++)
    {
      gsize ext_len = strlen (extensions[i]);

      if (len > ext_len && g_ascii_strncasecmp (path_end - ext_len, extensions[i], ext_len) == 0)
        return TRUE;
    }
  return FALSE;
}

/* --- posts --------------------------------------------------------------- */

static void
item_offer_cover (Item *item, const char *url, int rank)
{
  if (url == NULL || rank <= item->cover_rank)
    return;
  item->cover_rank = rank;
  tales_post_set_cover_url (item->post, url);
}

static void
item_set_title (Parser *p, Item *item, xmlNode *node)
{
  g_autofree char *title = NULL;

  if (tales_post_get_title (item->post) != NULL)
    return;
  title = node_text_trimmed (p, node);
  tales_post_set_title (item->post, title);
}

static void
item_set_link (Item *item, char *link)
{
  if (link != NULL && !item->have_link)
    {
      tales_post_set_link (item->post, link);
      item->have_link = TRUE;
    }
  g_free (link);
}

static void
item_set_author (Parser *p, Item *item, xmlNode *node)
{
  g_autofree char *author = NULL;

  if (tales_post_get_author (item->post) != NULL)
    return;
  author = node_text_trimmed (p, node);
  tales_post_set_author (item->post, author);
}

static void
item_set_date (Parser *p, Item *item, xmlNode *node, gboolean published)
{
  TalesPost *post = item->post;
  g_autofree char *text = NULL;
  g_autoptr(GDateTime) date = NULL;

  if ((published ? tales_post_get_published_text (post) : tales_post_get_updated_text (post)) != NULL)
    return;
  text = node_text_trimmed (p, node);
  if (text == NULL)
    return;
  date = tales_date_parse (text);
  if (published)
    {
      tales_post_set_published_text (post, text);
      tales_post_set_published (post, date);
    }
  else
    {
      tales_post_set_updated_text (post, text);
      tales_post_set_updated (post, date);
    }
}

/* The terms are trimmed: feeds pad them ("Business growth "), and a
 * category is a label to show and to match, not text to keep verbatim. */
static void
item_add_tag (Item *item, char *term, char *scheme, char *label)
{
  if (term != NULL)
    g_strstrip (term);
  if (term != NULL && *term != '\0')
    tales_post_add_tag (item->post, term, scheme && *scheme ? scheme : NULL,
                        label && *label ? label : NULL);
  g_free (term);
  g_free (scheme);
  g_free (label);
}

static void
item_add_enclosure (Item *item, xmlNode *node, const char *href_attr)
{
  g_autofree char *href = attr_uri (node, href_attr);
  g_autofree char *type = get_attr (node, "type");
  g_autofree char *length = get_attr (node, "length");
  gint64 size = length ? g_ascii_strtoll (length, NULL, 10) : 0;

  if (href == NULL)
    return;
  tales_post_add_enclosure (item->post, href, type && *type ? type : NULL, MAX (size, 0));
  if (looks_like_image (type && *type ? type : NULL, href))
    item_offer_cover (item, href, COVER_ENCLOSURE);
}

static void
item_set_summary (Item *item, char *html)
{
  if (html != NULL && tales_post_get_summary (item->post) == NULL)
    tales_post_set_summary (item->post, html);
  g_free (html);
}

static void
item_set_content (Item *item, char *html)
{
  if (html != NULL && tales_post_get_content (item->post) == NULL)
    tales_post_set_content (item->post, html);
  g_free (html);
}

static void
item_media (Item *item, xmlNode *node)
{
  if (name_is (node, "thumbnail"))
    {
      g_autofree char *url = attr_uri (node, "url");

      item_offer_cover (item, url, COVER_THUMBNAIL);
    }
  else if (name_is (node, "content"))
    {
      g_autofree char *url = attr_uri (node, "url");
      g_autofree char *medium = get_attr (node, "medium");
      g_autofree char *type = get_attr (node, "type");

      if (g_strcmp0 (medium, "image") == 0 || looks_like_image (type, medium ? NULL : url))
        item_offer_cover (item, url, COVER_MEDIA_CONTENT);
      for (xmlNode *child = node->children; child != NULL; child = child->next)
        if (child->type == XML_ELEMENT_NODE && name_is (child, "thumbnail"))
          item_media (item, child);
    }
  else if (name_is (node, "group"))
    {
      for (xmlNode *child = node->children; child != NULL; child = child->next)
        if (child->type == XML_ELEMENT_NODE)
          item_media (item, child);
    }
}

static void
item_atom_link (Item *item, xmlNode *node)
{
  g_autofree char *rel = get_attr (node, "rel");

  if (rel == NULL || strcmp (rel, "alternate") == 0 ||
      strcmp (rel, "http://www.iana.org/assignments/relation/alternate") == 0)
    item_set_link (item, attr_uri (node, "href"));
  else if (strcmp (rel, "enclosure") == 0)
    item_add_enclosure (item, node, "href");
}

/* Extension elements that mean the same in RSS and Atom entries. */
static void
item_extension (Parser *p, Item *item, xmlNode *node)
{
  const char *ns = ns_of (node);

  if (ns == NULL)
    return;
  if (strcmp (ns, NS_DC) == 0)
    {
      if (name_is (node, "creator") || name_is (node, "author"))
        item_set_author (p, item, node);
      else if (name_is (node, "date"))
        item_set_date (p, item, node, TRUE);
      else if (name_is (node, "subject"))
        item_add_tag (item, node_text (p, node), NULL, NULL);
      else if (name_is (node, "title"))
        item_set_title (p, item, node);
      else if (name_is (node, "description"))
        item_set_summary (item, node_html (p, node));
    }
  else if (strcmp (ns, NS_DCTERMS) == 0)
    {
      if (name_is (node, "issued") || name_is (node, "created"))
        item_set_date (p, item, node, TRUE);
      else if (name_is (node, "modified"))
        item_set_date (p, item, node, FALSE);
    }
  else if (strcmp (ns, NS_CONTENT) == 0)
    {
      if (name_is (node, "encoded"))
        item_set_content (item, node_html (p, node));
    }
  else if (g_str_has_prefix (ns, NS_MEDIA))
    item_media (item, node);
  else if (strcmp (ns, NS_XHTML) == 0)
    {
      if (name_is (node, "body"))
        item_set_content (item, g_strstrip (inner_markup (node)));
    }
  else if (strcmp (ns, NS_ATOM10) == 0 && p->format != FORMAT_ATOM)
    {
      if (name_is (node, "link"))
        item_atom_link (item, node);
      else if (name_is (node, "updated"))
        item_set_date (p, item, node, FALSE);
      else if (name_is (node, "published"))
        item_set_date (p, item, node, TRUE);
    }
}

static void
rss_item_guid (Parser *p, Item *item, xmlNode *node)
{
  g_autofree char *guid = node_text_trimmed (p, node);
  g_autofree char *permalink = NULL;

  if (guid == NULL || tales_post_get_guid (item->post) != NULL)
    return;
  tales_post_set_guid (item->post, guid);
  permalink = get_attr (node, "isPermaLink");
  if ((permalink == NULL || g_ascii_strcasecmp (permalink, "true") == 0) &&
      g_uri_peek_scheme (guid) != NULL)
    item->guid_link = g_steal_pointer (&guid);
}

static void
rss_item_child (Parser *p, Item *item, xmlNode *node)
{
  if (!is_core (p, node))
    {
      item_extension (p, item, node);
      return;
    }
  if (name_is (node, "title"))
    item_set_title (p, item, node);
  else if (name_is (node, "link"))
    item_set_link (item, node_uri (p, node));
  else if (name_is (node, "guid"))
    rss_item_guid (p, item, node);
  else if (name_is (node, "description"))
    item_set_summary (item, node_html (p, node));
  else if (name_is (node, "author"))
    item_set_author (p, item, node);
  else if (name_is (node, "category"))
    item_add_tag (item, node_text (p, node), get_attr (node, "domain"), NULL);
  else if (name_is (node, "pubDate"))
    item_set_date (p, item, node, TRUE);
  else if (name_is (node, "enclosure"))
    item_add_enclosure (item, node, "url");
}

/* An Atom text construct as HTML: type="html" is HTML already, "xhtml"
 * is the markup inside its <div>, and plain text is escaped. */
static char *
atom_html (Parser *p, xmlNode *node)
{
  g_autofree char *type = get_attr (node, "type");
  g_autofree char *mode = get_attr (node, "mode");
  g_autofree char *text = NULL;

  if (g_strcmp0 (type, "xhtml") == 0 || g_strcmp0 (type, "application/xhtml+xml") == 0 ||
      g_strcmp0 (mode, "xml") == 0)
    {
      for (xmlNode *child = node->children; child != NULL; child = child->next)
        if (child->type == XML_ELEMENT_NODE && name_is (child, "div") && ns_is (child, NS_XHTML))
          return inner_markup (child);
      return inner_markup (node);
    }
  if (g_strcmp0 (type, "html") == 0 || g_strcmp0 (type, "text/html") == 0 ||
      g_strcmp0 (mode, "escaped") == 0)
    return node_html (p, node);
  if (has_element_child (node))
    return inner_markup (node);
  text = node_text (p, node);
  return text ? g_markup_escape_text (text, -1) : NULL;
}

static void
atom_entry_author (Parser *p, Item *item, xmlNode *node)
{
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE && name_is (child, "name"))
      {
        item_set_author (p, item, child);
        return;
      }
}

static void
atom_entry_child (Parser *p, Item *item, xmlNode *node)
{
  if (!is_core (p, node))
    {
      item_extension (p, item, node);
      return;
    }
  if (name_is (node, "title"))
    item_set_title (p, item, node);
  else if (name_is (node, "link"))
    item_atom_link (item, node);
  else if (name_is (node, "id"))
    {
      g_autofree char *id = node_text_trimmed (p, node);

      if (tales_post_get_guid (item->post) == NULL)
        tales_post_set_guid (item->post, id);
    }
  else if (name_is (node, "author"))
    atom_entry_author (p, item, node);
  else if (name_is (node, "published") || name_is (node, "issued") || name_is (node, "created"))
    item_set_date (p, item, node, TRUE);
  else if (name_is (node, "updated") || name_is (node, "modified"))
    item_set_date (p, item, node, FALSE);
  else if (name_is (node, "category"))
    item_add_tag (item, get_attr (node, "term"), get_attr (node, "scheme"), get_attr (node, "label"));
  else if (name_is (node, "summary"))
    item_set_summary (item, atom_html (p, node));
  else if (name_is (node, "content"))
    item_set_content (item, atom_html (p, node));
}

static void
parser_emit_item (Parser *p, xmlNode *node)
{
  Item item = { 0 };

  item.post = tales_post_new ();
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    {
      if (child->type != XML_ELEMENT_NODE)
        continue;
      if (p->format == FORMAT_ATOM)
        atom_entry_child (p, &item, child);
      else
        rss_item_child (p, &item, child);
    }

  if (p->format == FORMAT_RDF && tales_post_get_guid (item.post) == NULL)
    {
      xmlChar *about = xmlGetNsProp (node, (const xmlChar *) "about", (const xmlChar *) NS_RDF);

      tales_post_set_guid (item.post, (const char *) about);
      xmlFree (about);
    }
  if (!item.have_link && item.guid_link != NULL)
    item_set_link (&item, resolve_uri (node, item.guid_link));
  tales_post_set_feed_title (item.post, tales_feed_get_title (p->result->feed));

  if (p->on_post != NULL)
    p->on_post (item.post, p->user_data);
  else
    g_ptr_array_add (p->result->posts, g_object_ref (item.post));
  p->n_posts++;
  g_object_unref (item.post);
  g_free (item.guid_link);
}

/* --- the channel --------------------------------------------------------- */

static void
feed_set_updated (Parser *p, xmlNode *node, gboolean preferred)
{
  TalesFeed *feed = p->result->feed;
  g_autofree char *text = NULL;
  g_autoptr(GDateTime) date = NULL;

  if (!preferred && g_object_get_data (G_OBJECT (feed), TALES_PARSE_FEED_UPDATED_TEXT) != NULL)
    return;
  text = node_text_trimmed (p, node);
  if (text == NULL)
    return;
  date = tales_date_parse (text);
  tales_feed_set_updated (feed, date);
  g_object_set_data_full (G_OBJECT (feed), TALES_PARSE_FEED_UPDATED_TEXT,
                          g_steal_pointer (&text), g_free);
}

static void
feed_set_string (TalesFeed *feed,
                 const char *(*getter) (TalesFeed *),
                 void (*setter) (TalesFeed *, const char *),
                 char *value)
{
  if (value != NULL && getter (feed) == NULL)
    setter (feed, value);
  g_free (value);
}

static void
feed_image (Parser *p, xmlNode *node)
{
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE && name_is (child, "url"))
      feed_set_string (p->result->feed, tales_feed_get_image_url,
                       tales_feed_set_image_url, node_uri (p, child));
}

static void
feed_extension (Parser *p, xmlNode *node)
{
  TalesFeed *feed = p->result->feed;

  if (ns_is (node, NS_DC))
    {
      if (name_is (node, "title"))
        feed_set_string (feed, tales_feed_get_title, tales_feed_set_title, node_text_trimmed (p, node));
      else if (name_is (node, "description"))
        feed_set_string (feed, tales_feed_get_subtitle, tales_feed_set_subtitle, node_html (p, node));
      else if (name_is (node, "language"))
        feed_set_string (feed, tales_feed_get_language, tales_feed_set_language, node_text_trimmed (p, node));
      else if (name_is (node, "date"))
        feed_set_updated (p, node, FALSE);
    }
  else if (ns_is (node, NS_DCTERMS) && name_is (node, "modified"))
    feed_set_updated (p, node, FALSE);
}

static void
rss_channel_child (Parser *p, xmlNode *node)
{
  TalesFeed *feed = p->result->feed;

  if (!is_core (p, node))
    {
      feed_extension (p, node);
      return;
    }
  if (name_is (node, "title"))
    feed_set_string (feed, tales_feed_get_title, tales_feed_set_title, node_text_trimmed (p, node));
  else if (name_is (node, "link"))
    feed_set_string (feed, tales_feed_get_link, tales_feed_set_link, node_uri (p, node));
  else if (name_is (node, "description"))
    feed_set_string (feed, tales_feed_get_subtitle, tales_feed_set_subtitle, node_html (p, node));
  else if (name_is (node, "image"))
    feed_image (p, node);
  else if (name_is (node, "language"))
    feed_set_string (feed, tales_feed_get_language, tales_feed_set_language, node_text_trimmed (p, node));
  else if (name_is (node, "lastBuildDate"))
    feed_set_updated (p, node, TRUE);
  else if (name_is (node, "pubDate"))
    feed_set_updated (p, node, FALSE);
}

static void
atom_feed_child (Parser *p, xmlNode *node)
{
  TalesFeed *feed = p->result->feed;

  if (!is_core (p, node))
    {
      feed_extension (p, node);
      return;
    }
  if (name_is (node, "title"))
    feed_set_string (feed, tales_feed_get_title, tales_feed_set_title, node_text_trimmed (p, node));
  else if (name_is (node, "subtitle") || name_is (node, "tagline"))
    feed_set_string (feed, tales_feed_get_subtitle, tales_feed_set_subtitle, atom_html (p, node));
  else if (name_is (node, "link"))
    {
      g_autofree char *rel = get_attr (node, "rel");

      if (rel == NULL || strcmp (rel, "alternate") == 0)
        feed_set_string (feed, tales_feed_get_link, tales_feed_set_link, attr_uri (node, "href"));
    }
  else if (name_is (node, "logo"))
    {
      /* The logo (wide) is preferred to the icon (square, small). */
      g_autofree char *logo = node_uri (p, node);

      if (logo != NULL)
        tales_feed_set_image_url (feed, logo);
    }
  else if (name_is (node, "icon"))
    feed_set_string (feed, tales_feed_get_image_url, tales_feed_set_image_url, node_uri (p, node));
  else if (name_is (node, "updated") || name_is (node, "modified"))
    feed_set_updated (p, node, TRUE);
}

/* --- the document -------------------------------------------------------- */

static const char *
rss_version (const char *attr)
{
  if (attr == NULL)
    return "rss";
  if (g_str_has_prefix (attr, "2."))
    return "rss20";
  if (strcmp (attr, "0.91") == 0)
    return "rss091u";
  if (strcmp (attr, "0.92") == 0)
    return "rss092";
  if (strcmp (attr, "0.93") == 0)
    return "rss093";
  if (strcmp (attr, "0.94") == 0)
    return "rss094";
  return "rss";
}

static char *
atom_version (const char *ns, const char *attr)
{
  if (g_strcmp0 (ns, NS_ATOM10) == 0)
    return g_strdup ("atom10");
  if (g_strcmp0 (ns, NS_ATOM03) == 0 && attr == NULL)
    return g_strdup ("atom03");
  if (attr != NULL && strlen (attr) == 3 && g_ascii_isdigit (attr[0]) &&
      attr[1] == '.' && g_ascii_isdigit (attr[2]))
    return g_strdup_printf ("atom%c%c", attr[0], attr[2]);
  return g_strdup ("atom");
}

static gboolean
prefix_contains (Parser *p, const char *needle)
{
  g_autofree char *lower = g_ascii_strdown (p->prefix, p->prefix_len);

  return strstr (lower, needle) != NULL;
}

/* Reads the root element: which format, which version, or not a feed. */
static gboolean
parser_start (Parser *p, xmlParserCtxt *ctxt, xmlNode *root, GError **error)
{
  const char *name = (const char *) root->name;
  const char *ns = ns_of (root);
  const char *encoding = (const char *) ctxt->encoding;
  g_autofree char *version = get_attr (root, "version");
  xmlChar *lang = xmlGetNsProp (root, (const xmlChar *) "lang", XML_XML_NAMESPACE);

  if (strcmp (name, "rss") == 0)
    {
      p->format = FORMAT_RSS;
      if (g_strcmp0 (version, "0.91") == 0 && prefix_contains (p, "netscape"))
        p->result->version = g_strdup ("rss091n");
      else
        p->result->version = g_strdup (rss_version (version));
    }
  else if (strcmp (name, "RDF") == 0)
    {
      xmlNs *default_ns = xmlSearchNs (root->doc, root, NULL);

      p->format = FORMAT_RDF;
      p->result->version = g_strdup (default_ns && g_strcmp0 ((const char *) default_ns->href, NS_RSS090) == 0
                                     ? "rss090" : "rss10");
    }
  else if (strcmp (name, "feed") == 0)
    {
      p->format = FORMAT_ATOM;
      p->result->version = atom_version (ns, version);
    }
  else
    {
      if (g_ascii_strcasecmp (name, "html") == 0)
        g_set_error (error, TALES_PARSE_ERROR, TALES_PARSE_ERROR_NOT_A_FEED,
                     _("This is a web page, not a feed."));
      else
        g_set_error (error, TALES_PARSE_ERROR, TALES_PARSE_ERROR_NOT_A_FEED,
                     _("This is an XML document of another kind (<%s>), not a feed."), name);
      xmlFree (lang);
      return FALSE;
    }

  if (encoding == NULL && ctxt->input && ctxt->input->buf && ctxt->input->buf->encoder)
    encoding = ctxt->input->buf->encoder->name;
  p->core_ns = g_strdup (ns);
  p->result->encoding = g_ascii_strdown (encoding ? encoding : "utf-8", -1);
  if (lang != NULL && *lang != '\0')
    tales_feed_set_language (p->result->feed, (const char *) lang);
  xmlFree (lang);
  return TRUE;
}

static Role
parser_classify (Parser *p, int depth, const char *name, const char *ns)
{
  switch (p->format)
    {
    case FORMAT_RSS:
      if (strcmp (name, "item") == 0)
        return ROLE_ITEM;
      if (depth == 1)
        return strcmp (name, "channel") == 0 ? ROLE_DESCEND : ROLE_SKIP;
      return ROLE_CHANNEL;
    case FORMAT_RDF:
      if (depth == 1 && g_strcmp0 (ns, NS_RSS090) == 0)
        tales_set_str (&p->result->version, "rss090");
      if (strcmp (name, "item") == 0)
        return ROLE_ITEM;
      if (depth == 1)
        {
          if (strcmp (name, "channel") == 0)
            return ROLE_DESCEND;
          return strcmp (name, "image") == 0 ? ROLE_CHANNEL : ROLE_SKIP;
        }
      return strcmp (name, "items") == 0 ? ROLE_SKIP : ROLE_CHANNEL;
    case FORMAT_ATOM:
      return strcmp (name, "entry") == 0 ? ROLE_ITEM : ROLE_CHANNEL;
    case FORMAT_NONE:
    default:
      return ROLE_SKIP;
    }
}

static void
parser_channel_child (Parser *p, xmlNode *node)
{
  if (p->format == FORMAT_ATOM)
    atom_feed_child (p, node);
  else
    rss_channel_child (p, node);
}

/* Which elements are read and then freed: the children of the root and
 * of the containers (RSS <channel>) below it. Nothing deeper: those are
 * parts of an item or of a channel element, read with it. */
static gboolean
parser_is_top_level (Parser *p, xmlNode *node, int depth)
{
  xmlNode *parent = node->parent;

  if (depth == 1)
    return TRUE;
  return depth == 2 && p->format != FORMAT_ATOM && parent != NULL &&
         parser_classify (p, 1, (const char *) parent->name, ns_of (parent)) == ROLE_DESCEND;
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
sax_start_element_ns (void *ctx, const xmlChar *localname, const xmlChar *prefix,
                      const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
                      int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
  xmlParserCtxt *ctxt = ctx;
  Parser *p = ctxt->_private;

  keep_entities (ctxt);
  xmlSAX2StartElementNs (ctx, localname, prefix, uri, nb_namespaces, namespaces,
                         nb_attributes, nb_defaulted, attributes);
  if (p->started || ctxt->nodeNr != 1 || ctxt->node == NULL)
    return;
  p->started = TRUE;
  if (!parser_start (p, ctxt, ctxt->node, &p->root_error))
    xmlStopParser (ctxt);
}

/* Each element is read when it ends: the tree then holds it whole. */
static void
sax_end_element_ns (void *ctx, const xmlChar *localname, const xmlChar *prefix,
                    const xmlChar *uri)
{
  xmlParserCtxt *ctxt = ctx;
  Parser *p = ctxt->_private;
  xmlNode *node = ctxt->node;
  int depth = ctxt->nodeNr - 1;
  Role role;

  keep_entities (ctxt);
  xmlSAX2EndElementNs (ctx, localname, prefix, uri);
  if (node == NULL || node->type != XML_ELEMENT_NODE || p->format == FORMAT_NONE ||
      depth < 1 || !parser_is_top_level (p, node, depth))
    return;

  role = parser_classify (p, depth, (const char *) node->name, ns_of (node));
  if (role == ROLE_DESCEND)
    return;
  if (role == ROLE_ITEM)
    parser_emit_item (p, node);
  else if (role == ROLE_CHANNEL)
    parser_channel_child (p, node);
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
 * NONET in case anything still tried. */
static const int parser_options =
  XML_PARSE_NONET | XML_PARSE_RECOVER | XML_PARSE_NOWARNING | XML_PARSE_NOERROR |
  XML_PARSE_NOCDATA | XML_PARSE_COMPACT;

#define CHUNK_SIZE (64 * 1024)

typedef struct {
  Parser parser;
  xmlParserCtxt *ctxt;
  xmlGenericErrorFunc old_generic;
  void *old_generic_ctx;
  xmlStructuredErrorFunc old_structured;
  void *old_structured_ctx;
} Session;

static void
session_begin (Session *s, TalesParsePostFunc on_post, gpointer user_data)
{
  static gsize initialized = 0;

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
  s->parser.entity_budget = MAX_ENTITY_EXPANSION;
}

/* Starts the parser on the first bytes, which say the encoding. */
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
  return s->ctxt->instate == XML_PARSER_EOF || s->ctxt->disableSAX;
}

static void
session_push (Session *s, const char *data, gsize length)
{
  for (gsize done = 0; done < length && !session_stopped (s); done += CHUNK_SIZE)
    xmlParseChunk (s->ctxt, data + done, (int) MIN (CHUNK_SIZE, length - done), 0);
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

  result = g_steal_pointer (&p->result);
  g_clear_pointer (&p->core_ns, g_free);
  if (p->root_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&p->root_error));
      return NULL;
    }
  if (!p->started)
    {
      parser_set_unreadable_error (p, error);
      g_clear_pointer (&p->first_error, g_free);
      return NULL;
    }
  if (p->n_errors > 0)
    {
      result->bozo = TRUE;
      result->bozo_message = g_steal_pointer (&p->first_error);
      if (p->n_posts == 0 && tales_feed_get_title (result->feed) == NULL &&
          tales_feed_get_link (result->feed) == NULL)
        {
          g_set_error (error, TALES_PARSE_ERROR, TALES_PARSE_ERROR_MALFORMED,
                       _("The document is too broken to read a feed from it (%s)."),
                       result->bozo_message);
          return NULL;
        }
    }
  g_clear_pointer (&p->first_error, g_free);
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

TalesParseResult *
tales_parse (const char         *data,
             gsize               length,
             const char         *base_uri,
             TalesParsePostFunc  on_post,
             gpointer            user_data,
             GError            **error)
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

  session_begin (&s, on_post, user_data);
  s.parser.prefix_len = MIN (length, SNIFF_SIZE);
  memcpy (s.parser.prefix, data, s.parser.prefix_len);
  if (session_start (&s, data, MIN (length, CHUNK_SIZE), base_uri))
    session_push (&s, data + MIN (length, CHUNK_SIZE), length - MIN (length, CHUNK_SIZE));
  return session_end (&s, error);
}

TalesParseResult *
tales_parse_stream (GInputStream        *stream,
                    const char          *base_uri,
                    TalesParsePostFunc   on_post,
                    gpointer             user_data,
                    GCancellable        *cancellable,
                    GError             **error)
{
  Session s;
  Parser *p = &s.parser;
  g_autofree char *buffer = NULL;
  GError *read_error = NULL;
  gsize total;
  TalesParseResult *result;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  session_begin (&s, on_post, user_data);
  if (!g_input_stream_read_all (stream, p->prefix, SNIFF_SIZE, &p->prefix_len,
                                cancellable, &read_error) ||
      (p->prefix_len < SNIFF_SIZE && is_blank (p->prefix, p->prefix_len)))
    {
      g_clear_pointer (&p->result, tales_parse_result_free);
      if (read_error != NULL)
        g_propagate_error (error, read_error);
      else
        set_empty_error (error);
      return NULL;
    }

  total = p->prefix_len;
  buffer = g_malloc (CHUNK_SIZE);
  if (session_start (&s, p->prefix, p->prefix_len, base_uri))
    while (!session_stopped (&s))
      {
        gssize n;

        if (g_cancellable_set_error_if_cancelled (cancellable, &read_error))
          break;
        n = g_input_stream_read (stream, buffer, CHUNK_SIZE, cancellable, &read_error);
        if (n <= 0)
          break;
        total += n;
        if (total > MAX_DOCUMENT_SIZE)
          break;
        session_push (&s, buffer, n);
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
