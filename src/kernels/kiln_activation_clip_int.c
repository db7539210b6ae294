#include "kiln_activation_clip_int.h"

void kiln_activation_clip_int(int32_t dtype, const void* x, const void* lo, const void* hi, void* y,
                              int32_t n) {
  const int64_t min = lo ? kiln_load_i64(lo, dtype, 0) : INT64_MIN;
  const int64_t max = hi ? kiln_load_i64(hi, dtype, 0) : INT64_MAX;
  int32_t i;
  for (i = 0; i < n; ++i) {
    int64_t v = kiln_load_i64(x, dtype, i);
    v = v < min ? min : v;
    v = v > max ? max : v;
    kiln_store_i64(y, dtype, i, v);
  }
}
