/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-parser"

#include "config.h"

#include "tales-parser-private.h"
#include "tales-compat.h"
#include "tales-date.h"

#include <string.h>

/* The rules by which Python feedparser turns elements into its result
 * dicts, kept close to its own structure (a stack of elements whose text
 * is collected, a "context" dict that the current element writes into),
 * because its conformance corpus checks exactly those rules: which of
 * two titles wins, when a description is HTML, what a guid means. The
 * dicts are JsonObjects, which the CLI prints as they are and from which
 * tales-parser-model.c makes the app's TalesPost and TalesFeed. */

/* --- attributes ---------------------------------------------------------- */

TalesAttrs *
_tales_attrs_new (void)
{
  TalesAttrs *attrs = g_new0 (TalesAttrs, 1);

  attrs->pairs = g_ptr_array_new_with_free_func (g_free);
  return attrs;
}

void
_tales_attrs_free (TalesAttrs *attrs)
{
  if (attrs == NULL)
    return;
  g_ptr_array_unref (attrs->pairs);
  g_free (attrs);
}

TalesAttrs *
_tales_attrs_copy (const TalesAttrs *attrs)
{
  TalesAttrs *copy = _tales_attrs_new ();

  for (guint i = 0; i < attrs->pairs->len; i++)
    g_ptr_array_add (copy->pairs, g_strdup (g_ptr_array_index (attrs->pairs, i)));
  return copy;
}

static int
attrs_find (const TalesAttrs *attrs, const char *name)
{
  for (guint i = 0; i + 1 < attrs->pairs->len; i += 2)
    if (strcmp (g_ptr_array_index (attrs->pairs, i), name) == 0)
      return (int) i;
  return -1;
}

void
_tales_attrs_set (TalesAttrs *attrs, const char *name, const char *value)
{
  int i = attrs_find (attrs, name);

  if (i >= 0)
    {
      g_free (attrs->pairs->pdata[i + 1]);
      attrs->pairs->pdata[i + 1] = g_strdup (value);
      return;
    }
  g_ptr_array_add (attrs->pairs, g_strdup (name));
  g_ptr_array_add (attrs->pairs, g_strdup (value));
}

const char *
_tales_attrs_get (const TalesAttrs *attrs, const char *name)
{
  int i = attrs_find (attrs, name);

  return i >= 0 ? g_ptr_array_index (attrs->pairs, i + 1) : NULL;
}

void
_tales_attrs_remove (TalesAttrs *attrs, const char *name)
{
  int i = attrs_find (attrs, name);

  if (i >= 0)
    g_ptr_array_remove_range (attrs->pairs, i, 2);
}

guint
_tales_attrs_count (const TalesAttrs *attrs)
{
  return attrs->pairs->len / 2;
}

JsonObject *
_tales_attrs_to_json (const TalesAttrs *attrs)
{
  JsonObject *object = json_object_new ();

  for (guint i = 0; i + 1 < attrs->pairs->len; i += 2)
    json_object_set_string_member (object, g_ptr_array_index (attrs->pairs, i),
                                   g_ptr_array_index (attrs->pairs, i + 1));
  return object;
}

/* --- JSON helpers -------------------------------------------------------- */

const char *
_tales_json_get_string (JsonObject *object, const char *key)
{
  JsonNode *node = object ? json_object_get_member (object, key) : NULL;

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

void
_tales_json_set_string (JsonObject *object, const char *key, const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, key, value);
  else
    json_object_set_null_member (object, key);
}

JsonArray *
_tales_json_ensure_array (JsonObject *object, const char *key)
{
  JsonNode *node = json_object_get_member (object, key);

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_ARRAY)
    json_object_set_array_member (object, key, json_array_new ());
  return json_object_get_array_member (object, key);
}

JsonObject *
_tales_json_ensure_object (JsonObject *object, const char *key)
{
  JsonNode *node = json_object_get_member (object, key);

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_OBJECT)
    json_object_set_object_member (object, key, json_object_new ());
  return json_object_get_object_member (object, key);
}

static JsonObject *
json_object_copy_deep (JsonObject *object)
{
  JsonObject *result = json_object_new ();
  JsonObjectIter iter;
  const char *key;
  JsonNode *member;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &key, &member))
    {
      if (JSON_NODE_TYPE (member) == JSON_NODE_OBJECT)
        json_object_set_object_member (result, key,
                                       json_object_copy_deep (json_node_get_object (member)));
      else
        json_object_set_member (result, key, json_node_copy (member));
    }
  return result;
}

/* --- namespaces ---------------------------------------------------------- */

typedef struct {
  const char *uri;
  const char *prefix;
} KnownNamespace;

