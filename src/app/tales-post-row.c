#define G_LOG_DOMAIN "tales-post-row"

#include "config.h"

#include <glib/gi18n.h>

#include "tales-application.h"
#include "tales-post-row.h"

/* More labels than this and the row gets busy: the rest become "+N". */
#define MAX_CATEGORIES 4

struct _TalesPostRow
{
  GtkWidget parent_instance;

  GtkWidget *box;
  GtkWidget *unread_dot;
  GtkLabel *title_label;
  GtkLabel *meta_label;
  GtkWidget *offline_icon;
  GtkWidget *categories_box;
  GtkWidget *star_button;

  TalesPost *post;
  gulong notify_id;
};

G_DEFINE_FINAL_TYPE (TalesPostRow, tales_post_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_POST,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

char *
tales_post_row_format_meta (TalesPost *post)
{
  const char *feed_title = tales_post_get_feed_title (post);
  GDateTime *date = tales_post_get_published (post);
  g_autofree char *date_text = NULL;

  if (date == NULL)
    date = tales_post_get_updated (post);
  if (date != NULL)
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (date);
      /* TRANSLATORS: a post's date in the list, e.g. "18 Sep 2024"; see g_date_time_format() */
      date_text = g_date_time_format (local, _("%-d %b %Y"));
    }

  if (feed_title != NULL && *feed_title != '\0' && date_text != NULL)
    /* TRANSLATORS: the feed's title, then the post's date */
    return g_strdup_printf (_("%s · %s"), feed_title, date_text);
  if (date_text != NULL)
    return g_steal_pointer (&date_text);
  return g_strdup (feed_title != NULL ? feed_title : "");
}

static GtkWidget *
category_label_new (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 16);
  gtk_widget_add_css_class (label, "category");
  return label;
}

/* A chip that shows every post of its category when clicked. */
static GtkWidget *
category_button_new (const char *text)
{
  GtkWidget *button = gtk_button_new ();
  g_autofree char *tooltip = g_strdup_printf (_("Show posts in “%s”"), text);

  gtk_button_set_child (GTK_BUTTON (button), category_label_new (text));
  gtk_widget_add_css_class (button, "category-chip");
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.show-category");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), g_variant_new_string (text));
  return button;
}

static void
update_categories (TalesPostRow *self)
{
  const char * const *categories = NULL;
  GtkWidget *child;
  guint n, i;

  while ((child = gtk_widget_get_first_child (self->categories_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->categories_box), child);

  if (self->post != NULL)
    categories = tales_post_get_categories (self->post);
  n = categories != NULL ? g_strv_length ((char **) categories) : 0;

  for (i = 0; i < n && i < MAX_CATEGORIES; i++)
    gtk_box_append (GTK_BOX (self->categories_box), category_button_new (categories[i]));

  if (n > MAX_CATEGORIES)
    {
      g_autofree char *more = g_strdup_printf ("+%u", n - MAX_CATEGORIES);
      GtkWidget *label = category_label_new (more);

      gtk_widget_add_css_class (label, "more");
      gtk_box_append (GTK_BOX (self->categories_box), label);
    }

  gtk_widget_set_visible (self->categories_box, n > 0);
}

/* The reader's state: unread dot and bold title, star, offline icon. */
static void
update_state (TalesPostRow *self)
{
  gboolean is_read = self->post == NULL || tales_post_get_is_read (self->post);
  gboolean is_starred = self->post != NULL && tales_post_get_is_starred (self->post);
  int missing = self->post != NULL ? tales_post_get_images_missing (self->post) : 0;

  gtk_widget_set_child_visible (self->unread_dot, !is_read);
  if (is_read)
    gtk_widget_remove_css_class (GTK_WIDGET (self), "unread");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self), "unread");

  gtk_button_set_icon_name (GTK_BUTTON (self->star_button),
                            is_starred ? "starred-symbolic" : "non-starred-symbolic");
  gtk_widget_set_tooltip_text (self->star_button, is_starred ? _("Unstar (S)") : _("Star (S)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->star_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  is_starred ? _("Unstar") : _("Star"), -1);
  if (is_starred)
    gtk_widget_add_css_class (self->star_button, "starred");
  else
    gtk_widget_remove_css_class (self->star_button, "starred");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->star_button),
                                          g_variant_new_int64 (self->post != NULL ? tales_post_get_db_id (self->post) : 0));

  gtk_widget_set_visible (self->offline_icon, missing > 0);
}

