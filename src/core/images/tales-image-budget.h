/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The image cache's total budget: a feed decides how many images its
 * posts have and how big they are, so the folder as a whole is bounded. */

#include <glib.h>

#include "tales-store.h"

G_BEGIN_DECLS

/* The budget when the person set none: 2 GiB. */
#define TALES_IMAGE_BUDGET_DEFAULT_BYTES (G_GUINT64_CONSTANT (2) << 30)
/* A file in the cache folder that no record names is a leftover (or a
 * download that is about to be recorded): it counts, and goes when it is
 * older than this. */
#define TALES_IMAGE_BUDGET_STRAY_GRACE_S (10 * 60)

typedef struct {
  guint64 bytes_before;    /* the folder's size on disk before */
  guint64 bytes_after;     /* and after: over the budget only if starred posts need that much */
  guint n_evicted;         /* files deleted */
} TalesImageBudgetReport;

/* Brings the files in @image_dir under @budget bytes (sizes from the
 * disk): first files no record names, then files only read posts need,
 * then those of unread posts, the oldest posts' first; never a file a
 * starred post needs. Evicted images go back to pending: the view shows
 * them as missing and "Make available offline" fetches them again.
 * Blocks on the disk and the store: call it from a worker thread. */
gboolean tales_image_budget_apply (TalesStore              *store,
                                   const char              *image_dir,
                                   guint64                  budget,
                                   TalesImageBudgetReport  *report,
                                   GError                 **error);

G_END_DECLS
