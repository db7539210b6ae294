#include "kiln_average_pool_s8.h"

typedef int8_t kiln_pool_elem;
typedef int32_t kiln_pool_acc;

#include "kiln_pool_average_int.h"
/* kiln_pool_average_int.h first: it defines what the body calls. */
#include "kiln_pool_body.h"

void kiln_average_pool_s8(const int8_t* x, int8_t* y, int32_t planes, const int32_t* in_size,
                          const int32_t* out_size, const int32_t* kernel_size,
                          const int32_t* strides, const int32_t* dilations,
                          const int32_t* pads_begin, const int32_t* pads_end,
                          int32_t count_include_pad, int32_t act_min, int32_t act_max) {
  kiln_pool_args args;
  args.act_min = act_min;
  args.act_max = act_max;
  kiln_pool_body(x, y, planes, in_size, out_size, kernel_size, strides, dilations, pads_begin,
                 pads_end, count_include_pad, &args);
}
