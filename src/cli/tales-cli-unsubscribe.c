/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "tales-cli-args.h"
#include "tales-cli-common.h"
#include "tales-cli-escape.h"
#include "tales-cli-unsubscribe.h"
#include "tales-core.h"

/* FEED is the feed's number or the address it was subscribed at. */
static TalesFeed *
find_feed (TalesStore *store, const char *feed, GError **error)
{
  guint64 feed_id = 0;

  if (g_ascii_string_to_unsigned (feed, 10, 1, G_MAXINT64, &feed_id, NULL))
    return tales_store_get_feed (store, (gint64) feed_id, error);
  return tales_store_find_feed_by_url (store, feed, error);
}

int
tales_cli_unsubscribe (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesStore) store = NULL;
  g_autoptr(TalesFeed) feed = NULL;
  g_autofree char *image_dir = NULL;
  g_autofree char *title = NULL;
  g_auto(TalesCliArgs) args = { 0 };

  if (!tales_cli_args_split (argc, argv, NULL, &args) || args.operands->len != 1)
    return tales_cli_fail_usage ("unsubscribe FEED");

  store = tales_cli_open_store (&error);
  if (store == NULL)
    return tales_cli_fail (error);
  feed = find_feed (store, tales_cli_args_operand (&args, 0), &error);
  if (feed == NULL)
    return tales_cli_fail (error);

  /* The same removal as the app's: images another feed's posts still
   * need stay on disk. */
  image_dir = tales_paths_image_dir ();
  if (!tales_library_remove_feed (store, image_dir, tales_feed_get_db_id (feed), &error))
    return tales_cli_fail (error);
  title = tales_cli_escape (tales_feed_get_display_title (feed), TALES_CLI_ONE_LINE);
  printf (_("Unsubscribed from %s.\n"), title);
  return 0;
}
