#include "kiln_binary_s16.h"

#include "kiln_binary_fixed_args.h"
#include "kiln_binary_ops.h"

typedef int16_t kiln_binary_elem;

/* kiln_multiply_by_quantized_multiplier for an int64 x with |x| <= 2^32 (a product or sum of two
 * int16-range operands), with the same double rounding: equal to the 32-bit function whenever x
 * fits int32 (and the left shift does not saturate), saturating to int32 otherwise. */
static int32_t multiply_by_quantized_multiplier_wide(int64_t x, int32_t multiplier, int32_t shift) {
  const int64_t limit = (int64_t)1 << 32;
  const int32_t left = shift > 0 ? shift : 0;
  const int32_t right = shift > 0 ? 0 : -shift;
  int64_t scaled, product, high, mask, remainder, threshold, result;
  /* x * 2^left; beyond 2^32 in magnitude the result saturates int32 anyway, because the Q31
   * multiplier is at least 1/2 (or 0). */
  scaled = x * ((int64_t)1 << left);
  if (x > limit || scaled > limit) scaled = limit;
  if (x < -limit || scaled < -limit) scaled = -limit;
  /* Saturating rounding doubling high multiply, 64-bit: |scaled * multiplier| < 2^63. */
  product = scaled * multiplier;
  high = (product + (product >= 0 ? ((int64_t)1 << 30) : (1 - ((int64_t)1 << 30)))) /
         ((int64_t)1 << 31);
  /* Rounding divide by 2^right, ties away from zero. */
  mask = ((int64_t)1 << right) - 1;
  remainder = high & mask;
  threshold = (mask >> 1) + (high < 0 ? 1 : 0);
  result = (high >> right) + (remainder > threshold ? 1 : 0);
  return result > INT32_MAX ? INT32_MAX : (result < INT32_MIN ? INT32_MIN : (int32_t)result);
}

static inline kiln_binary_elem kiln_binary_apply(int32_t op, kiln_binary_elem a, kiln_binary_elem b,
                                                 const kiln_binary_args* args) {
  /* Differences reach +/-65535: products and sums are formed in 64 bits. */
  const int64_t u = (int64_t)a - args->a_zero_point;
  const int64_t v = (int64_t)b - args->b_zero_point;
  int64_t r;
  if (op == KILN_BINARY_MUL) {
    r = u * v;
  } else {
    const int32_t us = multiply_by_quantized_multiplier_wide(u * ((int64_t)1 << args->left_shift),
                                                             args->a_multiplier, args->a_shift);
    const int32_t vs = multiply_by_quantized_multiplier_wide(v * ((int64_t)1 << args->left_shift),
                                                             args->b_multiplier, args->b_shift);
    r = op == KILN_BINARY_SUB ? (int64_t)us - vs : (int64_t)us + vs;
  }
  return (kiln_binary_elem)kiln_offset_clamp(
      multiply_by_quantized_multiplier_wide(r, args->y_multiplier, args->y_shift),
      args->y_zero_point, args->act_min, args->act_max);
}

#include "kiln_binary_q_body.h"

void kiln_binary_s16(int32_t op, const int16_t* a, const int16_t* b, int16_t* y, int32_t rank,
                     const int32_t* shape, const int32_t* a_strides, const int32_t* b_strides,
                     int32_t a_zero_point, int32_t b_zero_point, int32_t y_zero_point,
                     int32_t left_shift, int32_t a_multiplier, int32_t a_shift,
                     int32_t b_multiplier, int32_t b_shift, int32_t y_multiplier, int32_t y_shift,
                     int32_t act_min, int32_t act_max) {
  const kiln_binary_args args = kiln_binary_fixed_args(
      a_zero_point, b_zero_point, y_zero_point, left_shift, a_multiplier, a_shift, b_multiplier,
      b_shift, y_multiplier, y_shift, act_min, act_max);
  kiln_binary_q_body(op, a, b, y, rank, shape, a_strides, b_strides, &args);
}
