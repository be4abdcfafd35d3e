/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-post-row"

#include "config.h"

#include <glib/gi18n.h>

#include "tales-application.h"
#include "tales-post-row.h"
#include "tales-text-limits.h"

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
  GtkWidget *category_buttons[MAX_CATEGORIES];
  GtkLabel *category_labels[MAX_CATEGORIES];
  GtkWidget *more_label;

  TalesPost *post;
  /* What the star button shows. */
  gboolean shown_starred;
  gulong notify_id;
};

G_DEFINE_FINAL_TYPE (TalesPostRow, tales_post_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_POST,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* "Feed · 18 Sep 2024", or whichever half is known. (transfer full) */
static char *
format_meta (TalesPost *post)
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
category_label_new (void)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 16);
  gtk_widget_add_css_class (label, "category");
  return label;
}

/* A click runs the action itself: a GtkActionable per chip (and per star)
 * cost more than the rest of the row, as GTK 4.8 tracks each one. */
static void
category_clicked_cb (GtkButton *button)
{
  GtkLabel *label = GTK_LABEL (gtk_button_get_child (button));

  gtk_widget_activate_action (GTK_WIDGET (button), "win.show-category", "s", gtk_label_get_text (label));
}

static void
star_clicked_cb (TalesPostRow *self)
{
  if (self->post != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.toggle-star-post", "x", tales_post_get_db_id (self->post));
}

/* Chips are made as a post first needs them and then only relabelled. The chip's text is its name: no tooltip. */
static GtkWidget *
category_button_new (TalesPostRow *self,
                     guint         i)
{
  GtkWidget *button = gtk_button_new ();

  self->category_labels[i] = GTK_LABEL (category_label_new ());
  gtk_button_set_child (GTK_BUTTON (button), GTK_WIDGET (self->category_labels[i]));
  gtk_widget_add_css_class (button, "category-chip");
  gtk_widget_add_css_class (button, "flat");
  g_signal_connect (button, "clicked", G_CALLBACK (category_clicked_cb), NULL);
  gtk_widget_insert_before (button, self->categories_box, self->more_label);
  return button;
}

static void
update_categories (TalesPostRow *self)
{
  const char * const *categories = NULL;
  guint n = 0, i;

  if (self->post != NULL)
    categories = tales_post_get_categories (self->post);
  if (categories != NULL)
    n = g_strv_length ((char **) categories);

  for (i = 0; i < MAX_CATEGORIES; i++)
    {
      GtkWidget *button = self->category_buttons[i];

      if (i >= n)
        {
          if (button != NULL)
            gtk_widget_set_visible (button, FALSE);
          continue;
        }
      if (button == NULL)
        button = self->category_buttons[i] = category_button_new (self, i);
      gtk_label_set_text (self->category_labels[i], categories[i]);
      gtk_widget_set_visible (button, TRUE);
    }

  if (n > MAX_CATEGORIES)
    {
      char more[16];

      g_snprintf (more, sizeof more, "+%u", n - MAX_CATEGORIES);
      gtk_label_set_text (GTK_LABEL (self->more_label), more);
    }
  gtk_widget_set_visible (self->more_label, n > MAX_CATEGORIES);
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

  /* Most posts are not starred: the row starts so, and a tooltip is
   * costly to set again. */
  if (self->shown_starred != is_starred)
    {
      self->shown_starred = is_starred;
      gtk_button_set_icon_name (GTK_BUTTON (self->star_button),
                                is_starred ? "starred-symbolic" : "non-starred-symbolic");
      gtk_widget_set_tooltip_text (self->star_button, is_starred ? _("Unstar (S)") : _("Star (S)"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->star_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      is_starred ? _("Unstar") : _("Star"), -1);
      if (is_starred)
        gtk_widget_add_css_class (self->star_button, "starred");
      else
        gtk_widget_remove_css_class (self->star_button, "starred");
    }

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
  g_autofree char *title = NULL;

  if (self->post != NULL)
    {
      /* Pango shapes a label's whole text even to show two lines of it:
       * a title of megabytes would stall the list. The parser and the
       * store cut titles already; this row holds to the same limit for
       * a post that came any other way. */
      title = tales_text_cut (tales_post_get_title (self->post), TALES_MAX_TITLE_BYTES, TRUE);
      meta = format_meta (self->post);
    }
  if (title == NULL || *title == '\0')
    {
      g_free (title);
      title = g_strdup (_("Untitled post"));
    }

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
  g_clear_pointer (&self->box, gtk_widget_unparent);
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

static gboolean
tales_post_row_query_tooltip (GtkWidget  *widget,
                              int         x,
                              int         y,
                              gboolean    keyboard_mode,
                              GtkTooltip *tooltip)
{
  TalesPostRow *self = TALES_POST_ROW (widget);
  GtkWidget *picked = keyboard_mode ? NULL : gtk_widget_pick (widget, x, y, GTK_PICK_DEFAULT);

  if (picked != NULL && picked == self->unread_dot)
    gtk_tooltip_set_text (tooltip, _("Unread"));
  else if (picked != NULL && picked == self->offline_icon)
    gtk_tooltip_set_text (tooltip, _("Some pictures are not available offline"));
  else
    return FALSE;
  return TRUE;
}

static void
tales_post_row_class_init (TalesPostRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tales_post_row_dispose;
  object_class->get_property = tales_post_row_get_property;
  object_class->set_property = tales_post_row_set_property;
  widget_class->query_tooltip = tales_post_row_query_tooltip;

  properties[PROP_POST] =
    g_param_spec_object ("post", NULL, NULL,
                         TALES_TYPE_POST,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "postrow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LIST_ITEM);
}

static GtkWidget *
sized_icon_new (const char *icon_name,
               int         size)
{
  GtkWidget *image = gtk_image_new_from_icon_name (icon_name);

  gtk_image_set_pixel_size (GTK_IMAGE (image), size);
  return image;
}

/* Built in code, not from a template: GtkBuilder was most of a row's cost. */
static void
build_text_column (TalesPostRow *self,
                   GtkWidget    *column)
{
  GtkWidget *meta_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  self->title_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->title_label, 0);
  gtk_label_set_wrap (self->title_label, TRUE);
  gtk_label_set_wrap_mode (self->title_label, PANGO_WRAP_WORD_CHAR);
  /* Its natural width is the text on one line (up to max-width-chars):
   * the default searches for the narrowest width that wraps the same,
   * laying the text out again and again, for every row. */
  gtk_label_set_natural_wrap_mode (self->title_label, GTK_NATURAL_WRAP_NONE);
  gtk_label_set_lines (self->title_label, 2);
  gtk_label_set_ellipsize (self->title_label, PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (self->title_label, 40);
  gtk_widget_add_css_class (GTK_WIDGET (self->title_label), "post-title");
  gtk_box_append (GTK_BOX (column), GTK_WIDGET (self->title_label));

  self->meta_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->meta_label, 0);
  gtk_label_set_ellipsize (self->meta_label, PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (GTK_WIDGET (self->meta_label), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (self->meta_label), "dim-label");
  gtk_box_append (GTK_BOX (meta_box), GTK_WIDGET (self->meta_label));

  /* Its tooltip comes from query_tooltip, when asked. */
  self->offline_icon = sized_icon_new ("image-missing-symbolic", 12);
  gtk_widget_add_css_class (self->offline_icon, "dim-label");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->offline_icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Some pictures are not available offline"), -1);
  gtk_widget_set_visible (self->offline_icon, FALSE);
  gtk_box_append (GTK_BOX (meta_box), self->offline_icon);
  gtk_box_append (GTK_BOX (column), meta_box);

  self->categories_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  gtk_widget_set_halign (self->categories_box, GTK_ALIGN_START);
  gtk_widget_set_overflow (self->categories_box, GTK_OVERFLOW_HIDDEN);
  gtk_widget_add_css_class (self->categories_box, "categories");
  gtk_widget_set_visible (self->categories_box, FALSE);
  self->more_label = category_label_new ();
  gtk_widget_add_css_class (self->more_label, "more");
  gtk_widget_set_visible (self->more_label, FALSE);
  gtk_box_append (GTK_BOX (self->categories_box), self->more_label);
  gtk_box_append (GTK_BOX (column), self->categories_box);
}

static void
tales_post_row_init (TalesPostRow *self)
{
  GtkWidget *column = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);

  self->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  /* Every row of the list is as tall as the tallest may be. */
  gtk_widget_set_valign (self->box, GTK_ALIGN_CENTER);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  self->unread_dot = sized_icon_new ("media-record-symbolic", 8);
  gtk_widget_set_valign (self->unread_dot, GTK_ALIGN_START);
  gtk_widget_set_margin_top (self->unread_dot, 6);
  gtk_widget_add_css_class (self->unread_dot, "unread-dot");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->unread_dot), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Unread"), -1);
  gtk_widget_set_child_visible (self->unread_dot, FALSE);
  gtk_box_append (GTK_BOX (self->box), self->unread_dot);

  gtk_widget_set_hexpand (column, TRUE);
  build_text_column (self, column);
  gtk_box_append (GTK_BOX (self->box), column);

  self->star_button = gtk_button_new_from_icon_name ("non-starred-symbolic");
  gtk_widget_set_valign (self->star_button, GTK_ALIGN_START);
  gtk_widget_set_tooltip_text (self->star_button, _("Star (S)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->star_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Star"), -1);
  gtk_widget_add_css_class (self->star_button, "flat");
  gtk_widget_add_css_class (self->star_button, "circular");
  gtk_widget_add_css_class (self->star_button, "star");
  g_signal_connect_swapped (self->star_button, "clicked", G_CALLBACK (star_clicked_cb), self);
  gtk_box_append (GTK_BOX (self->box), self->star_button);

  /* The dot's and the offline icon's tooltips, made only when shown. */
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
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
