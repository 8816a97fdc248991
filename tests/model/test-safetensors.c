/* safetensors reader and writer: round trips, files written by an independent
 * Python writer, and one test per class of malformed or hostile file. The bad
 * files are made here from a good one, so each differs from a valid file in
 * exactly the way its name says. */
#include <check.h>
#include <math.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "nn/safetensors.h"
#include "fixture.h"

/* ---- helpers ----------------------------------------------------------- */

/* A file image from a header text and a data buffer. */
static GBytes *
make_file (const char *header, const void *data, size_t data_len)
{
  GByteArray *a = g_byte_array_new ();
  guint64 n = GUINT64_TO_LE ((guint64) strlen (header));
  g_byte_array_append (a, (const guint8 *) &n, 8);
  g_byte_array_append (a, (const guint8 *) header, (guint) strlen (header));
  if (data_len)
    g_byte_array_append (a, data, (guint) data_len);
  return g_byte_array_free_to_bytes (a);
}

/* The reference file every malformed header below is derived from: two F32
 * tensors "a" [2] at [0, 8] and "b" [1] at [8, 12]. */
static const float good_data[3] = { 1.0f, 2.0f, 3.0f };

#define GOOD_A "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}"
#define GOOD_B "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}"

/* Load `header` + the good data (or `data_len` bytes of it), expect failure
 * with `code` and a message containing `needle`. */
static void
expect_error_full (const char *header, size_t data_len, int code, const char *needle)
{
  guint8 data[64] = { 0 };
  GBytes *bytes;
  GError *error = NULL;
  EsSafetensors *st;

  g_assert (data_len <= sizeof data);
  memcpy (data, good_data, MIN (data_len, sizeof good_data));
  bytes = make_file (header, data, data_len);
  st = es_safetensors_load_bytes (bytes, &error);
  g_bytes_unref (bytes);
  ck_assert_msg (st == NULL, "header %s was accepted", header);
  ck_assert (error != NULL);
  ck_assert_msg (error->domain == ES_SAFETENSORS_ERROR && error->code == code,
      "header %s: expected code %d, got %d: %s", header, code, error->code, error->message);
  ck_assert_msg (strstr (error->message, needle) != NULL,
      "message '%s' does not mention '%s'", error->message, needle);
  g_error_free (error);
}

static void
expect_error (const char *header, int code, const char *needle)
{
  expect_error_full (header, sizeof good_data, code, needle);
}

static void
expect_bytes_error (GBytes * bytes, int code, const char *needle)
{
  GError *error = NULL;
  EsSafetensors *st = es_safetensors_load_bytes (bytes, &error);
  ck_assert (st == NULL);
  ck_assert_msg (error->code == code, "expected code %d, got %d: %s", code, error->code,
      error->message);
  ck_assert_msg (strstr (error->message, needle) != NULL,
      "message '%s' does not mention '%s'", error->message, needle);
  g_error_free (error);
}

/* ---- good files -------------------------------------------------------- */

