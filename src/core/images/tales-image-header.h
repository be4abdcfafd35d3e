/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The largest image Tales keeps, in pixels: a 20,000 x 20,000 PNG of
 * 48 KB took the web process to 3.37 GB. 50 megapixels is a 200 MB
 * bitmap at 4 bytes a pixel, more than any photograph a feed needs. */
#define TALES_IMAGE_MAX_PIXELS 50000000u

/* The longest edge kept: a 1 x 50,000,000 strip is under the pixel budget
 * yet no view can lay it out (cairo and WebKit stop at 32,767). */
#define TALES_IMAGE_MAX_EDGE 16384u

/* Reads the width and height of the image @data holds from its header
 * alone, without decoding it, for the formats the article view shows:
 * image/png, image/jpeg, image/gif, image/webp, image/bmp, image/x-icon
 * and image/avif. Every read is bounds-checked.
 *
 * For GIF and ICO, the largest of the frames or entries counts (a viewer
 * may show any of them). Returns %FALSE when the header is truncated,
 * malformed, or of another format: what cannot be measured is not kept. */
/* Whether @mime_type is one of the formats measured here. */
gboolean tales_image_header_knows    (const char   *mime_type);

gboolean tales_image_header_get_size (const guint8 *data,
                                      gsize         size,
                                      const char   *mime_type,
                                      guint        *width,
                                      guint        *height);

G_END_DECLS
