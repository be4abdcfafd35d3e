#define G_LOG_DOMAIN "tales-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "tales-cli-common.h"
#include "tales-cli-escape.h"

int
tales_cli_fail (const GError *error)
{
  /* Messages quote what servers and files said (a reason phrase, a title). */
  g_autofree char *message = tales_cli_escape (error->message, TALES_CLI_ONE_LINE);

  fprintf (stderr, "tales-cli: %s\n", message);
  return 1;
}

int
tales_cli_fail_usage (const char *usage)
{
  fprintf (stderr, _("Usage: tales-cli %s\n"), usage);
  return 2;
}

void
tales_cli_print_json (const char *json)
{
  g_autofree char *safe = tales_cli_escape_json (json);

  printf ("%s\n", safe);
}
