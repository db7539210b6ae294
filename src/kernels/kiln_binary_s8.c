#include "kiln_binary_s8.h"

#include "kiln_binary_fixed_args.h"
#include "kiln_binary_ops.h"

typedef int8_t kiln_binary_elem;

/* int32 saturation of an int64 intermediate (a' +/- b' cannot leave int32 with TFLite's
 * multipliers; saturating keeps pathological parameters defined). */
static int32_t saturate_i32(int64_t v) {
  return v > INT32_MAX ? INT32_MAX : (v < INT32_MIN ? INT32_MIN : (int32_t)v);
}

static inline kiln_binary_elem kiln_binary_apply(int32_t op, kiln_binary_elem a, kiln_binary_elem b,
                                                 const kiln_binary_args* args) {
  const int32_t u = (int32_t)a - args->a_zero_point;
  const int32_t v = (int32_t)b - args->b_zero_point;
  int32_t r;
  if (op == KILN_BINARY_MUL) {
    r = u * v;
  } else {
    const int32_t us = kiln_multiply_by_quantized_multiplier(u * (1 << args->left_shift),
                                                             args->a_multiplier, args->a_shift);
    const int32_t vs = kiln_multiply_by_quantized_multiplier(v * (1 << args->left_shift),
                                                             args->b_multiplier, args->b_shift);
    r = saturate_i32(op == KILN_BINARY_SUB ? (int64_t)us - vs : (int64_t)us + vs);
  }
  return (kiln_binary_elem)kiln_offset_clamp(
      kiln_multiply_by_quantized_multiplier(r, args->y_multiplier, args->y_shift),
      args->y_zero_point, args->act_min, args->act_max);
}

#include "kiln_binary_q_body.h"

void kiln_binary_s8(int32_t op, const int8_t* a, const int8_t* b, int8_t* y, int32_t rank,
                    const int32_t* shape, const int32_t* a_strides, const int32_t* b_strides,
                    int32_t a_zero_point, int32_t b_zero_point, int32_t y_zero_point,
                    int32_t left_shift, int32_t a_multiplier, int32_t a_shift, int32_t b_multiplier,
                    int32_t b_shift, int32_t y_multiplier, int32_t y_shift, int32_t act_min,
                    int32_t act_max) {
  const kiln_binary_args args = kiln_binary_fixed_args(
      a_zero_point, b_zero_point, y_zero_point, left_shift, a_multiplier, a_shift, b_multiplier,
      b_shift, y_multiplier, y_shift, act_min, act_max);
  kiln_binary_q_body(op, a, b, y, rank, shape, a_strides, b_strides, &args);
}
