/* earshot iem: the tuning signature (Neutral, Bright, Warm, V-shape...) of
 * IEM frequency-response measurements, from the measurement itself (CSV/text,
 * 1D model) or from a picture of its graph (PNG, JPEG or any image GStreamer
 * decodes, 2D model). Files and folders; text, JSON or CSV results.
 *
 * The inputs are prepared exactly as the elements prepare them, so
 * `earshot iem` and `frsrc ! cnnclassify` or `filesrc ! decodebin !
 * videoconvert ! cnnclassify` give the same probabilities:
 *  - measurements: es_fr_measurement_load + es_fr_resample onto the model's
 *    own grid (points/fmin/fmax of its "frontend" metadata), mean removed;
 *  - images: decoded to GRAY8 at their own size through GStreamer, then
 *    es_resize_gray8_to_float to the model's H x W (area averaging). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>
#include <json-glib/json-glib.h>

#include "commands.h"
#include "runtime.h"
#include "decide/decision.h"
#include "io/frcsv.h"
#include "io/frcurve.h"
#include "io/output.h"
#include "io/resize.h"
#include "io/text.h"
#include "model/model.h"

#define PROG "earshot iem"

#define EXIT_OK 0
#define EXIT_FAILURE_RUN 1
#define EXIT_USAGE 2

#define DEFAULT_MODEL_1D "iem-signature-1d"
#define DEFAULT_MODEL_2D "iem-signature-2d"

/* A still image decodes in milliseconds; the cap only guards against a
 * decoder that never prerolls (e.g. a stream that is not an image at all). */
#define DECODE_TIMEOUT_SECONDS 30

typedef enum {
  INPUT_MEASUREMENT,            /* CSV/text → 1D model */
  INPUT_IMAGE,                  /* graph picture → 2D model */
} InputKind;

static const char *const input_kind_names[] = { "measurement", "image" };

/* Extensions a folder walk picks up (measurements, then images); named files
 * are taken whatever their name, and their content decides first (see
 * detect_kind). */
static const char *const walk_extensions[] = {
  "csv", "txt", "tsv", "dat",
  "png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff", NULL
};
static const char *const *const image_extensions = walk_extensions + 4;

typedef struct {
  char *path;
  InputKind kind;
  gboolean walked;              /* found in a folder rather than named */
} InputFile;

/* A model plus what is needed to feed it. */
typedef struct {
  InputKind feeds;              /* the inputs this model classifies */
  const char *role;             /* "1D", "2D" */
  const char *option;           /* "--model-1d" */
  const char *inputs;           /* "CSV measurements" */
  char *name_or_path;
  EsModel *model;
  size_t input_size;
  /* 1D: the resampling grid; 2D: the image size */
  size_t points;
  double fmin, fmax;
  size_t width, height;
} ModelSlot;

typedef struct {
  InputFile *input;
  const ModelSlot *slot;        /* NULL when the kind could not be decided */
  int best;                     /* index of the label, -1 on failure */
  double *probabilities;        /* n_labels of the slot's model */
  char *error;                  /* NULL on success */
  /* the label rule on the raw rows, for measurements */
  gboolean have_rule;
  EsFrSignature rule;
  double bass_diff, treble_diff;
} Result;

typedef enum {
  FORMAT_TEXT,
  FORMAT_JSON,
  FORMAT_CSV,
} OutputFormat;

typedef struct {
  gchar *model_1d, *model_2d, *output;
  gboolean recursive, verbose, quiet, json, csv;
} IemOptions;

/* ---------------------------------------------------------------- inputs */

#define has_extension es_cli_has_extension

/* Image signatures GStreamer's decoders handle (PNG, JPEG, GIF, BMP, WebP,
 * TIFF). */
static gboolean
looks_like_image (const guint8 * head, gsize n)
{
  return (n >= 8 && memcmp (head, "\x89PNG\r\n\x1a\n", 8) == 0)
      || (n >= 3 && memcmp (head, "\xff\xd8\xff", 3) == 0)
      || (n >= 4 && memcmp (head, "GIF8", 4) == 0)
      || (n >= 2 && memcmp (head, "BM", 2) == 0)
      || (n >= 12 && memcmp (head, "RIFF", 4) == 0 && memcmp (head + 8, "WEBP", 4) == 0)
      || (n >= 4 && (memcmp (head, "II*\0", 4) == 0 || memcmp (head, "MM\0*", 4) == 0));
}

/* The content decides (an image signature → image), then the name (an image
 * extension → image, so a broken PNG is reported by the decoder); anything
 * else is read as a measurement. FALSE with a message if the file cannot be
 * opened or is not a regular file (never opened then: a FIFO would block). */
