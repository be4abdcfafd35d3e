/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-library-retention"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tales-library-cleanup.h"
#include "tales-library-retention.h"

gboolean
tales_library_tidy (TalesStore       *store,
                    const char       *image_dir,
                    guint             days,
                    guint64           budget,
                    TalesTidyReport  *report,
                    GError          **error)
{
  TalesTidyReport local = { 0 };
  g_autoptr(GError) prune_error = NULL;
  g_autoptr(GError) budget_error = NULL;

  g_return_val_if_fail (TALES_IS_STORE (store), FALSE);
  g_return_val_if_fail (image_dir != NULL, FALSE);
  g_return_val_if_fail (days <= TALES_RETENTION_MAX_DAYS, FALSE);

  if (days > 0)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autoptr(GDateTime) cutoff = g_date_time_add_days (now, -(int) days);

      if (!tales_library_prune (store, image_dir, cutoff, &local.n_pruned, &local.n_files, &prune_error))
        g_prefix_error (&prune_error, _("Could not remove old posts: "));
    }
  /* A budget is a bound: it holds even when pruning failed. */
  if (!tales_image_budget_apply (store, image_dir, budget, &local.budget, &budget_error))
    g_prefix_error (&budget_error, _("Could not keep the image cache within its budget: "));

  if (report != NULL)
    *report = local;
  if (prune_error != NULL && budget_error != NULL)
    g_warning ("%s", budget_error->message);
  if (prune_error != NULL || budget_error != NULL)
    {
      g_propagate_error (error, prune_error != NULL ? g_steal_pointer (&prune_error)
                                                    : g_steal_pointer (&budget_error));
      return FALSE;
    }
  return TRUE;
}

typedef struct {
  char *image_dir;
  guint days;
  guint64 budget;
  TalesTidyReport report;
} Tidy;

static void
tidy_free (Tidy *tidy)
{
  g_free (tidy->image_dir);
  g_free (tidy);
}

static void
tidy_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Tidy *tidy = task_data;
  GError *error = NULL;

  if (tales_library_tidy (source_object, tidy->image_dir, tidy->days, tidy->budget, &tidy->report, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
tales_library_tidy_async (TalesStore          *store,
                          const char          *image_dir,
                          guint                days,
                          guint64              budget,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Tidy *tidy;

  g_return_if_fail (TALES_IS_STORE (store));
  g_return_if_fail (image_dir != NULL);

  tidy = g_new0 (Tidy, 1);
  tidy->image_dir = g_strdup (image_dir);
  tidy->days = MIN (days, TALES_RETENTION_MAX_DAYS);
  tidy->budget = budget;
  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, tales_library_tidy_async);
  g_task_set_task_data (task, tidy, (GDestroyNotify) tidy_free);
  g_task_run_in_thread (task, tidy_thread);
}

gboolean
tales_library_tidy_finish (TalesStore       *store,
                           GAsyncResult     *result,
                           TalesTidyReport  *report,
                           GError          **error)
{
  Tidy *tidy;

  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tales_library_tidy_async, FALSE);

  tidy = g_task_get_task_data (G_TASK (result));
  if (report != NULL)
    *report = tidy->report;
  return g_task_propagate_boolean (G_TASK (result), error);
}
