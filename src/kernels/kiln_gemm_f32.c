#include "kiln_gemm_f32.h"

#include "kiln_activation.h"

void kiln_gemm_f32(const float* a, const float* b, const float* c, float* y, int32_t m, int32_t n,
                   int32_t k, int32_t a_stride_m, int32_t a_stride_k, int32_t b_stride_k,
                   int32_t b_stride_n, int32_t c_stride_m, int32_t c_stride_n, float alpha,
                   float beta, int32_t act, float act_alpha, float act_beta) {
  int32_t i, j, p;
  for (i = 0; i < m; ++i) {
    const float* a_row = a + i * a_stride_m;
    float* y_row = y + i * n;
    if (b_stride_n == 1) {
      /* b rows are contiguous: stream them into the output row. */
      for (j = 0; j < n; ++j) y_row[j] = 0.0f;
      for (p = 0; p < k; ++p) {
        const float av = a_row[p * a_stride_k];
        const float* b_row = b + p * b_stride_k;
        for (j = 0; j < n; ++j) y_row[j] += av * b_row[j];
      }
    } else {
      /* b is transposed (columns contiguous): one dot product per output. */
      for (j = 0; j < n; ++j) {
        const float* b_col = b + j * b_stride_n;
        float acc = 0.0f;
        for (p = 0; p < k; ++p) acc += a_row[p * a_stride_k] * b_col[p * b_stride_k];
        y_row[j] = acc;
      }
    }
    for (j = 0; j < n; ++j) {
      float v = alpha * y_row[j];
      if (c) v += beta * c[i * c_stride_m + j * c_stride_n];
      y_row[j] = kiln_activate_f32(v, act, act_alpha, act_beta);
    }
  }
}
