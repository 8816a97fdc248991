/* Real FFT power spectrum, backed by FFTW (single precision). Plans are created
 * under a global lock (FFTW's planner is not thread-safe); execution is. */
#ifndef ES_DSP_FFT_H
#define ES_DSP_FFT_H

#include <stddef.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct _EsFftPower EsFftPower;

/* Smallest power of two >= n (n >= 1). */
size_t es_next_pow2 (size_t n);

/* A power-spectrum transform of size n_fft (any n_fft >= 2; powers of two are fastest). */
EsFftPower *es_fft_power_new (size_t n_fft);
void es_fft_power_free (EsFftPower *fft);
size_t es_fft_power_get_size (const EsFftPower *fft);
/* Number of bins, n_fft / 2 + 1. */
size_t es_fft_power_get_n_bins (const EsFftPower *fft);

/* Allocation-free; uses buffers inside fft, so one thread at a time per object.
 * power[k] = |X_k|^2 for k in [0, n_fft/2], X the DFT of in[0..n_in) zero-padded
 * to n_fft (n_in <= n_fft). No scaling: Parseval's sum over the full spectrum
 * equals n_fft * sum(x^2). */
void es_fft_power_process (EsFftPower *fft, const float *in, size_t n_in, float *power);

G_END_DECLS

#endif
