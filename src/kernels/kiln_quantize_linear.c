#include "kiln_quantize_linear.h"

/* round_half_to_even(v) saturated to [lo, hi] without libm. Past 2^22 in magnitude every
 * quantized range has long saturated, so v is clamped there first; below 2^23 a float's
 * truncation to an integer and the remaining fraction v - trunc(v) are both exact. NaN gives 0. */
static int32_t round_half_even_saturate(float v, int32_t lo, int32_t hi) {
  int32_t t;
  float fraction;
  if (v != v) return 0 < lo ? lo : (0 > hi ? hi : 0);
  if (v >= 4194304.0f) return hi;
  if (v <= -4194304.0f) return lo;
  t = (int32_t)v; /* toward zero */
  fraction = v - (float)t;
  if (fraction > 0.5f || (fraction == 0.5f && (t & 1)))
    ++t;
  else if (fraction < -0.5f || (fraction == -0.5f && (t & 1)))
    --t;
  return t < lo ? lo : (t > hi ? hi : t);
}

void kiln_quantize_linear(const float* x, void* y, int32_t y_type, int32_t outer, int32_t axis_len,
                          int32_t inner, const float* scales, const int32_t* zero_points) {
  const int32_t lo = kiln_qtype_min(y_type), hi = kiln_qtype_max(y_type);
  int32_t o, c, i;
  for (o = 0; o < outer; ++o) {
    for (c = 0; c < axis_len; ++c) {
      const float scale = scales[c];
      const int32_t zero_point = zero_points ? zero_points[c] : 0;
      const int32_t base = (o * axis_len + c) * inner;
      /* Round x / scale first, then add the zero point (ONNX); the integer range shifted by the
       * zero point bounds the rounding so the sum saturates exactly at the type's range. */
      const int32_t lo_q = lo - zero_point, hi_q = hi - zero_point;
      for (i = 0; i < inner; ++i)
        kiln_qtype_store(y, y_type, base + i,
                         zero_point + round_half_even_saturate(x[base + i] / scale, lo_q, hi_q));
    }
  }
}
