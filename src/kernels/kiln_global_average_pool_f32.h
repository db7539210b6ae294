#ifndef KILN_GLOBAL_AVERAGE_POOL_F32_H
#define KILN_GLOBAL_AVERAGE_POOL_F32_H

#include "kiln_common.h"

/* y[p] = mean of x[p * plane_size .. (p + 1) * plane_size) for each of `planes` planes
 * (ONNX GlobalAveragePool with planes = batch * channels, plane_size = product of spatial dims). */
void kiln_global_average_pool_f32(const float* x, float* y, int32_t planes, int32_t plane_size);

#endif