static gboolean
detect_kind (const char *path, InputKind * kind, char **error)
{
  GStatBuf st;
  guint8 head[16];
  gsize n;
  FILE *f;

  if (g_stat (path, &st) != 0) {
    *error = g_strdup_printf ("%s: %s", path, g_strerror (errno));
    return FALSE;
  }
  if (!S_ISREG (st.st_mode)) {
    *error = g_strdup_printf ("%s: not a regular file", path);
    return FALSE;
  }
  f = g_fopen (path, "rb");
  if (f == NULL) {
    *error = g_strdup_printf ("%s: %s", path, g_strerror (errno));
    return FALSE;
  }
  n = fread (head, 1, sizeof head, f);
  if (ferror (f)) {
    *error = g_strdup_printf ("%s: %s", path, g_strerror (errno));
    fclose (f);
    return FALSE;
  }
  fclose (f);
  if (looks_like_image (head, n) || has_extension (path, image_extensions))
    *kind = INPUT_IMAGE;
  else
    *kind = INPUT_MEASUREMENT;
  return TRUE;
}

/* ---------------------------------------------------------------- models */

/* Loads the model of a slot and checks it is of the kind the slot feeds:
 * the 1D one takes a feature vector whose length matches its frontend's
 * "points", the 2D one grey images [1, H, W]. */
static gboolean
load_model (ModelSlot * slot, char **message)
{
  GError *error = NULL;
  size_t shape[3];
  int ndim;

  slot->model = es_model_load (slot->name_or_path, &error);
  if (slot->model == NULL) {
    if (g_error_matches (error, ES_MODEL_ERROR, ES_MODEL_ERROR_NOT_FOUND)
        && !strchr (slot->name_or_path, G_DIR_SEPARATOR)) {
      char **dirs = es_model_get_search_path ();
      GString *list = g_string_new (NULL);

      /* ES_MODEL_PATH often names the source tree's models/ again */
      for (int i = 0; dirs[i]; i++) {
        gboolean repeated = FALSE;
        for (int j = 0; j < i && !repeated; j++)
          repeated = strcmp (dirs[i], dirs[j]) == 0;
        if (!repeated)
          g_string_append_printf (list, "%s%s", list->len ? ", " : "", dirs[i]);
      }
      *message = g_strdup_printf ("the %s model \"%s\" (for %s) was not found: "
          "no file %s.safetensors in %s. Set ES_MODEL_PATH to the folder "
          "holding it, or give a file with %s PATH.", slot->role,
          slot->name_or_path, slot->inputs, slot->name_or_path,
          list->len ? list->str : "(no directories)", slot->option);
      g_string_free (list, TRUE);
      g_strfreev (dirs);
    } else {
      *message = g_strdup_printf ("cannot load the %s model \"%s\" (for %s): %s",
          slot->role, slot->name_or_path, slot->inputs, error->message);
    }
    g_error_free (error);
    return FALSE;
  }

  ndim = es_model_get_input_shape (slot->model, shape);
  slot->input_size = 1;
  for (int i = 0; i < ndim; i++)
    slot->input_size *= shape[i];

  if (slot->feeds == INPUT_MEASUREMENT) {
    const EsFrontendDesc *fe = es_model_get_frontend_desc (slot->model);

    if (es_model_get_input_kind (slot->model) != ES_MODEL_INPUT_FEATURES
        || !(ndim == 1 || (ndim == 2 && shape[0] == 1))) {
      *message = g_strdup_printf ("the %s model \"%s\" (%s) does not take one "
          "feature vector ([N] or [1, N]) but %s input %s; give a frequency-"
          "response model with %s", slot->role, slot->name_or_path,
          es_model_get_path (slot->model),
          es_model_input_kind_name (es_model_get_input_kind (slot->model)),
          es_model_get_input_media (slot->model), slot->option);
      return FALSE;
    }
    /* the model's grid (validated and fitted to its input by the loader);
     * a model without a front-end description takes frsrc's default grid */
    slot->fmin = ES_FR_FMIN_DEFAULT;
    slot->fmax = ES_FR_FMAX_DEFAULT;
    if (fe->source == ES_FRONTEND_SOURCE_MEASUREMENT) {
      slot->fmin = fe->fmin;
      slot->fmax = fe->fmax;
    } else if (fe->source != ES_FRONTEND_SOURCE_NONE) {
      *message = g_strdup_printf ("the %s model \"%s\" (%s) is not a measurement "
          "model: its front-end source is %s; give a frequency-response model with %s",
          slot->role, slot->name_or_path, es_model_get_path (slot->model),
          es_frontend_source_name (fe->source), slot->option);
      return FALSE;
    }
    slot->points = slot->input_size;
  } else {
    if (es_model_get_input_kind (slot->model) != ES_MODEL_INPUT_IMAGE
        || ndim != 3 || shape[0] != 1) {
      *message = g_strdup_printf ("the %s model \"%s\" (%s) does not take grey "
          "images [1, H, W] but %s input %s; give a graph-image model with %s",
          slot->role, slot->name_or_path, es_model_get_path (slot->model),
          es_model_input_kind_name (es_model_get_input_kind (slot->model)),
          es_model_get_input_media (slot->model), slot->option);
      return FALSE;
    }
    slot->height = shape[1];
    slot->width = shape[2];
  }
  return TRUE;
}

