#include "kiln_binary_s8.h"

#include "kiln_binary_ops.h"
#include "kiln_broadcast.h"

/* int32 saturation of an int64 intermediate (a' +/- b' cannot leave int32 with TFLite's
 * multipliers; saturating keeps pathological parameters defined). */
static int32_t saturate_i32(int64_t v) {
  return v > INT32_MAX ? INT32_MAX : (v < INT32_MIN ? INT32_MIN : (int32_t)v);
}

void kiln_binary_s8(int32_t op, const int8_t* a, const int8_t* b, int8_t* y, int32_t rank,
                    const int32_t* shape, const int32_t* a_strides, const int32_t* b_strides,
                    int32_t a_zero_point, int32_t b_zero_point, int32_t y_zero_point,
                    int32_t left_shift, int32_t a_multiplier, int32_t a_shift, int32_t b_multiplier,
                    int32_t b_shift, int32_t y_multiplier, int32_t y_shift, int32_t act_min,
                    int32_t act_max) {
  const int32_t n = shape[rank - 1];
  const int32_t rows = kiln_broadcast_rows(rank, shape);
  const int32_t sa = a_strides[rank - 1], sb = b_strides[rank - 1];
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
      const int32_t u = (int32_t)a_row[i * sa] - a_zero_point;
      const int32_t v = (int32_t)b_row[i * sb] - b_zero_point;
      int32_t r;
      if (op == KILN_BINARY_MUL) {
        r = u * v;
      } else {
        const int32_t us =
            kiln_multiply_by_quantized_multiplier(u * (1 << left_shift), a_multiplier, a_shift);
        const int32_t vs =
            kiln_multiply_by_quantized_multiplier(v * (1 << left_shift), b_multiplier, b_shift);
        r = saturate_i32(op == KILN_BINARY_SUB ? (int64_t)us - vs : (int64_t)us + vs);
      }
      y_row[i] =
          (int8_t)kiln_offset_clamp(kiln_multiply_by_quantized_multiplier(r, y_multiplier, y_shift),
                                    y_zero_point, act_min, act_max);
    }
    kiln_broadcast_step(rank, shape, index, 2, strides, offsets);
  }
}
