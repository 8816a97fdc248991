/* The typed front-end description: its one JSON reader, writer and validator
 * (see frontend-desc.h). */
#include "model/frontend-desc.h"

#include <math.h>
#include <stddef.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "dsp/fft.h"
#include "dsp/gammatone.h"
#include "dsp/preemphasis.h"

#define MAX_IMAGE_SIDE 16384u
#define MAX_POINTS (1u << 20)
#define MAX_WINDOW_FRAMES (1u << 20)
#define MAX_LAYERS 4096u
#define MAX_FREQUENCY 1e6

/* The FFT size of the gammatone filterbank for these frames (dsp/gammatone.h). */
static unsigned
fft_size (unsigned frame_size)
{
  return (unsigned) MAX (es_next_pow2 (frame_size), 2);
}

static const char *const source_names[] = {
  [ES_FRONTEND_SOURCE_NONE] = "none",
  [ES_FRONTEND_SOURCE_AUDIO] = "audio",
  [ES_FRONTEND_SOURCE_MEASUREMENT] = "measurement",
  [ES_FRONTEND_SOURCE_IMAGE] = "image",
  [ES_FRONTEND_SOURCE_TABLE] = "table",
};

static const char *const compression_names[] = {
  [ES_FRONTEND_COMPRESSION_LOG] = "log",
  [ES_FRONTEND_COMPRESSION_PCEN] = "pcen",
  [ES_FRONTEND_COMPRESSION_NONE] = "none",
};

static const char *const image_names[] = {
  [ES_FRONTEND_IMAGE_NONE] = "none",
  [ES_FRONTEND_IMAGE_GRAPH] = "graph",
};

static const char *const resize_names[] = {
  [ES_FRONTEND_RESIZE_AREA] = "area",
};

const char *
es_frontend_source_name (EsFrontendSource source)
{
  return (unsigned) source < G_N_ELEMENTS (source_names) ? source_names[source] : NULL;
}

const char *
es_frontend_compression_name (EsFrontendCompression compression)
{
  return (unsigned) compression < G_N_ELEMENTS (compression_names) ?
      compression_names[compression] : NULL;
}

void
es_frontend_desc_init (EsFrontendDesc *d, EsFrontendSource source)
{
  EsFrontendConfig c;

  memset (d, 0, sizeof *d);
  d->source = source;
  es_frontend_config_init (&c, 16000);
  d->rate = c.sample_rate;
  d->preemphasis = c.preemphasis;
  d->frame_size = (unsigned) c.frame_size;
  d->hop_size = (unsigned) c.hop_size;
  d->window = c.window;
  d->n_fft = fft_size ((unsigned) c.frame_size);
  d->bands = c.n_bands;
  d->bandwidth = c.bandwidth;
  d->compression = ES_FRONTEND_COMPRESSION_LOG;
  d->log_floor = c.log_floor;
  d->dct = c.n_dct;
  if (source == ES_FRONTEND_SOURCE_AUDIO) {
    d->fmin = c.fmin;
    d->fmax = c.fmax;
  } else {
    d->fmin = 20.0;
    d->fmax = 20000.0;
  }
  d->remove_mean = TRUE;
  d->image = ES_FRONTEND_IMAGE_NONE;
  d->db_min = -30.0;
  d->db_max = 30.0;
  d->resize = ES_FRONTEND_RESIZE_AREA;
}

void
es_frontend_desc_clear (EsFrontendDesc *d)
{
  g_free (d->label_column);
  g_free (d->group_columns);
  g_free (d->feature_columns);
  memset (d, 0, sizeof *d);
}

void
es_frontend_desc_copy (EsFrontendDesc *dest, const EsFrontendDesc *src)
{
  *dest = *src;
  dest->label_column = g_strdup (src->label_column);
  dest->group_columns = g_strdup (src->group_columns);
  dest->feature_columns = g_strdup (src->feature_columns);
}

gboolean
es_frontend_desc_equal (const EsFrontendDesc *a, const EsFrontendDesc *b)
{
  gboolean equal;
  char *ja = es_frontend_desc_to_json (a), *jb = es_frontend_desc_to_json (b);
  /* the JSON holds every field the source uses, in full precision */
  equal = strcmp (ja, jb) == 0;
  g_free (ja);
  g_free (jb);
  return equal;
}

/* ---- the keys ---------------------------------------------------------- */

