#include "kiln_strided_copy.h"

#include <string.h>

/* Copies n blocks read `stride` bytes apart into consecutive blocks at dst. Constant-size
 * memcpy calls for the common element sizes compile to single loads and stores. */
static void copy_run(uint8_t* dst, const uint8_t* src, int32_t n, int32_t stride, int32_t block) {
  int32_t i;
  if (stride == block) {
    memcpy(dst, src, (size_t)n * (size_t)block);
    return;
  }
  switch (block) {
    case 1:
      for (i = 0; i < n; ++i) dst[i] = src[(ptrdiff_t)i * stride];
      break;
    case 2:
      for (i = 0; i < n; ++i) memcpy(dst + 2 * i, src + (ptrdiff_t)i * stride, 2);
      break;
    case 4:
      for (i = 0; i < n; ++i) memcpy(dst + 4 * i, src + (ptrdiff_t)i * stride, 4);
      break;
    case 8:
      for (i = 0; i < n; ++i) memcpy(dst + 8 * i, src + (ptrdiff_t)i * stride, 8);
      break;
    default:
      for (i = 0; i < n; ++i)
        memcpy(dst + (ptrdiff_t)i * block, src + (ptrdiff_t)i * stride, (size_t)block);
      break;
  }
}

void kiln_strided_copy(const void* x, void* y, int32_t block_bytes, int32_t offset_bytes,
                       int32_t rank, const int32_t* dims, const int32_t* strides_bytes) {
  const uint8_t* src = (const uint8_t*)x + offset_bytes;
  uint8_t* dst = (uint8_t*)y;
  int32_t index[KILN_MAX_RANK];
  int32_t k;
  int32_t inner;
  int32_t inner_stride;
  ptrdiff_t row_offset = 0;
  if (rank == 0) {
    memcpy(dst, src, (size_t)block_bytes);
    return;
  }
  for (k = 0; k < rank; ++k) {
    if (dims[k] == 0) return; /* empty output */
    index[k] = 0;
  }
  inner = dims[rank - 1];
  inner_stride = strides_bytes[rank - 1];
  for (;;) {
    copy_run(dst, src + row_offset, inner, inner_stride, block_bytes);
    dst += (ptrdiff_t)inner * block_bytes;
    /* Odometer over the outer dims, keeping row_offset = sum(index[k] * strides[k]). */
    for (k = rank - 2; k >= 0; --k) {
      if (++index[k] < dims[k]) {
        row_offset += strides_bytes[k];
        break;
      }
      row_offset -= (ptrdiff_t)(dims[k] - 1) * strides_bytes[k];
      index[k] = 0;
    }
    if (k < 0) return;
  }
}
