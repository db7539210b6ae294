#pragma once
// Every op kiln supports is one OpDef: how to upgrade older opset forms to the newest, its
// shape/type rule, how it lowers to a C kernel, and its cost. This is the single place an op's
// compile-time facts live; its run-time semantics live in its kernel (src/kernels).
//
// Op families register themselves from their own file (src/ops/<family>.cpp) with
// KILN_REGISTER_OPS, so adding an op touches no central list.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ir/graph.hpp"
#include "ops/kernel_call.hpp"

namespace kiln {

// How an op's output 0 may share memory with its input 0 (used by the memory planner).
enum class InPlace {
  None,         // output needs its own buffer
  Elementwise,  // output may overwrite an input of identical shape/dtype that dies at this op
  View,         // output is the same bytes as input 0 (Reshape, Flatten, Squeeze, Identity...)
};

struct OpDef {
  std::string op_type;
  std::string domain;  // "" = default ONNX domain
  int min_opset = 7;   // oldest opset version of this op kiln reads
  // Rewrites the node from the form of `opset` into the newest form (e.g. Squeeze-11's `axes`
  // attribute becomes the constant input Squeeze-13 takes). May add constant tensors.
  std::function<void(Node& node, Graph& graph, int opset)> upgrade;
  // Sets dtype, shape and shape_known of every output. Throws kiln::Error (prefixed with
  // node.describe()) on invalid inputs or attributes. Inputs are known-shaped when called.
  std::function<void(const Node& node, Graph& graph)> infer;
  // Lowers to a kernel call. Throws kiln::Error for unsupported configurations.
  std::function<KernelCall(const Node& node, const Graph& graph)> lower;
  // Multiply-accumulates per inference (0 when the op has none worth counting).
  std::function<int64_t(const Node& node, const Graph& graph)> macs;
  InPlace in_place = InPlace::None;
  // True when lower() honours node.activation (passes/fuse_activations only fuses into these).
  bool accepts_activation = false;
  // True for QuantizeLinear / DequantizeLinear: the generic folding in infer_shapes and
  // fold_constants leaves them alone, because passes/lower_qdq must first see which integer op
  // absorbs a dequantized constant (it folds the rest itself).
  bool defer_folding = false;
};

void register_op(OpDef def);
// nullptr when kiln has no such op.
const OpDef* find_op(std::string_view domain, std::string_view op_type);
// The op of a node, or kiln::Error "<node>: unsupported op".
const OpDef& op_for(const Node& node);
std::vector<const OpDef*> all_ops();

// Helpers shared by shape rules.
const Tensor& input_tensor(const Node& node, const Graph& graph, size_t index);  // Error if absent
Tensor& output_tensor(const Node& node, Graph& graph, size_t index);
void set_output(const Node& node, Graph& graph, size_t index, DType dtype, Shape shape);
// Normalizes a possibly negative axis for a tensor of `rank`; Error naming the node if invalid.
int64_t normalize_axis(const Node& node, int64_t axis, int64_t rank);
// numpy-style broadcast of two shapes; Error naming the node if incompatible.
Shape broadcast_shapes(const Node& node, const Shape& a, const Shape& b);
// Reads an optional constant input as int64 values; nullopt if the input is absent.
// UnsupportedError if it is present but not constant (a valid model, but kiln needs these at
// compile time).
std::optional<std::vector<int64_t>> constant_ints_input(const Node& node, const Graph& graph,
                                                        size_t index);

namespace detail {
struct OpRegistrar {
  explicit OpRegistrar(void (*fn)()) { fn(); }
};
}  // namespace detail

}  // namespace kiln

#define KILN_REGISTER_OPS_CAT2(a, b) a##b
#define KILN_REGISTER_OPS_CAT(a, b) KILN_REGISTER_OPS_CAT2(a, b)
// Usage at namespace scope in src/ops/<family>.cpp:
//   KILN_REGISTER_OPS(register_pool_ops) where `void register_pool_ops()` calls register_op.
#define KILN_REGISTER_OPS(fn) \
  static const ::kiln::detail::OpRegistrar KILN_REGISTER_OPS_CAT(kiln_op_registrar_, __LINE__)(fn)
