/* safetensors reader and writer; see safetensors.h and docs/model.md.
 *
 * Reading is done in three passes over the header so that json-glib only ever
 * sees input that is already known to be well formed and bounded:
 *   1. framing: 8-byte size, size limits, UTF-8;
 *   2. a strict RFC 8259 scan (json-glib alone accepts comments and single
 *      quotes) that also bounds the nesting depth (json-glib recurses, so a
 *      100 MB "[[[[..." would exhaust the stack) and the number of entries;
 *   3. json-glib builds the tree, with duplicate keys detected through its
 *      "object-member" signal (JsonObject silently keeps the last one).
 * Then the entries are checked against the schema and the offsets against each
 * other and the buffer, mirroring the reference implementation. */
#include "nn/safetensors.h"
#include "io/output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>


/* A valid header nests at most 3 deep (root object, entry object, shape
 * array); unknown members of an entry are ignored like the reference reader
 * does, and may nest a little deeper. */
#define MAX_JSON_DEPTH 16
/* Far above any real model (hundreds of tensors), far below what would make
 * json-glib's tree (about 1 KB per entry) a memory bomb inside a 100 MB header. */
#define MAX_ENTRIES 100000

struct _EsSafetensors {
  GBytes *bytes;
  const guint8 *buffer;          /* start of the byte buffer (8 + N) */
  size_t buffer_size;
  EsSafetensorsTensor *tensors;  /* sorted by offset */
  size_t n_tensors;
  GHashTable *by_name;           /* name -> EsSafetensorsTensor* */
  GHashTable *metadata;          /* key -> value */
  char **metadata_keys;
  GStringChunk *strings;         /* names and metadata live here */
  GPtrArray *shapes;             /* the tensors' shape arrays */
};

static const struct {
  const char *name;
  guint bits;
} dtype_info[ES_DTYPE_N_TYPES] = {
  [ES_DTYPE_BOOL] = {"BOOL", 8},
  [ES_DTYPE_U8] = {"U8", 8},
  [ES_DTYPE_I8] = {"I8", 8},
  [ES_DTYPE_I16] = {"I16", 16},
  [ES_DTYPE_U16] = {"U16", 16},
  [ES_DTYPE_F16] = {"F16", 16},
  [ES_DTYPE_BF16] = {"BF16", 16},
  [ES_DTYPE_I32] = {"I32", 32},
  [ES_DTYPE_U32] = {"U32", 32},
  [ES_DTYPE_F32] = {"F32", 32},
  [ES_DTYPE_F64] = {"F64", 64},
  [ES_DTYPE_I64] = {"I64", 64},
  [ES_DTYPE_U64] = {"U64", 64},
  [ES_DTYPE_C64] = {"C64", 64},
  [ES_DTYPE_F8_E5M2] = {"F8_E5M2", 8},
  [ES_DTYPE_F8_E4M3] = {"F8_E4M3", 8},
  [ES_DTYPE_F8_E8M0] = {"F8_E8M0", 8},
  [ES_DTYPE_F8_E4M3FNUZ] = {"F8_E4M3FNUZ", 8},
  [ES_DTYPE_F8_E5M2FNUZ] = {"F8_E5M2FNUZ", 8},
  [ES_DTYPE_F4] = {"F4", 4},
  [ES_DTYPE_F6_E2M3] = {"F6_E2M3", 6},
  [ES_DTYPE_F6_E3M2] = {"F6_E3M2", 6},
};

const char *
es_dtype_name (EsDtype dtype)
{
  if ((int) dtype < 0 || dtype >= ES_DTYPE_N_TYPES)
    return NULL;
  return dtype_info[dtype].name;
}

gboolean
es_dtype_from_name (const char *name, EsDtype * dtype)
{
  for (int i = 0; i < ES_DTYPE_N_TYPES; i++)
    if (strcmp (name, dtype_info[i].name) == 0) {
      *dtype = (EsDtype) i;
      return TRUE;
    }
  return FALSE;
}

guint
es_dtype_bits (EsDtype dtype)
{
  if ((int) dtype < 0 || dtype >= ES_DTYPE_N_TYPES)
    return 0;
  return dtype_info[dtype].bits;
}

/* ---- half precision ---------------------------------------------------- */

static float
float_from_bits (guint32 bits)
{
  float f;
  memcpy (&f, &bits, sizeof f);
  return f;
}

static guint32
bits_from_float (float f)
{
  guint32 bits;
  memcpy (&bits, &f, sizeof bits);
  return bits;
}

float
es_half_to_float (guint16 h)
{
  guint32 sign = (guint32) (h & 0x8000) << 16;
  guint32 exponent = (h >> 10) & 0x1f;
  guint32 mantissa = h & 0x3ff;

  if (exponent == 0x1f)         /* inf, NaN (payload kept) */
    return float_from_bits (sign | 0x7f800000 | (mantissa << 13));
  if (exponent == 0) {
    if (mantissa == 0)
      return float_from_bits (sign);
    /* Subnormal: mantissa x 2^-24, exact in float32. */
    return (sign ? -1.0f : 1.0f) * (float) mantissa * 0x1p-24f;
  }
  return float_from_bits (sign | ((exponent + 112) << 23) | (mantissa << 13));
}

