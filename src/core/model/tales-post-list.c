/* SPDX-License-Identifier: GPL-3.0-or-later */
/* TalesPostList: a lazy GListModel over the ids of one filter.
 *
 * Rows are read in pages of PAGE_SIZE. At most MAX_PAGES pages stay; the
 * one farthest from the page being read goes first, so scrolling back and
 * forth over what is on screen reads nothing twice. While a page stays,
 * its positions give the same TalesPost objects.
 *
 * The list does not watch the store. When the app changes a post's state
 * (tales_store_set_read(), tales_store_set_starred()), it sets the same on
 * the TalesPost it shows (tales_post_set_is_read(), ...), whose property
 * notifications update the row; after a refresh or mark-all-read it calls
 * tales_post_list_reload() (or its _async form, which queries in a worker
 * thread and applies the answer on the main thread). A post that leaves the filter (read, in the
 * unread list) so stays in the list until the next reload, which is what a
 * person reading down that list expects. */

#define G_LOG_DOMAIN "tales-post-list"

#include "config.h"

#include "tales-post-list-private.h"
#include "tales-thread.h"

#define PAGE_SIZE 50
#define MAX_PAGES 20
/* Rows of pages a reload dropped, kept so a post that is still listed
 * comes back as the same object (a selected row stays selected). */
#define MAX_SALVAGE (PAGE_SIZE * MAX_PAGES * 2)

struct _TalesPostList
{
  GObject parent_instance;

  TalesStore *store;
  TalesPostFilter filter;   /* category and search point to the two below */
  char *category;
  char *search;
  GArray *ids;              /* gint64, in display order */
  GHashTable *pages;        /* page index -> GPtrArray of TalesPost */
  GHashTable *salvage;      /* gint64 * (the post's) -> TalesPost */
  guint n_page_loads;
  guint serial;             /* bumped by every query started, so a late answer is dropped */
};

static void tales_post_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TalesPostList, tales_post_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      tales_post_list_model_init))

static gint64
id_at (TalesPostList *self, guint position)
{
  return g_array_index (self->ids, gint64, position);
}

/* A post whose row could not be read (it left the library since the query,
 * or the store failed): the model still owes an item at each position. */
static TalesPost *
placeholder_post (gint64 id)
{
  TalesPost *post = tales_post_new ();

  tales_post_set_db_id (post, id);
  return post;
}

/* @old keeps its identity and takes what may have changed since it was read. */
static TalesPost *
revive (TalesPost *old, TalesPost *fresh)
{
  g_object_freeze_notify (G_OBJECT (old));
  tales_post_set_title (old, tales_post_get_title (fresh));
  tales_post_set_feed_title (old, tales_post_get_feed_title (fresh));
  tales_post_set_is_read (old, tales_post_get_is_read (fresh));
  tales_post_set_is_starred (old, tales_post_get_is_starred (fresh));
  tales_post_set_images_missing (old, tales_post_get_images_missing (fresh));
  g_object_thaw_notify (G_OBJECT (old));
  return g_object_ref (old);
}

/* The object for @id: the salvaged one if there is one, else @fresh. */
static TalesPost *
take_row (TalesPostList *self, gint64 id, TalesPost *fresh)
{
  TalesPost *old = g_hash_table_lookup (self->salvage, &id);
  TalesPost *post;

  if (old == NULL)
    return fresh != NULL ? g_object_ref (fresh) : placeholder_post (id);
  post = fresh != NULL ? revive (old, fresh) : g_object_ref (old);
  g_hash_table_remove (self->salvage, &id);
  return post;
}

static void
evict_far_pages (TalesPostList *self, guint page)
{
  while (g_hash_table_size (self->pages) >= MAX_PAGES)
    {
      GHashTableIter iter;
      gpointer key;
      guint farthest = page;
      guint distance = 0;

      g_hash_table_iter_init (&iter, self->pages);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          guint other = GPOINTER_TO_UINT (key);
          guint d = other > page ? other - page : page - other;

          if (d >= distance)
            {
              farthest = other;
              distance = d;
            }
        }
      g_hash_table_remove (self->pages, GUINT_TO_POINTER (farthest));
    }
}

