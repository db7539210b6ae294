#include "kiln_reduce_int.h"

#include "kiln_broadcast.h"

static int64_t type_min(int32_t dtype) {
  switch (dtype) {
    case KILN_DTYPE_INT8: return INT8_MIN;
    case KILN_DTYPE_INT16: return INT16_MIN;
    case KILN_DTYPE_INT32: return INT32_MIN;
    case KILN_DTYPE_INT64: return INT64_MIN;
    default: return 0; /* uint8, bool */
  }
}

static int64_t type_max(int32_t dtype) {
  switch (dtype) {
    case KILN_DTYPE_INT8: return INT8_MAX;
    case KILN_DTYPE_UINT8: return UINT8_MAX;
    case KILN_DTYPE_INT16: return INT16_MAX;
    case KILN_DTYPE_INT32: return INT32_MAX;
    case KILN_DTYPE_BOOL: return 1;
    default: return INT64_MAX;
  }
}

static int64_t identity_of(int32_t op, int32_t dtype) {
  switch (op) {
    case KILN_REDUCE_MAX: return type_min(dtype);
    case KILN_REDUCE_MIN: return type_max(dtype);
    case KILN_REDUCE_PROD: return 1;
    default: return 0;
  }
}

static int64_t combine(int32_t op, int64_t acc, int64_t v) {
  switch (op) {
    case KILN_REDUCE_MAX: return v > acc ? v : acc;
    case KILN_REDUCE_MIN: return v < acc ? v : acc;
    case KILN_REDUCE_PROD: return (int64_t)((uint64_t)acc * (uint64_t)v);
    case KILN_REDUCE_SUM_SQUARE: return (int64_t)((uint64_t)acc + (uint64_t)v * (uint64_t)v);
    case KILN_REDUCE_L1: return (int64_t)((uint64_t)acc + (v < 0 ? 0u - (uint64_t)v : (uint64_t)v));
    default: return (int64_t)((uint64_t)acc + (uint64_t)v);
  }
}

void kiln_reduce_int(int32_t op, int32_t dtype, const void* x, void* y, int32_t rank,
                     const int32_t* shape, const int32_t* reduce_mask) {
  int32_t y_strides[KILN_MAX_RANK];
  int32_t x_row_strides[KILN_MAX_RANK];
  int32_t offsets[2] = {0, 0}; /* x, y */
  const int32_t* strides[2];
  int32_t index[KILN_MAX_RANK] = {0};
  int32_t y_count = 1;
  int32_t count = 1;
  int32_t stride = 1;
  const int32_t n = shape[rank - 1];
  const int32_t rows = kiln_broadcast_rows(rank, shape);
  const int32_t last_reduced = reduce_mask[rank - 1] != 0;
  int32_t d;
  int32_t row;
  int32_t i;
  for (d = rank - 1; d >= 0; --d) {
    x_row_strides[d] = stride;
    stride *= shape[d];
    if (reduce_mask[d]) {
      y_strides[d] = 0;
      count *= shape[d];
    } else {
      y_strides[d] = y_count;
      y_count *= shape[d];
    }
  }
  for (i = 0; i < y_count; ++i) kiln_store_i64(y, dtype, i, identity_of(op, dtype));
  strides[0] = x_row_strides;
  strides[1] = y_strides;
  for (row = 0; row < rows; ++row) {
    if (last_reduced) {
      int64_t acc = kiln_load_i64(y, dtype, offsets[1]);
      for (i = 0; i < n; ++i) acc = combine(op, acc, kiln_load_i64(x, dtype, offsets[0] + i));
      kiln_store_i64(y, dtype, offsets[1], acc);
    } else {
      for (i = 0; i < n; ++i) {
        const int64_t acc = kiln_load_i64(y, dtype, offsets[1] + i);
        kiln_store_i64(y, dtype, offsets[1] + i,
                       combine(op, acc, kiln_load_i64(x, dtype, offsets[0] + i)));
      }
    }
    kiln_broadcast_step(rank, shape, index, 2, strides, offsets);
  }
  if (op == KILN_REDUCE_MEAN && count > 0)
    for (i = 0; i < y_count; ++i) kiln_store_i64(y, dtype, i, kiln_load_i64(y, dtype, i) / count);
}
