/* libearshot, tasks/: Tasks (what models classify) registering their data kinds with the trainer.
 * Part of <earshot/earshot.h>; may be included alone. */
#ifndef EARSHOT_TASKS_H
#define EARSHOT_TASKS_H

#include "tasks/tasks.h"

#endif /* EARSHOT_TASKS_H */
