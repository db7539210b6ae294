#include "kiln_max_pool_indices_f32.h"

#include <math.h>

#include "kiln_conv_window.h"

void kiln_max_pool_indices_f32(const float* x, float* y, int64_t* indices, int32_t planes,
                               const int32_t* in_size, const int32_t* out_size,
                               const int32_t* kernel_size, const int32_t* strides,
                               const int32_t* dilations, const int32_t* pads,
                               int32_t storage_order) {
  const int32_t in_d = in_size[0], in_h = in_size[1], in_w = in_size[2];
  const int32_t out_d = out_size[0], out_h = out_size[1], out_w = out_size[2];
  const int32_t in_plane = in_d * in_h * in_w;
  const int32_t out_plane = out_d * out_h * out_w;
  int32_t c, od, oh, ow, kd, kh, kw;
  for (c = 0; c < planes; ++c) {
    const float* x_plane = x + c * in_plane;
    const int64_t plane_base = (int64_t)c * in_plane;
    for (od = 0; od < out_d; ++od) {
      const int32_t start_d = od * strides[0] - pads[0];
      int32_t kd0, kd1;
      kiln_window_range(start_d, in_d, dilations[0], kernel_size[0], &kd0, &kd1);
      for (oh = 0; oh < out_h; ++oh) {
        const int32_t start_h = oh * strides[1] - pads[1];
        int32_t kh0, kh1;
        kiln_window_range(start_h, in_h, dilations[1], kernel_size[1], &kh0, &kh1);
        for (ow = 0; ow < out_w; ++ow) {
          const int32_t start_w = ow * strides[2] - pads[2];
          const int32_t out_index = c * out_plane + (od * out_h + oh) * out_w + ow;
          int32_t kw0, kw1, best_d = -1, best_h = -1, best_w = -1;
          float best = -INFINITY;
          kiln_window_range(start_w, in_w, dilations[2], kernel_size[2], &kw0, &kw1);
          for (kd = kd0; kd < kd1; ++kd) {
            const int32_t d = start_d + kd * dilations[0];
            for (kh = kh0; kh < kh1; ++kh) {
              const int32_t h = start_h + kh * dilations[1];
              const float* x_row = x_plane + (d * in_h + h) * in_w;
              for (kw = kw0; kw < kw1; ++kw) {
                const int32_t w = start_w + kw * dilations[2];
                if (best_d < 0 || x_row[w] > best) {
                  best = x_row[w];
                  best_d = d;
                  best_h = h;
                  best_w = w;
                }
              }
            }
          }
          y[out_index] = best;
          if (best_d < 0)
            indices[out_index] = -1;
          else if (storage_order)
            indices[out_index] = plane_base + ((int64_t)best_w * in_h + best_h) * in_d + best_d;
          else
            indices[out_index] = plane_base + ((int64_t)best_d * in_h + best_h) * in_w + best_w;
        }
      }
    }
  }
}
