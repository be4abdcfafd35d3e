/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-sidebar"

#include "config.h"

#include <glib/gi18n.h>

#include "tales-compat.h"
#include "tales-sidebar-private.h"
#include "tales-sidebar-row-private.h"
#include "tales-thread.h"

struct _TalesSidebar
{
  GtkWidget parent_instance;

  GtkWidget *scrolled;
  GtkListBox *list_box;
  TalesStore *store;
  TalesPostFilter filter;
  char *filter_category;
  gboolean updating;
  guint serial;             /* bumped by every reload started */
  gboolean loaded;          /* shows the library, not only "All Posts" */
};

G_DEFINE_FINAL_TYPE (TalesSidebar, tales_sidebar, GTK_TYPE_WIDGET)

enum {
  FILTER_CHANGED,
  ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Reading the library ------------------------------------------------------ */

/* "Last refreshed 5 minutes ago", in words a person reads at a glance. */
static char *
format_last_refresh (GDateTime *when)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  GTimeSpan age;
  gint64 minutes, hours;

  if (when == NULL)
    return g_strdup (_("Never refreshed"));

  age = g_date_time_difference (now, when);
  minutes = age / G_TIME_SPAN_MINUTE;
  hours = age / G_TIME_SPAN_HOUR;
  if (minutes < 1)
    return g_strdup (_("Last refreshed just now"));
  if (hours < 1)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Last refreshed %d minute ago",
                                         "Last refreshed %d minutes ago", minutes), (int) minutes);
  if (hours < 48)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Last refreshed %d hour ago",
                                         "Last refreshed %d hours ago", hours), (int) hours);
  {
    g_autoptr(GDateTime) local = g_date_time_to_local (when);
    /* TRANSLATORS: a date, see g_date_time_format() */
    g_autofree char *date = g_date_time_format (local, _("%-d %b %Y"));

    return g_strdup_printf (_("Last refreshed on %s"), date);
  }
}

static guint
unread_of_feed (GArray *counts,
                gint64  feed_id)
{
  for (guint i = 0; counts != NULL && i < counts->len; i++)
    {
      TalesFeedCounts *c = &g_array_index (counts, TalesFeedCounts, i);

      if (c->feed_id == feed_id)
        return c->n_unread;
    }
  return 0;
}

static int
compare_feeds (gconstpointer a,
               gconstpointer b)
{
  TalesFeed *fa = *(TalesFeed **) a;
  TalesFeed *fb = *(TalesFeed **) b;
  g_autofree char *ka = g_utf8_collate_key (tales_feed_get_display_title (fa), -1);
  g_autofree char *kb = g_utf8_collate_key (tales_feed_get_display_title (fb), -1);

  return strcmp (ka, kb);
}

static void
add_spec (GArray          *specs,
          TalesFilterKind  kind,
          const char      *title,
          guint            count)
{
  TalesSidebarRowSpec spec = { .kind = kind, .title = g_strdup (title), .count = count };

  if (kind == TALES_FILTER_CATEGORY)
    spec.category = g_strdup (title);
  g_array_append_val (specs, spec);
}

static void
add_feed_specs (TalesStore *store,
                GArray     *specs)
{
  g_autoptr(GPtrArray) feeds = tales_store_list_feeds (store, NULL);
  g_autoptr(GArray) counts = tales_store_count_by_feed (store, NULL);

  if (feeds == NULL)
    return;

  g_ptr_array_sort (feeds, compare_feeds);
  for (guint i = 0; i < feeds->len; i++)
    {
      TalesFeed *feed = feeds->pdata[i];
      const char *error = tales_feed_get_last_error (feed);
      TalesSidebarRowSpec spec = {
        .kind = TALES_FILTER_FEED,
        .feed_id = tales_feed_get_db_id (feed),
        .title = g_strdup (tales_feed_get_display_title (feed)),
        .error = error != NULL && *error != '\0' ? g_strdup (error) : NULL,
        .status = format_last_refresh (tales_feed_get_last_refresh (feed)),
        .url = g_strdup (tales_feed_get_url (feed)),
        .count = unread_of_feed (counts, tales_feed_get_db_id (feed)),
      };

      g_array_append_val (specs, spec);
    }
}

/* Every row the library calls for now, in display order. Touches no
 * widget, so that it can run in a worker thread (see
 * tales_sidebar_reload_async()). */