typedef enum {
  KEY_UINT,
  KEY_DOUBLE,
  KEY_BOOL,
  KEY_STRING,                   /* owned char * */
  KEY_WINDOW,                   /* EsWindowType by name */
  KEY_ENUM,                     /* an int by name from `names` */
} KeyType;

#define AUDIO (1u << ES_FRONTEND_SOURCE_AUDIO)
#define MEASUREMENT (1u << ES_FRONTEND_SOURCE_MEASUREMENT)
#define IMAGE (1u << ES_FRONTEND_SOURCE_IMAGE)
#define TABLE (1u << ES_FRONTEND_SOURCE_TABLE)

typedef struct {
  const char *name;
  KeyType type;
  size_t offset;
  unsigned sources;             /* the sources it belongs to */
  const char *const *names;     /* KEY_ENUM */
  size_t n_names;
} Key;

#define F(field) offsetof (EsFrontendDesc, field)
#define NAMES(a) a, G_N_ELEMENTS (a)

/* In the order they are written. */
static const Key keys[] = {
  {"rate", KEY_UINT, F (rate), AUDIO},
  {"preemphasis", KEY_DOUBLE, F (preemphasis), AUDIO},
  {"frame_size", KEY_UINT, F (frame_size), AUDIO},
  {"hop_size", KEY_UINT, F (hop_size), AUDIO},
  {"window", KEY_WINDOW, F (window), AUDIO},
  {"n_fft", KEY_UINT, F (n_fft), AUDIO},
  {"bands", KEY_UINT, F (bands), AUDIO},
  {"points", KEY_UINT, F (points), MEASUREMENT},
  {"fmin", KEY_DOUBLE, F (fmin), AUDIO | MEASUREMENT},
  {"fmax", KEY_DOUBLE, F (fmax), AUDIO | MEASUREMENT},
  {"bandwidth", KEY_DOUBLE, F (bandwidth), AUDIO},
  {"compression", KEY_ENUM, F (compression), AUDIO, NAMES (compression_names)},
  {"log_floor", KEY_DOUBLE, F (log_floor), AUDIO},
  {"dct", KEY_UINT, F (dct), AUDIO},
  {"window_frames", KEY_UINT, F (window_frames), AUDIO},
  {"window_hop", KEY_UINT, F (window_hop), AUDIO},
  {"frontend_layers", KEY_UINT, F (frontend_layers), AUDIO},
  {"remove_mean", KEY_BOOL, F (remove_mean), MEASUREMENT},
  {"image", KEY_ENUM, F (image), MEASUREMENT, NAMES (image_names)},
  {"db_min", KEY_DOUBLE, F (db_min), MEASUREMENT},
  {"db_max", KEY_DOUBLE, F (db_max), MEASUREMENT},
  {"width", KEY_UINT, F (width), MEASUREMENT | IMAGE},
  {"height", KEY_UINT, F (height), MEASUREMENT | IMAGE},
  {"resize", KEY_ENUM, F (resize), MEASUREMENT | IMAGE, NAMES (resize_names)},
  {"features", KEY_UINT, F (features), TABLE},
  {"label_column", KEY_STRING, F (label_column), TABLE},
  {"group_columns", KEY_STRING, F (group_columns), TABLE},
  {"feature_columns", KEY_STRING, F (feature_columns), TABLE},
};

#define FIELD(d, k, type) ((type *) ((char *) (d) + (k)->offset))

/* Whether a key is written for this description (keys that only matter for a
 * graph, an image size still to be taken from the model, absent strings). */
static gboolean
key_applies (const EsFrontendDesc *d, const Key *k)
{
  if (!(k->sources & (1u << d->source)))
    return FALSE;
  if (d->source == ES_FRONTEND_SOURCE_MEASUREMENT && d->image == ES_FRONTEND_IMAGE_NONE
      && (!strcmp (k->name, "image") || !strcmp (k->name, "db_min")
          || !strcmp (k->name, "db_max") || !strcmp (k->name, "width")
          || !strcmp (k->name, "height") || !strcmp (k->name, "resize")))
    return FALSE;
  if ((!strcmp (k->name, "width") || !strcmp (k->name, "height")
          || !strcmp (k->name, "points") || !strcmp (k->name, "features"))
      && *FIELD (d, k, unsigned) == 0)
    return FALSE;
  if (k->type == KEY_STRING && *FIELD (d, k, char *) == NULL)
    return FALSE;
  return TRUE;
}

/* ---- reading ----------------------------------------------------------- */

