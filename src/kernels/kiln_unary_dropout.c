#include "kiln_unary_dropout.h"

void kiln_unary_dropout(const void* x, void* y, int32_t bytes, uint8_t* mask, int32_t mask_count) {
  const uint8_t* src = (const uint8_t*)x;
  uint8_t* dst = (uint8_t*)y;
  int32_t i;
  if (src != dst)
    for (i = 0; i < bytes; ++i) dst[i] = src[i];
  for (i = 0; i < mask_count; ++i) mask[i] = 1;
}
