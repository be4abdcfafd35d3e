/* SPDX-License-Identifier: GPL-3.0-or-later */
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

/* At most TALES_DISCOVER_MAX_TITLE_CHARS characters of valid UTF-8, with
 * an ellipsis when cut; NULL for an empty title. */
static char *
capped_title (const char *title)
{
  g_autofree char *valid = NULL;
  const char *p;

  if (title == NULL || *title == '\0')
    return NULL;
  valid = g_utf8_make_valid (title, -1);
  p = valid;
  for (guint i = 0; i < TALES_DISCOVER_MAX_TITLE_CHARS && *p != '\0'; i++)
    p = g_utf8_next_char (p);
  if (*p == '\0')
    return g_steal_pointer (&valid);
  return g_strdup_printf ("%.*s…", (int) (p - valid), valid);
}

static TalesDiscoveredFeed *
discovered_new (const char *url, const char *title, const char *type)
{
  TalesDiscoveredFeed *feed = g_new0 (TalesDiscoveredFeed, 1);

  feed->url = g_strdup (url);
  feed->title = capped_title (title);
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

/* The page is read as a stream of start tags (libxml2's HTML SAX parser),
 * never as a tree: a page of 200,000 links costs what 50 of them cost,
 * and the reading stops once the list is full. */

typedef struct {
  char *href;
  char *title;       /* nullable */
  const char *kind;  /* one of the TYPE_ constants */
} PageLink;

static void
page_link_free (PageLink *link)
{
  g_free (link->href);
  g_free (link->title);
  g_free (link);
}

typedef struct {
  xmlParserCtxt *ctxt;
  GPtrArray *links;    /* PageLink, in page order, at most the limit */
  GHashTable *hrefs;   /* the hrefs in @links, so a repeated link counts once */
  char *base_href;     /* the first <base href>, as written */
  gboolean stopped;
} PageScan;

/* The value of attribute @name among libxml2's name/value pairs, trimmed. */
static const char *
find_attribute (const xmlChar **atts, const char *name, char **storage)
{
  for (guint i = 0; atts != NULL && atts[i] != NULL; i += 2)
    if (g_ascii_strcasecmp ((const char *) atts[i], name) == 0)
      {
        *storage = atts[i + 1] ? g_strstrip (g_strdup ((const char *) atts[i + 1])) : NULL;
        return *storage;
      }
  return NULL;
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

/* Keeps the feed <link> @atts names, unless seen, too long or not http. */
static void
scan_link (PageScan *scan, const xmlChar **atts)
{
  g_autofree char *rel = NULL;
  g_autofree char *type = NULL;
  g_autofree char *href = NULL;
  g_autofree char *title = NULL;
  const char *kind;
  const char *scheme;
  PageLink *link;

  if (!rel_has_alternate (find_attribute (atts, "rel", &rel)))
    return;
  kind = feed_type (find_attribute (atts, "type", &type));
  if (kind == NULL || find_attribute (atts, "href", &href) == NULL || *href == '\0' ||
      strlen (href) > TALES_DISCOVER_MAX_URL_BYTES)
    return;
  /* Relative links resolve against an http base; others must be http. */
  scheme = g_uri_peek_scheme (href);
  if (scheme != NULL && !g_str_equal (scheme, "http") && !g_str_equal (scheme, "https"))
    return;
  if (!g_hash_table_add (scan->hrefs, g_strdup (href)))
    return;
  link = g_new0 (PageLink, 1);
  link->href = g_steal_pointer (&href);
  link->title = capped_title (find_attribute (atts, "title", &title));
  link->kind = kind;
  g_ptr_array_add (scan->links, link);
}

/* A full list ends the reading, even in <head>: a <base> that would come
 * after 50 feed links is one only a hostile page writes. */
static void
stop_when_full (PageScan *scan)
{
  if (scan->stopped || scan->links->len < TALES_DISCOVER_MAX_CANDIDATES)
    return;
  scan->stopped = TRUE;
  xmlStopParser (scan->ctxt);
}

static void
scan_start_cb (void *user_data, const xmlChar *name, const xmlChar **atts)
{
  PageScan *scan = user_data;
  const char *tag = (const char *) name;

  if (scan->stopped)
    return;
  if (g_ascii_strcasecmp (tag, "link") == 0 && scan->links->len < TALES_DISCOVER_MAX_CANDIDATES)
    scan_link (scan, atts);
  else if (g_ascii_strcasecmp (tag, "base") == 0 && scan->base_href == NULL)
    {
      char *href = NULL;

      scan->base_href = (char *) find_attribute (atts, "href", &href);
    }
  stop_when_full (scan);
}

/* Reads the page from memory with SAX callbacks only: no tree is built,
 * and a full list stops the reading where it is. (libxml2's push parser
 * would spare the copy it makes here, but it misreads UTF-16 pages.) */
static void
scan_page (PageScan *scan, const char *data, gsize size)
{
  htmlSAXHandler sax = { 0 };

  sax.startElement = scan_start_cb;
  scan->ctxt = htmlCreateMemoryParserCtxt (data, (int) size);
  if (scan->ctxt == NULL)
    g_error ("Out of memory creating an HTML parser");
  memcpy (scan->ctxt->sax, &sax, sizeof sax);
  scan->ctxt->userData = scan;
  /* Read as UTF-8 until the page says otherwise or proves not to be, as
   * htmlReadMemory() does (this context would start in Latin-1). */
  scan->ctxt->charset = XML_CHAR_ENCODING_UTF8;
  htmlCtxtUseOptions (scan->ctxt, HTML_PARSE_NONET | HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                                  HTML_PARSE_NOWARNING);
  htmlParseDocument (scan->ctxt);
  htmlFreeParserCtxt (scan->ctxt);
  scan->ctxt = NULL;
}

/* What relative links resolve against: the first <base href>, itself
 * resolved against @url when it is http, else @url. */
static char *
document_base (const char *base_href, const char *url)
{
  g_autofree char *resolved = NULL;

  if (base_href != NULL)
    resolved = tales_uri_resolve (url, base_href, G_URI_FLAGS_NONE);
  if (resolved != NULL && is_http (resolved))
    return g_steal_pointer (&resolved);
  return g_strdup (url);
}

static GPtrArray *
read_page_links (GBytes *body, const char *url)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (body, &size);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) hrefs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) links = g_ptr_array_new_with_free_func ((GDestroyNotify) page_link_free);
  g_autofree char *base = NULL;
  PageScan scan = { NULL, links, hrefs, NULL, FALSE };
  GPtrArray *found = discovered_array_new ();

  if (size == 0 || size > G_MAXINT)
    return found;
  scan_page (&scan, data, size);
  base = document_base (scan.base_href, url);
  g_free (scan.base_href);

  for (guint i = 0; i < links->len; i++)
    {
      PageLink *link = g_ptr_array_index (links, i);
      g_autofree char *resolved = tales_uri_resolve (base, link->href, G_URI_FLAGS_NONE);

      if (resolved != NULL && is_http (resolved) && g_hash_table_add (seen, g_strdup (resolved)))
        g_ptr_array_add (found, discovered_new (resolved, link->title, link->kind));
    }
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
