#include "kiln_fill.h"

void kiln_fill(void* y, int32_t elem_bytes, int32_t count, const int32_t* value_bytes) {
  uint8_t* dst = (uint8_t*)y;
  int32_t i;
  int32_t b;
  for (i = 0; i < count; ++i)
    for (b = 0; b < elem_bytes; ++b) *dst++ = (uint8_t)value_bytes[b];
}
