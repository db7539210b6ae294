#ifndef KILN_GEMM_F32_H
#define KILN_GEMM_F32_H

#include "kiln_common.h"

/* y[m, n] = alpha * sum_k a[m, k] * b[k, n] + beta * c[m, n] (ONNX Gemm), y dense [m, n].
 * Operands are addressed through element strides, so transposes cost nothing: a[i, p] is
 * a[i * a_stride_m + p * a_stride_k], and likewise for b and c. A stride of 0 broadcasts c
 * along that axis; c may be NULL (no bias). The fused activation is applied to every output. */
void kiln_gemm_f32(const float* a, const float* b, const float* c, float* y, int32_t m, int32_t n,
                   int32_t k, int32_t a_stride_m, int32_t a_stride_k, int32_t b_stride_k,
                   int32_t b_stride_n, int32_t c_stride_m, int32_t c_stride_n, float alpha,
                   float beta, int32_t act, float act_alpha, float act_beta);

#endif
