/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "tales-post.h"

G_BEGIN_DECLS

/**
 * tales_article_render:
 * @post: a post with its body loaded
 *
 * Builds the complete HTML document the article view loads for @post: a
 * strict Content-Security-Policy meta tag, the article stylesheet (light and
 * dark, highlight.js classes), the title, author, date, categories, cover
 * image and the sanitized body with every image URL rewritten to the
 * tales-image: scheme. `tales-cli show --html` prints exactly this.
 *
 * Returns: (transfer full): the document
 */
char *tales_article_render (TalesPost *post);

/* The base URI the document is loaded with. */
#define TALES_ARTICLE_BASE_URI "tales-image://article/"

/* The one CSP every article carries (also set on the web view itself). */
#define TALES_ARTICLE_CSP \
  "default-src 'none'; img-src tales-image:; style-src 'unsafe-inline'; font-src tales-image:"

G_END_DECLS
