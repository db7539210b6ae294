#include "kiln_copy.h"

void kiln_copy(const void* x, void* y, int32_t bytes) {
  const uint8_t* src = (const uint8_t*)x;
  uint8_t* dst = (uint8_t*)y;
  int32_t i;
  if (src == dst) return;
  for (i = 0; i < bytes; ++i) dst[i] = src[i];
}
