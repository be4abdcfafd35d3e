/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Background threads: see tales-thread.h. */

/* SCHED_IDLE is a GNU name. */
#define _GNU_SOURCE

#define G_LOG_DOMAIN "tales-thread"

#include "config.h"

#include <gio/gio.h>

#include "tales-thread.h"

#ifdef __linux__
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

/* When SCHED_IDLE is refused: under Linux's scheduler a thread at nice 0
 * gets about nine tenths of a processor it shares with one at nice 10. */
#define BACKGROUND_NICE 10

static gint background_priority;

void
tales_thread_enable_background_priority (void)
{
  g_atomic_int_set (&background_priority, TRUE);
}

void
tales_thread_set_background (void)
{
#ifdef __linux__
  /* SCHED_IDLE, as Tracker's miners do: a normal thread that wakes up takes
   * the processor from an idle-class one at once. Nice alone is not enough:
   * the main thread and the X server each waited up to a few milliseconds
   * for a processor at every round trip between them, and a window update
   * takes several round trips. */
  struct sched_param param = { 0 };
  pid_t tid;

  if (!g_atomic_int_get (&background_priority))
    return;
  if (pthread_setschedparam (pthread_self (), SCHED_IDLE, &param) == 0)
    return;
  /* A thread has a nice value of its own, set through its id. */
  tid = (pid_t) syscall (SYS_gettid);
  if (setpriority (PRIO_PROCESS, (id_t) tid, BACKGROUND_NICE) != 0)
    g_debug ("Could not lower the priority of thread %d: %s", (int) tid, g_strerror (errno));
#endif
}

typedef struct {
  GTask *task;
  GTaskThreadFunc func;
} BackgroundRun;

static gpointer
background_thread (gpointer user_data)
{
  BackgroundRun *run = user_data;

  tales_thread_set_background ();
  run->func (run->task, g_task_get_source_object (run->task), g_task_get_task_data (run->task),
             g_task_get_cancellable (run->task));
  g_object_unref (run->task);
  g_free (run);
  return NULL;
}

void
tales_thread_run_task_in_background (GTask           *task,
                                     GTaskThreadFunc  func)
{
  BackgroundRun *run = g_new (BackgroundRun, 1);

  g_return_if_fail (G_IS_TASK (task));

  run->task = g_object_ref (task);
  run->func = func;
  g_thread_unref (g_thread_new ("tales-background", background_thread, run));
}
