/* The loop of the integer global average pools (kiln_global_average_pool_s8, _s16): per plane,
 * acc = sum (x - x_zero_point) in order, turned into y[plane] by kiln_int_out_result with the
 * one per-tensor channel 0 of `out` (kiln_int_output.h, no bias). The including file first
 * defines kiln_int_x, kiln_int_y and kiln_int_acc and includes kiln_int_output.h. Inlined into
 * the kernel. */
#ifndef KILN_GLOBAL_AVERAGE_POOL_INT_BODY_H
#define KILN_GLOBAL_AVERAGE_POOL_INT_BODY_H

#include "kiln_common.h"

static KILN_ALWAYS_INLINE void kiln_global_average_pool_int_body(const kiln_int_x* x, kiln_int_y* y,
                                                                 int32_t planes, int32_t plane_size,
                                                                 int32_t x_zero_point,
                                                                 const kiln_int_out* out) {
  const kiln_int_channel channel = kiln_int_out_channel(out, 0);
  int32_t p, i;
  for (p = 0; p < planes; ++p) {
    const kiln_int_x* x_plane = x + p * plane_size;
    kiln_int_acc acc = channel.init;
    for (i = 0; i < plane_size; ++i) acc += (int32_t)x_plane[i] - x_zero_point;
    y[p] = kiln_int_out_result(acc, out, &channel);
  }
}

#endif