float
es_bfloat16_to_float (guint16 bits)
{
  return float_from_bits ((guint32) bits << 16);
}

guint16
es_float_to_half (float value)
{
  guint32 f = bits_from_float (value);
  guint16 sign = (f >> 16) & 0x8000;
  guint32 abs_bits = f & 0x7fffffff;
  int exponent;
  guint32 mantissa, half, round_bit, sticky;

  if (abs_bits >= 0x7f800000)   /* inf or NaN (keep NaN quiet and non-zero) */
    return sign | 0x7c00 | (abs_bits > 0x7f800000 ? 0x200 | ((abs_bits >> 13) & 0x3ff) : 0);
  if (abs_bits >= 0x477ff000)   /* rounds to >= 65520: overflow to inf */
    return sign | 0x7c00;
  exponent = (int) (abs_bits >> 23) - 127;
  mantissa = abs_bits & 0x7fffff;
  if (exponent < -25)           /* below half the smallest subnormal */
    return sign;
  if (exponent < -14) {
    /* Subnormal half: shift the implicit bit in and round to nearest even. */
    int shift = -exponent - 14 + 13;
    mantissa |= 0x800000;
    half = mantissa >> shift;
    round_bit = (mantissa >> (shift - 1)) & 1;
    sticky = (mantissa & ((1u << (shift - 1)) - 1)) != 0;
    if (round_bit && (sticky || (half & 1)))
      half++;
    return sign | half;
  }
  half = ((guint32) (exponent + 15) << 10) | (mantissa >> 13);
  round_bit = (mantissa >> 12) & 1;
  sticky = (mantissa & 0xfff) != 0;
  if (round_bit && (sticky || (half & 1)))
    half++;                     /* may carry into the exponent: still correct */
  return sign | half;
}

