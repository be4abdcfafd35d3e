/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-parser"

#include "config.h"

#include "tales-parser-private.h"
#include "tales-compat.h"

#include <stdlib.h>
#include <string.h>

/* What each element means, by feedparser's name for it ("title",
 * "dc_subject", "itunes_image"): RSS 0.9x/1.0/2.0, Atom 0.3/1.0, CDF and
 * the namespaces feedparser knows. An element with no handler here keeps
 * its text under its own name (see _tales_parse_state_start()). */

typedef void (*StartFunc) (TalesParseState *state, TalesAttrs *attrs);
typedef void (*EndFunc) (TalesParseState *state);

typedef struct {
  const char *name;
  StartFunc start;
  EndFunc end;
} Handler;

static void
pop_discard (TalesParseState *state, const char *element)
{
  g_free (_tales_state_pop (state, element));
}

static void
save_string (TalesParseState *state, const char *key, const char *value, gboolean overwrite)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, value);
  _tales_state_save (state, key, node, overwrite);
}

static void
save_date (TalesParseState *state, const char *key, const char *value)
{
  _tales_state_save (state, key, _tales_state_parse_date (value), TRUE);
}

/* feedparser's _enforce_href: url= and uri= become href=. */
static void
enforce_href (TalesAttrs *attrs)
{
  const char *href = _tales_attrs_get (attrs, "url");
  g_autofree char *copy = NULL;

  if (href == NULL)
    href = _tales_attrs_get (attrs, "uri");
  if (href == NULL)
    href = _tales_attrs_get (attrs, "href");
  if (href == NULL || *href == '\0')
    return;
  copy = g_strdup (href);
  _tales_attrs_remove (attrs, "url");
  _tales_attrs_remove (attrs, "uri");
  _tales_attrs_set (attrs, "href", copy);
}

/* Sets the text of the element just pushed, for values from attributes. */
static void
set_pieces (TalesParseState *state, const char *value)
{
  TalesStackEntry *top = g_ptr_array_index (state->elementstack, state->elementstack->len - 1);

  g_ptr_array_set_size (top->pieces, 0);
  g_ptr_array_add (top->pieces, g_strdup (value));
}

/* --- the feed ------------------------------------------------------------ */

static void start_updated (TalesParseState *state, TalesAttrs *attrs);
static void end_updated (TalesParseState *state);
static void start_link (TalesParseState *state, TalesAttrs *attrs);
static void end_link (TalesParseState *state);

static void
cdf_common (TalesParseState *state, TalesAttrs *attrs)
{
  const char *lastmod = _tales_attrs_get (attrs, "lastmod");
  const char *href = _tales_attrs_get (attrs, "href");

  if (lastmod != NULL)
    {
      g_autoptr(TalesAttrs) none = _tales_attrs_new ();

      start_updated (state, none);
      set_pieces (state, lastmod);
      end_updated (state);
    }
  if (href != NULL)
    {
      g_autoptr(TalesAttrs) none = _tales_attrs_new ();
      g_autofree char *copy = g_strdup (href);

      start_link (state, none);
      set_pieces (state, copy);
      end_link (state);
    }
}

static void
start_rss (TalesParseState *state, TalesAttrs *attrs)
{
  const char *version = _tales_attrs_get (attrs, "version");

  if (*state->version != '\0' && g_str_has_prefix (state->version, "rss"))
    return;
  version = version ? version : "";
  if (strcmp (version, "0.91") == 0)
    tales_set_str (&state->version, "rss091u");
  else if (strcmp (version, "0.92") == 0)
    tales_set_str (&state->version, "rss092");
  else if (strcmp (version, "0.93") == 0)
    tales_set_str (&state->version, "rss093");
  else if (strcmp (version, "0.94") == 0)
    tales_set_str (&state->version, "rss094");
  else if (g_str_has_prefix (version, "2."))
    tales_set_str (&state->version, "rss20");
  else
    tales_set_str (&state->version, "rss");
}

static void
start_channel (TalesParseState *state, TalesAttrs *attrs)
{
  state->infeed = TRUE;
  cdf_common (state, attrs);
}

static void
start_feed (TalesParseState *state, TalesAttrs *attrs)
{
  const char *version = _tales_attrs_get (attrs, "version");

  state->infeed = TRUE;
  if (*state->version != '\0')
    return;
  if (g_strcmp0 (version, "0.1") == 0)
    tales_set_str (&state->version, "atom01");
  else if (g_strcmp0 (version, "0.2") == 0)
    tales_set_str (&state->version, "atom02");
  else if (g_strcmp0 (version, "0.3") == 0)
    tales_set_str (&state->version, "atom03");
  else
    tales_set_str (&state->version, "atom");
}

static void
end_channel (TalesParseState *state)
{
  state->infeed = FALSE;
}

static void
start_image (TalesParseState *state, TalesAttrs *attrs)
{
  JsonObject *context = _tales_state_context (state);

  if (!state->inentry)
    _tales_json_ensure_object (context, "image");
  /* RSS 1.0 puts the channel's image beside the channel, not in it;
   * feedparser would drop it, the app shows it. */
  if (!state->infeed && !state->inentry && !state->insource)
    {
      state->outside_image = TRUE;
      state->infeed = TRUE;
    }
  state->inimage = TRUE;
  state->title_depth = -1;
  _tales_state_push (state, "image", FALSE);
}

static void
end_image (TalesParseState *state)
{
  pop_discard (state, "image");
  state->inimage = FALSE;
  if (state->outside_image)
    state->infeed = FALSE;
  state->outside_image = FALSE;
}

