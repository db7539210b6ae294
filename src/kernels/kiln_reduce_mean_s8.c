#include "kiln_reduce_mean_s8.h"

void kiln_reduce_mean_s8(const int8_t* x, int8_t* y, int32_t rank, const int32_t* shape,
                         const int32_t* reduce_mask, int32_t truncate, int32_t x_zero_point,
                         int32_t y_zero_point, int32_t multiplier, int32_t shift,
                         int32_t requant_mode) {
  /* Kept and reduced dims with their input strides, outermost first. */
  int32_t kept_extent[KILN_MAX_RANK], kept_stride[KILN_MAX_RANK];
  int32_t red_extent[KILN_MAX_RANK], red_stride[KILN_MAX_RANK];
  int32_t kept_coord[KILN_MAX_RANK], red_coord[KILN_MAX_RANK];
  int32_t kept_rank = 0, red_rank = 0, d;
  int32_t stride = 1, outputs = 1, count = 1, o, r;
  for (d = rank - 1; d >= 0; --d) {
    if (reduce_mask[d]) {
      red_extent[red_rank] = shape[d];
      red_stride[red_rank++] = stride;
      count *= shape[d];
    } else {
      kept_extent[kept_rank] = shape[d];
      kept_stride[kept_rank++] = stride;
      outputs *= shape[d];
    }
    stride *= shape[d];
  }
  /* Dims were collected innermost first; coordinates advance from index 0 (the innermost). */
  for (d = 0; d < kept_rank; ++d) kept_coord[d] = 0;
  for (o = 0; o < outputs; ++o) {
    int32_t base = 0, sum = 0, value;
    for (d = 0; d < kept_rank; ++d) base += kept_coord[d] * kept_stride[d];
    for (d = 0; d < red_rank; ++d) red_coord[d] = 0;
    for (r = 0; r < count; ++r) {
      int32_t offset = base;
      for (d = 0; d < red_rank; ++d) offset += red_coord[d] * red_stride[d];
      sum += x[offset];
      for (d = 0; d < red_rank && ++red_coord[d] == red_extent[d]; ++d) red_coord[d] = 0;
    }
    if (truncate) {
      value = count > 0 ? sum / count : 0; /* C99 division truncates toward zero */
    } else {
      value = y_zero_point +
              kiln_requantize32(sum - count * x_zero_point, requant_mode, multiplier, shift);
    }
    y[o] = (int8_t)kiln_clamp_i32(value, -128, 127);
    for (d = 0; d < kept_rank && ++kept_coord[d] == kept_extent[d]; ++d) kept_coord[d] = 0;
  }
}
