/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "tales-store.h"

G_BEGIN_DECLS

#define TALES_TYPE_POST_LIST (tales_post_list_get_type ())
G_DECLARE_FINAL_TYPE (TalesPostList, tales_post_list, TALES, POST_LIST, GObject)

/**
 * TalesPostList:
 *
 * A GListModel of TalesPost for one filter, that reads rows from the store
 * only when asked for them: it holds the ids of the matching posts and
 * loads rows in pages around the position requested, so a list of 100,000
 * posts costs 100,000 ids plus the pages on screen. Bodies are never loaded
 * here (see tales_store_load_post()).
 */
TalesPostList *tales_post_list_new        (TalesStore            *store);

/* Re-runs the query with @filter (copied) and emits one items-changed. */
gboolean       tales_post_list_set_filter (TalesPostList         *self,
                                           const TalesPostFilter *filter,
                                           GError               **error);
const TalesPostFilter *tales_post_list_get_filter (TalesPostList *self);
/* Re-runs the current query (after a refresh), keeping loaded rows that are
 * still there, and emits the smallest items-changed it can. */
gboolean       tales_post_list_reload     (TalesPostList         *self,
                                           GError               **error);
/* The same, the query in a worker thread; _finish applies the answer
 * (emitting items-changed), unless a later query overtook it. */
void           tales_post_list_reload_async  (TalesPostList       *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean       tales_post_list_reload_finish (TalesPostList       *self,
                                              GAsyncResult        *result,
                                              GError             **error);
/* The position of @post_id, or -1. */
int            tales_post_list_find       (TalesPostList         *self,
                                           gint64                 post_id);

G_END_DECLS