/* Runs the net on one input and turns the logits into probabilities. */
static void
run_model (const ModelSlot * slot, const float *input, Result * result)
{
  size_t n_labels = es_model_get_n_labels (slot->model);
  const float *logits = es_net_forward (es_model_get_net (slot->model), input, 1);

  result->probabilities = g_new (double, n_labels);
  es_decision_probabilities (logits, n_labels, result->probabilities);
  result->best = (int) es_decision_best (result->probabilities, n_labels);
}

/* ---------------------------------------------------------------- classify */

static gboolean
classify_measurement (const ModelSlot * slot, Result * result)
{
  /* the band the model's grid spans must be measured, as frsrc requires */
  EsFrLimits limits = { 0, slot->fmin, slot->fmax, 0 };
  GError *error = NULL;
  EsFrMeasurement *m = es_fr_measurement_load (result->input->path, &limits, &error);
  float *features;
  gboolean finite = TRUE;

  if (m == NULL) {
    result->error = g_strdup (error->message);
    g_error_free (error);
    return FALSE;
  }
  features = g_new (float, slot->points);
  es_fr_resample (m->frequency, m->level, m->n, slot->fmin, slot->fmax, TRUE,
      features, slot->points);
  for (size_t i = 0; i < slot->points; i++)
    finite &= isfinite (features[i]);
  if (!finite) {
    /* levels near DBL_MAX are finite yet overflow float or the mean */
    result->error = g_strdup_printf ("%s: the levels are too large to "
        "resample (the curve overflows)", result->input->path);
  } else {
    run_model (slot, features, result);
    result->rule = es_fr_signature (m->frequency, m->level, m->n,
        &result->bass_diff, &result->treble_diff);
    result->have_rule = TRUE;
  }
  g_free (features);
  es_fr_measurement_free (m);
  return result->error == NULL;
}

/* Decodes an image file to GRAY8 at its own size:
 * filesrc ! decodebin ! videoconvert ! video/x-raw,format=GRAY8 ! appsink.
 * Returns the prerolled sample or NULL with a message naming the file. */
static GstSample *
decode_gray8 (const char *path, char **message)
{
  GError *error = NULL;
  GstElement *pipeline, *src, *sink;
  GstStateChangeReturn ret;
  GstSample *sample = NULL;
  GstBus *bus;

  pipeline = gst_parse_launch ("filesrc name=src ! decodebin ! videoconvert "
      "! video/x-raw,format=GRAY8 ! appsink name=sink sync=false", &error);
  if (pipeline == NULL) {
    *message = g_strdup_printf ("%s: cannot build the decoding pipeline "
        "(GStreamer base plugins missing?): %s", path, error->message);
    g_error_free (error);
    return NULL;
  }
  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_object_set (src, "location", path, NULL);

  /* a sink prerolls on the first frame: PAUSED is enough for a still */
  gst_element_set_state (pipeline, GST_STATE_PAUSED);
  ret = gst_element_get_state (pipeline, NULL, NULL,
      DECODE_TIMEOUT_SECONDS * GST_SECOND);
  bus = gst_element_get_bus (pipeline);
  if (ret == GST_STATE_CHANGE_SUCCESS || ret == GST_STATE_CHANGE_NO_PREROLL)
    sample = gst_app_sink_try_pull_preroll (GST_APP_SINK (sink), 0);
  if (sample == NULL) {
    GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);

    if (msg) {
      GError *gerr = NULL;
      gst_message_parse_error (msg, &gerr, NULL);
      *message = g_strdup_printf ("%s: cannot decode as an image: %s", path,
          gerr->message);
      g_error_free (gerr);
      gst_message_unref (msg);
    } else if (ret == GST_STATE_CHANGE_ASYNC) {
      *message = g_strdup_printf ("%s: cannot decode as an image: no picture "
          "after %d s", path, DECODE_TIMEOUT_SECONDS);
    } else {
      *message = g_strdup_printf ("%s: cannot decode as an image: the stream "
          "holds no picture", path);
    }
  }
  gst_object_unref (bus);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (src);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  return sample;
}