static void
start_textinput (TalesParseState *state, TalesAttrs *attrs)
{
  _tales_json_ensure_object (_tales_state_context (state), "textinput");
  state->intextinput = TRUE;
  state->title_depth = -1;
  _tales_state_push (state, "textinput", FALSE);
}

static void
end_textinput (TalesParseState *state)
{
  pop_discard (state, "textinput");
  state->intextinput = FALSE;
}

static void
append_empty (JsonObject *context, const char *key)
{
  json_array_add_object_element (_tales_json_ensure_array (context, key), json_object_new ());
}

static void
start_author (TalesParseState *state, TalesAttrs *attrs)
{
  state->inauthor = TRUE;
  _tales_state_push (state, "author", TRUE);
  append_empty (_tales_state_context (state), "authors");
}

static void
end_author (TalesParseState *state)
{
  pop_discard (state, "author");
  state->inauthor = FALSE;
  _tales_state_sync_author_detail (state, "author");
}

static void
start_contributor (TalesParseState *state, TalesAttrs *attrs)
{
  state->incontributor = TRUE;
  append_empty (_tales_state_context (state), "contributors");
  _tales_state_push (state, "contributor", FALSE);
}

static void
end_contributor (TalesParseState *state)
{
  pop_discard (state, "contributor");
  state->incontributor = FALSE;
}

static void
start_name (TalesParseState *state, TalesAttrs *attrs)
{
  _tales_state_push (state, "name", FALSE);
}

static void
end_name (TalesParseState *state)
{
  g_autofree char *value = _tales_state_pop (state, "name");

  if (state->inpublisher)
    _tales_state_save_author (state, "name", value, "publisher");
  else if (state->inauthor)
    _tales_state_save_author (state, "name", value, "author");
  else if (state->incontributor)
    _tales_state_save_contributor (state, "name", value);
  else if (state->intextinput)
    _tales_json_set_string (_tales_state_context (state), "name", value);
}

static void
start_width (TalesParseState *state, TalesAttrs *attrs)
{
  _tales_state_push (state, "width", FALSE);
}

static void
start_height (TalesParseState *state, TalesAttrs *attrs)
{
  _tales_state_push (state, "height", FALSE);
}

/* Python's int(): optional sign, digits, nothing else. */
static gint64
py_int (const char *text)
{
  char *end;
  gint64 value;

  if (text == NULL || *text == '\0')
    return 0;
  value = g_ascii_strtoll (text, &end, 10);
  return *end == '\0' && end != text ? value : 0;
}

static void
end_dimension (TalesParseState *state, const char *key)
{
  g_autofree char *value = _tales_state_pop (state, key);

  if (state->inimage)
    json_object_set_int_member (_tales_state_context (state), key, py_int (value));
}

static void
end_width (TalesParseState *state)
{
  end_dimension (state, "width");
}

static void
end_height (TalesParseState *state)
{
  end_dimension (state, "height");
}

static void
start_url (TalesParseState *state, TalesAttrs *attrs)
{
  _tales_state_push (state, "href", TRUE);
}

static void
end_url (TalesParseState *state)
{
  g_autofree char *value = _tales_state_pop (state, "href");

  if (state->inauthor)
    _tales_state_save_author (state, "href", value, "author");
  else if (state->incontributor)
    _tales_state_save_contributor (state, "href", value);
}

static void
start_email (TalesParseState *state, TalesAttrs *attrs)
{
  _tales_state_push (state, "email", FALSE);
}

static void
end_email (TalesParseState *state)
{
  g_autofree char *value = _tales_state_pop (state, "email");

  if (state->inpublisher)
    _tales_state_save_author (state, "email", value, "publisher");
  else if (state->inauthor)
    _tales_state_save_author (state, "email", value, "author");
  else if (state->incontributor)
    _tales_state_save_contributor (state, "email", value);
}

static void
start_subtitle (TalesParseState *state, TalesAttrs *attrs)
{
  _tales_state_push_content (state, "subtitle", attrs, "text/plain", TRUE);
}

static void
end_subtitle (TalesParseState *state)
{
  g_free (_tales_state_pop_content (state, "subtitle"));
}

static void
start_rights (TalesParseState *state, TalesAttrs *attrs)
{
  _tales_state_push_content (state, "rights", attrs, "text/plain", TRUE);
}

static void
end_rights (TalesParseState *state)
{
  g_free (_tales_state_pop_content (state, "rights"));
}

static void
start_item (TalesParseState *state, TalesAttrs *attrs)
{
  const char *id = _tales_attrs_get (attrs, "rdf:about");

  _tales_state_emit_entry (state);
  g_clear_pointer (&state->entry, json_object_unref);
  g_hash_table_remove_all (state->entry_depths);
  state->entry = json_object_new ();
  state->entry_emitted = FALSE;
  _tales_state_push (state, "item", FALSE);
  state->inentry = TRUE;
  state->guidislink = FALSE;
  state->title_depth = -1;
  if (id != NULL && *id != '\0')
    json_object_set_string_member (_tales_state_context (state), "id", id);
  cdf_common (state, attrs);
}

static void
end_item (TalesParseState *state)
{
  GPtrArray *stack = state->elementstack;

  /* Atom's <content> leaves an element on the stack (feedparser pushes
   * it twice); what is above the item's own goes with the item. */
  for (guint i = stack->len; i > 0; i--)
    {
      TalesStackEntry *entry = g_ptr_array_index (stack, i - 1);

      if (strcmp (entry->element, "item") == 0)
        {
          g_ptr_array_set_size (stack, i);
          break;
        }
    }
  pop_discard (state, "item");
  state->inentry = FALSE;
  state->has_content = FALSE;
  _tales_state_emit_entry (state);
}

