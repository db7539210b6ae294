#include "kiln_gemm_s8.h"

void kiln_gemm_s8(const int8_t* a, const int8_t* b, const int32_t* bias, int8_t* y, int32_t m,
                  int32_t n, int32_t k, int32_t a_stride_m, int32_t a_stride_k, int32_t b_stride_k,
                  int32_t b_stride_n, int32_t w_bits, int32_t a_zero_point,
                  const int32_t* b_zero_points, int32_t y_zero_point, const int32_t* multipliers,
                  const int32_t* shifts, int32_t requant_mode, int32_t act_min, int32_t act_max) {
  /* One multiplier and shift per output channel, or one for all (KILN_REQUANT_PER_TENSOR). */
  const int32_t rq_mask = kiln_requant_channel_mask(requant_mode);
  const int32_t strategy = kiln_requant_strategy(requant_mode);
  int32_t i, j, p;
  for (i = 0; i < m; ++i) {
    const int8_t* a_row = a + i * a_stride_m;
    int8_t* y_row = y + i * n;
    for (j = 0; j < n; ++j) {
      /* Element index of b[0, j]; 4-bit weights are addressed by element, not by byte. */
      const int32_t b_col = j * b_stride_n;
      const int32_t b_zero_point = b_zero_points ? b_zero_points[j] : 0;
      int32_t acc = bias ? bias[j] : 0;
      for (p = 0; p < k; ++p)
        acc += ((int32_t)a_row[p * a_stride_k] - a_zero_point) *
               (kiln_weight_at(b, w_bits, b_col + p * b_stride_k) - b_zero_point);
      y_row[j] = (int8_t)kiln_offset_clamp(
          kiln_requantize32(acc, strategy, multipliers[j & rq_mask], shifts[j & rq_mask]),
          y_zero_point, act_min, act_max);
    }
  }
}
