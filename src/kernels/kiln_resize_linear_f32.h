#ifndef KILN_RESIZE_LINEAR_F32_H
#define KILN_RESIZE_LINEAR_F32_H

#include "kiln_common.h"

/* Bilinear resize (ONNX Resize, mode "linear") of `planes` planes [in_h, in_w] to [out_h, out_w]
 * (a 1-D resize passes in_h = out_h = 1). The coordinate transformation is resolved at compile
 * time into per-axis tables: for output row r, rows[2r] and rows[2r+1] are the two input rows it
 * blends and row_weights[r] the weight of the second (the first gets 1 - weight); cols and
 * col_weights likewise for columns. A row or column entry of -1 marks a coordinate outside the
 * region of interest (tf_crop_and_resize): those outputs get `extrapolation_value`. */
void kiln_resize_linear_f32(const float* x, float* y, int32_t planes, int32_t in_h, int32_t in_w,
                            int32_t out_h, int32_t out_w, const int32_t* rows,
                            const float* row_weights, const int32_t* cols, const float* col_weights,
                            float extrapolation_value);

#endif