static void
start_language (TalesParseState *state, TalesAttrs *attrs)
{
  _tales_state_push (state, "language", TRUE);
}

static void
end_language (TalesParseState *state)
{
  char *value = _tales_state_pop (state, "language");

  g_free (state->lang);
  state->lang = value;
}

static void
start_webmaster (TalesParseState *state, TalesAttrs *attrs)
{
  _tales_state_push (state, "publisher", TRUE);
}

static void
end_webmaster (TalesParseState *state)
{
  pop_discard (state, "publisher");
  _tales_state_sync_author_detail (state, "publisher");
}

/* Date elements: the text as written, and "<key>_parsed" beside it. */
#define DATE_HANDLERS(element, key)                                    \
  static void                                                          \
  start_##element (TalesParseState *state, TalesAttrs *attrs)          \
  {                                                                    \
    _tales_state_push (state, key, TRUE);                              \
  }                                                                    \
                                                                       \
  static void                                                          \
  end_##element (TalesParseState *state)                               \
  {                                                                    \
    g_autofree char *value = _tales_state_pop (state, key);            \
                                                                       \
    save_date (state, key "_parsed", value);                           \
  }

DATE_HANDLERS (published, "published")
DATE_HANDLERS (updated, "updated")
DATE_HANDLERS (created, "created")
DATE_HANDLERS (expirationdate, "expired")

static void
start_category (TalesParseState *state, TalesAttrs *attrs)
{
  const char *scheme = _tales_attrs_get (attrs, "scheme");

  if (scheme == NULL)
    scheme = _tales_attrs_get (attrs, "domain");
  _tales_state_add_tag (state, _tales_attrs_get (attrs, "term"), scheme, _tales_attrs_get (attrs, "label"));
  _tales_state_push (state, "category", TRUE);
}

static void
end_category (TalesParseState *state)
{
  g_autofree char *value = _tales_state_pop (state, "category");
  JsonObject *context;
  JsonArray *tags;
  guint len;

  if (value == NULL || *value == '\0')
    return;
  context = _tales_state_context (state);
  tags = _tales_json_ensure_array (context, "tags");
  len = json_array_get_length (tags);
  if (len > 0)
    {
      JsonObject *last = json_array_get_object_element (tags, len - 1);
      const char *term = _tales_json_get_string (last, "term");

      if (term == NULL || *term == '\0')
        {
          json_object_set_string_member (last, "term", value);
          return;
        }
    }
  _tales_state_add_tag (state, value, NULL, NULL);
}

static void
start_cloud (TalesParseState *state, TalesAttrs *attrs)
{
  json_object_set_object_member (_tales_state_context (state), "cloud", _tales_attrs_to_json (attrs));
}

static void
start_link (TalesParseState *state, TalesAttrs *attrs)
{
  g_autoptr(TalesAttrs) link = _tales_attrs_copy (attrs);
  JsonObject *context;
  const char *href;
  const char *type;

  if (_tales_attrs_get (link, "rel") == NULL)
    _tales_attrs_set (link, "rel", "alternate");
  if (_tales_attrs_get (link, "type") == NULL)
    _tales_attrs_set (link, "type", strcmp (_tales_attrs_get (link, "rel"), "self") == 0
                                   ? "application/atom+xml" : "text/html");
  context = _tales_state_context (state);
  enforce_href (link);
  if ((href = _tales_attrs_get (link, "href")) != NULL)
    {
      g_autofree char *resolved = _tales_state_resolve_uri (state, href);

      _tales_attrs_set (link, "href", resolved);
    }
  type = _tales_map_content_type (_tales_attrs_get (link, "type"));
  if (strcmp (_tales_attrs_get (link, "rel"), "alternate") == 0 &&
      (strcmp (type, "text/html") == 0 || strcmp (type, "application/xhtml+xml") == 0))
    state->isentrylink = TRUE;
  _tales_json_ensure_array (context, "links");
  if (!(state->inentry && state->inimage))
    json_array_add_object_element (_tales_json_ensure_array (context, "links"), _tales_attrs_to_json (link));
  if ((href = _tales_attrs_get (link, "href")) != NULL)
    {
      if (state->isentrylink)
        json_object_set_string_member (context, "link", href);
    }
  else
    _tales_state_push (state, "link", state->infeed || state->inentry || state->insource);
}

static void
end_link (TalesParseState *state)
{
  pop_discard (state, "link");
  state->isentrylink = FALSE;
}

static void
start_guid (TalesParseState *state, TalesAttrs *attrs)
{
  const char *permalink = _tales_attrs_get (attrs, "ispermalink");

  state->guidislink = permalink == NULL || strcmp (permalink, "true") == 0;
  _tales_state_push (state, "id", TRUE);
}

static void
end_guid (TalesParseState *state)
{
  g_autofree char *value = _tales_state_pop (state, "id");
  JsonNode *islink = json_node_new (JSON_NODE_VALUE);

  json_node_set_boolean (islink, state->guidislink &&
                         !json_object_has_member (_tales_state_context (state), "link"));
  _tales_state_save (state, "guidislink", islink, FALSE);
  if (state->guidislink && value != NULL)
    save_string (state, "link", value, FALSE);
}

static void
start_title (TalesParseState *state, TalesAttrs *attrs)
{
  _tales_state_push_content (state, "title", attrs, "text/plain",
                             state->infeed || state->inentry || state->insource);
}

