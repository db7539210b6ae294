#include "kiln_requantize.h"

void kiln_requantize(const void* x, int32_t x_type, void* y, int32_t y_type, int32_t n,
                     int32_t x_zero_point, int32_t y_zero_point, int32_t multiplier, int32_t shift,
                     int32_t requant_mode) {
  const int32_t lo = kiln_qtype_min(y_type), hi = kiln_qtype_max(y_type);
  int32_t i;
  /* Element i is read before it is written, so y may alias x for equal element sizes. */
  for (i = 0; i < n; ++i) {
    const int32_t v = kiln_qtype_load(x, x_type, i) - x_zero_point;
    kiln_qtype_store(y, y_type, i,
                     kiln_offset_clamp(kiln_requantize32(v, requant_mode, multiplier, shift),
                                       y_zero_point, lo, hi));
  }
}