/* The value as JSON, shortened, for messages. */
static char *
value_text (JsonNode *node)
{
  char *text = json_to_string (node, FALSE);
  if (strlen (text) > 40) {
    char *cut = g_utf8_substring (text, 0, 37);
    g_free (text);
    text = g_strconcat (cut, "...", NULL);
    g_free (cut);
  }
  return text;
}

static gboolean
bad_value (const Key *k, JsonNode *node, const char *expected, GError **error)
{
  char *got = value_text (node);
  g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_FRONTEND,
      "front-end key \"%s\": expected %s, not %s", k->name, expected, got);
  g_free (got);
  return FALSE;
}

static gboolean
read_key (EsFrontendDesc *d, const Key *k, JsonNode *node, GError **error)
{
  GType type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;

  switch (k->type) {
    case KEY_UINT:{
      gint64 v;
      if (type != G_TYPE_INT64 || (v = json_node_get_int (node)) < 0 || v > G_MAXUINT32)
        return bad_value (k, node, "a non-negative integer", error);
      *FIELD (d, k, unsigned) = (unsigned) v;
      return TRUE;
    }
    case KEY_DOUBLE:{
      double v;
      if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
        return bad_value (k, node, "a number", error);
      v = json_node_get_double (node);
      if (!isfinite (v))
        return bad_value (k, node, "a finite number", error);
      *FIELD (d, k, double) = v;
      return TRUE;
    }
    case KEY_BOOL:
      if (type != G_TYPE_BOOLEAN)
        return bad_value (k, node, "true or false", error);
      *FIELD (d, k, gboolean) = json_node_get_boolean (node);
      return TRUE;
    case KEY_STRING:
      if (type != G_TYPE_STRING)
        return bad_value (k, node, "a string", error);
      g_free (*FIELD (d, k, char *));
      *FIELD (d, k, char *) = g_strdup (json_node_get_string (node));
      return TRUE;
    case KEY_WINDOW:
      if (type != G_TYPE_STRING
          || !es_window_type_from_name (json_node_get_string (node), FIELD (d, k, EsWindowType)))
        return bad_value (k, node, "\"hamming\", \"hann\" or \"rectangular\"", error);
      return TRUE;
    case KEY_ENUM:
      if (type == G_TYPE_STRING)
        for (size_t i = 0; i < k->n_names; i++)
          if (k->names[i] && !strcmp (json_node_get_string (node), k->names[i])) {
            *FIELD (d, k, int) = (int) i;
            return TRUE;
          }
      {
        GString *list = g_string_new (NULL);
        gboolean ok;
        for (size_t i = 0; i < k->n_names; i++)
          g_string_append_printf (list, "%s\"%s\"", i == 0 ? "" : i + 1 == k->n_names ?
              " or " : ", ", k->names[i]);
        ok = bad_value (k, node, list->str, error);
        g_string_free (list, TRUE);
        return ok;
      }
  }
  g_assert_not_reached ();
}

static const Key *
find_key (const char *name)
{
  for (size_t i = 0; i < G_N_ELEMENTS (keys); i++)
    if (!strcmp (keys[i].name, name))
      return &keys[i];
  return NULL;
}