static GArray *
read_specs (TalesStore *store)
{
  GArray *specs = g_array_new (FALSE, TRUE, sizeof (TalesSidebarRowSpec));
  g_autoptr(GPtrArray) categories = NULL;

  g_array_set_clear_func (specs, (GDestroyNotify) _tales_sidebar_row_spec_clear);
  add_spec (specs, TALES_FILTER_ALL, _("All Posts"), 0);
  if (store == NULL)
    return specs;

  add_spec (specs, TALES_FILTER_UNREAD, _("Unread"), tales_store_count_unread (store, NULL));
  add_spec (specs, TALES_FILTER_STARRED, _("Starred"), tales_store_count_starred (store, NULL));
  add_feed_specs (store, specs);

  categories = tales_store_list_categories (store, NULL);
  for (guint i = 0; categories != NULL && i < categories->len; i++)
    {
      TalesCategoryCount *category = categories->pdata[i];

      add_spec (specs, TALES_FILTER_CATEGORY, category->name, category->n_posts);
    }
  return specs;
}

/* The sidebar ------------------------------------------------------------- */

static void
set_filter_from_row (TalesSidebar    *self,
                     TalesSidebarRow *row)
{
  const TalesSidebarRowSpec *spec = row != NULL ? _tales_sidebar_row_get_spec (row) : NULL;
  TalesFilterKind kind = spec != NULL ? spec->kind : TALES_FILTER_ALL;

  tales_set_str (&self->filter_category, spec != NULL ? spec->category : NULL);
  self->filter.kind = kind;
  self->filter.feed_id = spec != NULL ? spec->feed_id : 0;
  self->filter.category = self->filter_category;
  self->filter.search = NULL;
}

static void
row_selected_cb (GtkListBox    *list_box,
                 GtkListBoxRow *row,
                 TalesSidebar  *self)
{
  if (self->updating || row == NULL)
    return;

  set_filter_from_row (self, TALES_SIDEBAR_ROW (row));
  g_signal_emit (self, signals[FILTER_CHANGED], 0);
}

static void
row_activated_cb (GtkListBox    *list_box,
                  GtkListBoxRow *row,
                  TalesSidebar  *self)
{
  g_signal_emit (self, signals[ACTIVATED], 0);
}

static void
header_func (GtkListBoxRow *row,
             GtkListBoxRow *before,
             gpointer       user_data)
{
  TalesSidebarSection section = _tales_sidebar_row_get_section (TALES_SIDEBAR_ROW (row));
  GtkWidget *label;

  if (before != NULL && _tales_sidebar_row_get_section (TALES_SIDEBAR_ROW (before)) == section)
    {
      gtk_list_box_row_set_header (row, NULL);
      return;
    }
  if (section == TALES_SIDEBAR_SECTION_LIBRARY)
    {
      gtk_list_box_row_set_header (row, NULL);
      return;
    }

  label = gtk_label_new (section == TALES_SIDEBAR_SECTION_FEEDS ? _("Feeds") : _("Categories"));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, "sidebar-header");
  gtk_list_box_row_set_header (row, label);
}

static GPtrArray *
current_rows (TalesSidebar *self)
{
  GPtrArray *rows = g_ptr_array_new ();

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (TALES_IS_SIDEBAR_ROW (child))
      g_ptr_array_add (rows, child);
  return rows;
}

static gboolean
same_rows (GPtrArray *rows,
           GArray    *specs)
{
  if (rows->len != specs->len)
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    {
      TalesSidebarRowSpec *spec = &g_array_index (specs, TalesSidebarRowSpec, i);
      g_autofree char *key = _tales_sidebar_row_key (spec->kind, spec->feed_id, spec->category);

      if (g_strcmp0 (_tales_sidebar_row_get_key (rows->pdata[i]), key) != 0)
        return FALSE;
    }
  return TRUE;
}

/* Only the rows that changed are touched: a refresh reloads the sidebar
 * again and again, and setting a tooltip costs GTK 4.8 a good deal. */
static void
update_in_place (GPtrArray *rows,
                 GArray    *specs)
{
  for (guint i = 0; i < rows->len; i++)
    _tales_sidebar_row_update (rows->pdata[i], &g_array_index (specs, TalesSidebarRowSpec, i));
}

/* Returns whether the selected row is still there. */
static gboolean
rebuild (TalesSidebar *self,
         GPtrArray    *rows,
         GArray       *specs)
{
  GtkListBoxRow *selected = gtk_list_box_get_selected_row (self->list_box);
  g_autofree char *selected_key = selected != NULL ? g_strdup (_tales_sidebar_row_get_key (TALES_SIDEBAR_ROW (selected))) : NULL;
  TalesSidebarRow *again = NULL;

  for (guint i = 0; i < rows->len; i++)
    gtk_list_box_remove (self->list_box, rows->pdata[i]);

  for (guint i = 0; i < specs->len; i++)
    {
      TalesSidebarRowSpec *spec = &g_array_index (specs, TalesSidebarRowSpec, i);
      GtkWidget *row = _tales_sidebar_row_new (spec);

      gtk_list_box_append (self->list_box, row);
      if (selected_key != NULL && g_strcmp0 (_tales_sidebar_row_get_key (TALES_SIDEBAR_ROW (row)), selected_key) == 0)
        again = TALES_SIDEBAR_ROW (row);
    }

  if (again == NULL)
    again = TALES_SIDEBAR_ROW (gtk_list_box_get_row_at_index (self->list_box, 0));
  gtk_list_box_select_row (self->list_box, GTK_LIST_BOX_ROW (again));
  return selected_key != NULL && g_strcmp0 (_tales_sidebar_row_get_key (again), selected_key) == 0;
}

