#ifndef KILN_ACTIVATION_CLIP_INT_H
#define KILN_ACTIVATION_CLIP_INT_H

#include "kiln_cast_elem.h"
#include "kiln_common.h"

/* Clip for integer tensors of element type `dtype` (KILN_DTYPE_*): y = min(max(x, *lo), *hi),
 * lo / hi of the same type, NULL for "unbounded" (as ONNX Clip: when lo > hi every element
 * becomes hi). y may be the same buffer as x. */
void kiln_activation_clip_int(int32_t dtype, const void* x, const void* lo, const void* hi, void* y,
                              int32_t n);

#endif