/* "[32, 1, 3]"; "[]" for a scalar. */
static char *
shape_format (int ndim, const size_t * shape)
{
  GString *s = g_string_new ("[");
  for (int i = 0; i < ndim; i++)
    g_string_append_printf (s, "%s%zu", i ? ", " : "", shape[i]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

/* ---- strict JSON scan -------------------------------------------------- */

typedef struct {
  const char *p;
  const char *end;
  const char *start;
  int depth;
  size_t root_entries;
  const char *problem;
} JsonScan;

static void
skip_ws (JsonScan * s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
    s->p++;
}

static gboolean scan_value (JsonScan * s);

static gboolean
fail (JsonScan * s, const char *problem)
{
  if (!s->problem)
    s->problem = problem;
  return FALSE;
}

static gboolean
scan_string (JsonScan * s)
{
  if (s->p >= s->end || *s->p != '"')
    return fail (s, "expected a string");
  s->p++;
  while (s->p < s->end) {
    guchar c = (guchar) * s->p;
    if (c == '"') {
      s->p++;
      return TRUE;
    }
    if (c < 0x20)
      return fail (s, "control character in a string");
    if (c == '\\') {
      s->p++;
      if (s->p >= s->end)
        break;
      if (*s->p == 'u') {
        for (int i = 1; i <= 4; i++)
          if (s->p + i >= s->end || !g_ascii_isxdigit (s->p[i]))
            return fail (s, "bad \\u escape");
        s->p += 5;
        continue;
      }
      if (!strchr ("\"\\/bfnrt", *s->p) || *s->p == '\0')
        return fail (s, "bad escape in a string");
    }
    s->p++;
  }
  return fail (s, "unterminated string");
}

static gboolean
scan_digits (JsonScan * s)
{
  const char *start = s->p;
  while (s->p < s->end && g_ascii_isdigit (*s->p))
    s->p++;
  return s->p > start;
}

static gboolean
scan_number (JsonScan * s)
{
  if (s->p < s->end && *s->p == '-')
    s->p++;
  if (s->p < s->end && *s->p == '0')
    s->p++;
  else if (!scan_digits (s))
    return fail (s, "bad number");
  if (s->p < s->end && *s->p == '.') {
    s->p++;
    if (!scan_digits (s))
      return fail (s, "bad number");
  }
  if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
    s->p++;
    if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
      s->p++;
    if (!scan_digits (s))
      return fail (s, "bad number");
  }
  return TRUE;
}

static gboolean
scan_literal (JsonScan * s, const char *word)
{
  size_t len = strlen (word);
  if ((size_t) (s->end - s->p) < len || memcmp (s->p, word, len) != 0)
    return fail (s, "unexpected character");
  s->p += len;
  return TRUE;
}

static gboolean
scan_container (JsonScan * s, gboolean is_object)
{
  char close = is_object ? '}' : ']';
  size_t count = 0;

  if (++s->depth > MAX_JSON_DEPTH)
    return fail (s, "nested deeper than a safetensors header can be");
  s->p++;
  skip_ws (s);
  if (s->p < s->end && *s->p == close) {
    s->p++;
    s->depth--;
    return TRUE;
  }
  for (;;) {
    if (is_object) {
      skip_ws (s);
      if (!scan_string (s))
        return FALSE;
      skip_ws (s);
      if (s->p >= s->end || *s->p != ':')
        return fail (s, "expected ':'");
      s->p++;
    }
    if (!scan_value (s))
      return FALSE;
    count++;
    if (s->depth == 1 && is_object && count > MAX_ENTRIES)
      return fail (s, "more than 100000 entries");
    skip_ws (s);
    if (s->p < s->end && *s->p == ',') {
      s->p++;
      continue;
    }
    if (s->p < s->end && *s->p == close) {
      s->p++;
      break;
    }
    return fail (s, is_object ? "expected ',' or '}'" : "expected ',' or ']'");
  }
  if (s->depth == 1)
    s->root_entries = count;
  s->depth--;
  return TRUE;
}

static gboolean
scan_value (JsonScan * s)
{
  skip_ws (s);
  if (s->p >= s->end)
    return fail (s, "unexpected end of header");
  switch (*s->p) {
    case '{':
      return scan_container (s, TRUE);
    case '[':
      return scan_container (s, FALSE);
    case '"':
      return scan_string (s);
    case 't':
      return scan_literal (s, "true");
    case 'f':
      return scan_literal (s, "false");
    case 'n':
      return scan_literal (s, "null");
    default:
      if (*s->p == '-' || g_ascii_isdigit (*s->p))
        return scan_number (s);
      return fail (s, "unexpected character");
  }
}

/* ---- duplicate keys through json-glib's parse events -------------------- */

typedef struct {
  GHashTable *seen;             /* JsonObject* -> GHashTable of names */
  char *duplicate;
} DupCheck;

static void
on_object_member (JsonParser * parser, JsonObject * object, const char *name, gpointer user_data)
{
  DupCheck *dup = user_data;
  GHashTable *names = g_hash_table_lookup (dup->seen, object);

  if (!names) {
    names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    g_hash_table_insert (dup->seen, object, names);
  }
  if (!g_hash_table_add (names, g_strdup (name)) && !dup->duplicate)
    dup->duplicate = g_strdup (name);
}

static void
on_object_end (JsonParser * parser, JsonObject * object, gpointer user_data)
{
  /* Objects freed later could reuse this address: forget it now. */
  DupCheck *dup = user_data;
  g_hash_table_remove (dup->seen, object);
}

/* ---- reader ------------------------------------------------------------ */

void
es_safetensors_free (EsSafetensors * st)
{
  if (!st)
    return;
  g_bytes_unref (st->bytes);
  g_free (st->tensors);
  if (st->by_name)
    g_hash_table_unref (st->by_name);
  if (st->metadata)
    g_hash_table_unref (st->metadata);
  g_free (st->metadata_keys);
  if (st->strings)
    g_string_chunk_free (st->strings);
  if (st->shapes)
    g_ptr_array_unref (st->shapes);
  g_free (st);
}

static gboolean
node_is_int (JsonNode * node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
}

static gboolean
parse_metadata (EsSafetensors * st, JsonNode * node, GError ** error)
{
  JsonObject *object;
  GList *members;

  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_BAD_METADATA,
        "__metadata__ is not a string-to-string map (it is not an object)");
    return FALSE;
  }
  object = json_node_get_object (node);
  members = json_object_get_members (object);
  for (GList * l = members; l; l = l->next) {
    JsonNode *value = json_object_get_member (object, l->data);
    if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING) {
      g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_BAD_METADATA,
          "__metadata__ is not a string-to-string map (value of '%s' is not a string)",
          (const char *) l->data);
      g_list_free (members);
      return FALSE;
    }
    g_hash_table_insert (st->metadata, g_string_chunk_insert (st->strings, l->data),
        g_string_chunk_insert (st->strings, json_node_get_string (value)));
  }
  g_list_free (members);
  return TRUE;
}

