#ifndef KILN_DEQUANTIZE_LINEAR_H
#define KILN_DEQUANTIZE_LINEAR_H

#include "kiln_common.h"
#include "kiln_requant.h"

/* ONNX DequantizeLinear to float32: y = (x - zero_point) * scale, x of x_type (KILN_QTYPE_*, or
 * KILN_QTYPE_S32 for int32 bias-like tensors), viewed as [outer, axis_len, inner] with per-axis
 * (axis_len entries) or per-tensor (1 entry) parameters as in kiln_quantize_linear. */
void kiln_dequantize_linear(const void* x, int32_t x_type, float* y, int32_t outer,
                            int32_t axis_len, int32_t inner, const float* scales,
                            const int32_t* zero_points);

#endif