static void
end_title (TalesParseState *state)
{
  g_autofree char *value = _tales_state_pop_content (state, "title");

  if (value == NULL || *value == '\0')
    return;
  state->title_depth = state->depth;
}

static void start_content (TalesParseState *state, TalesAttrs *attrs);
static void end_content (TalesParseState *state);

static void
start_description (TalesParseState *state, TalesAttrs *attrs)
{
  JsonObject *context = _tales_state_context (state);

  if (json_object_has_member (context, "summary") && !state->has_content)
    {
      tales_set_str (&state->summary_key, "content");
      start_content (state, attrs);
    }
  else
    _tales_state_push_content (state, "description", attrs, "text/html",
                               state->infeed || state->inentry || state->insource);
}

static void
start_abstract (TalesParseState *state, TalesAttrs *attrs)
{
  _tales_state_push_content (state, "description", attrs, "text/plain",
                             state->infeed || state->inentry || state->insource);
}

static void
end_description (TalesParseState *state)
{
  if (g_strcmp0 (state->summary_key, "content") == 0)
    end_content (state);
  else
    g_free (_tales_state_pop_content (state, "description"));
  g_clear_pointer (&state->summary_key, g_free);
}

static void
start_info (TalesParseState *state, TalesAttrs *attrs)
{
  _tales_state_push_content (state, "info", attrs, "text/plain", TRUE);
}

static void
end_info (TalesParseState *state)
{
  g_free (_tales_state_pop_content (state, "info"));
}

static void
start_generator (TalesParseState *state, TalesAttrs *attrs)
{
  g_autoptr(TalesAttrs) detail = _tales_attrs_copy (attrs);
  const char *href;

  enforce_href (detail);
  if ((href = _tales_attrs_get (detail, "href")) != NULL)
    {
      g_autofree char *resolved = _tales_state_resolve_uri (state, href);

      _tales_attrs_set (detail, "href", resolved);
    }
  json_object_set_object_member (_tales_state_context (state), "generator_detail",
                                 _tales_attrs_to_json (detail));
  _tales_state_push (state, "generator", TRUE);
}

static void
end_generator (TalesParseState *state)
{
  g_autofree char *value = _tales_state_pop (state, "generator");
  JsonObject *context = _tales_state_context (state);

  if (json_object_has_member (context, "generator_detail"))
    _tales_json_set_string (json_object_get_object_member (context, "generator_detail"), "name", value);
}

static void
start_summary (TalesParseState *state, TalesAttrs *attrs)
{
  JsonObject *context = _tales_state_context (state);

  if (json_object_has_member (context, "summary") && !state->has_content)
    {
      tales_set_str (&state->summary_key, "content");
      start_content (state, attrs);
    }
  else
    {
      tales_set_str (&state->summary_key, "summary");
      _tales_state_push_content (state, "summary", attrs, "text/plain", TRUE);
    }
}

static void
end_summary (TalesParseState *state)
{
  if (g_strcmp0 (state->summary_key, "content") == 0)
    end_content (state);
  else
    g_free (_tales_state_pop_content (state, state->summary_key ? state->summary_key : "summary"));
  g_clear_pointer (&state->summary_key, g_free);
}

static void
start_enclosure (TalesParseState *state, TalesAttrs *attrs)
{
  g_autoptr(TalesAttrs) link = _tales_attrs_copy (attrs);
  const char *href;

  enforce_href (link);
  /* feedparser leaves these relative; a podcast player cannot */
  if ((href = _tales_attrs_get (link, "href")) != NULL)
    {
      g_autofree char *resolved = _tales_state_resolve_uri (state, href);

      _tales_attrs_set (link, "href", resolved);
    }
  _tales_attrs_set (link, "rel", "enclosure");
  json_array_add_object_element (_tales_json_ensure_array (_tales_state_context (state), "links"),
                                 _tales_attrs_to_json (link));
}

static void
start_source (TalesParseState *state, TalesAttrs *attrs)
{
  const char *url = _tales_attrs_get (attrs, "url");

  if (url != NULL)
    json_object_set_string_member (state->sourcedata, "href", url);
  _tales_state_push (state, "source", TRUE);
  state->insource = TRUE;
  state->title_depth = -1;
}

static void
end_source (TalesParseState *state)
{
  g_autofree char *value = NULL;

  state->insource = FALSE;
  value = _tales_state_pop (state, "source");
  if (value != NULL && *value != '\0')
    json_object_set_string_member (state->sourcedata, "title", value);
  json_object_set_object_member (_tales_state_context (state), "source", state->sourcedata);
  state->sourcedata = json_object_new ();
}

static void
start_content (TalesParseState *state, TalesAttrs *attrs)
{
  const char *src = _tales_attrs_get (attrs, "src");

  state->has_content = TRUE;
  _tales_state_push_content (state, "content", attrs, "text/plain", TRUE);
  if (src != NULL && *src != '\0')
    json_object_set_string_member (state->contentparams, "src", src);
  _tales_state_push (state, "content", TRUE);
}

static void
start_body (TalesParseState *state, TalesAttrs *attrs)
{
  _tales_state_push_content (state, "content", attrs, "application/xhtml+xml", TRUE);
}

static void
start_content_encoded (TalesParseState *state, TalesAttrs *attrs)
{
  state->has_content = TRUE;
  _tales_state_push_content (state, "content", attrs, "text/html", TRUE);
}

