#ifndef KILN_CONV_TRANSPOSE_F32_H
#define KILN_CONV_TRANSPOSE_F32_H

#include "kiln_common.h"

/* Grouped transposed convolution (ONNX ConvTranspose), NCDHW layout; 1-D and 2-D pass leading
 * spatial sizes of 1. Every spatial array holds 3 entries (depth, height, width):
 *   x: [batch, in_channels, in_size...]   w: [in_channels, out_channels/group, kernel...]
 *   bias: [out_channels] or NULL           y: [batch, out_channels, out_size...]
 * Input position i and tap k write output position i * stride - pads + k * dilation when it lies
 * inside out_size (pads are the begin pads and may be negative; output_padding and output_shape
 * only change out_size). The fused activation is applied once every contribution is summed. */
void kiln_conv_transpose_f32(const float* x, const float* w, const float* bias, float* y,
                             int32_t batch, int32_t in_channels, int32_t out_channels,
                             int32_t group, const int32_t* in_size, const int32_t* out_size,
                             const int32_t* kernel_size, const int32_t* strides,
                             const int32_t* dilations, const int32_t* pads, int32_t act,
                             float act_alpha, float act_beta);

#endif
