/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-preferences"

#include "config.h"

#include <glib/gi18n.h>

#include "tales-application.h"
#include "tales-preferences-window.h"

struct _TalesPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  GtkAdjustment *refresh_adjustment;
  AdwComboRow *prefetch_row;
  GtkSwitch *notify_switch;
  GtkAdjustment *retention_adjustment;
  GtkAdjustment *max_posts_adjustment;
  GtkAdjustment *image_budget_adjustment;
  GtkAdjustment *font_adjustment;
  AdwComboRow *appearance_row;

  GSettings *settings;
};

G_DEFINE_FINAL_TYPE (TalesPreferencesWindow, tales_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* The combo rows list a schema key's choices in this order. */
static const char *prefetch_choices[] = { "always", "not-metered", "never", NULL };
static const char *scheme_choices[] = { "default", "light", "dark", NULL };

static gboolean
choice_to_position (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  const char **choices = user_data;
  const char *choice = g_variant_get_string (variant, NULL);

  for (guint i = 0; choices[i] != NULL; i++)
    if (g_str_equal (choices[i], choice))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
position_to_choice (const GValue       *value,
                    const GVariantType *expected_type,
                    gpointer            user_data)
{
  const char **choices = user_data;
  guint position = g_value_get_uint (value);

  if (position >= g_strv_length ((char **) choices))
    return NULL;
  return g_variant_new_string (choices[position]);
}

static void
bind_choice (TalesPreferencesWindow *self,
             const char             *key,
             AdwComboRow            *row,
             const char            **choices)
{
  g_settings_bind_with_mapping (self->settings, key, row, "selected", G_SETTINGS_BIND_DEFAULT,
                                choice_to_position, position_to_choice, choices, NULL);
}

static void
tales_preferences_window_dispose (GObject *object)
{
  TalesPreferencesWindow *self = TALES_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), TALES_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (tales_preferences_window_parent_class)->dispose (object);
}

static void
tales_preferences_window_class_init (TalesPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tales_preferences_window_dispose;

  tales_application_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/tales-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TalesPreferencesWindow, refresh_adjustment);
  gtk_widget_class_bind_template_child (widget_class, TalesPreferencesWindow, prefetch_row);
  gtk_widget_class_bind_template_child (widget_class, TalesPreferencesWindow, notify_switch);
  gtk_widget_class_bind_template_child (widget_class, TalesPreferencesWindow, retention_adjustment);
  gtk_widget_class_bind_template_child (widget_class, TalesPreferencesWindow, max_posts_adjustment);
  gtk_widget_class_bind_template_child (widget_class, TalesPreferencesWindow, image_budget_adjustment);
  gtk_widget_class_bind_template_child (widget_class, TalesPreferencesWindow, font_adjustment);
  gtk_widget_class_bind_template_child (widget_class, TalesPreferencesWindow, appearance_row);
}

static void
tales_preferences_window_init (TalesPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "refresh-interval", self->refresh_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "retention-days", self->retention_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "max-posts-per-feed", self->max_posts_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "image-cache-budget-mb", self->image_budget_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "article-font-scale", self->font_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "notify-new-posts", self->notify_switch, "active", G_SETTINGS_BIND_DEFAULT);
  bind_choice (self, "image-prefetch", self->prefetch_row, prefetch_choices);
  bind_choice (self, "color-scheme", self->appearance_row, scheme_choices);
}

GtkWidget *
tales_preferences_window_new (GtkWindow *parent)
{
  return g_object_new (TALES_TYPE_PREFERENCES_WINDOW, "transient-for", parent, NULL);
}
