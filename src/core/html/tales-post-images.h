/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "tales-post.h"

G_BEGIN_DECLS

/**
 * tales_post_images_collect:
 * @post: a post with its body
 * @body_text: (out) (optional) (transfer full): the body as plain text,
 *   as tales_html_to_text() gives it (NULL for a post without body)
 *
 * The images @post needs, as absolute URLs without duplicates: body images
 * first, then the cover and image enclosures. Asking for @body_text too
 * costs no second parse of the body.
 *
 * Returns: (transfer full) (element-type utf8): the URLs
 */
GPtrArray *tales_post_images_collect (TalesPost  *post,
                                      char      **body_text);

G_END_DECLS
