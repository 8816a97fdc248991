/* Real FFT power spectrum with FFTW (single precision).
 *
 * FFTW's planner (and plan destruction) share global state and are not
 * thread-safe, so both run under one process-wide lock; fftwf_execute on a plan
 * is. FFTW_ESTIMATE keeps plan creation instant and, unlike FFTW_MEASURE, picks
 * the same algorithm on every run, so features are bit-for-bit reproducible. */
#include "dsp/fft.h"

#include <string.h>
#include <stdint.h>
#include <fftw3.h>

#include "dsp/simd.h"

static GMutex planner_lock;

struct _EsFftPower {
  size_t n_fft;
  size_t n_bins;
  float *in;              /* n_fft real samples, fftwf_malloc'd (SIMD-aligned) */
  fftwf_complex *spectrum; /* n_bins complex values */
  fftwf_plan plan;
};

size_t
es_next_pow2 (size_t n)
{
  size_t p = 1;
  while (p < n && p <= SIZE_MAX / 2)
    p <<= 1;
  return p;
}

EsFftPower *
es_fft_power_new (size_t n_fft)
{
  EsFftPower *fft;

  g_return_val_if_fail (n_fft >= 2, NULL);
  g_return_val_if_fail (n_fft <= (size_t) G_MAXINT, NULL);

  fft = g_new0 (EsFftPower, 1);
  fft->n_fft = n_fft;
  fft->n_bins = n_fft / 2 + 1;
  fft->in = fftwf_alloc_real (n_fft);
  fft->spectrum = fftwf_alloc_complex (fft->n_bins);
  if (fft->in == NULL || fft->spectrum == NULL)
    g_error ("es_fft_power_new: out of memory for %zu points", n_fft);
  memset (fft->in, 0, n_fft * sizeof (float));

  g_mutex_lock (&planner_lock);
  fft->plan = fftwf_plan_dft_r2c_1d ((int) n_fft, fft->in, fft->spectrum,
      FFTW_ESTIMATE | FFTW_DESTROY_INPUT);
  g_mutex_unlock (&planner_lock);
  if (fft->plan == NULL)
    g_error ("es_fft_power_new: FFTW could not plan a %zu-point transform", n_fft);
  return fft;
}

void
es_fft_power_free (EsFftPower *fft)
{
  if (fft == NULL)
    return;
  g_mutex_lock (&planner_lock);
  fftwf_destroy_plan (fft->plan);
  g_mutex_unlock (&planner_lock);
  fftwf_free (fft->in);
  fftwf_free (fft->spectrum);
  g_free (fft);
}

size_t
es_fft_power_get_size (const EsFftPower *fft)
{
  return fft->n_fft;
}

size_t
es_fft_power_get_n_bins (const EsFftPower *fft)
{
  return fft->n_bins;
}

/* power[k] = re_k^2 + im_k^2 of n interleaved complex values, eight at a time. */
ES_SIMD_CLONES static void
power_of_spectrum (const float *spectrum, size_t n, float *power)
{
  size_t k = 0;

  for (; k + 8 <= n; k += 8) {
    EsF8 a = es_f8_load (spectrum + 2 * k), b = es_f8_load (spectrum + 2 * k + 8);

    a *= a;
    b *= b;
    es_f8_store (power + k, ES_F8_EVEN (a, b) + ES_F8_ODD (a, b));
  }
  for (; k < n; k++) {
    float re = spectrum[2 * k], im = spectrum[2 * k + 1];
    power[k] = re * re + im * im;
  }
}

void
es_fft_power_process (EsFftPower *fft, const float *in, size_t n_in, float *power)
{
  g_return_if_fail (n_in <= fft->n_fft);

  /* The input buffer is rewritten every call: FFTW_DESTROY_INPUT lets the plan
   * use it as scratch, so the zero padding must be restored too. */
  memcpy (fft->in, in, n_in * sizeof (float));
  memset (fft->in + n_in, 0, (fft->n_fft - n_in) * sizeof (float));
  fftwf_execute (fft->plan);
  power_of_spectrum ((const float *) fft->spectrum, fft->n_bins, power);
}
