#ifndef KILN_MATMUL_F32_H
#define KILN_MATMUL_F32_H

#include "kiln_common.h"

/* Batched matrix product (ONNX MatMul): y[b] = a[b] @ b[b] with a[b]: [m, k], b[b]: [k, n] and
 * y dense [batch..., m, n]. The batch is the row-major index space batch_dims[0..batch_rank);
 * each operand's matrix for a batch index starts at sum(index[i] * operand_batch_strides[i])
 * elements, so a stride of 0 broadcasts it (numpy rules). batch_rank <= KILN_MAX_RANK.
 * 1-D operands are passed as [1, k] or [k, 1] matrices. The fused activation is applied to every
 * output. */
void kiln_matmul_f32(const float* a, const float* b, float* y, int32_t batch_rank,
                     const int32_t* batch_dims, const int32_t* a_batch_strides,
                     const int32_t* b_batch_strides, int32_t m, int32_t n, int32_t k, int32_t act,
                     float act_alpha, float act_beta);

#endif
