/* The broadcasting loop of the quantized Add / Sub / Mul kernels (kiln_binary_s8,
 * kiln_binary_s16, kiln_binary_s8_single): rows of y's innermost dimension, operands addressed
 * through their element strides (0 where broadcast, see kiln_broadcast.h), each element read
 * before it is written (so y may be an operand of y's shape). The one .c file that includes this
 * header first defines:
 *
 *   typedef ... kiln_binary_elem;  element type of a, b and y
 *   typedef ... kiln_binary_args;  the kernel's quantization arguments
 *   static inline kiln_binary_elem kiln_binary_apply(int32_t op, kiln_binary_elem a,
 *                                                    kiln_binary_elem b,
 *                                                    const kiln_binary_args* args);
 *
 * Inlined into the kernel. */
#ifndef KILN_BINARY_Q_BODY_H
#define KILN_BINARY_Q_BODY_H

#include "kiln_broadcast.h"
#include "kiln_common.h"

static KILN_ALWAYS_INLINE void kiln_binary_q_body(int32_t op, const kiln_binary_elem* a,
                                                  const kiln_binary_elem* b, kiln_binary_elem* y,
                                                  int32_t rank, const int32_t* shape,
                                                  const int32_t* a_strides,
                                                  const int32_t* b_strides,
                                                  const kiln_binary_args* args) {
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
    const kiln_binary_elem* a_row = a + offsets[0];
    const kiln_binary_elem* b_row = b + offsets[1];
    kiln_binary_elem* y_row = y + row * n;
    for (i = 0; i < n; ++i) y_row[i] = kiln_binary_apply(op, a_row[i * sa], b_row[i * sb], args);
    kiln_broadcast_step(rank, shape, index, 2, strides, offsets);
  }
}

#endif
