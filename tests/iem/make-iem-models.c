/* Writes small IEM signature models for the `earshot iem` tests, so they need
 * no shipped (trained) model. The weights are set by hand to a linear version
 * of the label rule (data/iem/README.md), so a strongly warm curve comes out
 * Warm and a strongly bright one Bright in both models:
 *
 *   logit(Neutral) = K * T
 *   logit(Warm)    = K * (bass - mid)
 *   logit(Bright)  = K * (treble - mid)
 *   logit(V-shape) = K * (bass - mid + treble - mid - T)
 *
 * where bass/mid/treble are region means of the curve (1D: of the resampled
 * dB values; 2D: of the curve's height read from the ink in each column).
 *
 * Usage: make-iem-models DIR
 * writes DIR/tiny-iem-1d.safetensors (features [1, 64], frontend
 * {"source":"measurement","points":64,"fmin":20,"fmax":20000}) and
 * DIR/tiny-iem-2d.safetensors (grey images [1, 25, 40], i.e. 800x500 / 20). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "io/frcurve.h"
#include "model/model.h"

static const char *const labels[] = { "Neutral", "Bright", "Warm", "V-shape", NULL };
enum { NEUTRAL, BRIGHT, WARM, V_SHAPE, N_LABELS };

#define ARCHITECTURE "[{\"type\":\"flatten\"},{\"type\":\"dense\",\"out_features\":4}]"

#define POINTS_1D 64
#define HEIGHT_2D 25
#define WIDTH_2D 40
#define INK_PER_COLUMN 0.06

typedef enum { REGION_NONE, REGION_BASS, REGION_MID, REGION_TREBLE } Region;

static Region
region_of (double f)
{
  if (f >= 20 && f < 250)
    return REGION_BASS;
  if (f >= 250 && f < 4000)
    return REGION_MID;
  if (f >= 4000 && f < 12000)
    return REGION_TREBLE;
  return REGION_NONE;
}

/* Dense weights from per-input "region value" coefficients: input i adds
 * coef[i] to its region's mean. */
static void
set_rule_weights (EsModel * model, const Region * region, const double *coef,
    const double *offset, size_t n, double cells_per_column, double k,
    double threshold)
{
  EsNet *net = es_model_get_net (model);
  EsNetParam *w = es_net_find_param (net, "1.weight");
  EsNetParam *b = es_net_find_param (net, "1.bias");
  double count[4] = { 0 }, region_offset[4] = { 0 };

  /* region means are over columns (frequencies), not cells */
  for (size_t i = 0; i < n; i++)
    count[region[i]] += 1.0 / cells_per_column;
  memset (w->value->data, 0, N_LABELS * n * sizeof (float));
  for (size_t i = 0; i < n; i++) {
    double bass = region[i] == REGION_BASS ? coef[i] / count[REGION_BASS] : 0;
    double mid = region[i] == REGION_MID ? coef[i] / count[REGION_MID] : 0;
    double treble = region[i] == REGION_TREBLE ? coef[i] / count[REGION_TREBLE] : 0;

    w->value->data[WARM * n + i] = (float) (k * (bass - mid));
    w->value->data[BRIGHT * n + i] = (float) (k * (treble - mid));
    w->value->data[V_SHAPE * n + i] = (float) (k * (bass + treble - 2 * mid));
    region_offset[region[i]] += offset[i] / MAX (count[region[i]], 1);
  }
  b->value->data[NEUTRAL] = (float) (k * threshold);
  b->value->data[WARM] = (float) (k * (region_offset[REGION_BASS]
          - region_offset[REGION_MID]));
  b->value->data[BRIGHT] = (float) (k * (region_offset[REGION_TREBLE]
          - region_offset[REGION_MID]));
  b->value->data[V_SHAPE] = (float) (k * (region_offset[REGION_BASS]
          + region_offset[REGION_TREBLE] - 2 * region_offset[REGION_MID] - threshold));
}

static gboolean
save (EsModel * model, const char *dir, const char *name)
{
  GError *error = NULL;
  char *file = g_strconcat (name, ".safetensors", NULL);
  char *path = g_build_filename (dir, file, NULL);
  gboolean ok = es_model_save (model, path, &error);

  if (!ok) {
    fprintf (stderr, "make-iem-models: %s\n", error->message);
    g_error_free (error);
  }
  g_free (path);
  g_free (file);
  return ok;
}

