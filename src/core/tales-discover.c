#define G_LOG_DOMAIN "tales-discover"

#include "config.h"

#include "tales-uri.h"
#include "tales-discover.h"
#include "tales-compat.h"
#include "tales-parser.h"

#include <glib/gi18n-lib.h>
#include <libxml/HTMLparser.h>
#include <string.h>

#define TYPE_RSS "application/rss+xml"
#define TYPE_ATOM "application/atom+xml"
#define TYPE_JSON "application/feed+json"

/* Where sites usually keep their feed, tried in this order. */
static const char * const common_paths[] = {
  "/feed", "/rss.xml", "/atom.xml", "/feed.xml", "/index.xml", "/feed.json",
};

G_DEFINE_QUARK (tales-discover-error-quark, tales_discover_error)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

void
tales_discovered_feed_free (TalesDiscoveredFeed *feed)
{
  if (feed == NULL)
    return;
  g_free (feed->url);
  g_free (feed->title);
  g_free (feed->type);
  g_free (feed);
}

static TalesDiscoveredFeed *
discovered_new (const char *url, const char *title, const char *type)
{
  TalesDiscoveredFeed *feed = g_new0 (TalesDiscoveredFeed, 1);

  feed->url = g_strdup (url);
  feed->title = title != NULL && *title != '\0' ? g_strdup (title) : NULL;
  feed->type = g_strdup (type);
  return feed;
}

static GPtrArray *
discovered_array_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) tales_discovered_feed_free);
}

/* Is it a feed? (runs in a worker thread) */

static void
ignore_post (TalesPost *post, gpointer user_data)
{
}

static const char *
type_for_version (const char *version)
{
  if (version != NULL && g_str_has_prefix (version, "atom"))
    return TYPE_ATOM;
  if (version != NULL && g_str_has_prefix (version, "json"))
    return TYPE_JSON;
  return TYPE_RSS;
}

/* @body as a feed served at @url, or NULL when it is none. */
static TalesDiscoveredFeed *
read_feed (GBytes *body, const char *url)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (body, &size);
  g_autoptr(TalesParseResult) parsed = NULL;

  if (size == 0)
    return NULL;
  parsed = tales_parse (data, size, url, ignore_post, NULL, NULL);
  if (parsed == NULL)
    return NULL;
  return discovered_new (url, tales_feed_get_title (parsed->feed), type_for_version (parsed->version));
}

/* <link rel="alternate"> in a page (runs in a worker thread) */

static char *
get_attribute (xmlNode *node, const char *name)
{
  xmlChar *value = xmlGetProp (node, (const xmlChar *) name);
  char *copy = value ? g_strstrip (g_strdup ((const char *) value)) : NULL;

  xmlFree (value);
  return copy;
}

static gboolean
rel_has_alternate (const char *rel)
{
  g_auto(GStrv) tokens = NULL;

  if (rel == NULL)
    return FALSE;
  tokens = g_strsplit_set (rel, " \t\r\n\f", -1);
  for (guint i = 0; tokens[i] != NULL; i++)
    if (g_ascii_strcasecmp (tokens[i], "alternate") == 0)
      return TRUE;
  return FALSE;
}

/* The feed media type of @type ("application/rss+xml; charset=utf-8"),
 * or NULL when it names no feed. */
static const char *
feed_type (const char *type)
{
  static const char * const types[] = { TYPE_RSS, TYPE_ATOM, TYPE_JSON };
  gsize length;

  if (type == NULL)
    return NULL;
  length = strcspn (type, "; \t");
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    if (length == strlen (types[i]) && g_ascii_strncasecmp (type, types[i], length) == 0)
      return types[i];
  return NULL;
}

static gboolean
is_http (const char *url)
{
  const char *scheme = g_uri_peek_scheme (url);

  return scheme != NULL && (g_str_equal (scheme, "http") || g_str_equal (scheme, "https"));
}

/* Adds the feed @link names, resolved against @base, unless seen. */
static void
add_link (GPtrArray *found, GHashTable *seen, xmlNode *link, const char *base)
{
  g_autofree char *rel = get_attribute (link, "rel");
  g_autofree char *type = get_attribute (link, "type");
  g_autofree char *href = get_attribute (link, "href");
  g_autofree char *title = NULL;
  g_autofree char *url = NULL;
  const char *kind = feed_type (type);

  if (!rel_has_alternate (rel) || kind == NULL || href == NULL || *href == '\0')
    return;
  url = tales_uri_resolve (base, href, G_URI_FLAGS_NONE);
  if (url == NULL || !is_http (url) || !g_hash_table_add (seen, g_strdup (url)))
    return;
  title = get_attribute (link, "title");
  g_ptr_array_add (found, discovered_new (url, title, kind));
}

