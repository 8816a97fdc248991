/* Tests for io/frcsv: every accepted layout of the AutoEq/squig.link/REW CSV
 * family, and one test per malformed case with its own clear error. */
#include <check.h>
#include <math.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "io/frcsv.h"
#include "fixture.h"

/* Rows 20·2^(i/2) Hz, level 80 + i dB: easy to check after any layout. */
static char *
make_rows (const char *header, const char *format, int n, const char *line_end)
{
  GString *s = g_string_new (header);
  for (int i = 0; i < n; i++) {
    char f[G_ASCII_DTOSTR_BUF_SIZE], v[G_ASCII_DTOSTR_BUF_SIZE];
    g_ascii_formatd (f, sizeof f, "%.4f", 20.0 * pow (2.0, i / 2.0));
    g_ascii_formatd (v, sizeof v, "%.2f", 80.0 + i);
    g_string_append_printf (s, format, f, v);
    g_string_append (s, line_end);
  }
  return g_string_free (s, FALSE);
}

static void
assert_rows (const EsFrMeasurement * m, int n)
{
  ck_assert_ptr_nonnull (m);
  ck_assert_uint_eq (m->n, n);
  for (int i = 0; i < n; i++) {
    ck_assert_double_eq_tol (m->frequency[i], 20.0 * pow (2.0, i / 2.0), 1e-3);
    ck_assert_double_eq_tol (m->level[i], 80.0 + i, 1e-9);
  }
}

static EsFrMeasurement *
parse_ok (const char *text)
{
  GError *err = NULL;
  EsFrMeasurement *m = es_fr_measurement_parse (text, -1, "t.csv", NULL, &err);
  ck_assert_msg (m != NULL, "unexpected error: %s\n--- text:\n%.300s",
      err ? err->message : "?", text);
  return m;
}

START_TEST (test_layouts)
{
  static const struct {
    const char *header, *format, *line_end;
  } layouts[] = {
    {"frequency,raw\n", "%s,%s", "\n"},                    /* AutoEq measurement */
    {"frequency,db\n", "%s,%s", "\n"},                     /* squig.link export */
    {"X,Y\n", "%s,%s", "\n"},
    {"Frequency,SPL\n", "%s,%s", "\r\n"},                  /* CRLF */
    {"\xEF\xBB\xBF" "frequency,raw\n", "%s,%s", "\n"},     /* BOM */
    {"\xEF\xBB\xBF", "%s,%s", "\n"},                       /* BOM, no header */
    {"", "%s,%s", "\n"},                                   /* no header */
    {"", "%s\t%s", "\n"},                                  /* tab */
    {"", "%s %s", "\n"},                                   /* space */
    {"", "  %s   %s  ", "\n"},                             /* aligned blanks */
    {"", "%s|%s", "\n"},
    {"frequency;raw\n", "%s;%s", "\r\n"},
    {"\"frequency\",\"raw\"\n", "%s, %s", "\n"},           /* quoted header, spaces */
    {"# measured on a 711 coupler\n\nfrequency,raw\n# smoothing none\n", "%s,%s", "\n"},
    {"// exported\nFreq(Hz)\tSPL(dB)\n", "%s\t%s", "\n"},
    /* REW text export: header as a `*` comment above blank-separated rows */
    {"* Measurement data measured by REW V5.20\n* Source: Umik-1\n"
          "* Format is frequency in Hz, SPL in dB\n* Freq(Hz), SPL(dB), Phase(degrees)\n",
        "%s %s -12.5", "\n"},
    {"Freq(Hz), SPL(dB), Phase(degrees)\n", "%s, %s, 0.0", "\n"},
    {"My IEM (L)\nfrequency,raw\n", "%s,%s", "\n"},        /* title line before the header */
  };
  for (gsize i = 0; i < G_N_ELEMENTS (layouts); i++) {
    char *text = make_rows (layouts[i].header, layouts[i].format, 20, layouts[i].line_end);
    EsFrMeasurement *m = parse_ok (text);
    assert_rows (m, 20);
    es_fr_measurement_free (m);
    g_free (text);
  }
}
END_TEST

