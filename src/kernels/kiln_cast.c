#include "kiln_cast.h"

void kiln_cast(const void* x, int32_t from, void* y, int32_t to, int32_t n) {
  int32_t i;
  if (from == KILN_DTYPE_FLOAT32) {
    for (i = 0; i < n; ++i) kiln_store_f64(y, to, i, kiln_load_f64(x, from, i));
  } else {
    for (i = 0; i < n; ++i) kiln_store_i64(y, to, i, kiln_load_i64(x, from, i));
  }
}
