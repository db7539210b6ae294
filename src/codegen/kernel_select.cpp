#include "codegen/kernel_select.hpp"

#include <algorithm>

#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "ops/quantized.hpp"

namespace kiln {

namespace {

// Argument positions of kiln_conv_s8 (src/kernels/kiln_conv_s8.h), shared by its fast variants.
namespace conv {
constexpr size_t kInChannels = 5, kOutChannels = 6, kGroup = 7, kInSize = 8, kOutSize = 9,
                 kKernel = 10, kStrides = 11, kPads = 13, kWBits = 14, kWZeroPoints = 16;
}
// Argument positions of kiln_gemm_s8 (src/kernels/kiln_gemm_s8.h) and kiln_gemm_s8_fc.
namespace gemm {
constexpr size_t kAStrideK = 8, kBStrideK = 9, kBStrideN = 10, kWBits = 11, kBZeroPoints = 13;
}

// Must equal KILN_CONV_PATCH_MAX in src/kernels/kiln_fast_s8.h and KILN_DW_MAX_TAPS in
// src/kernels/kiln_conv_s8_dw_body.h.
constexpr int64_t kConvPatchMax = 640;
constexpr int64_t kDepthwiseMaxTaps = 64;

// The argument kinds are checked: reading an array's int_value (always 0) would silently pass a
// "== 0" test.
const KernelArg& arg_of(const KernelCall& c, size_t i, KernelArg::Kind kind) {
  const KernelArg& a = c.args.at(i);
  if (a.kind != kind)
    throw InternalError("kernel selection: argument " + std::to_string(i) + " of " + c.function +
                        " has an unexpected kind");
  return a;
}
int64_t int_arg(const KernelCall& c, size_t i) {
  return arg_of(c, i, KernelArg::Kind::Int).int_value;
}
const std::vector<int32_t>& ints_arg(const KernelCall& c, size_t i) {
  return arg_of(c, i, KernelArg::Kind::Ints).ints;
}
// The fast kernels drop the weight zero point from their sums: every channel's must be 0.
bool all_zero(const std::vector<int32_t>& values) {
  return std::all_of(values.begin(), values.end(), [](int32_t v) { return v == 0; });
}

// What every fast conv needs: 2-D (or 1-D) geometry, 8-bit weights, every weight zero point 0.
bool conv_common(const KernelCall& c) {
  const auto& in = ints_arg(c, conv::kInSize);
  const auto& out = ints_arg(c, conv::kOutSize);
  const auto& kernel = ints_arg(c, conv::kKernel);
  return int_arg(c, conv::kWBits) == 8 && all_zero(ints_arg(c, conv::kWZeroPoints)) &&
         in.size() == 3 && in[0] == 1 && out.at(0) == 1 && kernel.at(0) == 1;
}

bool conv_depthwise(const KernelCall& c) {
  const int64_t group = int_arg(c, conv::kGroup);
  const auto& kernel = ints_arg(c, conv::kKernel);
  return conv_common(c) && group == int_arg(c, conv::kInChannels) &&
         group == int_arg(c, conv::kOutChannels) &&
         int64_t{kernel[1]} * kernel[2] <= kDepthwiseMaxTaps;
}

bool conv_depthwise_3x3(const KernelCall& c) {
  const auto& kernel = ints_arg(c, conv::kKernel);
  return conv_depthwise(c) && kernel[1] == 3 && kernel[2] == 3;
}

int64_t conv_taps(const KernelCall& c) {
  const auto& kernel = ints_arg(c, conv::kKernel);
  return int_arg(c, conv::kInChannels) / int_arg(c, conv::kGroup) * kernel[1] * kernel[2];
}

// The im2col kernel helps when a patch is shared by several output channels; depthwise has one.
bool conv_im2col(const KernelCall& c) {
  return conv_common(c) && conv_taps(c) <= kConvPatchMax &&
         int_arg(c, conv::kOutChannels) / int_arg(c, conv::kGroup) >= 2;
}

bool conv_pointwise(const KernelCall& c) {
  const auto& kernel = ints_arg(c, conv::kKernel);
  const auto& strides = ints_arg(c, conv::kStrides);
  const auto& pads = ints_arg(c, conv::kPads);
  return conv_im2col(c) && int_arg(c, conv::kGroup) == 1 && kernel[1] == 1 && kernel[2] == 1 &&
         strides.at(1) == 1 && strides.at(2) == 1 && pads.at(1) == 0 && pads.at(2) == 0 &&
         ints_arg(c, conv::kInSize) == ints_arg(c, conv::kOutSize);
}

bool gemm_common(const KernelCall& c) {
  return int_arg(c, gemm::kAStrideK) == 1 && int_arg(c, gemm::kWBits) == 8 &&
         all_zero(ints_arg(c, gemm::kBZeroPoints));
}

// B [n, k]: contiguous rows (what apply_kernel_set_layouts makes of quantized Gemm weights).
bool gemm_fc_nk(const KernelCall& c) {
  return gemm_common(c) && int_arg(c, gemm::kBStrideK) == 1;
}

// B [k, n]: contiguous columns (a weight the layout step could not move).
bool gemm_fc_kn(const KernelCall& c) {
  return gemm_common(c) && int_arg(c, gemm::kBStrideN) == 1;
}

struct Specialization {
  const char* kernel_set;
  const char* reference;  // the kernel the op lowered to
  const char* fast;       // same signature, same results when `applies`
  bool (*applies)(const KernelCall&);
};

// First match wins: the most specific kernel comes first.
constexpr Specialization kSpecializations[] = {
    {"fast", "kiln_conv_s8", "kiln_conv_s8_dw3x3", conv_depthwise_3x3},
    {"fast", "kiln_conv_s8", "kiln_conv_s8_dw", conv_depthwise},
    {"fast", "kiln_conv_s8", "kiln_conv_s8_1x1", conv_pointwise},
    {"fast", "kiln_conv_s8", "kiln_conv_s8_im2col", conv_im2col},
    {"fast", "kiln_gemm_s8", "kiln_gemm_s8_fc_nk", gemm_fc_nk},
    {"fast", "kiln_gemm_s8", "kiln_gemm_s8_fc", gemm_fc_kn},
};

}  // namespace

std::vector<std::string> kernel_set_names() {
  return {"fast", "reference"};
}

void check_kernel_set(std::string_view name, std::string_view what) {
  const std::vector<std::string> names = kernel_set_names();
  if (std::find(names.begin(), names.end(), name) != names.end()) return;
  std::string valid;
  for (const std::string& n : names) valid += (valid.empty() ? "" : ", ") + n;
  throw Error(std::string(what) + ": unknown kernel set " + quote_name(std::string(name)) +
              " (valid: " + valid + ")");
}

KernelCall select_kernel(const KernelCall& reference, std::string_view kernel_set) {
  check_kernel_set(kernel_set, "kernels");
  for (const Specialization& s : kSpecializations) {
    if (kernel_set != s.kernel_set || reference.function != s.reference) continue;
    if (!s.applies(reference)) continue;
    KernelCall fast = reference;
    fast.function = s.fast;
    return fast;
  }
  return reference;
}

int apply_kernel_set_layouts(Graph& graph, std::string_view kernel_set) {
  check_kernel_set(kernel_set, "kernels");
  if (kernel_set != "fast") return 0;
  int moved = 0;
  for (Node& node : graph.nodes) {
    if (node.op_type != "Gemm" || !node.domain.empty() || node.inputs.size() < 2) continue;
    if (node.attr_int("transB", 0) != 0) continue;
    const Tensor* a = graph.find_tensor(node.inputs[0]);
    const Tensor* b = graph.find_tensor(node.inputs[1]);
    if (!a || !b || !is_quantized(*a) || a->dtype != DType::Int8) continue;
    if (!b->constant || b->dtype != DType::Int8 || !b->quant || b->quant->bits != 8) continue;
    if (b->shape.size() != 2 || graph.consumers(b->name).size() != 1 ||
        graph.is_graph_output(b->name))
      continue;
    const QuantParams& q = *b->quant;
    bool zero = true;
    for (int32_t zp : q.zero_points) zero = zero && zp == 0;
    const int normalized_axis = q.axis < 0 ? q.axis + 2 : q.axis;
    if (!zero || (q.per_channel() && normalized_axis != 1)) continue;
    const int64_t k = b->shape[0], n = b->shape[1];
    Tensor t = *b;
    t.name = graph.unique_name(b->name + "_nk");
    t.shape = {n, k};
    t.placement = Placement{};
    const std::vector<uint8_t>& src = b->data;
    for (int64_t p = 0; p < k; ++p)
      for (int64_t j = 0; j < n; ++j)
        t.data[static_cast<size_t>(j * k + p)] = src[static_cast<size_t>(p * n + j)];
    if (q.per_channel()) t.quant->axis = 0;
    node.inputs[1] = graph.add_tensor(std::move(t)).name;
    node.attrs["transB"] = int64_t{1};
    ++moved;
  }
  if (moved) graph.remove_unused_tensors();
  return moved;
}

}  // namespace kiln
