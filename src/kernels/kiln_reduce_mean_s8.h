#ifndef KILN_REDUCE_MEAN_S8_H
#define KILN_REDUCE_MEAN_S8_H

#include "kiln_common.h"
#include "kiln_requant.h"

/* int8 mean over any set of axes: x viewed as `rank` merged dims `shape` with reduce_mask (as
 * kiln_reduce_int), count = the product of the reduced dims, sum = the int32 sum of the raw
 * int8 values each output reduces.
 *   truncate != 0: y = sum / count truncated toward zero (TensorFlow Lite (Micro)'s MEAN when
 *     input and output share scale and zero point: the raw values are averaged);
 *   truncate == 0: y = clamp(y_zero_point + kiln_requantize32(sum - count * x_zero_point,
 *     requant_mode, multiplier, shift), -128, 127), the multiplier encoding
 *     x_scale / (y_scale * count).
 * Integer-only; count * 128 must fit int32. */
void kiln_reduce_mean_s8(const int8_t* x, int8_t* y, int32_t rank, const int32_t* shape,
                         const int32_t* reduce_mask, int32_t truncate, int32_t x_zero_point,
                         int32_t y_zero_point, int32_t multiplier, int32_t shift,
                         int32_t requant_mode);

#endif
