/* What tales-store-posts.c needs of a TalesStorePreparer besides its
 * public calls (tales-store-merge.h). Not installed. */

#pragma once

#include "tales-store-merge.h"

G_BEGIN_DECLS

/* No more posts will be added: returns (transfer none) every post, in the
 * order added. */
GPtrArray *tales_store_preparer_finish (TalesStorePreparer *self);
/* Waits until the post at @index is prepared (tales_store_prepare_post()). */
void       tales_store_preparer_wait   (TalesStorePreparer *self,
                                        guint               index);
/* What tales_store_preparer_get_n_left_out() returns. */
void       tales_store_preparer_set_n_left_out (TalesStorePreparer *self,
                                                guint               n_left_out);

G_END_DECLS
