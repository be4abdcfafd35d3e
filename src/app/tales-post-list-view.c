/* SPDX-License-Identifier: GPL-3.0-or-later */
/* TalesPostListView: the post list, with a row widget for each row on
 * screen and no more.
 *
 * GTK 4.8's GtkListView keeps some 200 row widgets and builds them all
 * again whenever the list changes: with a 100,000-post library that was
 * most of the time it took to start, to switch categories and to jump to
 * the end. Here every row has the same height, so which rows are on screen
 * follows from the scroll position alone; the rows that scroll out are
 * given the posts that scroll in.
 *
 * The height is the one a post with a two-line title, its feed and date
 * and a line of categories needs, measured on a row that is never shown;
 * a shorter post is centred in it. */

#define G_LOG_DOMAIN "tales-post-list-view"

#include "config.h"

#include "tales-post-list-view-private.h"
#include "tales-post-row.h"

typedef struct
{
  TalesPostRow *widget;
  guint position;           /* GTK_INVALID_LIST_POSITION when not in use */
} Row;

struct _TalesPostListView
{
  GtkWidget parent_instance;

  GtkSelectionModel *model;
  GtkAdjustment *adjustment[2];
  guint scroll_policy[2];

  GArray *rows;             /* Row */
  TalesPostRow *prototype;  /* measured for the height of every row */
  int row_height;           /* as last allocated */
  guint scroll_target;      /* a row to show at the next allocation */
  int pending_shift;        /* rows added above the top row since then */
};

static void tales_post_list_view_scrollable_init (GtkScrollableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TalesPostListView, tales_post_list_view, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_SCROLLABLE,
                                                      tales_post_list_view_scrollable_init))

enum {
  PROP_0,
  PROP_MODEL,
  N_PROPS,
  /* GtkScrollable's */
  PROP_HADJUSTMENT = N_PROPS,
  PROP_VADJUSTMENT,
  PROP_HSCROLL_POLICY,
  PROP_VSCROLL_POLICY,
};

enum {
  ACTIVATE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static guint
n_items (TalesPostListView *self)
{
  return self->model != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->model)) : 0;
}

static guint
selected_position (TalesPostListView *self)
{
  g_autoptr(GtkBitset) selection = NULL;

  if (self->model == NULL)
    return GTK_INVALID_LIST_POSITION;
  selection = gtk_selection_model_get_selection (self->model);
  return gtk_bitset_is_empty (selection) ? GTK_INVALID_LIST_POSITION : gtk_bitset_get_minimum (selection);
}

static double
scroll_value (TalesPostListView *self)
{
  return gtk_adjustment_get_value (self->adjustment[GTK_ORIENTATION_VERTICAL]);
}

/* (transfer none) */
static Row *
row_at (TalesPostListView *self,
        guint              index)
{
  return &g_array_index (self->rows, Row, index);
}

/* The row height ------------------------------------------------------- */

static TalesPost *
prototype_post_new (void)
{
  static const char * const categories[] = { "Category", NULL };
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GString) title = g_string_new (NULL);
  TalesPost *post = tales_post_new ();

  /* Long enough to wrap to the two lines a title may take at any width. */
  for (guint i = 0; i < 40; i++)
    g_string_append (title, "Wg ");
  tales_post_set_title (post, title->str);
  tales_post_set_feed_title (post, "Feed");
  tales_post_set_published (post, now);
  tales_post_set_categories (post, categories);
  return post;
}

/* GTK keeps measurements until the row's text or style changes, so asking
 * at every allocation costs nothing once the width has settled. */
static int
row_height_for_width (TalesPostListView *self,
                      int                width)
{
  int natural = 0;

  gtk_widget_measure (GTK_WIDGET (self->prototype), GTK_ORIENTATION_VERTICAL, width,
                      NULL, &natural, NULL, NULL);
  return MAX (natural, 1);
}

/* Rows ------------------------------------------------------------------- */

static void
update_selected_state (TalesPostListView *self,
                       Row               *row)
{
  gboolean selected = gtk_selection_model_is_selected (self->model, row->position);

  if (selected)
    gtk_widget_set_state_flags (GTK_WIDGET (row->widget), GTK_STATE_FLAG_SELECTED, FALSE);
  else
    gtk_widget_unset_state_flags (GTK_WIDGET (row->widget), GTK_STATE_FLAG_SELECTED);
  gtk_accessible_update_state (GTK_ACCESSIBLE (row->widget), GTK_ACCESSIBLE_STATE_SELECTED, selected, -1);
}

