/* EsFrontendDesc: what a model's input is made from, as typed values — the
 * source (audio, a frequency-response measurement, a picture, a table of
 * features), every setting of the stages that turn it into the network's
 * input, and the geometry of that input. A model file holds it as the JSON
 * object of its "frontend" metadata key (model/model.h).
 *
 * This file is the one reader, the one writer and the one validator of those
 * settings: the trainer describes what it trained on with it, the elements
 * (gammatonefb model=, cnnclassify) and the CLI (earshot iem, eval, features,
 * model info) read and check with it. The audio settings are checked by
 * es_frontend_config_validate (dsp/frontend.h), the rules the dsp stages
 * themselves apply. Nothing here knows element or property names: launch/
 * writes gst-launch lines from a description.
 *
 * JSON (all keys optional but "source"; absent keys take the defaults below;
 * unknown keys and keys of another source are errors):
 *
 *   {"source": "audio", "rate": 16000, "preemphasis": 0.97, "frame_size": 400,
 *    "hop_size": 160, "window": "hamming", "n_fft": 512, "bands": 64,
 *    "fmin": 50.0, "fmax": 8000.0, "bandwidth": 1.019, "compression": "log",
 *    "log_floor": 1e-10, "dct": 0, "window_frames": 0, "window_hop": 0,
 *    "frontend_layers": 0}
 *   {"source": "measurement", "points": 512, "fmin": 20.0, "fmax": 20000.0,
 *    "remove_mean": true [, "image": "graph", "db_min": -30.0, "db_max": 30.0,
 *    "width": 448, "height": 224, "resize": "area"]}
 *   {"source": "image", "width": 448, "height": 224, "resize": "area"}
 *   {"source": "table", "features": 6, "label_column": "label",
 *    "group_columns": "reviewer", "feature_columns": "a,b"}
 *   {}                                  (none: the application gives the input)
 *
 * Files written before this description existed still read: "source":
 * "frsrc" is a measurement, an object without "source" but with "rate" is
 * audio. */
#ifndef ES_MODEL_FRONTEND_DESC_H
#define ES_MODEL_FRONTEND_DESC_H

#include <glib.h>

#include "../dsp/frontend.h"
#include "../dsp/window.h"
#include "model-error.h"

G_BEGIN_DECLS

typedef enum {
  ES_FRONTEND_SOURCE_NONE,         /* the application gives the network's input */
  ES_FRONTEND_SOURCE_AUDIO,        /* audio -> pre-emphasis -> frames -> gammatone bands */
  ES_FRONTEND_SOURCE_MEASUREMENT,  /* a frequency-response measurement on a log grid */
  ES_FRONTEND_SOURCE_IMAGE,        /* a picture, grey, resized to the model's size */
  ES_FRONTEND_SOURCE_TABLE,        /* feature columns of a CSV table */
} EsFrontendSource;

typedef enum {
  ES_FRONTEND_COMPRESSION_LOG,     /* ln (max (E, log_floor)) */
  ES_FRONTEND_COMPRESSION_PCEN,    /* per-channel energy normalisation (dsp/compress.h) */
  ES_FRONTEND_COMPRESSION_NONE,    /* band energies as they are */
} EsFrontendCompression;

typedef enum {
  ES_FRONTEND_IMAGE_NONE,          /* the input is the vector itself */
  ES_FRONTEND_IMAGE_GRAPH,         /* a measurement drawn as its graph (io/graph.h) */
} EsFrontendImage;

typedef enum {
  ES_FRONTEND_RESIZE_AREA,         /* any size, area-averaged to the model's (io/resize.h) */
} EsFrontendResize;

