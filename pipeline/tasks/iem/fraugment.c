/* Augmentation of frequency-response training data: perturbed raw rows,
 * relabelled by the rule, and graph images drawn with random looks. */
#include "tasks/iem/fraugment.h"
#include "tasks/iem/dataset-iem.h"

#include <math.h>
#include <string.h>

#include "io/frcurve.h"
#include "io/resize.h"
#include "train/train-error.h"

void
es_fr_augment_config_init (EsFrAugmentConfig *c)
{
  memset (c, 0, sizeof *c);
  c->probability = 0.5;
  c->shelf_db = 6.0;
  c->tilt_db = 1.0;
  c->peak_db = 4.0;
  c->ripple_db = 0.5;
  c->jitter = 0.02;
  c->offset_db = 2.0;
  c->looks = 0.3;
}

static double
uniform (EsRng *rng, double lo, double hi)
{
  return lo + (hi - lo) * es_rng_uniform (rng);
}

static double
log_uniform (EsRng *rng, double lo, double hi)
{
  return exp (uniform (rng, log (lo), log (hi)));
}

void
es_fr_perturb (const EsFrAugmentConfig *c, const double *frequency, const double *level,
    size_t n, double *out_f, double *out_l, EsRng *rng)
{
  /* Every component is drawn (fixed number of draws) and used or not. */
  gboolean use_low = es_rng_uniform (rng) < 0.5, use_high = es_rng_uniform (rng) < 0.5;
  gboolean use_tilt = es_rng_uniform (rng) < 0.5, use_ripple = es_rng_uniform (rng) < 0.5;
  int n_peaks = (int) es_rng_below (rng, 3);
  double low_gain = uniform (rng, -c->shelf_db, c->shelf_db);
  double low_fc = log_uniform (rng, 40.0, 400.0), low_slope = uniform (rng, 1.0, 3.0);
  double high_gain = uniform (rng, -c->shelf_db, c->shelf_db);
  double high_fc = log_uniform (rng, 2000.0, 12000.0), high_slope = uniform (rng, 1.0, 3.0);
  double tilt = uniform (rng, -c->tilt_db, c->tilt_db);
  double peak_gain[2], peak_fc[2], peak_bw[2];
  double ripple = uniform (rng, 0.0, c->ripple_db), ripple_period = uniform (rng, 0.125, 1.0);
  double ripple_phase = uniform (rng, 0.0, 2 * G_PI);
  double shift = exp2 (uniform (rng, -c->jitter, c->jitter));

  for (int p = 0; p < 2; p++) {
    peak_gain[p] = uniform (rng, -c->peak_db, c->peak_db);
    peak_fc[p] = log_uniform (rng, 30.0, 15000.0);
    peak_bw[p] = uniform (rng, 0.3, 1.5);
  }
  for (size_t i = 0; i < n; i++) {
    double f = frequency[i] * shift, oct = log2 (f / 1000.0), d = 0.0;
    if (use_low)
      d += low_gain / (1.0 + pow (f / low_fc, low_slope));
    if (use_high)
      d += high_gain / (1.0 + pow (high_fc / f, high_slope));
    if (use_tilt)
      d += tilt * oct;
    for (int p = 0; p < n_peaks; p++) {
      double z = log2 (f / peak_fc[p]) / peak_bw[p];
      d += peak_gain[p] * exp (-0.5 * z * z);
    }
    if (use_ripple)
      d += ripple * sin (2 * G_PI * oct / ripple_period + ripple_phase);
    out_f[i] = f;
    out_l[i] = level[i] + d;
  }
}

guint8
es_fr_luma601 (const guint8 rgb[3])
{
  return (guint8) lround (0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]);
}

static void
grey_colour (guint8 c[3])
{
  guint8 y = es_fr_luma601 (c);
  c[0] = c[1] = c[2] = y;
}

