#include "kiln_conv_transpose_f32.h"

#include "kiln_activation.h"
#include "kiln_conv_window.h"

void kiln_conv_transpose_f32(const float* x, const float* w, const float* bias, float* y,
                             int32_t batch, int32_t in_channels, int32_t out_channels,
                             int32_t group, const int32_t* in_size, const int32_t* out_size,
                             const int32_t* kernel_size, const int32_t* strides,
                             const int32_t* dilations, const int32_t* pads, int32_t act,
                             float act_alpha, float act_beta) {
  const int32_t in_d = in_size[0], in_h = in_size[1], in_w = in_size[2];
  const int32_t out_d = out_size[0], out_h = out_size[1], out_w = out_size[2];
  const int32_t k_d = kernel_size[0], k_h = kernel_size[1], k_w = kernel_size[2];
  const int32_t in_plane = in_d * in_h * in_w;
  const int32_t out_plane = out_d * out_h * out_w;
  const int32_t taps = k_d * k_h * k_w;
  const int32_t group_in = in_channels / group;
  const int32_t group_out = out_channels / group;
  const int32_t total = batch * out_channels * out_plane;
  int32_t n, c, ic, oc, id, ih, iw, kd, kh, kw, i;

  /* Bias first, then scatter-accumulate every input element through the kernel. */
  for (n = 0; n < batch; ++n)
    for (c = 0; c < out_channels; ++c) {
      float* y_out = y + (n * out_channels + c) * out_plane;
      const float init = bias ? bias[c] : 0.0f;
      for (i = 0; i < out_plane; ++i) y_out[i] = init;
    }

  for (n = 0; n < batch; ++n) {
    for (ic = 0; ic < in_channels; ++ic) {
      const float* x_chan = x + (n * in_channels + ic) * in_plane;
      const int32_t first_out = (ic / group_in) * group_out;
      for (oc = 0; oc < group_out; ++oc) {
        const float* w_chan = w + (ic * group_out + oc) * taps;
        float* y_chan = y + (n * out_channels + first_out + oc) * out_plane;
        for (id = 0; id < in_d; ++id) {
          const int32_t start_d = id * strides[0] - pads[0];
          int32_t kd0, kd1;
          kiln_window_range(start_d, out_d, dilations[0], k_d, &kd0, &kd1);
          for (ih = 0; ih < in_h; ++ih) {
            const int32_t start_h = ih * strides[1] - pads[1];
            int32_t kh0, kh1;
            kiln_window_range(start_h, out_h, dilations[1], k_h, &kh0, &kh1);
            for (iw = 0; iw < in_w; ++iw) {
              const int32_t start_w = iw * strides[2] - pads[2];
              const float v = x_chan[(id * in_h + ih) * in_w + iw];
              int32_t kw0, kw1;
              kiln_window_range(start_w, out_w, dilations[2], k_w, &kw0, &kw1);
              if (kw0 == kw1) continue;
              for (kd = kd0; kd < kd1; ++kd) {
                float* y_slice = y_chan + (start_d + kd * dilations[0]) * out_h * out_w;
                const float* w_slice = w_chan + kd * k_h * k_w;
                for (kh = kh0; kh < kh1; ++kh) {
                  float* y_row = y_slice + (start_h + kh * dilations[1]) * out_w + start_w +
                                 kw0 * dilations[2];
                  const float* w_row = w_slice + kh * k_w + kw0;
                  for (kw = 0; kw < kw1 - kw0; ++kw) y_row[kw * dilations[2]] += v * w_row[kw];
                }
              }
            }
          }
        }
      }
    }
  }

  if (act != KILN_ACT_NONE)
    for (i = 0; i < total; ++i) y[i] = kiln_activate_f32(y[i], act, act_alpha, act_beta);
}