typedef struct {
  EsFrontendSource source;

  /* audio */
  unsigned rate;                   /* Hz */
  double preemphasis;              /* y[n] = x[n] - a x[n-1]; 0 = off */
  unsigned frame_size, hop_size;   /* samples */
  EsWindowType window;
  unsigned n_fft;                  /* FFT size: the next power of two >= frame_size */
  unsigned bands;                  /* gammatone bands */
  double fmin, fmax;               /* Hz: the band edges (audio), the grid (measurement) */
  double bandwidth;                /* ERB factor of every band */
  EsFrontendCompression compression;
  double log_floor;                /* compression log */
  unsigned dct;                    /* cepstral coefficients kept; 0 = no DCT */
  unsigned window_frames;          /* frames per decision (W); 0 = what the model's input
                                    * holds (a model fills it in) */
  unsigned window_hop;             /* frames between decisions; 0 = not said (the
                                    * classifier's default) */
  /* Learned front-ends: the network's first frontend_layers layers are the
   * front-end (a "gammatone" layer whose "<i>.weight" holds the learned bands,
   * then its compression, ...). gammatonefb model= computes them from the
   * model's tensors and the classifier runs the network from that layer on.
   * 0: the front-end is static, all described by the fields above. */
  unsigned frontend_layers;

  /* measurement */
  unsigned points;                 /* log-spaced points fmin..fmax */
  gboolean remove_mean;            /* the curve's mean is removed */
  EsFrontendImage image;           /* drawn as an image first */
  double db_min, db_max;           /* graph: the drawn level range, dB */

  /* images (image source, or a measurement drawn as a graph) */
  unsigned width, height;          /* the network's image size, pixels */
  EsFrontendResize resize;

  /* table: what evaluation needs to pick the same columns again */
  unsigned features;               /* values per example */
  char *label_column;              /* owned; NULL = none recorded */
  char *group_columns;
  char *feature_columns;
} EsFrontendDesc;

/* Defaults for a source: audio as es_frontend_config_init (16 kHz, 0.97,
 * 400 / 160 Hamming, 64 bands 50 Hz - 8 kHz, ERB x 1.019, log 1e-10, no DCT,
 * window size from the model); measurement 20 Hz - 20 kHz, mean removed, no
 * image (db range -30..+30 dB for graphs), point count and image size from
 * the model (0); images area-averaged. */
void es_frontend_desc_init (EsFrontendDesc *desc, EsFrontendSource source);
/* Frees the strings (the struct itself is the caller's); leaves NONE. */
void es_frontend_desc_clear (EsFrontendDesc *desc);
/* dest = a deep copy of src (dest is overwritten, not cleared first). */
void es_frontend_desc_copy (EsFrontendDesc *dest, const EsFrontendDesc *src);
gboolean es_frontend_desc_equal (const EsFrontendDesc *a, const EsFrontendDesc *b);

/* Parse the JSON object (strict RFC 8259 object of the keys above) into
 * desc (initialised here). FALSE with ES_MODEL_ERROR_FRONTEND naming the key
 * and what is wrong with its value; desc is then left cleared. Values are
 * not range-checked: call es_frontend_desc_validate. */
gboolean es_frontend_desc_from_json (const char *json, EsFrontendDesc *desc, GError **error);
/* The JSON object text: the source's keys in a fixed order (the parse of it
 * is equal to desc). Newly allocated. */
char *es_frontend_desc_to_json (const EsFrontendDesc *desc);

/* Every setting in range and consistent with the others: the audio settings
 * through es_frontend_config_validate, measurement points >= 2 and 0 < fmin <
 * fmax, images 1 - 16384 pixels a side, window_hop <= window_frames, a graph's
 * db_min < db_max... FALSE with ES_MODEL_ERROR_FRONTEND naming the key. */
gboolean es_frontend_desc_validate (const EsFrontendDesc *desc, GError **error);

/* The audio settings as the dsp front-end takes them (static bands). */
void es_frontend_desc_to_config (const EsFrontendDesc *desc, EsFrontendConfig *config);
/* Values per frame out of the audio front-end: dct if > 0, else bands. */
unsigned es_frontend_desc_n_features (const EsFrontendDesc *desc);

const char *es_frontend_source_name (EsFrontendSource source);     /* "audio", ... "none" */
const char *es_frontend_compression_name (EsFrontendCompression compression);

G_END_DECLS

#endif
