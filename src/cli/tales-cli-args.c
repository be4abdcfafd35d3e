/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-cli"

#include "config.h"

#include "tales-cli-args.h"

#include <string.h>

gboolean
tales_cli_args_split (int                 argc,
                      char              **argv,
                      const char * const *known,
                      TalesCliArgs       *args)
{
  gboolean options_ended = FALSE;

  args->options = g_ptr_array_new ();
  args->operands = g_ptr_array_new ();
  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];

      if (options_ended || arg[0] != '-' || strcmp (arg, "-") == 0)
        g_ptr_array_add (args->operands, (gpointer) arg);
      else if (strcmp (arg, "--") == 0)
        options_ended = TRUE;
      else if (known != NULL && g_strv_contains (known, arg))
        g_ptr_array_add (args->options, (gpointer) arg);
      else
        {
          tales_cli_args_clear (args);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
tales_cli_args_has (const TalesCliArgs *args, const char *option)
{
  return g_ptr_array_find_with_equal_func (args->options, option, g_str_equal, NULL);
}

const char *
tales_cli_args_operand (const TalesCliArgs *args, guint index)
{
  g_return_val_if_fail (index < args->operands->len, NULL);

  return g_ptr_array_index (args->operands, index);
}

void
tales_cli_args_clear (TalesCliArgs *args)
{
  g_clear_pointer (&args->options, g_ptr_array_unref);
  g_clear_pointer (&args->operands, g_ptr_array_unref);
}
