#ifndef KILN_MATMUL_S8_H
#define KILN_MATMUL_S8_H

#include "kiln_common.h"
#include "kiln_requant.h"

/* Quantized batched MatMul (ONNX QLinearMatMul, MatMul on int8 tensors), batching and
 * broadcasting exactly as kiln_matmul_f32: y[b] = requant(a[b] @ b[b]) per batch index.
 * Each output element: clamp(y_zero_point + kiln_requantize32(sum_k (a - a_zero_point) *
 * (b - b_zero_points[col]), requant_mode, multipliers[col], shifts[col]), act_min, act_max) where
 * col is the output column (b_zero_points, multipliers, shifts: n entries; per-tensor repeats;
 * with KILN_REQUANT_PER_TENSOR in requant_mode, multipliers and shifts hold one entry).
 * b_zero_points may be NULL: every weight zero point is 0 (symmetric weights, the common case),
 * so no array of zeros is stored. */
void kiln_matmul_s8(const int8_t* a, const int8_t* b, int8_t* y, int32_t batch_rank,
                    const int32_t* batch_dims, const int32_t* a_batch_strides,
                    const int32_t* b_batch_strides, int32_t m, int32_t n, int32_t k,
                    int32_t a_zero_point, const int32_t* b_zero_points, int32_t y_zero_point,
                    const int32_t* multipliers, const int32_t* shifts, int32_t requant_mode,
                    int32_t act_min, int32_t act_max);

#endif
