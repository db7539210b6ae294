#include "kiln_average_pool_f32.h"

typedef float kiln_pool_elem;
typedef float kiln_pool_acc;
typedef int kiln_pool_args; /* no arguments of its own */

static inline kiln_pool_acc kiln_pool_start(const kiln_pool_args* args) {
  (void)args;
  return 0.0f;
}

static inline kiln_pool_acc kiln_pool_tap(kiln_pool_acc sum, kiln_pool_elem v,
                                          const kiln_pool_args* args) {
  (void)args;
  return sum + v;
}

static inline kiln_pool_elem kiln_pool_result(kiln_pool_acc sum, int32_t count,
                                              const kiln_pool_args* args) {
  (void)args;
  return count > 0 ? sum / (float)count : 0.0f;
}

#include "kiln_pool_body.h"

void kiln_average_pool_f32(const float* x, float* y, int32_t planes, const int32_t* in_size,
                           const int32_t* out_size, const int32_t* kernel_size,
                           const int32_t* strides, const int32_t* dilations,
                           const int32_t* pads_begin, const int32_t* pads_end,
                           int32_t count_include_pad) {
  kiln_pool_body(x, y, planes, in_size, out_size, kernel_size, strides, dilations, pads_begin,
                 pads_end, count_include_pad, NULL);
}
