#ifndef KILN_AVERAGE_POOL_S16_H
#define KILN_AVERAGE_POOL_S16_H

#include "kiln_common.h"
#include "kiln_requant.h"

/* kiln_average_pool_s8 for int16 planes (int16 activations, TFLite's 16x8 scheme): geometry and
 * divisor rules exactly as kiln_average_pool_f32, input and output share their quantization.
 * With s the sum of the raw int16 taps (64-bit, so any window size is safe) and c the divisor,
 * avg = s > 0 ? (s + c / 2) / c : (s - c / 2) / c (C division: half away from zero), clamped to
 * [act_min, act_max]. A window whose divisor is 0 yields 0, clamped. */
void kiln_average_pool_s16(const int16_t* x, int16_t* y, int32_t planes, const int32_t* in_size,
                           const int32_t* out_size, const int32_t* kernel_size,
                           const int32_t* strides, const int32_t* dilations,
                           const int32_t* pads_begin, const int32_t* pads_end,
                           int32_t count_include_pad, int32_t act_min, int32_t act_max);

#endif
