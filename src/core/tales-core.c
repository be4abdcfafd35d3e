/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-core"

#include "tales-core.h"
#include "tales-core-resources.h"

void
tales_core_init (void)
{
  static gsize initialized = 0;

  /* Registered by hand: the constructor compile_resources generates would
   * be dropped by the linker from a static library nobody references. */
  if (g_once_init_enter (&initialized))
    {
      g_resources_register (tales_core_get_resource ());
      g_once_init_leave (&initialized, 1);
    }
}
