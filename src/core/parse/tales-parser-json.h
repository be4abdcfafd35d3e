#pragma once

/* JSON Feed (https://jsonfeed.org/version/1 and /version/1.1) for the
 * parser's entry points in tales-parser.c, which send here every document
 * whose first byte that is not blank is "{". */

#include "tales-parser.h"

G_BEGIN_DECLS

/* Whether @data, after an optional UTF-8 byte order mark and blanks,
 * starts with "{": only a JSON object can be a JSON Feed, and no XML
 * document starts so. */
gboolean tales_parse_json_sniff (const char *data,
                                 gsize       length);

/**
 * tales_parse_json:
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
TalesParseResult *tales_parse_json (GBytes                   *document,
                                    const char               *address,
                                    const TalesParseOptions  *options,
                                    TalesParsePostFunc        on_post,
                                    gpointer                  user_data,
                                    GError                  **error);

G_END_DECLS