static gboolean
classify_image (const ModelSlot * slot, Result * result)
{
  GstSample *sample = decode_gray8 (result->input->path, &result->error);
  GstVideoInfo info;
  GstVideoFrame frame;
  float *pixels;

  if (sample == NULL)
    return FALSE;
  if (!gst_video_info_from_caps (&info, gst_sample_get_caps (sample))
      || !gst_video_frame_map (&frame, &info, gst_sample_get_buffer (sample),
          GST_MAP_READ)) {
    result->error = g_strdup_printf ("%s: cannot decode as an image: the "
        "decoder gave an unusable frame", result->input->path);
    gst_sample_unref (sample);
    return FALSE;
  }
  pixels = g_new (float, slot->width * slot->height);
  es_resize_gray8_to_float (GST_VIDEO_FRAME_PLANE_DATA (&frame, 0),
      GST_VIDEO_INFO_WIDTH (&info), GST_VIDEO_INFO_HEIGHT (&info),
      GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0), pixels, slot->width, slot->height);
  gst_video_frame_unmap (&frame);
  gst_sample_unref (sample);
  run_model (slot, pixels, result);
  g_free (pixels);
  return TRUE;
}

/* ---------------------------------------------------------------- output */

static size_t
n_labels_of (const Result * r)
{
  return r->slot && r->slot->model ? es_model_get_n_labels (r->slot->model) : 0;
}

static const char *
label_of (const Result * r, size_t k)
{
  return es_model_get_labels (r->slot->model)[k];
}

static void
append_text_result (GString * out, const Result * r, gboolean verbose)
{
  g_autofree char *path = NULL;

  if (r->error)
    return;                     /* reported on stderr as it happens */
  path = es_text_for_terminal (r->input->path, ES_TEXT_TERMINAL_MAX);

  g_string_append_printf (out, "%s: %s (%.1f %%, %s)\n", path,
      label_of (r, r->best), 100.0 * r->probabilities[r->best],
      es_model_get_name (r->slot->model));
  if (!verbose)
    return;
  for (size_t k = 0; k < n_labels_of (r); k++)
    g_string_append_printf (out, "    %-12s %6.2f %%\n", label_of (r, k),
        100.0 * r->probabilities[k]);
  if (r->have_rule)
    g_string_append_printf (out, "    label rule on the raw rows: %s "
        "(bass %+.2f dB, treble %+.2f dB relative to the mids)\n",
        es_fr_signature_name (r->rule), r->bass_diff, r->treble_diff);
}

/* Labels in order of first appearance over the models that were used. */
static GPtrArray *
all_labels (ModelSlot * slots, int n_slots)
{
  GPtrArray *labels = g_ptr_array_new ();

  for (int s = 0; s < n_slots; s++) {
    if (slots[s].model == NULL)
      continue;
    for (const char *const *l = es_model_get_labels (slots[s].model); *l; l++) {
      gboolean seen = FALSE;
      for (guint i = 0; i < labels->len && !seen; i++)
        seen = strcmp (labels->pdata[i], *l) == 0;
      if (!seen)
        g_ptr_array_add (labels, (gpointer) * l);
    }
  }
  return labels;
}

static void
append_csv_field (GString * out, const char *text)
{
  if (text == NULL)
    return;
  if (strpbrk (text, ",\"\r\n") == NULL) {
    g_string_append (out, text);
    return;
  }
  g_string_append_c (out, '"');
  for (const char *c = text; *c; c++) {
    if (*c == '"')
      g_string_append_c (out, '"');
    g_string_append_c (out, *c);
  }
  g_string_append_c (out, '"');
}

/* One header line, then one row per file: path, kind, model, label,
 * confidence, rule, bass_diff, treble_diff, one p_<label> column per label
 * of the models used (empty where the file's model has no such label), error. */
