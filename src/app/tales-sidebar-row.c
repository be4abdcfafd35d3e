/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One row of the sidebar: All, Unread, Starred, a feed (with its menu:
 * rename, copy address, unsubscribe) or a category, showing what its
 * TalesSidebarRowSpec says. The sidebar (tales-sidebar.c) makes the rows
 * and updates them in place. */

#define G_LOG_DOMAIN "tales-sidebar"

#include "config.h"

#include <glib/gi18n.h>

#include "tales-sidebar-row-private.h"

struct _TalesSidebarRow
{
  GtkListBoxRow parent_instance;

  TalesSidebarRowSpec spec;
  char *key;
  TalesSidebarSection section;

  GtkWidget *title_label;
  GtkWidget *error_icon;
  GtkWidget *count_label;
  GtkWidget *menu;
};

G_DEFINE_FINAL_TYPE (TalesSidebarRow, tales_sidebar_row, GTK_TYPE_LIST_BOX_ROW)

void
_tales_sidebar_row_spec_clear (TalesSidebarRowSpec *spec)
{
  g_clear_pointer (&spec->category, g_free);
  g_clear_pointer (&spec->title, g_free);
  g_clear_pointer (&spec->error, g_free);
  g_clear_pointer (&spec->status, g_free);
  g_clear_pointer (&spec->url, g_free);
}

char *
_tales_sidebar_row_key (TalesFilterKind  kind,
                        gint64           feed_id,
                        const char      *category)
{
  g_autofree char *folded = NULL;

  switch (kind)
    {
    case TALES_FILTER_FEED:
      return g_strdup_printf ("feed:%" G_GINT64_FORMAT, feed_id);
    case TALES_FILTER_CATEGORY:
      folded = g_utf8_casefold (category != NULL ? category : "", -1);
      return g_strconcat ("category:", folded, NULL);
    case TALES_FILTER_UNREAD:
      return g_strdup ("unread");
    case TALES_FILTER_STARRED:
      return g_strdup ("starred");
    case TALES_FILTER_ALL:
    default:
      return g_strdup ("all");
    }
}

static TalesSidebarSection
section_of (TalesFilterKind kind)
{
  if (kind == TALES_FILTER_FEED)
    return TALES_SIDEBAR_SECTION_FEEDS;
  if (kind == TALES_FILTER_CATEGORY)
    return TALES_SIDEBAR_SECTION_CATEGORIES;
  return TALES_SIDEBAR_SECTION_LIBRARY;
}

/* Rows ------------------------------------------------------------------- */

static GMenuModel *feed_menu_new (const TalesSidebarRowSpec *spec);

/* (nullable): the feed's menu, made when first asked for: a popover per
 * feed row made the sidebar slow to fill with hundreds of feeds. */
static GtkWidget *
row_ensure_menu (TalesSidebarRow *self)
{
  g_autoptr(GMenuModel) model = NULL;

  if (self->menu != NULL || self->spec.kind != TALES_FILTER_FEED)
    return self->menu;

  model = feed_menu_new (&self->spec);
  self->menu = gtk_popover_menu_new_from_model (model);
  gtk_popover_set_has_arrow (GTK_POPOVER (self->menu), FALSE);
  gtk_widget_set_halign (self->menu, GTK_ALIGN_START);
  gtk_widget_set_parent (self->menu, GTK_WIDGET (self));
  return self->menu;
}

static void
row_popup_menu (TalesSidebarRow *self)
{
  if (row_ensure_menu (self) != NULL)
    gtk_popover_popup (GTK_POPOVER (self->menu));
}

static void
row_popup_menu_at (TalesSidebarRow *self,
                   double           x,
                   double           y)
{
  if (row_ensure_menu (self) == NULL)
    return;
  gtk_popover_set_pointing_to (GTK_POPOVER (self->menu), &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->menu));
}

static void
row_pressed_cb (GtkGestureClick *gesture,
                int              n_press,
                double           x,
                double           y,
                TalesSidebarRow *self)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  row_popup_menu_at (self, x, y);
}

static void
row_long_pressed_cb (GtkGestureLongPress *gesture,
                     double               x,
                     double               y,
                     TalesSidebarRow     *self)
{
  row_popup_menu_at (self, x, y);
}

/* Shift+F10 and the Menu key open the same menu from the keyboard. */
static gboolean
row_menu_key_cb (GtkWidget *widget,
                 GVariant  *args,
                 gpointer   user_data)
{
  TalesSidebarRow *self = TALES_SIDEBAR_ROW (widget);

  if (row_ensure_menu (self) == NULL)
    return FALSE;
  gtk_popover_set_pointing_to (GTK_POPOVER (self->menu), NULL);
  row_popup_menu (self);
  return TRUE;
}

