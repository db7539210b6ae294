#ifndef KILN_MAX_POOL_S8_H
#define KILN_MAX_POOL_S8_H

#include "kiln_common.h"
#include "kiln_requant.h"

/* Max pooling of int8 planes, geometry exactly as kiln_max_pool_f32; input and output share
 * their quantization. A window with no tap inside the input yields -128. The result is clamped
 * to [act_min, act_max] (fused Relu / Relu6 in the quantized domain). */
void kiln_max_pool_s8(const int8_t* x, int8_t* y, int32_t planes, const int32_t* in_size,
                      const int32_t* out_size, const int32_t* kernel_size, const int32_t* strides,
                      const int32_t* dilations, const int32_t* pads, int32_t act_min,
                      int32_t act_max);

#endif