/* Shows @specs: in place when the rows are the same ones, else anew. */
static void
apply_specs (TalesSidebar *self,
             GArray       *specs)
{
  g_autoptr(GPtrArray) rows = NULL;
  gboolean kept = TRUE;

  rows = current_rows (self);

  self->updating = TRUE;
  if (same_rows (rows, specs))
    update_in_place (rows, specs);
  else
    kept = rebuild (self, rows, specs);
  self->updating = FALSE;

  /* The feed or category shown went away: show everything instead. */
  if (!kept && rows->len > 0)
    {
      set_filter_from_row (self, TALES_SIDEBAR_ROW (gtk_list_box_get_selected_row (self->list_box)));
      g_signal_emit (self, signals[FILTER_CHANGED], 0);
    }
}

void
tales_sidebar_reload (TalesSidebar *self)
{
  g_autoptr(GArray) specs = NULL;

  g_return_if_fail (TALES_IS_SIDEBAR (self));

  self->serial++;
  specs = read_specs (self->store);
  apply_specs (self, specs);
  self->loaded = self->store != NULL;
}

/* One reload in the background: the store it reads (its own reference:
 * the sidebar may be given another meanwhile), and the serial that tells
 * whether a later reload overtook it. */
typedef struct {
  TalesStore *store;
  guint serial;
} ReloadData;

static void
reload_data_free (ReloadData *data)
{
  g_clear_object (&data->store);
  g_free (data);
}

static void
read_specs_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  ReloadData *data = task_data;

  if (!g_task_return_error_if_cancelled (task))
    g_task_return_pointer (task, read_specs (data->store), (GDestroyNotify) g_array_unref);
}

/**
 * tales_sidebar_reload_async:
 *
 * Reads what tales_sidebar_reload() reads in a worker thread: counting
 * the posts of a large library takes longer than a frame, and a refresh
 * reloads the sidebar again and again. tales_sidebar_reload_finish()
 * shows it.
 */
void
tales_sidebar_reload_async (TalesSidebar        *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ReloadData *data;

  g_return_if_fail (TALES_IS_SIDEBAR (self));

  data = g_new0 (ReloadData, 1);
  data->store = self->store != NULL ? g_object_ref (self->store) : NULL;
  data->serial = ++self->serial;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tales_sidebar_reload_async);
  g_task_set_task_data (task, data, (GDestroyNotify) reload_data_free);
  tales_thread_run_task_in_background (task, read_specs_thread);
}

/**
 * tales_sidebar_reload_finish:
 *
 * Shows what the reload read, as tales_sidebar_reload() does (rows in
 * place, the selection kept, "filter-changed" when the selected row went
 * away), unless a later reload overtook it: that one shows its own.
 *
 * Returns: %TRUE, or %FALSE with G_IO_ERROR_CANCELLED
 */
gboolean
tales_sidebar_reload_finish (TalesSidebar  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  ReloadData *data;
  g_autoptr(GArray) specs = NULL;

  g_return_val_if_fail (TALES_IS_SIDEBAR (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tales_sidebar_reload_async, FALSE);

  specs = g_task_propagate_pointer (G_TASK (result), error);
  if (specs == NULL)
    return FALSE;
  data = g_task_get_task_data (G_TASK (result));
  if (data->serial == self->serial)
    {
      apply_specs (self, specs);
      self->loaded = data->store != NULL;
    }
  return TRUE;
}

void
tales_sidebar_set_store (TalesSidebar *self,
                         TalesStore   *store)
{
  g_autoptr(GArray) specs = NULL;

  g_return_if_fail (TALES_IS_SIDEBAR (self));

  if (!g_set_object (&self->store, store))
    return;
  /* "All Posts" at once; the counts, feeds and categories come with the
   * next reload (tales_sidebar_reload_async() at start-up). */
  self->serial++;
  specs = read_specs (NULL);
  apply_specs (self, specs);
  self->loaded = FALSE;
}

gboolean
tales_sidebar_is_loaded (TalesSidebar *self)
{
  g_return_val_if_fail (TALES_IS_SIDEBAR (self), FALSE);

  return self->loaded;
}

const TalesPostFilter *
tales_sidebar_get_filter (TalesSidebar *self)
{
  g_return_val_if_fail (TALES_IS_SIDEBAR (self), NULL);

  return &self->filter;
}

TalesSidebarRow *
_tales_sidebar_find_row (TalesSidebar    *self,
                         TalesFilterKind  kind,
                         gint64           feed_id,
                         const char      *category)
{
  g_autofree char *key = _tales_sidebar_row_key (kind, feed_id, category);
  g_autoptr(GPtrArray) rows = NULL;

  g_return_val_if_fail (TALES_IS_SIDEBAR (self), NULL);

  rows = current_rows (self);
  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (_tales_sidebar_row_get_key (rows->pdata[i]), key) == 0)
      return rows->pdata[i];
  return NULL;
}