START_TEST (test_column_pick_by_name)
{
  EsFrMeasurement *m;
  /* AutoEq results: raw is the second column, but named. */
  m = parse_ok ("frequency,raw,smoothed,error\n20,1,2,3\n30,4,5,6\n40,7,8,9\n50,1,1,1\n"
      "60,1,1,1\n70,1,1,1\n80,1,1,1\n90,1,1,1\n100,1,1,1\n110,1,1,1\n");
  ck_assert_double_eq (m->level[1], 4);
  es_fr_measurement_free (m);
  /* Level before frequency, and an index column. */
  m = parse_ok ("index,SPL,Frequency\n0,70,20\n1,71,30\n2,72,40\n3,73,50\n4,74,60\n"
      "5,75,70\n6,76,80\n7,77,90\n8,78,100\n9,79,110\n");
  ck_assert_double_eq (m->frequency[2], 40);
  ck_assert_double_eq (m->level[2], 72);
  es_fr_measurement_free (m);
  /* Unrecognised names: columns 0 and 1. */
  m = parse_ok ("a,b\n20,1\n30,2\n40,3\n50,4\n60,5\n70,6\n80,7\n90,8\n100,9\n110,10\n");
  ck_assert_double_eq (m->level[9], 10);
  es_fr_measurement_free (m);
}
END_TEST

START_TEST (test_decimal_comma)
{
  EsFrMeasurement *m = parse_ok ("Frequency;SPL\n20,5;-3,25\n21;1,5\n22;2\n23;3\n24;4\n"
      "25;5\n26;6\n27;7\n28;8\n29;9\n");
  ck_assert_double_eq (m->frequency[0], 20.5);
  ck_assert_double_eq (m->level[0], -3.25);
  ck_assert_double_eq (m->level[1], 1.5);
  es_fr_measurement_free (m);
}
END_TEST

/* Each malformed case: its error code and the words that make it clear. */
START_TEST (test_errors)
{
  char *ten = make_rows ("frequency,raw\n", "%s,%s", 10, "\n");
  static const struct {
    const char *text;
    int code;
    const char *expected;       /* substring of the message */
  } cases[] = {
    {"", ES_IO_ERROR_FORMAT, "t.csv: no data rows"},
    {"frequency,raw\n# nothing\n", ES_IO_ERROR_FORMAT, "t.csv: no data rows"},
    {"frequency,raw\n20,1\n30,2\n", ES_IO_ERROR_DATA, "only 2 data rows, at least 10"},
    {"frequency,raw\n20,1\n30,abc\n", ES_IO_ERROR_FORMAT, "t.csv:3: level \"abc\" (column 2) is not a number"},
    {"frequency,raw\n20,1\n3O,2\n", ES_IO_ERROR_FORMAT, "t.csv:3: frequency \"3O\" (column 1) is not a number"},
    {"frequency,raw\n20,1\n30,nan\n", ES_IO_ERROR_DATA, "t.csv:3: level \"nan\" (column 2) is not a finite"},
    {"frequency,raw\n20,1\ninf,2\n", ES_IO_ERROR_DATA, "t.csv:3: frequency \"inf\" (column 1) is not a finite"},
    {"frequency,raw\n20,1\n30,1e999\n", ES_IO_ERROR_DATA, "not a finite"},
    {"frequency,raw\n20,1\n30,2\n30,3\n", ES_IO_ERROR_DATA, "t.csv:4: frequency 30 Hz repeats the previous row"},
    {"frequency,raw\n20,1\n40,2\n30,3\n", ES_IO_ERROR_DATA, "t.csv:4: frequency 30 Hz is below the previous row's 40 Hz"},
    {"frequency,raw\n0,1\n", ES_IO_ERROR_DATA, "t.csv:2: frequency 0 Hz is not positive"},
    {"frequency,raw\n-20,1\n", ES_IO_ERROR_DATA, "t.csv:2: frequency -20 Hz is not positive"},
    {"frequency,raw\n20\n30\n", ES_IO_ERROR_FORMAT, "t.csv:2: expected at least 2 columns"},
    {"frequency,raw\n20,1\n30,\n", ES_IO_ERROR_FORMAT, "t.csv:3: level \"\" (column 2) is not a number"},
    {"frequency,raw\n20,1\n30,2\nfrequency,raw\n40,3\n", ES_IO_ERROR_FORMAT, "t.csv:4: \"frequency,raw\" is not a data row"},
    {"frequency,raw\n20,1\x00\n", ES_IO_ERROR_FORMAT, "not a text file"},
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    GError *err = NULL;
    gssize len = i == G_N_ELEMENTS (cases) - 1 ? 19 : -1;
    EsFrMeasurement *m = es_fr_measurement_parse (cases[i].text, len, "t.csv", NULL, &err);
    ck_assert_msg (m == NULL, "case %zu parsed but should fail", i);
    ck_assert_ptr_nonnull (err);
    ck_assert_msg (err->domain == ES_IO_ERROR && err->code == cases[i].code,
        "case %zu: code %d, expected %d (%s)", i, err->code, cases[i].code, err->message);
    ck_assert_msg (strstr (err->message, cases[i].expected) != NULL,
        "case %zu: \"%s\" lacks \"%s\"", i, err->message, cases[i].expected);
    g_error_free (err);
  }
  /* The same ten rows pass: the failures above are the malformed bits. */
  es_fr_measurement_free (parse_ok (ten));
  g_free (ten);
}
END_TEST

