/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TALES_TYPE_PREFERENCES_WINDOW (tales_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (TalesPreferencesWindow, tales_preferences_window, TALES, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

/* Every preference of the GSettings schema, bound both ways. */
GtkWidget *tales_preferences_window_new (GtkWindow *parent);

G_END_DECLS