static const KnownNamespace known_namespaces[] = {
  { "", "" },
  { "http://backend.userland.com/rss", "" },
  { "http://blogs.law.harvard.edu/tech/rss", "" },
  { "http://purl.org/rss/1.0/", "" },
  { "http://my.netscape.com/rdf/simple/0.9/", "" },
  { "http://example.com/newformat#", "" },
  { "http://example.com/necho", "" },
  { "http://purl.org/echo/", "" },
  { "uri/of/echo/namespace#", "" },
  { "http://purl.org/pie/", "" },
  { "http://purl.org/atom/ns#", "" },
  { "http://www.w3.org/2005/atom", "" },
  { "http://purl.org/rss/1.0/modules/rss091#", "" },
  { "http://webns.net/mvcb/", "admin" },
  { "http://purl.org/rss/1.0/modules/aggregation/", "ag" },
  { "http://purl.org/rss/1.0/modules/annotate/", "annotate" },
  { "http://media.tangent.org/rss/1.0/", "audio" },
  { "http://backend.userland.com/blogchannelmodule", "blogChannel" },
  { "http://creativecommons.org/ns#license", "cc" },
  { "http://web.resource.org/cc/", "cc" },
  { "http://cyber.law.harvard.edu/rss/creativecommonsrssmodule.html", "creativeCommons" },
  { "http://backend.userland.com/creativecommonsrssmodule", "creativeCommons" },
  { "http://purl.org/rss/1.0/modules/company", "co" },
  { "http://purl.org/rss/1.0/modules/content/", "content" },
  { "http://my.theinfo.org/changed/1.0/rss/", "cp" },
  { "http://purl.org/dc/elements/1.1/", "dc" },
  { "http://purl.org/dc/terms/", "dcterms" },
  { "http://purl.org/rss/1.0/modules/email/", "email" },
  { "http://purl.org/rss/1.0/modules/event/", "ev" },
  { "http://rssnamespace.org/feedburner/ext/1.0", "feedburner" },
  { "http://freshmeat.net/rss/fm/", "fm" },
  { "http://xmlns.com/foaf/0.1/", "foaf" },
  { "http://www.w3.org/2003/01/geo/wgs84_pos#", "geo" },
  { "http://www.georss.org/georss", "georss" },
  { "http://www.opengis.net/gml", "gml" },
  { "http://postneo.com/icbm/", "icbm" },
  { "http://purl.org/rss/1.0/modules/image/", "image" },
  { "http://www.itunes.com/dtds/podcast-1.0.dtd", "itunes" },
  { "http://example.com/dtds/podcast-1.0.dtd", "itunes" },
  { "http://purl.org/rss/1.0/modules/link/", "l" },
  { "http://search.yahoo.com/mrss", "media" },
  { "http://search.yahoo.com/mrss/", "media" },
  { "http://madskills.com/public/xml/rss/module/pingback/", "pingback" },
  { "http://prismstandard.org/namespaces/1.2/basic/", "prism" },
  { "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdf" },
  { "http://www.w3.org/2000/01/rdf-schema#", "rdfs" },
  { "http://purl.org/rss/1.0/modules/reference/", "ref" },
  { "http://purl.org/rss/1.0/modules/richequiv/", "reqv" },
  { "http://purl.org/rss/1.0/modules/search/", "search" },
  { "http://purl.org/rss/1.0/modules/slash/", "slash" },
  { "http://schemas.xmlsoap.org/soap/envelope/", "soap" },
  { "http://purl.org/rss/1.0/modules/servicestatus/", "ss" },
  { "http://hacks.benhammersley.com/rss/streaming/", "str" },
  { "http://purl.org/rss/1.0/modules/subscription/", "sub" },
  { "http://purl.org/rss/1.0/modules/syndication/", "sy" },
  { "http://schemas.pocketsoap.com/rss/mydescmodule/", "szf" },
  { "http://purl.org/rss/1.0/modules/taxonomy/", "taxo" },
  { "http://purl.org/rss/1.0/modules/threading/", "thr" },
  { "http://purl.org/rss/1.0/modules/textinput/", "ti" },
  { "http://madskills.com/public/xml/rss/module/trackback/", "trackback" },
  { "http://wellformedweb.org/commentapi/", "wfw" },
  { "http://purl.org/rss/1.0/modules/wiki/", "wiki" },
  { "http://www.w3.org/1999/xhtml", "xhtml" },
  { "http://www.w3.org/1999/xlink", "xlink" },
  { "http://www.w3.org/xml/1998/namespace", "xml" },
  { "http://podlove.org/simple-chapters", "psc" },
};

const char *
_tales_parse_known_prefix (const char *uri)
{
  g_autofree char *lower = g_ascii_strdown (uri ? uri : "", -1);

  if (strstr (lower, "backend.userland.com/rss") != NULL)
    return "";
  for (guint i = 0; i < G_N_ELEMENTS (known_namespaces); i++)
    if (strcmp (known_namespaces[i].uri, lower) == 0)
      return known_namespaces[i].prefix;
  return NULL;
}

void
_tales_parse_state_track_namespace (TalesParseState *state, const char *prefix, const char *uri)
{
  g_autofree char *lower = g_ascii_strdown (uri, -1);
  const char *known;

  if (state->version == NULL || *state->version == '\0')
    {
      if (prefix == NULL && strcmp (lower, "http://my.netscape.com/rdf/simple/0.9/") == 0)
        tales_set_str (&state->version, "rss090");
      else if (strcmp (lower, "http://purl.org/rss/1.0/") == 0)
        tales_set_str (&state->version, "rss10");
      else if (strcmp (lower, "http://www.w3.org/2005/atom") == 0)
        tales_set_str (&state->version, "atom10");
    }
  if (strstr (lower, "backend.userland.com/rss") != NULL)
    uri = "http://backend.userland.com/rss";
  known = _tales_parse_known_prefix (uri);
  if (known != NULL)
    {
      /* feedparser keys the default namespace as None, which no tag
       * prefix ever matches */
      if (prefix != NULL)
        g_hash_table_replace (state->namespacemap, g_strdup (prefix), g_strdup (known));
      json_object_set_string_member (state->namespaces_in_use, known, uri);
    }
  else
    json_object_set_string_member (state->namespaces_in_use, prefix ? prefix : "", uri);
}

