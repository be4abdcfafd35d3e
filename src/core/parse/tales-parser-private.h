/* SPDX-License-Identifier: GPL-3.0-or-later */
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
 *   tales-parser-clean-html.c feedparser's output cleaner (parse --json)
 *   tales-parser-model.c     TalesPost / TalesFeed from those dicts
 *   tales-parser-json.c      JSON Feed: the same dicts from JSON
 */

#include "tales-parser.h"
#include "tales-text-limits.h"
#include "tales-uri.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Attributes of one element as feedparser sees them: lower-case names,
 * namespaced ones under their usual prefix ("xml:base", "rdf:about") and
 * again under their local name; in document order. */
typedef struct {
  GPtrArray *pairs;  /* char *name, char *value, name, value, ... */
} TalesAttrs;

TalesAttrs *_tales_attrs_new     (void);
void        _tales_attrs_free    (TalesAttrs *attrs);
TalesAttrs *_tales_attrs_copy    (const TalesAttrs *attrs);
void        _tales_attrs_set     (TalesAttrs *attrs, const char *name, const char *value);
const char *_tales_attrs_get     (const TalesAttrs *attrs, const char *name);
void        _tales_attrs_remove  (TalesAttrs *attrs, const char *name);
guint       _tales_attrs_count   (const TalesAttrs *attrs);
JsonObject *_tales_attrs_to_json (const TalesAttrs *attrs);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TalesAttrs, _tales_attrs_free)

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

TalesParseState *_tales_parse_state_new  (const char     *baseuri,
                                          const char     *lang,
                                          const char     *encoding,
                                          TalesEntryFunc  on_entry,
                                          gpointer        user_data);
void             _tales_parse_state_free (TalesParseState *state);
/* Ends whatever an incomplete document left open. */
void             _tales_parse_state_finish (TalesParseState *state);

void _tales_parse_state_track_namespace (TalesParseState *state,
                                         const char      *prefix,
                                         const char      *uri);
/* The feedparser prefix of a namespace URI, "" for the core formats, or
 * NULL when the namespace is not one feedparser knows. */
const char *_tales_parse_known_prefix (const char *uri);

/* SAX-like events, with the tag as feedparser's strict parser forms it:
 * "prefix:localname", lower case. */
void _tales_parse_state_start (TalesParseState *state, const char *tag, TalesAttrs *attrs);
void _tales_parse_state_end  (TalesParseState *state, const char *tag);
void _tales_parse_state_text (TalesParseState *state, const char *text, gsize len);

/* Stack and context helpers for the handlers. */
void        _tales_state_push         (TalesParseState *state, const char *element, gboolean expecting_text);
char       *_tales_state_pop          (TalesParseState *state, const char *element);
char       *_tales_state_pop_full     (TalesParseState *state, const char *element, gboolean strip);
void        _tales_state_push_content (TalesParseState *state, const char *tag, TalesAttrs *attrs,
                                       const char *default_type, gboolean expecting_text);
char       *_tales_state_pop_content  (TalesParseState *state, const char *tag);
JsonObject *_tales_state_context      (TalesParseState *state);
void        _tales_state_save         (TalesParseState *state, const char *key, JsonNode *value, gboolean overwrite);
void        _tales_state_save_author  (TalesParseState *state, const char *key, const char *value, const char *prefix);
void        _tales_state_save_contributor (TalesParseState *state, const char *key, const char *value);
void        _tales_state_sync_author_detail (TalesParseState *state, const char *key);
void        _tales_state_add_tag      (TalesParseState *state, const char *term, const char *scheme, const char *label);
char       *_tales_state_resolve_uri  (TalesParseState *state, const char *uri);
void        _tales_state_store_output (TalesParseState *state, const char *element, const char *output);
JsonNode   *_tales_state_parse_date   (const char *text);
void        _tales_state_emit_entry   (TalesParseState *state);

/* Handlers: TRUE when a handler for @name (e.g. "dc_title") exists. */
gboolean _tales_parse_handlers_start (TalesParseState *state, const char *name, TalesAttrs *attrs);
gboolean _tales_parse_handlers_end  (TalesParseState *state, const char *name);

