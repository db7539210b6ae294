#include "kiln_softmax_s16.h"

/* exp of the distance d (0..65535) from the interpolated table; at most 2^30. */
static int64_t kiln_softmax_s16_exp(const int32_t* exp_table, int32_t d) {
  const int32_t k = d >> 7, t = d & 127;
  const int64_t base = exp_table[k];
  /* |delta| <= 2^30, times t < 2^7: int64. >> of a negative value is arithmetic (kiln_requant.h
   * relies on the same). */
  return base + ((((int64_t)exp_table[k + 1] - base) * t + 64) >> 7);
}

void kiln_softmax_s16(const int16_t* x, const int32_t* exp_table, int16_t* y, int32_t outer,
                      int32_t length, int32_t inner, int32_t y_zero_point, int32_t multiplier,
                      int32_t shift, int32_t requant_mode) {
  int32_t o, j, i;
  for (o = 0; o < outer; ++o) {
    for (j = 0; j < inner; ++j) {
      const int16_t* x_line = x + o * length * inner + j;
      int16_t* y_line = y + o * length * inner + j;
      int32_t max = -32768;
      int64_t sum = 0;
      for (i = 0; i < length; ++i)
        if (x_line[i * inner] > max) max = x_line[i * inner];
      /* Every e is at most 2^30, so the sum of up to 2^31 of them fits int64. */
      for (i = 0; i < length; ++i) sum += kiln_softmax_s16_exp(exp_table, max - x_line[i * inner]);
      for (i = 0; i < length; ++i) {
        const int64_t e = kiln_softmax_s16_exp(exp_table, max - x_line[i * inner]);
        /* e * 2^31 < 2^61; sum > 0 as long as the maximum's entry is (exp_table[0] > 0). */
        int64_t ratio = sum > 0 ? (e * ((int64_t)1 << 31)) / sum : 0;
        if (ratio > INT32_MAX) ratio = INT32_MAX;
        y_line[i * inner] = (int16_t)kiln_offset_clamp(
            kiln_requantize32((int32_t)ratio, requant_mode, multiplier, shift), y_zero_point,
            -32768, 32767);
      }
    }
  }
}
