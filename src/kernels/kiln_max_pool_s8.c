#include "kiln_max_pool_s8.h"

typedef int8_t kiln_pool_elem;

#include "kiln_pool_max_int.h"
/* kiln_pool_max_int.h first: it defines what the body calls. */
#include "kiln_pool_body.h"

void kiln_max_pool_s8(const int8_t* x, int8_t* y, int32_t planes, const int32_t* in_size,
                      const int32_t* out_size, const int32_t* kernel_size, const int32_t* strides,
                      const int32_t* dilations, const int32_t* pads, int32_t act_min,
                      int32_t act_max) {
  kiln_pool_args args;
  args.act_min = act_min;
  args.act_max = act_max;
  kiln_pool_body(x, y, planes, in_size, out_size, kernel_size, strides, dilations, pads, pads, 0,
                 &args);
}