static gboolean
write_1d (const char *dir)
{
  size_t shape[2] = { 1, POINTS_1D };
  GError *error = NULL;
  EsModel *model = es_model_new ("tiny-iem-1d", ARCHITECTURE,
      ES_MODEL_INPUT_FEATURES, 2, shape, labels, &error);
  double freq[POINTS_1D], coef[POINTS_1D], offset[POINTS_1D] = { 0 };
  Region region[POINTS_1D];
  gboolean ok;

  if (model == NULL) {
    fprintf (stderr, "make-iem-models: %s\n", error->message);
    return FALSE;
  }
  es_fr_log_grid (freq, POINTS_1D, 20, 20000);
  for (int i = 0; i < POINTS_1D; i++) {
    region[i] = region_of (freq[i]);
    coef[i] = 1.0;              /* the value is the level in dB */
  }
  set_rule_weights (model, region, coef, offset, POINTS_1D, 1, 2.0,
      ES_FR_SIGNATURE_THRESHOLD_DB);
  es_model_set_task (model, "test model: a linear IEM label rule on 64 points");
  ok = es_model_set_frontend (model,
      "{\"source\":\"measurement\",\"points\":64,\"fmin\":20,\"fmax\":20000}", &error);
  ok = ok && save (model, dir, "tiny-iem-1d");
  es_model_free (model);
  return ok;
}

/* The graph (earshot plot's layout at 800x500, scaled to 40x25 cells): the
 * axes box spans x 100..720 and y 60..445 px, log 20 Hz..20 kHz and
 * +30..-30 dB. A column's ink (1 - pixel) weighted by the dB of each row's
 * centre, over the ink, is the curve's level there; the ink of a curve
 * column is about the same everywhere, so a fixed scale stands in for the
 * division and the rule stays linear. */
static gboolean
write_2d (const char *dir)
{
  size_t shape[3] = { 1, HEIGHT_2D, WIDTH_2D };
  GError *error = NULL;
  EsModel *model = es_model_new ("tiny-iem-2d", ARCHITECTURE,
      ES_MODEL_INPUT_IMAGE, 3, shape, labels, &error);
  enum { N = HEIGHT_2D * WIDTH_2D };
  static double coef[N], offset[N];
  static Region region[N];
  const double cell = 800.0 / WIDTH_2D;
  int interior_rows = 0;
  gboolean ok;

  if (model == NULL) {
    fprintf (stderr, "make-iem-models: %s\n", error->message);
    return FALSE;
  }
  for (int y = 0; y < HEIGHT_2D; y++)
    for (int x = 0; x < WIDTH_2D; x++) {
      int i = y * WIDTH_2D + x;
      double x0 = x * cell, x1 = (x + 1) * cell;
      double y0 = y * cell, y1 = (y + 1) * cell;
      double fc = 20.0 * pow (1000.0, ((x0 + x1) / 2 - 100) / 620);
      double db = 30.0 - 60.0 * ((y0 + y1) / 2 - 60) / 385;

      /* cells touching the frame hold its ink, not the curve's */
      region[i] = (x0 <= 101 || x1 >= 719 || y0 <= 61 || y1 >= 444)
          ? REGION_NONE : region_of (fc);
      /* pixel p = 1 - ink: ink * db = db - db * p */
      coef[i] = -db;
      offset[i] = db;
    }
  for (int y = 0; y < HEIGHT_2D; y++)
    interior_rows += region[y * WIDTH_2D + WIDTH_2D / 2] != REGION_NONE;
  /* a 2-px matplotlib-blue curve (luma ~0.4) leaves ~0.06 cell-heights of
   * ink per 20-px column */
  set_rule_weights (model, region, coef, offset, N, interior_rows,
      2.0 / INK_PER_COLUMN, INK_PER_COLUMN * ES_FR_SIGNATURE_THRESHOLD_DB);
  es_model_set_task (model, "test model: a linear IEM label rule on 40x25 graphs");
  ok = es_model_set_frontend (model,
      "{\"source\":\"measurement\",\"points\":128,\"fmin\":20,\"fmax\":20000,"
      "\"image\":\"graph\"}", &error);
  ok = ok && save (model, dir, "tiny-iem-2d");
  es_model_free (model);
  return ok;
}

int
main (int argc, char **argv)
{
  if (argc != 2) {
    fprintf (stderr, "usage: make-iem-models DIR\n");
    return 2;
  }
  return write_1d (argv[1]) && write_2d (argv[1]) ? 0 : 1;
}
