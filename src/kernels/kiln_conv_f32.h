#ifndef KILN_CONV_F32_H
#define KILN_CONV_F32_H

#include "kiln_common.h"

/* Direct grouped convolution (ONNX Conv), NCDHW layout; 1-D and 2-D convolutions pass leading
 * spatial sizes of 1. Every spatial array holds 3 entries (depth, height, width):
 *   x: [batch, in_channels, in_size...]          w: [out_channels, in_channels/group, kernel...]
 *   bias: [out_channels] or NULL                 y: [batch, out_channels, out_size...]
 * pads holds the begin pads; end pads are implied by out_size. `act`, `act_alpha`, `act_beta`
 * select the fused activation (KILN_ACT_* in kiln_activation.h) applied to every output. */
void kiln_conv_f32(const float* x, const float* w, const float* bias, float* y, int32_t batch,
                   int32_t in_channels, int32_t out_channels, int32_t group, const int32_t* in_size,
                   const int32_t* out_size, const int32_t* kernel_size, const int32_t* strides,
                   const int32_t* dilations, const int32_t* pads, int32_t act, float act_alpha,
                   float act_beta);

#endif
