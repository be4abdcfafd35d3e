/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* For a process with a window (the app calls it at start-up): from then on
 * tales_thread_set_background() lowers priorities. Without it, it does
 * nothing: a command-line run wants its work done first. */
void tales_thread_enable_background_priority (void);

/* Lowers the calling thread's CPU priority, when enabled: for threads that
 * parse, prepare and merge feeds, so that the main thread, which draws the
 * window, gets a processor as soon as it needs one. Once lowered it stays
 * so: call it only in threads of our own, never in GLib's shared pool. */
void tales_thread_set_background (void);

/* Runs @func (@task's source object, task data and cancellable, as
 * g_task_run_in_thread() would) in a new background thread; @func
 * returns the task's result. */
void tales_thread_run_task_in_background (GTask           *task,
                                          GTaskThreadFunc  func);

G_END_DECLS
