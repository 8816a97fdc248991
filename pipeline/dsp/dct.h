/* Orthonormal DCT-II (scipy.fft.dct (x, type=2, norm="ortho")), truncated to the
 * first n_out coefficients: cepstra from log band energies. */
#ifndef ES_DSP_DCT_H
#define ES_DSP_DCT_H

#include <stddef.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct _EsDct EsDct;

/* 1 <= n_out <= n_in. */
EsDct *es_dct_new (unsigned n_in, unsigned n_out);
void es_dct_free (EsDct *dct);
unsigned es_dct_get_n_in (const EsDct *dct);
unsigned es_dct_get_n_out (const EsDct *dct);
/* out[k] = s_k sum_n in[n] cos(pi k (2n + 1) / (2 n_in)), s_0 = sqrt(1/N), s_k = sqrt(2/N). */
void es_dct_process (const EsDct *dct, const float *in, float *out);

G_END_DECLS

#endif
