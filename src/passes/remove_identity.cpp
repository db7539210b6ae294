#include "passes/remove_identity.hpp"

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

bool remove_identity(Graph& graph) {
  bool changed = false;
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
