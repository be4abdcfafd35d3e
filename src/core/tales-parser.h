#pragma once

#include <gio/gio.h>

#include "tales-feed.h"
#include "tales-post.h"

G_BEGIN_DECLS

#define TALES_PARSE_ERROR (tales_parse_error_quark ())
GQuark tales_parse_error_quark (void);

typedef enum {
  TALES_PARSE_ERROR_EMPTY,       /* no bytes at all */
  TALES_PARSE_ERROR_NOT_A_FEED,  /* readable, but HTML or some other XML */
  TALES_PARSE_ERROR_MALFORMED,   /* so broken that nothing could be read */
  TALES_PARSE_ERROR_TOO_LARGE,
} TalesParseError;

/* What a parse found about the document as a whole; the posts either come
 * one at a time through a TalesParsePostFunc, or collected in @posts. */
typedef struct {
  char *version;        /* feedparser's names: "rss20", "atom10", "rss10", ... */
  gboolean bozo;        /* the document was not well-formed but was recovered */
  char *bozo_message;   /* why, in words; NULL when !bozo */
  char *encoding;       /* the encoding used, lower case ("utf-8") */
  TalesFeed *feed;      /* channel-level data; never NULL on success */
  GPtrArray *posts;     /* TalesPost, in document order; NULL when streamed */
} TalesParseResult;

/* The date text of the feed's lastBuildDate / updated exactly as written,
 * kept on TalesParseResult.feed as object data under this key (TalesFeed
 * has only the parsed date); NULL when the feed had none. */
#define TALES_PARSE_FEED_UPDATED_TEXT "tales-parse-updated-text"

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
 * Parses RSS 2.0 (and the formats that slot in beside it). Never touches
 * the network or the file system: no DTD loading, no external entities.
 * Items are read one at a time, so memory stays bounded by the largest
 * item, not by the document.
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
