/* Sequential reading of the dsp fixtures (tests/fixtures/dsp/<name>.txt): each file is
 * a flat list of numbers whose layout its header comment describes. */
#ifndef ES_TEST_DSP_FIXTURE_H
#define ES_TEST_DSP_FIXTURE_H

#include <check.h>
#include <glib.h>

#include "fixture.h"

typedef struct {
  double *values;
  size_t n;
  size_t pos;
} DspFixture;

static inline void
dsp_fixture_open (DspFixture *fx, const char *name)
{
  fx->values = es_fixture_load_doubles (name, &fx->n);
  fx->pos = 0;
}

static inline void
dsp_fixture_close (DspFixture *fx)
{
  g_free (fx->values);
  fx->values = NULL;
}

static inline gboolean
dsp_fixture_at_end (const DspFixture *fx)
{
  return fx->pos >= fx->n;
}

/* The next `count` numbers (a pointer into the fixture). */
static inline const double *
dsp_fixture_take (DspFixture *fx, size_t count)
{
  const double *p;
  ck_assert_msg (fx->pos + count <= fx->n, "fixture ends early: need %zu more, have %zu",
      count, fx->n - fx->pos);
  p = fx->values + fx->pos;
  fx->pos += count;
  return p;
}

static inline double
dsp_fixture_next (DspFixture *fx)
{
  return *dsp_fixture_take (fx, 1);
}

/* The next `count` numbers as a newly allocated float array (g_free). */
static inline float *
dsp_fixture_take_floats (DspFixture *fx, size_t count)
{
  const double *p = dsp_fixture_take (fx, count);
  float *out = g_new (float, count ? count : 1);
  for (size_t i = 0; i < count; i++)
    out[i] = (float) p[i];
  return out;
}

#endif
