#include "passes/remove_identity.hpp"

#include <set>
#include <unordered_map>
#include <unordered_set>

#include "passes/graph_rewrite.hpp"

namespace kiln {

namespace {

bool is_pass_through(const Node& node, const Graph& graph) {
  if (!node.domain.empty()) return false;
  if (node.op_type == "Identity") return true;
  if (node.op_type != "Dropout") return false;
  // Dropout-12+ takes training_mode as input 2; only a constant false makes it a copy.
  if (node.has_input(2)) {
    const Tensor* training = constant_input(graph, node, 2);
    if (!training) return false;
    for (int64_t v : training->as_int64())
      if (v != 0) return false;
  }
  return true;
}

}  // namespace

namespace {

// Every pass-through node whose output is not a graph output, in one walk: its readers (all
// later, the order being topological) read its input instead, through an alias map resolved as
// the walk goes, and the nodes are erased together. Linear, so long Identity chains cost no
// per-node scans. Returns whether a node was removed.
bool bypass_inner_pass_throughs(Graph& graph) {
  std::unordered_set<std::string> read;
  for (const Node& node : graph.nodes)
    for (const std::string& in : node.inputs)
      if (!in.empty()) read.insert(in);
  std::unordered_map<std::string, std::string> alias;  // removed output -> what replaces it
  std::set<int> removed;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    Node& node = graph.nodes[i];
    for (std::string& in : node.inputs)
      if (auto it = alias.find(in); it != alias.end()) in = it->second;
    if (!is_pass_through(node, graph) || !node.has_input(0) || node.outputs.empty() ||
        node.outputs[0].empty() || graph.is_graph_output(node.outputs[0]))
      continue;
    bool extra_used = false;  // Dropout's mask must be unread
    for (size_t k = 1; k < node.outputs.size(); ++k)
      if (!node.outputs[k].empty() &&
          (graph.is_graph_output(node.outputs[k]) || read.count(node.outputs[k])))
        extra_used = true;
    if (extra_used) continue;
    alias[node.outputs[0]] = node.inputs[0];
    removed.insert(static_cast<int>(i));
  }
  erase_nodes(graph, removed);
  return !removed.empty();
}

}  // namespace

bool remove_identity(Graph& graph) {
  bool changed = bypass_inner_pass_throughs(graph);
  // What is left writes graph outputs: bypass_node renames the input's producer (rare, so its
  // whole-graph scans do not add up).
  for (size_t i = 0; i < graph.nodes.size();) {
    const Node& node = graph.nodes[i];
    if (is_pass_through(node, graph) && bypass_node(graph, static_cast<int>(i))) {
      changed = true;  // the node at i is gone; the next one moved into its slot
      continue;
    }
    ++i;
  }
  return changed;
}

}  // namespace kiln
