/* xoshiro256** seeded through splitmix64 (see rng.h). */
#include "nn/rng.h"

static guint64
splitmix64 (guint64 *x)
{
  guint64 z = (*x += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

void
es_rng_init (EsRng *rng, guint64 seed)
{
  guint64 x = seed;
  for (int i = 0; i < 4; i++)
    rng->s[i] = splitmix64 (&x);
}

static inline guint64
rotl (guint64 x, int k)
{
  return (x << k) | (x >> (64 - k));
}

guint64
es_rng_next (EsRng *rng)
{
  guint64 *s = rng->s;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

double
es_rng_uniform (EsRng *rng)
{
  return (es_rng_next (rng) >> 11) * 0x1.0p-53;
}

guint64
es_rng_below (EsRng *rng, guint64 n)
{
  /* Rejection sampling: drop the top partial range so every value is equally
   * likely (a plain modulo favours small values). */
  guint64 limit = G_MAXUINT64 - G_MAXUINT64 % n;
  guint64 r;
  g_return_val_if_fail (n > 0, 0);
  do
    r = es_rng_next (rng);
  while (r >= limit);
  return r % n;
}

void
es_rng_shuffle (EsRng *rng, size_t *indices, size_t n)
{
  for (size_t i = n; i > 1; i--) {
    size_t j = es_rng_below (rng, i);
    size_t t = indices[i - 1];
    indices[i - 1] = indices[j];
    indices[j] = t;
  }
}
