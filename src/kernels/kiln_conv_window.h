/* Window arithmetic shared by the convolution and pooling kernels. */
#ifndef KILN_CONV_WINDOW_H
#define KILN_CONV_WINDOW_H

#include "kiln_common.h"

/* Taps k of a window (k in [0, taps)) whose position start + k * dilation lies inside
 * [0, extent). Writes the half-open range [*first, *last); empty when *first == *last. Computing
 * the range once per output position replaces a bounds branch per tap. */
static inline void kiln_window_range(int32_t start, int32_t extent, int32_t dilation, int32_t taps,
                                     int32_t* first, int32_t* last) {
  int32_t lo = start >= 0 ? 0 : (-start + dilation - 1) / dilation;
  int32_t hi = extent - 1 - start < 0 ? 0 : (extent - 1 - start) / dilation + 1;
  if (hi > taps) hi = taps;
  if (lo > hi) lo = hi;
  *first = lo;
  *last = hi;
}

#endif