static void
post_notify_cb (TalesPost    *post,
                GParamSpec   *pspec,
                TalesPostRow *self)
{
  const char *name = g_param_spec_get_name (pspec);

  if (g_str_equal (name, "is-read") || g_str_equal (name, "is-starred") ||
      g_str_equal (name, "images-missing"))
    update_state (self);
}

static void
update (TalesPostRow *self)
{
  g_autofree char *meta = NULL;
  const char *title = NULL;

  if (self->post != NULL)
    {
      title = tales_post_get_title (self->post);
      meta = tales_post_row_format_meta (self->post);
    }
  if (title == NULL || *title == '\0')
    title = _("Untitled post");

  gtk_label_set_text (self->title_label, title);
  gtk_label_set_text (self->meta_label, meta != NULL ? meta : "");
  gtk_widget_set_visible (GTK_WIDGET (self->meta_label), meta != NULL && *meta != '\0');
  update_categories (self);
  update_state (self);
}

static void
tales_post_row_dispose (GObject *object)
{
  TalesPostRow *self = TALES_POST_ROW (object);

  if (self->post != NULL)
    g_clear_signal_handler (&self->notify_id, self->post);
  gtk_widget_dispose_template (GTK_WIDGET (self), TALES_TYPE_POST_ROW);
  g_clear_object (&self->post);

  G_OBJECT_CLASS (tales_post_row_parent_class)->dispose (object);
}

static void
tales_post_row_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  TalesPostRow *self = TALES_POST_ROW (object);

  switch (prop_id)
    {
    case PROP_POST:
      g_value_set_object (value, self->post);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tales_post_row_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  TalesPostRow *self = TALES_POST_ROW (object);

  switch (prop_id)
    {
    case PROP_POST:
      tales_post_row_set_post (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tales_post_row_class_init (TalesPostRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tales_post_row_dispose;
  object_class->get_property = tales_post_row_get_property;
  object_class->set_property = tales_post_row_set_property;

  properties[PROP_POST] =
    g_param_spec_object ("post", NULL, NULL,
                         TALES_TYPE_POST,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  tales_application_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/tales-post-row.ui");
  gtk_widget_class_bind_template_child (widget_class, TalesPostRow, box);
  gtk_widget_class_bind_template_child (widget_class, TalesPostRow, unread_dot);
  gtk_widget_class_bind_template_child (widget_class, TalesPostRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, TalesPostRow, meta_label);
  gtk_widget_class_bind_template_child (widget_class, TalesPostRow, offline_icon);
  gtk_widget_class_bind_template_child (widget_class, TalesPostRow, categories_box);
  gtk_widget_class_bind_template_child (widget_class, TalesPostRow, star_button);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "postrow");
}

static void
tales_post_row_init (TalesPostRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* The target first: the action takes the post's id. */
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->star_button), g_variant_new_int64 (0));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->star_button), "win.toggle-star-post");
}

GtkWidget *
tales_post_row_new (void)
{
  return g_object_new (TALES_TYPE_POST_ROW, NULL);
}

TalesPost *
tales_post_row_get_post (TalesPostRow *self)
{
  g_return_val_if_fail (TALES_IS_POST_ROW (self), NULL);

  return self->post;
}

void
tales_post_row_set_post (TalesPostRow *self,
                         TalesPost    *post)
{
  g_return_if_fail (TALES_IS_POST_ROW (self));
  g_return_if_fail (post == NULL || TALES_IS_POST (post));

  if (self->post == post)
    return;

  if (self->post != NULL)
    g_clear_signal_handler (&self->notify_id, self->post);
  g_set_object (&self->post, post);
  if (post != NULL)
    self->notify_id = g_signal_connect (post, "notify", G_CALLBACK (post_notify_cb), self);

  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POST]);
}
