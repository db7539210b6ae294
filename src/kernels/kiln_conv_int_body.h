/* The loop of the integer reference convolutions (kiln_conv_s8, kiln_conv_s16,
 * kiln_int_acc_s8): grouped convolution in NCDHW layout with kiln_conv_f32's geometry, output
 * channels outermost, then output positions in (d, h, w) order; each accumulator sums
 * (x - x_zero_point) * (w - w_zero_points[oc]) over the input channels of the group and the taps
 * inside the input (taps in the padding equal x_zero_point and contribute nothing, so they are not
 * visited). Weights are addressed by element index through kiln_weight_at (8 or 4 bits). The one
 * .c file that includes this header defines, before including it:
 *
 *   typedef ... kiln_int_x;    element type of x
 *   typedef ... kiln_int_y;    element type of y
 *   typedef ... kiln_int_acc;  accumulator (int32_t or int64_t)
 *   typedef ... kiln_int_out;      what turns an accumulator into y (kiln_int_output.h)
 *   typedef ... kiln_int_channel;  what of it belongs to one output channel, with a member
 *                                  `kiln_int_acc init` (the accumulator's start: the bias)
 *   static inline kiln_int_channel kiln_int_out_channel(const kiln_int_out* out, int32_t oc);
 *   static inline kiln_int_y kiln_int_out_result(kiln_int_acc acc, const kiln_int_out* out,
 *                                                const kiln_int_channel* channel);
 *
 * Everything is inlined into the kernel, so each kernel compiles to the loop it would be written
 * out by hand. */
#ifndef KILN_CONV_INT_BODY_H
#define KILN_CONV_INT_BODY_H

#include "kiln_common.h"
#include "kiln_conv_window.h"
#include "kiln_requant.h"

static KILN_ALWAYS_INLINE void kiln_conv_int_body(
    const kiln_int_x* x, const int8_t* w, kiln_int_y* y, int32_t batch, int32_t in_channels,
    int32_t out_channels, int32_t group, const int32_t* in_size, const int32_t* out_size,
    const int32_t* kernel_size, const int32_t* strides, const int32_t* dilations,
    const int32_t* pads, int32_t w_bits, int32_t x_zero_point, const int32_t* w_zero_points,
    const kiln_int_out* out) {
  const int32_t in_d = in_size[0], in_h = in_size[1], in_w = in_size[2];
  const int32_t out_d = out_size[0], out_h = out_size[1], out_w = out_size[2];
  const int32_t k_d = kernel_size[0], k_h = kernel_size[1], k_w = kernel_size[2];
  const int32_t in_plane = in_d * in_h * in_w;
  const int32_t out_plane = out_d * out_h * out_w;
  const int32_t taps = k_d * k_h * k_w;
  const int32_t group_in = in_channels / group;
  const int32_t group_out = out_channels / group;
  int32_t n, oc, od, oh, ow, ic, kd, kh, kw;
  for (n = 0; n < batch; ++n) {
    for (oc = 0; oc < out_channels; ++oc) {
      const kiln_int_x* x_group = x + (n * in_channels + (oc / group_out) * group_in) * in_plane;
      /* Weight element index of this output channel's first tap (4-bit weights are addressed by
       * element, not by byte). */
      const int32_t w_out = oc * group_in * taps;
      kiln_int_y* y_out = y + (n * out_channels + oc) * out_plane;
      const int32_t w_zero_point = w_zero_points ? w_zero_points[oc] : 0;
      const kiln_int_channel channel = kiln_int_out_channel(out, oc);
      for (od = 0; od < out_d; ++od) {
        const int32_t start_d = od * strides[0] - pads[0];
        int32_t kd0, kd1;
        kiln_window_range(start_d, in_d, dilations[0], k_d, &kd0, &kd1);
        for (oh = 0; oh < out_h; ++oh) {
          const int32_t start_h = oh * strides[1] - pads[1];
          int32_t kh0, kh1;
          kiln_window_range(start_h, in_h, dilations[1], k_h, &kh0, &kh1);
          for (ow = 0; ow < out_w; ++ow) {
            const int32_t start_w = ow * strides[2] - pads[2];
            int32_t kw0, kw1;
            kiln_int_acc acc = channel.init;
            kiln_window_range(start_w, in_w, dilations[2], k_w, &kw0, &kw1);
            for (ic = 0; ic < group_in; ++ic) {
              const kiln_int_x* x_chan = x_group + ic * in_plane;
              const int32_t w_chan = w_out + ic * taps;
              for (kd = kd0; kd < kd1; ++kd) {
                const kiln_int_x* x_slice = x_chan + (start_d + kd * dilations[0]) * in_h * in_w;
                const int32_t w_slice = w_chan + kd * k_h * k_w;
                for (kh = kh0; kh < kh1; ++kh) {
                  const kiln_int_x* x_row =
                      x_slice + (start_h + kh * dilations[1]) * in_w + start_w + kw0 * dilations[2];
                  const int32_t w_row = w_slice + kh * k_w + kw0;
                  for (kw = 0; kw < kw1 - kw0; ++kw)
                    acc += (kiln_int_acc)((int32_t)x_row[kw * dilations[2]] - x_zero_point) *
                           (kiln_weight_at(w, w_bits, w_row + kw) - w_zero_point);
                }
              }
            }
            y_out[(od * out_h + oh) * out_w + ow] = kiln_int_out_result(acc, out, &channel);
          }
        }
      }
    }
  }
}

#endif
