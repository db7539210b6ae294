#include "kiln_softmax_s8.h"

typedef int8_t kiln_softmax_elem;

/* exp of the distance d (0..255): the table entry itself. */
static inline int64_t kiln_softmax_exp(const int32_t* exp_table, int32_t d) {
  return exp_table[d];
}

#include "kiln_softmax_int_body.h"

void kiln_softmax_s8(const int8_t* x, const int32_t* exp_table, int8_t* y, int32_t outer,
                     int32_t length, int32_t inner, int32_t y_zero_point, int32_t multiplier,
                     int32_t shift, int32_t requant_mode) {
  kiln_softmax_int_body(x, exp_table, y, outer, length, inner, y_zero_point, multiplier, shift,
                        requant_mode);
}