static GMenuModel *
feed_menu_new (const TalesSidebarRowSpec *spec)
{
  GMenu *menu = g_menu_new ();
  g_autoptr(GMenu) status = g_menu_new ();
  g_autoptr(GMenu) actions = g_menu_new ();
  g_autoptr(GMenuItem) item = NULL;

  /* An item without an action is shown greyed: a plain status line. */
  g_menu_append (status, spec->status, NULL);
  g_menu_append_section (menu, NULL, G_MENU_MODEL (status));

  item = g_menu_item_new (_("_Rename…"), NULL);
  g_menu_item_set_action_and_target_value (item, "win.rename-feed", g_variant_new_int64 (spec->feed_id));
  g_menu_append_item (actions, item);
  g_clear_object (&item);
  item = g_menu_item_new (_("_Copy Address"), NULL);
  g_menu_item_set_action_and_target_value (item, "win.copy-feed-address", g_variant_new_int64 (spec->feed_id));
  g_menu_append_item (actions, item);
  g_clear_object (&item);
  item = g_menu_item_new (_("_Unsubscribe…"), NULL);
  g_menu_item_set_action_and_target_value (item, "win.remove-feed", g_variant_new_int64 (spec->feed_id));
  g_menu_append_item (actions, item);
  g_menu_append_section (menu, NULL, G_MENU_MODEL (actions));

  return G_MENU_MODEL (menu);
}

static void
row_update_menu (TalesSidebarRow *self)
{
  g_autoptr(GMenuModel) model = NULL;

  /* A menu not made yet is made from the spec when it opens. */
  if (self->menu == NULL || self->spec.kind != TALES_FILTER_FEED)
    return;

  model = feed_menu_new (&self->spec);
  gtk_popover_menu_set_menu_model (GTK_POPOVER_MENU (self->menu), model);
}

/* GTK 4.8 re-queries the tooltip under the pointer on every set, even of
 * the same text. */
static void
set_tooltip (GtkWidget  *widget,
             const char *text)
{
  const char *old = gtk_widget_get_tooltip_text (widget);

  if (g_strcmp0 (old, text) != 0)
    gtk_widget_set_tooltip_text (widget, text);
}

static void
row_apply (TalesSidebarRow *self)
{
  const TalesSidebarRowSpec *spec = &self->spec;
  g_autofree char *count = g_strdup_printf ("%u", spec->count);
  g_autofree char *tooltip = NULL;

  gtk_label_set_text (GTK_LABEL (self->title_label), spec->title);
  gtk_label_set_text (GTK_LABEL (self->count_label), count);
  gtk_widget_set_visible (self->count_label, spec->count > 0 && spec->kind != TALES_FILTER_ALL);
  gtk_widget_set_visible (self->error_icon, spec->error != NULL);
  set_tooltip (self->error_icon, spec->error);
  if (spec->error != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->error_icon),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, spec->error, -1);

  if (spec->kind == TALES_FILTER_FEED)
    tooltip = spec->error != NULL ? g_strdup_printf ("%s\n%s", spec->status, spec->error)
                                  : g_strdup (spec->status);
  set_tooltip (GTK_WIDGET (self), tooltip);
  row_update_menu (self);
}

static const char *
row_icon_name (TalesFilterKind kind)
{
  switch (kind)
    {
    case TALES_FILTER_UNREAD:
      return "mail-unread-symbolic";
    case TALES_FILTER_STARRED:
      return "starred-symbolic";
    case TALES_FILTER_FEED:
      return "application-rss+xml-symbolic";
    case TALES_FILTER_ALL:
    default:
      return "view-list-symbolic";
    }
}

/* Categories get a "#" (the icon theme has no tag), the rest an icon. */
static GtkWidget *
row_icon_new (TalesFilterKind kind)
{
  GtkWidget *hash;

  if (kind != TALES_FILTER_CATEGORY)
    return gtk_image_new_from_icon_name (row_icon_name (kind));

  hash = gtk_label_new ("#");
  gtk_widget_set_size_request (hash, 16, -1);
  gtk_widget_add_css_class (hash, "dim-label");
  gtk_widget_add_css_class (hash, "category-mark");
  return hash;
}

