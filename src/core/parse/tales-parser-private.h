#pragma once

/* Internals shared by the parser's files:
 *
 *   tales-parser.c           the document: bytes in, libxml2 push parser,
 *                            which elements are read live and which whole
 *   tales-encoding.c         which charset the bytes are in, and to UTF-8
 *   tales-parser-state.c     feedparser's element rules: a SAX-like state
 *                            machine that fills feedparser-shaped dicts
 *   tales-parser-handlers.c  the per-element start/end handlers (RSS, Atom,
 *                            RDF, CDF and the extension namespaces)
 *   tales-parser-text.c      what happens to an element's text when it
 *                            ends: base64, HTML sniffing, relative URIs
 *   tales-parser-html.c      re-serializing HTML with absolute URIs
 *   tales-parser-model.c     TalesPost / TalesFeed from those dicts
 *   tales-parser-json.c      JSON Feed: the same dicts from JSON
 */

#include "tales-parser.h"
#include "tales-text-limits.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Attributes of one element as feedparser sees them: lower-case names,
 * namespaced ones under their usual prefix ("xml:base", "rdf:about") and
 * again under their local name; in document order. */
typedef struct {
  GPtrArray *pairs;  /* char *name, char *value, name, value, ... */
} TalesAttrs;

TalesAttrs *tales_attrs_new      (void);
void        tales_attrs_free     (TalesAttrs *attrs);
TalesAttrs *tales_attrs_copy     (const TalesAttrs *attrs);
void        tales_attrs_set      (TalesAttrs *attrs, const char *name, const char *value);
const char *tales_attrs_get      (const TalesAttrs *attrs, const char *name);
void        tales_attrs_remove   (TalesAttrs *attrs, const char *name);
guint       tales_attrs_count    (const TalesAttrs *attrs);
JsonObject *tales_attrs_to_json  (const TalesAttrs *attrs);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TalesAttrs, tales_attrs_free)

typedef struct _TalesParseState TalesParseState;

/* Called when an entry is complete; @entry is the feedparser-shaped dict. */
typedef void (*TalesEntryFunc) (JsonObject *entry, gpointer user_data);

typedef struct {
  char *element;            /* feedparser's key: "title", "dc_subject" */
  gboolean expecting_text;
  GPtrArray *pieces;        /* char * */
  gsize length;             /* bytes in pieces, as far as capped */
} TalesStackEntry;

struct _TalesParseState {
  JsonObject *feeddata;
  JsonObject *entry;        /* the current entry, NULL outside one */
  gboolean entry_emitted;
  JsonObject *sourcedata;
  JsonObject *contentparams;
  JsonObject *namespaces_in_use;
  GHashTable *namespacemap; /* document prefix -> feedparser prefix */
  GHashTable *entry_depths; /* key -> depth it was taken from */
  char *version;
  char *encoding;
  char *baseuri;
  char *lang;
  GPtrArray *basestack;     /* char *, nullable */
  GPtrArray *langstack;
  GPtrArray *elementstack;  /* TalesStackEntry */
  char *summary_key;
  int depth;
  int title_depth;
  int svg_ok;
  guint infeed : 1;
  guint inentry : 1;
  guint intextinput : 1;
  guint inimage : 1;
  guint inauthor : 1;
  guint incontributor : 1;
  guint inpublisher : 1;
  guint insource : 1;
  guint guidislink : 1;
  guint isentrylink : 1;
  guint has_content : 1;
  guint psc_chapters_flag : 1;
  guint outside_image : 1;  /* an RDF <image> after </channel> */
  guint exact_html : 1;     /* rewrite HTML as feedparser does, even when
                             * it has no relative URI to resolve */
  int incontent;
  /* GeoRSS/GML geometry being read */
  char *geo_type;
  int geo_srs_dim;
  gboolean geo_swap;

  TalesEntryFunc on_entry;
  gpointer user_data;
};

TalesParseState *tales_parse_state_new   (const char     *baseuri,
                                          const char     *lang,
                                          const char     *encoding,
                                          TalesEntryFunc  on_entry,
                                          gpointer        user_data);
void             tales_parse_state_free  (TalesParseState *state);
/* Ends whatever an incomplete document left open. */
void             tales_parse_state_finish (TalesParseState *state);

void tales_parse_state_track_namespace (TalesParseState *state,
                                        const char      *prefix,
                                        const char      *uri);
/* The feedparser prefix of a namespace URI, "" for the core formats, or
 * NULL when the namespace is not one feedparser knows. */
const char *tales_parse_known_prefix (const char *uri);

/* SAX-like events, with the tag as feedparser's strict parser forms it:
 * "prefix:localname", lower case. */
void tales_parse_state_start (TalesParseState *state, const char *tag, TalesAttrs *attrs);
void tales_parse_state_end   (TalesParseState *state, const char *tag);
void tales_parse_state_text  (TalesParseState *state, const char *text, gsize len);

/* Stack and context helpers for the handlers. */
void        tales_state_push          (TalesParseState *state, const char *element, gboolean expecting_text);
char       *tales_state_pop           (TalesParseState *state, const char *element);
char       *tales_state_pop_full      (TalesParseState *state, const char *element, gboolean strip);
void        tales_state_push_content  (TalesParseState *state, const char *tag, TalesAttrs *attrs,
                                       const char *default_type, gboolean expecting_text);
