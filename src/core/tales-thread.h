#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Lowers the calling thread's CPU priority: for threads that parse, prepare
 * and merge feeds, so that the main thread, which draws the window, gets a
 * processor as soon as it needs one. Once lowered it stays so: call it only
 * in threads of our own, never in GLib's shared pool. */
void tales_thread_set_background (void);

/* Runs @func (@task's source object, task data and cancellable, as
 * g_task_run_in_thread() would) in a new background thread; @func
 * returns the task's result. */
void tales_thread_run_task_in_background (GTask           *task,
                                          GTaskThreadFunc  func);

G_END_DECLS
