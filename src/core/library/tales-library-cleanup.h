/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Removing posts from the library together with the image files that only
 * they needed: one place for the app's remove and prune, the CLI's
 * unsubscribe and the image budget, so none of them deletes a file that
 * another post (through another URL with the same bytes) still needs. */

#include <glib.h>

#include "tales-store.h"

G_BEGIN_DECLS

/* Deletes the cache files @paths (relative to @dir) that no image record
 * points at any more; a path reaching out of @dir is refused. Returns how
 * many files went. */
guint    tales_library_delete_cache_files (TalesStore  *store,
                                           const char  *dir,
                                           GPtrArray   *paths);

/* Unsubscribes from @feed_id (posts and image records go in one
 * transaction), then deletes the files in @image_dir no record needs any
 * more. Fails with TALES_STORE_ERROR_NOT_FOUND when there is no such feed. */
gboolean tales_library_remove_feed        (TalesStore  *store,
                                           const char  *image_dir,
                                           gint64       feed_id,
                                           GError     **error);

/* tales_store_prune(), then the same clean-up of @image_dir.
 * @n_pruned and @n_files (optional) say how many posts and files went. */
gboolean tales_library_prune              (TalesStore  *store,
                                           const char  *image_dir,
                                           GDateTime   *older_than,
                                           guint       *n_pruned,
                                           guint       *n_files,
                                           GError     **error);

G_END_DECLS