/* Walks the tree without recursion: a hostile page can nest deeply. */
static xmlNode *
next_element (xmlNode *node, xmlNode *root)
{
  xmlNode *child = xmlFirstElementChild (node);

  if (child != NULL)
    return child;
  for (; node != NULL && node != root; node = node->parent)
    {
      xmlNode *sibling = xmlNextElementSibling (node);
      if (sibling != NULL)
        return sibling;
    }
  return NULL;
}

static gboolean
is_element (xmlNode *node, const char *name)
{
  return g_ascii_strcasecmp ((const char *) node->name, name) == 0;
}

/* What relative links resolve against: the first <base href>, itself
 * resolved against @url, else @url. */
static char *
document_base (xmlNode *root, const char *url)
{
  for (xmlNode *node = root; node != NULL; node = next_element (node, root))
    if (is_element (node, "base"))
      {
        g_autofree char *href = get_attribute (node, "href");
        g_autofree char *resolved = NULL;

        if (href == NULL)
          continue;
        resolved = tales_uri_resolve (url, href, G_URI_FLAGS_NONE);
        if (resolved != NULL && is_http (resolved))
          return g_steal_pointer (&resolved);
        break;
      }
  return g_strdup (url);
}

static GPtrArray *
read_page_links (GBytes *body, const char *url)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (body, &size);
  g_autoptr(xmlDoc) doc = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *base = NULL;
  GPtrArray *found = discovered_array_new ();
  xmlNode *root;

  if (size == 0 || size > G_MAXINT)
    return found;
  doc = htmlReadMemory (data, (int) size, url, NULL,
                        HTML_PARSE_NONET | HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                        HTML_PARSE_NOWARNING);
  root = doc ? xmlDocGetRootElement (doc) : NULL;
  if (root == NULL)
    return found;

  base = document_base (root, url);
  for (xmlNode *node = root; node != NULL; node = next_element (node, root))
    if (is_element (node, "link"))
      add_link (found, seen, node, base);
  return found;
}

/* What a fetched document holds (runs in a worker thread): itself when
 * it is a feed, else the feeds its page links to (when @read_links). */
typedef struct {
  GBytes *body;
  char *url;        /* the address to subscribe to when it is a feed */
  char *base;       /* where it was fetched from, after redirects */
  gboolean read_links;
} Analysis;

static void
analysis_free (Analysis *analysis)
{
  g_bytes_unref (analysis->body);
  g_free (analysis->url);
  g_free (analysis->base);
  g_free (analysis);
}

static void
analyze_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Analysis *analysis = task_data;
  TalesDiscoveredFeed *feed = read_feed (analysis->body, analysis->url);
  GPtrArray *found;

  if (feed != NULL)
    {
      found = discovered_array_new ();
      g_ptr_array_add (found, feed);
    }
  else if (analysis->read_links)
    found = read_page_links (analysis->body, analysis->base);
  else
    found = discovered_array_new ();
  g_task_return_pointer (task, found, (GDestroyNotify) g_ptr_array_unref);
}

static void
analyze_async (TalesFetchResult    *fetched,
               const char          *url,
               gboolean             read_links,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Analysis *analysis = g_new0 (Analysis, 1);

  g_task_set_source_tag (task, analyze_async);
  analysis->body = fetched->body ? g_bytes_ref (fetched->body) : g_bytes_new (NULL, 0);
  analysis->url = g_strdup (url);
  analysis->base = g_strdup (fetched->final_url ? fetched->final_url : url);
  analysis->read_links = read_links;
  g_task_set_task_data (task, analysis, (GDestroyNotify) analysis_free);
  g_task_run_in_thread (task, analyze_thread);
}

/* The discovery, on the caller's main context */

typedef struct {
  TalesFetcher *fetcher;
  char *url;       /* what was asked, with a scheme */
  char *origin;    /* scheme://host[:port] for the common paths */
  char *probe;     /* the common path being tried */
  guint next_path;
} Discovery;

static void
discovery_free (Discovery *discovery)
{
  g_clear_object (&discovery->fetcher);
  g_free (discovery->url);
  g_free (discovery->origin);
  g_free (discovery->probe);
  g_free (discovery);
}

static char *
origin_of (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return NULL;
  return g_uri_join (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), NULL,
                     g_uri_get_host (uri), g_uri_get_port (uri), "", NULL, NULL);
}

static void
return_not_found (GTask *task)
{
  Discovery *discovery = g_task_get_task_data (task);
  g_autoptr(GUri) uri = g_uri_parse (discovery->url, G_URI_FLAGS_NONE, NULL);
  g_autofree char *shown = uri ? g_uri_to_string_partial (uri, G_URI_HIDE_PASSWORD)
                               : g_strdup (discovery->url);

  g_task_return_new_error (task, TALES_DISCOVER_ERROR, TALES_DISCOVER_ERROR_NOT_FOUND,
                           _("No feed was found at %s."), shown);
}