/* --- life ---------------------------------------------------------------- */

static void
stack_entry_free (TalesStackEntry *entry)
{
  g_free (entry->element);
  g_ptr_array_unref (entry->pieces);
  g_free (entry);
}

TalesParseState *
_tales_parse_state_new (const char     *baseuri,
                        const char     *lang,
                        const char     *encoding,
                        TalesEntryFunc  on_entry,
                        gpointer        user_data)
{
  TalesParseState *state = g_new0 (TalesParseState, 1);

  state->feeddata = json_object_new ();
  state->sourcedata = json_object_new ();
  state->contentparams = json_object_new ();
  state->namespaces_in_use = json_object_new ();
  state->namespacemap = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  state->entry_depths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  state->version = g_strdup ("");
  state->encoding = g_strdup (encoding ? encoding : "utf-8");
  state->baseuri = g_strdup (baseuri ? baseuri : "");
  state->lang = g_strdup (lang);
  state->basestack = g_ptr_array_new_with_free_func (g_free);
  state->langstack = g_ptr_array_new_with_free_func (g_free);
  state->elementstack = g_ptr_array_new_with_free_func ((GDestroyNotify) stack_entry_free);
  state->title_depth = -1;
  state->on_entry = on_entry;
  state->user_data = user_data;
  if (lang != NULL)
    {
      g_autofree char *language = g_strdelimit (g_strdup (lang), "_", '-');

      json_object_set_string_member (state->feeddata, "language", language);
    }
  return state;
}

void
_tales_parse_state_free (TalesParseState *state)
{
  if (state == NULL)
    return;
  json_object_unref (state->feeddata);
  g_clear_pointer (&state->entry, json_object_unref);
  json_object_unref (state->sourcedata);
  json_object_unref (state->contentparams);
  json_object_unref (state->namespaces_in_use);
  g_hash_table_unref (state->namespacemap);
  g_hash_table_unref (state->entry_depths);
  g_free (state->version);
  g_free (state->encoding);
  g_free (state->baseuri);
  g_free (state->lang);
  g_free (state->summary_key);
  g_free (state->geo_type);
  g_ptr_array_unref (state->basestack);
  g_ptr_array_unref (state->langstack);
  g_ptr_array_unref (state->elementstack);
  g_free (state);
}

void
_tales_state_emit_entry (TalesParseState *state)
{
  if (state->entry == NULL || state->entry_emitted)
    return;
  state->entry_emitted = TRUE;
  if (state->on_entry != NULL)
    state->on_entry (state->entry, state->user_data);
}

void
_tales_parse_state_finish (TalesParseState *state)
{
  _tales_state_emit_entry (state);
}

/* --- the element stack --------------------------------------------------- */

void
_tales_state_push (TalesParseState *state, const char *element, gboolean expecting_text)
{
  TalesStackEntry *entry = g_new0 (TalesStackEntry, 1);

  entry->element = g_strdup (element);
  entry->expecting_text = expecting_text;
  entry->pieces = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (state->elementstack, entry);
}

static TalesStackEntry *
stack_top (TalesParseState *state)
{
  GPtrArray *stack = state->elementstack;

  return stack->len > 0 ? g_ptr_array_index (stack, stack->len - 1) : NULL;
}

/* The elements whose text is a body: bounded only by the document's
 * limits, not by TALES_MAX_RAW_FIELD_BYTES. */
static gboolean
is_body (const char *element)
{
  static const char * const bodies[] = {
    "content", "summary", "description", "info", "rights", NULL,
  };

  return g_strv_contains (bodies, element);
}

/* Whether @top may take @len more bytes: a title, a name or a link is
 * cut to a few KB in the end (tales-parser-model.c), so its text is not
 * kept past TALES_MAX_RAW_FIELD_BYTES while the document is read. */
static gboolean
takes_more (TalesStackEntry *top, gsize len)
{
  if (is_body (top->element))
    return TRUE;
  if (top->length >= TALES_MAX_RAW_FIELD_BYTES)
    return FALSE;
  top->length += len;
  return TRUE;
}

static void
handle_data (TalesParseState *state, const char *text, gssize len, gboolean escape)
{
  TalesStackEntry *top = stack_top (state);

  if (top == NULL || !takes_more (top, len < 0 ? strlen (text) : (gsize) len))
    return;
  if (escape && g_strcmp0 (_tales_json_get_string (state->contentparams, "type"),
                           "application/xhtml+xml") == 0)
    {
      GString *escaped = g_string_sized_new (len < 0 ? 16 : len + 8);

      for (gssize i = 0; len < 0 ? text[i] != '\0' : i < len; i++)
        {
          if (text[i] == '&')
            g_string_append (escaped, "&amp;");
          else if (text[i] == '<')
            g_string_append (escaped, "&lt;");
          else if (text[i] == '>')
            g_string_append (escaped, "&gt;");
          else
            g_string_append_c (escaped, text[i]);
        }
      g_ptr_array_add (top->pieces, g_string_free (escaped, FALSE));
      return;
    }
  g_ptr_array_add (top->pieces, len < 0 ? g_strdup (text) : g_strndup (text, len));
}

