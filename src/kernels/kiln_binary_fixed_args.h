/* The arguments of the fixed-point quantized Add / Sub / Mul kernels (kiln_binary_s8,
 * kiln_binary_s16; their meaning is in kiln_binary_s8.h), as kiln_binary_q_body.h passes them
 * to kiln_binary_apply. */
#ifndef KILN_BINARY_FIXED_ARGS_H
#define KILN_BINARY_FIXED_ARGS_H

#include "kiln_common.h"

typedef struct {
  int32_t a_zero_point, b_zero_point, y_zero_point, left_shift;
  int32_t a_multiplier, a_shift, b_multiplier, b_shift, y_multiplier, y_shift;
  int32_t act_min, act_max;
} kiln_binary_args;

static inline kiln_binary_args kiln_binary_fixed_args(int32_t a_zero_point, int32_t b_zero_point,
                                                      int32_t y_zero_point, int32_t left_shift,
                                                      int32_t a_multiplier, int32_t a_shift,
                                                      int32_t b_multiplier, int32_t b_shift,
                                                      int32_t y_multiplier, int32_t y_shift,
                                                      int32_t act_min, int32_t act_max) {
  kiln_binary_args args;
  args.a_zero_point = a_zero_point;
  args.b_zero_point = b_zero_point;
  args.y_zero_point = y_zero_point;
  args.left_shift = left_shift;
  args.a_multiplier = a_multiplier;
  args.a_shift = a_shift;
  args.b_multiplier = b_multiplier;
  args.b_shift = b_shift;
  args.y_multiplier = y_multiplier;
  args.y_shift = y_shift;
  args.act_min = act_min;
  args.act_max = act_max;
  return args;
}

#endif
