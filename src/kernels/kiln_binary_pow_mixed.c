#include "kiln_binary_pow_mixed.h"

#include <math.h>

#include "kiln_broadcast.h"

void kiln_binary_pow_mixed(int32_t a_dtype, int32_t b_dtype, const void* a, const void* b, void* y,
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
    for (i = 0; i < n; ++i) {
      const double u = kiln_load_f64(a, a_dtype, offsets[0] + i * sa);
      const double v = kiln_load_f64(b, b_dtype, offsets[1] + i * sb);
      kiln_store_f64(y, a_dtype, row * n + i, pow(u, v));
    }
    kiln_broadcast_step(rank, shape, index, 2, strides, offsets);
  }
}
