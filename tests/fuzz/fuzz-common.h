/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

/* A critical or a warning is a bug the fuzzer should report, not skip past.
 * GLib's own fatal path raises SIGTRAP, which libFuzzer does not catch (no
 * crash input would be kept), so abort() here instead. */
static void
tales_fuzz_log_cb (const char     *domain,
                   GLogLevelFlags  level,
                   const char     *message,
                   gpointer        user_data)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      fprintf (stderr, "%s: %s\n", domain ? domain : "(none)", message);
      abort ();
    }
}

static inline void
tales_fuzz_make_warnings_fatal (void)
{
  g_log_set_default_handler (tales_fuzz_log_cb, NULL);
}
