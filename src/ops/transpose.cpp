// Transpose: a permutation of dims, lowered to kiln_strided_copy reading the input with permuted
// strides (dims that stay adjacent are merged, and an unmoved innermost run is copied as a block).
#include "ir/error.hpp"
#include "ops/datamove_util.hpp"
#include "ops/op_registry.hpp"

namespace kiln {
namespace {

std::vector<int64_t> permutation(const Node& node, size_t rank) {
  std::vector<int64_t> reversed(rank);
  for (size_t k = 0; k < rank; ++k) reversed[k] = static_cast<int64_t>(rank - 1 - k);
  std::vector<int64_t> perm = node.attr_ints("perm", reversed);
  std::vector<bool> seen(rank, false);
  bool valid = perm.size() == rank;
  for (int64_t p : perm) {
    if (!valid) break;
    if (p < 0 || p >= static_cast<int64_t>(rank) || seen[p])
      valid = false;
    else
      seen[p] = true;
  }
  if (!valid) {
    std::string text;
    for (int64_t p : perm) text += (text.empty() ? "" : ",") + std::to_string(p);
    throw Error(node.describe() + ": perm [" + text + "] is not a permutation of the " +
                std::to_string(rank) + " input dims");
  }
  return perm;
}

void infer_transpose(const Node& node, Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  std::vector<int64_t> perm = permutation(node, x.shape.size());
  Shape out;
  for (int64_t p : perm) out.push_back(x.shape[p]);
  set_output(node, graph, 0, x.dtype, out);
}

KernelCall lower_transpose(const Node& node, const Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  std::vector<int64_t> perm = permutation(node, x.shape.size());
  std::vector<int64_t> in_strides = dense_strides(x.shape);
  Shape out_dims;
  std::vector<int64_t> strides;
  for (int64_t p : perm) {
    out_dims.push_back(x.shape[p]);
    strides.push_back(in_strides[p]);
  }
  return strided_copy_call(node, x.name, node.outputs.at(0),
                           static_cast<int64_t>(dtype_size(x.dtype)), 0, out_dims, strides);
}

void register_transpose_ops() {
  OpDef def;
  def.op_type = "Transpose";
  def.min_opset = 1;
  def.infer = infer_transpose;
  def.lower = lower_transpose;
  def.macs = [](const Node&, const Graph&) { return int64_t{0}; };
  register_op(std::move(def));
}

}  // namespace

KILN_REGISTER_OPS(register_transpose_ops);

}  // namespace kiln
