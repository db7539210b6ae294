#ifndef KILN_LUT_S8_H
#define KILN_LUT_S8_H

#include "kiln_common.h"
#include "kiln_requant.h"

/* y[i] = table[x[i] + 128] for n int8 elements: any element-wise function of one int8 input
 * (Sigmoid, Tanh, HardSwish, standalone activations with a scale change, ...) as a 256-entry
 * table the compiler computes from the input and output quantization. y may be x. */
void kiln_lut_s8(const int8_t* x, const int8_t* table, int8_t* y, int32_t n);

#endif