START_TEST (test_good_reference_file)
{
  GBytes *bytes = make_file ("{" GOOD_A "," GOOD_B "}", good_data, sizeof good_data);
  GError *error = NULL;
  EsSafetensors *st = es_safetensors_load_bytes (bytes, &error);
  float a[2], b[1];
  size_t shape_a[1] = { 2 }, shape_b[1] = { 1 };

  ck_assert_msg (st != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (es_safetensors_get_n_tensors (st), 2);
  ck_assert (es_safetensors_read_f32 (st, "a", 1, shape_a, a, &error));
  ck_assert (es_safetensors_read_f32 (st, "b", 1, shape_b, b, &error));
  ck_assert (a[0] == 1.0f && a[1] == 2.0f && b[0] == 3.0f);
  ck_assert (es_safetensors_get_metadata (st, "format") == NULL);
  es_safetensors_free (st);
  g_bytes_unref (bytes);
}
END_TEST

START_TEST (test_round_trip)
{
  EsSafetensorsWriter *w = es_safetensors_writer_new ();
  GError *error = NULL;
  float conv[2 * 3 * 5], scalar = -0.0f;
  guint16 half[7];
  gint64 counts[3] = { -1, 0, G_MAXINT64 };
  size_t conv_shape[3] = { 2, 3, 5 }, half_shape[1] = { 7 }, count_shape[1] = { 3 };
  size_t empty_shape[2] = { 0, 4 };
  GBytes *bytes;
  EsSafetensors *st;
  const EsSafetensorsTensor *t;
  const guint8 *raw;
  guint64 header_len;
  char *dir, *path;

  for (int i = 0; i < 30; i++)
    conv[i] = (float) sin (i * 0.7) * 1e3f;
  conv[3] = NAN;
  conv[4] = INFINITY;
  conv[5] = 1e-42f;             /* float32 subnormal survives bit for bit */
  for (int i = 0; i < 7; i++)
    half[i] = es_float_to_half ((float) i - 2.5f);

  ck_assert (es_safetensors_writer_add_f32 (w, "3.weight", 3, conv_shape, conv, &error));
  ck_assert (es_safetensors_writer_add (w, "half", ES_DTYPE_F16, 1, half_shape, half, &error));
  ck_assert (es_safetensors_writer_add (w, "counts", ES_DTYPE_I64, 1, count_shape, counts,
          &error));
  ck_assert (es_safetensors_writer_add_f32 (w, "scalar", 0, NULL, &scalar, &error));
  ck_assert (es_safetensors_writer_add_f32 (w, "empty", 2, empty_shape, NULL, &error));
  /* Names must be unique. */
  ck_assert (!es_safetensors_writer_add_f32 (w, "half", 0, NULL, &scalar, &error));
  ck_assert_int_eq (error->code, ES_SAFETENSORS_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  es_safetensors_writer_set_metadata (w, "architecture", "[{\"type\": \"relu\"}]");
  es_safetensors_writer_set_metadata (w, "note", "caf\xc3\xa9 \"quoted\" \\ \n tab\t");

  bytes = es_safetensors_writer_to_bytes (w);
  raw = g_bytes_get_data (bytes, NULL);
  memcpy (&header_len, raw, 8);
  header_len = GUINT64_FROM_LE (header_len);
  ck_assert_uint_eq (header_len % 8, 0);

  st = es_safetensors_load_bytes (bytes, &error);
  ck_assert_msg (st != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (es_safetensors_get_n_tensors (st), 5);
  /* Ordered by element size so each tensor is naturally aligned. */
  for (size_t i = 0; i < 5; i++) {
    t = es_safetensors_get_tensor (st, i);
    ck_assert_uint_eq ((8 + header_len + t->offset) % (es_dtype_bits (t->dtype) / 8), 0);
  }
  t = es_safetensors_find (st, "3.weight");
  ck_assert (t && t->dtype == ES_DTYPE_F32 && t->ndim == 3 && t->shape[2] == 5);
  ck_assert (memcmp (t->data, conv, sizeof conv) == 0);  /* little-endian host */
  t = es_safetensors_find (st, "half");
  ck_assert (t && t->dtype == ES_DTYPE_F16 && memcmp (t->data, half, sizeof half) == 0);
  t = es_safetensors_find (st, "counts");
  ck_assert (t && t->dtype == ES_DTYPE_I64 && memcmp (t->data, counts, sizeof counts) == 0);
  t = es_safetensors_find (st, "scalar");
  ck_assert (t && t->ndim == 0 && t->numel == 1 && memcmp (t->data, &scalar, 4) == 0);
  t = es_safetensors_find (st, "empty");
  ck_assert (t && t->ndim == 2 && t->numel == 0 && t->nbytes == 0);
  ck_assert_str_eq (es_safetensors_get_metadata (st, "architecture"), "[{\"type\": \"relu\"}]");
  ck_assert_str_eq (es_safetensors_get_metadata (st, "note"),
      "caf\xc3\xa9 \"quoted\" \\ \n tab\t");
  ck_assert_str_eq (es_safetensors_get_metadata_keys (st)[0], "architecture");
  ck_assert_str_eq (es_safetensors_get_metadata_keys (st)[1], "note");
  ck_assert (es_safetensors_get_metadata_keys (st)[2] == NULL);
  {
    float out[7];
    ck_assert (es_safetensors_read_f32 (st, "half", 1, half_shape, out, &error));
    for (int i = 0; i < 7; i++)
      ck_assert (out[i] == (float) i - 2.5f);
  }
  es_safetensors_free (st);

  /* Through a file: the same bytes, and no temporary file left behind. */
  dir = g_dir_make_tmp ("es-safetensors-XXXXXX", &error);
  ck_assert (dir != NULL);
  path = g_build_filename (dir, "model.safetensors", NULL);
  ck_assert (es_safetensors_writer_save (w, path, &error));
  {
    char *contents;
    gsize len;
    GDir *d;
    int n_entries = 0;
    ck_assert (g_file_get_contents (path, &contents, &len, NULL));
    ck_assert_uint_eq (len, g_bytes_get_size (bytes));
    ck_assert (memcmp (contents, raw, len) == 0);
    g_free (contents);
    d = g_dir_open (dir, 0, NULL);
    while (g_dir_read_name (d))
      n_entries++;
    g_dir_close (d);
    ck_assert_int_eq (n_entries, 1);
  }
  st = es_safetensors_load (path, &error);
  ck_assert_msg (st != NULL, "%s", error ? error->message : "");
  es_safetensors_free (st);

  /* Saving over a directory fails with an I/O error and leaves it alone. */
  ck_assert (!es_safetensors_writer_save (w, dir, &error));
  ck_assert_int_eq (error->code, ES_SAFETENSORS_ERROR_IO);
  g_clear_error (&error);
  ck_assert (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  g_unlink (path);
  g_rmdir (dir);
  g_free (path);
  g_free (dir);
  g_bytes_unref (bytes);
  es_safetensors_writer_free (w);
}
END_TEST

static void
check_python_file (const char *name)
{
  char *path = es_fixture_path (name);
  GError *error = NULL;
  EsSafetensors *st = es_safetensors_load (path, &error);
  size_t n_expected;
  double *expected = es_fixture_load_doubles ("model/python-values.txt", &n_expected);
  size_t shape_a[2] = { 2, 3 }, shape_b[1] = { 8 }, shape_c[1] = { 4 };
  float values[6 + 8 + 4 + 1];
  const EsSafetensorsTensor *counts;
  gint64 c[3];

  ck_assert_msg (st != NULL, "%s: %s", name, error ? error->message : "");
  ck_assert_uint_eq (n_expected, G_N_ELEMENTS (values));
  ck_assert (es_safetensors_read_f32 (st, "layer.a", 2, shape_a, values, &error));
  ck_assert (es_safetensors_read_f32 (st, "layer.b", 1, shape_b, values + 6, &error));
  ck_assert (es_safetensors_read_f32 (st, "layer.c", 1, shape_c, values + 14, &error));
  ck_assert (es_safetensors_read_f32 (st, "scalar", 0, NULL, values + 18, &error));
  for (size_t i = 0; i < n_expected; i++) {
    ck_assert_msg (values[i] == (float) expected[i], "%s value %zu: %.9g != %.9g", name, i,
        values[i], expected[i]);
    ck_assert (!signbit (values[i]) == !signbit (expected[i]));
  }
  counts = es_safetensors_find (st, "counts");
  ck_assert (counts && counts->dtype == ES_DTYPE_I64);
  memcpy (c, counts->data, sizeof c);
  ck_assert (GINT64_FROM_LE (c[0]) == 1 && GINT64_FROM_LE (c[1]) == -2
      && GINT64_FROM_LE (c[2]) == 3);
  /* Integers are not weights. */
  ck_assert (!es_safetensors_read_f32 (st, "counts", 1, (size_t[]) { 3 }, values, &error));
  ck_assert_int_eq (error->code, ES_SAFETENSORS_ERROR_UNSUPPORTED_DTYPE);
  ck_assert (strstr (error->message, "I64") != NULL);
  g_clear_error (&error);
  ck_assert_str_eq (es_safetensors_get_metadata (st, "format"), "pt");
  ck_assert_str_eq (es_safetensors_get_metadata (st, "note"),
      "caf\xc3\xa9 \xe2\x9c\x93 \"quoted\"");
  es_safetensors_free (st);
  g_free (expected);
  g_free (path);
}

START_TEST (test_python_padded)
{
  check_python_file ("model/python-padded.safetensors");
}
END_TEST

START_TEST (test_python_unaligned)
{
  check_python_file ("model/python-unaligned.safetensors");
}
END_TEST

START_TEST (test_half_conversion)
{
  /* Every finite half converts to float and back to itself. */
  for (guint32 h = 0; h < 0x10000; h++) {
    float f = es_half_to_float ((guint16) h);
    if (isnan (f)) {
      ck_assert ((h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0);
      continue;
    }
    ck_assert_msg (es_float_to_half (f) == h, "half 0x%04x -> %g -> 0x%04x", h, f,
        es_float_to_half (f));
  }
  ck_assert (es_half_to_float (0x3c00) == 1.0f);
  ck_assert (es_half_to_float (0xc000) == -2.0f);
  ck_assert (es_half_to_float (0x7bff) == 65504.0f);
  ck_assert (es_half_to_float (0x0001) == 0x1p-24f);
  ck_assert (isinf (es_half_to_float (0x7c00)));
  ck_assert (es_bfloat16_to_float (0x3f80) == 1.0f);
  /* Rounding to nearest even, overflow to infinity. */
  ck_assert_uint_eq (es_float_to_half (1.0f + 0x1p-11f), 0x3c00);
  ck_assert_uint_eq (es_float_to_half (1.0f + 3 * 0x1p-11f), 0x3c02);
  ck_assert_uint_eq (es_float_to_half (70000.0f), 0x7c00);
}
END_TEST

/* ---- bad files, one class each ----------------------------------------- */

START_TEST (test_truncated)
{
  GBytes *bytes = make_file ("{" GOOD_A "," GOOD_B "}", good_data, sizeof good_data);
  const guint8 *raw = g_bytes_get_data (bytes, NULL);
  GBytes *cut;

  cut = g_bytes_new (raw, 5);
  expect_bytes_error (cut, ES_SAFETENSORS_ERROR_TRUNCATED, "too short");
  g_bytes_unref (cut);
  cut = g_bytes_new (raw, 0);
  expect_bytes_error (cut, ES_SAFETENSORS_ERROR_TRUNCATED, "too short");
  g_bytes_unref (cut);
  /* Cut inside the data: the offsets promise more than is there. */
  expect_error_full ("{" GOOD_A "," GOOD_B "}", 10, ES_SAFETENSORS_ERROR_TRUNCATED,
      "truncated");
  g_bytes_unref (bytes);
}
END_TEST

START_TEST (test_header_too_large)
{
  guint8 raw[16] = { 0 };
  guint64 sizes[] = { ES_SAFETENSORS_MAX_HEADER_SIZE + 1, G_MAXUINT64, G_MAXUINT64 - 7 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++) {
    guint64 n = GUINT64_TO_LE (sizes[i]);
    GBytes *bytes;
    memcpy (raw, &n, 8);
    bytes = g_bytes_new (raw, sizeof raw);
    expect_bytes_error (bytes, ES_SAFETENSORS_ERROR_HEADER_TOO_LARGE, "exceeds the limit");
    g_bytes_unref (bytes);
  }
}
END_TEST

START_TEST (test_header_length_past_eof)
{
  GBytes *bytes = make_file ("{" GOOD_A "," GOOD_B "}", good_data, sizeof good_data);
  gsize size;
  guint8 *raw = g_bytes_unref_to_data (bytes, &size);
  guint64 n = GUINT64_TO_LE ((guint64) size);   /* 8 + N > size */

  memcpy (raw, &n, 8);
  bytes = g_bytes_new_take (raw, size);
  expect_bytes_error (bytes, ES_SAFETENSORS_ERROR_INVALID_HEADER_LENGTH, "past the end");
  g_bytes_unref (bytes);
}
END_TEST

START_TEST (test_trailing_bytes)
{
  float more[4] = { 1, 2, 3, 4 };
  GBytes *bytes = make_file ("{" GOOD_A "," GOOD_B "}", more, sizeof more);
  expect_bytes_error (bytes, ES_SAFETENSORS_ERROR_TRAILING_BYTES, "4 bytes after the last tensor");
  g_bytes_unref (bytes);
}
END_TEST

START_TEST (test_invalid_utf8)
{
  expect_error ("{" GOOD_A "," GOOD_B ",\"__metadata__\":{\"x\":\"\xff\xfe\"}}",
      ES_SAFETENSORS_ERROR_INVALID_UTF8, "UTF-8");
}
END_TEST

START_TEST (test_bad_json)
{
  const char *bad[] = {
    "{" GOOD_A "," GOOD_B,                          /* unterminated */
    "{" GOOD_A "," GOOD_B ",}",                     /* trailing comma */
    "{" GOOD_A "," GOOD_B "/* comment */}",         /* json-glib alone accepts this */
    "{" GOOD_A ",'b':{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
    "{" GOOD_A "," GOOD_B "} {}",                   /* two values */
    "[" GOOD_A "]",
    "{" GOOD_A ",\"b\":[1]}",                       /* entry is not an object */
    "{" GOOD_A ",\"b\":{\"shape\":[1],\"data_offsets\":[8,12]}}",  /* no dtype */
    "{" GOOD_A ",\"b\":{\"dtype\":7,\"shape\":[1],\"data_offsets\":[8,12]}}",
    "{" GOOD_A ",\"b\":{\"dtype\":\"F32\",\"shape\":[01],\"data_offsets\":[8,12]}}",
    "",
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    expect_error (bad[i], ES_SAFETENSORS_ERROR_BAD_JSON, "");
  expect_error ("{" GOOD_A ",\"b\":[1]}", ES_SAFETENSORS_ERROR_BAD_JSON, "tensor 'b'");
}
END_TEST

START_TEST (test_deep_nesting)
{
  /* json-glib recurses per level: this must be refused before it parses. */
  GString *h = g_string_new ("{" GOOD_A "," GOOD_B ",\"c\":");
  for (int i = 0; i < 200000; i++)
    g_string_append_c (h, '[');
  for (int i = 0; i < 200000; i++)
    g_string_append_c (h, ']');
  g_string_append_c (h, '}');
  expect_error (h->str, ES_SAFETENSORS_ERROR_BAD_JSON, "nested");
  g_string_free (h, TRUE);
}
END_TEST

START_TEST (test_duplicate_key)
{
  expect_error ("{" GOOD_A "," GOOD_B "," GOOD_B "}", ES_SAFETENSORS_ERROR_DUPLICATE_KEY,
      "'b' twice");
  /* The same key spelled with an escape is still the same key. */
  expect_error ("{" GOOD_A "," GOOD_B ",\"\\u0062\":{\"dtype\":\"F32\",\"shape\":[1],"
      "\"data_offsets\":[8,12]}}", ES_SAFETENSORS_ERROR_DUPLICATE_KEY, "'b' twice");
  expect_error ("{" GOOD_A ",\"b\":{\"dtype\":\"F32\",\"dtype\":\"F16\",\"shape\":[1],"
      "\"data_offsets\":[8,12]}}", ES_SAFETENSORS_ERROR_DUPLICATE_KEY, "'dtype' twice");
  expect_error ("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}," GOOD_A "," GOOD_B "}",
      ES_SAFETENSORS_ERROR_DUPLICATE_KEY, "'k' twice");
}
END_TEST

START_TEST (test_unknown_dtype)
{
  expect_error ("{" GOOD_A ",\"b\":{\"dtype\":\"F128\",\"shape\":[1],\"data_offsets\":[8,12]}}",
      ES_SAFETENSORS_ERROR_UNKNOWN_DTYPE, "unknown dtype 'F128'");
  expect_error ("{" GOOD_A ",\"b\":{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
      ES_SAFETENSORS_ERROR_UNKNOWN_DTYPE, "'f32'");
}
END_TEST

START_TEST (test_bad_shape)
{
  const char *bad[] = {
    "{" GOOD_A ",\"b\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[8,12]}}",
    "{" GOOD_A ",\"b\":{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[8,12]}}",
    "{" GOOD_A ",\"b\":{\"dtype\":\"F32\",\"shape\":[\"1\"],\"data_offsets\":[8,12]}}",
    "{" GOOD_A ",\"b\":{\"dtype\":\"F32\",\"shape\":1,\"data_offsets\":[8,12]}}",
    "{" GOOD_A ",\"b\":{\"dtype\":\"F32\",\"shape\":[1e0],\"data_offsets\":[8,12]}}",
    "{" GOOD_A ",\"b\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],"
        "\"data_offsets\":[8,12]}}",
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    expect_error (bad[i], ES_SAFETENSORS_ERROR_BAD_SHAPE, "tensor 'b'");
  /* Each entry fits, the product overflows. */
  expect_error ("{" GOOD_A ",\"b\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,2],"
      "\"data_offsets\":[8,12]}}", ES_SAFETENSORS_ERROR_BAD_SHAPE, "overflows");
  /* The element count fits, the size in bits does not. */
  expect_error ("{" GOOD_A ",\"b\":{\"dtype\":\"F64\",\"shape\":[4611686018427387904],"
      "\"data_offsets\":[8,12]}}", ES_SAFETENSORS_ERROR_BAD_SHAPE, "overflows");
}
END_TEST

START_TEST (test_bad_offsets)
{
  expect_error ("{" GOOD_A ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,8]}}",
      ES_SAFETENSORS_ERROR_BAD_OFFSETS, "BEGIN <= END");
  expect_error ("{" GOOD_A ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8]}}",
      ES_SAFETENSORS_ERROR_BAD_OFFSETS, "pair of integers");
  expect_error ("{" GOOD_A ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}",
      ES_SAFETENSORS_ERROR_BAD_OFFSETS, "BEGIN <= END");
  expect_error ("{" GOOD_A ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[\"8\",12]}}",
      ES_SAFETENSORS_ERROR_BAD_OFFSETS, "pair of integers");
}
END_TEST

START_TEST (test_offsets_gap)
{
  /* b moved 4 bytes on: a gap of 4 bytes before it. */
  expect_error_full ("{" GOOD_A ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}",
      16, ES_SAFETENSORS_ERROR_OFFSETS_GAP, "gap");
  /* The data does not start at 0. */
  expect_error ("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
      ES_SAFETENSORS_ERROR_OFFSETS_GAP, "gap");
}
END_TEST