void
es_fr_graph_look_seed (EsFrGraphLook *look)
{
  memset (look, 0, sizeof *look);
  look->width = ES_GRAPH_REFERENCE_WIDTH;
  look->height = ES_GRAPH_REFERENCE_HEIGHT;
  es_graph_style_init (&look->style);
  grey_colour (look->style.line_colour);
  grey_colour (look->style.grid_colour);
}

/* matplotlib's tab10 and black, then the darker colours of WIDE */
static const guint8 look_palette[14][3] = {
  {0x1f, 0x77, 0xb4}, {0xff, 0x7f, 0x0e}, {0x2c, 0xa0, 0x2c}, {0xd6, 0x27, 0x28},
  {0x94, 0x67, 0xbd}, {0x8c, 0x56, 0x4b}, {0xe3, 0x77, 0xc2}, {0x7f, 0x7f, 0x7f},
  {0xbc, 0xbd, 0x22}, {0x17, 0xbe, 0xcf}, {0x00, 0x00, 0x00},
  {0x00, 0x00, 0x80}, {0x8b, 0x00, 0x00}, {0x00, 0x64, 0x00},
};
#define VARIED_COLOURS 11

static void
look_varied (EsFrGraphLook *look, double offset_db, EsRng *rng)
{
  static const size_t point_choices[3] = { 128, 256, 512 };
  /* fixed number of draws whatever is chosen */
  gboolean seed = es_rng_uniform (rng) < 0.25;
  double width = uniform (rng, 224.0, 1000.0), aspect = uniform (rng, 0.45, 1.1);
  double line = uniform (rng, 0.7, 4.0);
  guint64 colour = es_rng_below (rng, VARIED_COLOURS);
  double grid = es_rng_uniform (rng);
  guint8 grid_grey = (guint8) (0xa0 + es_rng_below (rng, 0x41));
  double grid_width = uniform (rng, 0.6, 1.6);
  gboolean resampled = es_rng_uniform (rng) < 0.25;
  size_t points = point_choices[es_rng_below (rng, 3)];
  double offset = uniform (rng, -offset_db, offset_db);

  es_fr_graph_look_seed (look);
  look->offset_db = offset;
  if (seed)
    return;
  look->width = (unsigned) lround (width);
  look->height = (unsigned) CLAMP (lround (width * aspect), 160, 1000);
  look->style.line_width = line;
  memcpy (look->style.line_colour, look_palette[colour], 3);
  grey_colour (look->style.line_colour);
  look->style.grid = grid < 0.5 ? ES_GRAPH_GRID_NONE
      : grid < 0.75 ? ES_GRAPH_GRID_MAJOR : ES_GRAPH_GRID_MINOR;
  memset (look->style.grid_colour, grid_grey, 3);
  look->style.grid_width = grid_width;
  look->points = resampled ? points : 0;
}

static void
look_wide (EsFrGraphLook *look, double offset_db, EsRng *rng)
{
  static const size_t point_choices[3] = { 128, 256, 512 };
  /* fixed number of draws whatever is chosen */
  gboolean seed = es_rng_uniform (rng) < 0.2;
  double width = uniform (rng, 180.0, 1000.0), aspect = uniform (rng, 0.45, 1.1);
  gboolean line_in_pixels = es_rng_uniform (rng) < 0.5;
  double line = uniform (rng, 0.7, 4.0), line_px = uniform (rng, 1.0, 3.5);
  guint64 colour = es_rng_below (rng, G_N_ELEMENTS (look_palette));
  double frame = uniform (rng, 0.8, 2.0);
  guint64 grid = es_rng_below (rng, 3);
  guint8 grid_grey = (guint8) (0x90 + es_rng_below (rng, 0x51));
  double grid_width = uniform (rng, 0.6, 1.6);
  gboolean resampled = es_rng_uniform (rng) < 0.25;
  size_t points = point_choices[es_rng_below (rng, 3)];
  double offset = uniform (rng, -offset_db, offset_db);
  double scale;

  es_fr_graph_look_seed (look);
  look->offset_db = offset;
  if (seed)
    return;
  look->width = (unsigned) lround (width);
  look->height = (unsigned) CLAMP (lround (width * aspect), 120, 1000);
  /* widths in the style are at 800 x 500 and scale with the image */
  scale = sqrt ((double) look->width / ES_GRAPH_REFERENCE_WIDTH
      * (double) look->height / ES_GRAPH_REFERENCE_HEIGHT);
  look->style.line_width = line_in_pixels ? line_px / scale : line;
  look->style.frame_width = frame / scale;
  memcpy (look->style.line_colour, look_palette[colour], 3);
  grey_colour (look->style.line_colour);
  look->style.grid = grid == 0 ? ES_GRAPH_GRID_NONE
      : grid == 1 ? ES_GRAPH_GRID_MAJOR : ES_GRAPH_GRID_MINOR;
  memset (look->style.grid_colour, grid_grey, 3);
  look->style.grid_width = grid_width;
  look->points = resampled ? points : 0;
}

