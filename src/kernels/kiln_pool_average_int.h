/* The window reduction of the integer average pools (kiln_average_pool_s8, _s16) for
 * kiln_pool_body.h: the sum of the raw taps divided by the divisor, rounded half away from zero
 * as TFLite does, then clamped to [act_min, act_max]. An empty window (count 0, only possible
 * without count_include_pad) averages to 0. The including file first defines kiln_pool_elem (the
 * element type) and kiln_pool_acc (a signed integer type wide enough for a window's sum). */
#ifndef KILN_POOL_AVERAGE_INT_H
#define KILN_POOL_AVERAGE_INT_H

#include "kiln_common.h"
#include "kiln_requant.h"

typedef struct {
  int32_t act_min, act_max;
} kiln_pool_args;

static inline kiln_pool_acc kiln_pool_start(const kiln_pool_args* args) {
  (void)args;
  return 0;
}

static inline kiln_pool_acc kiln_pool_tap(kiln_pool_acc sum, kiln_pool_elem v,
                                          const kiln_pool_args* args) {
  (void)args;
  return sum + v;
}

static inline kiln_pool_elem kiln_pool_result(kiln_pool_acc sum, int32_t count,
                                              const kiln_pool_args* args) {
  kiln_pool_acc avg;
  if (count == 0)
    avg = 0;
  else
    avg = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
  return (kiln_pool_elem)kiln_clamp_i32((int32_t)avg, args->act_min, args->act_max);
}

#endif
