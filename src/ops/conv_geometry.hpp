#pragma once
// Sliding-window geometry shared by Conv, ConvTranspose, MaxPool and AveragePool: reads the
// window attributes (strides, dilations, pads, auto_pad, ceil_mode), validates them against the
// input, resolves auto_pad into explicit begin/end pads and computes the output size. Shape rules
// and lowerings both use it, so the kernel always sees the same numbers infer reported.
#include <cstdint>
#include <vector>

#include "ir/graph.hpp"
#include "ops/op_registry.hpp"

namespace kiln {

// The spatial rank kiln's window kernels handle (depth, height, width).
constexpr size_t kMaxWindowRank = 3;

struct WindowGeometry {
  std::vector<int64_t> in, kernel, strides, dilations, pads_begin, pads_end, out;  // spatial
};

// Forward window (Conv and pooling). `in` and `kernel` are spatial sizes. Throws kiln::Error
// naming the node for malformed attributes or a kernel larger than the padded input.
WindowGeometry forward_window(const Node& node, const std::vector<int64_t>& in,
                              const std::vector<int64_t>& kernel, bool ceil_mode);

// Transposed window (ConvTranspose): resolves output_shape, output_padding and auto_pad into the
// output size and (possibly negative) begin/end pads.
WindowGeometry transposed_window(const Node& node, const std::vector<int64_t>& in,
                                 const std::vector<int64_t>& kernel);

// Pads a spatial vector to kMaxWindowRank entries at the front with `fill` (1-D and 2-D run
// through the 3-D kernels with leading sizes of 1).
std::vector<int64_t> to_window3(const std::vector<int64_t>& values, int64_t fill);

// Throws "<node>: <what> must be float32" unless dtype is Float32.
void require_float32(const Node& node, const Tensor& tensor, const char* what);

// Throws when a fused activation is attached to an op that cannot apply one.
void reject_activation(const Node& node);

// Adds the fused activation arguments (kind, alpha, beta) to a kernel call.
void add_activation_args(KernelCall& call, const Node& node);

}  // namespace kiln
