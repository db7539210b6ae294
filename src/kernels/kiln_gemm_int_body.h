/* The loop of the integer reference Gemm kernels (kiln_gemm_s8, kiln_gemm_s16): for every row i
 * of a and column j of b, the accumulator sums (a[i, p] - a_zero_point) * (b[p, j] -
 * b_zero_points[j]) over p in order, operands addressed through element strides (b through
 * kiln_weight_at: 8 or 4 bits), and kiln_int_out_result turns it into y[i, j]. The one .c file
 * that includes this header first defines kiln_int_x (element type of a), kiln_int_y,
 * kiln_int_acc, kiln_int_out, kiln_int_channel (one per output column) and their two functions,
 * as for kiln_conv_int_body.h (by including kiln_int_output.h). Inlined into the kernel. */
#ifndef KILN_GEMM_INT_BODY_H
#define KILN_GEMM_INT_BODY_H

#include "kiln_common.h"
#include "kiln_requant.h"

static KILN_ALWAYS_INLINE void kiln_gemm_int_body(
    const kiln_int_x* a, const int8_t* b, kiln_int_y* y, int32_t m, int32_t n, int32_t k,
    int32_t a_stride_m, int32_t a_stride_k, int32_t b_stride_k, int32_t b_stride_n, int32_t w_bits,
    int32_t a_zero_point, const int32_t* b_zero_points, const kiln_int_out* out) {
  int32_t i, j, p;
  for (i = 0; i < m; ++i) {
    const kiln_int_x* a_row = a + i * a_stride_m;
    kiln_int_y* y_row = y + i * n;
    for (j = 0; j < n; ++j) {
      /* Element index of b[0, j]; 4-bit weights are addressed by element, not by byte. */
      const int32_t b_col = j * b_stride_n;
      const int32_t b_zero_point = b_zero_points ? b_zero_points[j] : 0;
      const kiln_int_channel channel = kiln_int_out_channel(out, j);
      kiln_int_acc acc = channel.init;
      for (p = 0; p < k; ++p)
        acc += (kiln_int_acc)((int32_t)a_row[p * a_stride_k] - a_zero_point) *
               (kiln_weight_at(b, w_bits, b_col + p * b_stride_k) - b_zero_point);
      y_row[j] = kiln_int_out_result(acc, out, &channel);
    }
  }
}

#endif
