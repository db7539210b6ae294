#ifndef KILN_GLOBAL_AVERAGE_POOL_S16_H
#define KILN_GLOBAL_AVERAGE_POOL_S16_H

#include "kiln_common.h"
#include "kiln_requant.h"

/* kiln_global_average_pool_s8 for int16 planes (int16 activations, TFLite's 16x8 scheme): the
 * sum acc = sum (x - x_zero_point) is formed in 64 bits (a plane of 2^16 int16 values already
 * overflows int32) and requantized as the int16 convolution's accumulator is:
 * y = clamp(y_zero_point + kiln_requantize64(acc, requant_mode, multiplier, shift), act_min,
 * act_max), the multiplier encoding x_scale / (y_scale * plane_size). */
void kiln_global_average_pool_s16(const int16_t* x, int16_t* y, int32_t planes, int32_t plane_size,
                                  int32_t x_zero_point, int32_t y_zero_point, int32_t multiplier,
                                  int32_t shift, int32_t requant_mode, int32_t act_min,
                                  int32_t act_max);

#endif
