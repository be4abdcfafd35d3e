/* Background threads: see tales-thread.h. */

#define G_LOG_DOMAIN "tales-thread"

#include "config.h"

#include <gio/gio.h>

#include "tales-thread.h"

#ifdef __linux__
#include <errno.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

/* nice 10: under Linux's scheduler a thread at nice 0 that wakes up gets
 * the processor from one at nice 10 at once, and about nine tenths of it
 * while both want it. */
#define BACKGROUND_NICE 10

void
tales_thread_set_background (void)
{
#ifdef __linux__
  /* On Linux a thread has a nice value of its own, set through its id. */
  pid_t tid = (pid_t) syscall (SYS_gettid);

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