static gboolean
parse_entry (EsSafetensors * st, const char *name, JsonNode * node,
    EsSafetensorsTensor * t, size_t * end, GError ** error)
{
  JsonObject *object;
  JsonNode *dtype_node, *shape_node, *offsets_node;
  JsonArray *shape, *offsets;
  size_t *dims;
  gint64 begin, finish;
  guint n;

  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_BAD_JSON,
        "tensor '%s' is not described by a JSON object", name);
    return FALSE;
  }
  object = json_node_get_object (node);
  dtype_node = json_object_get_member (object, "dtype");
  shape_node = json_object_get_member (object, "shape");
  offsets_node = json_object_get_member (object, "data_offsets");
  if (!dtype_node || !shape_node || !offsets_node) {
    g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_BAD_JSON,
        "tensor '%s' lacks %s", name,
        !dtype_node ? "\"dtype\"" : !shape_node ? "\"shape\"" : "\"data_offsets\"");
    return FALSE;
  }

  t->name = g_string_chunk_insert (st->strings, name);
  if (!JSON_NODE_HOLDS_VALUE (dtype_node) || json_node_get_value_type (dtype_node) != G_TYPE_STRING) {
    g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_BAD_JSON,
        "tensor '%s': dtype is not a string", name);
    return FALSE;
  }
  if (!es_dtype_from_name (json_node_get_string (dtype_node), &t->dtype)) {
    g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_UNKNOWN_DTYPE,
        "tensor '%s' has unknown dtype '%s'", name, json_node_get_string (dtype_node));
    return FALSE;
  }

  if (!JSON_NODE_HOLDS_ARRAY (shape_node)) {
    g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_BAD_SHAPE,
        "tensor '%s': shape is not an array", name);
    return FALSE;
  }
  shape = json_node_get_array (shape_node);
  n = json_array_get_length (shape);
  if (n > 64) {
    g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_BAD_SHAPE,
        "tensor '%s' has %u dimensions", name, n);
    return FALSE;
  }
  dims = g_new0 (size_t, n ? n : 1);
  g_ptr_array_add (st->shapes, dims);
  t->numel = 1;
  for (guint i = 0; i < n; i++) {
    JsonNode *d = json_array_get_element (shape, i);
    gint64 v;
    if (!node_is_int (d) || (v = json_node_get_int (d)) < 0) {
      g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_BAD_SHAPE,
          "tensor '%s': shape entry %u is not a non-negative integer", name, i);
      return FALSE;
    }
    dims[i] = (size_t) v;
    if ((guint64) v > G_MAXSIZE || !g_size_checked_mul (&t->numel, t->numel, dims[i])) {
      g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_BAD_SHAPE,
          "tensor '%s': the number of elements of its shape overflows", name);
      return FALSE;
    }
  }
  {
    size_t nbits;
    if (!g_size_checked_mul (&nbits, t->numel, es_dtype_bits (t->dtype))) {
      g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_BAD_SHAPE,
          "tensor '%s': its size in bits overflows", name);
      return FALSE;
    }
    if (nbits % 8 != 0) {
      g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_SIZE_MISMATCH,
          "tensor '%s': %zu elements of %s are not a whole number of bytes", name,
          t->numel, es_dtype_name (t->dtype));
      return FALSE;
    }
    t->nbytes = nbits / 8;
  }
  t->ndim = (int) n;
  t->shape = dims;

  if (!JSON_NODE_HOLDS_ARRAY (offsets_node)
      || json_array_get_length (offsets = json_node_get_array (offsets_node)) != 2
      || !node_is_int (json_array_get_element (offsets, 0))
      || !node_is_int (json_array_get_element (offsets, 1))) {
    g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_BAD_OFFSETS,
        "tensor '%s': data_offsets is not a pair of integers [BEGIN, END]", name);
    return FALSE;
  }
  begin = json_array_get_int_element (offsets, 0);
  finish = json_array_get_int_element (offsets, 1);
  if (begin < 0 || finish < begin) {
    g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_BAD_OFFSETS,
        "tensor '%s': data_offsets [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
        "] are not 0 <= BEGIN <= END", name, begin, finish);
    return FALSE;
  }
  t->offset = (size_t) begin;
  *end = (size_t) finish;
  return TRUE;
}

typedef struct {
  EsSafetensorsTensor t;
  size_t end;
} Entry;

static int
compare_entries (gconstpointer a, gconstpointer b)
{
  const Entry *x = a, *y = b;
  if (x->t.offset != y->t.offset)
    return x->t.offset < y->t.offset ? -1 : 1;
  if (x->end != y->end)
    return x->end < y->end ? -1 : 1;
  return strcmp (x->t.name, y->t.name);
}

