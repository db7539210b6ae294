#include "kiln_resize_nearest_f32.h"

void kiln_resize_nearest_f32(const float* x, float* y, int32_t rank, const int32_t* out_dims,
                             const int32_t* offsets, float extrapolation_value) {
  const int32_t* axis_offsets[KILN_MAX_RANK];
  int32_t index[KILN_MAX_RANK];
  const int32_t inner = out_dims[rank - 1];
  int32_t rows = 1, position = 0, d, r, j;
  for (d = 0; d < rank; ++d) {
    axis_offsets[d] = offsets + position;
    position += out_dims[d];
    index[d] = 0;
    if (d < rank - 1) rows *= out_dims[d];
  }
  for (r = 0; r < rows; ++r) {
    const int32_t* last = axis_offsets[rank - 1];
    float* y_row = y + r * inner;
    int32_t base = 0, outside = 0;
    for (d = 0; d < rank - 1; ++d) {
      const int32_t o = axis_offsets[d][index[d]];
      if (o < 0) outside = 1;
      base += o;
    }
    for (j = 0; j < inner; ++j)
      y_row[j] = (outside || last[j] < 0) ? extrapolation_value : x[base + last[j]];
    for (d = rank - 2; d >= 0; --d) {
      if (++index[d] < out_dims[d]) break;
      index[d] = 0;
    }
  }
}
