/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The writes a reader makes while reading (read, starred, mark all as
 * read), run in a worker thread: the store's writes wait for a refresh's
 * transactions, and the caller's main loop must not. */

#include <gio/gio.h>

#include "tales-store.h"

G_BEGIN_DECLS

/* Sets @post_id's read state (tales_store_set_read()) in a worker. */
void     tales_library_set_read_async     (TalesStore            *store,
                                           gint64                 post_id,
                                           gboolean               is_read,
                                           GCancellable          *cancellable,
                                           GAsyncReadyCallback    callback,
                                           gpointer               user_data);
gboolean tales_library_set_read_finish    (TalesStore            *store,
                                           GAsyncResult          *result,
                                           GError               **error);

/* Stars or unstars @post_id (tales_store_set_starred()) in a worker. */
void     tales_library_set_starred_async  (TalesStore            *store,
                                           gint64                 post_id,
                                           gboolean               is_starred,
                                           GCancellable          *cancellable,
                                           GAsyncReadyCallback    callback,
                                           gpointer               user_data);
gboolean tales_library_set_starred_finish (TalesStore            *store,
                                           GAsyncResult          *result,
                                           GError               **error);

/* Marks every post @filter selects as read (tales_store_mark_all_read())
 * in a worker; @filter is copied, the caller may change it at once. */
void     tales_library_mark_all_read_async  (TalesStore            *store,
                                             const TalesPostFilter *filter,
                                             GCancellable          *cancellable,
                                             GAsyncReadyCallback    callback,
                                             gpointer               user_data);
gboolean tales_library_mark_all_read_finish (TalesStore            *store,
                                             GAsyncResult          *result,
                                             GError               **error);

G_END_DECLS
