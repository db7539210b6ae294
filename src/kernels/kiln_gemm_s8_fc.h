#ifndef KILN_GEMM_S8_FC_H
#define KILN_GEMM_S8_FC_H

#include "kiln_common.h"

/* Fast int8 fully connected layer (kiln_fast_s8.h): the same signature and results as
 * kiln_gemm_s8 when a's rows are contiguous (a_stride_k == 1), b is stored k-major with
 * contiguous columns (b_stride_n == 1, the [k, n] weight of an ONNX MatMul), w_bits 8 and
 * all b_zero_points 0 (kiln_gemm_s8_fc_nk takes the [n, k] layout). Four outputs are
 * computed together so each activation is loaded once per four weights; with DSP, four k steps of
 * four outputs are 8 SMLADs on pairs (k, k + 2) formed from four weight rows by SXTB16 and
 * PKHBT/PKHTB. */
void kiln_gemm_s8_fc(const int8_t* a, const int8_t* b, const int32_t* bias, int8_t* y, int32_t m,
                     int32_t n, int32_t k, int32_t a_stride_m, int32_t a_stride_k,
                     int32_t b_stride_k, int32_t b_stride_n, int32_t w_bits, int32_t a_zero_point,
                     const int32_t* b_zero_points, int32_t y_zero_point, const int32_t* multipliers,
                     const int32_t* shifts, int32_t requant_mode, int32_t act_min, int32_t act_max);

#endif
