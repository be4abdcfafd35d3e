/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "tales-fetcher.h"

G_BEGIN_DECLS

#define TALES_DISCOVER_ERROR (tales_discover_error_quark ())
GQuark tales_discover_error_quark (void);

typedef enum {
  TALES_DISCOVER_ERROR_NOT_FOUND,   /* the address answered, but with no feed */
} TalesDiscoverError;

/* A page lists at most this many feeds: the rest of its links are not
 * read (a page of 200,000 of them once took 55 s and 2.9 GB). */
#define TALES_DISCOVER_MAX_CANDIDATES 50
/* A feed's title is cut to this many characters, with an ellipsis. */
#define TALES_DISCOVER_MAX_TITLE_CHARS 200
/* A link longer than this (in bytes) is no feed address anyone meant. */
#define TALES_DISCOVER_MAX_URL_BYTES 8192

/* A feed found for an address someone pasted. */
typedef struct {
  char *url;
  char *title;   /* nullable */
  char *type;    /* "application/rss+xml", "application/atom+xml", "application/feed+json" */
} TalesDiscoveredFeed;

void tales_discovered_feed_free (TalesDiscoveredFeed *feed);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TalesDiscoveredFeed, tales_discovered_feed_free)

/* Finds the feeds behind @url: @url itself when it is a feed; else the
 * page's <link rel="alternate" type="application/rss+xml|atom+xml|feed+json">
 * in order, the first TALES_DISCOVER_MAX_CANDIDATES of them; else the first
 * of the common paths (/feed, /rss.xml, /atom.xml, /feed.xml, /index.xml,
 * /feed.json) that answers with a feed. */
void       tales_discover_async  (TalesFetcher        *fetcher,
                                  const char          *url,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
/* Returns (transfer full) (element-type TalesDiscoveredFeed): at least one
 * feed, or NULL with an error that says in words that none was found
 * (TALES_DISCOVER_ERROR_NOT_FOUND), or the TALES_FETCH_ERROR that kept the
 * site from being reached. An address without a scheme gets https://. */
GPtrArray *tales_discover_finish (GAsyncResult        *result,
                                  GError             **error);

G_END_DECLS
