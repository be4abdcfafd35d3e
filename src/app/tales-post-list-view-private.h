/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What tests and tests/probe may see of TalesPostListView's insides. */

#include "tales-post-list-view.h"

G_BEGIN_DECLS

/* How many row widgets the view has made, on screen or not: a handful
 * more than fit, however long the list. */
guint _tales_post_list_view_get_n_row_widgets (TalesPostListView *self);

G_END_DECLS
