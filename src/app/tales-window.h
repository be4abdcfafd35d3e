/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "tales-application.h"
#include "tales-article-view.h"
#include "tales-core.h"
#include "tales-sidebar.h"

G_BEGIN_DECLS

#define TALES_TYPE_WINDOW (tales_window_get_type ())
G_DECLARE_FINAL_TYPE (TalesWindow, tales_window, TALES, WINDOW, AdwApplicationWindow)

/* A window on @app's library. Tests may instead build one on any store with
 * g_object_new (TALES_TYPE_WINDOW, "store", s, "fetcher", f,
 * "image-cache", c, NULL); the application is optional then. */
TalesWindow      *tales_window_new              (TalesApplication *app);

/* Refreshes every subscription now (forced, as Ctrl+R does), a few at a
 * time, reloading the list and the sidebar as feeds land; a feed that
 * fails shows its error in the sidebar, and one toast sums up. Joins a
 * refresh already running; does nothing offline. "refresh-finished" is
 * emitted at the end. */
void              tales_window_refresh          (TalesWindow *self);
/* The same, but only the feeds that are due (their own hints honoured):
 * the start-up and automatic refresh. */
void              tales_window_refresh_due      (TalesWindow *self);
gboolean          tales_window_is_refreshing    (TalesWindow *self);
/* Re-reads the list of posts from the store, keeping the selection. */
void              tales_window_reload_posts     (TalesWindow *self);

/* A file the person opened with Tales: a subscription list (OPML) is
 * imported; a feed file is refused with a toast saying Tales subscribes
 * to web addresses. */
void              tales_window_open_file        (TalesWindow *self,
                                                 GFile       *file);
/* Subscribes to @url (http or https) now, and shows its posts. */
void              tales_window_subscribe        (TalesWindow *self,
                                                 const char  *url);

/* Shows @message in a toast. */
void              tales_window_show_message     (TalesWindow *self,
                                                 const char  *message);

/* (transfer none): the list's selection model (GtkSingleSelection of TalesPost) */
GtkSingleSelection *tales_window_get_selection  (TalesWindow *self);
/* (transfer none) */
TalesArticleView *tales_window_get_article_view (TalesWindow *self);
/* (transfer none) */
TalesSidebar     *tales_window_get_sidebar      (TalesWindow *self);

G_END_DECLS
