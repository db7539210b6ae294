#include "kiln_softmax_s8.h"

void kiln_softmax_s8(const int8_t* x, const int32_t* exp_table, int8_t* y, int32_t outer,
                     int32_t length, int32_t inner, int32_t y_zero_point, int32_t multiplier,
                     int32_t shift, int32_t requant_mode) {
  int32_t o, j, i;
  for (o = 0; o < outer; ++o) {
    for (j = 0; j < inner; ++j) {
      const int8_t* x_line = x + o * length * inner + j;
      int8_t* y_line = y + o * length * inner + j;
      int32_t max = -128;
      int64_t sum = 0;
      for (i = 0; i < length; ++i)
        if (x_line[i * inner] > max) max = x_line[i * inner];
      /* exp_table entries are at most 2^30, so the sum of up to 2^31 of them fits int64. */
      for (i = 0; i < length; ++i) sum += exp_table[max - x_line[i * inner]];
      for (i = 0; i < length; ++i) {
        const int64_t e = exp_table[max - x_line[i * inner]];
        /* e <= 2^30, so e * 2^31 < 2^61; sum >= exp_table[0] > 0 for the maximum element. */
        int64_t ratio = sum > 0 ? (e * ((int64_t)1 << 31)) / sum : 0;
        if (ratio > INT32_MAX) ratio = INT32_MAX;
        y_line[i * inner] = (int8_t)kiln_offset_clamp(
            kiln_requantize32((int32_t)ratio, requant_mode, multiplier, shift), y_zero_point, -128,
            127);
      }
    }
  }
}
