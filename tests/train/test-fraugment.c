/* FR augmentation (tasks/iem/fraugment.h) and the iem-graph data kind: perturbations
 * are deterministic for a seed and relabel by the rule; a +6 dB bass shelf
 * turns a Neutral curve Warm; graph examples are exactly what io/graph.h draws
 * resized by io/resize.h; the IEM loaders keep raw rows (development data:
 * skipped without ES_DATA_DIR). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/frcsv.h"
#include "io/frcurve.h"
#include "io/graph.h"
#include "io/resize.h"
#include "tasks/iem/dataset-iem.h"
#include "tasks/iem/fraugment.h"
#include "fixture.h"

static const char *const classes[] = { "Neutral", "Bright", "Warm", "V-shape", NULL };

/* A squig.link-like grid: 1/48 octave from 20 Hz to 20 kHz. */
static size_t
flat_curve (double *f, double *l, double level)
{
  size_t n = 0;
  for (double x = 20.0; x <= 20000.0; x *= exp2 (1.0 / 48))
    f[n] = x, l[n++] = level;
  return n;
}

/* A one-example data set holding a curve (raw rows and its resampled vector). */
static EsDataset *
curve_dataset (const double *f, const double *l, size_t n, size_t points)
{
  EsDataset *d = es_dataset_new (1, points, classes);
  d->raw = g_new0 (GBytes *, 1);
  d->raw[0] = es_iem_raw_new (f, l, n);
  d->labels[0] = (int) es_fr_signature (f, l, n, NULL, NULL);
  es_fr_resample (f, l, n, 20, 20000, TRUE, d->x, points);
  d->sample_names[0] = g_strdup ("flat");
  return d;
}

START_TEST (test_bass_shelf_makes_warm)
{
  double f[600], l[600], l2[600], bass, treble;
  size_t n = flat_curve (f, l, 90.0);
  ck_assert_int_eq (es_fr_signature (f, l, n, NULL, NULL), ES_FR_SIGNATURE_NEUTRAL);
  /* +6 dB below ~150 Hz, smooth */
  for (size_t i = 0; i < n; i++)
    l2[i] = l[i] + 6.0 / (1.0 + pow (f[i] / 150.0, 2.0));
  ck_assert_int_eq (es_fr_signature (f, l2, n, &bass, &treble), ES_FR_SIGNATURE_WARM);
  ck_assert (bass >= 3.0 && treble < 3.0);
}
END_TEST

START_TEST (test_perturb_deterministic)
{
  double f[600], l[600], f1[600], l1[600], f2[600], l2[600];
  size_t n = flat_curve (f, l, 0.0);
  EsFrAugmentConfig c;
  EsRng a, b;
  gboolean differs = FALSE;

  es_fr_augment_config_init (&c);
  es_rng_init (&a, 42);
  es_rng_init (&b, 42);
  for (int k = 0; k < 20; k++) {
    es_fr_perturb (&c, f, l, n, f1, l1, &a);
    es_fr_perturb (&c, f, l, n, f2, l2, &b);
    ck_assert (memcmp (f1, f2, n * sizeof (double)) == 0);
    ck_assert (memcmp (l1, l2, n * sizeof (double)) == 0);
    for (size_t i = 0; i < n; i++) {
      ck_assert (isfinite (l1[i]));
      if (i)
        ck_assert (f1[i] > f1[i - 1]);
      differs |= fabs (l1[i]) > 0.1;
    }
  }
  ck_assert (differs);
}
END_TEST

/* The batch hook relabels each perturbed example by the rule on its perturbed
 * raw rows and gives the resampled perturbed curve; with shelves only, some
 * draws turn the flat Neutral curve Warm (bass shelf) or Bright (treble).
 * Asked for soft targets, it gives each the product of two logistic tests of
 * the rule's differences (computed here again from the formula). */