static void
append_csv (GString * out, Result * results, guint n, GPtrArray * labels)
{
  g_string_append (out, "path,kind,model,label,confidence,rule,bass_diff,treble_diff");
  for (guint i = 0; i < labels->len; i++) {
    g_autofree char *column = g_strconcat ("p_", labels->pdata[i], NULL);
    g_string_append_c (out, ',');
    append_csv_field (out, column);
  }
  g_string_append (out, ",error\n");

  for (guint i = 0; i < n; i++) {
    const Result *r = &results[i];
    char number[G_ASCII_DTOSTR_BUF_SIZE];

    append_csv_field (out, r->input->path);
    g_string_append_c (out, ',');
    append_csv_field (out, input_kind_names[r->input->kind]);
    g_string_append_c (out, ',');
    if (r->slot && r->slot->model)
      append_csv_field (out, es_model_get_name (r->slot->model));
    g_string_append_c (out, ',');
    if (!r->error) {
      append_csv_field (out, label_of (r, r->best));
      g_string_append_printf (out, ",%s", g_ascii_formatd (number, sizeof number,
              "%.6f", r->probabilities[r->best]));
    } else {
      g_string_append_c (out, ',');
    }
    g_string_append_c (out, ',');
    if (r->have_rule) {
      g_string_append (out, es_fr_signature_name (r->rule));
      g_string_append_printf (out, ",%s", g_ascii_formatd (number, sizeof number,
              "%.4f", r->bass_diff));
      g_string_append_printf (out, ",%s", g_ascii_formatd (number, sizeof number,
              "%.4f", r->treble_diff));
    } else {
      g_string_append (out, ",,");
    }
    for (guint l = 0; l < labels->len; l++) {
      g_string_append_c (out, ',');
      for (size_t k = 0; !r->error && k < n_labels_of (r); k++)
        if (strcmp (label_of (r, k), labels->pdata[l]) == 0)
          g_string_append (out, g_ascii_formatd (number, sizeof number, "%.6f",
                  r->probabilities[k]));
    }
    g_string_append_c (out, ',');
    append_csv_field (out, r->error);
    g_string_append_c (out, '\n');
  }
}

static void
add_summary_json (JsonBuilder * b, Result * results, guint n, GPtrArray * labels)
{
  guint failed = 0;

  json_builder_set_member_name (b, "summary");
  json_builder_begin_object (b);
  for (guint i = 0; i < n; i++)
    failed += results[i].error != NULL;
  json_builder_set_member_name (b, "files");
  json_builder_add_int_value (b, n);
  json_builder_set_member_name (b, "classified");
  json_builder_add_int_value (b, n - failed);
  json_builder_set_member_name (b, "failed");
  json_builder_add_int_value (b, failed);
  json_builder_set_member_name (b, "counts");
  json_builder_begin_object (b);
  for (guint l = 0; l < labels->len; l++) {
    gint64 count = 0;
    for (guint i = 0; i < n; i++)
      count += !results[i].error
          && strcmp (label_of (&results[i], results[i].best), labels->pdata[l]) == 0;
    json_builder_set_member_name (b, labels->pdata[l]);
    json_builder_add_int_value (b, count);
  }
  json_builder_end_object (b);
  json_builder_end_object (b);
}

/* File-derived text (names, messages quoting the file) is not always UTF-8;
 * JSON must always parse. */
static void
add_json_text (JsonBuilder * b, const char *text)
{
  g_autofree char *valid = es_text_valid_utf8 (text);

  json_builder_add_string_value (b, valid);
}

/* {"files": [{path, kind, model, label, confidence, probabilities{label: p},
 *   rule{label, bass_diff, treble_diff} (measurements), error}, ...],
 *  "summary": {files, classified, failed, counts{label: n}}} */
static void
append_json (GString * out, Result * results, guint n, GPtrArray * labels)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "files");
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++) {
    const Result *r = &results[i];

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "path");
    add_json_text (b, r->input->path);
    json_builder_set_member_name (b, "kind");
    json_builder_add_string_value (b, input_kind_names[r->input->kind]);
    json_builder_set_member_name (b, "model");
    if (r->slot && r->slot->model)
      json_builder_add_string_value (b, es_model_get_name (r->slot->model));
    else
      json_builder_add_null_value (b);
    json_builder_set_member_name (b, "label");
    if (r->error)
      json_builder_add_null_value (b);
    else
      json_builder_add_string_value (b, label_of (r, r->best));
    json_builder_set_member_name (b, "confidence");
    if (r->error)
      json_builder_add_null_value (b);
    else
      json_builder_add_double_value (b, r->probabilities[r->best]);
    json_builder_set_member_name (b, "probabilities");
    if (r->error) {
      json_builder_add_null_value (b);
    } else {
      json_builder_begin_object (b);
      for (size_t k = 0; k < n_labels_of (r); k++) {
        json_builder_set_member_name (b, label_of (r, k));
        json_builder_add_double_value (b, r->probabilities[k]);
      }
      json_builder_end_object (b);
    }
    if (r->have_rule) {
      json_builder_set_member_name (b, "rule");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "label");
      json_builder_add_string_value (b, es_fr_signature_name (r->rule));
      json_builder_set_member_name (b, "bass_diff");
      json_builder_add_double_value (b, r->bass_diff);
      json_builder_set_member_name (b, "treble_diff");
      json_builder_add_double_value (b, r->treble_diff);
      json_builder_end_object (b);
    }
    json_builder_set_member_name (b, "error");
    if (r->error)
      add_json_text (b, r->error);
    else
      json_builder_add_null_value (b);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  add_summary_json (b, results, n, labels);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = es_text_json_repair_numbers (json_generator_to_data (gen, NULL));
  g_string_append (out, text);
  g_string_append_c (out, '\n');
}

