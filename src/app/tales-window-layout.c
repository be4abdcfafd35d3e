/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-window"

#include "config.h"

#include <glib/gi18n.h>

#include "tales-window-private.h"

/* Narrow windows ------------------------------------------------------------
 *
 * Two nested leaflets: sidebar | (list | article). The inner one folds
 * first, leaving the sidebar beside the list; at phone width both are
 * folded and one pane fills the window, with a back button in the header.
 * Wide, the panes keep the widths the person dragged them to. */

static gboolean
inner_shows_article (TalesWindow *self)
{
  return adw_leaflet_get_folded (self->inner_leaflet) &&
         g_strcmp0 (adw_leaflet_get_visible_child_name (self->inner_leaflet), "article") == 0;
}

static gboolean
outer_shows_content (TalesWindow *self)
{
  return adw_leaflet_get_folded (self->outer_leaflet) &&
         g_strcmp0 (adw_leaflet_get_visible_child_name (self->outer_leaflet), "content") == 0;
}

static gboolean
update_header_cb (gpointer user_data)
{
  TalesWindow *self = user_data;
  gboolean can_go_back = inner_shows_article (self) || outer_shows_content (self);

  self->header_source = 0;
  if (self->inner_leaflet == NULL)
    return G_SOURCE_REMOVE;
  gtk_widget_set_visible (self->back_button, can_go_back);
  /* A phone's header has room for little: Add Feed stays in the menu
   * and under Ctrl+N. */
  gtk_widget_set_visible (self->add_button, !adw_leaflet_get_folded (self->outer_leaflet));
  return G_SOURCE_REMOVE;
}

/* The leaflets fold while they are being allocated, when the header was
 * already laid out for this frame: it changes in the next one. */
static void
update_back_button (TalesWindow *self)
{
  /* The action follows at once: it changes no size. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.go-back",
                                 inner_shows_article (self) || outer_shows_content (self));
  if (self->header_source == 0)
    self->header_source = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, update_header_cb,
                                           g_object_ref (self), g_object_unref);
}

static void
go_back_action_cb (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  TalesWindow *self = TALES_WINDOW (widget);

  if (inner_shows_article (self))
    {
      adw_leaflet_set_visible_child_name (self->inner_leaflet, "list");
      gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
    }
  else if (outer_shows_content (self))
    {
      adw_leaflet_set_visible_child_name (self->outer_leaflet, "sidebar");
      gtk_widget_child_focus (GTK_WIDGET (self->sidebar), GTK_DIR_TAB_FORWARD);
    }
}

void
_tales_window_show_content (TalesWindow *self,
                            gboolean     article)
{
  gtk_stack_set_visible_child_name (self->content_stack, article ? "article" : "empty");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.print", article);

  /* Where the person is, folded or not, so a window that folds later
   * keeps showing the post. */
  if (article)
    adw_leaflet_set_visible_child_name (self->inner_leaflet, "article");
  else
    adw_leaflet_set_visible_child_name (self->inner_leaflet, "list");
}

void
_tales_window_post_activated (TalesWindow *self)
{
  if (gtk_single_selection_get_selected_item (self->selection) == NULL)
    return;
  adw_leaflet_set_visible_child_name (self->inner_leaflet, "article");
  gtk_widget_grab_focus (GTK_WIDGET (tales_article_view_get_web_view (tales_window_get_article_view (self))));
}

void
_tales_window_sidebar_activated (TalesWindow *self)
{
  adw_leaflet_set_visible_child_name (self->outer_leaflet, "content");
}

/* Dragging the line between two panes resizes the one on its left. */
static void
handle_drag_begin_cb (GtkGestureDrag *gesture,
                      double          x,
                      double          y,
                      TalesWindow    *self)
{
  TalesPane *pane = g_object_get_data (G_OBJECT (gesture), "pane");

  self->drag_start_width = gtk_widget_get_width (GTK_WIDGET (pane));
}

static void
handle_drag_update_cb (GtkGestureDrag *gesture,
                       double          offset_x,
                       double          offset_y,
                       TalesWindow    *self)
{
  TalesPane *pane = g_object_get_data (G_OBJECT (gesture), "pane");
  int width = self->drag_start_width + (int) (gtk_widget_get_direction (GTK_WIDGET (self)) == GTK_TEXT_DIR_RTL
                                              ? -offset_x : offset_x);

  tales_pane_set_natural_width (pane, MAX (width, 1));
}

static void
setup_handle (TalesWindow *self,
              GtkWidget   *handle,
              TalesPane   *pane)
{
  GtkGesture *drag = gtk_gesture_drag_new ();

  g_object_set_data (G_OBJECT (drag), "pane", pane);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (handle_drag_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (handle_drag_update_cb), self);
  gtk_widget_add_controller (handle, GTK_EVENT_CONTROLLER (drag));
  gtk_widget_set_cursor_from_name (handle, "col-resize");
}

/* Keyboard: F6 goes from pane to pane --------------------------------------- */

