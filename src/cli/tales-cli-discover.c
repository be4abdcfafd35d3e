/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-cli"

#include "config.h"

#include "tales-cli-discover.h"
#include "tales-cli-args.h"
#include "tales-cli-common.h"
#include "tales-cli-escape.h"
#include "tales-core.h"

#include <glib/gi18n.h>
#include <stdio.h>

int
tales_cli_discover (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesFetcher) fetcher = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_auto(TalesCliArgs) args = { 0 };
  TalesCliWait wait = { 0 };

  if (!tales_cli_args_split (argc, argv, NULL, &args) || args.operands->len != 1)
    return tales_cli_fail_usage ("discover URL");

  fetcher = tales_fetcher_new ();
  loop = g_main_loop_new (NULL, FALSE);
  wait.loop = loop;
  tales_discover_async (fetcher, tales_cli_args_operand (&args, 0), NULL, tales_cli_wait_cb, &wait);
  result = tales_cli_wait (&wait);

  found = tales_discover_finish (result, &error);
  if (found == NULL)
    return tales_cli_fail (error);
  for (guint i = 0; i < found->len; i++)
    {
      TalesDiscoveredFeed *feed = g_ptr_array_index (found, i);
      g_autofree char *url = tales_cli_escape (feed->url, TALES_CLI_ONE_LINE);
      g_autofree char *title = feed->title ? tales_cli_escape (feed->title, TALES_CLI_ONE_LINE)
                                           : g_strdup (_("(untitled)"));

      printf ("%s  %s  [%s]\n", url, title, feed->type);
    }
  return 0;
}
