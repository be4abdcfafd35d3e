#pragma once

#include "tales-window.h"

G_BEGIN_DECLS

/* build-aux/bench-library's probe, enabled by TALES_BENCH ("1": start,
 * memory, search, category and jump timings; "refresh": the longest
 * main-loop stall during a forced refresh of every feed). It prints
 * "name=value" lines on stdout and quits the application. Without
 * TALES_BENCH it does nothing. */
void tales_window_bench_start_if_asked (TalesWindow *self);

G_END_DECLS