START_TEST (test_offsets_overlap)
{
  expect_error ("{" GOOD_A ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
      ES_SAFETENSORS_ERROR_OFFSETS_OVERLAP, "overlap");
}
END_TEST

START_TEST (test_many_overlapping_tensors)
{
  /* The "100 k tensors on the same bytes" memory bomb (safetensors attacks). */
  GString *h = g_string_new ("{");
  for (int i = 0; i < 100000; i++)
    g_string_append_printf (h, "%s\"t%d\":{\"dtype\":\"F32\",\"shape\":[3],"
        "\"data_offsets\":[0,12]}", i ? "," : "", i);
  g_string_append_c (h, '}');
  expect_error (h->str, ES_SAFETENSORS_ERROR_OFFSETS_OVERLAP, "overlap");
  g_string_free (h, TRUE);
}
END_TEST

START_TEST (test_too_many_entries)
{
  GString *h = g_string_new ("{");
  for (int i = 0; i < 100001; i++)
    g_string_append_printf (h, "%s\"t%d\":{\"dtype\":\"F32\",\"shape\":[0],"
        "\"data_offsets\":[0,0]}", i ? "," : "", i);
  g_string_append_c (h, '}');
  expect_error_full (h->str, 0, ES_SAFETENSORS_ERROR_HEADER_TOO_LARGE, "100000 entries");
  g_string_free (h, TRUE);
}
END_TEST

