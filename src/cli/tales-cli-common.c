#define G_LOG_DOMAIN "tales-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "tales-cli-common.h"

int
tales_cli_fail (const GError *error)
{
  fprintf (stderr, "tales-cli: %s\n", error->message);
  return 1;
}

int
tales_cli_fail_usage (const char *usage)
{
  fprintf (stderr, _("Usage: tales-cli %s\n"), usage);
  return 2;
}
