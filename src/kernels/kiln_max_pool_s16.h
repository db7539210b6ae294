#ifndef KILN_MAX_POOL_S16_H
#define KILN_MAX_POOL_S16_H

#include "kiln_common.h"
#include "kiln_requant.h"

/* kiln_max_pool_s8 for int16 planes (int16 activations, TFLite's 16x8 scheme): geometry exactly
 * as kiln_max_pool_f32, input and output share their quantization. A window with no tap inside
 * the input yields -32768. The result is clamped to [act_min, act_max]. */
void kiln_max_pool_s16(const int16_t* x, int16_t* y, int32_t planes, const int32_t* in_size,
                       const int32_t* out_size, const int32_t* kernel_size, const int32_t* strides,
                       const int32_t* dilations, const int32_t* pads, int32_t act_min,
                       int32_t act_max);

#endif
