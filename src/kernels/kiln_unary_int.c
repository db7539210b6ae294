#include "kiln_unary_int.h"

void kiln_unary_int(int32_t op, int32_t dtype, const void* x, void* y, int32_t n) {
  int32_t i;
  for (i = 0; i < n; ++i) {
    const int64_t v = kiln_load_i64(x, dtype, i);
    const int64_t negated = (int64_t)(0u - (uint64_t)v); /* defined even for INT64_MIN */
    int64_t r = 0;
    switch (op) {
      case KILN_UNARY_ABS: r = v < 0 ? negated : v; break;
      case KILN_UNARY_NEG: r = negated; break;
      case KILN_UNARY_SIGN: r = v > 0 ? 1 : (v < 0 ? -1 : 0); break;
      case KILN_UNARY_NOT: r = v == 0; break;
      default: break;
    }
    kiln_store_i64(y, dtype, i, r);
  }
}
