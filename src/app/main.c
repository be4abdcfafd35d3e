/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "tales-application.h"

/* glibc gives every thread that allocates a heap of its own (up to eight
 * per processor), and memory freed there stays with it: with the sidebar's,
 * the list's and the refresh's threads that was some 5 MB more at start. Two
 * heaps are enough for the two or three threads that work at once here. */
#define MALLOC_HEAPS 2

int
main (int   argc,
      char *argv[])
{
  g_autoptr(TalesApplication) app = NULL;

#ifdef __GLIBC__
  mallopt (M_ARENA_MAX, MALLOC_HEAPS);
#endif
  /* TALES_LOCALEDIR: the catalogs of an uninstalled build, for tests. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("TALES_LOCALEDIR") ? g_getenv ("TALES_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = tales_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
