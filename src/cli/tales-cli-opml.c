#define G_LOG_DOMAIN "tales-cli"

#include "config.h"

#include "tales-cli-opml.h"
#include "tales-cli-common.h"
#include "tales-cli-escape.h"
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

  if (argc != 2)
    return tales_cli_fail_usage ("import-opml FILE");

  if (!g_file_get_contents (argv[1], &data, &length, &error))
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

  if (argc != 1)
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

/* Waiting for one async call */

typedef struct {
  GMainLoop *loop;
  GAsyncResult *result;
} Waiting;

static void
done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Waiting *waiting = user_data;

  waiting->result = g_object_ref (result);
  g_main_loop_quit (waiting->loop);
}

/* Returns (transfer full): the result, once the loop has run to it. */
static GAsyncResult *
wait_for (Waiting *waiting)
{
  g_main_loop_run (waiting->loop);
  return waiting->result;
}

int
tales_cli_discover (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesFetcher) fetcher = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) found = NULL;
  Waiting waiting = { 0 };

  if (argc != 2)
    return tales_cli_fail_usage ("discover URL");

  fetcher = tales_fetcher_new ();
  loop = g_main_loop_new (NULL, FALSE);
  waiting.loop = loop;
  tales_discover_async (fetcher, argv[1], NULL, done_cb, &waiting);
  result = wait_for (&waiting);

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

/* refresh */

static void
feed_done_cb (TalesRefresher *refresher, gint64 feed_id, GError *error, TalesStore *store)
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
progress_cb (TalesRefresher *refresher, guint done, guint total, guint *out_total)
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
  g_autoptr(TalesRefresher) refresher = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  gboolean force = argc == 2 && g_str_equal (argv[1], "--force");
  Waiting waiting = { 0 };
  guint n_failed = 0;
  guint total = 0;

  if (argc > 2 || (argc == 2 && !force))
    return tales_cli_fail_usage ("refresh [--force]");

  store = tales_cli_open_store (&error);
  if (store == NULL)
    return tales_cli_fail (error);
  fetcher = tales_fetcher_new ();
  images = tales_image_cache_new_default (store, fetcher);
  refresher = tales_refresher_new (store, fetcher, images);
  g_signal_connect (refresher, "feed-done", G_CALLBACK (feed_done_cb), store);
  g_signal_connect (refresher, "progress", G_CALLBACK (progress_cb), &total);

  loop = g_main_loop_new (NULL, FALSE);
  waiting.loop = loop;
  tales_refresher_refresh_all_async (refresher, force, NULL, done_cb, &waiting);
  result = wait_for (&waiting);
  if (!tales_refresher_refresh_all_finish (refresher, result, &n_failed, &error))
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
