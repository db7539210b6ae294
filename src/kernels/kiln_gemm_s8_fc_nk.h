#ifndef KILN_GEMM_S8_FC_NK_H
#define KILN_GEMM_S8_FC_NK_H

#include "kiln_common.h"

/* Fast int8 fully connected layer on an [n, k] weight (kiln_fast_s8.h): the same signature and
 * results as kiln_gemm_s8 when a's rows are contiguous (a_stride_k == 1), b's rows are contiguous
 * (b_stride_k == 1: a Gemm with transB, which the fast kernel set's layout step makes of every
 * quantized fully connected weight, see src/codegen/kernel_select.hpp), w_bits 8 and
 * all b_zero_points 0. Each output is the dot product of two contiguous rows: with DSP four
 * outputs share the SXTB16 pairs of four activations (8 SMLADs per four k steps), with MVE VMLADAVA
 * sums eight products per instruction. */
void kiln_gemm_s8_fc_nk(const int8_t* a, const int8_t* b, const int32_t* bias, int8_t* y, int32_t m,
                        int32_t n, int32_t k, int32_t a_stride_m, int32_t a_stride_k,
                        int32_t b_stride_k, int32_t b_stride_n, int32_t w_bits,
                        int32_t a_zero_point, const int32_t* b_zero_points, int32_t y_zero_point,
                        const int32_t* multipliers, const int32_t* shifts, int32_t requant_mode,
                        int32_t act_min, int32_t act_max);

#endif
