#include "kiln_matmul_s8.h"

void kiln_matmul_s8(const int8_t* a, const int8_t* b, int8_t* y, int32_t batch_rank,
                    const int32_t* batch_dims, const int32_t* a_batch_strides,
                    const int32_t* b_batch_strides, int32_t m, int32_t n, int32_t k,
                    int32_t a_zero_point, const int32_t* b_zero_points, int32_t y_zero_point,
                    const int32_t* multipliers, const int32_t* shifts, int32_t requant_mode,
                    int32_t act_min, int32_t act_max) {
  /* One multiplier and shift per output channel, or one for all (KILN_REQUANT_PER_TENSOR). */
  const int32_t rq_mask = kiln_requant_channel_mask(requant_mode);
  const int32_t strategy = kiln_requant_strategy(requant_mode);
  int32_t index[KILN_MAX_RANK];
  int32_t batches = 1, a_offset = 0, b_offset = 0;
  int32_t d, t, i, j, p;
  for (d = 0; d < batch_rank; ++d) {
    index[d] = 0;
    batches *= batch_dims[d];
  }
  for (t = 0; t < batches; ++t) {
    const int8_t* a_mat = a + a_offset;
    const int8_t* b_mat = b + b_offset;
    int8_t* y_mat = y + t * m * n;
    for (i = 0; i < m; ++i) {
      const int8_t* a_row = a_mat + i * k;
      for (j = 0; j < n; ++j) {
        const int32_t b_zero_point = b_zero_points ? b_zero_points[j] : 0;
        int32_t acc = 0;
        for (p = 0; p < k; ++p)
          acc += ((int32_t)a_row[p] - a_zero_point) * ((int32_t)b_mat[p * n + j] - b_zero_point);
        y_mat[i * n + j] = (int8_t)kiln_offset_clamp(
            kiln_requantize32(acc, strategy, multipliers[j & rq_mask], shifts[j & rq_mask]),
            y_zero_point, act_min, act_max);
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