static void
append_summary_text (GString * out, Result * results, guint n, GPtrArray * labels)
{
  guint failed = 0;

  for (guint i = 0; i < n; i++)
    failed += results[i].error != NULL;
  g_string_append_printf (out, "\nsummary: %u file%s, %u classified, %u failed\n",
      n, n == 1 ? "" : "s", n - failed, failed);
  for (guint l = 0; l < labels->len; l++) {
    guint count = 0;
    for (guint i = 0; i < n; i++)
      count += !results[i].error
          && strcmp (label_of (&results[i], results[i].best), labels->pdata[l]) == 0;
    g_string_append_printf (out, "  %-12s %u\n", (char *) labels->pdata[l], count);
  }
  if (failed) {
    g_string_append (out, "failed:\n");
    for (guint i = 0; i < n; i++)
      if (results[i].error) {
        g_autofree char *message = es_text_for_terminal (results[i].error,
            ES_TEXT_TERMINAL_MAX);

        g_string_append_printf (out, "  %s\n", message);
      }
  }
}

/* Standard output, or FILE through io/output (a temporary file renamed over
 * it once complete, a symlink's target replaced, a device or FIFO written in
 * place), so a failure never leaves a partial file nor destroys one. */
static gboolean
write_output (const char *path, const GString * text)
{
  GError *error = NULL;

  if (es_output_write_file (path ? path : "-", text->str, text->len, &error))
    return TRUE;
  if ((path == NULL || strcmp (path, "-") == 0)
      && g_error_matches (error, ES_IO_ERROR, ES_IO_ERROR_BROKEN_PIPE)) {
    /* a reader of standard output that went away: ended quietly */
    g_error_free (error);
    return FALSE;
  }
  {
    g_autofree char *message = es_text_for_terminal (error->message, ES_TEXT_TERMINAL_MAX);
    fprintf (stderr, PROG ": %s\n", message);
  }
  g_error_free (error);
  return FALSE;
}

/* ---------------------------------------------------------------- progress */

typedef struct {
  gboolean bar;                 /* redraw a bar on stderr (a terminal) */
  guint total;
} Progress;

static void
progress_show (const Progress * p, guint done, const char *path)
{
  enum { WIDTH = 30 };
  char bar[WIDTH + 1];
  guint filled;
  const char *base;

  if (!p->bar)
    return;
  filled = p->total ? done * WIDTH / p->total : WIDTH;
  memset (bar, '#', filled);
  memset (bar + filled, '.', WIDTH - filled);
  bar[WIDTH] = '\0';
  base = path ? strrchr (path, G_DIR_SEPARATOR) : NULL;
  base = base ? base + 1 : path ? path : "";
  /* \033[K clears what a longer previous name left behind */
  {
    g_autofree char *name = es_text_for_terminal (base, 40);

    fprintf (stderr, "\r[%s] %u/%u %s\033[K", bar, done, p->total, name);
  }
  fflush (stderr);
}

static void
progress_clear (const Progress * p)
{
  if (p->bar) {
    fprintf (stderr, "\r\033[K");
    fflush (stderr);
  }
}

/* ---------------------------------------------------------------- main */

static void
input_file_clear (gpointer data)
{
  g_free (((InputFile *) data)->path);
}