GtkWidget *
_tales_sidebar_row_new (TalesSidebarRowSpec *spec)
{
  TalesSidebarRow *self = g_object_new (TALES_TYPE_SIDEBAR_ROW, NULL);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkGesture *click, *long_press;

  self->spec = *spec;
  memset (spec, 0, sizeof *spec);
  self->section = section_of (self->spec.kind);
  self->key = _tales_sidebar_row_key (self->spec.kind, self->spec.feed_id, self->spec.category);

  gtk_box_append (GTK_BOX (box), row_icon_new (self->spec.kind));
  self->title_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->title_label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (self->title_label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (self->title_label, TRUE);
  gtk_box_append (GTK_BOX (box), self->title_label);
  self->error_icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
  gtk_widget_add_css_class (self->error_icon, "warning");
  gtk_box_append (GTK_BOX (box), self->error_icon);
  self->count_label = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->count_label, "count");
  gtk_widget_add_css_class (self->count_label, "numeric");
  gtk_box_append (GTK_BOX (box), self->count_label);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (self), box);

  if (self->spec.kind == TALES_FILTER_FEED)
    {
      click = gtk_gesture_click_new ();
      gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
      g_signal_connect (click, "pressed", G_CALLBACK (row_pressed_cb), self);
      gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
      long_press = gtk_gesture_long_press_new ();
      gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (long_press), TRUE);
      g_signal_connect (long_press, "pressed", G_CALLBACK (row_long_pressed_cb), self);
      gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (long_press));
    }

  row_apply (self);
  return GTK_WIDGET (self);
}

static void
tales_sidebar_row_dispose (GObject *object)
{
  TalesSidebarRow *self = TALES_SIDEBAR_ROW (object);

  g_clear_pointer (&self->menu, gtk_widget_unparent);

  G_OBJECT_CLASS (tales_sidebar_row_parent_class)->dispose (object);
}

static void
tales_sidebar_row_finalize (GObject *object)
{
  TalesSidebarRow *self = TALES_SIDEBAR_ROW (object);

  _tales_sidebar_row_spec_clear (&self->spec);
  g_free (self->key);

  G_OBJECT_CLASS (tales_sidebar_row_parent_class)->finalize (object);
}

static void
tales_sidebar_row_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  TalesSidebarRow *self = TALES_SIDEBAR_ROW (widget);

  GTK_WIDGET_CLASS (tales_sidebar_row_parent_class)->size_allocate (widget, width, height, baseline);
  if (self->menu != NULL)
    gtk_popover_present (GTK_POPOVER (self->menu));
}

static void
tales_sidebar_row_class_init (TalesSidebarRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tales_sidebar_row_dispose;
  object_class->finalize = tales_sidebar_row_finalize;
  widget_class->size_allocate = tales_sidebar_row_size_allocate;

  gtk_widget_class_add_binding (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, row_menu_key_cb, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Menu, 0, row_menu_key_cb, NULL);
}

static void
tales_sidebar_row_init (TalesSidebarRow *self)
{
}

static gboolean
same_spec (const TalesSidebarRowSpec *a,
           const TalesSidebarRowSpec *b)
{
  return a->kind == b->kind && a->feed_id == b->feed_id && a->count == b->count &&
         g_strcmp0 (a->category, b->category) == 0 && g_strcmp0 (a->title, b->title) == 0 &&
         g_strcmp0 (a->error, b->error) == 0 && g_strcmp0 (a->status, b->status) == 0 &&
         g_strcmp0 (a->url, b->url) == 0;
}

/* Shows @spec, taking its contents, unless it shows that already: a
 * refresh reloads the sidebar again and again, and setting a tooltip costs
 * GTK 4.8 a good deal. */
void
_tales_sidebar_row_update (TalesSidebarRow     *self,
                           TalesSidebarRowSpec *spec)
{
  g_return_if_fail (TALES_IS_SIDEBAR_ROW (self));

  if (same_spec (&self->spec, spec))
    return;
  _tales_sidebar_row_spec_clear (&self->spec);
  self->spec = *spec;
  memset (spec, 0, sizeof *spec);
  row_apply (self);
}

const TalesSidebarRowSpec *
_tales_sidebar_row_get_spec (TalesSidebarRow *self)
{
  g_return_val_if_fail (TALES_IS_SIDEBAR_ROW (self), NULL);
  return &self->spec;
}

const char *
_tales_sidebar_row_get_key (TalesSidebarRow *self)
{
  g_return_val_if_fail (TALES_IS_SIDEBAR_ROW (self), NULL);
  return self->key;
}

TalesSidebarSection
_tales_sidebar_row_get_section (TalesSidebarRow *self)
{
  g_return_val_if_fail (TALES_IS_SIDEBAR_ROW (self), TALES_SIDEBAR_SECTION_LIBRARY);
  return self->section;
}

const char *
_tales_sidebar_row_get_title (TalesSidebarRow *self)
{
  g_return_val_if_fail (TALES_IS_SIDEBAR_ROW (self), NULL);
  return self->spec.title;
}

guint
_tales_sidebar_row_get_count (TalesSidebarRow *self)
{
  g_return_val_if_fail (TALES_IS_SIDEBAR_ROW (self), 0);
  return self->spec.count;
}

const char *
_tales_sidebar_row_get_error (TalesSidebarRow *self)
{
  g_return_val_if_fail (TALES_IS_SIDEBAR_ROW (self), NULL);
  return self->spec.error;
}
