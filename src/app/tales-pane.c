/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-pane"

#include "config.h"

#include "tales-pane.h"

/* A pane is never dragged wider than this. */
#define MAX_NATURAL_WIDTH 800

struct _TalesPane
{
  GtkWidget parent_instance;

  GtkWidget *child;
  int natural_width;
};

static void tales_pane_buildable_init (GtkBuildableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TalesPane, tales_pane, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_BUILDABLE, tales_pane_buildable_init))

enum {
  PROP_0,
  PROP_CHILD,
  PROP_NATURAL_WIDTH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];
static GtkBuildableIface *parent_buildable_iface;

static void
tales_pane_measure (GtkWidget      *widget,
                    GtkOrientation  orientation,
                    int             for_size,
                    int            *minimum,
                    int            *natural,
                    int            *minimum_baseline,
                    int            *natural_baseline)
{
  TalesPane *self = TALES_PANE (widget);

  *minimum = *natural = 0;
  if (self->child == NULL || !gtk_widget_get_visible (self->child))
    return;

  gtk_widget_measure (self->child, orientation, for_size, minimum, natural,
                      minimum_baseline, natural_baseline);
  if (orientation == GTK_ORIENTATION_HORIZONTAL && self->natural_width > 0)
    *natural = MAX (*minimum, self->natural_width);
}

static void
tales_pane_size_allocate (GtkWidget *widget,
                          int        width,
                          int        height,
                          int        baseline)
{
  TalesPane *self = TALES_PANE (widget);

  if (self->child != NULL && gtk_widget_get_visible (self->child))
    gtk_widget_allocate (self->child, width, height, baseline, NULL);
}

static GtkSizeRequestMode
tales_pane_get_request_mode (GtkWidget *widget)
{
  TalesPane *self = TALES_PANE (widget);

  return self->child != NULL ? gtk_widget_get_request_mode (self->child) : GTK_SIZE_REQUEST_CONSTANT_SIZE;
}

static void
tales_pane_add_child (GtkBuildable *buildable,
                      GtkBuilder   *builder,
                      GObject      *child,
                      const char   *type)
{
  if (GTK_IS_WIDGET (child))
    tales_pane_set_child (TALES_PANE (buildable), GTK_WIDGET (child));
  else
    parent_buildable_iface->add_child (buildable, builder, child, type);
}

static void
tales_pane_buildable_init (GtkBuildableIface *iface)
{
  parent_buildable_iface = g_type_interface_peek_parent (iface);
  iface->add_child = tales_pane_add_child;
}

static void
tales_pane_dispose (GObject *object)
{
  TalesPane *self = TALES_PANE (object);

  g_clear_pointer (&self->child, gtk_widget_unparent);

  G_OBJECT_CLASS (tales_pane_parent_class)->dispose (object);
}

static void
tales_pane_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  TalesPane *self = TALES_PANE (object);

  switch (prop_id)
    {
    case PROP_CHILD:
      g_value_set_object (value, self->child);
      break;
    case PROP_NATURAL_WIDTH:
      g_value_set_int (value, self->natural_width);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tales_pane_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  TalesPane *self = TALES_PANE (object);

  switch (prop_id)
    {
    case PROP_CHILD:
      tales_pane_set_child (self, g_value_get_object (value));
      break;
    case PROP_NATURAL_WIDTH:
      tales_pane_set_natural_width (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tales_pane_class_init (TalesPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tales_pane_dispose;
  object_class->get_property = tales_pane_get_property;
  object_class->set_property = tales_pane_set_property;
  widget_class->measure = tales_pane_measure;
  widget_class->size_allocate = tales_pane_size_allocate;
  widget_class->get_request_mode = tales_pane_get_request_mode;

  properties[PROP_CHILD] =
    g_param_spec_object ("child", NULL, NULL, GTK_TYPE_WIDGET,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NATURAL_WIDTH] =
    g_param_spec_int ("natural-width", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "pane");
}

static void
tales_pane_init (TalesPane *self)
{
  self->natural_width = -1;
}

GtkWidget *
tales_pane_new (void)
{
  return g_object_new (TALES_TYPE_PANE, NULL);
}

void
tales_pane_set_child (TalesPane *self,
                      GtkWidget *child)
{
  g_return_if_fail (TALES_IS_PANE (self));
  g_return_if_fail (child == NULL || GTK_IS_WIDGET (child));

  if (self->child == child)
    return;
  g_clear_pointer (&self->child, gtk_widget_unparent);
  if (child != NULL)
    {
      self->child = child;
      gtk_widget_set_parent (child, GTK_WIDGET (self));
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHILD]);
}

int
tales_pane_get_natural_width (TalesPane *self)
{
  g_return_val_if_fail (TALES_IS_PANE (self), -1);

  return self->natural_width;
}

void
tales_pane_set_natural_width (TalesPane *self,
                              int        width)
{
  g_return_if_fail (TALES_IS_PANE (self));

  width = MIN (width, MAX_NATURAL_WIDTH);
  if (self->natural_width == width)
    return;
  self->natural_width = width;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NATURAL_WIDTH]);
}
