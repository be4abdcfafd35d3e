/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What the display suites share: starting GTK and libadwaita in the test's
 * own XDG folders, and looking into the article view's page through
 * webkit_web_view_evaluate_javascript(). */

#include <adwaita.h>
#include <json-glib/json-glib.h>
#include <webkit/webkit.h>

#include "tales-article-view.h"
#include "tales-test-utils.h"

G_BEGIN_DECLS

/* How long one script in the page may take: WebKit starts slowly on a
 * loaded machine. */
#define TALES_TEST_JS_TIMEOUT_MS 30000

/* g_test_init() with isolated XDG folders (keeping the system's MIME
 * database, through which gdk-pixbuf recognises GTK's SVG icons), then
 * GTK, the core's resources and libadwaita. Set environment variables the
 * suite needs before calling. Returns FALSE, having said so in TAP, when
 * there is no display. */
gboolean   tales_test_ui_init (int *argc, char ***argv);

/* A 900 x 700 window, presented, holding a new article view over @cache
 * (set in *@view_out); returns the window. */
GtkWidget *tales_test_window_with_view (TalesImageCache *cache, TalesArticleView **view_out);

/* Adds @widget and every widget below it that is a @type to @found. */
void       tales_test_collect_widgets (GtkWidget *widget, GType type, GPtrArray *found);

/* Evaluates @script in the page and returns its value as a string. */
char      *tales_test_run_js (WebKitWebView *web_view, const char *script);

/* Every <img> of the page, as objects with its alt, src, whether it
 * finished (complete), and its natural width and height. */
JsonArray *tales_test_page_images (WebKitWebView *web_view);
/* Whether every image in @images finished with a width above zero. */
gboolean   tales_test_all_images_decoded (JsonArray *images);

G_END_DECLS
