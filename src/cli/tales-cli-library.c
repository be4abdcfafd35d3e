/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "tales-cli-args.h"
#include "tales-cli-common.h"
#include "tales-cli-escape.h"
#include "tales-core.h"
#include "tales-cli-library.h"


typedef struct {
  GMainLoop *loop;
  gboolean ok;
  TalesFeedRefreshReport report;
  GError *error;
} FetchState;

static void
refresh_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FetchState *state = user_data;

  state->ok = tales_feed_refresh_finish (result, &state->report, &state->error);
  g_main_loop_quit (state->loop);
}

static void
print_report (TalesStore *store, const TalesFeedRefreshReport *report)
{
  g_autoptr(TalesFeed) feed = tales_store_get_feed (store, report->feed_id, NULL);
  g_autofree char *title = feed && tales_feed_get_title (feed)
                           ? tales_cli_escape (tales_feed_get_title (feed), TALES_CLI_ONE_LINE)
                           : g_strdup (_("The feed"));

  if (report->not_modified)
    {
      printf (_("%s: not modified since the last refresh; nothing to do.\n"), title);
      return;
    }
  printf (_("%s: %u new, %u updated posts; %u images cached, %u failed.\n"),
          title, report->n_new, report->n_updated,
          report->n_images_cached, report->n_images_failed);
}

/* A line of /proc/self/status ("VmRSS"), in kB; 0 when unknown. */
static guint64
status_kb (const char *field)
{
  g_autofree char *status = NULL;
  g_autofree char *prefix = g_strconcat (field, ":", NULL);
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, prefix);
  return line != NULL ? g_ascii_strtoull (line + strlen (prefix), NULL, 10) : 0;
}

/* With TALES_REPORT_MEMORY set, fetch says on stderr what the import took
 * from memory and what it gave back (for build-aux/bench-parse). */
static void
report_memory (const char *when)
{
  if (g_getenv ("TALES_REPORT_MEMORY") == NULL)
    return;
  fprintf (stderr, "tales-cli: memory %s: VmRSS %" G_GUINT64_FORMAT " kB, VmHWM %" G_GUINT64_FORMAT " kB\n",
           when, status_kb ("VmRSS"), status_kb ("VmHWM"));
}

int
tales_cli_fetch (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesStore) store = NULL;
  g_autoptr(TalesFetcher) fetcher = NULL;
  g_autoptr(TalesImageCache) images = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  FetchState state = { 0 };
  g_auto(TalesCliArgs) args = { 0 };

  if (!tales_cli_args_split (argc, argv, NULL, &args) || args.operands->len != 1)
    return tales_cli_fail_usage ("fetch URL");

  store = tales_cli_open_store (&error);
  if (store == NULL)
    return tales_cli_fail (error);

  fetcher = tales_fetcher_new ();
  images = tales_image_cache_new_default (store, fetcher);
  loop = g_main_loop_new (NULL, FALSE);
  state.loop = loop;

  report_memory ("before");
  tales_feed_refresh_async (store, fetcher, images, tales_cli_args_operand (&args, 0), NULL,
                            refresh_done_cb, &state);
  g_main_loop_run (loop);
  report_memory ("after");

  if (!state.ok)
    {
      int status = tales_cli_fail (state.error);
      g_clear_error (&state.error);
      return status;
    }
  print_report (store, &state.report);
  tales_cli_apply_image_budget (store);
  return 0;
}

static char *
format_date (GDateTime *date)
{
  return date ? g_date_time_format_iso8601 (date) : g_strdup ("");
}