START_TEST (test_size_mismatch)
{
  /* b says [2] (8 bytes) but its offsets hold 4. */
  expect_error ("{" GOOD_A ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,12]}}",
      ES_SAFETENSORS_ERROR_SIZE_MISMATCH, "needs 8 bytes but its data_offsets span 4");
  /* Sub-byte dtype: 3 x 4 bits is not a whole number of bytes. */
  expect_error_full ("{\"a\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,2]}}", 2,
      ES_SAFETENSORS_ERROR_SIZE_MISMATCH, "whole number of bytes");
}
END_TEST

START_TEST (test_bad_metadata)
{
  expect_error ("{\"__metadata__\":{\"labels\":[\"a\",\"b\"]}," GOOD_A "," GOOD_B "}",
      ES_SAFETENSORS_ERROR_BAD_METADATA, "'labels' is not a string");
  expect_error ("{\"__metadata__\":{\"n\":1}," GOOD_A "," GOOD_B "}",
      ES_SAFETENSORS_ERROR_BAD_METADATA, "'n' is not a string");
  expect_error ("{\"__metadata__\":\"x\"," GOOD_A "," GOOD_B "}",
      ES_SAFETENSORS_ERROR_BAD_METADATA, "not an object");
}
END_TEST

START_TEST (test_whitespace_and_empty)
{
  /* Leading and trailing whitespace, an empty file with no tensors. */
  GBytes *bytes = make_file (" \n\t{" GOOD_A "," GOOD_B "}\r\n   ", good_data, sizeof good_data);
  GError *error = NULL;
  EsSafetensors *st = es_safetensors_load_bytes (bytes, &error);
  ck_assert_msg (st != NULL, "%s", error ? error->message : "");
  es_safetensors_free (st);
  g_bytes_unref (bytes);
  bytes = make_file ("{}", NULL, 0);
  st = es_safetensors_load_bytes (bytes, &error);
  ck_assert (st != NULL && es_safetensors_get_n_tensors (st) == 0);
  es_safetensors_free (st);
  g_bytes_unref (bytes);
}
END_TEST

