/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include <webkit/webkit.h>

#include "tales-core.h"

G_BEGIN_DECLS

#define TALES_TYPE_ARTICLE_VIEW (tales_article_view_get_type ())
G_DECLARE_FINAL_TYPE (TalesArticleView, tales_article_view, TALES, ARTICLE_VIEW, GtkWidget)

/* A WebKit view that shows one post and nothing else: its own web context
 * and ephemeral network session (behind a dead proxy), a strict CSP, a
 * content filter blocking every remote scheme, no JavaScript markup, and
 * images served from @cache through the tales-image: scheme. */
GtkWidget       *tales_article_view_new             (TalesImageCache  *cache);

TalesImageCache *tales_article_view_get_image_cache (TalesArticleView *self);
void             tales_article_view_set_image_cache (TalesArticleView *self,
                                                     TalesImageCache  *cache);

/* Renders @post (body loaded) and shows it. The load waits until the
 * content filter is compiled; the "loaded" signal says when it is done. */
void             tales_article_view_show_post       (TalesArticleView *self,
                                                     TalesPost        *post);
/* (transfer none) (nullable): the post shown */
TalesPost       *tales_article_view_get_post        (TalesArticleView *self);
/* TRUE from show_post until the document finished loading. */
gboolean         tales_article_view_is_loading      (TalesArticleView *self);

/* The article text size, 1.0 being the page's own (0.5 to 3.0). */
double           tales_article_view_get_font_scale  (TalesArticleView *self);
void             tales_article_view_set_font_scale  (TalesArticleView *self,
                                                     double            scale);

/* Ctrl+plus, Ctrl+minus and Ctrl+0: a zoom on top of the font scale, in
 * browser-like steps from 0.5 to 3.0, for this session only. */
double           tales_article_view_get_zoom        (TalesArticleView *self);
void             tales_article_view_zoom_in         (TalesArticleView *self);
void             tales_article_view_zoom_out        (TalesArticleView *self);
void             tales_article_view_zoom_reset      (TalesArticleView *self);

/* (transfer none): the web view, for tests and screenshots. */
WebKitWebView   *tales_article_view_get_web_view    (TalesArticleView *self);

G_END_DECLS