void
_tales_parse_state_text (TalesParseState *state, const char *text, gsize len)
{
  handle_data (state, text, (gssize) len, TRUE);
}

JsonObject *
_tales_state_context (TalesParseState *state)
{
  if (state->insource)
    return state->sourcedata;
  if (state->inimage && json_object_has_member (state->feeddata, "image"))
    return json_object_get_object_member (state->feeddata, "image");
  if (state->intextinput)
    return _tales_json_ensure_object (state->feeddata, "textinput");
  if (state->inentry && state->entry != NULL)
    return state->entry;
  return state->feeddata;
}

void
_tales_state_save (TalesParseState *state, const char *key, JsonNode *value, gboolean overwrite)
{
  JsonObject *context = _tales_state_context (state);

  if (!overwrite && json_object_has_member (context, key))
    {
      json_node_unref (value);
      return;
    }
  json_object_set_member (context, key, value);
}

char *
_tales_state_resolve_uri (TalesParseState *state, const char *uri)
{
  return tales_uri_join (state->baseuri, uri);
}

JsonNode *
_tales_state_parse_date (const char *text)
{
  g_autoptr(GDateTime) date = text ? tales_date_parse (text) : NULL;
  JsonArray *array;
  JsonNode *node;

  if (date == NULL)
    return json_node_new (JSON_NODE_NULL);
  array = json_array_new ();
  json_array_add_int_element (array, g_date_time_get_year (date));
  json_array_add_int_element (array, g_date_time_get_month (date));
  json_array_add_int_element (array, g_date_time_get_day_of_month (date));
  json_array_add_int_element (array, g_date_time_get_hour (date));
  json_array_add_int_element (array, g_date_time_get_minute (date));
  json_array_add_int_element (array, g_date_time_get_second (date));
  json_array_add_int_element (array, g_date_time_get_day_of_week (date) - 1);
  json_array_add_int_element (array, g_date_time_get_day_of_year (date));
  json_array_add_int_element (array, 0);
  node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, array);
  return node;
}

/* --- people and tags ----------------------------------------------------- */

static JsonObject *
last_object (JsonObject *context, const char *key)
{
  JsonArray *array;
  guint len;

  if (!json_object_has_member (context, key) ||
      JSON_NODE_TYPE (json_object_get_member (context, key)) != JSON_NODE_ARRAY)
    return NULL;
  array = json_object_get_array_member (context, key);
  len = json_array_get_length (array);
  if (len == 0 || JSON_NODE_TYPE (json_array_get_element (array, len - 1)) != JSON_NODE_OBJECT)
    return NULL;
  return json_array_get_object_element (array, len - 1);
}

void
_tales_state_save_author (TalesParseState *state, const char *key, const char *value, const char *prefix)
{
  JsonObject *context = _tales_state_context (state);
  g_autofree char *detail_key = g_strconcat (prefix, "_detail", NULL);
  g_autofree char *list_key = g_strconcat (prefix, "s", NULL);
  JsonObject *last;

  _tales_json_set_string (_tales_json_ensure_object (context, detail_key), key, value);
  _tales_state_sync_author_detail (state, prefix);
  last = last_object (context, list_key);
  if (last == NULL)
    {
      JsonArray *list = json_array_new ();

      last = json_object_new ();
      json_array_add_object_element (list, last);
      json_object_set_array_member (context, list_key, list);
    }
  _tales_json_set_string (last, key, value);
}

void
_tales_state_save_contributor (TalesParseState *state, const char *key, const char *value)
{
  JsonObject *context = _tales_state_context (state);
  JsonObject *last = last_object (context, "contributors");

  if (last == NULL)
    {
      JsonArray *list = json_array_new ();

      last = json_object_new ();
      json_array_add_object_element (list, last);
      json_object_set_array_member (context, "contributors", list);
    }
  _tales_json_set_string (last, key, value);
}

static GRegex *
email_regex (void)
{
  static GRegex *regex;

  if (g_once_init_enter (&regex))
    g_once_init_leave (&regex, g_regex_new ("(([a-zA-Z0-9_.+-]+)@((\\[[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.)|"
                                            "(([a-zA-Z0-9-]+\\.)+))([a-zA-Z]{2,4}|[0-9]{1,3})(\\]?))"
                                            "(\\?subject=\\S+)?",
                                            G_REGEX_OPTIMIZE, 0, NULL));
  return regex;
}

static char *
replace_all (const char *text, const char *old, const char *new)
{
  g_auto(GStrv) parts = NULL;

  if (*old == '\0')
    return g_strdup (text);
  parts = g_strsplit (text, old, -1);
  return g_strjoinv (new, parts);
}

