/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "tales-cli-common.h"
#include "tales-cli-escape.h"
#include "tales-image-budget.h"
#include "tales-paths.h"

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

guint
tales_cli_get_preference (const char *key, guint fallback)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, key))
    return fallback;
  settings = g_settings_new_full (schema, NULL, NULL);
  return g_settings_get_uint (settings, key);
}

void
tales_cli_apply_image_budget (TalesStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *image_dir = tales_paths_image_dir ();
  guint64 budget = (guint64) tales_cli_get_preference ("image-cache-budget-mb",
                                                       TALES_IMAGE_BUDGET_DEFAULT_BYTES >> 20) << 20;

  if (!tales_image_budget_apply (store, image_dir, budget, NULL, &error))
    {
      g_autofree char *message = tales_cli_escape (error->message, TALES_CLI_ONE_LINE);

      fprintf (stderr, "tales-cli: %s\n", message);
    }
}

TalesStore *
tales_cli_open_store (GError **error)
{
  TalesStore *store = tales_store_open_default (error);

  if (store != NULL)
    tales_store_set_feed_post_limit (store, tales_cli_get_preference ("max-posts-per-feed",
                                                                      TALES_STORE_DEFAULT_FEED_POST_LIMIT));
  return store;
}

void
tales_cli_wait_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TalesCliWait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

GAsyncResult *
tales_cli_wait (TalesCliWait *wait)
{
  g_main_loop_run (wait->loop);
  return wait->result;
}
