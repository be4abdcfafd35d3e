/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* tales-probe: the real Tales application with a probe attached to its
 * window, for build-aux/bench-library and build-aux/screenshot. Not
 * installed: the shipped app carries no probe. A probe sees the window
 * only through public getters and signals ("first-frame",
 * "refresh-finished", the article view's "loaded"). */

#include "tales-window.h"

G_BEGIN_DECLS

/* The bench (tales-probe-bench.c): @refresh_mode FALSE times the start,
 * memory, search, category and jump; TRUE the longest main-loop stall
 * during a forced refresh of every feed. It prints "name=value" lines on
 * stdout and quits the application. */
void tales_probe_bench_attach   (TalesWindow *window,
                                 gboolean     refresh_mode);

/* The screenshot (tales-probe-capture.c): saves a PNG of the window to
 * @path once the next refresh has finished and a post with pictures is
 * shown, then quits the application. */
void tales_probe_capture_attach (TalesWindow *window,
                                 const char  *path);

G_END_DECLS
