/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What tests may see of the sidebar. Not part of the app's API: every
 * function here starts with _tales_. */

#include "tales-sidebar.h"
#include "tales-sidebar-row-private.h"

G_BEGIN_DECLS

/* (transfer none) (nullable): the row for @kind, @feed_id, @category. */
TalesSidebarRow *_tales_sidebar_find_row         (TalesSidebar    *self,
                                                  TalesFilterKind  kind,
                                                  gint64           feed_id,
                                                  const char      *category);
/* How many category rows there are. */
guint            _tales_sidebar_count_categories (TalesSidebar    *self);

G_END_DECLS
