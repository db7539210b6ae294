#ifndef KILN_CONV_ACC_S8_H
#define KILN_CONV_ACC_S8_H

#include "kiln_common.h"
#include "kiln_requant.h"

/* ONNX ConvInteger: the raw int32 accumulators of a grouped int8 convolution (geometry as
 * kiln_conv_f32): y[oc] = sum (x - x_zero_point) * (w - w_zero_points[oc]); padding taps add
 * nothing. w_zero_points has out_channels entries. */
void kiln_conv_acc_s8(const int8_t* x, const int8_t* w, int32_t* y, int32_t batch,
                      int32_t in_channels, int32_t out_channels, int32_t group,
                      const int32_t* in_size, const int32_t* out_size, const int32_t* kernel_size,
                      const int32_t* strides, const int32_t* dilations, const int32_t* pads,
                      int32_t x_zero_point, const int32_t* w_zero_points);

#endif
