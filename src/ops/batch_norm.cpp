// BatchNormalization in inference mode (float32), lowered to kiln_batch_norm_f32.
#include <string>

#include "ir/error.hpp"
#include "ops/conv_geometry.hpp"
#include "ops/op_registry.hpp"

namespace kiln {

namespace {

// Opset 7's `spatial` attribute is gone in opset 9. spatial=1 is the newest form; spatial=0 keeps
// per-element parameters of shape [C, D1, ...], which the shape rule and kernel accept directly
// (the parameter shape says which form a node has). momentum only matters for training.
void upgrade_batch_norm(Node& node, Graph&, int) {
  node.attrs.erase("spatial");
  node.attrs.erase("momentum");
  node.attrs.erase("is_test");
}

// Returns whether the parameters are per element ([C, D1, ...]) rather than per channel ([C]).
bool check_batch_norm(const Node& node, const Graph& graph) {
  if (node.attr_int("training_mode", 0) != 0)
    throw UnsupportedError(node.describe() +
                           ": training_mode=1 is not supported (kiln runs inference only)");
  for (size_t i = 1; i < node.outputs.size(); ++i)
    if (!node.outputs[i].empty())
      throw Error(node.describe() +
                  ": running/saved mean and variance outputs (training mode) are not supported");
  const Tensor& x = input_tensor(node, graph, 0);
  require_float32(node, x, "input");
  if (x.shape.size() < 2)
    throw Error(node.describe() + ": input must be N x C x ..., got " + shape_to_string(x.shape));
  const Shape per_channel = {x.shape[1]};
  const Shape per_element(x.shape.begin() + 1, x.shape.end());
  bool element_form = false;
  const char* names[] = {"scale", "bias", "mean", "var"};
  for (size_t i = 1; i <= 4; ++i) {
    const Tensor& p = input_tensor(node, graph, i);
    require_float32(node, p, names[i - 1]);
    const bool is_element = p.shape == per_element && per_element != per_channel;
    if (p.shape != per_channel && !is_element)
      throw Error(node.describe() + ": " + names[i - 1] + " " + shape_to_string(p.shape) +
                  " must be [" + std::to_string(x.shape[1]) + "] (channels of input " +
                  shape_to_string(x.shape) + ")");
    if (i > 1 && is_element != element_form)
      throw Error(node.describe() + ": scale, bias, mean and var must have the same shape");
    element_form = is_element;
  }
  return element_form;
}

void infer_batch_norm(const Node& node, Graph& graph) {
  check_batch_norm(node, graph);
  set_output(node, graph, 0, DType::Float32, graph.tensor(node.inputs[0]).shape);
}

KernelCall lower_batch_norm(const Node& node, const Graph& graph) {
  reject_activation(node);
  const bool per_element = check_batch_norm(node, graph);
  const Shape& xs = graph.tensor(node.inputs[0]).shape;
  int64_t spatial = 1;
  for (size_t i = 2; i < xs.size(); ++i) spatial *= xs[i];
  KernelCall call("kiln_batch_norm_f32");
  call.input(node.inputs[0])
      .input(node.inputs[1])
      .input(node.inputs[2])
      .input(node.inputs[3])
      .input(node.inputs[4])
      .output(node.outputs[0])
      .i(xs[0])
      .i(xs[1])
      .i(spatial)
      .i(per_element ? 1 : 0)
      .f(node.attr_float("epsilon", 1e-5f));
  return call;
}

void register_batch_norm_ops() {
  OpDef def;
  def.op_type = "BatchNormalization";
  def.upgrade = upgrade_batch_norm;
  def.infer = infer_batch_norm;
  def.lower = lower_batch_norm;
  def.macs = [](const Node& node, const Graph& graph) -> int64_t {
    return graph.tensor(node.inputs[0]).elements();  // one multiply-add per element
  };
  def.in_place = InPlace::Elementwise;
  register_op(std::move(def));
}

}  // namespace

KILN_REGISTER_OPS(register_batch_norm_ops);

}  // namespace kiln