START_TEST (test_lookup_errors)
{
  GBytes *bytes = make_file ("{" GOOD_A ",\"3.weight\":{\"dtype\":\"F32\",\"shape\":[1,1,1],"
      "\"data_offsets\":[8,12]}}", good_data, sizeof good_data);
  GError *error = NULL;
  EsSafetensors *st = es_safetensors_load_bytes (bytes, &error);
  size_t want[3] = { 32, 1, 5 };
  float out[160];

  ck_assert (st != NULL);
  ck_assert (!es_safetensors_read_f32 (st, "3.weight", 3, want, out, &error));
  ck_assert_int_eq (error->code, ES_SAFETENSORS_ERROR_SHAPE_MISMATCH);
  ck_assert_str_eq (error->message,
      "tensor '3.weight' has shape [1, 1, 1], model expects [32, 1, 5]");
  g_clear_error (&error);
  ck_assert (!es_safetensors_read_f32 (st, "3.bias", 1, want, out, &error));
  ck_assert_int_eq (error->code, ES_SAFETENSORS_ERROR_NOT_FOUND);
  ck_assert (strstr (error->message, "'3.bias'") != NULL);
  g_clear_error (&error);
  es_safetensors_free (st);
  g_bytes_unref (bytes);
}
END_TEST

START_TEST (test_missing_file)
{
  GError *error = NULL;
  ck_assert (es_safetensors_load ("/nonexistent/dir/x.safetensors", &error) == NULL);
  ck_assert_int_eq (error->code, ES_SAFETENSORS_ERROR_IO);
  ck_assert (strstr (error->message, "x.safetensors") != NULL);
  g_clear_error (&error);
  /* Not regular files: a directory, and a device that never ends. */
  ck_assert (es_safetensors_load (g_get_tmp_dir (), &error) == NULL);
  ck_assert_int_eq (error->code, ES_SAFETENSORS_ERROR_IO);
  ck_assert (strstr (error->message, "not a regular file") != NULL);
  g_clear_error (&error);
  if (g_file_test ("/dev/zero", G_FILE_TEST_EXISTS)) {
    ck_assert (es_safetensors_load ("/dev/zero", &error) == NULL);
    ck_assert_int_eq (error->code, ES_SAFETENSORS_ERROR_IO);
    g_clear_error (&error);
  }
}
END_TEST