/* Splits a free-form "Name (me@example.com)" into the detail dict. */
static void
split_author (JsonObject *context, const char *key, JsonObject *detail, gboolean detail_is_new)
{
  const char *author_text = _tales_json_get_string (context, key);
  g_autofree char *author = NULL;
  g_autofree char *email = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *detail_key = g_strconcat (key, "_detail", NULL);

  if (author_text == NULL || *author_text == '\0')
    {
      if (detail_is_new)
        json_object_unref (detail);
      return;
    }
  author = g_strdup (author_text);
  if (g_regex_match (email_regex (), author, 0, &match))
    {
      static const char * const junk[] = { "()", "<>", "&lt;&gt;" };
      gsize n;

      email = g_match_info_fetch (match, 0);
      for (int i = -1; i < (int) G_N_ELEMENTS (junk); i++)
        {
          char *next = replace_all (author, i < 0 ? email : junk[i], "");

          g_free (author);
          author = next;
        }
      g_strstrip (author);
      if (author[0] == '(')
        memmove (author, author + 1, strlen (author));
      n = strlen (author);
      if (n > 0 && author[n - 1] == ')')
        author[n - 1] = '\0';
      g_strstrip (author);
    }
  if (*author != '\0' || email != NULL)
    {
      if (!json_object_has_member (context, detail_key))
        json_object_set_object_member (context, detail_key, json_object_ref (detail));
    }
  if (*author != '\0')
    json_object_set_string_member (detail, "name", author);
  if (email != NULL)
    json_object_set_string_member (detail, "email", email);
  if (detail_is_new)
    json_object_unref (detail);
}

void
_tales_state_sync_author_detail (TalesParseState *state, const char *key)
{
  JsonObject *context = _tales_state_context (state);
  g_autofree char *list_key = g_strconcat (key, "s", NULL);
  JsonObject *detail = last_object (context, list_key);

  if (detail != NULL && json_object_get_size (detail) > 0)
    {
      const char *name = _tales_json_get_string (detail, "name");
      const char *email = _tales_json_get_string (detail, "email");

      if (name && *name && email && *email)
        {
          g_autofree char *both = g_strdup_printf ("%s (%s)", name, email);

          json_object_set_string_member (context, key, both);
        }
      else if (name && *name)
        json_object_set_string_member (context, key, name);
      else if (email && *email)
        json_object_set_string_member (context, key, email);
      return;
    }
  if (detail != NULL)
    split_author (context, key, detail, FALSE);
  else
    split_author (context, key, json_object_new (), TRUE);
}

static gboolean
tag_equal (JsonObject *tag, const char *term, const char *scheme, const char *label)
{
  return g_strcmp0 (_tales_json_get_string (tag, "term"), term) == 0 &&
         g_strcmp0 (_tales_json_get_string (tag, "scheme"), scheme) == 0 &&
         g_strcmp0 (_tales_json_get_string (tag, "label"), label) == 0;
}

void
_tales_state_add_tag (TalesParseState *state, const char *term, const char *scheme, const char *label)
{
  JsonObject *context = _tales_state_context (state);
  JsonArray *tags = _tales_json_ensure_array (context, "tags");
  JsonObject *tag;

  if ((term == NULL || !*term) && (scheme == NULL || !*scheme) && (label == NULL || !*label))
    return;
  /* Each new tag is compared with every one kept: without a limit, a
   * post with 100,000 categories would cost 5 billion comparisons. */
  if (json_array_get_length (tags) >= TALES_MAX_CATEGORIES_PER_POST)
    return;
  for (guint i = 0; i < json_array_get_length (tags); i++)
    if (tag_equal (json_array_get_object_element (tags, i), term, scheme, label))
      return;
  tag = json_object_new ();
  _tales_json_set_string (tag, "term", term);
  _tales_json_set_string (tag, "scheme", scheme);
  _tales_json_set_string (tag, "label", label);
  json_array_add_object_element (tags, tag);
}

/* --- content ------------------------------------------------------------- */

static gboolean
is_base64 (TalesParseState *state, TalesAttrs *attrs)
{
  const char *type = _tales_json_get_string (state->contentparams, "type");

  if (g_strcmp0 (_tales_attrs_get (attrs, "mode"), "base64") == 0)
    return TRUE;
  if (g_str_has_prefix (type, "text/") || g_str_has_suffix (type, "+xml") ||
      g_str_has_suffix (type, "/xml"))
    return FALSE;
  return TRUE;
}

void
_tales_state_push_content (TalesParseState *state, const char *tag, TalesAttrs *attrs,
                           const char *default_type, gboolean expecting_text)
{
  const char *type = _tales_attrs_get (attrs, "type");

  state->incontent++;
  if (state->lang != NULL)
    g_strdelimit (state->lang, "_", '-');
  json_object_unref (state->contentparams);
  state->contentparams = json_object_new ();
  json_object_set_string_member (state->contentparams, "type",
                                 _tales_map_content_type (type ? type : default_type));
  _tales_json_set_string (state->contentparams, "language", state->lang);
  json_object_set_string_member (state->contentparams, "base", state->baseuri);
  json_object_set_boolean_member (state->contentparams, "base64", is_base64 (state, attrs));
  _tales_state_push (state, tag, expecting_text);
}

char *
_tales_state_pop_content (TalesParseState *state, const char *tag)
{
  char *value = _tales_state_pop (state, tag);

  state->incontent--;
  json_object_unref (state->contentparams);
  state->contentparams = json_object_new ();
  return value;
}

char *
_tales_state_pop (TalesParseState *state, const char *element)
{
  return _tales_state_pop_full (state, element, TRUE);
}

static const char * const can_be_relative_uri[] = {
  "comments", "docs", "href", "icon", "id", "link", "logo", "url", "wfw_comment",
  "wfw_commentrss", NULL,
};

