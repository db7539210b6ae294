#ifndef KILN_GEMM_S8_H
#define KILN_GEMM_S8_H

#include "kiln_common.h"
#include "kiln_requant.h"

/* Quantized fully connected / Gemm: y[m, n] = clamp(y_zero_point + kiln_requantize32(
 *   bias[n] + sum_k (a[m, k] - a_zero_point) * (b[k, n] - b_zero_points[n]), requant_mode,
 *   multipliers[n], shifts[n]), act_min, act_max). Operands are addressed through element
 * strides as in kiln_gemm_f32 (a[i, p] = a[i * a_stride_m + p * a_stride_k], b likewise), so
 * transposed operands cost nothing. b holds w_bits 8 or 4 (packed, element index as computed by
 * the strides) values. bias: int32 [n] or NULL. b_zero_points, multipliers and shifts have n
 * entries, one per output column (per-tensor weights repeat their one value); with
 * KILN_REQUANT_PER_TENSOR in requant_mode, multipliers and shifts hold one entry for every column.
 * b_zero_points may be NULL: every weight zero point is 0 (symmetric weights, the common case),
 * so no array of zeros is stored. */
void kiln_gemm_s8(const int8_t* a, const int8_t* b, const int32_t* bias, int8_t* y, int32_t m,
                  int32_t n, int32_t k, int32_t a_stride_m, int32_t a_stride_k, int32_t b_stride_k,
                  int32_t b_stride_n, int32_t w_bits, int32_t a_zero_point,
                  const int32_t* b_zero_points, int32_t y_zero_point, const int32_t* multipliers,
                  const int32_t* shifts, int32_t requant_mode, int32_t act_min, int32_t act_max);

#endif
