#ifndef KILN_SOFTMAX_TFLM_S8_H
#define KILN_SOFTMAX_TFLM_S8_H

#include "kiln_common.h"

/* TensorFlow Lite (Micro)'s reference int8 softmax, bit for bit, over x viewed as
 * [outer, length, inner] along the middle dim; y is int8 with scale 1/256 and zero point -128
 * (the only output TFLite accepts). With d = x_i - max: if d >= diff_min, d is rescaled by
 * input_multiplier / 2^31 * 2^input_left_shift to Q5.26 (beta * x_scale folded in by the
 * compiler), exp'd in fixed point (Q0.31), summed in Q12.19; the sum's reciprocal (Newton-
 * Raphson) times each exp gives y = round(p * 256) - 128; elements with d < diff_min give -128.
 * Integer-only. y may not alias x. */
void kiln_softmax_tflm_s8(const int8_t* x, int8_t* y, int32_t outer, int32_t length, int32_t inner,
                          int32_t input_multiplier, int32_t input_left_shift, int32_t diff_min);

#endif
