/* io/text: file-derived text made valid UTF-8 for JSON, escaped and shortened
 * for a terminal. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

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

static Suite *
text_suite (void)
{
  Suite *s = suite_create ("text");
  TCase *tc = tcase_create ("text");

  tcase_add_test (tc, test_valid_utf8);
  tcase_add_test (tc, test_terminal_escapes);
  tcase_add_test (tc, test_terminal_shortens);
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
