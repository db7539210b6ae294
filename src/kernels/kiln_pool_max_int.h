/* The window reduction of the integer max pools (kiln_max_pool_s8, _s16) for kiln_pool_body.h:
 * the largest tap, clamped to [act_min, act_max]. A window with no tap inside the input yields
 * the type's lowest value, clamped. The including file first defines kiln_pool_elem (a signed
 * integer type of at most 16 bits). */
#ifndef KILN_POOL_MAX_INT_H
#define KILN_POOL_MAX_INT_H

#include "kiln_common.h"
#include "kiln_requant.h"

typedef int32_t kiln_pool_acc;
typedef struct {
  int32_t act_min, act_max;
} kiln_pool_args;

/* The lowest kiln_pool_elem: -128 for int8_t, -32768 for int16_t. */
static inline kiln_pool_acc kiln_pool_start(const kiln_pool_args* args) {
  (void)args;
  return -((kiln_pool_acc)1 << (8 * sizeof(kiln_pool_elem) - 1));
}

static inline kiln_pool_acc kiln_pool_tap(kiln_pool_acc best, kiln_pool_elem v,
                                          const kiln_pool_args* args) {
  (void)args;
  return v > best ? v : best;
}

static inline kiln_pool_elem kiln_pool_result(kiln_pool_acc best, int32_t count,
                                              const kiln_pool_args* args) {
  (void)count;
  return (kiln_pool_elem)kiln_clamp_i32(best, args->act_min, args->act_max);
}

#endif
