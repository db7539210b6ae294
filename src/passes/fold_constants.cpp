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

bool can_fold(const Node& node, const Graph& graph) {
  bool any_input = false;
  for (const std::string& in : node.inputs) {
    if (in.empty()) continue;
    any_input = true;
    if (!graph.tensor(in).constant) return false;
  }
  const OpDef* op = find_op(node.domain, node.op_type);
  if (!any_input || op == nullptr || op->defer_folding) return false;
  int64_t bytes = 0;
  for (const std::string& out : node.outputs) {
    if (out.empty()) continue;
    const Tensor& t = graph.tensor(out);
    if (!t.shape_known) return false;
    bytes += t.bytes();
  }
  return bytes <= kMaxFoldBytes;
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
    if (!can_fold(node, graph)) continue;
    // fold_node evaluates before it stores anything, so when the op's lowering rejects this
    // configuration the graph is untouched and the node simply stays a run-time op.
    try {
      fold_node(node, graph);
    } catch (const Error&) {
      continue;
    }
    removed.insert(static_cast<int>(i));
  }
  erase_nodes(graph, removed);
  if (!removed.empty()) graph.remove_unused_tensors();
  return !removed.empty();
}

}  // namespace kiln
