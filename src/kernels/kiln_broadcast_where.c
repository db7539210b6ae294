#include "kiln_broadcast_where.h"

#include "kiln_broadcast.h"

void kiln_broadcast_where(const uint8_t* cond, const void* a, const void* b, void* y,
                          int32_t elem_size, int32_t rank, const int32_t* shape,
                          const int32_t* c_strides, const int32_t* a_strides,
                          const int32_t* b_strides) {
  const uint8_t* a_bytes = (const uint8_t*)a;
  const uint8_t* b_bytes = (const uint8_t*)b;
  uint8_t* y_bytes = (uint8_t*)y;
  const int32_t n = shape[rank - 1];
  const int32_t rows = kiln_broadcast_rows(rank, shape);
  const int32_t* strides[3];
  int32_t index[KILN_MAX_RANK] = {0};
  int32_t offsets[3] = {0, 0, 0};
  int32_t row;
  int32_t i;
  int32_t k;
  strides[0] = c_strides;
  strides[1] = a_strides;
  strides[2] = b_strides;
  for (row = 0; row < rows; ++row) {
    for (i = 0; i < n; ++i) {
      const int take_a = cond[offsets[0] + i * c_strides[rank - 1]] != 0;
      const uint8_t* src =
          take_a ? a_bytes + (size_t)(offsets[1] + i * a_strides[rank - 1]) * elem_size
                 : b_bytes + (size_t)(offsets[2] + i * b_strides[rank - 1]) * elem_size;
      uint8_t* dst = y_bytes + ((size_t)row * n + i) * elem_size;
      for (k = 0; k < elem_size; ++k) dst[k] = src[k];
    }
    kiln_broadcast_step(rank, shape, index, 3, strides, offsets);
  }
}
