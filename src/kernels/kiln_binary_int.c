#include "kiln_binary_int.h"

#include "kiln_broadcast.h"

/* Integer power by squaring; wraps like repeated multiplication in numpy. */
static int64_t int_pow(int64_t base, int64_t exponent) {
  uint64_t result = 1;
  uint64_t factor = (uint64_t)base;
  if (exponent < 0) {
    if (base == 1) return 1;
    if (base == -1) return (exponent % 2 == 0) ? 1 : -1;
    return 0;
  }
  while (exponent > 0) {
    if (exponent & 1) result *= factor;
    factor *= factor;
    exponent >>= 1;
  }
  return (int64_t)result;
}

/* Unsigned arithmetic keeps overflow defined (wrap-around) where signed overflow is not. */
static int64_t apply(int32_t op, int64_t u, int64_t v) {
  switch (op) {
    case KILN_BINARY_ADD: return (int64_t)((uint64_t)u + (uint64_t)v);
    case KILN_BINARY_SUB: return (int64_t)((uint64_t)u - (uint64_t)v);
    case KILN_BINARY_MUL: return (int64_t)((uint64_t)u * (uint64_t)v);
    case KILN_BINARY_DIV:
      if (v == 0) return 0;
      if (v == -1) return (int64_t)(0u - (uint64_t)u); /* INT64_MIN / -1 wraps */
      return u / v;
    case KILN_BINARY_MAX: return u > v ? u : v;
    case KILN_BINARY_MIN: return u < v ? u : v;
    case KILN_BINARY_POW: return int_pow(u, v);
    case KILN_BINARY_PRELU: return u < 0 ? (int64_t)((uint64_t)u * (uint64_t)v) : u;
    default: return 0;
  }
}

void kiln_binary_int(int32_t op, int32_t dtype, const void* a, const void* b, void* y, int32_t rank,
                     const int32_t* shape, const int32_t* a_strides, const int32_t* b_strides) {
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
    const int32_t base = row * n;
    for (i = 0; i < n; ++i) {
      const int64_t u = kiln_load_i64(a, dtype, offsets[0] + i * sa);
      const int64_t v = kiln_load_i64(b, dtype, offsets[1] + i * sb);
      kiln_store_i64(y, dtype, base + i, apply(op, u, v));
    }
    kiln_broadcast_step(rank, shape, index, 2, strides, offsets);
  }
}