static const char * const can_contain_relative_uris[] = {
  "content", "copyright", "description", "info", "rights", "subtitle", "summary",
  "tagline", "title", NULL,
};

static char *
join_pieces (TalesParseState *state, GPtrArray *pieces)
{
  GString *out;

  if (strcmp (state->version, "atom10") == 0 &&
      g_strcmp0 (_tales_json_get_string (state->contentparams, "type"), "application/xhtml+xml") == 0)
    return _tales_unwrap_xhtml_div (pieces);
  if (pieces->len == 1)
    return g_strdup (g_ptr_array_index (pieces, 0));
  out = g_string_new (NULL);
  for (guint i = 0; i < pieces->len; i++)
    g_string_append (out, g_ptr_array_index (pieces, i));
  return g_string_free (out, FALSE);
}

/* Python's str.strip(): ASCII whitespace and the other separators. */
static char *
py_strip (char *text)
{
  return g_strstrip (text);
}

/* What becomes of an element's text when it ends (feedparser's pop()). */
char *
_tales_state_pop_full (TalesParseState *state, const char *element, gboolean strip)
{
  TalesStackEntry *top = stack_top (state);
  g_autofree char *output = NULL;
  const char *type;
  gboolean htmlish;

  if (top == NULL || strcmp (top->element, element) != 0)
    return NULL;
  g_ptr_array_steal_index (state->elementstack, state->elementstack->len - 1);
  output = join_pieces (state, top->pieces);
  if (strip)
    py_strip (output);
  if (!top->expecting_text)
    {
      stack_entry_free (top);
      return g_steal_pointer (&output);
    }
  stack_entry_free (top);

  if (json_object_get_boolean_member_with_default (state->contentparams, "base64", FALSE))
    {
      char *decoded = _tales_base64_decode_text (output);

      if (decoded != NULL)
        {
          g_free (output);
          output = decoded;
        }
    }
  if (*output != '\0' && g_strv_contains (can_be_relative_uri, element) &&
      (strcmp (element, "id") != 0 || state->guidislink))
    {
      char *resolved = _tales_state_resolve_uri (state, output);

      g_free (output);
      output = resolved;
    }
  type = _tales_json_get_string (state->contentparams, "type");
  if (!g_str_has_prefix (state->version, "atom") && g_strcmp0 (type, "text/plain") == 0 &&
      _tales_looks_like_html (output))
    json_object_set_string_member (state->contentparams, "type", "text/html");
  json_object_remove_member (state->contentparams, "mode");
  json_object_remove_member (state->contentparams, "base64");

  type = _tales_json_get_string (state->contentparams, "type");
  type = _tales_map_content_type (type ? type : "text/html");
  htmlish = strcmp (type, "application/xhtml+xml") == 0 || strcmp (type, "text/html") == 0;
  if (htmlish && g_strv_contains (can_contain_relative_uris, element) &&
      (state->exact_html || _tales_parser_has_relative_uris (output)))
    {
      char *resolved = _tales_parser_resolve_relative_uris (output, state->baseuri, type);

      g_free (output);
      output = resolved;
    }
  /* feedparser sanitizes the same elements; the app keeps the feed's HTML
   * and sanitizes it when it shows a post (tales-html.c), so only the
   * feedparser-shaped output pays for this. */
  if (htmlish && state->exact_html && g_strv_contains (can_contain_relative_uris, element))
    {
      char *clean = _tales_parser_clean_html (output, type);

      g_free (output);
      output = clean;
    }
  if (strcmp (state->encoding, "utf-8") == 0)
    output = _tales_fix_double_utf8 (output);
  output = _tales_fix_cp1252 (output);

  if (strcmp (element, "category") == 0 || strcmp (element, "tags") == 0 ||
      strcmp (element, "itunes_keywords") == 0)
    return g_steal_pointer (&output);
  if (strcmp (element, "title") == 0 && state->title_depth > -1 && state->title_depth <= state->depth)
    return g_steal_pointer (&output);

  _tales_state_store_output (state, element, output);
  return g_steal_pointer (&output);
}

/* "?a=1&b;=2" comes from "&amp;b" read as an unknown entity; undo it. */
static char *
fix_link_entities (const char *text)
{
  static GRegex *regex;

  if (g_once_init_enter (&regex))
    g_once_init_leave (&regex, g_regex_new ("&([A-Za-z0-9_]+);", G_REGEX_OPTIMIZE, 0, NULL));
  return g_regex_replace (regex, text, -1, 0, "&\\1", 0, NULL);
}

static void
set_detail (TalesParseState *state, JsonObject *context, const char *element, const char *output)
{
  g_autofree char *key = g_strconcat (element, "_detail", NULL);
  JsonObject *detail = json_object_copy_deep (state->contentparams);

  json_object_set_string_member (detail, "value", output);
  json_object_set_object_member (context, key, detail);
}

static void
set_last_link_href (JsonObject *context, const char *href)
{
  JsonObject *link = last_object (context, "links");

  if (link != NULL)
    json_object_set_string_member (link, "href", href);
}

