#include "kiln_average_pool_s16.h"

#include "kiln_conv_window.h"

void kiln_average_pool_s16(const int16_t* x, int16_t* y, int32_t planes, const int32_t* in_size,
                           const int32_t* out_size, const int32_t* kernel_size,
                           const int32_t* strides, const int32_t* dilations,
                           const int32_t* pads_begin, const int32_t* pads_end,
                           int32_t count_include_pad, int32_t act_min, int32_t act_max) {
  const int32_t in_d = in_size[0], in_h = in_size[1], in_w = in_size[2];
  const int32_t out_d = out_size[0], out_h = out_size[1], out_w = out_size[2];
  const int32_t in_plane = in_d * in_h * in_w;
  const int32_t out_plane = out_d * out_h * out_w;
  int32_t c, od, oh, ow, kd, kh, kw;
  for (c = 0; c < planes; ++c) {
    const int16_t* x_plane = x + c * in_plane;
    int16_t* y_plane = y + c * out_plane;
    for (od = 0; od < out_d; ++od) {
      const int32_t start_d = od * strides[0] - pads_begin[0];
      int32_t kd0, kd1, pd0, pd1;
      kiln_window_range(start_d, in_d, dilations[0], kernel_size[0], &kd0, &kd1);
      kiln_window_range(start_d + pads_begin[0], in_d + pads_begin[0] + pads_end[0], dilations[0],
                        kernel_size[0], &pd0, &pd1);
      for (oh = 0; oh < out_h; ++oh) {
        const int32_t start_h = oh * strides[1] - pads_begin[1];
        int32_t kh0, kh1, ph0, ph1;
        kiln_window_range(start_h, in_h, dilations[1], kernel_size[1], &kh0, &kh1);
        kiln_window_range(start_h + pads_begin[1], in_h + pads_begin[1] + pads_end[1], dilations[1],
                          kernel_size[1], &ph0, &ph1);
        for (ow = 0; ow < out_w; ++ow) {
          const int32_t start_w = ow * strides[2] - pads_begin[2];
          int32_t kw0, kw1, pw0, pw1, count;
          int64_t avg;
          int64_t sum = 0;
          kiln_window_range(start_w, in_w, dilations[2], kernel_size[2], &kw0, &kw1);
          for (kd = kd0; kd < kd1; ++kd) {
            const int32_t row_d = (start_d + kd * dilations[0]) * in_h;
            for (kh = kh0; kh < kh1; ++kh) {
              const int16_t* x_row = x_plane + (row_d + start_h + kh * dilations[1]) * in_w;
              for (kw = kw0; kw < kw1; ++kw) sum += x_row[start_w + kw * dilations[2]];
            }
          }
          if (count_include_pad) {
            kiln_window_range(start_w + pads_begin[2], in_w + pads_begin[2] + pads_end[2],
                              dilations[2], kernel_size[2], &pw0, &pw1);
            count = (pd1 - pd0) * (ph1 - ph0) * (pw1 - pw0);
          } else {
            count = (kd1 - kd0) * (kh1 - kh0) * (kw1 - kw0);
          }
          /* Round half away from zero (TFLite); an empty window (count 0) averages to 0. */
          if (count == 0)
            avg = 0;
          else
            avg = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
          y_plane[(od * out_h + oh) * out_w + ow] =
              (int16_t)kiln_clamp_i32((int32_t)avg, act_min, act_max);
        }
      }
    }
  }
}
