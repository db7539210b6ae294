#ifndef KILN_ACTIVATION_CLIP_F32_H
#define KILN_ACTIVATION_CLIP_F32_H

#include "kiln_activation.h"
#include "kiln_common.h"

/* Clip whose bounds are tensors known only at run time: lo and hi point to one float each, or
 * are NULL for "unbounded". Semantics are kiln_activate_f32's KILN_ACT_CLIP (Clip with
 * constant bounds lowers to kiln_activation_f32 instead). y may be the same buffer as x. */
void kiln_activation_clip_f32(const float* x, const float* lo, const float* hi, float* y,
                              int32_t n);

#endif
