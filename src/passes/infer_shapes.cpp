#include "passes/infer_shapes.hpp"

#include "interpreter/interpreter.hpp"
#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "ops/op_registry.hpp"

namespace kiln {

namespace {
bool foldable(const Node& node, const Graph& graph) {
  bool any_input = false;
  for (const std::string& in : node.inputs) {
    if (in.empty()) continue;
    any_input = true;
    if (!graph.tensor(in).constant) return false;
  }
  if (!any_input || op_for(node).defer_folding) return false;
  int64_t bytes = 0;
  for (const std::string& out : node.outputs)
    if (!out.empty()) bytes += graph.tensor(out).bytes();
  return bytes <= kMaxFoldBytes;
}
}  // namespace

bool infer_shapes(Graph& graph) {
  for (const Node& node : graph.nodes) {
    for (const std::string& in : node.inputs)
      if (!in.empty() && !graph.tensor(in).shape_known)
        throw InternalError(node.describe() + ": input " + quote_name(in) + " has no shape");
    const OpDef& op = op_for(node);
    op.infer(node, graph);
    // Every shape rule sets all outputs its op defines, so an output left unset is one the op
    // does not have: the model lists too many outputs for the node (bad input, not a kiln bug).
    for (const std::string& out : node.outputs)
      if (!out.empty() && !graph.tensor(out).shape_known)
        throw Error(node.describe() + ": has output " + quote_name(out) + " that " + node.op_type +
                    " does not produce (too many outputs)");
    bool already_constant = true;
    for (const std::string& out : node.outputs)
      if (!out.empty() && !graph.tensor(out).constant) already_constant = false;
    if (!already_constant && foldable(node, graph)) fold_node(node, graph);
  }
  graph.shapes_inferred = true;
  return true;
}

void drop_folded_nodes(Graph& graph) {
  std::erase_if(graph.nodes, [&](const Node& node) {
    bool any_output = false;
    for (const std::string& out : node.outputs) {
      if (out.empty()) continue;
      if (!graph.tensor(out).constant) return false;
      any_output = true;
    }
    return any_output;
  });
  graph.remove_unused_tensors();
}

}  // namespace kiln
