/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* One row of the sidebar (All, Unread, Starred, a feed or a category).
 * Only the sidebar makes them; what a row shows is in
 * tales-sidebar-row-private.h. */
#define TALES_TYPE_SIDEBAR_ROW (tales_sidebar_row_get_type ())
G_DECLARE_FINAL_TYPE (TalesSidebarRow, tales_sidebar_row, TALES, SIDEBAR_ROW, GtkListBoxRow)

G_END_DECLS
