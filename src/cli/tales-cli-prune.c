/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "tales-cli-common.h"
#include "tales-cli-escape.h"
#include "tales-cli-prune.h"
#include "tales-core.h"

#define USAGE "prune [--days N]"

/* --days N or --days=N; FALSE when the value is not a number of days. */
static gboolean
parse_days (int argc, char **argv, guint *days, gboolean *usage_error)
{
  const char *value = NULL;
  guint64 parsed = 0;

  *usage_error = FALSE;
  if (argc == 1)
    return TRUE;
  if (argc == 2 && g_str_has_prefix (argv[1], "--days="))
    value = argv[1] + strlen ("--days=");
  else if (argc == 3 && g_str_equal (argv[1], "--days"))
    value = argv[2];
  else
    {
      *usage_error = TRUE;
      return FALSE;
    }
  if (!g_ascii_string_to_unsigned (value, 10, 0, TALES_RETENTION_MAX_DAYS, &parsed, NULL))
    {
      g_autofree char *shown = tales_cli_escape (value, TALES_CLI_ONE_LINE);

      fprintf (stderr, "tales-cli: ");
      fprintf (stderr, _("“%s” is not a number of days from 0 to %u.\n"), shown, TALES_RETENTION_MAX_DAYS);
      return FALSE;
    }
  *days = (guint) parsed;
  return TRUE;
}

static void
print_report (const TalesTidyReport *report, guint days)
{
  g_autofree char *before = g_format_size (report->budget.bytes_before);
  g_autofree char *after = g_format_size (report->budget.bytes_after);

  if (days == 0)
    printf (_("Old posts are kept (0 days asked for).\n"));
  else
    printf (_("Read posts older than %u days removed: %u, with %u pictures only they needed.\n"),
            days, report->n_pruned, report->n_files);
  printf (_("Pictures removed to keep the image cache within its budget: %u (%s before, %s now).\n"),
          report->budget.n_evicted, before, after);
}

int
tales_cli_prune (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesStore) store = NULL;
  g_autofree char *image_dir = NULL;
  TalesTidyReport report = { 0 };
  guint days = tales_cli_get_preference ("retention-days", TALES_RETENTION_DEFAULT_DAYS);
  guint64 budget = (guint64) tales_cli_get_preference ("image-cache-budget-mb",
                                                       TALES_IMAGE_BUDGET_DEFAULT_BYTES >> 20) << 20;
  gboolean usage_error;

  if (!parse_days (argc, argv, &days, &usage_error))
    return usage_error ? tales_cli_fail_usage (USAGE) : 2;
  /* A preference set past the bound (by hand) is held to it. */
  days = MIN (days, TALES_RETENTION_MAX_DAYS);

  store = tales_cli_open_store (&error);
  if (store == NULL)
    return tales_cli_fail (error);
  /* The same clean-up as the app's: starred and unread posts stay, and a
   * picture another post still needs stays on disk. */
  image_dir = tales_paths_image_dir ();
  if (!tales_library_tidy (store, image_dir, days, budget, &report, &error))
    return tales_cli_fail (error);
  print_report (&report, days);
  return 0;
}