gboolean
es_frontend_desc_from_json (const char *json, EsFrontendDesc *d, GError **error)
{
  JsonParser *parser = json_parser_new ();
  GError *json_error = NULL;
  JsonObject *o;
  JsonNode *source_node;
  EsFrontendSource source = ES_FRONTEND_SOURCE_NONE;
  GList *members = NULL;
  gboolean ok = FALSE;

  memset (d, 0, sizeof *d);
  if (!json || !json_parser_load_from_data (parser, json, -1, &json_error)
      || !json_parser_get_root (parser) || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
    g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_FRONTEND,
        "the front-end description is not a JSON object%s%s",
        json_error ? ": " : "", json_error ? json_error->message : "");
    g_clear_error (&json_error);
    goto out;
  }
  o = json_node_get_object (json_parser_get_root (parser));
  source_node = json_object_get_member (o, "source");
  if (source_node) {
    const char *name = JSON_NODE_HOLDS_VALUE (source_node)
        && json_node_get_value_type (source_node) == G_TYPE_STRING ?
        json_node_get_string (source_node) : NULL;
    gboolean found = FALSE;
    for (size_t i = 0; name && i < G_N_ELEMENTS (source_names) && !found; i++)
      if (!strcmp (name, source_names[i])) {
        source = (EsFrontendSource) i;
        found = TRUE;
      }
    /* written before the description existed: the element's name */
    if (!found && name && !strcmp (name, "frsrc")) {
      source = ES_FRONTEND_SOURCE_MEASUREMENT;
      found = TRUE;
    }
    if (!found) {
      char *got = value_text (source_node);
      g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_FRONTEND,
          "front-end key \"source\": expected \"audio\", \"measurement\", \"image\", "
          "\"table\" or \"none\", not %s", got);
      g_free (got);
      goto out;
    }
  } else if (json_object_has_member (o, "rate")) {
    /* audio settings written before the description existed */
    source = ES_FRONTEND_SOURCE_AUDIO;
  }

  es_frontend_desc_init (d, source);
  members = json_object_get_members (o);
  for (GList *l = members; l; l = l->next) {
    const char *name = l->data;
    const Key *k;
    if (!strcmp (name, "source"))
      continue;
    k = find_key (name);
    if (!k) {
      g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_FRONTEND,
          "front-end key \"%s\" is not known", name);
      goto out;
    }
    if (!(k->sources & (1u << source))) {
      g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_FRONTEND,
          "front-end key \"%s\" does not apply to source \"%s\"", name,
          source_names[source]);
      goto out;
    }
    if (!read_key (d, k, json_object_get_member (o, name), error))
      goto out;
  }
  /* an audio fmax not given is half the rate given */
  if (source == ES_FRONTEND_SOURCE_AUDIO && !json_object_has_member (o, "fmax"))
    d->fmax = d->rate / 2.0;
  if (source == ES_FRONTEND_SOURCE_AUDIO && !json_object_has_member (o, "n_fft"))
    d->n_fft = fft_size (d->frame_size);
  ok = TRUE;

out:
  g_list_free (members);
  g_object_unref (parser);
  if (!ok)
    es_frontend_desc_clear (d);
  return ok;
}

/* ---- writing ----------------------------------------------------------- */

/* A number as json-glib writes it (%.17g, ".0" on integral values, so the
 * files trainers wrote before read back the same) but never "1e-10.0",
 * which is not JSON. */
static void
append_double (GString *s, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_dtostr (buf, sizeof buf, v);
  g_string_append (s, buf);
  if (!strpbrk (buf, ".eE"))
    g_string_append (s, ".0");
}

static void
append_string (GString *s, const char *v)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);
  char *text;
  json_node_set_string (node, v);
  text = json_to_string (node, FALSE);
  g_string_append (s, text);
  g_free (text);
  json_node_unref (node);
}

char *
es_frontend_desc_to_json (const EsFrontendDesc *d)
{
  GString *s = g_string_new ("{");

  if (d->source != ES_FRONTEND_SOURCE_NONE)
    g_string_append_printf (s, "\"source\":\"%s\"", source_names[d->source]);
  for (size_t i = 0; d->source != ES_FRONTEND_SOURCE_NONE && i < G_N_ELEMENTS (keys); i++) {
    const Key *k = &keys[i];
    if (!key_applies (d, k))
      continue;
    g_string_append_printf (s, ",\"%s\":", k->name);
    switch (k->type) {
      case KEY_UINT:
        g_string_append_printf (s, "%u", *FIELD (d, k, unsigned));
        break;
      case KEY_DOUBLE:
        append_double (s, *FIELD (d, k, double));
        break;
      case KEY_BOOL:
        g_string_append (s, *FIELD (d, k, gboolean) ? "true" : "false");
        break;
      case KEY_STRING:
        append_string (s, *FIELD (d, k, char *));
        break;
      case KEY_WINDOW:
        append_string (s, es_window_type_name (*FIELD (d, k, EsWindowType)));
        break;
      case KEY_ENUM:{
        int v = *FIELD (d, k, int);
        append_string (s, v >= 0 && (size_t) v < k->n_names ? k->names[v] : "?");
        break;
      }
    }
  }
  g_string_append_c (s, '}');
  return g_string_free (s, FALSE);
}

/* ---- validation -------------------------------------------------------- */

G_GNUC_PRINTF (2, 3)
static gboolean
invalid (GError **error, const char *format, ...)
{
  va_list ap;
  char *message;
  va_start (ap, format);
  message = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_FRONTEND, "front-end %s", message);
  g_free (message);
  return FALSE;
}

void
es_frontend_desc_to_config (const EsFrontendDesc *d, EsFrontendConfig *c)
{
  es_frontend_config_init (c, d->rate);
  c->preemphasis = d->preemphasis;
  c->frame_size = d->frame_size;
  c->hop_size = d->hop_size;
  c->window = d->window;
  c->n_bands = d->bands;
  c->fmin = d->fmin;
  c->fmax = d->fmax;
  c->bandwidth = d->bandwidth;
  c->log_floor = d->log_floor;
  c->n_dct = d->dct;
  c->bands = NULL;
}

