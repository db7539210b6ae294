#include "kiln_binary_nary.h"

#include "kiln_broadcast.h"

static float combine_f32(int32_t op, float acc, float v) {
  switch (op) {
    case KILN_BINARY_MAX: return acc > v ? acc : v;
    case KILN_BINARY_MIN: return acc < v ? acc : v;
    default: return acc + v; /* SUM, MEAN */
  }
}

static int64_t combine_int(int32_t op, int64_t acc, int64_t v) {
  switch (op) {
    case KILN_BINARY_MAX: return acc > v ? acc : v;
    case KILN_BINARY_MIN: return acc < v ? acc : v;
    default: return (int64_t)((uint64_t)acc + (uint64_t)v); /* SUM, MEAN */
  }
}

void kiln_binary_nary(int32_t op, int32_t dtype, int32_t count, const void* x0, const void* x1,
                      const void* x2, const void* x3, const void* x4, const void* x5,
                      const void* x6, const void* x7, void* y, int32_t rank, const int32_t* shape,
                      const int32_t* strides) {
  const void* inputs[KILN_NARY_MAX_INPUTS];
  const int32_t* input_strides[KILN_NARY_MAX_INPUTS];
  int32_t offsets[KILN_NARY_MAX_INPUTS] = {0};
  int32_t index[KILN_MAX_RANK] = {0};
  const int32_t n = shape[rank - 1];
  const int32_t rows = kiln_broadcast_rows(rank, shape);
  int32_t row;
  int32_t i;
  int32_t k;
  if (count < 1 || count > KILN_NARY_MAX_INPUTS) return;
  inputs[0] = x0;
  inputs[1] = x1;
  inputs[2] = x2;
  inputs[3] = x3;
  inputs[4] = x4;
  inputs[5] = x5;
  inputs[6] = x6;
  inputs[7] = x7;
  for (k = 0; k < count; ++k) input_strides[k] = strides + k * rank;
  for (row = 0; row < rows; ++row) {
    const int32_t base = row * n;
    for (i = 0; i < n; ++i) {
      if (dtype == KILN_DTYPE_FLOAT32) {
        float acc = ((const float*)inputs[0])[offsets[0] + i * input_strides[0][rank - 1]];
        for (k = 1; k < count; ++k)
          acc = combine_f32(op, acc,
                            ((const float*)inputs[k])[offsets[k] + i * input_strides[k][rank - 1]]);
        if (op == KILN_BINARY_MEAN) acc /= (float)count;
        ((float*)y)[base + i] = acc;
      } else {
        int64_t acc = kiln_load_i64(inputs[0], dtype, offsets[0] + i * input_strides[0][rank - 1]);
        for (k = 1; k < count; ++k)
          acc = combine_int(
              op, acc,
              kiln_load_i64(inputs[k], dtype, offsets[k] + i * input_strides[k][rank - 1]));
        if (op == KILN_BINARY_MEAN) acc /= count;
        kiln_store_i64(y, dtype, base + i, acc);
      }
    }
    kiln_broadcast_step(rank, shape, index, count, input_strides, offsets);
  }
}