START_TEST (test_min_points_and_coverage)
{
  /* 20 rows: 20 Hz .. 20·2^9.5 ≈ 14.5 kHz */
  char *text = make_rows ("frequency,raw\n", "%s,%s", 20, "\n");
  EsFrLimits limits = { 0 };
  GError *err = NULL;
  EsFrMeasurement *m;

  limits.min_points = 21;
  ck_assert_ptr_null (es_fr_measurement_parse (text, -1, "c.csv", &limits, &err));
  ck_assert_ptr_nonnull (strstr (err->message, "only 20 data rows, at least 21"));
  g_clear_error (&err);

  limits.min_points = 0;
  limits.required_fmin = 20;
  limits.required_fmax = 12000;
  m = es_fr_measurement_parse (text, -1, "c.csv", &limits, &err);
  ck_assert_msg (m != NULL, "%s", err ? err->message : "");
  es_fr_measurement_free (m);

  /* 20 kHz needed: the last row (line 21) at 14.5 kHz is short of 20000/1.1. */
  limits.required_fmax = 20000;
  ck_assert_ptr_null (es_fr_measurement_parse (text, -1, "c.csv", &limits, &err));
  ck_assert_int_eq (err->code, ES_IO_ERROR_DATA);
  ck_assert_msg (strstr (err->message, "c.csv:21: the measurement ends at 14481") != NULL,
      "%s", err->message);
  g_clear_error (&err);

  /* Within the tolerance: 16 kHz passes 17 kHz needed (ratio 1.0625). */
  limits.required_fmax = 15900;
  m = es_fr_measurement_parse (text, -1, "c.csv", &limits, &err);
  ck_assert_msg (m != NULL, "%s", err ? err->message : "");
  es_fr_measurement_free (m);

  /* Starting too high: needs 10 Hz, starts at 20 Hz (line 2). */
  limits.required_fmin = 10;
  limits.required_fmax = 0;
  ck_assert_ptr_null (es_fr_measurement_parse (text, -1, "c.csv", &limits, &err));
  ck_assert_msg (strstr (err->message, "c.csv:2: the measurement starts at 20 Hz; it must reach down to 10 Hz")
      != NULL, "%s", err->message);
  g_clear_error (&err);
  /* A tighter tolerance is the caller's choice. */
  limits.required_fmin = 19;
  limits.tolerance = 1.01;
  ck_assert_ptr_null (es_fr_measurement_parse (text, -1, "c.csv", &limits, &err));
  g_clear_error (&err);
  limits.tolerance = 1.1;
  m = es_fr_measurement_parse (text, -1, "c.csv", &limits, &err);
  ck_assert_ptr_nonnull (m);
  es_fr_measurement_free (m);
  g_free (text);
}
END_TEST

