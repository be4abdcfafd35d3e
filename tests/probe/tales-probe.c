/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tales-probe: the real Tales application, with a probe on its window.
 *
 *   tales-probe bench [APP ARGUMENTS…]           start, search, category, jump
 *   tales-probe bench-refresh [APP ARGUMENTS…]   main-loop stalls in a refresh
 *   tales-probe screenshot OUT.png [APP ARGUMENTS…]
 *
 * build-aux/bench-library and build-aux/screenshot run it; it is not
 * installed. The probe is attached when the application adds its window
 * ("window-added"), before the window is shown, and from then on uses
 * only the window's public getters and signals. */

#define G_LOG_DOMAIN "tales-probe"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "tales-application.h"
#include "tales-probe.h"

/* As src/app/main.c, so that memory figures are the shipped app's. */
#define MALLOC_HEAPS 2

typedef enum {
  PROBE_BENCH,
  PROBE_BENCH_REFRESH,
  PROBE_SCREENSHOT,
} ProbeKind;

typedef struct {
  ProbeKind kind;
  const char *path;         /* the screenshot's */
  gboolean attached;
} Probe;

static void
window_added_cb (GtkApplication *app,
                 GtkWindow      *window,
                 Probe          *probe)
{
  /* The main window only, and once: not the preferences or a dialog. */
  if (probe->attached || !TALES_IS_WINDOW (window))
    return;
  probe->attached = TRUE;

  switch (probe->kind)
    {
    case PROBE_BENCH:
      tales_probe_bench_attach (TALES_WINDOW (window), FALSE);
      break;
    case PROBE_BENCH_REFRESH:
      tales_probe_bench_attach (TALES_WINDOW (window), TRUE);
      break;
    case PROBE_SCREENSHOT:
      tales_probe_capture_attach (TALES_WINDOW (window), probe->path);
      break;
    }
}

static int
usage (void)
{
  fprintf (stderr, "usage: tales-probe bench|bench-refresh [APP ARGUMENTS…]\n"
                   "       tales-probe screenshot OUT.png [APP ARGUMENTS…]\n");
  return 2;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(TalesApplication) app = NULL;
  Probe probe = { 0 };
  int skip;

#ifdef __GLIBC__
  mallopt (M_ARENA_MAX, MALLOC_HEAPS);
#endif
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("TALES_LOCALEDIR") ? g_getenv ("TALES_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc >= 2 && g_str_equal (argv[1], "bench"))
    {
      probe.kind = PROBE_BENCH;
      skip = 1;
    }
  else if (argc >= 2 && g_str_equal (argv[1], "bench-refresh"))
    {
      probe.kind = PROBE_BENCH_REFRESH;
      skip = 1;
    }
  else if (argc >= 3 && g_str_equal (argv[1], "screenshot"))
    {
      probe.kind = PROBE_SCREENSHOT;
      probe.path = argv[2];
      skip = 2;
    }
  else
    return usage ();

  /* The application sees its own arguments, after the probe's. */
  argv[skip] = argv[0];
  app = tales_application_new ();
  g_signal_connect (app, "window-added", G_CALLBACK (window_added_cb), &probe);
  return g_application_run (G_APPLICATION (app), argc - skip, argv + skip);
}
