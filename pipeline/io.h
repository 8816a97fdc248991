/* libearshot, io/: Input and output: bounded reads, non-destructive writes, PNG, frequency-
 * response measurements, graphs, spectrogram images, plots, resizing,
 * ParametricEQ.txt files.
 * Part of <earshot/earshot.h>; may be included alone. */
#ifndef EARSHOT_IO_H
#define EARSHOT_IO_H

#include "io/colour-map.h"
#include "io/frcsv.h"
#include "io/frcurve.h"
#include "io/graph.h"
#include "io/input.h"
#include "io/io-error.h"
#include "io/output.h"
#include "io/parametric-eq.h"
#include "io/plot.h"
#include "io/png.h"
#include "io/resize.h"
#include "io/spectrogram-image.h"
#include "io/spectrogram-plot.h"

#endif /* EARSHOT_IO_H */