static void
end_content (TalesParseState *state)
{
  const char *type = _tales_map_content_type (_tales_json_get_string (state->contentparams, "type"));
  gboolean copy = strcmp (type, "text/plain") == 0 || strcmp (type, "text/html") == 0 ||
                  strcmp (type, "application/xhtml+xml") == 0;
  g_autofree char *value = _tales_state_pop_content (state, "content");

  if (copy && value != NULL)
    save_string (state, "summary", value, FALSE);
}

static void
start_newlocation (TalesParseState *state, TalesAttrs *attrs)
{
  _tales_state_push (state, "newlocation", TRUE);
}

static void
end_newlocation (TalesParseState *state)
{
  g_autofree char *url = _tales_state_pop (state, "newlocation");
  JsonObject *context = _tales_state_context (state);
  g_autofree char *safe = NULL;

  if (context != state->feeddata || url == NULL)
    return;
  safe = tales_uri_make_safe_absolute (state->baseuri, g_strstrip (url));
  json_object_set_string_member (context, "newlocation", safe ? safe : "");
}

static void
split_into_tags (TalesParseState *state, const char *text, const char *scheme, gboolean skip_empty)
{
  g_auto(GStrv) terms = NULL;

  if (text == NULL)
    return;
  terms = g_strsplit (text, ",", -1);
  for (guint i = 0; terms[i]; i++)
    {
      g_strstrip (terms[i]);
      if (!skip_empty || *terms[i])
        _tales_state_add_tag (state, terms[i], scheme, NULL);
    }
}

static void
start_tags (TalesParseState *state, TalesAttrs *attrs)
{
  _tales_state_push (state, "tags", TRUE);
}

static void
end_tags (TalesParseState *state)
{
  g_autofree char *value = _tales_state_pop (state, "tags");

  split_into_tags (state, value, NULL, FALSE);
}

/* --- Dublin Core ----------------------------------------------------------- */

static void
start_dcterms_valid (TalesParseState *state, TalesAttrs *attrs)
{
  _tales_state_push (state, "validity", TRUE);
}

static void
end_dcterms_valid (TalesParseState *state)
{
  g_autofree char *value = _tales_state_pop (state, "validity");
  g_auto(GStrv) parts = NULL;

  if (value == NULL)
    return;
  parts = g_strsplit (value, ";", -1);
  for (guint i = 0; parts[i]; i++)
    {
      char *eq = strchr (parts[i], '=');

      if (eq == NULL)
        continue;
      *eq = '\0';
      if (strcmp (parts[i], "start") == 0 || strcmp (parts[i], "end") == 0)
        {
          g_autofree char *key = g_strconcat ("validity_", parts[i], NULL);
          g_autofree char *parsed_key = g_strconcat (key, "_parsed", NULL);

          save_string (state, key, eq + 1, TRUE);
          save_date (state, parsed_key, eq + 1);
        }
    }
}

static void
start_dc_contributor (TalesParseState *state, TalesAttrs *attrs)
{
  state->incontributor = TRUE;
  append_empty (_tales_state_context (state), "contributors");
  _tales_state_push (state, "name", FALSE);
}

static void
end_dc_contributor (TalesParseState *state)
{
  end_name (state);
  state->incontributor = FALSE;
}

/* --- iTunes ---------------------------------------------------------------- */

static void
start_itunes_owner (TalesParseState *state, TalesAttrs *attrs)
{
  state->inpublisher = TRUE;
  _tales_state_push (state, "publisher", FALSE);
}

static void
end_itunes_owner (TalesParseState *state)
{
  pop_discard (state, "publisher");
  state->inpublisher = FALSE;
  _tales_state_sync_author_detail (state, "publisher");
}

static void
end_itunes_keywords (TalesParseState *state)
{
  g_autofree char *value = _tales_state_pop (state, "itunes_keywords");

  split_into_tags (state, value, "http://www.itunes.com/", TRUE);
}

static void
start_itunes_category (TalesParseState *state, TalesAttrs *attrs)
{
  _tales_state_add_tag (state, _tales_attrs_get (attrs, "text"), "http://www.itunes.com/", NULL);
  _tales_state_push (state, "category", TRUE);
}

static void
start_itunes_image (TalesParseState *state, TalesAttrs *attrs)
{
  const char *href = _tales_attrs_get (attrs, "href");

  _tales_state_push (state, "itunes_image", FALSE);
  if (href == NULL || *href == '\0')
    href = _tales_attrs_get (attrs, "url");
  if (href != NULL && *href != '\0')
    {
      JsonObject *image = json_object_new ();

      json_object_set_string_member (image, "href", href);
      json_object_set_object_member (_tales_state_context (state), "image", image);
    }
}

static void
end_itunes_block (TalesParseState *state)
{
  g_autofree char *value = _tales_state_pop_full (state, "itunes_block", FALSE);

  json_object_set_int_member (_tales_state_context (state), "itunes_block",
                              g_strcmp0 (value, "yes") == 0 || g_strcmp0 (value, "Yes") == 0);
}

static void
end_itunes_explicit (TalesParseState *state)
{
  g_autofree char *value = _tales_state_pop_full (state, "itunes_explicit", FALSE);
  JsonObject *context = _tales_state_context (state);

  if (g_strcmp0 (value, "yes") == 0)
    json_object_set_boolean_member (context, "itunes_explicit", TRUE);
  else if (g_strcmp0 (value, "clean") == 0)
    json_object_set_boolean_member (context, "itunes_explicit", FALSE);
  else
    json_object_set_null_member (context, "itunes_explicit");
}

