#ifndef KILN_AVERAGE_POOL_S8_H
#define KILN_AVERAGE_POOL_S8_H

#include "kiln_common.h"
#include "kiln_requant.h"

/* Average pooling of int8 planes, geometry and divisor rules exactly as kiln_average_pool_f32;
 * input and output share their quantization. TFLite rounding: with s the sum of the raw int8
 * taps and c the divisor, avg = s > 0 ? (s + c / 2) / c : (s - c / 2) / c (C division), then
 * clamped to [act_min, act_max]. A window whose divisor is 0 (all taps in the padding, only
 * possible without count_include_pad) yields 0, clamped, like the float kernel's 0. */
void kiln_average_pool_s8(const int8_t* x, int8_t* y, int32_t planes, const int32_t* in_size,
                          const int32_t* out_size, const int32_t* kernel_size,
                          const int32_t* strides, const int32_t* dilations,
                          const int32_t* pads_begin, const int32_t* pads_end,
                          int32_t count_include_pad, int32_t act_min, int32_t act_max);

#endif