static gboolean
parse_header (EsSafetensors * st, const char *header, size_t header_len, GError ** error)
{
  JsonScan scan = { header, header + header_len, header, 0, 0, NULL };
  JsonParser *parser = NULL;
  DupCheck dup = { NULL, NULL };
  JsonObject *root;
  GList *members = NULL;
  GArray *entries = NULL;
  GError *json_error = NULL;
  gboolean ok = FALSE;
  size_t cursor = 0;

  if (!g_utf8_validate_len (header, header_len, NULL)) {
    g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_INVALID_UTF8,
        "header is not valid UTF-8");
    return FALSE;
  }
  skip_ws (&scan);
  if (scan.p >= scan.end || *scan.p != '{') {
    g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_BAD_JSON,
        "header is not a JSON object");
    return FALSE;
  }
  if (scan_value (&scan)) {
    skip_ws (&scan);
    if (scan.p != scan.end)
      fail (&scan, "text after the JSON object");
  }
  if (scan.problem) {
    g_set_error (error, ES_SAFETENSORS_ERROR,
        g_str_equal (scan.problem, "more than 100000 entries") ?
        ES_SAFETENSORS_ERROR_HEADER_TOO_LARGE : ES_SAFETENSORS_ERROR_BAD_JSON,
        "header is not valid JSON: %s at byte %zu", scan.problem,
        (size_t) (scan.p - scan.start));
    return FALSE;
  }

  parser = json_parser_new_immutable ();
  dup.seen = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_hash_table_unref);
  g_signal_connect (parser, "object-member", G_CALLBACK (on_object_member), &dup);
  g_signal_connect (parser, "object-end", G_CALLBACK (on_object_end), &dup);
  if (!json_parser_load_from_data (parser, header, (gssize) header_len, &json_error)) {
    g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_BAD_JSON,
        "header is not valid JSON: %s", json_error->message);
    g_clear_error (&json_error);
    goto out;
  }
  if (dup.duplicate) {
    g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_DUPLICATE_KEY,
        "header has the key '%s' twice", dup.duplicate);
    goto out;
  }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
    g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_BAD_JSON,
        "header is not a JSON object");
    goto out;
  }
  root = json_node_get_object (json_parser_get_root (parser));

  entries = g_array_sized_new (FALSE, TRUE, sizeof (Entry), json_object_get_size (root));
  members = json_object_get_members (root);
  for (GList * l = members; l; l = l->next) {
    JsonNode *node = json_object_get_member (root, l->data);
    Entry e = { {0}, 0 };
    if (g_str_equal (l->data, "__metadata__")) {
      if (!parse_metadata (st, node, error))
        goto out;
      continue;
    }
    if (!parse_entry (st, l->data, node, &e.t, &e.end, error))
      goto out;
    g_array_append_val (entries, e);
  }

  /* Offsets must tile the buffer from 0 with no gap and no overlap: no
   * polyglot files, no "many tensors on the same bytes" memory bombs. Sizes
   * are checked in the same order as the reference reader. */
  g_array_sort (entries, compare_entries);
  for (guint i = 0; i < entries->len; i++) {
    Entry *e = &g_array_index (entries, Entry, i);
    if (e->t.offset > cursor) {
      g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_OFFSETS_GAP,
          "tensor '%s' starts at byte %zu of the data but the previous tensor ends at %zu "
          "(gap)", e->t.name, e->t.offset, cursor);
      goto out;
    }
    if (e->t.offset < cursor) {
      g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_OFFSETS_OVERLAP,
          "tensor '%s' starts at byte %zu of the data, inside the previous tensor which "
          "ends at %zu (overlap)", e->t.name, e->t.offset, cursor);
      goto out;
    }
    if (e->end - e->t.offset != e->t.nbytes) {
      char *shape = shape_format (e->t.ndim, e->t.shape);
      g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_SIZE_MISMATCH,
          "tensor '%s' (%s %s) needs %zu bytes but its data_offsets span %zu",
          e->t.name, es_dtype_name (e->t.dtype), shape, e->t.nbytes, e->end - e->t.offset);
      g_free (shape);
      goto out;
    }
    cursor = e->end;
  }
  if (cursor > st->buffer_size) {
    g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_TRUNCATED,
        "the tensors need %zu bytes of data but the file holds only %zu (truncated)",
        cursor, st->buffer_size);
    goto out;
  }
  if (cursor < st->buffer_size) {
    g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_TRAILING_BYTES,
        "%zu bytes after the last tensor (the tensors end at byte %zu of the data)",
        st->buffer_size - cursor, cursor);
    goto out;
  }

  st->n_tensors = entries->len;
  st->tensors = g_new0 (EsSafetensorsTensor, MAX (entries->len, 1));
  for (guint i = 0; i < entries->len; i++) {
    st->tensors[i] = g_array_index (entries, Entry, i).t;
    st->tensors[i].data = st->buffer + st->tensors[i].offset;
    g_hash_table_insert (st->by_name, (gpointer) st->tensors[i].name, &st->tensors[i]);
  }
  ok = TRUE;

out:
  g_list_free (members);
  if (entries)
    g_array_unref (entries);
  g_free (dup.duplicate);
  if (dup.seen)
    g_hash_table_unref (dup.seen);
  if (parser)
    g_object_unref (parser);
  return ok;
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

