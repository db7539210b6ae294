#include "passes/simplify_layout.hpp"

#include <numeric>
#include <set>

#include "interpreter/interpreter.hpp"
#include "ir/error.hpp"
#include "ops/op_registry.hpp"
#include "passes/graph_rewrite.hpp"
#include "passes/infer_shapes.hpp"

namespace kiln {

namespace {

bool is_op(const Node& node, std::string_view op) {
  return node.domain.empty() && node.op_type == op;
}

bool is_reshape_like(const Node& node) {
  return node.domain.empty() && node.outputs.size() == 1 &&
         (node.op_type == "Reshape" || node.op_type == "Flatten" || node.op_type == "Squeeze" ||
          node.op_type == "Unsqueeze");
}

bool shaped(const Graph& graph, const std::string& name) {
  return !name.empty() && graph.tensor(name).shape_known;
}

// The permutation of a Transpose over a tensor of `rank`; nullopt if malformed.
std::optional<std::vector<int64_t>> permutation(const Node& transpose, size_t rank) {
  std::vector<int64_t> identity(rank);
  std::iota(identity.begin(), identity.end(), 0);
  std::vector<int64_t> reversed(identity.rbegin(), identity.rend());
  std::vector<int64_t> perm = transpose.attr_ints("perm", reversed);
  if (perm.size() != rank) return std::nullopt;
  std::vector<int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  if (sorted != identity) return std::nullopt;
  return perm;
}

bool is_identity(const std::vector<int64_t>& perm) {
  for (size_t i = 0; i < perm.size(); ++i)
    if (perm[i] != static_cast<int64_t>(i)) return false;
  return true;
}

// True when the dims that are not 1 keep their relative order, i.e. the element order in
// memory is unchanged and the Transpose is a reshape.
bool moves_only_unit_dims(const std::vector<int64_t>& perm, const Shape& in) {
  int64_t last = -1;
  for (int64_t axis : perm) {
    if (in[axis] == 1) continue;
    if (axis < last) return false;
    last = axis;
  }
  return true;
}

// Turns node `index` (single data input 0, single output) into a Reshape to its output shape.
void make_reshape(Graph& graph, int index) {
  Node& node = graph.nodes[index];
  const Shape target = graph.tensor(node.outputs[0]).shape;
  const std::string shape_name =
      add_int64_constant(graph, node.name + "_shape", {int64_t(target.size())}, target);
  node.op_type = "Reshape";
  node.attrs.clear();
  // With allowzero=0 a 0 in the shape would copy the input dim; the target shape is literal.
  if (std::find(target.begin(), target.end(), 0) != target.end())
    node.attrs["allowzero"] = int64_t{1};
  node.inputs = {node.inputs[0], shape_name};
}

// One rewrite at node `index`; returns true if the graph changed (indices may then be stale).
bool simplify_at(Graph& graph, int index) {
  const Node& node = graph.nodes[index];
  if (node.inputs.empty() || node.outputs.empty() || !shaped(graph, node.inputs[0]) ||
      !shaped(graph, node.outputs[0]))
    return false;
  const Tensor& in = graph.tensor(node.inputs[0]);
  const Tensor& out = graph.tensor(node.outputs[0]);
  const bool have_reshape = find_op("", "Reshape") != nullptr;

  if (is_op(node, "Transpose") && node.outputs.size() == 1) {
    std::optional<std::vector<int64_t>> perm = permutation(node, in.shape.size());
    if (!perm) return false;
    if (in.constant && out.bytes() <= kMaxFoldBytes && find_op("", "Transpose")) {
      try {
        fold_node(node, graph);
      } catch (const Error&) {
        return false;
      }
      erase_nodes(graph, {index});
      return true;
    }
    const int producer = graph.producer(node.inputs[0]);
    if (producer >= 0 && is_op(graph.nodes[producer], "Transpose") &&
        graph.nodes[producer].outputs.size() == 1 &&
        shaped(graph, graph.nodes[producer].inputs[0])) {
      const Node& first = graph.nodes[producer];
      const auto first_perm = permutation(first, graph.tensor(first.inputs[0]).shape.size());
      if (first_perm && first_perm->size() == perm->size()) {
        // out[i] = mid[perm[i]] = x[first_perm[perm[i]]].
        std::vector<int64_t> composed(perm->size());
        for (size_t i = 0; i < perm->size(); ++i) composed[i] = (*first_perm)[(*perm)[i]];
        Node& second = graph.nodes[index];
        second.inputs[0] = first.inputs[0];
        second.attrs["perm"] = composed;
        return true;
      }
    }
    if (is_identity(*perm)) return bypass_node(graph, index);
    if (have_reshape && moves_only_unit_dims(*perm, in.shape)) {
      make_reshape(graph, index);
      return true;
    }
    return false;
  }

  if (is_reshape_like(node)) {
    if (in.shape == out.shape && in.dtype == out.dtype && bypass_node(graph, index)) return true;
    const int producer = graph.producer(node.inputs[0]);
    if (have_reshape && producer >= 0 && is_reshape_like(graph.nodes[producer]) &&
        shaped(graph, graph.nodes[producer].inputs[0])) {
      const std::string source = graph.nodes[producer].inputs[0];
      make_reshape(graph, index);
      graph.nodes[index].inputs[0] = source;
      return true;
    }
  }
  return false;
}

}  // namespace

bool simplify_layout(Graph& graph) {
  bool changed = false;
  // Each rewrite removes a node, shortens a chain or turns a Transpose into a Reshape, so the
  // sweeps terminate; the cap only guards against a logic error looping forever. A rewrite only
  // edits or erases node i (and renames what later nodes read), never an earlier node's
  // inputs, so the sweep retries index i and goes on instead of restarting from the first node
  // (which made a 5,000-node Reshape chain take minutes); sweeps repeat until one changes
  // nothing.
  size_t rewrites = 0;
  const size_t cap = 4 * graph.nodes.size() + 4;
  for (bool any = true; any && rewrites < cap;) {
    any = false;
    for (size_t i = 0; i < graph.nodes.size() && rewrites < cap;) {
      if (simplify_at(graph, static_cast<int>(i))) {
        any = changed = true;
        ++rewrites;
        continue;  // node i changed or is gone: look at index i again
      }
      ++i;
    }
  }
  if (changed) {
    // Producers bypassed by a composed chain may now be unread.
    std::set<int> unread;
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      const Node& node = graph.nodes[i];
      if (!(is_op(node, "Transpose") || is_reshape_like(node))) continue;
      bool used = false;
      for (const std::string& o : node.outputs)
        if (!o.empty() && (graph.is_graph_output(o) || !graph.consumers(o).empty())) used = true;
      if (!used) unread.insert(static_cast<int>(i));
    }
    erase_nodes(graph, unread);
    graph.remove_unused_tensors();
  }
  return changed;
}

}  // namespace kiln
