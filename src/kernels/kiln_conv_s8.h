#ifndef KILN_CONV_S8_H
#define KILN_CONV_S8_H

#include "kiln_common.h"
#include "kiln_requant.h"

/* Quantized grouped convolution (incl. depthwise), int8 activations, NCDHW layout as
 * kiln_conv_f32 (same geometry arguments: 3-entry spatial arrays, begin pads).
 *   x: int8 [batch, in_channels, in...]   w: [out_channels, in_channels/group, kernel...] with
 *   w_bits 8 (int8) or 4 (packed, see kiln_weight_at)   bias: int32 [out_channels] or NULL
 *   (scale x_scale * w_scale[oc], zero point 0)   y: int8 [batch, out_channels, out...]
 * acc = bias[oc] + sum (x - x_zero_point) * (w - w_zero_points[oc]); taps in the padding
 * contribute nothing (they equal x_zero_point). y = clamp(y_zero_point + kiln_requantize32(acc,
 * requant_mode, multipliers[oc], shifts[oc]), act_min, act_max); act_min/act_max carry the fused
 * activation and the int8 range. w_zero_points, multipliers and shifts have out_channels entries
 * (per-tensor weights repeat their one value; asymmetric per-channel weights give each output
 * channel its own zero point, in the weights' value range: [-128, 127], or [-8, 7] for 4 bits),
 * except that with KILN_REQUANT_PER_TENSOR in requant_mode multipliers and shifts hold one entry
 * for every channel (see kiln_requant_channel_mask).
 * w_zero_points may be NULL: every weight zero point is 0 (symmetric weights, the common case),
 * so no array of zeros is stored. */
void kiln_conv_s8(const int8_t* x, const int8_t* w, const int32_t* bias, int8_t* y, int32_t batch,
                  int32_t in_channels, int32_t out_channels, int32_t group, const int32_t* in_size,
                  const int32_t* out_size, const int32_t* kernel_size, const int32_t* strides,
                  const int32_t* dilations, const int32_t* pads, int32_t w_bits,
                  int32_t x_zero_point, const int32_t* w_zero_points, int32_t y_zero_point,
                  const int32_t* multipliers, const int32_t* shifts, int32_t requant_mode,
                  int32_t act_min, int32_t act_max);

#endif
