/* libearshot, nn/: The network engine: tensors, networks built from a description (layers
 * forward and backward), loss, optimisers, random numbers, safetensors files.
 * Part of <earshot/earshot.h>; may be included alone. */
#ifndef EARSHOT_NN_H
#define EARSHOT_NN_H

#include "nn/audio-layers.h"
#include "nn/loss.h"
#include "nn/net.h"
#include "nn/nn-error.h"
#include "nn/optim.h"
#include "nn/rng.h"
#include "nn/safetensors-error.h"
#include "nn/safetensors.h"
#include "nn/tensor.h"

#endif /* EARSHOT_NN_H */