void
es_fr_graph_look_random (EsFrGraphLook *look, EsFrLookFamily family, double offset_db,
    EsRng *rng)
{
  switch (family) {
    case ES_FR_LOOK_SEED:
      es_fr_graph_look_seed (look);
      look->offset_db = uniform (rng, -offset_db, offset_db);
      break;
    case ES_FR_LOOK_WIDE:
      look_wide (look, offset_db, rng);
      break;
    case ES_FR_LOOK_VARIED:
    default:
      look_varied (look, offset_db, rng);
      break;
  }
}

gboolean
es_fr_graph_example (const double *frequency, const double *level, size_t n,
    const EsFrGraphLook *look, EsImage **scratch, float *out, unsigned out_w,
    unsigned out_h, GError **error)
{
  EsImage *img = *scratch;
  gboolean ok;

  if (!img || img->width != look->width || img->height != look->height) {
    es_image_free (img);
    img = *scratch = es_image_new (look->width, look->height, 1);
  }
  if (look->points >= 2) {
    float *curve = g_new (float, look->points);
    es_fr_resample (frequency, level, n, look->style.fmin, look->style.fmax, TRUE, curve,
        look->points);
    for (size_t i = 0; i < look->points; i++)
      curve[i] += (float) look->offset_db;
    ok = es_graph_draw_log_grid (img, curve, look->points, look->style.fmin,
        look->style.fmax, &look->style, error);
    g_free (curve);
  } else {
    double *l = g_new (double, n), mean = es_fr_mean (level, n);
    for (size_t i = 0; i < n; i++)
      l[i] = level[i] - mean + look->offset_db;
    ok = es_graph_draw (img, frequency, l, n, &look->style, error);
    g_free (l);
  }
  if (ok)
    es_resize_gray8_to_float (img->pixels, img->width, img->height, img->stride, out, out_w,
        out_h);
  return ok;
}

/* Read-only once made, so one EsFrAugment may serve several trainings at
 * once (cross-validation folds on threads); scratch lives in each call. */
struct _EsFrAugment {
  EsFrAugmentConfig config;
  int class_of[ES_FR_N_SIGNATURES];
};

EsFrAugment *
es_fr_augment_new (const EsFrAugmentConfig *config, const EsDataset *like, GError **error)
{
  EsFrAugment *a;
  if (!like->raw) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
        "augmentation needs the measured rows of each example (data kind iem or iem-graph)");
    return NULL;
  }
  a = g_new0 (EsFrAugment, 1);
  a->config = *config;
  if (!(a->config.fmin > 0))
    a->config.fmin = ES_FR_FMIN_DEFAULT;
  if (!(a->config.fmax > a->config.fmin))
    a->config.fmax = ES_FR_FMAX_DEFAULT;
  for (int s = 0; s < ES_FR_N_SIGNATURES; s++) {
    const char *name = es_fr_signature_name (s);
    a->class_of[s] = -1;
    for (int c = 0; c < like->n_classes; c++)
      if (strcmp (like->class_names[c], name) == 0)
        a->class_of[s] = c;
    if (a->class_of[s] < 0) {
      g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
          "augmentation relabels by the tuning-signature rule, but class '%s' is not "
          "among the data's classes", name);
      g_free (a);
      return NULL;
    }
  }
  return a;
}

