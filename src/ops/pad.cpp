// Pad (opset 11+ form: pads, constant_value and, from opset 18, axes as inputs; opset 2..10's
// `pads`/`value` attributes are upgraded to it). Modes constant, reflect, edge and wrap;
// negative pads crop. Lowers to kiln_pad, which takes the constant as the raw bytes of one
// element of the data's dtype (see kiln_pad.h), so it serves every dtype.
#include <set>

#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "ops/checked_math.hpp"
#include "ops/datamove_util.hpp"
#include "ops/op_registry.hpp"

extern "C" {
#include "kiln_pad.h"
}

namespace kiln {
namespace {

void upgrade_pad(Node& node, Graph& graph, int opset) {
  if (opset >= 11) return;
  std::string key = node.has_attr("pads") ? "pads" : "paddings";  // Pad-1 called it paddings
  set_input(node, 1, add_int64_constant(graph, node, "pads", node.attr_ints(key, {})));
  float value = node.attr_float("value", 0.0f);
  std::string name = graph.unique_name(node.name + "_value");
  graph.add_tensor(
      make_constant<float>(name, DType::Float32, {}, std::span<const float>(&value, 1)));
  set_input(node, 2, name);
  node.attrs.erase("pads");
  node.attrs.erase("paddings");
  node.attrs.erase("value");
}

int32_t pad_mode(const Node& node) {
  std::string mode = node.attr_string("mode", "constant");
  if (mode == "constant") return KILN_PAD_CONSTANT;
  if (mode == "reflect") return KILN_PAD_REFLECT;
  if (mode == "edge") return KILN_PAD_EDGE;
  if (mode == "wrap") return KILN_PAD_WRAP;
  throw UnsupportedError(node.describe() + ": pad mode " + quote_name(mode) + " is not supported");
}

// Pads before and after each input dim.
struct Pads {
  std::vector<int64_t> begin, end;
};

Pads pads_of(const Node& node, const Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  input_tensor(node, graph, 1);
  int64_t rank = static_cast<int64_t>(x.shape.size());
  std::vector<int64_t> pads = *constant_ints_input(node, graph, 1);
  std::vector<int64_t> axes;
  if (auto given = constant_ints_input(node, graph, 3)) {
    axes = *given;
  } else {
    for (int64_t k = 0; k < rank; ++k) axes.push_back(k);
  }
  if (pads.size() != 2 * axes.size())
    throw Error(node.describe() + ": 'pads' has " + std::to_string(pads.size()) +
                " values, expected " + std::to_string(2 * axes.size()) + " for " +
                std::to_string(axes.size()) + " axes");
  Pads p{std::vector<int64_t>(rank, 0), std::vector<int64_t>(rank, 0)};
  std::set<int64_t> seen;
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t axis = normalize_axis(node, axes[i], rank);
    if (!seen.insert(axis).second)
      throw Error(node.describe() + ": axis " + std::to_string(axes[i]) + " padded twice");
    p.begin[axis] = pads[i];
    p.end[axis] = pads[i + axes.size()];
  }
  return p;
}

// ONNX: constant_value is a scalar of the data's type. (ONNX Runtime also takes a one-element
// 1-D tensor, which exporters write.) Anything else would be reinterpreted, not converted.
void check_constant_value(const Node& node, const Graph& graph, const Tensor& x) {
  const Tensor& value = input_tensor(node, graph, 2);
  if (value.dtype != x.dtype)
    throw Error(node.describe() + ": constant_value " + quote_name(value.name) + " is " +
                std::string(dtype_name(value.dtype)) + ", but the data " + quote_name(x.name) +
                " is " + std::string(dtype_name(x.dtype)) + " (they must have the same type)");
  if (value.shape.size() > 1 || value.elements() != 1)
    throw Error(node.describe() + ": constant_value " + quote_name(value.name) +
                " must be a scalar (one element), has shape " + shape_to_string(value.shape));
  if (!value.constant)
    throw UnsupportedError(node.describe() + ": input " + quote_name(value.name) +
                           " must be a compile-time constant (kiln plans shapes statically)");
}

void infer_pad(const Node& node, Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  Pads p = pads_of(node, graph);
  int32_t mode = pad_mode(node);
  Shape out = x.shape;
  for (size_t k = 0; k < out.size(); ++k) {
    out[k] = checked_add(node, out[k], checked_add(node, p.begin[k], p.end[k]));
    if (out[k] < 0)
      throw Error(node.describe() + ": pads " + std::to_string(p.begin[k]) + ", " +
                  std::to_string(p.end[k]) + " crop more than dim " + std::to_string(k) + " of " +
                  shape_to_string(x.shape) + " holds");
    if (mode != KILN_PAD_CONSTANT && x.shape[k] == 0 && out[k] > 0)
      throw Error(node.describe() + ": cannot " + node.attr_string("mode", "") +
                  "-pad the empty dim " + std::to_string(k));
  }
  if (node.has_input(2)) check_constant_value(node, graph, x);
  set_output(node, graph, 0, x.dtype, out);
}

std::vector<int64_t> pad_value_bytes(const Node& node, const Graph& graph, DType dtype) {
  if (!node.has_input(2)) return element_bytes(dtype, 0.0);
  return first_element_bytes(input_tensor(node, graph, 2));  // checked by infer_pad
}

KernelCall lower_pad(const Node& node, const Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  const Tensor& y = graph.tensor(node.outputs.at(0));
  Pads p = pads_of(node, graph);
  int64_t rank = static_cast<int64_t>(x.shape.size());
  if (rank > KILN_MAX_RANK)
    throw UnsupportedError(node.describe() + ": rank " + std::to_string(rank) +
                           " exceeds kiln's maximum of " + std::to_string(KILN_MAX_RANK));
  return KernelCall("kiln_pad")
      .input(x.name)
      .output(y.name)
      .i(static_cast<int64_t>(dtype_size(x.dtype)))
      .i(rank)
      .ints(rank ? x.shape : std::vector<int64_t>{0})
      .ints(rank ? y.shape : std::vector<int64_t>{0})
      .ints(rank ? p.begin : std::vector<int64_t>{0})
      .i(pad_mode(node))
      .ints(pad_value_bytes(node, graph, x.dtype));
}

void register_pad_ops() {
  OpDef def;
  def.op_type = "Pad";
  def.min_opset = 2;
  def.upgrade = upgrade_pad;
  def.infer = infer_pad;
  def.lower = lower_pad;
  def.macs = [](const Node&, const Graph&) { return int64_t{0}; };
  register_op(std::move(def));
}

}  // namespace

KILN_REGISTER_OPS(register_pad_ops);

}  // namespace kiln
