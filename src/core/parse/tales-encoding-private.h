/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Finds which character encoding a feed's bytes are in, the way Python
 * feedparser does (BOM, the XML declaration and the HTTP Content-Type
 * weighed by RFC 3023, then utf-8, windows-1252 and iso-8859-2 as
 * fallbacks), and turns the bytes into UTF-8 a chunk at a time, with an
 * XML declaration that says so. */
typedef struct _TalesDecoder TalesDecoder;

/**
 * _tales_decoder_new:
 * @data: the document's first bytes (or all of them)
 * @length: their length
 * @complete: whether @data is the whole document; then every candidate
 *   encoding is tried on all of it, else on this prefix only
 * @from_http: whether the document came over HTTP (then a missing
 *   @content_type is itself a problem)
 * @content_type: (nullable): the HTTP Content-Type header
 */
TalesDecoder *_tales_decoder_new (const char *data,
                                  gsize       length,
                                  gboolean    complete,
                                  gboolean    from_http,
                                  const char *content_type);
void          _tales_decoder_free (TalesDecoder *decoder);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TalesDecoder, _tales_decoder_free)

/* The encoding used, as feedparser names it ("utf-8", "us-ascii",
 * "gb18030"); "" when none worked. */
const char *_tales_decoder_get_encoding (TalesDecoder *decoder);
/* feedparser's exception class for an encoding problem, or NULL:
 * "CharacterEncodingOverride", "CharacterEncodingUnknown",
 * "NonXMLContentType". */
const char *_tales_decoder_get_problem  (TalesDecoder *decoder);
const char *_tales_decoder_get_problem_message (TalesDecoder *decoder);
/* Whether bytes that did not decode were replaced by U+FFFD. */
gboolean    _tales_decoder_had_errors   (TalesDecoder *decoder);

/**
 * _tales_decoder_convert:
 * @decoder: a #TalesDecoder
 * @data: the next bytes of the document, from its very first byte on
 * @length: their length
 * @last: whether these are the last bytes
 * @out_length: (out): the length of the returned text
 *
 * Returns: (transfer none): @data as UTF-8, valid until the next call;
 *   may be @data itself
 */
const char *_tales_decoder_convert (TalesDecoder *decoder,
                                    const char   *data,
                                    gsize         length,
                                    gboolean      last,
                                    gsize        *out_length);

G_END_DECLS
