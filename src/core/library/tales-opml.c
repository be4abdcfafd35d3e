/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-opml"

#include "config.h"

#include "tales-opml.h"
#include "tales-uri.h"

#include <glib/gi18n-lib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

/* Subscription lists are small; anything this big is not one. */
#define MAX_OPML_BYTES (16 * 1024 * 1024)
/* Deeper folders than this are flattened into the deepest one kept. */
#define MAX_DEPTH 32

G_DEFINE_QUARK (tales-opml-error-quark, tales_opml_error)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlParserCtxt, xmlFreeParserCtxt)

/* Reading */

static gboolean
name_is (xmlNode *node, const char *name)
{
  return node->type == XML_ELEMENT_NODE &&
         g_ascii_strcasecmp ((const char *) node->name, name) == 0;
}

/* The value of attribute @name (compared without case: "xmlurl" is seen
 * in the wild), trimmed, or NULL when absent or empty. Only text children
 * count: an entity of the file's own making is never expanded. */
static char *
get_attribute (xmlNode *node, const char *name)
{
  for (xmlAttr *attr = node->properties; attr != NULL; attr = attr->next)
    {
      g_autoptr(GString) value = NULL;

      if (g_ascii_strcasecmp ((const char *) attr->name, name) != 0)
        continue;
      value = g_string_new (NULL);
      for (xmlNode *child = attr->children; child != NULL; child = child->next)
        if (child->type == XML_TEXT_NODE && child->content != NULL)
          g_string_append (value, (const char *) child->content);
      g_strstrip (value->str);
      if (*value->str == '\0')
        return NULL;
      return g_string_free (g_steal_pointer (&value), FALSE);
    }
  return NULL;
}

static TalesFeed *
feed_from_outline (xmlNode *outline, const char *url, const char *folder)
{
  TalesFeed *feed = tales_feed_new ();
  g_autofree char *title = get_attribute (outline, "title");
  g_autofree char *html_url = get_attribute (outline, "htmlUrl");
  g_autofree char *link = html_url ? tales_uri_web_address (html_url) : NULL;

  if (title == NULL)
    title = get_attribute (outline, "text");
  tales_feed_set_url (feed, url);
  tales_feed_set_title (feed, title);
  tales_feed_set_link (feed, link);
  tales_feed_set_folder (feed, folder);
  return feed;
}

typedef struct {
  GPtrArray *feeds;
  GHashTable *seen;   /* feed URLs, so a feed listed twice is added once */
  guint n_refused;    /* xmlUrls that are no web address */
} Collect;

static void
collect_outlines (Collect *collect, xmlNode *parent, const char *folder, guint depth)
{
  for (xmlNode *node = parent->children; node != NULL; node = node->next)
    {
      g_autofree char *url = NULL;
      g_autofree char *name = NULL;
      g_autofree char *path = NULL;

      if (!name_is (node, "outline"))
        continue;
      url = get_attribute (node, "xmlUrl");
      if (url != NULL)
        {
          g_autofree char *address = tales_uri_web_address (url);

          if (address == NULL)
            collect->n_refused++;
          else if (g_hash_table_add (collect->seen, g_strdup (address)))
            g_ptr_array_add (collect->feeds, feed_from_outline (node, address, folder));
          /* Outlines inside a feed's outline are unusual; keep them in
           * the same folder rather than lose them. */
          collect_outlines (collect, node, folder, depth);
          continue;
        }

      name = get_attribute (node, "text");
      if (name == NULL)
        name = get_attribute (node, "title");
      if (name != NULL && depth < MAX_DEPTH)
        path = folder ? g_strconcat (folder, "/", name, NULL) : g_strdup (name);
      else
        path = g_strdup (folder);
      collect_outlines (collect, node, path, depth + 1);
    }
}

static xmlNode *
find_child (xmlNode *parent, const char *name)
{
  for (xmlNode *node = parent->children; node != NULL; node = node->next)
    if (name_is (node, name))
      return node;
  return NULL;
}

/* Parses strictly: a file that is not well-formed is refused, with what
 * libxml2 said and where. */