static Row *
add_row (TalesPostListView *self)
{
  Row row = { TALES_POST_ROW (tales_post_row_new ()), GTK_INVALID_LIST_POSITION };

  gtk_widget_set_parent (GTK_WIDGET (row.widget), GTK_WIDGET (self));
  g_array_append_val (self->rows, row);
  return row_at (self, self->rows->len - 1);
}

static void
release_row (Row *row)
{
  row->position = GTK_INVALID_LIST_POSITION;
  tales_post_row_set_post (row->widget, NULL);
  gtk_widget_set_child_visible (GTK_WIDGET (row->widget), FALSE);
}

/* Gives rows to positions @first to @first + @count - 1: a row that shows
 * one of those posts keeps it, the others are rebound. */
static void
bind_rows (TalesPostListView *self,
           guint              first,
           guint              count)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_full (count, g_object_unref);
  g_autofree gboolean *taken = g_new0 (gboolean, MAX (count, 1));
  g_autofree gboolean *keep = g_new0 (gboolean, self->rows->len + count);
  guint free_index = 0;

  for (guint i = 0; i < count; i++)
    g_ptr_array_add (items, g_list_model_get_item (G_LIST_MODEL (self->model), first + i));

  /* Rows that already show a post that is on screen. */
  for (guint r = 0; r < self->rows->len; r++)
    {
      Row *row = row_at (self, r);
      TalesPost *shown = tales_post_row_get_post (row->widget);

      if (row->position == GTK_INVALID_LIST_POSITION || shown == NULL)
        continue;
      for (guint i = 0; i < count; i++)
        if (!taken[i] && items->pdata[i] == shown)
          {
            taken[i] = keep[r] = TRUE;
            row->position = first + i;
            break;
          }
    }

  /* The rest take the rows that are left, or new ones. */
  for (guint i = 0; i < count; i++)
    {
      Row *row = NULL;

      if (taken[i])
        continue;
      while (free_index < self->rows->len && keep[free_index])
        free_index++;
      if (free_index < self->rows->len)
        row = row_at (self, free_index);
      else
        row = add_row (self);
      keep[free_index++] = TRUE;
      row->position = first + i;
      tales_post_row_set_post (row->widget, items->pdata[i]);
      gtk_widget_set_child_visible (GTK_WIDGET (row->widget), TRUE);
    }

  for (guint r = 0; r < self->rows->len; r++)
    if (!keep[r] && row_at (self, r)->position != GTK_INVALID_LIST_POSITION)
      release_row (row_at (self, r));
}

/* Allocation ------------------------------------------------------------- */

static void
tales_post_list_view_measure (GtkWidget      *widget,
                              GtkOrientation  orientation,
                              int             for_size,
                              int            *minimum,
                              int            *natural,
                              int            *minimum_baseline,
                              int            *natural_baseline)
{
  TalesPostListView *self = TALES_POST_LIST_VIEW (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      gtk_widget_measure (GTK_WIDGET (self->prototype), orientation, -1, minimum, natural, NULL, NULL);
      return;
    }
  *minimum = 0;
  *natural = (int) MIN ((gint64) n_items (self) * row_height_for_width (self, for_size), G_MAXINT / 2);
}

/* The scroll position for this allocation: where the person left it, moved
 * with the rows added above, or just far enough to show the scroll target. */
static double
next_scroll_value (TalesPostListView *self,
                   int                height,
                   double             upper)
{
  double value = scroll_value (self) + (double) self->pending_shift * self->row_height;

  self->pending_shift = 0;
  if (self->scroll_target != GTK_INVALID_LIST_POSITION)
    {
      double top = (double) self->scroll_target * self->row_height;

      if (top < value)
        value = top;
      else if (top + self->row_height > value + height)
        value = top + self->row_height - height;
      self->scroll_target = GTK_INVALID_LIST_POSITION;
    }
  return CLAMP (value, 0, MAX (upper - height, 0));
}

