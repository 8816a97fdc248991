/* libearshot, decide/: Decisions: logits to probabilities and top-k, the file-level mean,
 * windows over a feature stream, smoothing and events for live streams.
 * Part of <earshot/earshot.h>; may be included alone. */
#ifndef EARSHOT_DECIDE_H
#define EARSHOT_DECIDE_H

#include "decide/decide-error.h"
#include "decide/decision.h"
#include "decide/events.h"
#include "decide/windows.h"

#endif /* EARSHOT_DECIDE_H */
