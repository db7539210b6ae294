#ifndef KILN_BINARY_S8_SINGLE_H
#define KILN_BINARY_S8_SINGLE_H

#include "kiln_common.h"
#include "kiln_softfloat.h"

/* Quantized element-wise Add / Sub / Mul (op = KILN_BINARY_ADD / _SUB / _MUL) with ONNX
 * Runtime's arithmetic, the form of pre-quantized ONNX models (requantization "single");
 * broadcasting addressed as kiln_binary_s8. a, b are the raw int8 values; the float32 steps are
 * computed with integers (kiln_softfloat.h), p0..p2 are binary32 bit patterns:
 *   Add (QLinearAdd): p0 = a_scale / y_scale, p1 = b_scale / y_scale, p2 = (y_zero_point -
 *     p0 * a_zero_point) - p1 * b_zero_point, each rounded to float32;
 *     y = round(fma(a, p0, fma(b, p1, p2)))
 *   Sub (no fused form: dequantize, subtract, quantize): p0 = a_scale, p1 = b_scale,
 *     p2 = y_scale; y = round(((a - a_zero_point) * p0 - (b - b_zero_point) * p1) / p2) +
 *     y_zero_point
 *   Mul (QLinearMul): p0 = (a_scale * b_scale) / y_scale in float32;
 *     y = round(float32((a - a_zero_point) * (b - b_zero_point)) * p0) + y_zero_point
 * round is half to even; y is clamped to [act_min, act_max] (within the int8 range). y may be
 * the same buffer as a or b when that operand has y's shape. */
void kiln_binary_s8_single(int32_t op, const int8_t* a, const int8_t* b, int8_t* y, int32_t rank,
                           const int32_t* shape, const int32_t* a_strides, const int32_t* b_strides,
                           int32_t a_zero_point, int32_t b_zero_point, int32_t y_zero_point,
                           int32_t p0_bits, int32_t p1_bits, int32_t p2_bits, int32_t act_min,
                           int32_t act_max);

#endif
