#ifndef KILN_GLOBAL_AVERAGE_POOL_S8_H
#define KILN_GLOBAL_AVERAGE_POOL_S8_H

#include "kiln_common.h"
#include "kiln_requant.h"

/* Mean of each of `planes` int8 planes of plane_size elements with requantization (input and
 * output may differ in scale and zero point): acc = sum (x - x_zero_point),
 * y = clamp(y_zero_point + kiln_requantize32(acc, requant_mode, multiplier, shift),
 * act_min, act_max) where the multiplier encodes x_scale / (y_scale * plane_size). */
void kiln_global_average_pool_s8(const int8_t* x, int8_t* y, int32_t planes, int32_t plane_size,
                                 int32_t x_zero_point, int32_t y_zero_point, int32_t multiplier,
                                 int32_t shift, int32_t requant_mode, int32_t act_min,
                                 int32_t act_max);

#endif
