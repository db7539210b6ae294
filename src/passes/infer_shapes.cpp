#include "passes/infer_shapes.hpp"

#include <fmt/format.h>

#include "interpreter/interpreter.hpp"
#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "ops/op_registry.hpp"

namespace kiln {

int64_t output_bytes(const Node& node, const Graph& graph) {
  int64_t bytes = 0;
  for (const std::string& out : node.outputs)
    if (!out.empty()) bytes += graph.tensor(out).bytes();
  return bytes;
}

bool foldable(const Node& node, const Graph& graph) {
  bool any_input = false;
  for (const std::string& in : node.inputs) {
    if (in.empty()) continue;
    any_input = true;
    if (!graph.tensor(in).constant) return false;
  }
  const OpDef* op = find_op(node.domain, node.op_type);
  if (!any_input || op == nullptr || op->defer_folding) return false;
  for (const std::string& out : node.outputs)
    if (!out.empty() && !graph.tensor(out).shape_known) return false;
  return output_bytes(node, graph) <= kMaxFoldBytes;
}

namespace {
std::string size_text(int64_t bytes) {
  if (bytes < (1 << 20)) return std::to_string(bytes) + " bytes";
  return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20));
}
}  // namespace

void check_fold_budget(const Node& node, const Graph& graph, int64_t bytes) {
  if (graph.folded_bytes + bytes > kMaxFoldedTotalBytes)
    throw Error(fmt::format(
        "{}: folding its result ({}) would bring the model's folded constants to {}, over "
        "kiln's total of {} MiB (the limit on constants computed at compile time)",
        node.describe(), size_text(bytes), size_text(graph.folded_bytes + bytes),
        kMaxFoldedTotalBytes >> 20));
}

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
    if (!already_constant && foldable(node, graph)) {
      const int64_t bytes = output_bytes(node, graph);
      check_fold_budget(node, graph, bytes);
      fold_node(node, graph);
      graph.folded_bytes += bytes;
    }
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