static JsonNode *
post_to_json (TalesPost *post)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *published = format_date (tales_post_get_published (post));
  const char * const *categories = tales_post_get_categories (post);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, tales_post_get_db_id (post));
  json_builder_set_member_name (builder, "feed");
  json_builder_add_string_value (builder, tales_post_get_feed_title (post));
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, tales_post_get_title (post));
  json_builder_set_member_name (builder, "link");
  json_builder_add_string_value (builder, tales_post_get_link (post));
  json_builder_set_member_name (builder, "author");
  json_builder_add_string_value (builder, tales_post_get_author (post));
  json_builder_set_member_name (builder, "published");
  json_builder_add_string_value (builder, published);
  json_builder_set_member_name (builder, "categories");
  json_builder_begin_array (builder);
  for (guint i = 0; categories[i]; i++)
    json_builder_add_string_value (builder, categories[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
print_posts_json (GListModel *posts)
{
  g_autoptr(JsonArray) array = json_array_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
  g_autofree char *text = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (posts); i++)
    {
      g_autoptr(TalesPost) post = g_list_model_get_item (posts, i);
      json_array_add_element (array, post_to_json (post));
    }
  json_node_set_array (root, array);
  text = json_to_string (root, TRUE);
  tales_cli_print_json (text);
}

/* Returns (transfer full): what the terminal shows of @text from a feed:
 * escaped on one line, or @fallback when there is none. */
static char *
shown (const char *text, const char *fallback)
{
  return text != NULL ? tales_cli_escape (text, TALES_CLI_ONE_LINE) : g_strdup (fallback);
}

static void
print_posts_text (GListModel *posts)
{
  for (guint i = 0; i < g_list_model_get_n_items (posts); i++)
    {
      g_autoptr(TalesPost) post = g_list_model_get_item (posts, i);
      GDateTime *published = tales_post_get_published (post);
      g_autofree char *date = published ? g_date_time_format (published, "%Y-%m-%d") : g_strdup ("          ");
      g_autofree char *joined = g_strjoinv (", ", (char **) tales_post_get_categories (post));
      g_autofree char *categories = tales_cli_escape (joined, TALES_CLI_ONE_LINE);
      g_autofree char *title = shown (tales_post_get_title (post), _("(untitled)"));

      printf ("%6" G_GINT64_FORMAT "  %s  %s", tales_post_get_db_id (post), date, title);
      if (*categories)
        printf ("  [%s]", categories);
      printf ("\n");
    }
}

int
tales_cli_list (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesStore) store = NULL;
  g_autoptr(GListModel) posts = NULL;
  g_auto(TalesCliArgs) args = { 0 };
  const char * const options[] = { "--json", NULL };
  gboolean json;

  if (!tales_cli_args_split (argc, argv, options, &args) || args.operands->len != 0)
    return tales_cli_fail_usage ("list [--json]");
  json = tales_cli_args_has (&args, "--json");

  store = tales_cli_open_store (&error);
  if (store == NULL)
    return tales_cli_fail (error);
  posts = tales_store_list_posts (store, 0, &error);
  if (posts == NULL)
    return tales_cli_fail (error);

  if (json)
    print_posts_json (posts);
  else
    print_posts_text (posts);
  return 0;
}

static void
print_post_text (TalesPost *post)
{
  g_autofree char *date = format_date (tales_post_get_published (post));
  g_autofree char *joined = g_strjoinv (", ", (char **) tales_post_get_categories (post));
  g_autofree char *categories = tales_cli_escape (joined, TALES_CLI_ONE_LINE);
  g_autofree char *text = tales_html_to_text (tales_post_get_body (post) ? tales_post_get_body (post) : "");
  /* The body keeps its lines; every other field is one line. */
  g_autofree char *body = tales_cli_escape (text, TALES_CLI_KEEP_LINES);
  g_autofree char *title = shown (tales_post_get_title (post), _("(untitled)"));
  g_autofree char *author = shown (tales_post_get_author (post), NULL);
  g_autofree char *link = shown (tales_post_get_link (post), NULL);

  printf ("%s\n", title);
  if (author != NULL)
    printf (_("Author: %s\n"), author);
  if (*date)
    printf (_("Published: %s\n"), date);
  if (*categories)
    printf (_("Categories: %s\n"), categories);
  if (link != NULL)
    printf (_("Link: %s\n"), link);
  printf ("\n%s\n", body);
}

int
tales_cli_show (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesStore) store = NULL;
  g_autoptr(TalesPost) post = NULL;
  g_auto(TalesCliArgs) args = { 0 };
  const char * const options[] = { "--html", NULL };
  const char *id_text;
  gboolean html;
  guint64 post_id = 0;

  if (!tales_cli_args_split (argc, argv, options, &args) || args.operands->len != 1)
    return tales_cli_fail_usage ("show [--html] POST");
  html = tales_cli_args_has (&args, "--html");
  id_text = tales_cli_args_operand (&args, 0);
  if (!g_ascii_string_to_unsigned (id_text, 10, 1, G_MAXINT64, &post_id, NULL))
    {
      fprintf (stderr, _("tales-cli: “%s” is not a post number; “tales-cli list” shows them.\n"), id_text);
      return 2;
    }

  store = tales_cli_open_store (&error);
  if (store == NULL)
    return tales_cli_fail (error);
  post = tales_store_load_post (store, (gint64) post_id, &error);
  if (post == NULL)
    return tales_cli_fail (error);

  if (html)
    {
      g_autofree char *document = tales_article_render (post);
      g_autofree char *safe = tales_cli_escape_html (document);

      printf ("%s", safe);
    }
  else
    print_post_text (post);
  return 0;
}
