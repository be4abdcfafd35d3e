/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-cli"

#include "config.h"

#include "tales-cli-refresh.h"
#include "tales-cli-args.h"
#include "tales-cli-common.h"
#include "tales-cli-escape.h"
#include "tales-core.h"

#include <glib/gi18n.h>
#include <stdio.h>

static void
feed_done_cb (TalesLibraryRefresher *refresher, gint64 feed_id, GError *error, TalesStore *store)
{
  g_autoptr(TalesFeed) feed = tales_store_get_feed (store, feed_id, NULL);
  g_autofree char *title = feed ? tales_cli_escape (tales_feed_get_display_title (feed), TALES_CLI_ONE_LINE)
                                : g_strdup (_("A feed"));

  if (error != NULL)
    {
      /* The message may quote the server: a reason phrase is outside text. */
      g_autofree char *message = tales_cli_escape (error->message, TALES_CLI_ONE_LINE);

      fprintf (stderr, _("%s: %s\n"), title, message);
    }
  else
    printf (_("%s: refreshed.\n"), title);
}

static void
progress_cb (TalesLibraryRefresher *refresher, guint done, guint total, guint *out_total)
{
  *out_total = total;
}

int
tales_cli_refresh (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesStore) store = NULL;
  g_autoptr(TalesFetcher) fetcher = NULL;
  g_autoptr(TalesImageCache) images = NULL;
  g_autoptr(TalesLibraryRefresher) refresher = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_auto(TalesCliArgs) args = { 0 };
  const char * const options[] = { "--force", NULL };
  TalesCliWait wait = { 0 };
  gboolean force;
  guint n_failed = 0;
  guint total = 0;

  if (!tales_cli_args_split (argc, argv, options, &args) || args.operands->len != 0)
    return tales_cli_fail_usage ("refresh [--force]");
  force = tales_cli_args_has (&args, "--force");

  store = tales_cli_open_store (&error);
  if (store == NULL)
    return tales_cli_fail (error);
  fetcher = tales_fetcher_new ();
  images = tales_image_cache_new_default (store, fetcher);
  refresher = tales_library_refresher_new (store, fetcher, images);
  g_signal_connect (refresher, "feed-done", G_CALLBACK (feed_done_cb), store);
  g_signal_connect (refresher, "progress", G_CALLBACK (progress_cb), &total);

  loop = g_main_loop_new (NULL, FALSE);
  wait.loop = loop;
  tales_library_refresher_refresh_all_async (refresher, force, NULL, tales_cli_wait_cb, &wait);
  result = tales_cli_wait (&wait);
  if (!tales_library_refresher_refresh_all_finish (refresher, result, &n_failed, &error))
    return tales_cli_fail (error);
  tales_cli_apply_image_budget (store);

  if (total == 0)
    printf (_("No feed is due for a refresh; use --force to refresh them all.\n"));
  else if (n_failed == 0)
    printf (g_dngettext (GETTEXT_PACKAGE, "Refreshed %u feed.\n", "Refreshed %u feeds.\n", total), total);
  else
    printf (g_dngettext (GETTEXT_PACKAGE, "Refreshed %u feed, %u failed.\n",
                         "Refreshed %u feeds, %u failed.\n", total - n_failed),
            total - n_failed, n_failed);
  return n_failed == 0 ? 0 : 1;
}
