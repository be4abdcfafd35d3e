/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-library-writes"

#include "config.h"

#include "tales-library-writes.h"

/* Read and starred --------------------------------------------------------- */

typedef gboolean (*FlagFunc) (TalesStore *store,
                              gint64      post_id,
                              gboolean    flag,
                              GError    **error);

typedef struct {
  FlagFunc func;
  gint64 post_id;
  gboolean flag;
} FlagWrite;

static void
flag_write_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  FlagWrite *write = task_data;
  GError *error = NULL;

  if (write->func (source_object, write->post_id, write->flag, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
run_flag_write (TalesStore          *store,
                FlagFunc             func,
                gpointer             source_tag,
                gint64               post_id,
                gboolean             flag,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (store, cancellable, callback, user_data);
  FlagWrite *write = g_new0 (FlagWrite, 1);

  write->func = func;
  write->post_id = post_id;
  write->flag = flag;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, write, g_free);
  g_task_run_in_thread (task, flag_write_thread);
}

void
tales_library_set_read_async (TalesStore          *store,
                              gint64               post_id,
                              gboolean             is_read,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (TALES_IS_STORE (store));

  run_flag_write (store, tales_store_set_read, tales_library_set_read_async,
                  post_id, is_read, cancellable, callback, user_data);
}

gboolean
tales_library_set_read_finish (TalesStore    *store,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tales_library_set_read_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
tales_library_set_starred_async (TalesStore          *store,
                                 gint64               post_id,
                                 gboolean             is_starred,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (TALES_IS_STORE (store));

  run_flag_write (store, tales_store_set_starred, tales_library_set_starred_async,
                  post_id, is_starred, cancellable, callback, user_data);
}

gboolean
tales_library_set_starred_finish (TalesStore    *store,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tales_library_set_starred_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Mark all as read ---------------------------------------------------------- */

/* The filter, with its own copies of the strings it points at. */
typedef struct {
  TalesPostFilter filter;
  char *category;
  char *search;
} FilterCopy;

static void
filter_copy_free (FilterCopy *copy)
{
  g_free (copy->category);
  g_free (copy->search);
  g_free (copy);
}

static void
mark_all_read_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  FilterCopy *copy = task_data;
  GError *error = NULL;

  if (tales_store_mark_all_read (source_object, &copy->filter, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
tales_library_mark_all_read_async (TalesStore            *store,
                                   const TalesPostFilter *filter,
                                   GCancellable          *cancellable,
                                   GAsyncReadyCallback    callback,
                                   gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  FilterCopy *copy;

  g_return_if_fail (TALES_IS_STORE (store));
  g_return_if_fail (filter != NULL);

  task = g_task_new (store, cancellable, callback, user_data);
  copy = g_new0 (FilterCopy, 1);
  copy->filter = *filter;
  copy->category = g_strdup (filter->category);
  copy->search = g_strdup (filter->search);
  copy->filter.category = copy->category;
  copy->filter.search = copy->search;
  g_task_set_source_tag (task, tales_library_mark_all_read_async);
  g_task_set_task_data (task, copy, (GDestroyNotify) filter_copy_free);
  g_task_run_in_thread (task, mark_all_read_thread);
}

gboolean
tales_library_mark_all_read_finish (TalesStore    *store,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tales_library_mark_all_read_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