static void
adjustment_value_changed_cb (GtkAdjustment     *adjustment,
                             TalesPostListView *self)
{
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

static void
configure_adjustment (TalesPostListView *self,
                      GtkOrientation     orientation,
                      double             value,
                      double             upper,
                      double             page_size,
                      double             step)
{
  GtkAdjustment *adjustment = self->adjustment[orientation];

  g_signal_handlers_block_by_func (adjustment, adjustment_value_changed_cb, self);
  gtk_adjustment_configure (adjustment, value, 0, MAX (upper, page_size), step, page_size * 0.9, page_size);
  g_signal_handlers_unblock_by_func (adjustment, adjustment_value_changed_cb, self);
}

static void
tales_post_list_view_size_allocate (GtkWidget *widget,
                                    int        width,
                                    int        height,
                                    int        baseline)
{
  TalesPostListView *self = TALES_POST_LIST_VIEW (widget);
  guint n = n_items (self);
  double upper, value;
  guint first, count;

  /* With the old height for the shift and the target, then the new one. */
  if (self->row_height == 0)
    self->row_height = row_height_for_width (self, width);
  upper = (double) n * self->row_height;
  value = next_scroll_value (self, height, upper);
  if (self->row_height != row_height_for_width (self, width))
    {
      /* Keep the top row at the top when the height changes (font size). */
      double top_row = value / self->row_height;

      self->row_height = row_height_for_width (self, width);
      upper = (double) n * self->row_height;
      value = CLAMP (top_row * self->row_height, 0, MAX (upper - height, 0));
    }

  configure_adjustment (self, GTK_ORIENTATION_VERTICAL, value, upper, height, self->row_height);
  configure_adjustment (self, GTK_ORIENTATION_HORIZONTAL, 0, width, width, width * 0.1);

  first = MIN ((guint) (value / self->row_height), n);
  count = MIN (n - first, (guint) ((value + height) / self->row_height) + 1 - first);
  bind_rows (self, first, count);

  for (guint r = 0; r < self->rows->len; r++)
    {
      Row *row = row_at (self, r);
      GtkAllocation allocation = { 0, 0, width, self->row_height };

      if (row->position == GTK_INVALID_LIST_POSITION)
        continue;
      allocation.y = (int) floor ((double) row->position * self->row_height - value);
      update_selected_state (self, row);
      gtk_widget_size_allocate (GTK_WIDGET (row->widget), &allocation, -1);
    }
}

/* The model ------------------------------------------------------------ */

static void
items_changed_cb (GListModel        *model,
                  guint              position,
                  guint              removed,
                  guint              added,
                  TalesPostListView *self)
{
  guint n_before = g_list_model_get_n_items (model) - added + removed;
  guint top = self->row_height > 0 ? (guint) (scroll_value (self) / self->row_height) : 0;

  /* Rows that come or go above the top row move what is on screen: the
   * posts there stay where they were (new posts come in above them). */
  if (top > 0 && top <= n_before && position + removed <= top && position < top)
    self->pending_shift += (int) added - (int) removed;
  if (self->scroll_target != GTK_INVALID_LIST_POSITION && self->scroll_target >= n_before - removed + added)
    self->scroll_target = GTK_INVALID_LIST_POSITION;
  /* Emptied (another filter): whatever comes next starts at the top. */
  if (g_list_model_get_n_items (model) == 0)
    {
      self->pending_shift = 0;
      gtk_adjustment_set_value (self->adjustment[GTK_ORIENTATION_VERTICAL], 0);
    }
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

static void
selection_changed_cb (GtkSelectionModel *model,
                      guint              position,
                      guint              n_changed,
                      TalesPostListView *self)
{
  for (guint r = 0; r < self->rows->len; r++)
    if (row_at (self, r)->position != GTK_INVALID_LIST_POSITION)
      update_selected_state (self, row_at (self, r));
}

static void
clear_model (TalesPostListView *self)
{
  if (self->model == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);
  for (guint r = 0; r < self->rows->len; r++)
    release_row (row_at (self, r));
}

void
tales_post_list_view_set_model (TalesPostListView *self,
                                GtkSelectionModel *model)
{
  g_return_if_fail (TALES_IS_POST_LIST_VIEW (self));
  g_return_if_fail (model == NULL || GTK_IS_SELECTION_MODEL (model));

  if (self->model == model)
    return;
  clear_model (self);
  if (model != NULL)
    {
      self->model = g_object_ref (model);
      g_signal_connect (model, "items-changed", G_CALLBACK (items_changed_cb), self);
      g_signal_connect (model, "selection-changed", G_CALLBACK (selection_changed_cb), self);
    }
  self->pending_shift = 0;
  self->scroll_target = GTK_INVALID_LIST_POSITION;
  gtk_adjustment_set_value (self->adjustment[GTK_ORIENTATION_VERTICAL], 0);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

void
tales_post_list_view_scroll_to (TalesPostListView *self,
                                guint              position)
{
  g_return_if_fail (TALES_IS_POST_LIST_VIEW (self));

  if (position >= n_items (self))
    return;
  self->scroll_target = position;
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

guint
_tales_post_list_view_get_n_row_widgets (TalesPostListView *self)
{
  g_return_val_if_fail (TALES_IS_POST_LIST_VIEW (self), 0);

  return self->rows->len;
}

/* Mouse and keyboard ----------------------------------------------------- */

static guint
position_at_y (TalesPostListView *self,
               double             y)
{
  double row = (scroll_value (self) + y) / MAX (self->row_height, 1);

  if (y < 0 || row >= n_items (self))
    return GTK_INVALID_LIST_POSITION;
  return (guint) row;
}

static void
select_position (TalesPostListView *self,
                 guint              position)
{
  gtk_selection_model_select_item (self->model, position, TRUE);
  tales_post_list_view_scroll_to (self, position);
}

/* A click selects (and so shows) the post; a double click, like Enter,
 * activates it: the window then takes the focus to the article. */
static void
pressed_cb (GtkGestureClick   *gesture,
            int                n_press,
            double             x,
            double             y,
            TalesPostListView *self)
{
  guint position = position_at_y (self, y);

  if (position == GTK_INVALID_LIST_POSITION)
    return;
  gtk_widget_grab_focus (GTK_WIDGET (self));
  select_position (self, position);
  if (n_press == 2)
    g_signal_emit (self, signals[ACTIVATE], 0, position);
}

static guint
rows_per_page (TalesPostListView *self)
{
  return MAX ((guint) (gtk_widget_get_height (GTK_WIDGET (self)) / MAX (self->row_height, 1)), 1);
}

/* list.move-cursor (ii): by so many rows and so many pages; a large count
 * goes to the end. With nothing selected yet, down starts at the first
 * post and up at the last. */
static void
move_cursor_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TalesPostListView *self = TALES_POST_LIST_VIEW (widget);
  guint n = n_items (self);
  guint current = selected_position (self);
  int by_rows, by_pages;
  gint64 next;

  if (n == 0)
    return;
  g_variant_get (parameter, "(ii)", &by_rows, &by_pages);
  if (current == GTK_INVALID_LIST_POSITION)
    next = by_rows < 0 || by_pages < 0 ? n - 1 : 0;
  else
    next = (gint64) current + by_rows + (gint64) by_pages * rows_per_page (self);
  select_position (self, (guint) CLAMP (next, 0, (gint64) n - 1));
}

/* list.activate-cursor: Enter on the selected row. */
static void
activate_cursor_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  TalesPostListView *self = TALES_POST_LIST_VIEW (widget);
  guint position = selected_position (self);

  if (position != GTK_INVALID_LIST_POSITION)
    g_signal_emit (self, signals[ACTIVATE], 0, position);
}

static void
add_move_binding (GtkWidgetClass *widget_class,
                  guint           keyval,
                  guint           kp_keyval,
                  int             by_rows,
                  int             by_pages)
{
  gtk_widget_class_add_binding_action (widget_class, keyval, 0, "list.move-cursor", "(ii)", by_rows, by_pages);
  gtk_widget_class_add_binding_action (widget_class, kp_keyval, 0, "list.move-cursor", "(ii)", by_rows, by_pages);
}

/* GObject ------------------------------------------------------------------ */

static void
set_adjustment (TalesPostListView *self,
                GtkOrientation     orientation,
                GtkAdjustment     *adjustment)
{
  if (adjustment == NULL)
    adjustment = gtk_adjustment_new (0, 0, 0, 0, 0, 0);
  if (self->adjustment[orientation] == adjustment)
    return;
  if (self->adjustment[orientation] != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->adjustment[orientation], adjustment_value_changed_cb, self);
      g_object_unref (self->adjustment[orientation]);
    }
  self->adjustment[orientation] = g_object_ref_sink (adjustment);
  g_signal_connect (adjustment, "value-changed", G_CALLBACK (adjustment_value_changed_cb), self);
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

static void
tales_post_list_view_dispose (GObject *object)
{
  TalesPostListView *self = TALES_POST_LIST_VIEW (object);

  clear_model (self);
  if (self->rows != NULL)
    for (guint r = 0; r < self->rows->len; r++)
      gtk_widget_unparent (GTK_WIDGET (row_at (self, r)->widget));
  g_clear_pointer (&self->rows, g_array_unref);
  if (self->prototype != NULL)
    {
      gtk_widget_unparent (GTK_WIDGET (self->prototype));
      self->prototype = NULL;
    }
  for (guint i = 0; i < 2; i++)
    if (self->adjustment[i] != NULL)
      {
        g_signal_handlers_disconnect_by_func (self->adjustment[i], adjustment_value_changed_cb, self);
        g_clear_object (&self->adjustment[i]);
      }

  G_OBJECT_CLASS (tales_post_list_view_parent_class)->dispose (object);
}

static void
tales_post_list_view_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  TalesPostListView *self = TALES_POST_LIST_VIEW (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;
    case PROP_HADJUSTMENT:
      g_value_set_object (value, self->adjustment[GTK_ORIENTATION_HORIZONTAL]);
      break;
    case PROP_VADJUSTMENT:
      g_value_set_object (value, self->adjustment[GTK_ORIENTATION_VERTICAL]);
      break;
    case PROP_HSCROLL_POLICY:
      g_value_set_enum (value, self->scroll_policy[GTK_ORIENTATION_HORIZONTAL]);
      break;
    case PROP_VSCROLL_POLICY:
      g_value_set_enum (value, self->scroll_policy[GTK_ORIENTATION_VERTICAL]);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tales_post_list_view_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  TalesPostListView *self = TALES_POST_LIST_VIEW (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      tales_post_list_view_set_model (self, g_value_get_object (value));
      break;
    case PROP_HADJUSTMENT:
      set_adjustment (self, GTK_ORIENTATION_HORIZONTAL, g_value_get_object (value));
      break;
    case PROP_VADJUSTMENT:
      set_adjustment (self, GTK_ORIENTATION_VERTICAL, g_value_get_object (value));
      break;
    case PROP_HSCROLL_POLICY:
      self->scroll_policy[GTK_ORIENTATION_HORIZONTAL] = g_value_get_enum (value);
      break;
    case PROP_VSCROLL_POLICY:
      self->scroll_policy[GTK_ORIENTATION_VERTICAL] = g_value_get_enum (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tales_post_list_view_scrollable_init (GtkScrollableInterface *iface)
{
}

static void
tales_post_list_view_class_init (TalesPostListViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tales_post_list_view_dispose;
  object_class->get_property = tales_post_list_view_get_property;
  object_class->set_property = tales_post_list_view_set_property;
  widget_class->measure = tales_post_list_view_measure;
  widget_class->size_allocate = tales_post_list_view_size_allocate;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL,
                         GTK_TYPE_SELECTION_MODEL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  g_object_class_override_property (object_class, PROP_HADJUSTMENT, "hadjustment");
  g_object_class_override_property (object_class, PROP_VADJUSTMENT, "vadjustment");
  g_object_class_override_property (object_class, PROP_HSCROLL_POLICY, "hscroll-policy");
  g_object_class_override_property (object_class, PROP_VSCROLL_POLICY, "vscroll-policy");

  /**
   * TalesPostListView::activate:
   * @position: the row's
   *
   * Enter, or a double click, on a row.
   */
  signals[ACTIVATE] =
    g_signal_new ("activate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_install_action (widget_class, "list.move-cursor", "(ii)", move_cursor_action);
  gtk_widget_class_install_action (widget_class, "list.activate-cursor", NULL, activate_cursor_action);
  add_move_binding (widget_class, GDK_KEY_Up, GDK_KEY_KP_Up, -1, 0);
  add_move_binding (widget_class, GDK_KEY_Down, GDK_KEY_KP_Down, 1, 0);
  add_move_binding (widget_class, GDK_KEY_Page_Up, GDK_KEY_KP_Page_Up, 0, -1);
  add_move_binding (widget_class, GDK_KEY_Page_Down, GDK_KEY_KP_Page_Down, 0, 1);
  add_move_binding (widget_class, GDK_KEY_Home, GDK_KEY_KP_Home, -G_MAXINT / 2, 0);
  add_move_binding (widget_class, GDK_KEY_End, GDK_KEY_KP_End, G_MAXINT / 2, 0);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, 0, "list.activate-cursor", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_ISO_Enter, 0, "list.activate-cursor", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, 0, "list.activate-cursor", NULL);

  gtk_widget_class_set_css_name (widget_class, "postlistview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LIST);
}

static void
tales_post_list_view_init (TalesPostListView *self)
{
  GtkGesture *click = gtk_gesture_click_new ();
  g_autoptr(TalesPost) sample = prototype_post_new ();

  self->rows = g_array_new (FALSE, FALSE, sizeof (Row));
  self->scroll_target = GTK_INVALID_LIST_POSITION;
  set_adjustment (self, GTK_ORIENTATION_HORIZONTAL, NULL);
  set_adjustment (self, GTK_ORIENTATION_VERTICAL, NULL);

  self->prototype = TALES_POST_ROW (tales_post_row_new ());
  tales_post_row_set_post (self->prototype, sample);
  gtk_widget_set_parent (GTK_WIDGET (self->prototype), GTK_WIDGET (self));
  gtk_widget_set_child_visible (GTK_WIDGET (self->prototype), FALSE);

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}

GtkWidget *
tales_post_list_view_new (void)
{
  return g_object_new (TALES_TYPE_POST_LIST_VIEW, NULL);
}