static xmlDoc *
read_document (const char *data, gsize length, GError **error)
{
  g_autoptr(xmlParserCtxt) ctxt = NULL;
  xmlDoc *doc;
  const xmlError *xml_error;

  if (length > MAX_OPML_BYTES)
    {
      g_set_error (error, TALES_OPML_ERROR, TALES_OPML_ERROR_INVALID,
                   _("The subscription list is too large to be one (over 16 MB)."));
      return NULL;
    }

  ctxt = xmlNewParserCtxt ();
  if (ctxt == NULL)
    g_error ("Out of memory creating an XML parser");
  doc = xmlCtxtReadMemory (ctxt, data, (int) length, NULL, NULL,
                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc != NULL && ctxt->wellFormed)
    return doc;

  g_clear_pointer (&doc, xmlFreeDoc);
  xml_error = xmlCtxtGetLastError (ctxt);
  if (xml_error != NULL && xml_error->message != NULL)
    {
      g_autofree char *message = g_strstrip (g_strdup (xml_error->message));
      g_autofree char *suffix = g_strdup_printf (" line %d", xml_error->line);

      /* Some of libxml2's messages already end with where they started. */
      if (g_str_has_suffix (message, suffix))
        message[strlen (message) - strlen (suffix)] = '\0';
      g_set_error (error, TALES_OPML_ERROR, TALES_OPML_ERROR_INVALID,
                   _("The subscription list is not well-formed XML: %s (line %d)."),
                   message, xml_error->line);
    }
  else
    g_set_error (error, TALES_OPML_ERROR, TALES_OPML_ERROR_INVALID,
                 _("The subscription list is not well-formed XML."));
  return NULL;
}

GPtrArray *
tales_opml_parse (const char  *data,
                  gsize        length,
                  GError     **error)
{
  return tales_opml_parse_full (data, length, NULL, error);
}

GPtrArray *
tales_opml_parse_full (const char  *data,
                       gsize        length,
                       guint       *n_refused,
                       GError     **error)
{
  g_autoptr(xmlDoc) doc = NULL;
  g_autoptr(GPtrArray) feeds = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Collect collect = { feeds, seen, 0 };
  xmlNode *root;
  xmlNode *body;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  doc = read_document (data != NULL ? data : "", length, error);
  if (doc == NULL)
    return NULL;

  root = xmlDocGetRootElement (doc);
  if (root == NULL || !name_is (root, "opml"))
    {
      g_set_error (error, TALES_OPML_ERROR, TALES_OPML_ERROR_INVALID,
                   _("The file is not an OPML subscription list: its root element is <%s>, not <opml> (line %d)."),
                   root ? (const char *) root->name : "", root ? (int) xmlGetLineNo (root) : 1);
      return NULL;
    }

  body = find_child (root, "body");
  if (body != NULL)
    collect_outlines (&collect, body, NULL, 0);
  if (n_refused != NULL)
    *n_refused = collect.n_refused;
  if (feeds->len == 0 && collect.n_refused > 0)
    {
      g_set_error (error, TALES_OPML_ERROR, TALES_OPML_ERROR_EMPTY,
                   g_dngettext (GETTEXT_PACKAGE,
                                "The subscription list has no web feeds in it: %u address is not http or https.",
                                "The subscription list has no web feeds in it: %u addresses are not http or https.",
                                collect.n_refused),
                   collect.n_refused);
      return NULL;
    }
  if (feeds->len == 0)
    {
      g_set_error (error, TALES_OPML_ERROR, TALES_OPML_ERROR_EMPTY,
                   _("The subscription list has no feeds in it (no outline with an xmlUrl)."));
      return NULL;
    }
  return g_steal_pointer (&feeds);
}

gboolean
tales_opml_import (TalesStore  *store,
                   const char  *data,
                   gsize        length,
                   guint       *n_added,
                   GError     **error)
{
  return tales_opml_import_full (store, data, length, n_added, NULL, error);
}

gboolean
tales_opml_import_full (TalesStore  *store,
                        const char  *data,
                        gsize        length,
                        guint       *n_added,
                        guint       *n_refused,
                        GError     **error)
{
  g_autoptr(GPtrArray) feeds = NULL;
  guint added = 0;
  guint refused = 0;

  g_return_val_if_fail (TALES_IS_STORE (store), FALSE);

  feeds = tales_opml_parse_full (data, length, &refused, error);
  if (feeds == NULL || !tales_store_add_feeds (store, feeds, &added, error))
    return FALSE;
  if (n_added != NULL)
    *n_added = added;
  if (n_refused != NULL)
    *n_refused = refused;
  return TRUE;
}

/* Writing */

/* Text that XML 1.0 can carry: valid UTF-8 without the control characters
 * it forbids even as references. libxml2 escapes the rest. */
