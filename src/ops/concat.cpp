// Concat: joins tensors along one axis. Each input is a [outer, block] matrix of bytes, so the
// kernel is dtype-agnostic; one call takes up to KILN_CONCAT_MAX_INPUTS inputs.
#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "ops/checked_math.hpp"
#include "ops/op_registry.hpp"

extern "C" {
#include "kiln_concat.h"
}

namespace kiln {
namespace {

void infer_concat(const Node& node, Graph& graph) {
  std::vector<const Tensor*> inputs;
  for (size_t i = 0; i < node.inputs.size(); ++i)
    if (node.has_input(i)) inputs.push_back(&graph.tensor(node.inputs[i]));
  if (inputs.empty()) throw Error(node.describe() + ": needs at least one input");
  if (!node.has_attr("axis")) throw Error(node.describe() + ": missing required attribute 'axis'");
  const Tensor& first = *inputs[0];
  int64_t rank = static_cast<int64_t>(first.shape.size());
  if (rank == 0) throw Error(node.describe() + ": cannot concatenate scalars");
  int64_t axis = normalize_axis(node, node.attr_int("axis", 0), rank);
  Shape out = first.shape;
  out[axis] = 0;
  for (const Tensor* t : inputs) {
    if (t->dtype != first.dtype)
      throw Error(node.describe() + ": input " + quote_name(t->name) + " is " +
                  std::string(dtype_name(t->dtype)) + ", expected " +
                  std::string(dtype_name(first.dtype)));
    bool compatible = static_cast<int64_t>(t->shape.size()) == rank;
    for (int64_t k = 0; compatible && k < rank; ++k)
      if (k != axis && t->shape[k] != first.shape[k]) compatible = false;
    if (!compatible)
      throw Error(node.describe() + ": input " + quote_name(t->name) + " (" +
                  shape_to_string(t->shape) + ") does not match " + quote_name(first.name) + " (" +
                  shape_to_string(first.shape) + ") outside axis " + std::to_string(axis));
    out[axis] = checked_add(node, out[axis], t->shape[axis]);
  }
  set_output(node, graph, 0, first.dtype, out);
}

KernelCall lower_concat(const Node& node, const Graph& graph) {
  std::vector<const Tensor*> inputs;
  for (size_t i = 0; i < node.inputs.size(); ++i)
    if (node.has_input(i)) inputs.push_back(&graph.tensor(node.inputs[i]));
  if (inputs.size() > KILN_CONCAT_MAX_INPUTS)
    throw UnsupportedError(node.describe() + ": " + std::to_string(inputs.size()) +
                           " inputs; kiln's Concat kernel takes at most " +
                           std::to_string(KILN_CONCAT_MAX_INPUTS));
  const Tensor& y = graph.tensor(node.outputs.at(0));
  int64_t axis =
      normalize_axis(node, node.attr_int("axis", 0), static_cast<int64_t>(y.shape.size()));
  int64_t outer = 1;
  for (int64_t k = 0; k < axis; ++k) outer *= y.shape[k];
  KernelCall call("kiln_concat");
  std::vector<int64_t> blocks;
  for (size_t i = 0; i < KILN_CONCAT_MAX_INPUTS; ++i) {
    if (i < inputs.size()) {
      call.input(inputs[i]->name);
      blocks.push_back(outer == 0 ? 0 : inputs[i]->bytes() / outer);
    } else {
      call.input("");
    }
  }
  return call.output(y.name).i(outer).i(static_cast<int64_t>(inputs.size())).ints(blocks);
}

void register_concat_ops() {
  OpDef def;
  def.op_type = "Concat";
  def.min_opset = 4;
  def.infer = infer_concat;
  def.lower = lower_concat;
  def.macs = [](const Node&, const Graph&) { return int64_t{0}; };
  register_op(std::move(def));
}

}  // namespace

KILN_REGISTER_OPS(register_concat_ops);

}  // namespace kiln
