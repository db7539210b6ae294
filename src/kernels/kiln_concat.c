#include "kiln_concat.h"

#include <string.h>

void kiln_concat(const void* x0, const void* x1, const void* x2, const void* x3, const void* x4,
                 const void* x5, const void* x6, const void* x7, void* y, int32_t outer,
                 int32_t count, const int32_t* block_bytes) {
  const uint8_t* inputs[KILN_CONCAT_MAX_INPUTS];
  uint8_t* dst = (uint8_t*)y;
  int32_t o;
  int32_t i;
  inputs[0] = (const uint8_t*)x0;
  inputs[1] = (const uint8_t*)x1;
  inputs[2] = (const uint8_t*)x2;
  inputs[3] = (const uint8_t*)x3;
  inputs[4] = (const uint8_t*)x4;
  inputs[5] = (const uint8_t*)x5;
  inputs[6] = (const uint8_t*)x6;
  inputs[7] = (const uint8_t*)x7;
  /* Output order: for each outer index, each input's block in turn (y is written sequentially). */
  for (o = 0; o < outer; ++o) {
    for (i = 0; i < count; ++i) {
      if (block_bytes[i] == 0) continue;
      memcpy(dst, inputs[i] + (ptrdiff_t)o * block_bytes[i], (size_t)block_bytes[i]);
      dst += block_bytes[i];
    }
  }
}
