/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-paths"

#include "tales-paths.h"

#include <glib/gstdio.h>

static char *
ensure_dir (char *path)
{
  /* A failure here shows up, with a clear message, when the store or the
   * cache first writes into the directory. */
  g_mkdir_with_parents (path, 0700);
  return path;
}

char *
tales_paths_data_dir (void)
{
  return ensure_dir (g_build_filename (g_get_user_data_dir (), "tales", NULL));
}

char *
tales_paths_image_dir (void)
{
  return ensure_dir (g_build_filename (g_get_user_cache_dir (), "tales", "images", NULL));
}