START_TEST (test_augment_batch_relabels)
{
  double f[600], l[600], pf[600], pl[600];
  size_t n = flat_curve (f, l, 80.0), idx = 0;
  EsDataset *d = curve_dataset (f, l, n, 64);
  EsFrAugmentConfig c;
  EsFrAugment *aug;
  int seen[4] = { 0 };
  float x[64], expect[64], target[4];
  int near_threshold = 0;

  es_fr_augment_config_init (&c);
  c.label_softness = 0.25;
  c.probability = 1.0;
  c.shelf_db = 8.0;
  c.tilt_db = c.peak_db = c.ripple_db = c.jitter = 0.0;
  aug = es_fr_augment_new (&c, d, NULL);
  ck_assert (aug != NULL);
  for (guint64 seed = 1; seed <= 1000; seed++) {
    EsRng rng, replay, sub;
    int label = d->labels[0];
    double bass_diff, treble_diff, pb, pt, want[4];
    memcpy (x, d->x, sizeof x);
    es_rng_init (&rng, seed);
    es_fr_augment_batch (d, &idx, 1, x, &label, target, &rng, aug);
    /* replay the documented draws: one uniform (perturb?), one sub-seed */
    es_rng_init (&replay, seed);
    (void) es_rng_uniform (&replay);
    es_rng_init (&sub, es_rng_next (&replay));
    es_fr_perturb (&c, f, l, n, pf, pl, &sub);
    ck_assert_int_eq (label, (int) es_fr_signature (pf, pl, n, &bass_diff, &treble_diff));
    pb = 1.0 / (1.0 + exp (-(bass_diff - 3.0) / 0.25));
    pt = 1.0 / (1.0 + exp (-(treble_diff - 3.0) / 0.25));
    want[ES_FR_SIGNATURE_NEUTRAL] = (1 - pb) * (1 - pt);
    want[ES_FR_SIGNATURE_BRIGHT] = (1 - pb) * pt;
    want[ES_FR_SIGNATURE_WARM] = pb * (1 - pt);
    want[ES_FR_SIGNATURE_V_SHAPE] = pb * pt;
    for (int k = 0; k < 4; k++) {
      ck_assert_float_eq_tol (target[k], want[k], 1e-6);
      /* the label is the most likely class */
      ck_assert (target[k] <= target[label] + 1e-6f);
    }
    near_threshold += target[label] < 0.9f;
    es_fr_resample (pf, pl, n, 20, 20000, TRUE, expect, 64);
    ck_assert (memcmp (x, expect, sizeof x) == 0);
    seen[label]++;
  }
  ck_assert_int_gt (seen[0], 0);
  ck_assert_int_gt (seen[1], 0);
  ck_assert_int_gt (seen[2], 0);
  ck_assert_int_gt (seen[3], 0);
  /* some draws land near a threshold, where the targets are not one-hot */
  ck_assert_int_gt (near_threshold, 0);
  /* unperturbed examples get the targets of their own rows: the flat curve's
   * differences are 0 dB, 3 dB below both thresholds, so ~Neutral */
  c.probability = 0.0;
  es_fr_augment_free (aug);
  aug = es_fr_augment_new (&c, d, NULL);
  {
    EsRng rng;
    int label = d->labels[0];
    double p = 1.0 / (1.0 + exp (3.0 / 0.25));
    es_rng_init (&rng, 7);
    es_fr_augment_batch (d, &idx, 1, x, &label, target, &rng, aug);
    ck_assert_int_eq (label, ES_FR_SIGNATURE_NEUTRAL);
    ck_assert_float_eq_tol (target[ES_FR_SIGNATURE_NEUTRAL], (1 - p) * (1 - p), 1e-6);
    ck_assert_float_eq_tol (target[ES_FR_SIGNATURE_V_SHAPE], p * p, 1e-9);
  }
  es_fr_augment_free (aug);
  es_dataset_free (d);
}
END_TEST

START_TEST (test_augment_needs_raw_rows)
{
  EsDataset *d = es_dataset_new (1, 4, classes);
  EsFrAugmentConfig c;
  GError *err = NULL;
  es_fr_augment_config_init (&c);
  ck_assert (es_fr_augment_new (&c, d, &err) == NULL);
  ck_assert (strstr (err->message, "measured rows") != NULL);
  g_error_free (err);
  es_dataset_free (d);
}
END_TEST

/* A graph example is io/graph.h's drawing (mean of the rows removed, colours
 * as BT.601 grey) resized by io/resize.h. */
