/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* SVG is never cached as SVG: a 2.6 KB file of 10 levels of 10 nested
 * <use> drove the web process to 22.4 GB. It is rasterised here, once,
 * within these bounds, and the PNG is what the view gets. */

/* The largest SVG source accepted, in bytes. */
#define TALES_SVG_MAX_BYTES (1024 * 1024)

/* The longest edge of the PNG an SVG becomes, in pixels (16 MiB of
 * bitmap while rendering). */
#define TALES_SVG_MAX_EDGE 2048

/* How many elements the SVG may draw once every <use> is followed: the
 * nested-<use> bomb asks for 10^10, and librsvg's own limit (500,000
 * references) still costs seconds to reach. Counted before rendering. */
#define TALES_SVG_MAX_INSTANCES 100000

/* How deep <use> may refer to <use>, which also bounds the counting. */
#define TALES_SVG_MAX_USE_DEPTH 32

/* An SVG whose rendering took longer than this is not kept, should
 * something the count does not see make it slow. */
#define TALES_SVG_MAX_RENDER_SECONDS 2

/* Returns (transfer full) (nullable): the PNG that @svg renders to, or
 * %NULL with @error set (G_IO_ERROR_INVALID_DATA for what is not an SVG,
 * G_IO_ERROR_MESSAGE_TOO_LARGE for what is over a bound). */
GBytes *tales_image_svg_rasterize (GBytes   *svg,
                                   GError  **error);

G_END_DECLS
