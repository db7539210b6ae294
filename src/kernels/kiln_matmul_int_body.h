/* The loop of the integer batched MatMul kernels (kiln_matmul_s8, kiln_matmul_acc_s8), batching
 * and broadcasting as kiln_matmul_f32: for every batch index (an odometer over batch_dims keeping
 * both operand offsets in step), y[b] = a[b] @ b[b] with contiguous [m, k] and [k, n] operands;
 * each accumulator sums (a - a_zero_point) * (b - b_zero_points[j]) over k in order and
 * kiln_int_out_result turns it into y[i, j]. The one .c file that includes this header first
 * defines kiln_int_x (element type of a and b), kiln_int_y, kiln_int_acc, kiln_int_out,
 * kiln_int_channel (one per output column) and their two functions, as for
 * kiln_conv_int_body.h. Inlined into the kernel. */
#ifndef KILN_MATMUL_INT_BODY_H
#define KILN_MATMUL_INT_BODY_H

#include "kiln_common.h"

static KILN_ALWAYS_INLINE void kiln_matmul_int_body(
    const kiln_int_x* a, const kiln_int_x* b, kiln_int_y* y, int32_t batch_rank,
    const int32_t* batch_dims, const int32_t* a_batch_strides, const int32_t* b_batch_strides,
    int32_t m, int32_t n, int32_t k, int32_t a_zero_point, const int32_t* b_zero_points,
    const kiln_int_out* out) {
  int32_t index[KILN_MAX_RANK];
  int32_t batches = 1, a_offset = 0, b_offset = 0;
  int32_t d, t, i, j, p;
  for (d = 0; d < batch_rank; ++d) {
    index[d] = 0;
    batches *= batch_dims[d];
  }
  for (t = 0; t < batches; ++t) {
    const kiln_int_x* a_mat = a + a_offset;
    const kiln_int_x* b_mat = b + b_offset;
    kiln_int_y* y_mat = y + t * m * n;
    for (i = 0; i < m; ++i) {
      const kiln_int_x* a_row = a_mat + i * k;
      for (j = 0; j < n; ++j) {
        const int32_t b_zero_point = b_zero_points ? b_zero_points[j] : 0;
        const kiln_int_channel channel = kiln_int_out_channel(out, j);
        kiln_int_acc acc = channel.init;
        for (p = 0; p < k; ++p)
          acc += (kiln_int_acc)((int32_t)a_row[p] - a_zero_point) *
                 ((int32_t)b_mat[p * n + j] - b_zero_point);
        y_mat[i * n + j] = kiln_int_out_result(acc, out, &channel);
      }
    }
    /* Advance the batch index like an odometer, keeping both operand offsets in step. */
    for (d = batch_rank - 1; d >= 0; --d) {
      a_offset += a_batch_strides[d];
      b_offset += b_batch_strides[d];
      if (++index[d] < batch_dims[d]) break;
      a_offset -= a_batch_strides[d] * batch_dims[d];
      b_offset -= b_batch_strides[d] * batch_dims[d];
      index[d] = 0;
    }
  }
}

#endif
