#ifndef KILN_MAX_POOL_INDICES_F32_H
#define KILN_MAX_POOL_INDICES_F32_H

#include "kiln_common.h"

/* kiln_max_pool_f32 that also writes ONNX MaxPool's Indices output: for each output, the flat
 * index into x of the (first) maximum, counting planes before it (plane * in_plane + position).
 * Within a plane the position is row-major (d, h, w) for storage_order 0 and column-major
 * (w * in_h * in_d + h * in_d + d) for storage_order 1. Windows with no tap inside the input get
 * -INFINITY and index -1. Arguments otherwise as kiln_max_pool_f32. */
void kiln_max_pool_indices_f32(const float* x, float* y, int64_t* indices, int32_t planes,
                               const int32_t* in_size, const int32_t* out_size,
                               const int32_t* kernel_size, const int32_t* strides,
                               const int32_t* dilations, const int32_t* pads,
                               int32_t storage_order);

#endif
