/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define TALES_TYPE_PANE (tales_pane_get_type ())
G_DECLARE_FINAL_TYPE (TalesPane, tales_pane, TALES, PANE, GtkWidget)

/* One pane of the window's leaflets: it asks for @natural-width (what the
 * person dragged it to) while its minimum stays the child's own, so the
 * leaflet still folds at the child's minimum and never later. */
GtkWidget *tales_pane_new               (void);
void       tales_pane_set_child         (TalesPane *self,
                                         GtkWidget *child);
/* 0 or less: the child's own natural width. */
int        tales_pane_get_natural_width (TalesPane *self);
void       tales_pane_set_natural_width (TalesPane *self,
                                         int        width);

G_END_DECLS
