/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "tales-store.h"

G_BEGIN_DECLS

#define TALES_OPML_ERROR (tales_opml_error_quark ())
GQuark tales_opml_error_quark (void);

typedef enum {
  TALES_OPML_ERROR_INVALID,    /* not OPML, or not well-formed */
  TALES_OPML_ERROR_EMPTY,      /* OPML without a single feed */
} TalesOpmlError;

/**
 * tales_opml_parse:
 *
 * Reads OPML 1.0/2.0 subscription lists: every outline with an xmlUrl
 * becomes a TalesFeed (url, title from title/text, folder from the
 * enclosing outlines joined with "/"). A file that is not well-formed is
 * refused whole; safe libxml2 options (no network, no entities, no DTD).
 * Only web addresses are kept: an xmlUrl that is not http or https
 * (feed://host/x is read as https://host/x) is skipped, and an htmlUrl of another scheme
 * dropped.
 *
 * Returns: (transfer full) (element-type TalesFeed) (nullable): the feeds
 */
GPtrArray *tales_opml_parse   (const char  *data,
                               gsize        length,
                               GError     **error);
/* The same, with the number of xmlUrls skipped for their scheme. */
GPtrArray *tales_opml_parse_full (const char  *data,
                                  gsize        length,
                                  guint       *n_refused,
                                  GError     **error);

/* Parses and subscribes in one transaction: nothing is added on error. */
gboolean   tales_opml_import  (TalesStore  *store,
                               const char  *data,
                               gsize        length,
                               guint       *n_added,
                               GError     **error);
/* The same, with the number of feeds skipped for their address's scheme. */
gboolean   tales_opml_import_full (TalesStore  *store,
                                   const char  *data,
                                   gsize        length,
                                   guint       *n_added,
                                   guint       *n_refused,
                                   GError     **error);

/* Returns (transfer full): OPML 2.0 of every subscription, folders kept. */
char      *tales_opml_export  (TalesStore  *store,
                               GError     **error);

G_END_DECLS