START_TEST (test_load_files)
{
  char *dir = g_dir_make_tmp ("es-test-frcsv-XXXXXX", NULL);
  char *missing = g_build_filename (dir, "missing.csv", NULL);
  char *bad = g_build_filename (dir, "bad.csv", NULL);
  char *fixture = es_fixture_path ("io/resample-input.csv");
  GError *err = NULL;
  EsFrMeasurement *m;

  ck_assert_ptr_null (es_fr_measurement_load (missing, NULL, &err));
  ck_assert_int_eq (err->code, ES_IO_ERROR_OPEN);
  ck_assert_ptr_nonnull (strstr (err->message, "missing.csv"));
  g_clear_error (&err);

  ck_assert_ptr_null (es_fr_measurement_load (dir, NULL, &err));
  ck_assert_int_eq (err->code, ES_IO_ERROR_OPEN);
  ck_assert_ptr_nonnull (strstr (err->message, "is a directory"));
  g_clear_error (&err);

  g_file_set_contents (bad, "frequency,raw\n20,1\n20,1\n", -1, NULL);
  ck_assert_ptr_null (es_fr_measurement_load (bad, NULL, &err));
  /* the full path and the line: "<dir>/bad.csv:3: ..." */
  ck_assert_msg (g_str_has_prefix (err->message, bad) && strstr (err->message, "bad.csv:3:"),
      "%s", err->message);
  g_clear_error (&err);

  m = es_fr_measurement_load (fixture, NULL, &err);
  ck_assert_msg (m != NULL, "%s", err ? err->message : "");
  ck_assert_uint_eq (m->n, 300);
  ck_assert_str_eq (m->source, fixture);
  es_fr_measurement_free (m);

  g_unlink (bad);
  g_rmdir (dir);
  g_free (dir);
  g_free (missing);
  g_free (bad);
  g_free (fixture);
}
END_TEST

/* Every development file parses with the coverage frsrc asks for by default
 * (20 Hz-20 kHz with the tolerance), and the row count matches index.csv. */
START_TEST (test_development_data)
{
  const char *data = es_test_data_dir ();
  char *index_path, *contents;
  char **lines;
  EsFrLimits limits = { 0, 20.0, 20000.0, 0 };
  int checked = 0;

  if (!data) {
    printf ("SKIP test_development_data: ES_DATA_DIR not set or missing\n");
    return;
  }
  index_path = g_build_filename (data, "iem", "index.csv", NULL);
  if (!g_file_get_contents (index_path, &contents, NULL, NULL)) {
    printf ("SKIP test_development_data: %s not readable\n", index_path);
    g_free (index_path);
    return;
  }
  lines = g_strsplit (contents, "\n", -1);
  for (char **l = lines + 1; *l && **l; l++) {
    char **cols = g_strsplit (*l, ",", -1);
    char *path = g_build_filename (data, "iem", cols[0], NULL);
    GError *err = NULL;
    EsFrMeasurement *m = es_fr_measurement_load (path, &limits, &err);
    ck_assert_msg (m != NULL, "%s", err ? err->message : "");
    ck_assert_uint_eq (m->n, g_ascii_strtoull (cols[7], NULL, 10));
    es_fr_measurement_free (m);
    g_free (path);
    g_strfreev (cols);
    checked++;
  }
  ck_assert_int_gt (checked, 1000);
  g_strfreev (lines);
  g_free (contents);
  g_free (index_path);
}
END_TEST

/* A field quoted in an error is file content: a huge one is shortened and
 * control characters are escaped, so the message is safe to print. */
START_TEST (test_error_quotes_field_safely)
{
  gsize n = 1 << 20;
  GString *text = g_string_new ("frequency,raw\n20,1\n30,\033[2J");
  GError *err = NULL;

  for (gsize i = 0; i < n; i++)
    g_string_append_c (text, 'x');
  g_string_append_c (text, '\n');
  ck_assert_ptr_null (es_fr_measurement_parse (text->str, -1, "t.csv", NULL, &err));
  ck_assert (err != NULL);
  ck_assert_msg (strlen (err->message) < 400, "%zu bytes", strlen (err->message));
  ck_assert_msg (strchr (err->message, '\033') == NULL, "%s", err->message);
  ck_assert_msg (strstr (err->message, "\\x1b[2Jxxx") != NULL, "%s", err->message);
  ck_assert_msg (strstr (err->message, "bytes)") != NULL, "%s", err->message);
  g_error_free (err);
  g_string_free (text, TRUE);
}
END_TEST

static Suite *
frcsv_suite (void)
{
  Suite *s = suite_create ("io-frcsv");
  TCase *tc = tcase_create ("frcsv");
  tcase_add_test (tc, test_layouts);
  tcase_add_test (tc, test_error_quotes_field_safely);
  tcase_add_test (tc, test_column_pick_by_name);
  tcase_add_test (tc, test_decimal_comma);
  tcase_add_test (tc, test_errors);
  tcase_add_test (tc, test_min_points_and_coverage);
  tcase_add_test (tc, test_load_files);
  tcase_add_test (tc, test_development_data);
  tcase_set_timeout (tc, 300);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (frcsv_suite ());
  int failed;
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? 0 : 1;
}
