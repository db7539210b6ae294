#pragma once
// int8 LOGISTIC, TANH, HARD_SWISH and RELU/RELU6 exactly as TFLite Micro's reference kernels
// compute them (LOGISTIC/TANH: input rescaled to Q4.27 by a frexp-derived multiplier, gemmlowp
// fixed-point logistic/tanh, rounding shift to the fixed output scale; HARD_SWISH: TFLite's int16
// fixed-point "relu-ish" multiplier), tabulated for the 256 inputs so kiln.Lut runs them. Used for
// nodes the TFLite frontend marks with kiln_arithmetic = "tflite" (passes/lower_qdq).
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kiln {

// The table (index q + 128 for input q) of "Sigmoid", "Tanh" or "HardSwish" for an int8 input
// with the given parameters, or nullopt when TFLite has no integer form for it: another op,
// output parameters other than TFLite's (1/256, -128 for logistic; 1/128, 0 for tanh), or
// HardSwish scales whose multipliers fall outside TFLite's supported range.
// "Relu" and "Clip" (RELU, RELU6, RELU_N1_TO_1; `clip_min`/`clip_max` are Clip's bounds) follow
// TFLite's quantized ReLU: requantize by x_scale / y_scale (multiplier and shift), clamp to the
// bounds quantized with round half away from zero.
std::optional<std::vector<int64_t>> tflite_lut_s8(const std::string& op_type, float x_scale,
                                                  int32_t x_zero_point, float y_scale,
                                                  int32_t y_zero_point, float clip_min = 0.0f,
                                                  float clip_max = INFINITY);

}  // namespace kiln
