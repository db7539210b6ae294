#ifndef KILN_QUANTIZE_LINEAR_H
#define KILN_QUANTIZE_LINEAR_H

#include "kiln_common.h"
#include "kiln_requant.h"

/* ONNX QuantizeLinear from float32: y = saturate(round_half_to_even(x / scale) + zero_point) to
 * y_type (KILN_QTYPE_*). x is viewed as [outer, axis_len, inner]; scales and zero_points have
 * axis_len entries (per-axis) or 1 entry (per-tensor, axis_len passed as 1 with inner = n).
 * A float boundary op: integer-only models take int8 inputs and never call it. */
void kiln_quantize_linear(const float* x, void* y, int32_t y_type, int32_t outer,
                          int32_t axis_len, int32_t inner, const float* scales,
                          const int32_t* zero_points);

#endif
