/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>

#include "tales-core.h"
#include "tales-cli-discover.h"
#include "tales-cli-library.h"
#include "tales-cli-opml.h"
#include "tales-cli-parse.h"
#include "tales-cli-prune.h"
#include "tales-cli-refresh.h"
#include "tales-cli-unsubscribe.h"

typedef struct {
  const char *name;
  int (*run) (int argc, char **argv);
  const char *synopsis;     /* command-line syntax: not translated */
  const char *description;
} Command;

static const Command commands[] = {
  { "parse", tales_cli_parse, "parse [--json] [--base URI] FILE", N_("parse a feed file and print it") },
  { "fetch", tales_cli_fetch, "fetch URL", N_("subscribe (if new) and refresh a feed, images included") },
  { "list", tales_cli_list, "list [--json]", N_("list stored posts (no network needed)") },
  { "show", tales_cli_show, "show [--html] POST", N_("print one stored post; --html: the article document") },
  { "import-opml", tales_cli_import_opml, "import-opml FILE", N_("subscribe to every feed of an OPML file") },
  { "export-opml", tales_cli_export_opml, "export-opml", N_("print every subscription as OPML 2.0") },
  { "discover", tales_cli_discover, "discover URL", N_("list the feeds found behind a web address") },
  { "refresh", tales_cli_refresh, "refresh [--force]", N_("refresh every due feed (all with --force)") },
  { "prune", tales_cli_prune, "prune [--days N]", N_("remove read posts older than N days (the app's setting, 90 by default) and keep the image cache within its budget") },
  { "unsubscribe", tales_cli_unsubscribe, "unsubscribe FEED", N_("remove a feed (its number or address), its posts and the images only it needed") },
};

static int
usage (FILE *out)
{
  /* TRANSLATORS: COMMAND and ARGS stand for what is typed after tales-cli */
  fprintf (out, "%s\n\n%s\n", _("Usage: tales-cli COMMAND [ARGS]"), _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-34s %s\n", commands[i].synopsis, _(commands[i].description));
  return out == stderr ? 2 : 0;
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  /* TALES_LOCALEDIR: the catalogs of an uninstalled build, for tests. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("TALES_LOCALEDIR") ? g_getenv ("TALES_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  tales_core_init ();

  if (argc < 2)
    return usage (stderr);
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "help"))
    return usage (stdout);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      return commands[i].run (argc - 1, argv + 1);

  fprintf (stderr, _("tales-cli: “%s” is not a command; try “tales-cli --help”.\n"), argv[1]);
  return 2;
}