START_TEST (test_graph_example_is_graph_h)
{
  double f[600], l[600], lz[600];
  size_t n = flat_curve (f, l, 0.0);
  EsFrGraphLook look;
  EsImage *scratch = NULL, *ref;
  float *got = g_new (float, 224 * 224), *want = g_new (float, 224 * 224);
  EsRng rng;

  for (size_t i = 0; i < n; i++)
    l[i] = 85.0 + 8.0 * sin (log2 (f[i]));
  for (size_t i = 0; i < n; i++)
    lz[i] = l[i] - es_fr_mean (l, n);
  es_fr_graph_look_seed (&look);
  ck_assert_uint_eq (look.width, 800);
  ck_assert_uint_eq (look.height, 500);
  /* #1f77b4 -> 0.299*31 + 0.587*119 + 0.114*180 = 99.6 */
  ck_assert_uint_eq (look.style.line_colour[0], 100);
  ck_assert (es_fr_graph_example (f, l, n, &look, &scratch, got, 224, 224, NULL));
  ref = es_graph_render (800, 500, 1, f, lz, n, &look.style, NULL);
  es_resize_gray8_to_float (ref->pixels, 800, 500, ref->stride, want, 224, 224);
  ck_assert (memcmp (got, want, 224 * 224 * sizeof (float)) == 0);
  es_image_free (ref);

  /* random looks: sizes and styles vary, drawing still matches graph.h */
  es_rng_init (&rng, 7);
  for (int k = 0; k < 6; k++) {
    gboolean wide = k % 2;
    es_fr_graph_look_random (&look, wide ? ES_FR_LOOK_WIDE : ES_FR_LOOK_VARIED, 2.0, &rng);
    ck_assert (look.width >= (wide ? 180 : 224) && look.width <= 1000);
    ck_assert (look.height >= (wide ? 120 : 160) && look.height <= 1000);
    ck_assert (look.style.line_colour[0] == look.style.line_colour[1]);
    ck_assert (es_fr_graph_example (f, l, n, &look, &scratch, got, 224, 224, NULL));
    if (look.points == 0) {
      for (size_t i = 0; i < n; i++)
        lz[i] = l[i] - es_fr_mean (l, n) + look.offset_db;
      ref = es_graph_render (look.width, look.height, 1, f, lz, n, &look.style, NULL);
      es_resize_gray8_to_float (ref->pixels, look.width, look.height, ref->stride, want,
          224, 224);
      ck_assert (memcmp (got, want, 224 * 224 * sizeof (float)) == 0);
      es_image_free (ref);
    }
  }
  es_image_free (scratch);
  g_free (got);
  g_free (want);
}
END_TEST

/* The wide family draws what the varied one never does, and what other
 * plotting tools do at low resolution: lines 2.5 px and thicker on graphs
 * under 400 px, dark line colours other than black, heavier frames and darker
 * grids; within bounds, grey, and a fifth in the seed's look. */
START_TEST (test_wide_looks)
{
  EsRng rng;
  EsFrGraphLook look, seed;
  int small = 0, small_thick = 0, dark = 0, heavy_frame = 0, dark_grid = 0, seeds = 0;
  const int n = 4000;

  es_fr_graph_look_seed (&seed);
  for (int family = ES_FR_LOOK_VARIED; family <= ES_FR_LOOK_WIDE; family++) {
    small = small_thick = dark = heavy_frame = dark_grid = seeds = 0;
    es_rng_init (&rng, 11);
    for (int i = 0; i < n; i++) {
      double line_px, frame_px;
      guint8 y;
      es_fr_graph_look_random (&look, family, 2.0, &rng);
      ck_assert (look.width >= 180 && look.width <= 1000);
      ck_assert (look.height >= 120 && look.height <= 1000);
      ck_assert (fabs (look.offset_db) <= 2.0);
      ck_assert (look.style.line_colour[0] == look.style.line_colour[2]);
      if (look.width == seed.width && look.height == seed.height
          && look.style.line_width == seed.style.line_width
          && look.style.line_colour[0] == seed.style.line_colour[0]) {
        seeds++;
        continue;
      }
      line_px = es_graph_scaled_width (look.style.line_width, look.width, look.height);
      frame_px = es_graph_scaled_width (look.style.frame_width, look.width, look.height);
      ck_assert (line_px >= 1.0 && line_px <= 4.0 * 1.6);
      y = look.style.line_colour[0];
      if (look.width < 400) {
        small++;
        small_thick += line_px >= 2.5;
      }
      dark += y > 0 && y < 64;
      heavy_frame += frame_px >= 1.6;
      dark_grid += look.style.grid != ES_GRAPH_GRID_NONE && look.style.grid_colour[0] < 0xa0;
    }
    if (family == ES_FR_LOOK_VARIED) {
      ck_assert_int_eq (small_thick, 0);
      ck_assert_int_eq (dark, 0);
      ck_assert_int_eq (dark_grid, 0);
    } else {
      ck_assert_int_gt (small, n / 10);
      ck_assert_int_gt (small_thick, small / 8);
      ck_assert_int_gt (dark, n / 20);
      ck_assert_int_gt (heavy_frame, n / 10);
      ck_assert_int_gt (dark_grid, n / 20);
      ck_assert (seeds > n / 7 && seeds < n / 4);
    }
  }
}
END_TEST