unsigned
es_frontend_desc_n_features (const EsFrontendDesc *d)
{
  return d->dct > 0 ? d->dct : d->bands;
}

static gboolean
validate_audio (const EsFrontendDesc *d, GError **error)
{
  EsFrontendConfig c;
  GError *dsp_error = NULL;

  es_frontend_desc_to_config (d, &c);
  if (!es_frontend_config_validate (&c, &dsp_error)) {
    /* the dsp message names the key ("front-end: fmax ... ") */
    g_set_error_literal (error, ES_MODEL_ERROR, ES_MODEL_ERROR_FRONTEND, dsp_error->message);
    g_error_free (dsp_error);
    return FALSE;
  }
  if (d->n_fft != fft_size (d->frame_size))
    return invalid (error, "n_fft %u: the filterbank's FFT is %u points for frames of %u "
        "samples (the next power of two, at least 2)", d->n_fft, fft_size (d->frame_size),
        d->frame_size);
  if ((unsigned) d->compression >= G_N_ELEMENTS (compression_names))
    return invalid (error, "compression %d is not known", (int) d->compression);
  if (d->dct > 0 && d->compression != ES_FRONTEND_COMPRESSION_LOG)
    return invalid (error, "dct %u needs compression \"log\" (cepstra are of log energies), "
        "not \"%s\"", d->dct, compression_names[d->compression]);
  if (d->window_frames > MAX_WINDOW_FRAMES)
    return invalid (error, "window_frames %u is above %u", d->window_frames, MAX_WINDOW_FRAMES);
  if (d->window_frames > 0 && d->window_hop > d->window_frames)
    return invalid (error, "window_hop %u is larger than window_frames %u (frames would be "
        "skipped)", d->window_hop, d->window_frames);
  if (d->frontend_layers > MAX_LAYERS)
    return invalid (error, "frontend_layers %u is above %u", d->frontend_layers, MAX_LAYERS);
  return TRUE;
}

static gboolean
validate_image_size (const EsFrontendDesc *d, GError **error)
{
  if (d->width > MAX_IMAGE_SIDE || d->height > MAX_IMAGE_SIDE)
    return invalid (error, "image size %u x %u: each side must be at most %u pixels",
        d->width, d->height, MAX_IMAGE_SIDE);
  if ((d->width == 0) != (d->height == 0))
    return invalid (error, "image size %u x %u: give both width and height (or neither, to "
        "take the model's)", d->width, d->height);
  if ((unsigned) d->resize >= G_N_ELEMENTS (resize_names))
    return invalid (error, "resize %d is not known", (int) d->resize);
  return TRUE;
}

gboolean
es_frontend_desc_validate (const EsFrontendDesc *d, GError **error)
{
  switch (d->source) {
    case ES_FRONTEND_SOURCE_NONE:
      return TRUE;
    case ES_FRONTEND_SOURCE_AUDIO:
      return validate_audio (d, error);
    case ES_FRONTEND_SOURCE_MEASUREMENT:
      if (d->points == 1 || d->points > MAX_POINTS)
        return invalid (error, "points %u is outside [2, %u]", d->points, MAX_POINTS);
      if (!(d->fmin > 0.0) || !(d->fmax <= MAX_FREQUENCY) || !(d->fmin < d->fmax))
        return invalid (error, "grid %g - %g Hz: need 0 < fmin < fmax <= %g Hz", d->fmin,
            d->fmax, MAX_FREQUENCY);
      if ((unsigned) d->image >= G_N_ELEMENTS (image_names))
        return invalid (error, "image %d is not known", (int) d->image);
      if (d->image == ES_FRONTEND_IMAGE_GRAPH) {
        if (!isfinite (d->db_min) || !isfinite (d->db_max) || !(d->db_min < d->db_max))
          return invalid (error, "graph level range %g .. %g dB: need db_min < db_max",
              d->db_min, d->db_max);
        return validate_image_size (d, error);
      }
      return TRUE;
    case ES_FRONTEND_SOURCE_IMAGE:
      return validate_image_size (d, error);
    case ES_FRONTEND_SOURCE_TABLE:
      return TRUE;
  }
  return invalid (error, "source %d is not known", (int) d->source);
}