EsSafetensors *
es_safetensors_load_bytes (GBytes * bytes, GError ** error)
{
  EsSafetensors *st;
  const guint8 *data;
  size_t size;
  guint64 header_len;

  g_return_val_if_fail (bytes != NULL, NULL);
  data = g_bytes_get_data (bytes, &size);
  if (size < 8) {
    g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_TRUNCATED,
        "file is %zu bytes long, too short for the 8-byte header size (truncated)", size);
    return NULL;
  }
  memcpy (&header_len, data, 8);
  header_len = GUINT64_FROM_LE (header_len);
  if (header_len > ES_SAFETENSORS_MAX_HEADER_SIZE) {
    g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_HEADER_TOO_LARGE,
        "header size %" G_GUINT64_FORMAT " bytes exceeds the limit of %" G_GUINT64_FORMAT,
        header_len, ES_SAFETENSORS_MAX_HEADER_SIZE);
    return NULL;
  }
  /* header_len <= 1e8, so 8 + header_len cannot overflow. */
  if (8 + header_len > size) {
    g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_INVALID_HEADER_LENGTH,
        "header size %" G_GUINT64_FORMAT " runs past the end of the %zu-byte file",
        header_len, size);
    return NULL;
  }

  st = g_new0 (EsSafetensors, 1);
  st->bytes = g_bytes_ref (bytes);
  st->buffer = data + 8 + header_len;
  st->buffer_size = size - 8 - (size_t) header_len;
  st->strings = g_string_chunk_new (1024);
  st->shapes = g_ptr_array_new_with_free_func (g_free);
  st->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  st->metadata = g_hash_table_new (g_str_hash, g_str_equal);
  if (!parse_header (st, (const char *) data + 8, (size_t) header_len, error)) {
    es_safetensors_free (st);
    return NULL;
  }
  {
    guint n = 0;
    st->metadata_keys = (char **) g_hash_table_get_keys_as_array (st->metadata, &n);
    qsort (st->metadata_keys, n, sizeof (char *), compare_strings);
  }
  return st;
}

EsSafetensors *
es_safetensors_load_data (const void *data, size_t size, GError ** error)
{
  GBytes *bytes = g_bytes_new (data, size);
  EsSafetensors *st = es_safetensors_load_bytes (bytes, error);
  g_bytes_unref (bytes);
  return st;
}

EsSafetensors *
es_safetensors_load (const char *path, GError ** error)
{
  /* Read the whole file rather than map it: a mapped file that shrinks
   * underneath us would turn a read into SIGBUS; models are a few MB. Only
   * regular files: /dev/zero or a FIFO would never end. */
  GError *local = NULL;
  GBytes *bytes;
  EsSafetensors *st;
  struct stat sb;
  guint8 *buffer;
  size_t size, got = 0;
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);

  if (fd < 0) {
    int saved = errno;
    g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_IO, "%s: %s", path,
        g_strerror (saved));
    return NULL;
  }
  if (fstat (fd, &sb) != 0 || !S_ISREG (sb.st_mode)) {
    g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_IO,
        "%s: not a regular file", path);
    close (fd);
    return NULL;
  }
  size = (size_t) sb.st_size;
  if ((guint64) sb.st_size > G_MAXSIZE || !(buffer = g_try_malloc (size ? size : 1))) {
    g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_IO,
        "%s: cannot hold %" G_GUINT64_FORMAT " bytes in memory", path, (guint64) sb.st_size);
    close (fd);
    return NULL;
  }
  while (got < size) {
    ssize_t n = read (fd, buffer + got, size - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int saved = errno;
      g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_IO, "%s: %s", path,
          g_strerror (saved));
      g_free (buffer);
      close (fd);
      return NULL;
    }
    if (n == 0)                 /* shrank meanwhile: validate what is there */
      break;
    got += (size_t) n;
  }
  close (fd);

  bytes = g_bytes_new_take (buffer, got);
  st = es_safetensors_load_bytes (bytes, &local);
  g_bytes_unref (bytes);
  if (!st)
    g_propagate_prefixed_error (error, local, "%s: ", path);
  return st;
}

size_t
es_safetensors_get_n_tensors (const EsSafetensors * st)
{
  return st->n_tensors;
}

const EsSafetensorsTensor *
es_safetensors_get_tensor (const EsSafetensors * st, size_t index)
{
  g_return_val_if_fail (index < st->n_tensors, NULL);
  return &st->tensors[index];
}

const EsSafetensorsTensor *
es_safetensors_find (const EsSafetensors * st, const char *name)
{
  return g_hash_table_lookup (st->by_name, name);
}

const char *
es_safetensors_get_metadata (const EsSafetensors * st, const char *key)
{
  return g_hash_table_lookup (st->metadata, key);
}

const char *const *
es_safetensors_get_metadata_keys (const EsSafetensors * st)
{
  return (const char *const *) st->metadata_keys;
}