static Suite *
safetensors_suite (void)
{
  Suite *s = suite_create ("safetensors");
  TCase *tc = tcase_create ("good");
  tcase_add_test (tc, test_good_reference_file);
  tcase_add_test (tc, test_round_trip);
  tcase_add_test (tc, test_python_padded);
  tcase_add_test (tc, test_python_unaligned);
  tcase_add_test (tc, test_half_conversion);
  tcase_add_test (tc, test_whitespace_and_empty);
  tcase_add_test (tc, test_lookup_errors);
  suite_add_tcase (s, tc);
  tc = tcase_create ("bad");
  tcase_add_test (tc, test_truncated);
  tcase_add_test (tc, test_header_too_large);
  tcase_add_test (tc, test_header_length_past_eof);
  tcase_add_test (tc, test_trailing_bytes);
  tcase_add_test (tc, test_invalid_utf8);
  tcase_add_test (tc, test_bad_json);
  tcase_add_test (tc, test_deep_nesting);
  tcase_add_test (tc, test_duplicate_key);
  tcase_add_test (tc, test_unknown_dtype);
  tcase_add_test (tc, test_bad_shape);
  tcase_add_test (tc, test_bad_offsets);
  tcase_add_test (tc, test_offsets_gap);
  tcase_add_test (tc, test_offsets_overlap);
  tcase_add_test (tc, test_many_overlapping_tensors);
  tcase_add_test (tc, test_too_many_entries);
  tcase_add_test (tc, test_size_mismatch);
  tcase_add_test (tc, test_bad_metadata);
  tcase_add_test (tc, test_missing_file);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (safetensors_suite ());
  int failed;
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
