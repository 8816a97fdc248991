/* io/text: file-derived text made valid UTF-8 for JSON, escaped and shortened
 * for a terminal. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include <json-glib/json-glib.h>

#include "io/text.h"

START_TEST (test_valid_utf8)
{
  g_autofree char *fixed = es_text_valid_utf8 ("caf\xe9.csv");
  g_autofree char *kept = es_text_valid_utf8 ("caf\xc3\xa9.csv");

  ck_assert (g_utf8_validate (fixed, -1, NULL));
  ck_assert_str_eq (fixed, "caf\xef\xbf\xbd.csv");
  ck_assert_str_eq (kept, "caf\xc3\xa9.csv");
}
END_TEST

START_TEST (test_terminal_escapes)
{
  g_autofree char *t = es_text_for_terminal ("a\033[2Jb\nc\td\\e\x7f\xc2\x9b", 100);

  ck_assert_str_eq (t, "a\\x1b[2Jb\\nc\\td\\\\e\\x7f\\x9b");
  for (const char *p = t; *p; p++)
    ck_assert ((unsigned char) *p >= 0x20 && *p != 0x7f);
}
END_TEST

START_TEST (test_terminal_shortens)
{
  gsize n = 50 * 1024 * 1024;
  char *huge = g_malloc (n + 1);
  g_autofree char *t = NULL;

  memset (huge, 'x', n);
  huge[n] = '\0';
  t = es_text_for_terminal (huge, 20);
  ck_assert_str_eq (t, "xxxxxxxxxxxxxxxxxxxx... (52428800 bytes)");
  g_free (huge);
  g_free (t);
  t = es_text_for_terminal ("short", 20);
  ck_assert_str_eq (t, "short");
}
END_TEST

/* json-glib 1.6 writes 1e-10 as "1e-10.0"; after the repair every number
 * parses back to the same double, and strings are untouched. */
START_TEST (test_json_numbers)
{
  static const double values[] = { 1e-10, 1e20, -2e-06, 0.5, 3.0, 1.25e-07, 0.0, -7.0 };
  static const char *const strings[] = { "x1e-10.0,", "e1.0", "\"1e5.0\"", "true" };
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) g = json_generator_new ();
  g_autoptr (JsonParser) p = json_parser_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;
  JsonArray *a;
  gsize i;

  json_builder_begin_array (b);
  for (i = 0; i < G_N_ELEMENTS (values); i++)
    json_builder_add_double_value (b, values[i]);
  for (i = 0; i < G_N_ELEMENTS (strings); i++)
    json_builder_add_string_value (b, strings[i]);
  json_builder_add_boolean_value (b, TRUE);
  json_builder_end_array (b);
  root = json_builder_get_root (b);
  json_generator_set_root (g, root);
  json_generator_set_pretty (g, TRUE);
  text = es_text_json_repair_numbers (json_generator_to_data (g, NULL));
  ck_assert_msg (json_parser_load_from_data (p, text, -1, NULL), "not JSON: %s", text);
  a = json_node_get_array (json_parser_get_root (p));
  for (i = 0; i < G_N_ELEMENTS (values); i++)
    ck_assert_double_eq (json_array_get_double_element (a, i), values[i]);
  for (i = 0; i < G_N_ELEMENTS (strings); i++)
    ck_assert_str_eq (json_array_get_string_element (a, G_N_ELEMENTS (values) + i), strings[i]);
  ck_assert (json_array_get_boolean_element (a, G_N_ELEMENTS (values) + G_N_ELEMENTS (strings)));
  ck_assert_ptr_null (es_text_json_repair_numbers (NULL));
}
END_TEST

static Suite *
text_suite (void)
{
  Suite *s = suite_create ("text");
  TCase *tc = tcase_create ("text");

  tcase_add_test (tc, test_valid_utf8);
  tcase_add_test (tc, test_terminal_escapes);
  tcase_add_test (tc, test_terminal_shortens);
  tcase_add_test (tc, test_json_numbers);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (text_suite ());
  int failed;

  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
