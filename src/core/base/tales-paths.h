/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* $XDG_DATA_HOME/tales, created if missing. Returns (transfer full). */
char *tales_paths_data_dir  (void);
/* $XDG_CACHE_HOME/tales/images, created if missing. Returns (transfer full). */
char *tales_paths_image_dir (void);

G_END_DECLS