/* Development data: the iem loader keeps raw rows; iem-graph stores the
 * drawing of each file; augmentation of real files relabels by the rule. */
START_TEST (test_iem_graph_loader)
{
  const char *data = es_test_data_dir ();
  EsDatasetOptions o = { 0 };
  EsIemDataOptions io = { 0 };
  EsDataset *d, *g;
  GError *err = NULL;
  char *dir, *file;
  EsFrMeasurement *m;
  float *want;
  EsImage *scratch = NULL;
  EsFrGraphLook look;

  if (!data) {
    printf ("test_iem_graph_loader: skipped, no development data (../shared/data or ES_DATA_DIR)\n");
    return;
  }
  dir = g_build_filename (data, "iem", NULL);
  o.class_names = classes;
  o.group_columns = "reviewer";
  io.points = 512;
  o.max_rows = 12;
  d = es_dataset_load_iem (dir, &o, &io, &err);
  ck_assert_msg (d, "%s", err ? err->message : "");
  ck_assert_uint_eq (d->input_size, 512);
  ck_assert_int_eq (d->ndim, 0);
  ck_assert (d->raw != NULL);
  for (size_t i = 0; i < d->n; i++) {
    size_t n;
    const double *f, *l;
    es_iem_raw_rows (d->raw[i], &n, &f, &l);
    ck_assert_int_eq (d->labels[i], (int) es_fr_signature (f, l, n, NULL, NULL));
  }
  io.width = 112;
  io.height = 96;
  g = es_dataset_load_iem_graph (dir, &o, &io, &err);
  ck_assert_msg (g, "%s", err ? err->message : "");
  ck_assert_uint_eq (g->input_size, 112 * 96);
  ck_assert_int_eq (g->ndim, 3);
  ck_assert_uint_eq (g->shape[0], 1);
  ck_assert_uint_eq (g->shape[1], 96);
  ck_assert_uint_eq (g->shape[2], 112);
  file = g_build_filename (dir, g->sample_names[3], NULL);
  m = es_fr_measurement_load (file, NULL, &err);
  ck_assert_msg (m, "%s", err ? err->message : "");
  want = g_new (float, 112 * 96);
  es_fr_graph_look_seed (&look);
  ck_assert (es_fr_graph_example (m->frequency, m->level, m->n, &look, &scratch, want, 112,
          96, NULL));
  ck_assert (memcmp (want, g->x + 3 * g->input_size, 112 * 96 * sizeof (float)) == 0);
  /* subsets keep raw rows */
  {
    size_t idx[2] = { 3, 5 };
    EsDataset *s = es_dataset_subset (g, idx, 2);
    size_t n;
    const double *f, *l;
    es_iem_raw_rows (s->raw[0], &n, &f, &l);
    ck_assert_uint_eq (n, m->n);
    ck_assert (memcmp (l, m->level, m->n * sizeof (double)) == 0);
    ck_assert (s->raw[0] == g->raw[3]);   /* shared, not copied */
    ck_assert_uint_eq (s->shape[1], 96);
    es_dataset_free (s);
  }
  es_image_free (scratch);
  es_fr_measurement_free (m);
  g_free (want);
  g_free (file);
  g_free (dir);
  es_dataset_free (d);
  es_dataset_free (g);
}
END_TEST

static Suite *
fraugment_suite (void)
{
  Suite *s = suite_create ("fraugment");
  TCase *tc = tcase_create ("core");
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_bass_shelf_makes_warm);
  tcase_add_test (tc, test_perturb_deterministic);
  tcase_add_test (tc, test_augment_batch_relabels);
  tcase_add_test (tc, test_augment_needs_raw_rows);
  tcase_add_test (tc, test_graph_example_is_graph_h);
  tcase_add_test (tc, test_wide_looks);
  tcase_add_test (tc, test_iem_graph_loader);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (fraugment_suite ());
  int failed;
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
