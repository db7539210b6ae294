#include "passes/graph_rewrite.hpp"

#include <algorithm>

#include "ir/error.hpp"
#include "ir/messages.hpp"

namespace kiln {

void replace_uses(Graph& graph, const std::string& from, const std::string& to) {
  for (Node& node : graph.nodes)
    for (std::string& in : node.inputs)
      if (in == from) in = to;
}

bool only_consumer_is(const Graph& graph, const std::string& tensor_name, int consumer_index) {
  if (graph.is_graph_output(tensor_name)) return false;
  const std::vector<int> users = graph.consumers(tensor_name);
  return users.size() == 1 && users[0] == consumer_index;
}

void erase_nodes(Graph& graph, const std::set<int>& indices) {
  if (indices.empty()) return;
  std::vector<Node> kept;
  kept.reserve(graph.nodes.size());
  for (size_t i = 0; i < graph.nodes.size(); ++i)
    if (!indices.count(static_cast<int>(i))) kept.push_back(std::move(graph.nodes[i]));
  graph.nodes = std::move(kept);
}

void rename_produced_tensor(Graph& graph, const std::string& from, const std::string& to) {
  const int producer = graph.producer(from);
  if (producer < 0)
    throw InternalError("rename_produced_tensor: " + quote_name(from) + " has no producer");
  Tensor& target = graph.tensor(to);
  const Tensor& source = graph.tensor(from);
  if (!target.shape_known && source.shape_known) {
    target.dtype = source.dtype;
    target.shape = source.shape;
    target.shape_known = true;
  }
  for (std::string& out : graph.nodes[producer].outputs)
    if (out == from) out = to;
  replace_uses(graph, from, to);
}

bool bypass_node(Graph& graph, int index) {
  const Node& node = graph.nodes[index];
  if (node.inputs.empty() || node.inputs[0].empty() || node.outputs.empty()) return false;
  for (size_t i = 1; i < node.outputs.size(); ++i) {
    const std::string& extra = node.outputs[i];
    if (!extra.empty() && (graph.is_graph_output(extra) || !graph.consumers(extra).empty()))
      return false;
  }
  const std::string input = node.inputs[0];
  const std::string output = node.outputs[0];
  if (!graph.is_graph_output(output)) {
    replace_uses(graph, output, input);
    erase_nodes(graph, {index});
    return true;
  }
  // The output name is part of the model's interface: keep it, rename the input's producer.
  const Tensor& in = graph.tensor(input);
  if (in.constant || graph.is_graph_input(input) || graph.is_graph_output(input)) return false;
  if (graph.producer(input) < 0) return false;
  erase_nodes(graph, {index});
  rename_produced_tensor(graph, input, output);
  return true;
}

std::string add_float_constant(Graph& graph, const std::string& base, const Shape& shape,
                               const std::vector<float>& values) {
  std::string name = graph.unique_name(base);
  graph.add_tensor(
      make_constant<float>(name, DType::Float32, shape, std::span<const float>(values)));
  return name;
}

std::string add_int64_constant(Graph& graph, const std::string& base, const Shape& shape,
                               const std::vector<int64_t>& values) {
  std::string name = graph.unique_name(base);
  graph.add_tensor(
      make_constant<int64_t>(name, DType::Int64, shape, std::span<const int64_t>(values)));
  return name;
}

const Tensor* constant_input(const Graph& graph, const Node& node, size_t index) {
  if (!node.has_input(index)) return nullptr;
  const Tensor& t = graph.tensor(node.inputs[index]);
  return t.constant ? &t : nullptr;
}

std::string unique_node_name(const Graph& graph, const std::string& base) {
  return graph.unique_name(base);
}

}  // namespace kiln