char       *tales_state_pop_content   (TalesParseState *state, const char *tag);
JsonObject *tales_state_context       (TalesParseState *state);
void        tales_state_save          (TalesParseState *state, const char *key, JsonNode *value, gboolean overwrite);
void        tales_state_save_author   (TalesParseState *state, const char *key, const char *value, const char *prefix);
void        tales_state_save_contributor (TalesParseState *state, const char *key, const char *value);
void        tales_state_sync_author_detail (TalesParseState *state, const char *key);
void        tales_state_add_tag       (TalesParseState *state, const char *term, const char *scheme, const char *label);
char       *tales_state_resolve_uri   (TalesParseState *state, const char *uri);
void        tales_state_store_output  (TalesParseState *state, const char *element, const char *output);
JsonNode   *tales_state_parse_date    (const char *text);
void        tales_state_emit_entry    (TalesParseState *state);

/* Handlers: TRUE when a handler for @name (e.g. "dc_title") exists. */
gboolean tales_parse_handlers_start (TalesParseState *state, const char *name, TalesAttrs *attrs);
gboolean tales_parse_handlers_end   (TalesParseState *state, const char *name);

/* tales-parser-geo.c: GeoRSS and GML handlers */
void tales_geo_start_where (TalesParseState *state, TalesAttrs *attrs);
void tales_geo_end_where (TalesParseState *state);
void tales_geo_start_georss (TalesParseState *state, TalesAttrs *attrs);
void tales_geo_end_georss_point (TalesParseState *state);
void tales_geo_end_georss_line (TalesParseState *state);
void tales_geo_end_georss_polygon (TalesParseState *state);
void tales_geo_end_georss_box (TalesParseState *state);
void tales_geo_start_gml_point (TalesParseState *state, TalesAttrs *attrs);
void tales_geo_start_gml_linestring (TalesParseState *state, TalesAttrs *attrs);
void tales_geo_start_gml_polygon (TalesParseState *state, TalesAttrs *attrs);
void tales_geo_start_gml_exterior (TalesParseState *state, TalesAttrs *attrs);
void tales_geo_start_gml_linearring (TalesParseState *state, TalesAttrs *attrs);
void tales_geo_end_geom (TalesParseState *state);
void tales_geo_start_pos (TalesParseState *state, TalesAttrs *attrs);
void tales_geo_end_gml_pos (TalesParseState *state);
void tales_geo_end_gml_poslist (TalesParseState *state);

/* tales-parser-text.c */
const char *tales_map_content_type    (const char *type);
gboolean    tales_looks_like_html     (const char *text);
char       *tales_fix_cp1252          (char *text);
char       *tales_fix_double_utf8     (char *text);
char       *tales_unwrap_xhtml_div    (GPtrArray *pieces);
char       *tales_base64_decode_text  (const char *text);

/* tales-parser-html.c */
char       *tales_urljoin             (const char *base, const char *uri);
char       *tales_make_safe_absolute_uri (const char *base, const char *rel);
gboolean    tales_uri_scheme_is_acceptable (const char *scheme);
char       *tales_resolve_relative_uris  (const char *html, const char *base, const char *type);
gboolean    tales_html_has_relative_uris (const char *html);

/* What tales_html_rewrite() asks about each tag and text as it writes the
 * HTML back. @start sees the tag's attributes normalized (lower-case names,
 * one value each, sorted by name) as name, value pairs it may change,
 * add to or remove from; it may rename the tag to a static string, and
 * returns FALSE to drop the tag (not its content). @end likewise for end
 * tags; @text says whether text at this point is kept. With a filter,
 * comments, declarations and processing instructions are dropped and a
 * "<" read as text is escaped. */
typedef struct {
  gboolean (*start) (gpointer data, const char **tag, GPtrArray *pairs);
  gboolean (*end)   (gpointer data, const char **tag);
  gboolean (*text)  (gpointer data);
  gpointer data;
} TalesHtmlFilter;

/* Tokenizes @html as feedparser does and writes it back in a fixed form,
 * with URI attributes made absolute against @base (when not NULL). */
char       *tales_html_rewrite        (const char *html, const char *base, const char *type,
                                       const TalesHtmlFilter *filter);

/* tales-parser-sanitize.c: feedparser's HTML sanitizer, for the values
 * of HTML-typed elements (content, summary, title...). @type is the
 * content type: "text/html" or "application/xhtml+xml". */
char       *tales_sanitize_html       (const char *html, const char *type);

/* tales-parser-model.c */
TalesPost  *tales_post_from_entry     (JsonObject *entry, const char *feed_title, gboolean atom);
void        tales_feed_fill           (TalesFeed *feed, JsonObject *feeddata);

/* JSON helpers */
const char *tales_json_get_string     (JsonObject *object, const char *key);
void        tales_json_set_string     (JsonObject *object, const char *key, const char *value);
JsonArray  *tales_json_ensure_array   (JsonObject *object, const char *key);
JsonObject *tales_json_ensure_object  (JsonObject *object, const char *key);

G_END_DECLS
