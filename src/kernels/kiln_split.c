#include "kiln_split.h"

#include <string.h>

void kiln_split(const void* x, void* y0, void* y1, void* y2, void* y3, void* y4, void* y5, void* y6,
                void* y7, int32_t outer, int32_t count, const int32_t* block_bytes) {
  uint8_t* outputs[KILN_SPLIT_MAX_OUTPUTS];
  const uint8_t* src = (const uint8_t*)x;
  int32_t o;
  int32_t i;
  outputs[0] = (uint8_t*)y0;
  outputs[1] = (uint8_t*)y1;
  outputs[2] = (uint8_t*)y2;
  outputs[3] = (uint8_t*)y3;
  outputs[4] = (uint8_t*)y4;
  outputs[5] = (uint8_t*)y5;
  outputs[6] = (uint8_t*)y6;
  outputs[7] = (uint8_t*)y7;
  /* x is read sequentially: for each outer index, each output's block in turn. */
  for (o = 0; o < outer; ++o) {
    for (i = 0; i < count; ++i) {
      if (block_bytes[i] == 0) continue;
      if (outputs[i] != NULL)
        memcpy(outputs[i] + (ptrdiff_t)o * block_bytes[i], src, (size_t)block_bytes[i]);
      src += block_bytes[i];
    }
  }
}