static void probe_next (GTask *task);

static void
probe_analyzed_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GPtrArray) found = g_task_propagate_pointer (G_TASK (res), NULL);

  if (g_task_return_error_if_cancelled (task))
    return;
  if (found != NULL && found->len > 0)
    {
      g_task_return_pointer (task, g_steal_pointer (&found), (GDestroyNotify) g_ptr_array_unref);
      return;
    }
  probe_next (g_steal_pointer (&task));
}

static void
probe_fetched_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Discovery *discovery = g_task_get_task_data (task);
  g_autoptr(TalesFetchResult) fetched = NULL;
  g_autoptr(GError) error = NULL;

  fetched = tales_fetcher_fetch_finish (TALES_FETCHER (source), res, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (fetched == NULL)
    {
      probe_next (g_steal_pointer (&task));
      return;
    }
  analyze_async (fetched, discovery->probe, FALSE, g_task_get_cancellable (task),
                 probe_analyzed_cb, g_object_ref (task));
}

/* Takes the reference on @task: tries the next common path, if any. */
static void
probe_next (GTask *task)
{
  Discovery *discovery = g_task_get_task_data (task);

  if (discovery->origin == NULL || discovery->next_path >= G_N_ELEMENTS (common_paths))
    {
      return_not_found (task);
      g_object_unref (task);
      return;
    }
  g_free (discovery->probe);
  discovery->probe = g_strconcat (discovery->origin, common_paths[discovery->next_path++], NULL);
  tales_fetcher_fetch_async (discovery->fetcher, discovery->probe, NULL, NULL,
                             g_task_get_cancellable (task), probe_fetched_cb, task);
}

static void
page_analyzed_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GPtrArray) found = g_task_propagate_pointer (G_TASK (res), NULL);

  if (g_task_return_error_if_cancelled (task))
    return;
  if (found != NULL && found->len > 0)
    {
      g_task_return_pointer (task, g_steal_pointer (&found), (GDestroyNotify) g_ptr_array_unref);
      return;
    }
  probe_next (g_steal_pointer (&task));
}

/* The page itself could not be had: a missing page still leaves the
 * common paths to try, an unreachable site does not. */
static gboolean
worth_probing (const GError *error)
{
  return g_error_matches (error, TALES_FETCH_ERROR, TALES_FETCH_ERROR_NOT_FOUND) ||
         g_error_matches (error, TALES_FETCH_ERROR, TALES_FETCH_ERROR_HTTP) ||
         g_error_matches (error, TALES_FETCH_ERROR, TALES_FETCH_ERROR_TOO_LARGE);
}

static void
page_fetched_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Discovery *discovery = g_task_get_task_data (task);
  g_autoptr(TalesFetchResult) fetched = NULL;
  GError *error = NULL;

  fetched = tales_fetcher_fetch_finish (TALES_FETCHER (source), res, &error);
  if (fetched == NULL && !worth_probing (error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (fetched == NULL)
    {
      g_error_free (error);
      probe_next (g_steal_pointer (&task));
      return;
    }

  /* After redirects, the site is where the page really was. */
  if (fetched->final_url != NULL)
    {
      g_autofree char *origin = origin_of (fetched->final_url);
      if (origin != NULL)
        tales_set_str (&discovery->origin, origin);
    }
  analyze_async (fetched, discovery->url, TRUE, g_task_get_cancellable (task),
                 page_analyzed_cb, g_object_ref (task));
}

void
tales_discover_async (TalesFetcher        *fetcher,
                      const char          *url,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Discovery *discovery;
  g_autofree char *trimmed = NULL;

  g_return_if_fail (TALES_IS_FETCHER (fetcher));
  g_return_if_fail (url != NULL);

  task = g_task_new (fetcher, cancellable, callback, user_data);
  g_task_set_source_tag (task, tales_discover_async);
  discovery = g_new0 (Discovery, 1);
  discovery->fetcher = g_object_ref (fetcher);
  trimmed = g_strstrip (g_strdup (url));
  /* People paste "example.com": a site without a scheme is a web site. */
  if (g_uri_peek_scheme (trimmed) == NULL)
    discovery->url = g_strconcat ("https://", trimmed, NULL);
  else
    discovery->url = g_steal_pointer (&trimmed);
  discovery->origin = origin_of (discovery->url);
  g_task_set_task_data (task, discovery, (GDestroyNotify) discovery_free);

  tales_fetcher_fetch_async (fetcher, discovery->url, NULL, NULL, cancellable,
                             page_fetched_cb, g_steal_pointer (&task));
}

GPtrArray *
tales_discover_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tales_discover_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
