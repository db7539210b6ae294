#ifndef KILN_ACTIVATION_F32_H
#define KILN_ACTIVATION_F32_H

#include "kiln_activation.h"
#include "kiln_common.h"

/* Stand-alone activation op: y[i] = kiln_activate_f32(x[i], act, alpha, beta) for i < n, so
 * Relu, LeakyRelu, Clip, Sigmoid, HardSigmoid, HardSwish and Tanh have the very semantics they
 * have when fused into another kernel. y may be the same buffer as x. */
void kiln_activation_f32(const float* x, float* y, int32_t n, int32_t act, float alpha, float beta);

#endif
