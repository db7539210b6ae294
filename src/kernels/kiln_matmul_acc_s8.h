#ifndef KILN_MATMUL_ACC_S8_H
#define KILN_MATMUL_ACC_S8_H

#include "kiln_common.h"
#include "kiln_requant.h"

/* ONNX MatMulInteger: int32 y[b] = sum_k (a - a_zero_point) * (b - b_zero_points[col]),
 * batching as kiln_matmul_f32; b_zero_points has n entries. */
void kiln_matmul_acc_s8(const int8_t* a, const int8_t* b, int32_t* y, int32_t batch_rank,
                        const int32_t* batch_dims, const int32_t* a_batch_strides,
                        const int32_t* b_batch_strides, int32_t m, int32_t n, int32_t k,
                        int32_t a_zero_point, const int32_t* b_zero_points);

#endif
