#pragma once
// Helpers the ops share for their quantized (integer) forms. A quantized tensor is an Int8,
// Int16 or UInt8 tensor with Tensor::quant set; its op keeps the ONNX op type and picks the
// integer kernel from the input dtype (see docs/quantization.md).
#include <cstdint>
#include <vector>

#include "ir/graph.hpp"
#include "ops/kernel_call.hpp"
#include "quant/quant_math.hpp"

namespace kiln {

// Node attribute selecting the requantization strategy: "fixed" (fixed-point multiplier and
// shift, TFLite's arithmetic; the default), "shift" (power of two only) or "single" (one
// round-half-to-even of acc x float32 M, ONNX Runtime's arithmetic; see kiln_requant.h).
inline constexpr const char* kRequantAttr = "kiln_requant";
// Node attribute "tflite": the node comes from a .tflite model and its integer form must follow
// TFLite (Micro)'s reference arithmetic where that differs from kiln's default (Softmax).
inline constexpr const char* kArithmeticAttr = "kiln_arithmetic";
// Softmax/LogSoftmax node attribute (float, default 1): TFLite's SOFTMAX beta, the op computes
// softmax(beta * x). Kept as an attribute rather than a Mul so a quantized softmax folds it into
// its input scale in double precision, as TFLite does.
inline constexpr const char* kSoftmaxBetaAttr = "kiln_softmax_beta";

bool is_quantized(const Tensor& tensor);
// The tensor's quantization parameters; Error naming node, role and tensor if it has none.
const QuantParams& require_quant(const Node& node, const Tensor& tensor, const char* role);
// Per-tensor scale; Error if the tensor is quantized per channel.
float per_tensor_scale(const Node& node, const Tensor& tensor, const char* role);
int32_t per_tensor_zero_point(const Node& node, const Tensor& tensor, const char* role);
// `count` scales for a weight quantized per tensor (repeated) or per channel along `axis` with
// exactly `count` channels; Error otherwise.
std::vector<float> channel_scales(const Node& node, const Tensor& weight, int64_t axis,
                                  int64_t count);
// `count` weight zero points, one per output channel as the integer kernels take them (empty when
// all are 0: the kernels read NULL as zeros, so no array of zeros is stored): a single
// zero point (or equal ones along any axis) repeated, or per-channel zero points along `axis`
// with exactly `count` channels (asymmetric per-channel weights). UnsupportedError naming node
// and tensor when the zero points differ along another axis or their count is not `count`.
std::vector<int64_t> channel_zero_points(const Node& node, const Tensor& weight, int64_t axis,
                                         int64_t count);

// Output `index` of a quantized op: its dtype and quant were set by the pass that quantized the
// graph; shape inference only sets the shape. Error if the output carries no quantization.
void set_quantized_output(const Node& node, Graph& graph, size_t index, Shape shape);

// A requantization ratio in_scale * w_scale / out_scale computed the two ways the strategies
// need: in double (TFLite's computation: fixed and shift) and in float32 in ONNX Runtime's
// order, (in * w) / out (single).
struct ScaleRatio {
  double real = 0.0;
  float single = 0.0f;
};
ScaleRatio scale_ratio(float in_scale, float w_scale, float out_scale);
ScaleRatio scale_ratio(float in_scale, float out_scale);  // in / out

// Integer requantization of `ratios` per the node's strategy (kRequantAttr): multipliers,
// shifts and the KILN_REQUANT_* mode. Kernels whose arithmetic has no single-rounding form
// (the binary kernels' input rescaling) pass allow_single = false and get fixed point there.
struct Requantization {
  std::vector<int64_t> multipliers;
  std::vector<int64_t> shifts;
  int32_t mode = 0;
};
Requantization requantization(const Node& node, const std::vector<ScaleRatio>& ratios,
                              bool allow_single = true);
// Every channel has the same multiplier and the same shift (and there is at least one channel).
bool all_channels_agree(const Requantization& r);
// Appends the per-channel kernels' (conv, gemm, matmul) multipliers, shifts and requant_mode:
// one entry each and the KILN_REQUANT_PER_TENSOR flag (kiln_requant.h) when all channels agree
// (per-tensor weights, or per-channel scales that happen to be equal), so no table of repeats is
// stored; one entry per channel otherwise.
void add_requant_args(KernelCall& call, const Requantization& r);

// Appends act_min, act_max: the node's fused activation as a clamp in the output's domain.
void add_activation_clamp(KernelCall& call, const Node& node, const Tensor& output);

// KILN_QTYPE_* code of a quantized element type (kiln_requant.h).
int32_t qtype_code(const Node& node, DType type);

}  // namespace kiln
