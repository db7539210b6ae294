#ifndef KILN_AVERAGE_POOL_F32_H
#define KILN_AVERAGE_POOL_F32_H

#include "kiln_common.h"

/* Average pooling (ONNX AveragePool) over `planes` = batch * channels planes, NCDHW layout; 1-D
 * and 2-D pooling pass leading spatial sizes of 1. Spatial arrays hold 3 entries (depth, height,
 * width). The sum runs over the taps inside the input. The divisor counts those taps when
 * count_include_pad is 0; otherwise it counts the taps inside the explicitly padded input
 * [-pads_begin, in_size + pads_end) (positions a ceil_mode window hangs past the end pad do not
 * count). */
void kiln_average_pool_f32(const float* x, float* y, int32_t planes, const int32_t* in_size,
                           const int32_t* out_size, const int32_t* kernel_size,
                           const int32_t* strides, const int32_t* dilations,
                           const int32_t* pads_begin, const int32_t* pads_end,
                           int32_t count_include_pad);

#endif