/* Reads page @page; NULL (with a warning) when the store fails. */
static GPtrArray *
load_page (TalesPostList *self, guint page)
{
  guint start = page * PAGE_SIZE;
  guint n = MIN (PAGE_SIZE, self->ids->len - start);
  const gint64 *ids = &g_array_index (self->ids, gint64, start);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) loaded = tales_store_load_post_rows (self->store, ids, n, &error);
  GPtrArray *rows;
  guint j = 0;

  if (loaded == NULL)
    {
      g_warning ("Could not read posts %u to %u of the list: %s", start, start + n,
                 error->message);
      return NULL;
    }

  /* The rows come in the order asked for, without the ids that vanished. */
  rows = g_ptr_array_new_full (n, g_object_unref);
  for (guint i = 0; i < n; i++)
    {
      TalesPost *fresh = j < loaded->len ? g_ptr_array_index (loaded, j) : NULL;

      if (fresh != NULL && tales_post_get_db_id (fresh) == ids[i])
        j++;
      else
        fresh = NULL;
      g_ptr_array_add (rows, take_row (self, ids[i], fresh));
    }

  self->n_page_loads++;
  evict_far_pages (self, page);
  g_hash_table_insert (self->pages, GUINT_TO_POINTER (page), rows);
  return rows;
}

static GType
tales_post_list_get_item_type (GListModel *model)
{
  return TALES_TYPE_POST;
}

static guint
tales_post_list_get_n_items (GListModel *model)
{
  return TALES_POST_LIST (model)->ids->len;
}

static gpointer
tales_post_list_get_item (GListModel *model, guint position)
{
  TalesPostList *self = TALES_POST_LIST (model);
  guint page = position / PAGE_SIZE;
  GPtrArray *rows;

  if (position >= self->ids->len)
    return NULL;
  rows = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (page));
  if (rows == NULL)
    rows = load_page (self, page);
  if (rows == NULL)
    return placeholder_post (id_at (self, position));
  return g_object_ref (g_ptr_array_index (rows, position - page * PAGE_SIZE));
}

static void
tales_post_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = tales_post_list_get_item_type;
  iface->get_n_items = tales_post_list_get_n_items;
  iface->get_item = tales_post_list_get_item;
}

static void
tales_post_list_dispose (GObject *object)
{
  TalesPostList *self = TALES_POST_LIST (object);

  g_hash_table_remove_all (self->pages);
  g_hash_table_remove_all (self->salvage);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (tales_post_list_parent_class)->dispose (object);
}

static void
tales_post_list_finalize (GObject *object)
{
  TalesPostList *self = TALES_POST_LIST (object);

  g_clear_pointer (&self->pages, g_hash_table_unref);
  g_clear_pointer (&self->salvage, g_hash_table_unref);
  g_clear_pointer (&self->ids, g_array_unref);
  g_clear_pointer (&self->category, g_free);
  g_clear_pointer (&self->search, g_free);

  G_OBJECT_CLASS (tales_post_list_parent_class)->finalize (object);
}

static void
tales_post_list_class_init (TalesPostListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tales_post_list_dispose;
  object_class->finalize = tales_post_list_finalize;
}

static void
tales_post_list_init (TalesPostList *self)
{
  self->filter.kind = TALES_FILTER_ALL;
  self->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->pages = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                       (GDestroyNotify) g_ptr_array_unref);
  self->salvage = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
}

/**
 * tales_post_list_new:
 *
 * The list starts empty, with the filter that shows every post: call
 * tales_post_list_set_filter() or tales_post_list_reload() to fill it.
 *
 * Returns: (transfer full): a new list
 */
TalesPostList *
tales_post_list_new (TalesStore *store)
{
  TalesPostList *self;

  g_return_val_if_fail (TALES_IS_STORE (store), NULL);

  self = g_object_new (TALES_TYPE_POST_LIST, NULL);
  self->store = g_object_ref (store);
  return self;
}

/* Moves the rows of @page into the salvage. */
static void
salvage_page (TalesPostList *self, GPtrArray *rows)
{
  for (guint i = 0; i < rows->len; i++)
    {
      TalesPost *post = g_ptr_array_index (rows, i);
      gint64 *id = g_new (gint64, 1);

      *id = tales_post_get_db_id (post);
      g_hash_table_replace (self->salvage, id, g_object_ref (post));
    }
}

