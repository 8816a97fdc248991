/* Augmentation for frequency-response (FR) training data.
 *
 * The IEM labels are a deterministic rule of each file's raw rows
 * (es_fr_signature, io/frcurve.h). So a smooth random perturbation of the raw
 * rows — low/high shelves, a tilt, broad peaks/dips, a small ripple, a small
 * shift of the frequency grid — makes a new measurement whose label is
 * recomputed exactly by the rule: new, correctly labelled examples, many of
 * them near the 3 dB decision boundaries.
 *
 * For graph images (data kind iem-graph) each example is also drawn with a
 * random look by io/graph.h (the code spectrogramimager and `earshot plot`
 * use): size, aspect, line width, colour turned to grey with BT.601 luma (as
 * videoconvert does), sometimes a light grid, sometimes the curve as frsrc
 * resamples it, a small vertical offset; then resized to the model's size with
 * es_resize_gray8_to_float (as cnnclassify and `earshot iem` do).
 *
 * Everything draws from the EsRng it is given: deterministic for a seed. */
#ifndef ES_TASKS_IEM_FRAUGMENT_H
#define ES_TASKS_IEM_FRAUGMENT_H

#include <stddef.h>
#include <glib.h>

#include "io/graph.h"
#include "train/dataset.h"
#include "train/split.h"

G_BEGIN_DECLS

/* Which random looks a graph is drawn in (recipe `[data] look`). */
typedef enum {
  ES_FR_LOOK_SEED,      /* always the seed's look */
  ES_FR_LOOK_VARIED,    /* es_fr_graph_look_random's family (below) */
  ES_FR_LOOK_WIDE,      /* a wider family: see es_fr_graph_look_random */
} EsFrLookFamily;

typedef struct {
  double probability;   /* share of drawn training examples perturbed (0 = none) */
  double shelf_db;      /* low shelf (corner 40-400 Hz) and high shelf (2-12 kHz): |gain| <= */
  double tilt_db;       /* tilt around 1 kHz, |dB per octave| <= */
  double peak_db;       /* up to two broad peaks/dips (0.3-1.5 octave): |gain| <= */
  double ripple_db;     /* ripple, period 1/8-1 octave: amplitude <= */
  double jitter;        /* shift of the frequency grid, |octaves| <= */
  double offset_db;     /* graph images: vertical offset of the zero-mean curve, |dB| <= */
  double looks;         /* graph images: share of the other (unperturbed) training examples
                         * drawn again in a random look; perturbed ones always are */
  EsFrLookFamily look_family; /* graph images: the family of those random looks
                               * (the data's own; SEED is taken as VARIED) */
  double fmin, fmax;    /* feature vectors: the resampling grid (0: 20 Hz, 20 kHz) */
  double label_softness; /* soft targets (when the trainer asks for them): each of
                          * the rule's two tests, diff >= 3 dB, gets the probability
                          * 1 / (1 + exp (-(diff - 3) / label_softness)), so a file
                          * 0.05 dB from a threshold is nearly 50:50 and the loss
                          * teaches how far each curve is from it; 0 = one-hot */
} EsFrAugmentConfig;

/* Defaults: probability 0.5, shelves 6 dB, tilt 1 dB/oct, peaks 4 dB,
 * ripple 0.5 dB, jitter 0.02 octave, offset 2 dB, looks 0.3. */
void es_fr_augment_config_init (EsFrAugmentConfig *config);

/* A perturbed copy of a measurement (n rows) into out_frequency / out_level
 * (n each; frequencies stay strictly increasing). */
void es_fr_perturb (const EsFrAugmentConfig *config, const double *frequency,
    const double *level, size_t n, double *out_frequency, double *out_level, EsRng *rng);

/* How one graph image is drawn. */
typedef struct {
  unsigned width, height;   /* rendering size before the resize */
  EsGraphStyle style;       /* colours already grey (BT.601 luma of the RGB colour) */
  size_t points;            /* 0: the measured rows; else resampled to this many points (frsrc) */
  double offset_db;         /* added to the zero-mean curve */
} EsFrGraphLook;

/* The seed's look: 800 x 500, 2-px #1f77b4 line, no grid, the measured rows. */
void es_fr_graph_look_seed (EsFrGraphLook *look);
/* A random look of a family; offset uniform in +-offset_db.
 * VARIED: a quarter are the seed's; others 224-1000 px wide, height 0.45-1.1 x
 * width (160-1000 px), line 0.7-4 px at 800 x 500, one of matplotlib's ten
 * colours or black, no/major/minor grid (1/2, 1/4, 1/4) in a light grey
 * (#a0a0a0-#e0e0e0); a quarter drawn from 128, 256 or 512 resampled points.
 * WIDE: what other plotting tools do to a graph, beyond VARIED: a fifth are the
 * seed's; others 180-1000 px wide; half of the lines are given in pixels of
 * the drawn image (1-3.5 px, as a tool at low dpi draws a thick line on a small
 * graph) instead of scaling with it; dark colours too (navy, dark red, dark
 * green); frame 0.8-2 px; grids none/major/minor (1/3 each) in #909090-#e0e0e0.
 * SEED: the seed's look with the offset. */
void es_fr_graph_look_random (EsFrGraphLook *look, EsFrLookFamily family, double offset_db,
    EsRng *rng);

/* BT.601 luma of an RGB colour, rounded (videoconvert's RGB -> GRAY8). */
guint8 es_fr_luma601 (const guint8 rgb[3]);

/* Draw a measurement (the mean of its rows is removed first, as `earshot plot`
 * does) with a look and resize it to out_w x out_h floats in [0, 1].
 * *scratch is a reusable image (NULL at first; free with es_image_free). */
gboolean es_fr_graph_example (const double *frequency, const double *level, size_t n,
    const EsFrGraphLook *look, EsImage **scratch, float *out, unsigned out_w,
    unsigned out_h, GError **error);

/* The augmentation hook for es_train (an EsAugmentFunc: pass the EsFrAugment
 * as user data). Needs a data set with raw rows (iem or iem-graph); each
 * perturbed example is resampled (features) or drawn (images) again and
 * relabelled by the rule. */
typedef struct _EsFrAugment EsFrAugment;

/* @like: a data set of the kind to augment (class names, input size, image
 * size). Fails if it has no raw rows or lacks one of the rule's class names. */
EsFrAugment *es_fr_augment_new (const EsFrAugmentConfig *config, const EsDataset *like,
    GError **error);
void es_fr_augment_free (EsFrAugment *augment);
void es_fr_augment_batch (const EsDataset *train, const size_t *indices, size_t batch,
    float *x, int *labels, float *targets, EsRng *rng, gpointer augment);

/* The target distribution over the data's classes (n_classes values) for a
 * curve with these rule differences: see label_softness; NaN differences
 * (a region without rows: Neutral by the rule) give one-hot Neutral. */
void es_fr_augment_soft_target (const EsFrAugment *augment, double bass_diff,
    double treble_diff, float *target);

G_END_DECLS

#endif
