#ifndef KILN_SOFTMAX_S8_H
#define KILN_SOFTMAX_S8_H

#include "kiln_common.h"
#include "kiln_requant.h"

/* Integer softmax of int8 x viewed as [outer, length, inner] over the middle dim, int8 y.
 * exp_table[d] (d = 0..255) = round(2^30 * exp(-d * beta * x_scale)), computed by the compiler:
 * e_i = exp_table[max - x_i], sum = sum of e_i (int64), ratio_i = min((e_i << 31) / sum,
 * INT32_MAX) (a Q31 probability, int64 division), y = clamp(y_zero_point +
 * kiln_requantize32(ratio_i, requant_mode, multiplier, shift), -128, 127) where the multiplier
 * encodes 1 / (y_scale * 2^31). Integer-only. y may not alias x. */
void kiln_softmax_s8(const int8_t* x, const int32_t* exp_table, int8_t* y, int32_t outer,
                     int32_t length, int32_t inner, int32_t y_zero_point, int32_t multiplier,
                     int32_t shift, int32_t requant_mode);

#endif
