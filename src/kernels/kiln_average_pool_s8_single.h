#ifndef KILN_AVERAGE_POOL_S8_SINGLE_H
#define KILN_AVERAGE_POOL_S8_SINGLE_H

#include "kiln_common.h"
#include "kiln_softfloat.h"

/* Average pooling of int8 planes with ONNX Runtime's QLinearAveragePool arithmetic, the form of
 * pre-quantized ONNX models (requantization "single"): geometry and divisor rules as
 * kiln_average_pool_f32; each tap dequantized to float32 (x - x_zero_point) * x_scale, the taps
 * summed in float32 in window order (d, h, w), the sum divided by the divisor, by y_scale, then
 * y_zero_point added, all in float32, rounded half to even and clamped to [act_min, act_max]
 * (act_* within the int8 range). Padding taps add 0. The float32 steps are computed with
 * integers (kiln_softfloat.h): no floating-point instruction. x_scale_bits / y_scale_bits are
 * the scales' binary32 bit patterns. An empty window gives y_zero_point, clamped. */
void kiln_average_pool_s8_single(const int8_t* x, int8_t* y, int32_t planes, const int32_t* in_size,
                                 const int32_t* out_size, const int32_t* kernel_size,
                                 const int32_t* strides, const int32_t* dilations,
                                 const int32_t* pads_begin, const int32_t* pads_end,
                                 int32_t count_include_pad, int32_t x_zero_point,
                                 int32_t x_scale_bits, int32_t y_zero_point, int32_t y_scale_bits,
                                 int32_t act_min, int32_t act_max);

#endif
