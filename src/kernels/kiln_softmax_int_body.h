/* The loop of the integer softmax kernels (kiln_softmax_s8, kiln_softmax_s16; their header
 * comments give the arithmetic): for each line of x viewed as [outer, length, inner] along the
 * middle dim, the maximum, then e_i = exp(max - x_i) from the table, their int64 sum, and each
 * Q31 ratio e_i * 2^31 / sum requantized into y over the element type's whole range. The one .c
 * file that includes this header first defines kiln_softmax_elem (a signed integer type of at
 * most 16 bits) and
 *   static inline int64_t kiln_softmax_exp(const int32_t* exp_table, int32_t d);
 * which must stay at most 2^30. Inlined into the kernel. */
#ifndef KILN_SOFTMAX_INT_BODY_H
#define KILN_SOFTMAX_INT_BODY_H

#include "kiln_common.h"
#include "kiln_requant.h"

static KILN_ALWAYS_INLINE void kiln_softmax_int_body(const kiln_softmax_elem* x,
                                                     const int32_t* exp_table, kiln_softmax_elem* y,
                                                     int32_t outer, int32_t length, int32_t inner,
                                                     int32_t y_zero_point, int32_t multiplier,
                                                     int32_t shift, int32_t requant_mode) {
  /* The element type's range: [-128, 127] for int8_t, [-32768, 32767] for int16_t. */
  const int32_t lowest = -((int32_t)1 << (8 * sizeof(kiln_softmax_elem) - 1));
  const int32_t highest = -lowest - 1;
  int32_t o, j, i;
  for (o = 0; o < outer; ++o) {
    for (j = 0; j < inner; ++j) {
      const kiln_softmax_elem* x_line = x + o * length * inner + j;
      kiln_softmax_elem* y_line = y + o * length * inner + j;
      int32_t max = lowest;
      int64_t sum = 0;
      for (i = 0; i < length; ++i)
        if (x_line[i * inner] > max) max = x_line[i * inner];
      /* Every e is at most 2^30, so the sum of up to 2^31 of them fits int64. */
      for (i = 0; i < length; ++i) sum += kiln_softmax_exp(exp_table, max - x_line[i * inner]);
      for (i = 0; i < length; ++i) {
        const int64_t e = kiln_softmax_exp(exp_table, max - x_line[i * inner]);
        /* e * 2^31 < 2^61; sum > 0 as long as the maximum's entry is (exp_table[0] > 0). */
        int64_t ratio = sum > 0 ? (e * ((int64_t)1 << 31)) / sum : 0;
        if (ratio > INT32_MAX) ratio = INT32_MAX;
        y_line[i * inner] = (kiln_softmax_elem)kiln_offset_clamp(
            kiln_requantize32((int32_t)ratio, requant_mode, multiplier, shift), y_zero_point,
            lowest, highest);
      }
    }
  }
}

#endif