/* --- Media RSS ------------------------------------------------------------- */

static void
start_media_category (TalesParseState *state, TalesAttrs *attrs)
{
  g_autoptr(TalesAttrs) copy = _tales_attrs_copy (attrs);

  if (_tales_attrs_get (copy, "scheme") == NULL)
    _tales_attrs_set (copy, "scheme", "http://search.yahoo.com/mrss/category_schema");
  start_category (state, copy);
}

static void
end_media_keywords (TalesParseState *state)
{
  g_autofree char *value = _tales_state_pop (state, "media_keywords");

  split_into_tags (state, value, NULL, TRUE);
}

static void
end_media_title (TalesParseState *state)
{
  int title_depth = state->title_depth;

  end_title (state);
  state->title_depth = title_depth;
}

static void
start_media_group (TalesParseState *state, TalesAttrs *attrs)
{
}

/* media:rating, media:restriction, media:license: the attributes, once,
 * plus the text as "content". */
static void
start_media_once (TalesParseState *state, TalesAttrs *attrs, const char *key, const char *element)
{
  JsonObject *context = _tales_state_context (state);

  if (!json_object_has_member (context, key))
    json_object_set_object_member (context, key, _tales_attrs_to_json (attrs));
  _tales_state_push (state, element, TRUE);
}

static void
end_media_once (TalesParseState *state, const char *key, const char *element, gboolean split)
{
  g_autofree char *value = _tales_state_pop (state, element);
  JsonObject *context;
  JsonNode *node;

  if (value == NULL || *value == '\0')
    return;
  context = _tales_state_context (state);
  node = json_object_get_member (context, key);
  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_OBJECT)
    return;
  if (split)
    {
      g_auto(GStrv) codes = g_strsplit (value, " ", -1);
      JsonArray *list = json_array_new ();

      for (guint i = 0; codes[i]; i++)
        {
          g_autofree char *code = g_ascii_strdown (g_strstrip (codes[i]), -1);

          json_array_add_string_element (list, code);
        }
      json_object_set_array_member (json_node_get_object (node), "content", list);
    }
  else
    json_object_set_string_member (json_node_get_object (node), "content", value);
}

static void
start_media_rating (TalesParseState *state, TalesAttrs *attrs)
{
  start_media_once (state, attrs, "media_rating", "rating");
}

static void
end_media_rating (TalesParseState *state)
{
  end_media_once (state, "media_rating", "rating", FALSE);
}

static void
start_media_restriction (TalesParseState *state, TalesAttrs *attrs)
{
  start_media_once (state, attrs, "media_restriction", "restriction");
}

static void
end_media_restriction (TalesParseState *state)
{
  end_media_once (state, "media_restriction", "restriction", TRUE);
}

static void
start_media_license (TalesParseState *state, TalesAttrs *attrs)
{
  start_media_once (state, attrs, "media_license", "license");
}

static void
end_media_license (TalesParseState *state)
{
  end_media_once (state, "media_license", "license", FALSE);
}

static void
start_media_credit (TalesParseState *state, TalesAttrs *attrs)
{
  json_array_add_object_element (_tales_json_ensure_array (_tales_state_context (state), "media_credit"),
                                 _tales_attrs_to_json (attrs));
  _tales_state_push (state, "credit", TRUE);
}

static void
end_media_credit (TalesParseState *state)
{
  g_autofree char *value = _tales_state_pop (state, "credit");
  JsonArray *list;

  if (value == NULL || *value == '\0')
    return;
  list = _tales_json_ensure_array (_tales_state_context (state), "media_credit");
  if (json_array_get_length (list) > 0)
    json_object_set_string_member (json_array_get_object_element (list, json_array_get_length (list) - 1),
                                   "content", value);
}

static void
start_media_content (TalesParseState *state, TalesAttrs *attrs)
{
  json_array_add_object_element (_tales_json_ensure_array (_tales_state_context (state), "media_content"),
                                 _tales_attrs_to_json (attrs));
}

static void
start_media_thumbnail (TalesParseState *state, TalesAttrs *attrs)
{
  JsonArray *list = _tales_json_ensure_array (_tales_state_context (state), "media_thumbnail");

  _tales_state_push (state, "url", TRUE);
  json_array_add_object_element (list, _tales_attrs_to_json (attrs));
}

static void
end_media_thumbnail (TalesParseState *state)
{
  g_autofree char *url = _tales_state_pop (state, "url");
  JsonArray *list = _tales_json_ensure_array (_tales_state_context (state), "media_thumbnail");
  JsonObject *last;

  if (url == NULL || *url == '\0' || json_array_get_length (list) == 0)
    return;
  last = json_array_get_object_element (list, json_array_get_length (list) - 1);
  if (!json_object_has_member (last, "url"))
    json_object_set_string_member (last, "url", url);
}

static void
start_media_player (TalesParseState *state, TalesAttrs *attrs)
{
  _tales_state_push (state, "media_player", FALSE);
  json_object_set_object_member (_tales_state_context (state), "media_player", _tales_attrs_to_json (attrs));
}

static void
end_media_player (TalesParseState *state)
{
  g_autofree char *value = _tales_state_pop (state, "media_player");
  JsonObject *context = _tales_state_context (state);

  if (json_object_has_member (context, "media_player"))
    _tales_json_set_string (json_object_get_object_member (context, "media_player"), "content", value);
}

/* --- Podlove Simple Chapters ----------------------------------------------- */

