/* Test helpers shared by the Check suites: fixture files and data locations. */
#ifndef ES_TEST_FIXTURE_H
#define ES_TEST_FIXTURE_H

#include <stddef.h>
#include <glib.h>

G_BEGIN_DECLS

/* Path of a committed fixture (tests/fixtures/<name>), newly allocated. */
char *es_fixture_path (const char *name);

/* Load a fixture of whitespace-separated numbers (lines starting with '#' are
 * comments). Aborts the test with a message if the file is missing or bad. */
double *es_fixture_load_doubles (const char *name, size_t *n);

/* Directory of the shared development data (ES_DATA_DIR, default ../shared/data
 * beside the source tree), or NULL if it is not there: tests that need it skip. */
const char *es_test_data_dir (void);

/* Max over i of |a_i - b_i| / max(|b_i|, abs_floor): relative error with a floor
 * so values near zero are compared absolutely. */
double es_max_rel_error (const float *a, const double *b, size_t n, double abs_floor);

G_END_DECLS

#endif