gboolean
es_safetensors_read_f32 (const EsSafetensors * st, const char *name, int ndim,
    const size_t * shape, float *out, GError ** error)
{
  const EsSafetensorsTensor *t = es_safetensors_find (st, name);
  gboolean same_shape;

  if (!t) {
    g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_NOT_FOUND,
        "tensor '%s' is missing from the file", name);
    return FALSE;
  }
  same_shape = t->ndim == ndim;
  for (int i = 0; same_shape && i < ndim; i++)
    same_shape = t->shape[i] == shape[i];
  if (!same_shape) {
    char *have = shape_format (t->ndim, t->shape);
    char *want = shape_format (ndim, shape);
    g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_SHAPE_MISMATCH,
        "tensor '%s' has shape %s, model expects %s", name, have, want);
    g_free (have);
    g_free (want);
    return FALSE;
  }

  switch (t->dtype) {
    case ES_DTYPE_F32:
      for (size_t i = 0; i < t->numel; i++) {
        guint32 v;
        memcpy (&v, t->data + 4 * i, 4);
        out[i] = float_from_bits (GUINT32_FROM_LE (v));
      }
      return TRUE;
    case ES_DTYPE_F16:
    case ES_DTYPE_BF16:
      for (size_t i = 0; i < t->numel; i++) {
        guint16 v;
        memcpy (&v, t->data + 2 * i, 2);
        v = GUINT16_FROM_LE (v);
        out[i] = t->dtype == ES_DTYPE_F16 ? es_half_to_float (v) : es_bfloat16_to_float (v);
      }
      return TRUE;
    case ES_DTYPE_F64:
      for (size_t i = 0; i < t->numel; i++) {
        guint64 v;
        double d;
        memcpy (&v, t->data + 8 * i, 8);
        v = GUINT64_FROM_LE (v);
        memcpy (&d, &v, 8);
        out[i] = (float) d;
      }
      return TRUE;
    default:
      g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_UNSUPPORTED_DTYPE,
          "tensor '%s' has dtype %s; model weights must be F32, F16, BF16 or F64",
          name, es_dtype_name (t->dtype));
      return FALSE;
  }
}

/* ---- writer ------------------------------------------------------------ */

typedef struct {
  char *name;
  EsDtype dtype;
  int ndim;
  size_t *shape;
  GBytes *data;                 /* little-endian */
} WriterTensor;

struct _EsSafetensorsWriter {
  GPtrArray *tensors;           /* WriterTensor* */
  GHashTable *names;
  GTree *metadata;              /* sorted, so files are reproducible */
};

static void
writer_tensor_free (gpointer p)
{
  WriterTensor *t = p;
  g_free (t->name);
  g_free (t->shape);
  g_bytes_unref (t->data);
  g_free (t);
}

static int
compare_keys (gconstpointer a, gconstpointer b, gpointer user_data)
{
  return strcmp (a, b);
}

EsSafetensorsWriter *
es_safetensors_writer_new (void)
{
  EsSafetensorsWriter *w = g_new0 (EsSafetensorsWriter, 1);
  w->tensors = g_ptr_array_new_with_free_func (writer_tensor_free);
  w->names = g_hash_table_new (g_str_hash, g_str_equal);
  w->metadata = g_tree_new_full (compare_keys, NULL, g_free, g_free);
  return w;
}

void
es_safetensors_writer_free (EsSafetensorsWriter * writer)
{
  if (!writer)
    return;
  g_hash_table_unref (writer->names);
  g_ptr_array_unref (writer->tensors);
  g_tree_unref (writer->metadata);
  g_free (writer);
}

void
es_safetensors_writer_set_metadata (EsSafetensorsWriter * writer, const char *key,
    const char *value)
{
  g_return_if_fail (key != NULL && value != NULL);
  g_tree_replace (writer->metadata, g_strdup (key), g_strdup (value));
}

gboolean
es_safetensors_writer_add (EsSafetensorsWriter * writer, const char *name, EsDtype dtype,
    int ndim, const size_t * shape, const void *data, GError ** error)
{
  WriterTensor *t;
  size_t numel = 1, nbits, nbytes, unit;
  guint8 *copy;

  if (!name || !g_utf8_validate (name, -1, NULL) || g_str_equal (name, "__metadata__")
      || g_hash_table_contains (writer->names, name)) {
    g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_INVALID_ARGUMENT,
        "cannot add tensor '%s': the name is invalid or already used", name ? name : "(null)");
    return FALSE;
  }
  if ((int) dtype < 0 || dtype >= ES_DTYPE_N_TYPES || ndim < 0 || ndim > 64) {
    g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_INVALID_ARGUMENT,
        "cannot add tensor '%s': bad dtype or rank", name);
    return FALSE;
  }
  for (int i = 0; i < ndim; i++)
    if (!g_size_checked_mul (&numel, numel, shape[i])) {
      g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_BAD_SHAPE,
          "cannot add tensor '%s': its size overflows", name);
      return FALSE;
    }
  if (!g_size_checked_mul (&nbits, numel, es_dtype_bits (dtype)) || nbits % 8 != 0) {
    g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_BAD_SHAPE,
        "cannot add tensor '%s': its size is not a whole number of bytes", name);
    return FALSE;
  }
  nbytes = nbits / 8;
  copy = g_malloc (nbytes ? nbytes : 1);
  if (nbytes)
    memcpy (copy, data, nbytes);
  /* Values are stored little-endian; complex64 is a pair of float32. */
  unit = dtype == ES_DTYPE_C64 ? 4 : es_dtype_bits (dtype) / 8;
#if G_BYTE_ORDER == G_BIG_ENDIAN
  if (unit > 1)
    for (size_t i = 0; i + unit <= nbytes; i += unit)
      for (size_t a = 0, b = unit - 1; a < b; a++, b--) {
        guint8 tmp = copy[i + a];
        copy[i + a] = copy[i + b];
        copy[i + b] = tmp;
      }
#else
  (void) unit;
