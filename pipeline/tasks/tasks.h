/* Every task of the library: what a model classifies and the training data
 * that goes with it. Each task is a folder here and registers its data
 * kinds (train/datakind.h); the trainer knows none of them. */
#ifndef ES_TASKS_TASKS_H
#define ES_TASKS_TASKS_H

#include <glib.h>

G_BEGIN_DECLS

/* Register the data kinds of every task (iem, iem-graph): call once before
 * loading recipes (earshot train/eval do); idempotent and thread-safe. */
void es_tasks_register_builtin (void);

G_END_DECLS

#endif
