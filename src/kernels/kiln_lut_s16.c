#include "kiln_lut_s16.h"

void kiln_lut_s16(const int16_t* x, const int16_t* table, int16_t* y, int32_t n) {
  int32_t i;
  for (i = 0; i < n; ++i) {
    const int32_t u = (int32_t)x[i] + 32768;
    const int32_t k = u >> 7, t = u & 127;
    const int32_t base = table[k];
    /* |delta * t| < 2^16 * 2^7: int32 is enough; >> of a negative value is arithmetic on every
     * compiler kiln supports (kiln_requant.h relies on the same). */
    const int32_t step = ((int32_t)table[k + 1] - base) * t;
    if (k < 511)
      y[i] = (int16_t)(base + ((step + 64) >> 7));
    else /* 127 steps from 32640 to 32767: round half away from zero (no ties: 127 is odd) */
      y[i] = (int16_t)(base + (step >= 0 ? (step + 63) / 127 : -((63 - step) / 127)));
  }
}