static void
start_psc_chapters (TalesParseState *state, TalesAttrs *attrs)
{
  JsonObject *context = _tales_state_context (state);
  JsonObject *chapters;

  if (json_object_has_member (context, "psc_chapters"))
    return;
  state->psc_chapters_flag = TRUE;
  chapters = _tales_attrs_to_json (attrs);
  json_object_set_array_member (chapters, "chapters", json_array_new ());
  json_object_set_object_member (context, "psc_chapters", chapters);
}

static void
end_psc_chapters (TalesParseState *state)
{
  state->psc_chapters_flag = FALSE;
}

/* "hh:mm:ss.mmm" (hours optional) in seconds; < 0 when malformed. */
static double
psc_start (const char *text)
{
  int h = 0, m, s, ms = 0;
  const char *p = text;
  int parts[3], n = 0;

  if (text == NULL)
    return -1;
  while (n < 3)
    {
      if (!g_ascii_isdigit (p[0]) || !g_ascii_isdigit (p[1]))
        return -1;
      parts[n++] = (p[0] - '0') * 10 + (p[1] - '0');
      p += 2;
      if (*p != ':')
        break;
      p++;
    }
  if (n < 2)
    return -1;
  if (*p == '.')
    {
      if (!g_ascii_isdigit (p[1]) || !g_ascii_isdigit (p[2]) || !g_ascii_isdigit (p[3]))
        return -1;
      ms = atoi (p + 1);
      p += 4;
    }
  if (*p != '\0')
    return -1;
  if (n == 3)
    h = parts[0];
  m = parts[n - 2];
  s = parts[n - 1];
  return h * 3600 + m * 60 + s + ms / 1000.0;
}

static void
start_psc_chapter (TalesParseState *state, TalesAttrs *attrs)
{
  JsonObject *context = _tales_state_context (state);
  JsonObject *chapter;
  double start;

  if (!state->psc_chapters_flag || !json_object_has_member (context, "psc_chapters"))
    return;
  chapter = _tales_attrs_to_json (attrs);
  start = psc_start (_tales_attrs_get (attrs, "start"));
  if (start >= 0)
    json_object_set_double_member (chapter, "start_parsed", start);
  else
    json_object_set_null_member (chapter, "start_parsed");
  json_array_add_object_element (json_object_get_array_member (json_object_get_object_member (context, "psc_chapters"),
                                                               "chapters"), chapter);
}

/* --- Creative Commons and admin -------------------------------------------- */

static void
add_license_link (TalesParseState *state, const char *href)
{
  JsonObject *link = json_object_new ();

  json_object_set_string_member (link, "rel", "license");
  if (href != NULL && *href != '\0')
    json_object_set_string_member (link, "href", href);
  json_array_add_object_element (_tales_json_ensure_array (_tales_state_context (state), "links"), link);
}

static void
start_cc_license (TalesParseState *state, TalesAttrs *attrs)
{
  add_license_link (state, _tales_attrs_get (attrs, "rdf:resource"));
}

static void
start_creativecommons_license (TalesParseState *state, TalesAttrs *attrs)
{
  _tales_state_push (state, "license", TRUE);
}

static void
end_creativecommons_license (TalesParseState *state)
{
  g_autofree char *value = _tales_state_pop (state, "license");

  if (value == NULL)
    return;
  add_license_link (state, value);
  json_object_remove_member (_tales_state_context (state), "license");
}

static void
start_admin_generatoragent (TalesParseState *state, TalesAttrs *attrs)
{
  const char *value = _tales_attrs_get (attrs, "rdf:resource");
  JsonObject *detail = json_object_new ();

  _tales_state_push (state, "generator", TRUE);
  if (value != NULL && *value != '\0')
    set_pieces (state, value);
  pop_discard (state, "generator");
  _tales_json_set_string (detail, "href", value);
  json_object_set_object_member (_tales_state_context (state), "generator_detail", detail);
}

static void
start_admin_errorreportsto (TalesParseState *state, TalesAttrs *attrs)
{
  const char *value = _tales_attrs_get (attrs, "rdf:resource");

  _tales_state_push (state, "errorreportsto", TRUE);
  if (value != NULL && *value != '\0')
    set_pieces (state, value);
  pop_discard (state, "errorreportsto");
}


