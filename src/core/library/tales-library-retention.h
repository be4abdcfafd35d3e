/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Retention: what the library keeps over time. Old read posts go with the
 * pictures only they needed (tales_library_prune()), then the image cache
 * is brought under its budget (tales_image_budget_apply()). The app runs
 * it a while after start-up, and after each refresh (budget only);
 * `tales-cli prune` runs it from a terminal. */

#include <gio/gio.h>

#include "tales-image-budget.h"
#include "tales-store.h"

G_BEGIN_DECLS

/* How many days read posts are kept when the person chose nothing. */
#define TALES_RETENTION_DEFAULT_DAYS 90
/* The most days one can ask for: ten years, the preference's upper bound. */
#define TALES_RETENTION_MAX_DAYS 3650

typedef struct {
  guint n_pruned;                  /* posts removed */
  guint n_files;                   /* their image files deleted */
  TalesImageBudgetReport budget;   /* what the budget did */
} TalesTidyReport;

/* Removes read, unstarred posts first seen more than @days days ago (none
 * when @days is 0) and the files only they needed, then keeps the files
 * in @image_dir under @budget bytes. The budget applies even when pruning
 * failed; the first failure is returned as one sentence. @report
 * (optional) says what went either way. Blocks on the disk and the store:
 * call it from a worker thread, or use tales_library_tidy_async(). */
gboolean tales_library_tidy        (TalesStore       *store,
                                    const char       *image_dir,
                                    guint             days,
                                    guint64           budget,
                                    TalesTidyReport  *report,
                                    GError          **error);

/* tales_library_tidy() in a worker thread. */
void     tales_library_tidy_async  (TalesStore          *store,
                                    const char          *image_dir,
                                    guint                days,
                                    guint64              budget,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
gboolean tales_library_tidy_finish (TalesStore          *store,
                                    GAsyncResult        *result,
                                    TalesTidyReport     *report,
                                    GError             **error);

G_END_DECLS
