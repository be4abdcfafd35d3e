#include "config.h"

#include <glib/gi18n.h>

#include "tales-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(TalesApplication) app = NULL;

  /* TALES_LOCALEDIR: the catalogs of an uninstalled build, for tests. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("TALES_LOCALEDIR") ? g_getenv ("TALES_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = tales_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
