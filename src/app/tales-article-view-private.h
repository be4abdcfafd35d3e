/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What tests may see of the article view. Not part of the app's API:
 * every function here starts with _tales_. */

#include "tales-article-view.h"

G_BEGIN_DECLS

/* Loads @html as is (no sanitizer) with the article base URI, through the
 * same guarded view. For tests proving the web view blocks on its own. */
void _tales_article_view_load_raw_html (TalesArticleView *self,
                                        const char       *html);

G_END_DECLS
