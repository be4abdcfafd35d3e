/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define TALES_TYPE_POST_LIST_VIEW (tales_post_list_view_get_type ())
G_DECLARE_FINAL_TYPE (TalesPostListView, tales_post_list_view, TALES, POST_LIST_VIEW, GtkWidget)

/* The post list: rows of one height, and only as many row widgets as fit
 * on screen. Put it in a GtkScrolledWindow. */
GtkWidget          *tales_post_list_view_new            (void);
/* A selection model over TalesPost items (nullable). */
void                tales_post_list_view_set_model      (TalesPostListView *self,
                                                         GtkSelectionModel *model);
/* Scrolls as little as it takes to show the row at @position. */
void                tales_post_list_view_scroll_to      (TalesPostListView *self,
                                                         guint              position);

G_END_DECLS
