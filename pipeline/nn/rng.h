/* The engine's one random number generator: xoshiro256** seeded through
 * splitmix64. Weight initialisation, dropout masks, shuffles, splits and
 * augmentation all draw from it, so a seed gives the same numbers on every
 * platform (no libc rand). */
#ifndef ES_NN_RNG_H
#define ES_NN_RNG_H

#include <stddef.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint64 s[4];
} EsRng;

void es_rng_init (EsRng *rng, guint64 seed);
guint64 es_rng_next (EsRng *rng);
/* Uniform in [0, 1) with 53 random bits. */
double es_rng_uniform (EsRng *rng);
/* Uniform integer in [0, n), without modulo bias; n > 0. */
guint64 es_rng_below (EsRng *rng, guint64 n);
/* Fisher-Yates shuffle of n indices. */
void es_rng_shuffle (EsRng *rng, size_t *indices, size_t n);

G_END_DECLS

#endif
