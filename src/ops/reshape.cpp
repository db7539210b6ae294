// Reshape, Flatten, Squeeze, Unsqueeze: ops that change only the shape. Their output is the same
// bytes as their input (InPlace::View), so they lower to kiln_copy, which the memory planner
// turns into nothing by aliasing the two buffers.
#include <algorithm>
#include <set>

#include "ir/error.hpp"
#include "ops/checked_math.hpp"
#include "ops/datamove_util.hpp"
#include "ops/op_registry.hpp"

namespace kiln {
namespace {

KernelCall lower_view(const Node& node, const Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  return KernelCall("kiln_copy").input(x.name).output(node.outputs.at(0)).i(x.bytes());
}

// Moves an older opset's `axes` attribute to input 1 (Squeeze/Unsqueeze-13 form).
void upgrade_axes_attribute(Node& node, Graph& graph, int opset) {
  if (opset >= 13 || !node.has_attr("axes")) return;
  std::vector<int64_t> axes = node.attr_ints("axes", {});
  node.attrs.erase("axes");
  set_input(node, 1, add_int64_constant(graph, node, "axes", axes));
}

std::string dims_text(const std::vector<int64_t>& values) {
  std::string s = "[";
  for (size_t i = 0; i < values.size(); ++i) s += (i ? "," : "") + std::to_string(values[i]);
  return s + "]";
}

// ONNX: Reshape's shape is a 1-D int64 tensor. Read as int64 regardless, an int8 or 2-D one
// would give a shape the model does not state.
void check_shape_input(const Node& node, const Tensor& shape) {
  if (shape.dtype != DType::Int64)
    throw Error(node.describe() + ": shape input '" + shape.name + "' must be int64, is " +
                std::string(dtype_name(shape.dtype)));
  if (shape.shape.size() != 1)
    throw Error(node.describe() + ": shape input '" + shape.name + "' must be 1-D, has shape " +
                shape_to_string(shape.shape));
}

void infer_reshape(const Node& node, Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  check_shape_input(node, input_tensor(node, graph, 1));
  std::vector<int64_t> requested = *constant_ints_input(node, graph, 1);
  bool allow_zero = node.attr_int("allowzero", 0) != 0;
  Shape out(requested.size());
  int infer_index = -1;
  int64_t known = 1;
  for (size_t i = 0; i < requested.size(); ++i) {
    int64_t d = requested[i];
    if (d == -1) {
      if (infer_index >= 0)
        throw Error(node.describe() + ": shape " + dims_text(requested) + " has more than one -1");
      infer_index = static_cast<int>(i);
      continue;
    }
    if (d == 0 && !allow_zero) {
      if (i >= x.shape.size())
        throw Error(node.describe() + ": shape " + dims_text(requested) + " copies dim " +
                    std::to_string(i) + " (0) but the input " + shape_to_string(x.shape) +
                    " has rank " + std::to_string(x.shape.size()));
      d = x.shape[i];
    }
    if (d < 0)
      throw Error(node.describe() + ": invalid dim " + std::to_string(d) + " in shape " +
                  dims_text(requested));
    out[i] = d;
    known = checked_mul(node, known, d);
  }
  if (infer_index >= 0) {
    if (known == 0 || x.elements() % known != 0)
      throw Error(node.describe() + ": cannot reshape " + shape_to_string(x.shape) + " to " +
                  dims_text(requested));
    out[infer_index] = x.elements() / known;
  }
  if (checked_elements(node, out) != x.elements())
    throw Error(node.describe() + ": cannot reshape " + shape_to_string(x.shape) + " (" +
                std::to_string(x.elements()) + " elements) to " + dims_text(requested));
  set_output(node, graph, 0, x.dtype, out);
}

void infer_flatten(const Node& node, Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  int64_t rank = static_cast<int64_t>(x.shape.size());
  int64_t axis = node.attr_int("axis", 1);
  if (axis < -rank || axis > rank)
    throw Error(node.describe() + ": axis " + std::to_string(axis) + " out of range for rank " +
                std::to_string(rank));
  if (axis < 0) axis += rank;
  int64_t outer = 1;
  for (int64_t k = 0; k < axis; ++k) outer *= x.shape[k];
  int64_t inner = 1;
  for (int64_t k = axis; k < rank; ++k) inner *= x.shape[k];
  set_output(node, graph, 0, x.dtype, {outer, inner});
}

void infer_squeeze(const Node& node, Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  int64_t rank = static_cast<int64_t>(x.shape.size());
  std::set<int64_t> drop;
  if (auto axes = constant_ints_input(node, graph, 1)) {
    for (int64_t a : *axes) {
      int64_t axis = normalize_axis(node, a, rank);
      if (x.shape[axis] != 1)
        throw Error(node.describe() + ": cannot squeeze axis " + std::to_string(a) + " of size " +
                    std::to_string(x.shape[axis]) + " (input " + shape_to_string(x.shape) + ")");
      if (!drop.insert(axis).second)
        throw Error(node.describe() + ": axis " + std::to_string(a) + " given twice");
    }
  } else {
    for (int64_t k = 0; k < rank; ++k)
      if (x.shape[k] == 1) drop.insert(k);
  }
  Shape out;
  for (int64_t k = 0; k < rank; ++k)
    if (!drop.count(k)) out.push_back(x.shape[k]);
  set_output(node, graph, 0, x.dtype, out);
}

void infer_unsqueeze(const Node& node, Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  input_tensor(node, graph, 1);
  std::vector<int64_t> axes = *constant_ints_input(node, graph, 1);
  int64_t out_rank = static_cast<int64_t>(x.shape.size() + axes.size());
  std::set<int64_t> inserted;
  for (int64_t a : axes) {
    if (a < -out_rank || a >= out_rank)
      throw Error(node.describe() + ": axis " + std::to_string(a) +
                  " out of range for output rank " + std::to_string(out_rank));
    if (!inserted.insert(a < 0 ? a + out_rank : a).second)
      throw Error(node.describe() + ": axis " + std::to_string(a) + " given twice");
  }
  Shape out;
  size_t next = 0;
  for (int64_t k = 0; k < out_rank; ++k) out.push_back(inserted.count(k) ? 1 : x.shape[next++]);
  set_output(node, graph, 0, x.dtype, out);
}

OpDef view_op(std::string op_type, int min_opset, std::function<void(const Node&, Graph&)> infer) {
  OpDef def;
  def.op_type = std::move(op_type);
  def.min_opset = min_opset;
  def.infer = std::move(infer);
  def.lower = lower_view;
  def.macs = [](const Node&, const Graph&) { return int64_t{0}; };
  def.in_place = InPlace::View;
  return def;
}

void register_reshape_ops() {
  register_op(view_op("Reshape", 5, infer_reshape));
  register_op(view_op("Flatten", 1, infer_flatten));
  OpDef squeeze = view_op("Squeeze", 1, infer_squeeze);
  squeeze.upgrade = upgrade_axes_attribute;
  register_op(std::move(squeeze));
  OpDef unsqueeze = view_op("Unsqueeze", 1, infer_unsqueeze);
  unsqueeze.upgrade = upgrade_axes_attribute;
  register_op(std::move(unsqueeze));
}

}  // namespace

KILN_REGISTER_OPS(register_reshape_ops);

}  // namespace kiln