/* tales-parser-geo.c: GeoRSS and GML handlers */
void _tales_geo_start_where (TalesParseState *state, TalesAttrs *attrs);
void _tales_geo_end_where (TalesParseState *state);
void _tales_geo_start_georss (TalesParseState *state, TalesAttrs *attrs);
void _tales_geo_end_georss_point (TalesParseState *state);
void _tales_geo_end_georss_line (TalesParseState *state);
void _tales_geo_end_georss_polygon (TalesParseState *state);
void _tales_geo_end_georss_box (TalesParseState *state);
void _tales_geo_start_gml_point (TalesParseState *state, TalesAttrs *attrs);
void _tales_geo_start_gml_linestring (TalesParseState *state, TalesAttrs *attrs);
void _tales_geo_start_gml_polygon (TalesParseState *state, TalesAttrs *attrs);
void _tales_geo_start_gml_exterior (TalesParseState *state, TalesAttrs *attrs);
void _tales_geo_start_gml_linearring (TalesParseState *state, TalesAttrs *attrs);
void _tales_geo_end_geom (TalesParseState *state);
void _tales_geo_start_pos (TalesParseState *state, TalesAttrs *attrs);
void _tales_geo_end_gml_pos (TalesParseState *state);
void _tales_geo_end_gml_poslist (TalesParseState *state);

/* tales-parser-text.c */
const char *_tales_map_content_type   (const char *type);
gboolean    _tales_looks_like_html    (const char *text);
char       *_tales_fix_cp1252         (char *text);
char       *_tales_fix_double_utf8    (char *text);
char       *_tales_unwrap_xhtml_div   (GPtrArray *pieces);
char       *_tales_base64_decode_text (const char *text);

/* tales-parser-html.c */
char       *_tales_parser_resolve_relative_uris (const char *html, const char *base, const char *type);
gboolean    _tales_parser_has_relative_uris (const char *html);

/* What _tales_parser_html_rewrite() asks about each tag and text as it
 * writes the HTML back. @start sees the tag's attributes normalized (lower-case names,
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
} TalesParserHtmlFilter;

/* Tokenizes @html as feedparser does and writes it back in a fixed form,
 * with URI attributes made absolute against @base (when not NULL). */
char       *_tales_parser_html_rewrite (const char *html, const char *base, const char *type,
                                        const TalesParserHtmlFilter *filter);

/* tales-parser-clean-html.c: feedparser's output sanitizer, for the
 * values of HTML-typed elements (content, summary, title...) in the
 * feedparser-shaped output of `tales-cli parse --json` only; the app shows
 * posts through the stricter tales_html_sanitize(). @type is the content
 * type: "text/html" or "application/xhtml+xml". */
char       *_tales_parser_clean_html  (const char *html, const char *type);

/* tales-parser-model.c */
TalesPost  *_tales_post_from_entry    (JsonObject *entry, const char *feed_title, gboolean atom);
void        _tales_feed_fill          (TalesFeed *feed, JsonObject *feeddata);

/* tales-parser-json.c: JSON Feed (https://jsonfeed.org/version/1 and
 * /version/1.1) for the parser's entry points in tales-parser.c, which send
 * there every document whose first byte that is not blank is "{". */

/* Whether @data, after an optional UTF-8 byte order mark and blanks,
 * starts with "{": only a JSON object can be a JSON Feed, and no XML
 * document starts so. */
gboolean _tales_parse_json_sniff (const char *data,
                                  gsize       length);

/**
 * _tales_parse_json:
 * @document: (transfer full): the whole document, at most the size the
 *   caller allows; it is released as soon as its JSON is read
 * @address: (nullable): the document's address (with Content-Location
 *   applied); relative URLs resolve against it, else against the feed's
 *   own feed_url, else its home_page_url
 * @options: (nullable): as for tales_parse_full()
 * @on_post: (nullable): as for tales_parse()
 * @user_data: for @on_post
 * @error: a TALES_PARSE_ERROR when @document is no JSON Feed
 *
 * Reads a JSON Feed into the same result the XML parser gives: the
 * feedparser-shaped dicts are filled from the JSON and turned into the
 * TalesFeed and the TalesPosts by the same code as an RSS item.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
TalesParseResult *_tales_parse_json (GBytes                   *document,
                                     const char               *address,
                                     const TalesParseOptions  *options,
                                     TalesParsePostFunc        on_post,
                                     gpointer                  user_data,
                                     GError                  **error);

/* JSON helpers */
const char *_tales_json_get_string    (JsonObject *object, const char *key);
void        _tales_json_set_string    (JsonObject *object, const char *key, const char *value);
JsonArray  *_tales_json_ensure_array  (JsonObject *object, const char *key);
JsonObject *_tales_json_ensure_object (JsonObject *object, const char *key);

G_END_DECLS
