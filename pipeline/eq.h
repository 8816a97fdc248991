/* libearshot, eq/: Headphone / IEM correction: parametric EQ fits of a measurement to a target.
 * Part of <earshot/earshot.h>; may be included alone. */
#ifndef EARSHOT_EQ_H
#define EARSHOT_EQ_H

#include "eq/eq-error.h"
#include "eq/fit.h"
#include "eq/target.h"

#endif /* EARSHOT_EQ_H */
