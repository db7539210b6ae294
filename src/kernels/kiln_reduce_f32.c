#include "kiln_reduce_f32.h"

#include <math.h>

#include "kiln_broadcast.h"
#include "kiln_math.h"

/* Every op is "fold map(x) into the accumulator with combine, then finalize". */
static float identity_of(int32_t op) {
  switch (op) {
    case KILN_REDUCE_MAX: return -INFINITY;
    case KILN_REDUCE_MIN: return INFINITY;
    case KILN_REDUCE_PROD: return 1.0f;
    default: return 0.0f;
  }
}

static float map(int32_t op, float v) {
  switch (op) {
    case KILN_REDUCE_SUM_SQUARE:
    case KILN_REDUCE_L2: return v * v;
    case KILN_REDUCE_L1: return fabsf(v);
    case KILN_REDUCE_LOG_SUM_EXP: return kiln_expf(v);
    default: return v;
  }
}

static float combine(int32_t op, float acc, float v) {
  switch (op) {
    case KILN_REDUCE_MAX: return v > acc ? v : acc;
    case KILN_REDUCE_MIN: return v < acc ? v : acc;
    case KILN_REDUCE_PROD: return acc * v;
    default: return acc + v;
  }
}

static float finalize(int32_t op, float acc, int32_t count) {
  switch (op) {
    case KILN_REDUCE_MEAN: return acc / (float)count;
    case KILN_REDUCE_L2: return sqrtf(acc);
    case KILN_REDUCE_LOG_SUM:
    case KILN_REDUCE_LOG_SUM_EXP: return logf(acc);
    default: return acc;
  }
}

void kiln_reduce_f32(int32_t op, const float* x, float* y, int32_t rank, const int32_t* shape,
                     const int32_t* reduce_mask) {
  int32_t y_strides[KILN_MAX_RANK];
  int32_t x_offset_and_y_offset[2] = {0, 0};
  const int32_t* strides[2];
  int32_t x_row_strides[KILN_MAX_RANK];
  int32_t index[KILN_MAX_RANK] = {0};
  int32_t y_count = 1;
  int32_t count = 1;
  const int32_t n = shape[rank - 1];
  const int32_t rows = kiln_broadcast_rows(rank, shape);
  const int32_t last_reduced = reduce_mask[rank - 1] != 0;
  int32_t d;
  int32_t row;
  int32_t i;
  /* y's stride per dim of x: row-major over the kept dims, 0 for reduced ones. */
  for (d = rank - 1; d >= 0; --d) {
    if (reduce_mask[d]) {
      y_strides[d] = 0;
      count *= shape[d];
    } else {
      y_strides[d] = y_count;
      y_count *= shape[d];
    }
  }
  {
    int32_t stride = 1;
    for (d = rank - 1; d >= 0; --d) {
      x_row_strides[d] = stride;
      stride *= shape[d];
    }
  }
  for (i = 0; i < y_count; ++i) y[i] = identity_of(op);
  strides[0] = x_row_strides;
  strides[1] = y_strides;
  for (row = 0; row < rows; ++row) {
    const float* xs = x + x_offset_and_y_offset[0];
    float* ys = y + x_offset_and_y_offset[1];
    if (last_reduced) {
      float acc = ys[0];
      for (i = 0; i < n; ++i) acc = combine(op, acc, map(op, xs[i]));
      ys[0] = acc;
    } else {
      for (i = 0; i < n; ++i) ys[i] = combine(op, ys[i], map(op, xs[i]));
    }
    kiln_broadcast_step(rank, shape, index, 2, strides, x_offset_and_y_offset);
  }
  for (i = 0; i < y_count; ++i) y[i] = finalize(op, y[i], count);
}
