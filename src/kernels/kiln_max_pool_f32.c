#include "kiln_max_pool_f32.h"

#include <math.h>

typedef float kiln_pool_elem;
typedef float kiln_pool_acc;
typedef int kiln_pool_args; /* no arguments of its own */

/* Also the result of a window entirely in the padding. */
static inline kiln_pool_acc kiln_pool_start(const kiln_pool_args* args) {
  (void)args;
  return -INFINITY;
}

static inline kiln_pool_acc kiln_pool_tap(kiln_pool_acc best, kiln_pool_elem v,
                                          const kiln_pool_args* args) {
  (void)args;
  return v > best ? v : best;
}

static inline kiln_pool_elem kiln_pool_result(kiln_pool_acc best, int32_t count,
                                              const kiln_pool_args* args) {
  (void)count;
  (void)args;
  return best;
}

#include "kiln_pool_body.h"

void kiln_max_pool_f32(const float* x, float* y, int32_t planes, const int32_t* in_size,
                       const int32_t* out_size, const int32_t* kernel_size, const int32_t* strides,
                       const int32_t* dilations, const int32_t* pads) {
  kiln_pool_body(x, y, planes, in_size, out_size, kernel_size, strides, dilations, pads, pads, 0,
                 NULL);
}
