#ifndef KILN_BINARY_S8_H
#define KILN_BINARY_S8_H

#include "kiln_common.h"
#include "kiln_requant.h"

/* Quantized element-wise Add / Sub / Mul (op = KILN_BINARY_ADD / _SUB / _MUL from
 * kiln_binary_ops.h) with numpy broadcasting addressed as kiln_binary_f32 (y's shape, per-operand
 * element strides, 0 where broadcast). TFLite arithmetic:
 *   Add/Sub: a' = kiln_multiply_by_quantized_multiplier((a - a_zero_point) << left_shift,
 *            a_multiplier, a_shift), b' likewise, r = a' +/- b',
 *            y = clamp(y_zero_point + kiln_multiply_by_quantized_multiplier(r, y_multiplier,
 *            y_shift), act_min, act_max)   (left_shift is 20 for int8)
 *   Mul:     r = (a - a_zero_point) * (b - b_zero_point), y = clamp(y_zero_point +
 *            kiln_multiply_by_quantized_multiplier(r, y_multiplier, y_shift), act_min, act_max)
 *            (a_multiplier, a_shift, b_multiplier, b_shift, left_shift unused)
 * y may be the same buffer as a or b when that operand has y's shape. */
void kiln_binary_s8(int32_t op, const int8_t* a, const int8_t* b, int8_t* y, int32_t rank,
                    const int32_t* shape, const int32_t* a_strides, const int32_t* b_strides,
                    int32_t a_zero_point, int32_t b_zero_point, int32_t y_zero_point,
                    int32_t left_shift, int32_t a_multiplier, int32_t a_shift,
                    int32_t b_multiplier, int32_t b_shift, int32_t y_multiplier, int32_t y_shift,
                    int32_t act_min, int32_t act_max);

#endif
