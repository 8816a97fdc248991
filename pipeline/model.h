/* libearshot, model/: Model files: a network plus its labels, input, task and typed front-end
 * description, loaded by path or by name from the search path.
 * Part of <earshot/earshot.h>; may be included alone. */
#ifndef EARSHOT_MODEL_H
#define EARSHOT_MODEL_H

#include "model/frontend-desc.h"
#include "model/model-error.h"
#include "model/model.h"

#endif /* EARSHOT_MODEL_H */
