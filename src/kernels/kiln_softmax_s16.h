#ifndef KILN_SOFTMAX_S16_H
#define KILN_SOFTMAX_S16_H

#include "kiln_common.h"
#include "kiln_requant.h"

/* Entries of the int16 softmax's exp table: exp at the distances d = 0, 128, ..., 65536. */
#define KILN_SOFTMAX_S16_ENTRIES 513

/* Integer softmax of int16 x (TFLite's 16x8 scheme) viewed as [outer, length, inner] over the
 * middle dim, int16 y. The distance to the row maximum d = max - x_i (0..65535) indexes a table
 * the compiler fills, exp_table[k] ~ 2^30 * exp(-128 k * beta * x_scale) (k = 0..512), linearly
 * interpolated: e_i = exp_table[k] + floor(((exp_table[k + 1] - exp_table[k]) * t + 64) / 128)
 * with k = d / 128, t = d % 128. Then as kiln_softmax_s8: sum = sum of e_i (int64), ratio_i =
 * min((e_i << 31) / sum, INT32_MAX), y = clamp(y_zero_point + kiln_requantize32(ratio_i,
 * requant_mode, multiplier, shift), -32768, 32767), the multiplier encoding
 * 1 / (y_scale * 2^31). Integer-only. y may not alias x. */
void kiln_softmax_s16(const int16_t* x, const int32_t* exp_table, int16_t* y, int32_t outer,
                      int32_t length, int32_t inner, int32_t y_zero_point, int32_t multiplier,
                      int32_t shift, int32_t requant_mode);

#endif
