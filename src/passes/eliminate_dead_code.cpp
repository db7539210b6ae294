#include "passes/eliminate_dead_code.hpp"

#include <set>

#include "passes/graph_rewrite.hpp"

namespace kiln {

bool eliminate_dead_code(Graph& graph) {
  std::set<std::string> live(graph.outputs.begin(), graph.outputs.end());
  std::set<int> dead;
  // Nodes are topologically ordered, so one backward sweep sees every consumer before its
  // producers.
  for (int i = static_cast<int>(graph.nodes.size()) - 1; i >= 0; --i) {
    const Node& node = graph.nodes[i];
    bool needed = false;
    for (const std::string& out : node.outputs)
      if (!out.empty() && live.count(out)) needed = true;
    if (!needed) {
      dead.insert(i);
      continue;
    }
    for (const std::string& in : node.inputs)
      if (!in.empty()) live.insert(in);
  }
  erase_nodes(graph, dead);
  const size_t tensors_before = graph.tensors.size();
  graph.remove_unused_tensors();
  return !dead.empty() || graph.tensors.size() != tensors_before;
}

}  // namespace kiln
