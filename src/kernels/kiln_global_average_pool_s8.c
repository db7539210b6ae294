#include "kiln_global_average_pool_s8.h"

typedef int8_t kiln_int_x;
typedef int8_t kiln_int_y;
typedef int32_t kiln_int_acc;

#include "kiln_int_output.h"
/* kiln_int_output.h first: it defines what the body calls. */
#include "kiln_global_average_pool_int_body.h"

void kiln_global_average_pool_s8(const int8_t* x, int8_t* y, int32_t planes, int32_t plane_size,
                                 int32_t x_zero_point, int32_t y_zero_point, int32_t multiplier,
                                 int32_t shift, int32_t requant_mode, int32_t act_min,
                                 int32_t act_max) {
  /* One multiplier and shift for every plane: a one-entry per-channel array. */
  const kiln_int_out out =
      kiln_int_out_make(NULL, &multiplier, &shift, y_zero_point, requant_mode, act_min, act_max);
  kiln_global_average_pool_int_body(x, y, planes, plane_size, x_zero_point, &out);
}