static GtkWidget *
pane_target (TalesWindow *self,
             guint        index)
{
  switch (index)
    {
    case 0:
      return GTK_WIDGET (self->sidebar);
    case 1:
      return g_strcmp0 (gtk_stack_get_visible_child_name (self->list_stack), "list") == 0
             ? GTK_WIDGET (self->list_view) : GTK_WIDGET (self->list_stack);
    default:
      return g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack), "article") == 0
             ? GTK_WIDGET (tales_article_view_get_web_view (tales_window_get_article_view (self)))
             : GTK_WIDGET (self->content_stack);
    }
}

static guint
focused_pane (TalesWindow *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  if (focus == NULL)
    return 2;
  if (gtk_widget_is_ancestor (focus, GTK_WIDGET (self->sidebar_pane)))
    return 0;
  if (gtk_widget_is_ancestor (focus, GTK_WIDGET (self->list_pane)))
    return 1;
  if (gtk_widget_is_ancestor (focus, GTK_WIDGET (self->content_stack)))
    return 2;
  /* The header or the search bar: the next pane is the first. */
  return 2;
}

static gboolean
focus_pane (TalesWindow *self,
            guint        index)
{
  GtkWidget *target = pane_target (self, index);

  if (!gtk_widget_get_mapped (target))
    return FALSE;
  if (gtk_widget_grab_focus (target))
    return TRUE;
  return gtk_widget_child_focus (target, GTK_DIR_TAB_FORWARD);
}

static void
cycle_panes (TalesWindow *self,
             int          step)
{
  guint current = focused_pane (self);

  for (int i = 1; i <= 3; i++)
    if (focus_pane (self, (current + 3 + step * i) % 3))
      return;
}

static void
focus_next_pane_action_cb (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  cycle_panes (TALES_WINDOW (widget), +1);
}

static void
focus_previous_pane_action_cb (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *parameter)
{
  cycle_panes (TALES_WINDOW (widget), -1);
}

/* Zoom and print -------------------------------------------------------------- */

static void
zoom_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  TalesArticleView *view = tales_window_get_article_view (TALES_WINDOW (widget));

  if (g_str_equal (action_name, "win.zoom-in"))
    tales_article_view_zoom_in (view);
  else if (g_str_equal (action_name, "win.zoom-out"))
    tales_article_view_zoom_out (view);
  else
    tales_article_view_zoom_reset (view);
}

static void
print_failed_cb (WebKitPrintOperation *operation,
                 GError               *error,
                 TalesWindow          *self)
{
  _tales_window_show_error (self, _("Could not print the post"), error);
}

static void
print_action_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  TalesWindow *self = TALES_WINDOW (widget);
  g_autoptr(WebKitPrintOperation) operation = NULL;

  if (_tales_window_get_shown_post (self) == NULL)
    return;

  operation = webkit_print_operation_new (tales_article_view_get_web_view (self->article_view));
  g_signal_connect_object (operation, "failed", G_CALLBACK (print_failed_cb), self, 0);
  /* Kept until the next print: printing goes on after the dialog closes. */
  g_set_object (&self->print_operation, operation);
  webkit_print_operation_run_dialog (operation, GTK_WINDOW (self));
}

/* Set-up --------------------------------------------------------------------- */

void
_tales_window_layout_init (TalesWindow *self)
{
  g_signal_connect_object (self->inner_leaflet, "notify::folded", G_CALLBACK (update_back_button),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->inner_leaflet, "notify::visible-child", G_CALLBACK (update_back_button),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->outer_leaflet, "notify::folded", G_CALLBACK (update_back_button),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->outer_leaflet, "notify::visible-child", G_CALLBACK (update_back_button),
                           self, G_CONNECT_SWAPPED);
  adw_leaflet_set_visible_child_name (self->outer_leaflet, "content");
  adw_leaflet_set_visible_child_name (self->inner_leaflet, "list");

  setup_handle (self, self->sidebar_handle, self->sidebar_pane);
  setup_handle (self, self->list_handle, self->list_pane);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.print", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.go-back", FALSE);
  update_header_cb (self);
}

void
_tales_window_layout_dispose (TalesWindow *self)
{
  g_clear_handle_id (&self->header_source, g_source_remove);
  g_clear_object (&self->print_operation);
}

void
_tales_window_layout_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.go-back", NULL, go_back_action_cb);
  gtk_widget_class_install_action (widget_class, "win.focus-next-pane", NULL, focus_next_pane_action_cb);
  gtk_widget_class_install_action (widget_class, "win.focus-previous-pane", NULL, focus_previous_pane_action_cb);
  gtk_widget_class_install_action (widget_class, "win.zoom-in", NULL, zoom_action_cb);
  gtk_widget_class_install_action (widget_class, "win.zoom-out", NULL, zoom_action_cb);
  gtk_widget_class_install_action (widget_class, "win.zoom-reset", NULL, zoom_action_cb);
  gtk_widget_class_install_action (widget_class, "win.print", NULL, print_action_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.go-back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Back, 0, "win.go-back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F6, 0, "win.focus-next-pane", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F6, GDK_SHIFT_MASK, "win.focus-previous-pane", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "win.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK, "win.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, GDK_CONTROL_MASK, "win.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "win.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, GDK_CONTROL_MASK, "win.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "win.zoom-reset", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_0, GDK_CONTROL_MASK, "win.zoom-reset", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "win.print", NULL);
}
