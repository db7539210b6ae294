#include "kiln_matmul_f32.h"

#include "kiln_activation.h"

void kiln_matmul_f32(const float* a, const float* b, float* y, int32_t batch_rank,
                     const int32_t* batch_dims, const int32_t* a_batch_strides,
                     const int32_t* b_batch_strides, int32_t m, int32_t n, int32_t k, int32_t act,
                     float act_alpha, float act_beta) {
  int32_t index[KILN_MAX_RANK];
  int32_t batches = 1, a_offset = 0, b_offset = 0;
  int32_t d, t, i, j, p;
  for (d = 0; d < batch_rank; ++d) {
    index[d] = 0;
    batches *= batch_dims[d];
  }
  for (t = 0; t < batches; ++t) {
    const float* a_mat = a + a_offset;
    const float* b_mat = b + b_offset;
    float* y_mat = y + t * m * n;
    for (i = 0; i < m; ++i) {
      const float* a_row = a_mat + i * k;
      float* y_row = y_mat + i * n;
      for (j = 0; j < n; ++j) y_row[j] = 0.0f;
      for (p = 0; p < k; ++p) {
        const float av = a_row[p];
        const float* b_row = b_mat + p * n;
        for (j = 0; j < n; ++j) y_row[j] += av * b_row[j];
      }
      if (act != KILN_ACT_NONE)
        for (j = 0; j < n; ++j) y_row[j] = kiln_activate_f32(y_row[j], act, act_alpha, act_beta);
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
