/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Registers the core's resources (article stylesheet, built-in feed).
 * Call once before anything else; calling again does nothing. */
void tales_core_init (void);

G_END_DECLS
