#include "kiln_dequantize_linear.h"

void kiln_dequantize_linear(const void* x, int32_t x_type, float* y, int32_t outer,
                            int32_t axis_len, int32_t inner, const float* scales,
                            const int32_t* zero_points) {
  int32_t o, c, i;
  for (o = 0; o < outer; ++o) {
    for (c = 0; c < axis_len; ++c) {
      const float scale = scales[c];
      const int64_t zero_point = zero_points ? zero_points[c] : 0;
      const int32_t base = (o * axis_len + c) * inner;
      /* The difference is exact in 64 bits; only its conversion to float rounds (int32 data). */
      for (i = 0; i < inner; ++i)
        y[base + i] = (float)(kiln_qtype_load(x, x_type, base + i) - zero_point) * scale;
    }
  }
}
