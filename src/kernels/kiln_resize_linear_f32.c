#include "kiln_resize_linear_f32.h"

void kiln_resize_linear_f32(const float* x, float* y, int32_t planes, int32_t in_h, int32_t in_w,
                            int32_t out_h, int32_t out_w, const int32_t* rows,
                            const float* row_weights, const int32_t* cols, const float* col_weights,
                            float extrapolation_value) {
  int32_t p, r, c;
  for (p = 0; p < planes; ++p) {
    const float* x_plane = x + p * in_h * in_w;
    float* y_plane = y + p * out_h * out_w;
    for (r = 0; r < out_h; ++r) {
      float* y_row = y_plane + r * out_w;
      const float wr = row_weights[r];
      const float* top;
      const float* bottom;
      if (rows[2 * r] < 0) {
        for (c = 0; c < out_w; ++c) y_row[c] = extrapolation_value;
        continue;
      }
      top = x_plane + rows[2 * r] * in_w;
      bottom = x_plane + rows[2 * r + 1] * in_w;
      for (c = 0; c < out_w; ++c) {
        const int32_t c0 = cols[2 * c], c1 = cols[2 * c + 1];
        const float wc = col_weights[c];
        if (c0 < 0) {
          y_row[c] = extrapolation_value;
        } else {
          const float upper = top[c0] + wc * (top[c1] - top[c0]);
          const float lower = bottom[c0] + wc * (bottom[c1] - bottom[c0]);
          y_row[c] = upper + wr * (lower - upper);
        }
      }
    }
  }
}
