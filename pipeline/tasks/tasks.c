/* The tasks' registrations (tasks.h): one line per task. */
#include "tasks/tasks.h"

#include "tasks/audio/task-audio.h"
#include "tasks/iem/task-iem.h"

void
es_tasks_register_builtin (void)
{
  static gsize once = 0;
  if (g_once_init_enter (&once)) {
    es_task_iem_register ();
    es_task_audio_register ();
    g_once_init_leave (&once, 1);
  }
}