/* Keeps the pages that lie wholly in the first @n_same positions, which
 * the new ids share with the old, and salvages the rest. */
static void
keep_pages_before (TalesPostList *self, guint n_same, guint new_len)
{
  GHashTableIter iter;
  gpointer key, value;

  if (g_hash_table_size (self->salvage) > MAX_SALVAGE)
    g_hash_table_remove_all (self->salvage);

  g_hash_table_iter_init (&iter, self->pages);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      guint start = GPOINTER_TO_UINT (key) * PAGE_SIZE;
      GPtrArray *rows = value;

      if (start + rows->len <= n_same && rows->len == MIN (PAGE_SIZE, new_len - start))
        continue;
      salvage_page (self, rows);
      g_hash_table_iter_remove (&iter);
    }
}

/* Above this many rows on both sides, a change is announced as a removal
 * and then an addition: GTK 4.8's list view asks for every item of a
 * change that removes and adds at once (to reuse the removed rows), which
 * would read the whole list from the store. */
#define SPLIT_CHANGE_ABOVE (2 * PAGE_SIZE)

/* Takes @ids as the list's, and says what changed. */
static void
replace_ids (TalesPostList *self, GArray *ids)
{
  const gint64 *old = (const gint64 *) (gpointer) self->ids->data;
  const gint64 *new = (const gint64 *) (gpointer) ids->data;
  guint old_len = self->ids->len;
  guint new_len = ids->len;
  guint prefix = 0;
  guint suffix = 0;
  guint removed, added;

  while (prefix < old_len && prefix < new_len && old[prefix] == new[prefix])
    prefix++;
  while (suffix < old_len - prefix && suffix < new_len - prefix &&
         old[old_len - 1 - suffix] == new[new_len - 1 - suffix])
    suffix++;
  removed = old_len - prefix - suffix;
  added = new_len - prefix - suffix;

  if (removed > SPLIT_CHANGE_ABOVE && added > SPLIT_CHANGE_ABOVE)
    {
      /* First the list without the removed run, then with the new one. */
      g_autoptr(GArray) between = g_array_sized_new (FALSE, FALSE, sizeof (gint64), prefix + suffix);

      g_array_append_vals (between, old, prefix);
      g_array_append_vals (between, old + old_len - suffix, suffix);
      keep_pages_before (self, prefix, prefix + suffix);
      g_array_unref (self->ids);
      self->ids = g_steal_pointer (&between);
      g_list_model_items_changed (G_LIST_MODEL (self), prefix, removed, 0);
      old_len = self->ids->len;
      removed = 0;
    }

  keep_pages_before (self, prefix, new_len);
  g_array_unref (self->ids);
  self->ids = g_array_ref (ids);
  if (removed > 0 || added > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), prefix, removed, added);
}

/**
 * tales_post_list_set_filter:
 *
 * On error the list keeps its filter and its items.
 */
gboolean
tales_post_list_set_filter (TalesPostList          *self,
                            const TalesPostFilter  *filter,
                            GError                **error)
{
  g_autoptr(GArray) ids = NULL;
  guint old_len;

  g_return_val_if_fail (TALES_IS_POST_LIST (self), FALSE);
  g_return_val_if_fail (filter != NULL, FALSE);

  self->serial++;
  ids = tales_store_query_post_ids (self->store, filter, error);
  if (ids == NULL)
    return FALSE;

  g_free (self->category);
  g_free (self->search);
  self->category = g_strdup (filter->category);
  self->search = g_strdup (filter->search);
  self->filter = *filter;
  self->filter.category = self->category;
  self->filter.search = self->search;

  /* Another list altogether: no row carries over. The old items go first
   * and the new ones come after, in two changes: see SPLIT_CHANGE_ABOVE. */
  g_hash_table_remove_all (self->pages);
  g_hash_table_remove_all (self->salvage);
  old_len = self->ids->len;
  g_array_set_size (self->ids, 0);
  if (old_len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_len, 0);
  g_hash_table_remove_all (self->pages);
  g_array_unref (self->ids);
  self->ids = g_steal_pointer (&ids);
  if (self->ids->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, self->ids->len);
  return TRUE;
}

