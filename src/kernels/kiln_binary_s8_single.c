#include "kiln_binary_s8_single.h"

#include "kiln_binary_ops.h"
#include "kiln_broadcast.h"
#include "kiln_requant.h"

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

void kiln_binary_s8_single(int32_t op, const int8_t* a, const int8_t* b, int8_t* y, int32_t rank,
                           const int32_t* shape, const int32_t* a_strides, const int32_t* b_strides,
                           int32_t a_zero_point, int32_t b_zero_point, int32_t y_zero_point,
                           int32_t p0_bits, int32_t p1_bits, int32_t p2_bits, int32_t act_min,
                           int32_t act_max) {
  const int32_t n = shape[rank - 1];
  const int32_t rows = kiln_broadcast_rows(rank, shape);
  const int32_t sa = a_strides[rank - 1], sb = b_strides[rank - 1];
  const kiln_sf32 p0 = kiln_sf32_from_bits(p0_bits);
  const kiln_sf32 p1 = kiln_sf32_from_bits(p1_bits);
  const kiln_sf32 p2 = kiln_sf32_from_bits(p2_bits);
  const int32_t* strides[2];
  int32_t index[KILN_MAX_RANK] = {0};
  int32_t offsets[2] = {0, 0};
  int32_t row, i;
  strides[0] = a_strides;
  strides[1] = b_strides;
  for (row = 0; row < rows; ++row) {
    const int8_t* a_row = a + offsets[0];
    const int8_t* b_row = b + offsets[1];
    int8_t* y_row = y + row * n;
    for (i = 0; i < n; ++i) {
      const int64_t q = binary_single(op, a_row[i * sa], b_row[i * sb], a_zero_point, b_zero_point,
                                      y_zero_point, p0, p1, p2, p0_bits);
      y_row[i] = (int8_t)(q < act_min ? act_min : (q > act_max ? act_max : q));
    }
    kiln_broadcast_step(rank, shape, index, 2, strides, offsets);
  }
}