static guint
count_rows (TalesSidebar    *self,
            TalesFilterKind  kind)
{
  g_autoptr(GPtrArray) rows = current_rows (self);
  guint n = 0;

  for (guint i = 0; i < rows->len; i++)
    if (_tales_sidebar_row_get_spec (rows->pdata[i])->kind == kind)
      n++;
  return n;
}

guint
_tales_sidebar_count_categories (TalesSidebar *self)
{
  g_return_val_if_fail (TALES_IS_SIDEBAR (self), 0);

  return count_rows (self, TALES_FILTER_CATEGORY);
}

guint
tales_sidebar_count_feeds (TalesSidebar *self)
{
  g_return_val_if_fail (TALES_IS_SIDEBAR (self), 0);

  return count_rows (self, TALES_FILTER_FEED);
}

gboolean
tales_sidebar_select (TalesSidebar    *self,
                      TalesFilterKind  kind,
                      gint64           feed_id,
                      const char      *category)
{
  TalesSidebarRow *row;

  g_return_val_if_fail (TALES_IS_SIDEBAR (self), FALSE);

  row = _tales_sidebar_find_row (self, kind, feed_id, category);
  if (row == NULL)
    return FALSE;

  if (gtk_list_box_get_selected_row (self->list_box) == GTK_LIST_BOX_ROW (row))
    return TRUE;
  /* "row-selected" sets the filter and tells the window. */
  gtk_list_box_select_row (self->list_box, GTK_LIST_BOX_ROW (row));
  gtk_widget_grab_focus (GTK_WIDGET (row));
  return TRUE;
}

static void
tales_sidebar_dispose (GObject *object)
{
  TalesSidebar *self = TALES_SIDEBAR (object);

  g_clear_pointer (&self->scrolled, gtk_widget_unparent);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (tales_sidebar_parent_class)->dispose (object);
}

static void
tales_sidebar_finalize (GObject *object)
{
  TalesSidebar *self = TALES_SIDEBAR (object);

  g_free (self->filter_category);

  G_OBJECT_CLASS (tales_sidebar_parent_class)->finalize (object);
}

static void
tales_sidebar_class_init (TalesSidebarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tales_sidebar_dispose;
  object_class->finalize = tales_sidebar_finalize;

  /**
   * TalesSidebar::filter-changed:
   *
   * Another row was selected; see tales_sidebar_get_filter().
   */
  signals[FILTER_CHANGED] = g_signal_new ("filter-changed", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 0);

  /**
   * TalesSidebar::activated:
   *
   * A row was clicked or chosen with Enter, selected already or not: in
   * a folded window, the list comes next.
   */
  signals[ACTIVATED] = g_signal_new ("activated", G_TYPE_FROM_CLASS (klass),
                                     G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                     G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "sidebar");
}

static void
tales_sidebar_init (TalesSidebar *self)
{
  self->list_box = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list_box, GTK_SELECTION_BROWSE);
  gtk_list_box_set_header_func (self->list_box, header_func, NULL, NULL);
  gtk_widget_add_css_class (GTK_WIDGET (self->list_box), "navigation-sidebar");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list_box),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Feeds and Categories"), -1);
  g_signal_connect (self->list_box, "row-selected", G_CALLBACK (row_selected_cb), self);
  g_signal_connect (self->list_box, "row-activated", G_CALLBACK (row_activated_cb), self);

  self->scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scrolled), GTK_WIDGET (self->list_box));
  gtk_widget_set_parent (self->scrolled, GTK_WIDGET (self));

  self->filter.kind = TALES_FILTER_ALL;
  tales_sidebar_reload (self);
}

GtkWidget *
tales_sidebar_new (void)
{
  return g_object_new (TALES_TYPE_SIDEBAR, NULL);
}
