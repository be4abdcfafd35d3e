/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-cli"

#include "config.h"

#include "tales-cli-opml.h"
#include "tales-cli-args.h"
#include "tales-cli-common.h"
#include "tales-core.h"

#include <glib/gi18n.h>
#include <stdio.h>

int
tales_cli_import_opml (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesStore) store = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;
  guint n_added = 0;
  guint n_refused = 0;
  g_auto(TalesCliArgs) args = { 0 };

  if (!tales_cli_args_split (argc, argv, NULL, &args) || args.operands->len != 1)
    return tales_cli_fail_usage ("import-opml FILE");

  if (!g_file_get_contents (tales_cli_args_operand (&args, 0), &data, &length, &error))
    return tales_cli_fail (error);
  store = tales_cli_open_store (&error);
  if (store == NULL)
    return tales_cli_fail (error);
  if (!tales_opml_import_full (store, data, length, &n_added, &n_refused, &error))
    return tales_cli_fail (error);

  printf (g_dngettext (GETTEXT_PACKAGE, "Added %u feed.\n", "Added %u feeds.\n", n_added), n_added);
  if (n_refused > 0)
    printf (g_dngettext (GETTEXT_PACKAGE, "Skipped %u feed whose address is not http or https.\n",
                         "Skipped %u feeds whose address is not http or https.\n", n_refused),
            n_refused);
  return 0;
}

int
tales_cli_export_opml (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesStore) store = NULL;
  g_autofree char *opml = NULL;
  g_auto(TalesCliArgs) args = { 0 };

  if (!tales_cli_args_split (argc, argv, NULL, &args) || args.operands->len != 0)
    return tales_cli_fail_usage ("export-opml");

  store = tales_cli_open_store (&error);
  if (store == NULL)
    return tales_cli_fail (error);
  opml = tales_opml_export (store, &error);
  if (opml == NULL)
    return tales_cli_fail (error);
  fputs (opml, stdout);
  return 0;
}
