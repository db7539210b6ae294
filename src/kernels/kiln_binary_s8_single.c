#include "kiln_binary_s8_single.h"

#include "kiln_binary_ops.h"
#include "kiln_requant.h"

typedef int8_t kiln_binary_elem;
typedef struct {
  kiln_sf32 p0, p1, p2;
  int32_t p0_bits, a_zero_point, b_zero_point, y_zero_point, act_min, act_max;
} kiln_binary_args;

/* The result before clamping, as int64 so a saturated rounding plus the zero point cannot
 * overflow. */
static int64_t binary_single(int32_t op, int32_t u, int32_t v, int32_t a_zero_point,
                             int32_t b_zero_point, int32_t y_zero_point, kiln_sf32 p0, kiln_sf32 p1,
                             kiln_sf32 p2, int32_t p0_bits) {
  if (op == KILN_BINARY_ADD)
    return kiln_sf32_round_to_int(kiln_sf32_fma_int(u, p0, kiln_sf32_fma_int(v, p1, p2)));
  if (op == KILN_BINARY_SUB) {
    kiln_sf32 db = kiln_sf32_mul_int(p1, v - b_zero_point);
    db.negative ^= 1;
    return (int64_t)y_zero_point +
           kiln_sf32_round_to_int(
               kiln_sf32_div(kiln_sf32_add(kiln_sf32_mul_int(p0, u - a_zero_point), db), p2));
  }
  return (int64_t)y_zero_point +
         kiln_single_rounding_multiply((int64_t)(u - a_zero_point) * (v - b_zero_point), p0_bits);
}

static inline kiln_binary_elem kiln_binary_apply(int32_t op, kiln_binary_elem a, kiln_binary_elem b,
                                                 const kiln_binary_args* args) {
  const int64_t q = binary_single(op, a, b, args->a_zero_point, args->b_zero_point,
                                  args->y_zero_point, args->p0, args->p1, args->p2, args->p0_bits);
  return (kiln_binary_elem)(q < args->act_min ? args->act_min
                                              : (q > args->act_max ? args->act_max : q));
}

#include "kiln_binary_q_body.h"

void kiln_binary_s8_single(int32_t op, const int8_t* a, const int8_t* b, int8_t* y, int32_t rank,
                           const int32_t* shape, const int32_t* a_strides, const int32_t* b_strides,
                           int32_t a_zero_point, int32_t b_zero_point, int32_t y_zero_point,
                           int32_t p0_bits, int32_t p1_bits, int32_t p2_bits, int32_t act_min,
                           int32_t act_max) {
  kiln_binary_args args;
  args.p0 = kiln_sf32_from_bits(p0_bits);
  args.p1 = kiln_sf32_from_bits(p1_bits);
  args.p2 = kiln_sf32_from_bits(p2_bits);
  args.p0_bits = p0_bits;
  args.a_zero_point = a_zero_point;
  args.b_zero_point = b_zero_point;
  args.y_zero_point = y_zero_point;
  args.act_min = act_min;
  args.act_max = act_max;
  kiln_binary_q_body(op, a, b, y, rank, shape, a_strides, b_strides, &args);
}