static void
store_in_entry (TalesParseState *state, const char *element, const char *output)
{
  JsonObject *entry = state->entry;

  if (strcmp (element, "content") == 0)
    {
      JsonObject *content = json_object_copy_deep (state->contentparams);

      json_object_set_string_member (content, "value", output);
      json_array_add_object_element (_tales_json_ensure_array (entry, "content"), content);
    }
  else if (strcmp (element, "link") == 0)
    {
      if (!state->inimage)
        {
          g_autofree char *unescaped = replace_all (output, "&amp;", "&");
          g_autofree char *fixed = fix_link_entities (unescaped);

          json_object_set_string_member (entry, "link", fixed);
          if (*fixed)
            set_last_link_href (entry, fixed);
        }
    }
  else
    {
      const char *key = strcmp (element, "description") == 0 ? "summary" : element;
      gpointer old;

      if (!g_hash_table_lookup_extended (state->entry_depths, key, NULL, &old) ||
          state->depth <= GPOINTER_TO_INT (old))
        {
          g_hash_table_replace (state->entry_depths, g_strdup (key), GINT_TO_POINTER (state->depth));
          json_object_set_string_member (entry, key, output);
        }
      if (state->incontent)
        set_detail (state, entry, key, output);
    }
}

void
_tales_state_store_output (TalesParseState *state, const char *element, const char *output)
{
  JsonObject *context;
  const char *key;

  if (state->inentry && !state->insource && state->entry != NULL)
    {
      store_in_entry (state, element, output);
      return;
    }
  if (!state->infeed && !state->insource)
    return;
  context = _tales_state_context (state);
  key = strcmp (element, "description") == 0 ? "subtitle" : element;
  json_object_set_string_member (context, key, output);
  if (strcmp (key, "link") == 0)
    {
      g_autofree char *fixed = fix_link_entities (output);

      json_object_set_string_member (context, key, fixed);
      set_last_link_href (context, fixed);
    }
  else if (state->incontent)
    set_detail (state, context, key, output);
}

/* --- start and end tags -------------------------------------------------- */

