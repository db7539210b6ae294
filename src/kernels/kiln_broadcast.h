/* Broadcast iteration shared by the element-wise kernels.
 *
 * An element-wise call gets the output shape (row-major, `rank` dims) and, for each operand,
 * one stride per output dim: the operand's own row-major stride, or 0 where the operand is
 * broadcast along that dim. Kernels loop over the last dim themselves (so the inner loop is a
 * plain strided loop) and call kiln_broadcast_step to advance the outer dims. */
#ifndef KILN_BROADCAST_H
#define KILN_BROADCAST_H

#include "kiln_common.h"

/* Number of rows: product of all dims but the last (1 for rank <= 1). */
static inline int32_t kiln_broadcast_rows(int32_t rank, const int32_t* shape) {
  int32_t rows = 1;
  int32_t d;
  for (d = 0; d + 1 < rank; ++d) rows *= shape[d];
  return rows;
}

/* Advances `index` (over dims 0..rank-2) to the next row and updates each operand's element
 * offset: offsets[k] follows strides[k][d]. */
static inline void kiln_broadcast_step(int32_t rank, const int32_t* shape, int32_t* index,
                                       int32_t operands, const int32_t* const* strides,
                                       int32_t* offsets) {
  int32_t d;
  int32_t k;
  for (d = rank - 2; d >= 0; --d) {
    ++index[d];
    for (k = 0; k < operands; ++k) offsets[k] += strides[k][d];
    if (index[d] < shape[d]) return;
    for (k = 0; k < operands; ++k) offsets[k] -= strides[k][d] * shape[d];
    index[d] = 0;
  }
}

#endif
