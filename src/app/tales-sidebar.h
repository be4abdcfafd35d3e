/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "tales-core.h"
#include "tales-sidebar-row.h"

G_BEGIN_DECLS

#define TALES_TYPE_SIDEBAR (tales_sidebar_get_type ())
G_DECLARE_FINAL_TYPE (TalesSidebar, tales_sidebar, TALES, SIDEBAR, GtkWidget)

/* The left pane: All, Unread and Starred with their counts, every
 * subscription (unread count, last error) and every category (case-folded,
 * with its number of posts). "filter-changed" is emitted when the person
 * (or tales_sidebar_select()) picks another row; "activated" when a row is
 * clicked or chosen with Enter. */
GtkWidget       *tales_sidebar_new        (void);
/* Shows "All Posts" only: a reload reads the rest. */
void             tales_sidebar_set_store  (TalesSidebar    *self,
                                           TalesStore      *store);
/* Whether a reload has shown the library's feeds and categories since. A
 * reload overtaken by a later one shows nothing. */
gboolean         tales_sidebar_is_loaded  (TalesSidebar    *self);
/* Re-reads subscriptions and counts: rows are updated in place when the
 * set of feeds and categories is unchanged, and the selection is kept. */
void             tales_sidebar_reload     (TalesSidebar    *self);
/* The same, reading the library in a worker thread; _finish shows it
 * (unless a later reload overtook it). */
void             tales_sidebar_reload_async  (TalesSidebar        *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean         tales_sidebar_reload_finish (TalesSidebar        *self,
                                              GAsyncResult        *result,
                                              GError             **error);

/* The filter of the selected row (search unset). (transfer none) */
const TalesPostFilter *tales_sidebar_get_filter (TalesSidebar *self);
/* Selects the row for @kind (with @feed_id or @category); FALSE if there
 * is none. */
gboolean         tales_sidebar_select     (TalesSidebar    *self,
                                           TalesFilterKind  kind,
                                           gint64           feed_id,
                                           const char      *category);
/* How many subscriptions there are. */
guint            tales_sidebar_count_feeds      (TalesSidebar *self);

G_END_DECLS
