#include "kiln_gather.h"

#include <string.h>

void kiln_gather(const void* x, void* y, int32_t outer, int32_t axis_dim, int32_t inner_bytes,
                 int32_t count, const int32_t* indices) {
  const uint8_t* src = (const uint8_t*)x;
  uint8_t* dst = (uint8_t*)y;
  int32_t o;
  int32_t j;
  if (inner_bytes == 0) return;
  for (o = 0; o < outer; ++o) {
    const uint8_t* slab = src + (ptrdiff_t)o * axis_dim * inner_bytes;
    for (j = 0; j < count; ++j) {
      memcpy(dst, slab + (ptrdiff_t)indices[j] * inner_bytes, (size_t)inner_bytes);
      dst += inner_bytes;
    }
  }
}
