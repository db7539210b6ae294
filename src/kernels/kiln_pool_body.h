/* The window loop of the pooling kernels (kiln_{average,max}_pool_{f32,s8,s16},
 * kiln_average_pool_s8_single): planes outermost, then output positions in (d, h, w) order, the
 * taps of each window that lie inside the input in (d, h, w) order. What a kernel does with the
 * taps is defined by the one .c file that includes this header, before including it:
 *
 *   typedef ... kiln_pool_elem;  element type of x and y
 *   typedef ... kiln_pool_acc;   what a window reduces to
 *   typedef ... kiln_pool_args;  the kernel's own arguments (activation range, quantization)
 *   static inline kiln_pool_acc kiln_pool_start(const kiln_pool_args* args);
 *   static inline kiln_pool_acc kiln_pool_tap(kiln_pool_acc acc, kiln_pool_elem v,
 *                                             const kiln_pool_args* args);
 *   static inline kiln_pool_elem kiln_pool_result(kiln_pool_acc acc, int32_t count,
 *                                                 const kiln_pool_args* args);
 *
 * `count` is the divisor of an average (see kiln_average_pool_f32.h): the taps inside the input,
 * or with count_include_pad those inside [-pads_begin, in_size + pads_end). Max pooling ignores
 * it; its callers pass their begin pads as pads_end. Everything is inlined into the kernel, so
 * each kernel compiles to the loop it would be written out by hand. */
#ifndef KILN_POOL_BODY_H
#define KILN_POOL_BODY_H

#include "kiln_common.h"
#include "kiln_conv_window.h"

static KILN_ALWAYS_INLINE void kiln_pool_body(const kiln_pool_elem* x, kiln_pool_elem* y,
                                              int32_t planes, const int32_t* in_size,
                                              const int32_t* out_size, const int32_t* kernel_size,
                                              const int32_t* strides, const int32_t* dilations,
                                              const int32_t* pads_begin, const int32_t* pads_end,
                                              int32_t count_include_pad,
                                              const kiln_pool_args* args) {
  const int32_t in_d = in_size[0], in_h = in_size[1], in_w = in_size[2];
  const int32_t out_d = out_size[0], out_h = out_size[1], out_w = out_size[2];
  const int32_t in_plane = in_d * in_h * in_w;
  const int32_t out_plane = out_d * out_h * out_w;
  int32_t c, od, oh, ow, kd, kh, kw;
  for (c = 0; c < planes; ++c) {
    const kiln_pool_elem* x_plane = x + c * in_plane;
    kiln_pool_elem* y_plane = y + c * out_plane;
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
          kiln_pool_acc acc = kiln_pool_start(args);
          kiln_window_range(start_w, in_w, dilations[2], kernel_size[2], &kw0, &kw1);
          for (kd = kd0; kd < kd1; ++kd) {
            const int32_t row_d = (start_d + kd * dilations[0]) * in_h;
            for (kh = kh0; kh < kh1; ++kh) {
              const kiln_pool_elem* x_row = x_plane + (row_d + start_h + kh * dilations[1]) * in_w;
              for (kw = kw0; kw < kw1; ++kw)
                acc = kiln_pool_tap(acc, x_row[start_w + kw * dilations[2]], args);
            }
          }
          if (count_include_pad) {
            kiln_window_range(start_w + pads_begin[2], in_w + pads_begin[2] + pads_end[2],
                              dilations[2], kernel_size[2], &pw0, &pw1);
            count = (pd1 - pd0) * (ph1 - ph0) * (pw1 - pw0);
          } else {
            count = (kd1 - kd0) * (kh1 - kh0) * (kw1 - kw0);
          }
          y_plane[(od * out_h + oh) * out_w + ow] = kiln_pool_result(acc, count, args);
        }
      }
    }
  }
}

#endif
