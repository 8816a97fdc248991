/* Real FFT power spectrum with FFTW (single precision).
 *
 * An even-sized real transform runs as a complex FFTW transform of half the
 * size on the samples taken in pairs, z[m] = x[2m] + i x[2m+1] (the real
 * buffer read as complex, no copy), followed by the usual split into the
 * transforms of the even and odd samples:
 *     E_k = (Z_k + conj Z_{h-k}) / 2,  O_k = (Z_k - conj Z_{h-k}) / 2i,
 *     X_k = E_k + W^k O_k,  W = exp(-2 pi i / n_fft),  h = n_fft / 2,
 * done here on 8 lanes and fused with |X_k|^2. FFTW's own real transform does
 * the same split with 4-lane SSE2 code, which took 40 % of its time at 512
 * points. Odd sizes use FFTW's real transform.
 *
 * FFTW's planner (and plan destruction) share global state and are not
 * thread-safe, so both run under one process-wide lock; fftwf_execute on a plan
 * is. FFTW_ESTIMATE keeps plan creation instant and, unlike FFTW_MEASURE, picks
 * the same algorithm on every run, so features are bit-for-bit reproducible. */
#include "dsp/fft.h"

#include <math.h>
#include <string.h>
#include <stdint.h>
#include <fftw3.h>

#include "dsp/simd.h"

static GMutex planner_lock;

struct _EsFftPower {
  size_t n_fft;
  size_t n_bins;
  float *in;              /* n_fft real samples, fftwf_malloc'd (SIMD-aligned) */
  fftwf_complex *spectrum; /* n_bins complex values (h + 1 = n_bins for even sizes) */
  fftwf_plan plan;
  /* Even n_fft only (else NULL): the twiddles cos, -sin of 2 pi k / n_fft for
   * k in [0, h], padded to a multiple of 8. */
  float *w_re, *w_im;
};

size_t
es_next_pow2 (size_t n)
{
  size_t p = 1;
  while (p < n && p <= SIZE_MAX / 2)
    p <<= 1;
  return p;
}

/* cos / sin of 2 pi k / n in double, exactly 0 / 1 where they should be. */
static double
twiddle (double (*f) (double), size_t k, size_t n)
{
  double v = f (2.0 * G_PI * (double) k / (double) n);
  return fabs (v) < 1e-15 ? 0.0 : v;
}

EsFftPower *
es_fft_power_new (size_t n_fft)
{
  EsFftPower *fft;
  size_t h = n_fft / 2;

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

  if (n_fft % 2 == 0) {
    size_t padded = (h + 1 + 7) / 8 * 8;

    fft->w_re = g_new0 (float, padded);
    fft->w_im = g_new0 (float, padded);
    for (size_t k = 0; k <= h; k++) {
      fft->w_re[k] = (float) twiddle (cos, k, n_fft);
      fft->w_im[k] = (float) -twiddle (sin, k, n_fft);
    }
  }

  g_mutex_lock (&planner_lock);
  if (n_fft % 2 == 0)
    fft->plan = fftwf_plan_dft_1d ((int) h, (fftwf_complex *) fft->in, fft->spectrum,
        FFTW_FORWARD, FFTW_ESTIMATE | FFTW_DESTROY_INPUT);
  else
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
  g_free (fft->w_re);
  g_free (fft->w_im);
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

/* |X_k|^2 from a = Z_k, b = Z_{h-k} and the twiddle W^k = (c, s), with the
 * halvings folded into one exact factor 1/4. The same expression on floats
 * and on 8 lanes, so the vector loop and its tail round alike. */
#define SPLIT_POWER(ar, ai, br, bi, c, s) ({ \
      __typeof__ (ar) e_re = (ar) + (br), e_im = (ai) - (bi); \
      __typeof__ (ar) o_re = (ai) + (bi), o_im = (br) - (ar); \
      __typeof__ (ar) x_re = (e_re + (c) * o_re) - (s) * o_im; \
      __typeof__ (ar) x_im = (e_im + (c) * o_im) + (s) * o_re; \
      (x_re * x_re + x_im * x_im) * 0.25f; })

ES_SIMD_CLONES static void
split_power (EsFftPower *fft, float *power)
{
  const size_t h = fft->n_fft / 2;
  float *z = (float *) fft->spectrum;      /* h + 1 interleaved complex values */
  size_t k = 0;

  z[2 * h] = z[0];                         /* Z_h = Z_0 */
  z[2 * h + 1] = z[1];
  /* bins k .. k + 7 pair with h - k .. h - k - 7: de-interleave both in
   * registers and reverse the second (no round trip through memory, whose
   * misaligned reloads stalled on store forwarding) */
  for (; k + 7 <= h; k += 8) {
    const float *zb = z + 2 * (h - k - 7);
    EsF8 a0 = es_f8_load (z + 2 * k), a1 = es_f8_load (z + 2 * k + 8);
    EsF8 b0 = es_f8_load (zb), b1 = es_f8_load (zb + 8);
    EsF8 ar = ES_F8_EVEN (a0, a1), ai = ES_F8_ODD (a0, a1);
    EsF8 br = ES_F8_SHUFFLE (b0, b1, 14, 12, 10, 8, 6, 4, 2, 0);
    EsF8 bi = ES_F8_SHUFFLE (b0, b1, 15, 13, 11, 9, 7, 5, 3, 1);
    EsF8 c = es_f8_load (fft->w_re + k), s = es_f8_load (fft->w_im + k);

    es_f8_store (power + k, SPLIT_POWER (ar, ai, br, bi, c, s));
  }
  for (; k <= h; k++)
    power[k] = SPLIT_POWER (z[2 * k], z[2 * k + 1], z[2 * (h - k)], z[2 * (h - k) + 1],
        fft->w_re[k], fft->w_im[k]);
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
  if (fft->w_re)
    split_power (fft, power);
  else
    power_of_spectrum ((const float *) fft->spectrum, fft->n_bins, power);
}