static char *
xml_safe (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *out = g_string_sized_new (strlen (valid));

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
        continue;
      if (c == 0xFFFE || c == 0xFFFF)
        continue;
      g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

static void
set_attribute (xmlNode *node, const char *name, const char *value)
{
  g_autofree char *safe = NULL;

  if (value == NULL)
    return;
  safe = xml_safe (value);
  /* xmlNewProp stores the value as text: it is escaped on output. */
  xmlNewProp (node, (const xmlChar *) name, (const xmlChar *) safe);
}

/* RFC 822 in English whatever the locale, as OPML 2.0 asks. */
static char *
rfc822_now (void)
{
  static const char *days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char *months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_strdup_printf ("%s, %02d %s %04d %02d:%02d:%02d GMT",
                          days[g_date_time_get_day_of_week (now) - 1],
                          g_date_time_get_day_of_month (now),
                          months[g_date_time_get_month (now) - 1],
                          g_date_time_get_year (now),
                          g_date_time_get_hour (now),
                          g_date_time_get_minute (now),
                          g_date_time_get_second (now));
}

static xmlNode *
new_head (xmlNode *root)
{
  xmlNode *head = xmlNewChild (root, NULL, (const xmlChar *) "head", NULL);
  g_autofree char *date = rfc822_now ();

  xmlNewTextChild (head, NULL, (const xmlChar *) "title", (const xmlChar *) _("Tales subscriptions"));
  xmlNewTextChild (head, NULL, (const xmlChar *) "dateCreated", (const xmlChar *) date);
  return head;
}

/* The outline for @folder ("a/b/c"), made on first use with its parents;
 * @folders maps each path to its node. */
static xmlNode *
folder_outline (xmlNode *body, GHashTable *folders, const char *folder)
{
  xmlNode *node;
  const char *slash;
  xmlNode *parent = body;
  g_autofree char *parent_path = NULL;

  if (folder == NULL || *folder == '\0')
    return body;
  node = g_hash_table_lookup (folders, folder);
  if (node != NULL)
    return node;

  slash = strrchr (folder, '/');
  if (slash != NULL)
    {
      parent_path = g_strndup (folder, slash - folder);
      parent = folder_outline (body, folders, parent_path);
    }
  node = xmlNewChild (parent, NULL, (const xmlChar *) "outline", NULL);
  set_attribute (node, "text", slash ? slash + 1 : folder);
  set_attribute (node, "title", slash ? slash + 1 : folder);
  g_hash_table_insert (folders, g_strdup (folder), node);
  return node;
}

static void
add_feed_outline (xmlNode *parent, TalesFeed *feed)
{
  xmlNode *node = xmlNewChild (parent, NULL, (const xmlChar *) "outline", NULL);
  const char *title = tales_feed_get_display_title (feed);

  set_attribute (node, "type", "rss");
  set_attribute (node, "text", title);
  set_attribute (node, "title", title);
  set_attribute (node, "xmlUrl", tales_feed_get_url (feed));
  set_attribute (node, "htmlUrl", tales_feed_get_link (feed));
}

char *
tales_opml_export (TalesStore  *store,
                   GError     **error)
{
  g_autoptr(GPtrArray) feeds = NULL;
  g_autoptr(xmlDoc) doc = NULL;
  g_autoptr(GHashTable) folders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  xmlNode *root;
  xmlNode *body;
  xmlChar *text = NULL;
  int size = 0;
  char *result;

  g_return_val_if_fail (TALES_IS_STORE (store), NULL);

  feeds = tales_store_list_feeds (store, error);
  if (feeds == NULL)
    return NULL;

  doc = xmlNewDoc ((const xmlChar *) "1.0");
  root = xmlNewNode (NULL, (const xmlChar *) "opml");
  xmlDocSetRootElement (doc, root);
  xmlNewProp (root, (const xmlChar *) "version", (const xmlChar *) "2.0");
  new_head (root);
  body = xmlNewChild (root, NULL, (const xmlChar *) "body", NULL);

  for (guint i = 0; i < feeds->len; i++)
    {
      TalesFeed *feed = g_ptr_array_index (feeds, i);

      add_feed_outline (folder_outline (body, folders, tales_feed_get_folder (feed)), feed);
    }

  xmlDocDumpFormatMemoryEnc (doc, &text, &size, "UTF-8", 1);
  if (text == NULL)
    g_error ("Out of memory writing OPML");
  result = g_strndup ((const char *) text, size);
  xmlFree (text);
  return result;
}