void
es_fr_augment_free (EsFrAugment *a)
{
  if (!a)
    return;
  g_free (a);
}

/* P(diff >= threshold) under the softness; a step when the softness is 0 */
static double
soft_test (double diff, double softness)
{
  double margin = diff - ES_FR_SIGNATURE_THRESHOLD_DB;
  if (!(softness > 0.0))
    return margin >= 0.0 ? 1.0 : 0.0;
  return 1.0 / (1.0 + exp (-margin / softness));
}

void
es_fr_augment_soft_target (const EsFrAugment *a, double bass_diff, double treble_diff,
    float *target)
{
  double bass, treble;

  if (isnan (bass_diff) || isnan (treble_diff)) {
    bass = treble = 0.0;
  } else {
    bass = soft_test (bass_diff, a->config.label_softness);
    treble = soft_test (treble_diff, a->config.label_softness);
  }
  target[a->class_of[ES_FR_SIGNATURE_NEUTRAL]] = (float) ((1.0 - bass) * (1.0 - treble));
  target[a->class_of[ES_FR_SIGNATURE_BRIGHT]] = (float) ((1.0 - bass) * treble);
  target[a->class_of[ES_FR_SIGNATURE_WARM]] = (float) (bass * (1.0 - treble));
  target[a->class_of[ES_FR_SIGNATURE_V_SHAPE]] = (float) (bass * treble);
}

void
es_fr_augment_batch (const EsDataset *d, const size_t *indices, size_t batch, float *x,
    int *labels, float *targets, EsRng *rng, gpointer user_data)
{
  const EsFrAugment *a = user_data;
  gboolean graph = d->ndim == 3;
  EsImage *scratch = NULL;
  double *pf = NULL, *pl = NULL;
  size_t cap = 0;

  for (size_t j = 0; j < batch; j++) {
    size_t n;
    const double *f, *l;
    /* fixed number of draws per example */
    gboolean perturb = es_rng_uniform (rng) < a->config.probability;
    gboolean new_look = graph && es_rng_uniform (rng) < a->config.looks;
    EsRng sub;
    EsFrGraphLook look;
    double bass_diff, treble_diff;

    es_iem_raw_rows (d->raw[indices[j]], &n, &f, &l);
    es_rng_init (&sub, es_rng_next (rng));
    if (targets && !perturb) {
      es_fr_signature (f, l, n, &bass_diff, &treble_diff);
      es_fr_augment_soft_target (a, bass_diff, treble_diff, targets + j * d->n_classes);
    }
    if (!perturb && !new_look)
      continue;
    if (perturb) {
      if (n > cap) {
        cap = n;
        pf = g_renew (double, pf, n);
        pl = g_renew (double, pl, n);
      }
      es_fr_perturb (&a->config, f, l, n, pf, pl, &sub);
      f = pf;
      l = pl;
      labels[j] = a->class_of[es_fr_signature (f, l, n, &bass_diff, &treble_diff)];
      if (targets)
        es_fr_augment_soft_target (a, bass_diff, treble_diff, targets + j * d->n_classes);
    }
    if (graph) {
      /* a perturbed example gets a random look too when looks > 0 */
      if (a->config.looks > 0)
        es_fr_graph_look_random (&look, a->config.look_family == ES_FR_LOOK_WIDE ?
            ES_FR_LOOK_WIDE : ES_FR_LOOK_VARIED, a->config.offset_db, &sub);
      else
        es_fr_graph_look_seed (&look);
      /* the rows are finite and increasing: drawing cannot fail */
      es_fr_graph_example (f, l, n, &look, &scratch, x + j * d->input_size,
          (unsigned) d->shape[2], (unsigned) d->shape[1], NULL);
    } else {
      es_fr_resample (f, l, n, a->config.fmin, a->config.fmax, TRUE, x + j * d->input_size,
          d->input_size);
    }
  }
  es_image_free (scratch);
  g_free (pf);
  g_free (pl);
}
