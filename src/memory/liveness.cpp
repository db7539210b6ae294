#include "memory/liveness.hpp"

#include <algorithm>
#include <numeric>

#include "ir/error.hpp"
#include "ops/op_registry.hpp"

namespace kiln {

bool is_runtime_node(const Node& node, const Graph& graph) {
  for (const std::string& out : node.outputs)
    if (!out.empty() && !graph.tensor(out).constant) return true;
  return false;
}

TensorRegion region_of(const std::string& tensor_name, const Graph& graph) {
  if (graph.tensor(tensor_name).constant) return TensorRegion::Flash;
  if (graph.is_graph_input(tensor_name) || graph.is_graph_output(tensor_name))
    return TensorRegion::IO;
  return TensorRegion::Arena;
}

namespace {

// Union-find over arena tensors; each root carries its group's aggregate lifetime and size.
class AliasGroups {
 public:
  int add(const std::string& name, int64_t bytes, int first, int last) {
    int id = static_cast<int>(parent_.size());
    parent_.push_back(id);
    groups_.push_back({{name}, bytes, first, last});
    return id;
  }
  int find(int id) {
    while (parent_[id] != id) id = parent_[id] = parent_[parent_[id]];
    return id;
  }
  const ArenaBuffer& group(int id) { return groups_[find(id)]; }
  void merge(int a, int b) {
    a = find(a);
    b = find(b);
    if (a == b) return;
    if (groups_[b].first_step < groups_[a].first_step) std::swap(a, b);
    ArenaBuffer& into = groups_[a];
    ArenaBuffer& from = groups_[b];
    into.tensors.insert(into.tensors.end(), from.tensors.begin(), from.tensors.end());
    into.bytes = std::max(into.bytes, from.bytes);
    into.first_step = std::min(into.first_step, from.first_step);
    into.last_step = std::max(into.last_step, from.last_step);
    from.tensors.clear();
    parent_[b] = a;
  }
  bool is_root(int id) const { return parent_[id] == id; }
  ArenaBuffer take(int id) { return std::move(groups_[id]); }
  size_t size() const { return parent_.size(); }

 private:
  std::vector<int> parent_;
  std::vector<ArenaBuffer> groups_;
};

}  // namespace

Liveness compute_liveness(const Graph& graph) {
  if (!graph.shapes_inferred) throw InternalError("memory planning needs a shape-inferred graph");
  const int steps = static_cast<int>(graph.nodes.size());

  // Lifetime of every arena tensor: from its producer to its last run-time consumer.
  std::map<std::string, std::pair<int, int>> lifetime;
  for (int s = 0; s < steps; ++s) {
    const Node& node = graph.nodes[s];
    if (!is_runtime_node(node, graph)) continue;
    for (const std::string& out : node.outputs)
      if (!out.empty() && region_of(out, graph) == TensorRegion::Arena) lifetime[out] = {s, s};
    for (const std::string& in : node.inputs) {
      if (in.empty() || region_of(in, graph) != TensorRegion::Arena) continue;
      auto it = lifetime.find(in);
      if (it == lifetime.end())
        throw InternalError(node.describe() + ": input '" + in + "' is read before it is produced");
      it->second.second = s;
    }
  }

  AliasGroups groups;
  std::map<std::string, int> id_of;
  // Registered in production order so groups (and thus buffers) come out in schedule order.
  std::vector<std::pair<std::string, std::pair<int, int>>> ordered(lifetime.begin(),
                                                                   lifetime.end());
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto& a, const auto& b) { return a.second.first < b.second.first; });
  for (const auto& [name, span] : ordered)
    id_of[name] = groups.add(name, graph.tensor(name).bytes(), span.first, span.second);

  for (int s = 0; s < steps; ++s) {
    const Node& node = graph.nodes[s];
    if (!is_runtime_node(node, graph) || node.outputs.empty() || node.outputs[0].empty()) continue;
    const std::string& out = node.outputs[0];
    if (region_of(out, graph) != TensorRegion::Arena) continue;
    const OpDef* op = find_op(node.domain, node.op_type);
    if (op == nullptr) continue;  // lowering reports the unsupported op
    const int out_id = id_of.at(out);
    if (op->in_place == InPlace::View) {
      if (node.has_input(0) && region_of(node.inputs[0], graph) == TensorRegion::Arena)
        groups.merge(id_of.at(node.inputs[0]), out_id);
    } else if (op->in_place == InPlace::Elementwise) {
      const Tensor& out_tensor = graph.tensor(out);
      for (size_t i = 0; i < node.inputs.size(); ++i) {
        if (!node.has_input(i) || region_of(node.inputs[i], graph) != TensorRegion::Arena) continue;
        const Tensor& in_tensor = graph.tensor(node.inputs[i]);
        const int in_id = id_of.at(in_tensor.name);
        // Same element count means no broadcasting of this input, so element k is read from
        // and written to the same position; the buffer must not be read after this node.
        if (in_tensor.elements() != out_tensor.elements() ||
            dtype_size(in_tensor.dtype) != dtype_size(out_tensor.dtype) ||
            groups.group(in_id).last_step != s)
          continue;
        groups.merge(in_id, out_id);
        break;
      }
    }
  }

  Liveness result;
  result.steps = steps;
  for (size_t id = 0; id < groups.size(); ++id) {
    if (!groups.is_root(static_cast<int>(id))) continue;
    ArenaBuffer buffer = groups.take(static_cast<int>(id));
    for (const std::string& name : buffer.tensors)
      result.buffer_of[name] = static_cast<int>(result.buffers.size());
    result.buffers.push_back(std::move(buffer));
  }
  return result;
}

int64_t liveness_lower_bound(const Liveness& liveness) {
  std::vector<int64_t> live(static_cast<size_t>(std::max(liveness.steps, 1)), 0);
  for (const ArenaBuffer& b : liveness.buffers)
    for (int s = b.first_step; s <= b.last_step; ++s) live[s] += b.bytes;
  return *std::max_element(live.begin(), live.end());
}

}  // namespace kiln
