/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Module parse: feed bytes in, TalesFeed and TalesPost out. RSS 0.9x to 2.0,
 * Atom 0.3 and 1.0, JSON Feed 1 and 1.1, in any encoding (tales-encoding),
 * with their dates (tales-date), streamed one item at a time; every field
 * cut to its limit (tales-text-limits.h).
 * May use: base, model, libxml2, json-glib. Knows no database and no
 * network. */

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "tales-feed.h"
#include "tales-post.h"

G_BEGIN_DECLS

#define TALES_PARSE_ERROR (tales_parse_error_quark ())
GQuark tales_parse_error_quark (void);

typedef enum {
  TALES_PARSE_ERROR_EMPTY,       /* no bytes at all */
  TALES_PARSE_ERROR_NOT_A_FEED,  /* readable, but HTML, some other XML, or
                                  * JSON that is no JSON Feed */
  TALES_PARSE_ERROR_MALFORMED,   /* so broken that nothing could be read */
  TALES_PARSE_ERROR_TOO_LARGE,
} TalesParseError;

/* What a parse found about the document as a whole; the posts either come
 * one at a time through a TalesParsePostFunc, or collected in @posts. */
typedef struct {
  char *version;        /* feedparser's names: "rss20", "atom10", "rss10",
                         * "json11", ... */
  gboolean bozo;        /* the document was not well-formed but was recovered */
  char *bozo_message;   /* why, in words; NULL when !bozo */
  char *encoding;       /* the encoding used, lower case ("utf-8") */
  char *bozo_exception; /* feedparser's name for why: "SAXParseException",
                         * "CharacterEncodingOverride", ...; NULL when !bozo */
  JsonObject *namespaces; /* prefix -> URI of the namespaces the feed used */
  TalesFeed *feed;      /* channel-level data; never NULL on success */
  GPtrArray *posts;     /* TalesPost, in document order; NULL when streamed */
} TalesParseResult;

/* The date text of the feed's lastBuildDate / updated exactly as written,
 * kept on TalesParseResult.feed as object data under this key (TalesFeed
 * has only the parsed date); NULL when the feed had none. */
#define TALES_PARSE_FEED_UPDATED_TEXT "tales-parse-updated-text"

/* Where a document came from, for what HTTP said about it. Every field
 * may be NULL/0. */
typedef struct {
  const char *base_uri;          /* the document's address */
  gboolean    from_http;         /* the headers below are what a server sent
                                  * (then a missing Content-Type matters) */
  const char *content_type;      /* e.g. "text/xml; charset=utf-8" */
  const char *content_location;  /* a base URI that overrides base_uri */
  const char *content_language;  /* the language when the feed names none */
  gboolean    keep_extras;       /* attach the feedparser-shaped dicts */
} TalesParseOptions;

/* With TalesParseOptions.keep_extras, every post and the feed carry, as
 * object data under this key, a JsonObject shaped like the entry / feed
 * dict of Python feedparser (every field it knows, with *_detail, links,
 * authors, ...). The app's model keeps only what it shows; this is for
 * `tales-cli parse --json` and for tests. */
#define TALES_PARSE_EXTRAS "tales-parse-extras"

void tales_parse_result_free (TalesParseResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TalesParseResult, tales_parse_result_free)

/* Called once per item, as soon as it is read; the callee takes a ref
 * if it keeps the post. */
typedef void (*TalesParsePostFunc) (TalesPost *post, gpointer user_data);

/**
 * tales_parse:
 * @data: the raw, undecoded bytes of the document
 * @length: their length
 * @base_uri: (nullable): where the document came from; relative links
 *   resolve against it
 * @on_post: (nullable): called for each post while parsing; when NULL the
 *   posts are collected in the result instead
 * @user_data: for @on_post
 * @error: set when the bytes are not a feed at all
 *
 * Parses RSS 2.0 (and the formats that slot in beside it), and JSON Feed
 * 1 and 1.1 (a document whose first byte that is not blank is "{";
 * TalesParseResult.version is then "json1" or "json11"). Never touches
 * the network or the file system: no DTD loading, no external entities.
 * XML items are read one at a time, so memory stays bounded by the
 * largest item, not by the document; a JSON Feed is read whole.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
TalesParseResult *tales_parse (const char         *data,
                               gsize               length,
                               const char         *base_uri,
                               TalesParsePostFunc  on_post,
                               gpointer            user_data,
                               GError            **error);

/**
 * tales_parse_full:
 * @data: the raw, undecoded bytes of the document
 * @length: their length
 * @options: (nullable): where the document came from
 * @on_post: (nullable): as for tales_parse()
 * @user_data: for @on_post
 * @error: as for tales_parse()
 *
 * Like tales_parse(), honouring the HTTP charset, Content-Location and
 * Content-Language in @options.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
TalesParseResult *tales_parse_full (const char               *data,
                                    gsize                     length,
                                    const TalesParseOptions  *options,
                                    TalesParsePostFunc        on_post,
                                    gpointer                  user_data,
                                    GError                  **error);

/**
 * tales_parse_stream_full:
 * @stream: the raw, undecoded bytes of the document
 * @options: (nullable): where the document came from
 * @on_post: (nullable): as for tales_parse()
 * @user_data: for @on_post
 * @cancellable: (nullable): a #GCancellable
 * @error: as for tales_parse_stream()
 *
 * tales_parse_stream() with the @options of tales_parse_full().
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
TalesParseResult *tales_parse_stream_full (GInputStream             *stream,
                                           const TalesParseOptions  *options,
                                           TalesParsePostFunc        on_post,
                                           gpointer                  user_data,
                                           GCancellable             *cancellable,
                                           GError                  **error);

/**
 * tales_parse_stream:
 * @stream: the raw, undecoded bytes of the document
 * @base_uri: (nullable): where the document came from
 * @on_post: (nullable): as for tales_parse()
 * @user_data: for @on_post
 * @cancellable: (nullable): a #GCancellable
 * @error: set when the bytes are not a feed, or reading @stream failed
 *   (then a G_IO_ERROR, e.g. G_IO_ERROR_CANCELLED)
 *
 * Like tales_parse(), but reads @stream a little at a time, so that not
 * even the document's bytes are all in memory at once. Blocks: call it
 * from a worker thread.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
TalesParseResult *tales_parse_stream (GInputStream       *stream,
                                      const char         *base_uri,
                                      TalesParsePostFunc  on_post,
                                      gpointer            user_data,
                                      GCancellable       *cancellable,
                                      GError            **error);

G_END_DECLS
