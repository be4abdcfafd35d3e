/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What tests may see of TalesPostList's insides. Not installed. */

#pragma once

#include "tales-post-list.h"

G_BEGIN_DECLS

/* How many pages of rows the list holds now. */
G_GNUC_INTERNAL
guint tales_post_list_get_n_cached_pages (TalesPostList *self);

/* How many pages it has read from the store since it was made. */
G_GNUC_INTERNAL
guint tales_post_list_get_n_page_loads   (TalesPostList *self);

G_END_DECLS
