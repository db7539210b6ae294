#include "kiln_binary_f32.h"

#include <math.h>

#include "kiln_activation.h"
#include "kiln_broadcast.h"

/* One output row: n elements, operands read with strides sa and sb. The common stride
 * patterns (both contiguous, one side a scalar) get their own plain loops, which compilers
 * vectorize; other patterns fall back to the strided loop. `EXPR` combines `u` (from a) and
 * `v` (from b). */
#define KILN_BINARY_ROW(EXPR)                     \
  do {                                            \
    if (sa == 1 && sb == 1) {                     \
      for (i = 0; i < n; ++i) {                   \
        const float u = a[i], v = b[i];           \
        y[i] = (EXPR);                            \
      }                                           \
    } else if (sa == 1 && sb == 0) {              \
      const float v = b[0];                       \
      for (i = 0; i < n; ++i) {                   \
        const float u = a[i];                     \
        y[i] = (EXPR);                            \
      }                                           \
    } else if (sa == 0 && sb == 1) {              \
      const float u = a[0];                       \
      for (i = 0; i < n; ++i) {                   \
        const float v = b[i];                     \
        y[i] = (EXPR);                            \
      }                                           \
    } else {                                      \
      for (i = 0; i < n; ++i) {                   \
        const float u = a[i * sa], v = b[i * sb]; \
        y[i] = (EXPR);                            \
      }                                           \
    }                                             \
  } while (0)

static void binary_row(int32_t op, const float* a, int32_t sa, const float* b, int32_t sb, float* y,
                       int32_t n) {
  int32_t i;
  switch (op) {
    case KILN_BINARY_ADD: KILN_BINARY_ROW(u + v); break;
    case KILN_BINARY_SUB: KILN_BINARY_ROW(u - v); break;
    case KILN_BINARY_MUL: KILN_BINARY_ROW(u * v); break;
    case KILN_BINARY_DIV: KILN_BINARY_ROW(u / v); break;
    case KILN_BINARY_MAX: KILN_BINARY_ROW(u > v ? u : v); break;
    case KILN_BINARY_MIN: KILN_BINARY_ROW(u < v ? u : v); break;
    case KILN_BINARY_POW: KILN_BINARY_ROW(powf(u, v)); break;
    case KILN_BINARY_PRELU: KILN_BINARY_ROW(u < 0.0f ? u * v : u); break;
    default: break;
  }
}

void kiln_binary_f32(int32_t op, const float* a, const float* b, float* y, int32_t rank,
                     const int32_t* shape, const int32_t* a_strides, const int32_t* b_strides,
                     int32_t act, float alpha, float beta) {
  const int32_t n = shape[rank - 1];
  const int32_t rows = kiln_broadcast_rows(rank, shape);
  const int32_t* strides[2];
  int32_t index[KILN_MAX_RANK] = {0};
  int32_t offsets[2] = {0, 0};
  int32_t row;
  int32_t i;
  strides[0] = a_strides;
  strides[1] = b_strides;
  for (row = 0; row < rows; ++row) {
    float* out = y + (size_t)row * (size_t)n;
    binary_row(op, a + offsets[0], a_strides[rank - 1], b + offsets[1], b_strides[rank - 1], out,
               n);
    if (act != KILN_ACT_NONE)
      for (i = 0; i < n; ++i) out[i] = kiln_activate_f32(out[i], act, alpha, beta);
    kiln_broadcast_step(rank, shape, index, 2, strides, offsets);
  }
}