int
es_cmd_iem (int argc, char **argv)
{
  IemOptions o = { 0 };
  GOptionEntry entries[] = {
    {"model-1d", 0, 0, G_OPTION_ARG_FILENAME, &o.model_1d,
        "Model for measurements (default " DEFAULT_MODEL_1D ")", "NAME|PATH"},
    {"model-2d", 0, 0, G_OPTION_ARG_FILENAME, &o.model_2d,
        "Model for graph images (default " DEFAULT_MODEL_2D ")", "NAME|PATH"},
    {"recursive", 'r', 0, G_OPTION_ARG_NONE, &o.recursive,
        "Walk folders recursively", NULL},
    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &o.verbose,
          "Print every class probability, and for measurements what the label "
          "rule says", NULL},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet,
        "No progress bar; a one-line count instead of the summary", NULL},
    {"json", 0, 0, G_OPTION_ARG_NONE, &o.json, "Write the results as JSON", NULL},
    {"csv", 0, 0, G_OPTION_ARG_NONE, &o.csv, "Write the results as CSV", NULL},
    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output,
        "Write the results to FILE (default: standard output)", "FILE"},
    {NULL}
  };
  g_autoptr (GOptionContext) context =
      g_option_context_new ("FILE|DIR... - classify IEM measurements or graphs");
  GOptionGroup *group = g_option_group_new ("iem", "iem options", "iem options",
      &o, NULL);
  g_autoptr (GError) error = NULL;
  ModelSlot slots[2] = {
    {INPUT_MEASUREMENT, "1D", "--model-1d", "CSV measurements", NULL},
    {INPUT_IMAGE, "2D", "--model-2d", "graph images", NULL},
  };
  GArray *inputs = g_array_new (FALSE, TRUE, sizeof (InputFile));
  GPtrArray *early_errors = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *labels = NULL;
  Result *results = NULL;
  GString *out = NULL;
  OutputFormat format;
  Progress progress = { FALSE, 0 };
  guint skipped_dirs = 0, failed = 0;
  gboolean need[2] = { FALSE, FALSE };
  int status = EXIT_OK;

  g_array_set_clear_func (inputs, input_file_clear);
  g_option_group_add_entries (group, entries);
  g_option_context_set_main_group (context, group);
  g_option_context_set_summary (context,
      "Gives the tuning signature of each frequency-response measurement\n"
      "(CSV/text, as squig.link, AutoEq or REW write them: the 1D model) or\n"
      "picture of one's graph (PNG, JPEG or any image GStreamer decodes: the\n"
      "2D model). Folders are searched for *.csv, *.txt, *.tsv, *.dat and\n"
      "image files (-r: with subfolders), in sorted order.");
  g_option_context_set_description (context,
      "Models are found by name on ES_MODEL_PATH, the source tree's models/\n"
      "(uninstalled builds) and the installed models folder (earshot model\n"
      "info NAME shows one).\n"
      "Files that cannot be read or classified are reported and skipped.\n"
      "Exit status: 0 all classified, 1 some file or a model failed, 2 usage.");
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    fprintf (stderr, PROG ": %s\n", error->message);
    status = EXIT_USAGE;
    goto done;
  }
  if (argc < 2) {
    fprintf (stderr, PROG ": expected at least one FILE or DIR (see --help)\n");
    status = EXIT_USAGE;
    goto done;
  }
  if (o.json && o.csv) {
    fprintf (stderr, PROG ": --json and --csv exclude each other\n");
    status = EXIT_USAGE;
    goto done;
  }
  if ((o.model_1d && !*o.model_1d) || (o.model_2d && !*o.model_2d)
      || (o.output && !*o.output)) {
    fprintf (stderr, PROG ": --model-1d, --model-2d and --output need a value\n");
    status = EXIT_USAGE;
    goto done;
  }
  format = o.json ? FORMAT_JSON : o.csv ? FORMAT_CSV : FORMAT_TEXT;
  slots[0].name_or_path = o.model_1d ? o.model_1d : g_strdup (DEFAULT_MODEL_1D);
  slots[1].name_or_path = o.model_2d ? o.model_2d : g_strdup (DEFAULT_MODEL_2D);
  o.model_1d = o.model_2d = NULL;

  gst_init (NULL, NULL);

  /* The list of files: named files in order, each folder's files sorted. */
  {
    GArray *found = es_cli_find_inputs (argv + 1, argc - 1, walk_extensions,
        "measurement (*.csv, *.txt, *.tsv, *.dat) or image files", o.recursive,
        early_errors, &skipped_dirs);

    for (guint i = 0; i < found->len; i++) {
      EsCliInput *f = &g_array_index (found, EsCliInput, i);
      InputFile in = { g_steal_pointer (&f->path), INPUT_MEASUREMENT, f->walked };
      g_array_append_val (inputs, in);
    }
    g_array_free (found, TRUE);
  }
  if (skipped_dirs && !o.quiet)
    fprintf (stderr, PROG ": %u subfolder%s not searched (use -r)\n",
        skipped_dirs, skipped_dirs == 1 ? "" : "s");
  for (guint i = 0; i < early_errors->len; i++) {
    fprintf (stderr, PROG ": %s\n", (char *) early_errors->pdata[i]);
    status = EXIT_FAILURE_RUN;
  }

  /* The output is checked before any work: writable, and none of the inputs
   * (the same file through a symlink or hard link included). */
  if (o.output) {
    g_autofree const char **paths = g_new0 (const char *, inputs->len + 1);

    for (guint i = 0; i < inputs->len; i++)
      paths[i] = g_array_index (inputs, InputFile, i).path;
    if (!es_cli_check_output (PROG, o.output, paths)) {
      status = EXIT_FAILURE_RUN;
      goto done;
    }
  }

  /* Decide each file's kind first, so that only the models needed are
   * loaded and a missing one stops everything before any work. */
  results = g_new0 (Result, inputs->len);
  for (guint i = 0; i < inputs->len; i++) {
    InputFile *in = &g_array_index (inputs, InputFile, i);

    results[i].input = in;
    results[i].best = -1;
    if (detect_kind (in->path, &in->kind, &results[i].error))
      need[in->kind] = TRUE;
    else if (has_extension (in->path, image_extensions))
      in->kind = INPUT_IMAGE;   /* for the record only */
  }
  for (int s = 0; s < 2; s++) {
    g_autofree char *message = NULL;

    if (need[s] && !load_model (&slots[s], &message)) {
      fprintf (stderr, PROG ": %s\n", message);
      status = EXIT_FAILURE_RUN;
      goto done;
    }
  }

  progress.total = inputs->len;
  progress.bar = !o.quiet && inputs->len > 1 && isatty (STDERR_FILENO);
  out = g_string_new (NULL);
  for (guint i = 0; i < inputs->len; i++) {
    Result *r = &results[i];

    progress_show (&progress, i, r->input->path);
    if (r->error == NULL) {
      r->slot = &slots[r->input->kind];
      if (r->input->kind == INPUT_MEASUREMENT)
        classify_measurement (r->slot, r);
      else
        classify_image (r->slot, r);
    } else if (slots[r->input->kind].model) {
      r->slot = &slots[r->input->kind];
    }
    if (r->error) {
      failed++;
      progress_clear (&progress);
    {
      g_autofree char *message = es_text_for_terminal (r->error, ES_TEXT_TERMINAL_MAX);

      fprintf (stderr, PROG ": %s\n", message);
    }
    }
    if (format == FORMAT_TEXT && o.output == NULL) {
      /* results appear as they come when printed to the terminal */
      GString *line = g_string_new (NULL);
      progress_clear (&progress);
      append_text_result (line, r, o.verbose);
      fputs (line->str, stdout);
      g_string_free (line, TRUE);
      if (fflush (stdout) != 0 && errno == EPIPE) {
        /* the reader went away (| head): nobody to classify for */
        status = EXIT_FAILURE_RUN;
        goto done;
      }
    } else if (format == FORMAT_TEXT) {
      append_text_result (out, r, o.verbose);
    }
  }
  progress_show (&progress, inputs->len, NULL);
  progress_clear (&progress);

  labels = all_labels (slots, 2);
  if (format == FORMAT_JSON)
    append_json (out, results, inputs->len, labels);
  else if (format == FORMAT_CSV)
    append_csv (out, results, inputs->len, labels);

  if (o.quiet) {
    fprintf (stderr, PROG ": %u file%s, %u classified, %u failed\n", inputs->len,
        inputs->len == 1 ? "" : "s", inputs->len - failed, failed);
  } else if (format == FORMAT_TEXT) {
    append_summary_text (out, results, inputs->len, labels);
  } else {
    GString *summary = g_string_new (NULL);
    append_summary_text (summary, results, inputs->len, labels);
    fputs (summary->str + 1, stderr);   /* skip the blank separator line */
    g_string_free (summary, TRUE);
  }
  if ((out->len > 0 || o.output) && !write_output (o.output, out))
    status = EXIT_FAILURE_RUN;
  if (failed)
    status = EXIT_FAILURE_RUN;

done:
  if (results)
    for (guint i = 0; i < inputs->len; i++) {
      g_free (results[i].probabilities);
      g_free (results[i].error);
    }
  g_free (results);
  if (labels)
    g_ptr_array_free (labels, TRUE);
  if (out)
    g_string_free (out, TRUE);
  for (int s = 0; s < 2; s++) {
    if (slots[s].model)
      es_model_free (slots[s].model);
    g_free (slots[s].name_or_path);
  }
  g_array_free (inputs, TRUE);
  g_ptr_array_free (early_errors, TRUE);
  g_free (o.model_1d);
  g_free (o.model_2d);
  g_free (o.output);
  return status;
}