/* Returns (transfer none): the filter, valid until the next set_filter. */
const TalesPostFilter *
tales_post_list_get_filter (TalesPostList *self)
{
  g_return_val_if_fail (TALES_IS_POST_LIST (self), NULL);
  return &self->filter;
}

/**
 * tales_post_list_reload:
 *
 * Emits nothing when the ids did not change, (0, 0, n) when n posts came
 * in at the top, and otherwise one change that spans from the first id
 * that differs to the last. On error the list is left as it was.
 */
gboolean
tales_post_list_reload (TalesPostList *self, GError **error)
{
  g_autoptr(GArray) ids = NULL;

  g_return_val_if_fail (TALES_IS_POST_LIST (self), FALSE);

  self->serial++;
  ids = tales_store_query_post_ids (self->store, &self->filter, error);
  if (ids == NULL)
    return FALSE;
  replace_ids (self, ids);
  return TRUE;
}

/* A reload in the background: the query runs in a worker thread on a copy
 * of the filter, and only its answer comes back to the list. */
typedef struct {
  TalesStore *store;
  TalesPostFilter filter;   /* category and search point to the two below */
  char *category;
  char *search;
  guint serial;
} ReloadData;

static void
reload_data_free (ReloadData *data)
{
  g_clear_object (&data->store);
  g_free (data->category);
  g_free (data->search);
  g_free (data);
}

static void
reload_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ReloadData *data = task_data;
  GError *error = NULL;
  GArray *ids;

  if (g_task_return_error_if_cancelled (task))
    return;
  ids = tales_store_query_post_ids (data->store, &data->filter, &error);
  if (ids == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, ids, (GDestroyNotify) g_array_unref);
}

/**
 * tales_post_list_reload_async:
 *
 * Runs the query of tales_post_list_reload() in a worker thread, so that
 * a large library never holds up the main loop. The list is unchanged
 * until tales_post_list_reload_finish() applies the answer.
 */
void
tales_post_list_reload_async (TalesPostList       *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ReloadData *data;

  g_return_if_fail (TALES_IS_POST_LIST (self));

  data = g_new0 (ReloadData, 1);
  data->store = g_object_ref (self->store);
  data->category = g_strdup (self->category);
  data->search = g_strdup (self->search);
  data->filter = self->filter;
  data->filter.category = data->category;
  data->filter.search = data->search;
  data->serial = ++self->serial;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tales_post_list_reload_async);
  g_task_set_task_data (task, data, (GDestroyNotify) reload_data_free);
  tales_thread_run_task_in_background (task, reload_thread);
}

/**
 * tales_post_list_reload_finish:
 *
 * Applies the ids the query found, as tales_post_list_reload() does: the
 * list's items-changed is emitted from within this call. An answer that a
 * later set_filter or reload overtook is dropped (the later one applies
 * its own), and the list is left as it is.
 *
 * Returns: %TRUE, or %FALSE with @error set (the store failed, or
 *   G_IO_ERROR_CANCELLED); the list is then unchanged
 */
gboolean
tales_post_list_reload_finish (TalesPostList  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  ReloadData *data;
  g_autoptr(GArray) ids = NULL;

  g_return_val_if_fail (TALES_IS_POST_LIST (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tales_post_list_reload_async, FALSE);

  ids = g_task_propagate_pointer (G_TASK (result), error);
  if (ids == NULL)
    return FALSE;
  data = g_task_get_task_data (G_TASK (result));
  if (data->serial == self->serial)
    replace_ids (self, ids);
  return TRUE;
}

int
tales_post_list_find (TalesPostList *self, gint64 post_id)
{
  g_return_val_if_fail (TALES_IS_POST_LIST (self), -1);

  for (guint i = 0; i < self->ids->len && i <= G_MAXINT; i++)
    if (id_at (self, i) == post_id)
      return (int) i;
  return -1;
}

guint
tales_post_list_get_n_cached_pages (TalesPostList *self)
{
  return g_hash_table_size (self->pages);
}

guint
tales_post_list_get_n_page_loads (TalesPostList *self)
{
  return self->n_page_loads;
}
