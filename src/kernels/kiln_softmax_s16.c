#include "kiln_softmax_s16.h"

typedef int16_t kiln_softmax_elem;

/* exp of the distance d (0..65535) from the interpolated table; at most 2^30. */
static inline int64_t kiln_softmax_exp(const int32_t* exp_table, int32_t d) {
  const int32_t k = d >> 7, t = d & 127;
  const int64_t base = exp_table[k];
  /* |delta| <= 2^30, times t < 2^7: int64. >> of a negative value is arithmetic (kiln_requant.h
   * relies on the same). */
  return base + ((((int64_t)exp_table[k + 1] - base) * t + 64) >> 7);
}

#include "kiln_softmax_int_body.h"

void kiln_softmax_s16(const int16_t* x, const int32_t* exp_table, int16_t* y, int32_t outer,
                      int32_t length, int32_t inner, int32_t y_zero_point, int32_t multiplier,
                      int32_t shift, int32_t requant_mode) {
  kiln_softmax_int_body(x, exp_table, y, outer, length, inner, y_zero_point, multiplier, shift,
                        requant_mode);
}
