/* Exact frame timestamps; see frame-time.h. */
#include "dsp/frame-time.h"

/* floor (a · b / d) into *q, exactly: the 128-bit product by 32-bit halves,
 * then a restoring division (no __int128, so 32-bit builds give the same
 * values). FALSE when the quotient does not fit in 64 bits. */
static gboolean
mul_div (guint64 a, guint64 b, guint64 d, guint64 * q)
{
  guint64 a_lo = a & 0xffffffffu, a_hi = a >> 32;
  guint64 b_lo = b & 0xffffffffu, b_hi = b >> 32;
  guint64 p0 = a_lo * b_lo, p1 = a_lo * b_hi, p2 = a_hi * b_lo, p3 = a_hi * b_hi;
  guint64 mid = (p0 >> 32) + (p1 & 0xffffffffu) + (p2 & 0xffffffffu);
  guint64 lo = (p0 & 0xffffffffu) | (mid << 32);
  guint64 hi = p3 + (p1 >> 32) + (p2 >> 32) + (mid >> 32);
  guint64 quotient = 0;

  if (hi == 0) {
    *q = lo / d;
    return TRUE;
  }
  if (hi >= d)
    return FALSE;
  for (int bit = 0; bit < 64; bit++) {
    gboolean carry = (hi >> 63) != 0;

    hi = (hi << 1) | (lo >> 63);
    lo <<= 1;
    quotient <<= 1;
    if (carry || hi >= d) {
      hi -= d;
      quotient |= 1;
    }
  }
  *q = quotient;
  return TRUE;
}

guint64
es_frame_time (guint64 t0, guint64 index, guint64 step_num, guint64 step_den)
{
  guint64 offset;

  if (t0 == ES_FRAME_TIME_NONE || step_den == 0
      || !mul_div (index, step_num, step_den, &offset)
      || offset >= ES_FRAME_TIME_NONE - t0)
    return ES_FRAME_TIME_NONE;
  return t0 + offset;
}

guint64
es_frame_time_in_buffer (guint64 pts, guint64 first, guint64 index,
    guint64 step_num, guint64 step_den)
{
  guint64 before = es_frame_time (0, first, step_num, step_den);

  if (pts == ES_FRAME_TIME_NONE || first == ES_FRAME_TIME_NONE
      || before == ES_FRAME_TIME_NONE || before > pts
      || index > G_MAXUINT64 - first)
    return ES_FRAME_TIME_NONE;
  return es_frame_time (pts - before, first + index, step_num, step_den);
}
