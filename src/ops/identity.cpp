// Identity and inference-mode Dropout: the output is the input. Both are views (the memory
// planner lets the output share the input's bytes) and lower to kiln_copy, which does nothing
// when the buffers coincide. Dropout's optional mask output is all true (nothing is dropped);
// a Dropout that writes it lowers to kiln_unary_dropout, which also fills the mask.
#include <string>

#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "ops/op_registry.hpp"

namespace kiln {

namespace {

void infer_identity(const Node& node, Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  set_output(node, graph, 0, x.dtype, x.shape);
}

KernelCall copy_call(const Node& node, const Graph& graph) {
  const Tensor& y = graph.tensor(node.outputs[0]);
  return KernelCall("kiln_copy").input(node.inputs[0]).output(y.name).i(y.bytes());
}

// Dropout before opset 12 has `ratio` (and, before 7, `is_test`) attributes; the newest form
// has optional `ratio` and `training_mode` inputs. Inference ignores the ratio either way.
void upgrade_dropout(Node& node, Graph&, int opset) {
  if (opset >= 12) return;
  node.attrs.erase("ratio");
  node.attrs.erase("is_test");
  node.inputs.resize(1);
}

bool has_mask(const Node& node) {
  return node.outputs.size() > 1 && !node.outputs[1].empty();
}

void infer_dropout(const Node& node, Graph& graph) {
  const Tensor& x = input_tensor(node, graph, 0);
  if (node.has_input(2)) {
    const Tensor& training = graph.tensor(node.inputs[2]);
    if (!training.constant)
      throw UnsupportedError(node.describe() + ": training_mode " + quote_name(training.name) +
                             " must be a constant (kiln compiles for inference)");
    for (int64_t v : training.as_int64())
      if (v != 0)
        throw UnsupportedError(node.describe() +
                               ": training_mode is true; kiln only runs inference");
  }
  set_output(node, graph, 0, x.dtype, x.shape);
  if (has_mask(node)) set_output(node, graph, 1, DType::Bool, x.shape);
}

KernelCall lower_dropout(const Node& node, const Graph& graph) {
  if (!has_mask(node)) return copy_call(node, graph);
  const Tensor& y = graph.tensor(node.outputs[0]);
  const Tensor& mask = graph.tensor(node.outputs[1]);
  return KernelCall("kiln_unary_dropout")
      .input(node.inputs[0])
      .output(y.name)
      .i(y.bytes())
      .output(mask.name)
      .i(mask.elements());
}

void register_identity_ops() {
  OpDef identity;
  identity.op_type = "Identity";
  identity.min_opset = 1;
  identity.infer = infer_identity;
  identity.lower = copy_call;
  identity.macs = [](const Node&, const Graph&) { return int64_t{0}; };
  identity.in_place = InPlace::View;
  register_op(std::move(identity));

  OpDef dropout;
  dropout.op_type = "Dropout";
  dropout.min_opset = 7;
  dropout.upgrade = upgrade_dropout;
  dropout.infer = infer_dropout;
  dropout.lower = lower_dropout;
  dropout.macs = [](const Node&, const Graph&) { return int64_t{0}; };
  dropout.in_place = InPlace::View;
  register_op(std::move(dropout));
}

}  // namespace

KILN_REGISTER_OPS(register_identity_ops);

}  // namespace kiln
