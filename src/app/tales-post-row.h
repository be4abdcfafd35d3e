/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "tales-core.h"

G_BEGIN_DECLS

#define TALES_TYPE_POST_ROW (tales_post_row_get_type ())
G_DECLARE_FINAL_TYPE (TalesPostRow, tales_post_row, TALES, POST_ROW, GtkWidget)

/* One post in the list: title, feed and date, and its categories as small
 * labels. */
GtkWidget *tales_post_row_new      (void);
/* (nullable) (transfer none) */
TalesPost *tales_post_row_get_post (TalesPostRow *self);
void       tales_post_row_set_post (TalesPostRow *self,
                                    TalesPost    *post);

G_END_DECLS
