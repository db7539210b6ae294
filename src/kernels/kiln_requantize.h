#ifndef KILN_REQUANTIZE_H
#define KILN_REQUANTIZE_H

#include "kiln_common.h"
#include "kiln_requant.h"

/* Converts n quantized elements between scales, zero points and element types (KILN_QTYPE_S8,
 * _U8, _S16): y = clamp(y_zero_point + kiln_requantize32(x - x_zero_point, requant_mode,
 * multiplier, shift), range of y_type). With multiplier 2^30 and shift 1 the scale is exactly 1
 * (used for uint8 <-> int8 conversion and zero-point changes). y may be the same buffer as x
 * when both types have the same size. */
void kiln_requantize(const void* x, int32_t x_type, void* y, int32_t y_type, int32_t n,
                     int32_t x_zero_point, int32_t y_zero_point, int32_t multiplier,
                     int32_t shift, int32_t requant_mode);

#endif
