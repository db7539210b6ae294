#ifndef KILN_BINARY_S16_H
#define KILN_BINARY_S16_H

#include "kiln_common.h"
#include "kiln_requant.h"

/* kiln_binary_s8 for int16 operands and output (left_shift 15 for Add/Sub; Mul uses the same
 * formula; all intermediates in int32/int64 as needed so nothing overflows). */
void kiln_binary_s16(int32_t op, const int16_t* a, const int16_t* b, int16_t* y, int32_t rank,
                     const int32_t* shape, const int32_t* a_strides, const int32_t* b_strides,
                     int32_t a_zero_point, int32_t b_zero_point, int32_t y_zero_point,
                     int32_t left_shift, int32_t a_multiplier, int32_t a_shift,
                     int32_t b_multiplier, int32_t b_shift, int32_t y_multiplier, int32_t y_shift,
                     int32_t act_min, int32_t act_max);

#endif
