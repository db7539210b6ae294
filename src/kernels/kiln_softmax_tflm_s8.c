#include "kiln_softmax_tflm_s8.h"

#include "kiln_fixedpoint.h"

/* exp(d * scale) in Q0.31 for d <= 0 (d >= diff_min keeps the rescaled value in range). */
static int32_t exp_of_diff(int32_t d, int32_t multiplier, int32_t left_shift) {
  const int32_t rescaled =
      kiln_sat_rounding_doubling_high_mul((int32_t)((uint32_t)d << left_shift), multiplier);
  return kiln_fp_exp_on_negative_q5(rescaled);
}

void kiln_softmax_tflm_s8(const int8_t* x, int8_t* y, int32_t outer, int32_t length, int32_t inner,
                          int32_t input_multiplier, int32_t input_left_shift, int32_t diff_min) {
  int32_t o, j, i;
  for (o = 0; o < outer; ++o) {
    for (j = 0; j < inner; ++j) {
      const int8_t* x_line = x + o * length * inner + j;
      int8_t* y_line = y + o * length * inner + j;
      int32_t max = -128;
      int32_t sum = 0; /* Q12.19 */
      int32_t headroom, bits_over_unit, reciprocal;
      for (i = 0; i < length; ++i)
        if (x_line[i * inner] > max) max = x_line[i * inner];
      for (i = 0; i < length; ++i) {
        const int32_t d = x_line[i * inner] - max;
        if (d >= diff_min)
          sum = kiln_fp_add(sum, kiln_rounding_divide_by_pot(
                                     exp_of_diff(d, input_multiplier, input_left_shift), 12));
      }
      headroom = kiln_fp_clz((uint32_t)sum);
      bits_over_unit = 12 - headroom;
      reciprocal =
          kiln_fp_one_over_one_plus_x((int32_t)(((uint32_t)sum << headroom) - ((uint32_t)1 << 31)));
      for (i = 0; i < length; ++i) {
        const int32_t d = x_line[i * inner] - max;
        int32_t v = -128;
        if (d >= diff_min) {
          const int32_t e = exp_of_diff(d, input_multiplier, input_left_shift);
          v = kiln_rounding_divide_by_pot(kiln_fp_mul(reciprocal, e), bits_over_unit + 31 - 8) -
              128;
          if (v > 127) v = 127;
          if (v < -128) v = -128;
        }
        y_line[i * inner] = (int8_t)v;
      }
    }
  }
}