#endif

  t = g_new0 (WriterTensor, 1);
  t->name = g_strdup (name);
  t->dtype = dtype;
  t->ndim = ndim;
  t->shape = g_memdup2 (shape, sizeof (size_t) * (ndim ? ndim : 1));
  t->data = g_bytes_new_take (copy, nbytes);
  g_ptr_array_add (writer->tensors, t);
  g_hash_table_add (writer->names, t->name);
  return TRUE;
}

gboolean
es_safetensors_writer_add_f32 (EsSafetensorsWriter * writer, const char *name, int ndim,
    const size_t * shape, const float *data, GError ** error)
{
  return es_safetensors_writer_add (writer, name, ES_DTYPE_F32, ndim, shape, data, error);
}

/* Descending element size then name: each tensor then starts at a multiple
 * of its element size, as the reference writer does. */
static int
compare_for_layout (gconstpointer a, gconstpointer b)
{
  const WriterTensor *x = *(WriterTensor * const *) a;
  const WriterTensor *y = *(WriterTensor * const *) b;
  guint bx = es_dtype_bits (x->dtype), by = es_dtype_bits (y->dtype);
  if (bx != by)
    return bx > by ? -1 : 1;
  return strcmp (x->name, y->name);
}

static gboolean
add_metadata_member (gpointer key, gpointer value, gpointer builder)
{
  json_builder_set_member_name (builder, key);
  json_builder_add_string_value (builder, value);
  return FALSE;
}

GBytes *
es_safetensors_writer_to_bytes (EsSafetensorsWriter * writer)
{
  GPtrArray *order = g_ptr_array_new ();
  JsonBuilder *builder = json_builder_new ();
  JsonGenerator *generator;
  JsonNode *root;
  GByteArray *out;
  char *header;
  size_t header_len, padded, offset = 0;
  guint64 le_len;

  for (guint i = 0; i < writer->tensors->len; i++)
    g_ptr_array_add (order, writer->tensors->pdata[i]);
  g_ptr_array_sort (order, compare_for_layout);

  json_builder_begin_object (builder);
  if (g_tree_nnodes (writer->metadata) > 0) {
    json_builder_set_member_name (builder, "__metadata__");
    json_builder_begin_object (builder);
    g_tree_foreach (writer->metadata, add_metadata_member, builder);
    json_builder_end_object (builder);
  }
  for (guint i = 0; i < order->len; i++) {
    WriterTensor *t = order->pdata[i];
    size_t nbytes = g_bytes_get_size (t->data);
    json_builder_set_member_name (builder, t->name);
    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "dtype");
    json_builder_add_string_value (builder, es_dtype_name (t->dtype));
    json_builder_set_member_name (builder, "shape");
    json_builder_begin_array (builder);
    for (int d = 0; d < t->ndim; d++)
      json_builder_add_int_value (builder, (gint64) t->shape[d]);
    json_builder_end_array (builder);
    json_builder_set_member_name (builder, "data_offsets");
    json_builder_begin_array (builder);
    json_builder_add_int_value (builder, (gint64) offset);
    json_builder_add_int_value (builder, (gint64) (offset + nbytes));
    json_builder_end_array (builder);
    json_builder_end_object (builder);
    offset += nbytes;
  }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  header = json_generator_to_data (generator, &header_len);
  padded = (header_len + 7) / 8 * 8;

  out = g_byte_array_sized_new ((guint) (8 + padded + offset));
  le_len = GUINT64_TO_LE ((guint64) padded);
  g_byte_array_append (out, (const guint8 *) &le_len, 8);
  g_byte_array_append (out, (const guint8 *) header, (guint) header_len);
  for (size_t i = header_len; i < padded; i++)
    g_byte_array_append (out, (const guint8 *) " ", 1);
  for (guint i = 0; i < order->len; i++) {
    WriterTensor *t = order->pdata[i];
    g_byte_array_append (out, g_bytes_get_data (t->data, NULL), (guint) g_bytes_get_size (t->data));
  }

  g_free (header);
  json_node_unref (root);
  g_object_unref (generator);
  g_object_unref (builder);
  g_ptr_array_unref (order);
  return g_byte_array_free_to_bytes (out);
}

gboolean
es_safetensors_writer_save (EsSafetensorsWriter * writer, const char *path, GError ** error)
{
  GBytes *bytes = es_safetensors_writer_to_bytes (writer);
  gboolean ok;

  /* io/output: a temporary file beside `path`, synced and renamed over it
   * (a failure leaves any previous file untouched), a symlink's target
   * replaced, a device written in place */
  ok = es_output_write_file (path, g_bytes_get_data (bytes, NULL),
      g_bytes_get_size (bytes), error);
  if (!ok && error && *error && (*error)->domain != ES_SAFETENSORS_ERROR) {
    GError *io = *error;
    *error = NULL;
    g_set_error (error, ES_SAFETENSORS_ERROR, ES_SAFETENSORS_ERROR_IO,
        "%s", io->message);
    g_error_free (io);
  }
  g_bytes_unref (bytes);
  return ok;
}
