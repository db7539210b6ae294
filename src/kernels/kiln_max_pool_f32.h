#ifndef KILN_MAX_POOL_F32_H
#define KILN_MAX_POOL_F32_H

#include "kiln_common.h"

/* Max pooling (ONNX MaxPool) over `planes` = batch * channels planes, NCDHW layout; 1-D and 2-D
 * pooling pass leading spatial sizes of 1. Spatial arrays hold 3 entries (depth, height, width);
 * pads are the begin pads (end pads and ceil_mode are implied by out_size). Padding never wins:
 * only taps inside the input are compared. A window with no tap inside the input yields
 * -INFINITY. */
void kiln_max_pool_f32(const float* x, float* y, int32_t planes, const int32_t* in_size,
                       const int32_t* out_size, const int32_t* kernel_size, const int32_t* strides,
                       const int32_t* dilations, const int32_t* pads);

#endif