static char *
strattrs (TalesAttrs *attrs)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i + 1 < attrs->pairs->len; i += 2)
    {
      const char *value = g_ptr_array_index (attrs->pairs, i + 1);

      g_string_append_printf (out, " %s=\"", (const char *) g_ptr_array_index (attrs->pairs, i));
      for (const char *p = value; *p; p++)
        {
          if (*p == '&')
            g_string_append (out, "&amp;");
          else if (*p == '<')
            g_string_append (out, "&lt;");
          else if (*p == '>')
            g_string_append (out, "&gt;");
          else if (*p == '"')
            g_string_append (out, "&quot;");
          else
            g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  return g_string_free (out, FALSE);
}

static gboolean
content_type_is_xml (TalesParseState *state)
{
  const char *type = _tales_json_get_string (state->contentparams, "type");

  return g_str_has_suffix (type ? type : "xml", "xml");
}

static gboolean
content_is_xhtml (TalesParseState *state)
{
  return g_strcmp0 (_tales_json_get_string (state->contentparams, "type"), "application/xhtml+xml") == 0;
}

/* Inline XHTML inside content is kept as markup. */
static void
start_inline (TalesParseState *state, const char *tag, TalesAttrs *attrs)
{
  const char *colon = strchr (tag, ':');
  g_autofree char *local = g_strdup (colon ? colon + 1 : tag);
  g_autofree char *serialized = NULL;
  g_autofree char *markup = NULL;

  if (colon != NULL)
    {
      g_autofree char *prefix = g_strndup (tag, colon - tag);
      const char *ns = json_object_get_string_member_with_default (state->namespaces_in_use, prefix, "");

      if ((strcmp (local, "math") == 0 && strcmp (ns, "http://www.w3.org/1998/Math/MathML") == 0) ||
          (strcmp (local, "svg") == 0 && strcmp (ns, "http://www.w3.org/2000/svg") == 0))
        _tales_attrs_set (attrs, "xmlns", ns);
    }
  if (strcmp (local, "svg") == 0)
    state->svg_ok++;
  serialized = strattrs (attrs);
  markup = g_strdup_printf ("<%s%s>", local, serialized);
  handle_data (state, markup, -1, FALSE);
}

/* feedparser's name for an element: "prefix_local" with the prefix its
 * namespace usually has. */
static char *
method_name (TalesParseState *state, const char *tag, gboolean *has_prefix)
{
  const char *colon = strchr (tag, ':');
  g_autofree char *prefix = colon ? g_strndup (tag, colon - tag) : g_strdup ("");
  const char *suffix = colon ? colon + 1 : tag;
  const char *mapped = g_hash_table_lookup (state->namespacemap, prefix);

  if (mapped == NULL)
    mapped = prefix;
  *has_prefix = *mapped != '\0';
  return *mapped ? g_strconcat (mapped, "_", suffix, NULL) : g_strdup (suffix);
}

static void
track_base_and_lang (TalesParseState *state, const char *tag, TalesAttrs *attrs)
{
  const char *base = _tales_attrs_get (attrs, "xml:base");
  const char *lang = _tales_attrs_get (attrs, "xml:lang");

  if (base == NULL)
    base = _tales_attrs_get (attrs, "base");
  if (base == NULL || *base == '\0')
    base = state->baseuri;
  if (*state->baseuri != '\0')
    {
      char *safe = tales_uri_make_safe_absolute (state->baseuri, base);

      if (safe != NULL && *safe != '\0')
        {
          g_free (state->baseuri);
          state->baseuri = safe;
        }
      else
        g_free (safe);
    }
  else
    {
      char *joined = tales_uri_join (state->baseuri, base);

      g_free (state->baseuri);
      state->baseuri = joined;
    }

  if (lang == NULL)
    lang = _tales_attrs_get (attrs, "lang");
  if (lang != NULL && *lang == '\0')
    lang = NULL;
  else if (lang == NULL)
    lang = state->lang;
  if (lang != NULL && *lang && (strcmp (tag, "feed") == 0 || strcmp (tag, "rss") == 0))
    {
      g_autofree char *language = g_strdelimit (g_strdup (lang), "_", '-');

      json_object_set_string_member (state->feeddata, "language", language);
    }
  {
    char *copy = g_strdup (lang);

    g_free (state->lang);
    state->lang = copy;
  }
  g_ptr_array_add (state->basestack, g_strdup (state->baseuri));
  g_ptr_array_add (state->langstack, g_strdup (state->lang));
}

void
_tales_parse_state_start (TalesParseState *state, const char *tag, TalesAttrs *attrs)
{
  g_autofree char *name = NULL;
  gboolean has_prefix;

  state->depth++;
  for (guint i = 0; i + 1 < attrs->pairs->len; i += 2)
    {
      const char *key = g_ptr_array_index (attrs->pairs, i);

      if (strcmp (key, "rel") == 0 || strcmp (key, "type") == 0)
        {
          char *lower = g_utf8_strdown (g_ptr_array_index (attrs->pairs, i + 1), -1);

          g_free (attrs->pairs->pdata[i + 1]);
          attrs->pairs->pdata[i + 1] = lower;
        }
    }
  track_base_and_lang (state, tag, attrs);
  for (guint i = 0; i + 1 < attrs->pairs->len; i += 2)
    {
      const char *key = g_ptr_array_index (attrs->pairs, i);

      if (g_str_has_prefix (key, "xmlns:"))
        _tales_parse_state_track_namespace (state, key + 6, g_ptr_array_index (attrs->pairs, i + 1));
      else if (strcmp (key, "xmlns") == 0)
        _tales_parse_state_track_namespace (state, NULL, g_ptr_array_index (attrs->pairs, i + 1));
    }

  if (state->incontent && !content_type_is_xml (state))
    {
      if (strcmp (tag, "xhtml:div") == 0 || strcmp (tag, "div") == 0)
        return;
      json_object_set_string_member (state->contentparams, "type", "application/xhtml+xml");
    }
  if (state->incontent && content_is_xhtml (state))
    {
      start_inline (state, tag, attrs);
      return;
    }

  name = method_name (state, tag, &has_prefix);
  if (!has_prefix && strcmp (tag, "title") != 0 && strcmp (tag, "link") != 0 &&
      strcmp (tag, "description") != 0 && strcmp (tag, "name") != 0)
    state->intextinput = FALSE;
  if (!has_prefix && strcmp (tag, "title") != 0 && strcmp (tag, "link") != 0 &&
      strcmp (tag, "description") != 0 && strcmp (tag, "url") != 0 && strcmp (tag, "href") != 0 &&
      strcmp (tag, "width") != 0 && strcmp (tag, "height") != 0)
    state->inimage = FALSE;

  if (_tales_parse_handlers_start (state, name, attrs))
    return;
  if (_tales_attrs_count (attrs) == 0)
    _tales_state_push (state, name, TRUE);
  else
    json_object_set_object_member (_tales_state_context (state), name, _tales_attrs_to_json (attrs));
}

void
_tales_parse_state_end (TalesParseState *state, const char *tag)
{
  g_autofree char *name = NULL;
  gboolean has_prefix;
  const char *colon = strchr (tag, ':');
  const char *suffix = colon ? colon + 1 : tag;

  name = method_name (state, tag, &has_prefix);
  if (strcmp (suffix, "svg") == 0 && state->svg_ok > 0)
    state->svg_ok--;
  if (state->svg_ok > 0 || !_tales_parse_handlers_end (state, name))
    g_free (_tales_state_pop (state, name));

  if (state->incontent && !content_type_is_xml (state))
    {
      if (strcmp (tag, "xhtml:div") == 0 || strcmp (tag, "div") == 0)
        return;
      json_object_set_string_member (state->contentparams, "type", "application/xhtml+xml");
    }
  if (state->incontent && content_is_xhtml (state))
    {
      g_autofree char *close = g_strdup_printf ("</%s>", suffix);

      handle_data (state, close, -1, FALSE);
    }

  if (state->basestack->len > 0)
    {
      g_ptr_array_remove_index (state->basestack, state->basestack->len - 1);
      if (state->basestack->len > 0)
        {
          const char *base = g_ptr_array_index (state->basestack, state->basestack->len - 1);

          if (base != NULL && *base != '\0')
            tales_set_str (&state->baseuri, base);
        }
    }
  if (state->langstack->len > 0)
    {
      g_ptr_array_remove_index (state->langstack, state->langstack->len - 1);
      if (state->langstack->len > 0)
        {
          char *copy = g_strdup (g_ptr_array_index (state->langstack, state->langstack->len - 1));

          g_free (state->lang);
          state->lang = copy;
        }
    }
  state->depth--;
}
