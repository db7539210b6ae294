#include "passes/fuse_activations.hpp"

#include <limits>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

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

namespace {

// How many nodes read each tensor (a node reading it twice counts once).
std::unordered_map<std::string, int> reader_counts(const Graph& graph) {
  std::unordered_map<std::string, int> counts;
  for (const Node& node : graph.nodes) {
    std::unordered_set<std::string_view> seen;
    for (const std::string& in : node.inputs)
      if (!in.empty() && seen.insert(in).second) ++counts[in];
  }
  return counts;
}

}  // namespace

// One walk with a producer index and reader counts built once (no per-node scans, so long
// chains stay linear). A fused activation node is only marked and erased at the end; its input
// had no other reader, so the producer taking over its output name changes no other node.
bool fuse_activations(Graph& graph) {
  std::unordered_map<std::string, int> producer;
  for (size_t i = 0; i < graph.nodes.size(); ++i)
    for (const std::string& out : graph.nodes[i].outputs)
      if (!out.empty()) producer[out] = static_cast<int>(i);
  const std::unordered_map<std::string, int> readers = reader_counts(graph);
  std::set<int> fused;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    if (node.inputs.empty() || node.inputs[0].empty() || node.outputs.empty()) continue;
    const std::optional<FusedActivation> act = activation_of(node, graph);
    if (!act) continue;
    const std::string& input = node.inputs[0];
    const auto p = producer.find(input);
    if (p == producer.end() || fused.count(p->second)) continue;
    Node& prev = graph.nodes[static_cast<size_t>(p->second)];
    const OpDef* def = find_op(prev.domain, prev.op_type);
    const auto r = readers.find(input);
    if (!def || !def->accepts_activation || prev.activation.kind != Activation::None ||
        prev.outputs.empty() || prev.outputs[0] != input ||
        graph.tensor(input).dtype != DType::Float32 || graph.is_graph_output(input) ||
        r == readers.end() || r->second != 1)
      continue;
    const std::string output = node.outputs[0];
    prev.activation = *act;
    Tensor& target = graph.tensor(output);
    const Tensor& source = graph.tensor(input);
    if (!target.shape_known && source.shape_known) {
      target.dtype = source.dtype;
      target.shape = source.shape;
      target.shape_known = true;
    }
    prev.outputs[0] = output;
    producer[output] = p->second;
    fused.insert(static_cast<int>(i));
  }
  if (fused.empty()) return false;
  erase_nodes(graph, fused);
  graph.remove_unused_tensors();
  return true;
}

}  // namespace kiln
