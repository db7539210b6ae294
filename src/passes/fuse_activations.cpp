#include "passes/fuse_activations.hpp"

#include <limits>

#include "ops/op_registry.hpp"
#include "passes/graph_rewrite.hpp"

namespace kiln {

namespace {

// A Clip bound given as an optional constant input; absent means unbounded on that side.
std::optional<float> clip_bound(const Node& node, const Graph& graph, size_t index,
                                float unbounded) {
  if (!node.has_input(index)) return unbounded;
  const Tensor* bound = constant_input(graph, node, index);
  if (!bound || bound->dtype != DType::Float32 || bound->elements() != 1) return std::nullopt;
  return bound->values<float>()[0];
}

}  // namespace

std::optional<FusedActivation> activation_of(const Node& node, const Graph& graph) {
  if (!node.domain.empty() || node.inputs.empty() || node.outputs.size() != 1) return std::nullopt;
  FusedActivation act;
  const std::string& op = node.op_type;
  if (op == "Relu") {
    act.kind = Activation::Relu;
  } else if (op == "Clip") {
    const float inf = std::numeric_limits<float>::infinity();
    auto lo = clip_bound(node, graph, 1, -inf);
    auto hi = clip_bound(node, graph, 2, inf);
    if (!lo || !hi) return std::nullopt;
    act = {Activation::Clip, *lo, *hi};
  } else if (op == "LeakyRelu") {
    act = {Activation::LeakyRelu, node.attr_float("alpha", 0.01f), 0.0f};
  } else if (op == "HardSwish") {
    act.kind = Activation::HardSwish;
  } else if (op == "Sigmoid") {
    act.kind = Activation::Sigmoid;
  } else if (op == "HardSigmoid") {
    act = {Activation::HardSigmoid, node.attr_float("alpha", 0.2f), node.attr_float("beta", 0.5f)};
  } else if (op == "Tanh") {
    act.kind = Activation::Tanh;
  } else {
    return std::nullopt;
  }
  return act;
}

bool fuse_activations(Graph& graph) {
  bool changed = false;
  for (size_t i = 0; i < graph.nodes.size();) {
    const Node& node = graph.nodes[i];
    const std::optional<FusedActivation> act = activation_of(node, graph);
    const std::string input = node.inputs.empty() ? std::string() : node.inputs[0];
    const int producer = input.empty() ? -1 : graph.producer(input);
    bool fuse = act.has_value() && producer >= 0;
    if (fuse) {
      const Node& prev = graph.nodes[producer];
      const OpDef* def = find_op(prev.domain, prev.op_type);
      fuse = def && def->accepts_activation && prev.activation.kind == Activation::None &&
             !prev.outputs.empty() && prev.outputs[0] == input &&
             graph.tensor(input).dtype == DType::Float32 &&
             only_consumer_is(graph, input, static_cast<int>(i));
    }
    if (!fuse) {
      ++i;
      continue;
    }
    const std::string output = node.outputs[0];
    graph.nodes[producer].activation = *act;
    erase_nodes(graph, {static_cast<int>(i)});
    rename_produced_tensor(graph, input, output);
    changed = true;
  }
  if (changed) graph.remove_unused_tensors();
  return changed;
}

}  // namespace kiln
