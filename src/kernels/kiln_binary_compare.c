#include "kiln_binary_compare.h"

#include "kiln_broadcast.h"

/* Exact for every kiln type: float widens to double exactly, integers compare as int64. */
static int compare(int32_t op, int32_t dtype, const void* a, int32_t ia, const void* b,
                   int32_t ib) {
  if (dtype == KILN_DTYPE_FLOAT32) {
    const float u = ((const float*)a)[ia];
    const float v = ((const float*)b)[ib];
    switch (op) {
      case KILN_BINARY_EQUAL: return u == v;
      case KILN_BINARY_LESS: return u < v;
      case KILN_BINARY_LESS_EQUAL: return u <= v;
      case KILN_BINARY_GREATER: return u > v;
      case KILN_BINARY_GREATER_EQUAL: return u >= v;
      default: break;
    }
  } else {
    const int64_t u = kiln_load_i64(a, dtype, ia);
    const int64_t v = kiln_load_i64(b, dtype, ib);
    switch (op) {
      case KILN_BINARY_EQUAL: return u == v;
      case KILN_BINARY_LESS: return u < v;
      case KILN_BINARY_LESS_EQUAL: return u <= v;
      case KILN_BINARY_GREATER: return u > v;
      case KILN_BINARY_GREATER_EQUAL: return u >= v;
      case KILN_BINARY_AND: return (u != 0) && (v != 0);
      case KILN_BINARY_OR: return (u != 0) || (v != 0);
      case KILN_BINARY_XOR: return (u != 0) != (v != 0);
      default: break;
    }
  }
  return 0;
}

void kiln_binary_compare(int32_t op, int32_t dtype, const void* a, const void* b, uint8_t* y,
                         int32_t rank, const int32_t* shape, const int32_t* a_strides,
                         const int32_t* b_strides) {
  const int32_t n = shape[rank - 1];
  const int32_t sa = a_strides[rank - 1];
  const int32_t sb = b_strides[rank - 1];
  const int32_t rows = kiln_broadcast_rows(rank, shape);
  const int32_t* strides[2];
  int32_t index[KILN_MAX_RANK] = {0};
  int32_t offsets[2] = {0, 0};
  int32_t row;
  int32_t i;
  strides[0] = a_strides;
  strides[1] = b_strides;
  for (row = 0; row < rows; ++row) {
    for (i = 0; i < n; ++i)
      y[row * n + i] = (uint8_t)compare(op, dtype, a, offsets[0] + i * sa, b, offsets[1] + i * sb);
    kiln_broadcast_step(rank, shape, index, 2, strides, offsets);
  }
}
