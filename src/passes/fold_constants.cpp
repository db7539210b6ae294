#include "passes/fold_constants.hpp"

#include <set>

#include "interpreter/interpreter.hpp"
#include "ir/error.hpp"
#include "ops/op_registry.hpp"
#include "passes/graph_rewrite.hpp"
#include "passes/infer_shapes.hpp"

namespace kiln {

namespace {

bool outputs_all_constant(const Node& node, const Graph& graph) {
  bool any = false;
  for (const std::string& out : node.outputs) {
    if (out.empty()) continue;
    any = true;
    if (!graph.tensor(out).constant) return false;
  }
  return any;
}

}  // namespace

bool fold_constants(Graph& graph) {
  std::set<int> removed;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    if (outputs_all_constant(node, graph)) {
      removed.insert(static_cast<int>(i));
      continue;
    }
    if (!foldable(node, graph)) continue;
    // fold_node evaluates before it stores anything, so when the op's lowering rejects this
    // configuration the graph is untouched and the node simply stays a run-time op.
    const int64_t bytes = output_bytes(node, graph);
    check_fold_budget(node, graph, bytes);
    try {
      fold_node(node, graph);
    } catch (const Error&) {
      continue;
    }
    graph.folded_bytes += bytes;
    removed.insert(static_cast<int>(i));
  }
  erase_nodes(graph, removed);
  if (!removed.empty()) graph.remove_unused_tensors();
  return !removed.empty();
}

}  // namespace kiln
