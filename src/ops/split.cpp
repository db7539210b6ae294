// Split: cuts a tensor along one axis into parts given by the 'split' input (opset 13+; older
// opsets' attribute is upgraded to it), by num_outputs (opset 18: equal parts, the last one
// smaller when uneven) or into equal parts. Lowers to kiln_split (up to KILN_SPLIT_MAX_OUTPUTS).
#include <numeric>

#include "ir/error.hpp"
#include "ops/checked_math.hpp"
#include "ops/datamove_util.hpp"
#include "ops/op_registry.hpp"

extern "C" {
#include "kiln_split.h"
}

namespace kiln {
namespace {

void upgrade_split(Node& node, Graph& graph, int opset) {
  if (opset >= 13 || !node.has_attr("split")) return;
  std::vector<int64_t> sizes = node.attr_ints("split", {});
  node.attrs.erase("split");
  set_input(node, 1, add_int64_constant(graph, node, "split", sizes));
}

int64_t split_axis(const Node& node, const Tensor& x) {
  return normalize_axis(node, node.attr_int("axis", 0), static_cast<int64_t>(x.shape.size()));
}

std::vector<int64_t> split_sizes(const Node& node, const Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  if (x.shape.empty()) throw Error(node.describe() + ": cannot split a scalar");
  int64_t dim = x.shape[split_axis(node, x)];
  int64_t count = static_cast<int64_t>(node.outputs.size());
  if (count == 0) throw Error(node.describe() + ": has no outputs");
  if (auto sizes = constant_ints_input(node, graph, 1)) {
    if (static_cast<int64_t>(sizes->size()) != count)
      throw Error(node.describe() + ": 'split' has " + std::to_string(sizes->size()) +
                  " sizes for " + std::to_string(count) + " outputs");
    int64_t total = 0;
    for (int64_t s : *sizes) {
      if (s < 0) throw Error(node.describe() + ": negative split size " + std::to_string(s));
      total = checked_add(node, total, s);
    }
    if (total != dim)
      throw Error(node.describe() + ": split sizes sum to " + std::to_string(total) +
                  " but the axis has " + std::to_string(dim));
    return *sizes;
  }
  if (node.has_attr("num_outputs") && node.attr_int("num_outputs", 0) != count)
    throw Error(node.describe() + ": num_outputs is " +
                std::to_string(node.attr_int("num_outputs", 0)) + " but the node has " +
                std::to_string(count) + " outputs");
  // Equal parts; when uneven, every part but the last gets ceil(dim / count).
  int64_t chunk = (dim + count - 1) / count;
  int64_t last = dim - chunk * (count - 1);
  if (last < 0)
    throw Error(node.describe() + ": cannot split an axis of " + std::to_string(dim) + " into " +
                std::to_string(count) + " parts");
  std::vector<int64_t> sizes(count, chunk);
  sizes.back() = last;
  return sizes;
}

void infer_split(const Node& node, Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  std::vector<int64_t> sizes = split_sizes(node, graph);
  int64_t axis = split_axis(node, x);
  DType dtype = x.dtype;
  Shape shape = x.shape;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (node.outputs[i].empty()) continue;
    shape[axis] = sizes[i];
    set_output(node, graph, i, dtype, shape);
  }
}

KernelCall lower_split(const Node& node, const Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  std::vector<int64_t> sizes = split_sizes(node, graph);
  if (sizes.size() > KILN_SPLIT_MAX_OUTPUTS)
    throw UnsupportedError(node.describe() + ": " + std::to_string(sizes.size()) +
                           " outputs; kiln's Split kernel produces at most " +
                           std::to_string(KILN_SPLIT_MAX_OUTPUTS));
  int64_t axis = split_axis(node, x);
  int64_t outer = 1;
  for (int64_t k = 0; k < axis; ++k) outer *= x.shape[k];
  int64_t inner = 1;  // elements after the axis
  for (size_t k = axis + 1; k < x.shape.size(); ++k) inner *= x.shape[k];
  int64_t element = static_cast<int64_t>(dtype_size(x.dtype));
  KernelCall call("kiln_split");
  call.input(x.name);
  std::vector<int64_t> blocks;
  for (size_t i = 0; i < KILN_SPLIT_MAX_OUTPUTS; ++i) {
    call.output(i < sizes.size() ? node.outputs[i] : "");
    if (i < sizes.size()) blocks.push_back(sizes[i] * inner * element);
  }
  return call.i(outer).i(static_cast<int64_t>(sizes.size())).ints(blocks);
}

void register_split_ops() {
  OpDef def;
  def.op_type = "Split";
  def.min_opset = 2;
  def.upgrade = upgrade_split;
  def.infer = infer_split;
  def.lower = lower_split;
  def.macs = [](const Node&, const Graph&) { return int64_t{0}; };
  register_op(std::move(def));
}

}  // namespace

KILN_REGISTER_OPS(register_split_ops);

}  // namespace kiln
