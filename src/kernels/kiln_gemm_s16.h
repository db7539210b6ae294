#ifndef KILN_GEMM_S16_H
#define KILN_GEMM_S16_H

#include "kiln_common.h"
#include "kiln_requant.h"

/* kiln_gemm_s8 with int16 a and y (16x8), int8 b, int64 bias or NULL, int64 accumulation,
 * kiln_requantize64. b_zero_points, multipliers and shifts as in kiln_gemm_s8
 * (KILN_REQUANT_PER_TENSOR: one multiplier and shift).
 * b_zero_points may be NULL: every weight zero point is 0 (symmetric weights, the common case),
 * so no array of zeros is stored. */
void kiln_gemm_s16(const int16_t* a, const int8_t* b, const int64_t* bias, int16_t* y, int32_t m,
                   int32_t n, int32_t k, int32_t a_stride_m, int32_t a_stride_k, int32_t b_stride_k,
                   int32_t b_stride_n, int32_t w_bits, int32_t a_zero_point,
                   const int32_t* b_zero_points, int32_t y_zero_point, const int32_t* multipliers,
                   const int32_t* shifts, int32_t requant_mode, int32_t act_min, int32_t act_max);

#endif