static const Handler handlers[] = {
  { "rss", start_rss, NULL },
  { "channel", start_channel, end_channel },
  { "feed", start_feed, end_channel },
  { "image", start_image, end_image },
  { "textinput", start_textinput, end_textinput },
  { "author", start_author, end_author },
  { "managingeditor", start_author, end_author },
  { "contributor", start_contributor, end_contributor },
  { "name", start_name, end_name },
  { "width", start_width, end_width },
  { "height", start_height, end_height },
  { "url", start_url, end_url },
  { "homepage", start_url, end_url },
  { "uri", start_url, end_url },
  { "email", start_email, end_email },
  { "subtitle", start_subtitle, end_subtitle },
  { "tagline", start_subtitle, end_subtitle },
  { "rights", start_rights, end_rights },
  { "copyright", start_rights, end_rights },
  { "item", start_item, end_item },
  { "entry", start_item, end_item },
  { "language", start_language, end_language },
  { "webmaster", start_webmaster, end_webmaster },
  { "published", start_published, end_published },
  { "issued", start_published, end_published },
  { "pubdate", start_published, end_published },
  { "updated", start_updated, end_updated },
  { "modified", start_updated, end_updated },
  { "lastbuilddate", start_updated, end_updated },
  { "created", start_created, end_created },
  { "expirationdate", start_expirationdate, end_expirationdate },
  { "category", start_category, end_category },
  { "keywords", start_category, end_category },
  { "cloud", start_cloud, NULL },
  { "link", start_link, end_link },
  { "guid", start_guid, end_guid },
  { "id", start_guid, end_guid },
  { "title", start_title, end_title },
  { "description", start_description, end_description },
  { "abstract", start_abstract, end_description },
  { "info", start_info, end_info },
  { "feedburner_browserfriendly", start_info, end_info },
  { "generator", start_generator, end_generator },
  { "summary", start_summary, end_summary },
  { "enclosure", start_enclosure, NULL },
  { "source", start_source, end_source },
  { "content", start_content, end_content },
  { "body", start_body, end_content },
  { "xhtml_body", start_body, end_content },
  { "content_encoded", start_content_encoded, end_content },
  { "fullitem", start_content_encoded, end_content },
  { "newlocation", start_newlocation, end_newlocation },
  { "tags", start_tags, end_tags },
  { "dc_author", start_author, end_author },
  { "dc_creator", start_author, end_author },
  { "dc_date", start_updated, end_updated },
  { "dc_description", start_description, end_description },
  { "dc_language", start_language, end_language },
  { "dc_publisher", start_webmaster, end_webmaster },
  { "dc_rights", start_rights, end_rights },
  { "dc_subject", start_category, end_category },
  { "dc_title", start_title, end_title },
  { "dcterms_created", start_created, end_created },
  { "dcterms_issued", start_published, end_published },
  { "dcterms_modified", start_updated, end_updated },
  { "dcterms_valid", start_dcterms_valid, end_dcterms_valid },
  { "dc_contributor", start_dc_contributor, end_dc_contributor },
  { "itunes_author", start_author, end_author },
  { "itunes_category", start_itunes_category, end_category },
  { "itunes_name", start_name, end_name },
  { "itunes_email", start_email, end_email },
  { "itunes_subtitle", start_subtitle, end_subtitle },
  { "itunes_summary", start_summary, end_summary },
  { "itunes_owner", start_itunes_owner, end_itunes_owner },
  { "itunes_keywords", NULL, end_itunes_keywords },
  { "itunes_image", start_itunes_image, NULL },
  { "itunes_link", start_itunes_image, NULL },
  { "itunes_block", NULL, end_itunes_block },
  { "itunes_explicit", NULL, end_itunes_explicit },
  { "media_category", start_media_category, end_category },
  { "media_keywords", NULL, end_media_keywords },
  { "media_title", start_title, end_media_title },
  { "media_group", start_media_group, NULL },
  { "media_rating", start_media_rating, end_media_rating },
  { "media_credit", start_media_credit, end_media_credit },
  { "media_description", start_description, end_description },
  { "media_restriction", start_media_restriction, end_media_restriction },
  { "media_license", start_media_license, end_media_license },
  { "media_content", start_media_content, NULL },
  { "media_thumbnail", start_media_thumbnail, end_media_thumbnail },
  { "media_player", start_media_player, end_media_player },
  { "psc_chapters", start_psc_chapters, end_psc_chapters },
  { "psc_chapter", start_psc_chapter, NULL },
  { "cc_license", start_cc_license, NULL },
  { "creativecommons_license", start_creativecommons_license, end_creativecommons_license },
  { "admin_generatoragent", start_admin_generatoragent, NULL },
  { "admin_errorreportsto", start_admin_errorreportsto, NULL },
  { "where", _tales_geo_start_where, _tales_geo_end_where },
  { "georss_where", _tales_geo_start_where, _tales_geo_end_where },
  { "georss_point", _tales_geo_start_georss, _tales_geo_end_georss_point },
  { "georss_line", _tales_geo_start_georss, _tales_geo_end_georss_line },
  { "georss_polygon", _tales_geo_start_georss, _tales_geo_end_georss_polygon },
  { "georss_box", _tales_geo_start_georss, _tales_geo_end_georss_box },
  { "gml_point", _tales_geo_start_gml_point, _tales_geo_end_geom },
  { "gml_linestring", _tales_geo_start_gml_linestring, _tales_geo_end_geom },
  { "gml_polygon", _tales_geo_start_gml_polygon, _tales_geo_end_geom },
  { "gml_exterior", _tales_geo_start_gml_exterior, _tales_geo_end_geom },
  { "gml_linearring", _tales_geo_start_gml_linearring, _tales_geo_end_geom },
  { "gml_pos", _tales_geo_start_pos, _tales_geo_end_gml_pos },
  { "gml_poslist", _tales_geo_start_pos, _tales_geo_end_gml_poslist },
};

static GHashTable *
handler_table (void)
{
  static GHashTable *table;

  if (g_once_init_enter (&table))
    {
      GHashTable *t = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint i = 0; i < G_N_ELEMENTS (handlers); i++)
        g_hash_table_insert (t, (gpointer) handlers[i].name, (gpointer) &handlers[i]);
      g_once_init_leave (&table, t);
    }
  return table;
}

gboolean
_tales_parse_handlers_start (TalesParseState *state, const char *name, TalesAttrs *attrs)
{
  const Handler *handler = g_hash_table_lookup (handler_table (), name);

  if (handler == NULL || handler->start == NULL)
    return FALSE;
  handler->start (state, attrs);
  return TRUE;
}

gboolean
_tales_parse_handlers_end (TalesParseState *state, const char *name)
{
  const Handler *handler = g_hash_table_lookup (handler_table (), name);

  if (handler == NULL || handler->end == NULL)
    return FALSE;
  handler->end (state);
  return TRUE;
}
