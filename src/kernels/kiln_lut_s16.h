#ifndef KILN_LUT_S16_H
#define KILN_LUT_S16_H

#include "kiln_common.h"
#include "kiln_requant.h"

/* Number of entries of an int16 interpolation table: breakpoints every 128 input steps from
 * -32768 to 32640, then 32767, the top of the int16 range (so the last entry is a value the
 * output can hold even where the function saturates it there). */
#define KILN_LUT_S16_ENTRIES 513

/* Any element-wise function of one int16 input as a piecewise-linear table: with
 * u = x[i] + 32768, k = u / 128 and t = u % 128, y[i] = table[k] + round((table[k + 1] -
 * table[k]) * t / 128) (ties toward +infinity), except in the last segment (k = 511, 127 steps
 * long), where the divisor is 127 (no ties). table[k] holds the quantized function value at
 * input -32768 + 128 k (k < 512) and at 32767 (k = 512), computed by the compiler from the input
 * and output quantization; at a breakpoint the result is the table entry itself. The result lies
 * between two int16 entries, so it needs no clamp. y may be x. */
void kiln_lut_s16(const int16_t* x, const int16_t* table, int16_t* y, int32_t n);

#endif
