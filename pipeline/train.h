/* libearshot, train/: Training: data sets, the data-kind registry, splits, metrics, schedules,
 * the moving average of weights, recipes and the whole training run.
 * Part of <earshot/earshot.h>; may be included alone. */
#ifndef EARSHOT_TRAIN_H
#define EARSHOT_TRAIN_H

#include "train/datakind.h"
#include "train/dataset.h"
#include "train/ema.h"
#include "train/metrics.h"
#include "train/recipe.h"
#include "train/run.h"
#include "train/schedule.h"
#include "train/split.h"
#include "train/train-error.h"
#include "train/train.h"

#endif /* EARSHOT_TRAIN_H */
