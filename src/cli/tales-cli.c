#define G_LOG_DOMAIN "tales-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>

#include "tales-core.h"
#include "tales-cli-library.h"
#include "tales-cli-opml.h"
#include "tales-cli-parse.h"

typedef struct {
  const char *name;
  int (*run) (int argc, char **argv);
  const char *usage;
} Command;

static const Command commands[] = {
  { "parse", tales_cli_parse, "parse [--json] [--base URI] FILE   parse a feed file and print it" },
  { "fetch", tales_cli_fetch, "fetch URL                          subscribe (if new) and refresh a feed, images included" },
  { "list",  tales_cli_list,  "list [--json]                      list stored posts (no network needed)" },
  { "show",  tales_cli_show,  "show [--html] POST                 print one stored post; --html: the article document" },
  { "import-opml", tales_cli_import_opml, "import-opml FILE                   subscribe to every feed of an OPML file" },
  { "export-opml", tales_cli_export_opml, "export-opml                        print every subscription as OPML 2.0" },
  { "discover",    tales_cli_discover,    "discover URL                       list the feeds found behind a web address" },
  { "refresh",     tales_cli_refresh,     "refresh [--force]                  refresh every due feed (all with --force)" },
};

static int
usage (FILE *out)
{
  fprintf (out, "Usage: tales-cli COMMAND [ARGS]\n\nCommands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %s\n", commands[i].usage);
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
