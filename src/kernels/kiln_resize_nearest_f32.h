#ifndef KILN_RESIZE_NEAREST_F32_H
#define KILN_RESIZE_NEAREST_F32_H

#include "kiln_common.h"

/* Nearest-neighbour resize (ONNX Resize, mode "nearest") of a rank-`rank` tensor
 * (1 <= rank <= KILN_MAX_RANK) to the dense output y of shape out_dims. The coordinate
 * transformation and rounding are resolved at compile time into `offsets`: for each axis in
 * order, out_dims[axis] entries giving the input element offset (index * input stride) that
 * output coordinate reads along that axis, or -1 when the coordinate falls outside the region of
 * interest (tf_crop_and_resize); such outputs get `extrapolation_value`. */
void kiln_resize_nearest_f32(const float* x, float* y, int32_t rank, const int32_t* out_dims,
                             const int32_t* offsets, float extrapolation_value);

#endif
