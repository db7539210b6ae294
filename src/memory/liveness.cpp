#include "memory/liveness.hpp"

#include <algorithm>
#include <iterator>
#include <numeric>

#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "memory/arena_planner.hpp"
#include "ops/lower_node.hpp"
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

TensorRegions::TensorRegions(const Graph& graph) : graph_(graph) {
  io_.insert(graph.inputs.begin(), graph.inputs.end());
  io_.insert(graph.outputs.begin(), graph.outputs.end());
}

TensorRegion TensorRegions::of(const std::string& tensor_name) const {
  if (graph_.tensor(tensor_name).constant) return TensorRegion::Flash;
  return io_.count(tensor_name) ? TensorRegion::IO : TensorRegion::Arena;
}

namespace {

// Union-find over arena tensors; each root carries its group's aggregate lifetime and size.
class AliasGroups {
 public:
  int add(const std::string& name, int64_t bytes, int first, int last) {
    int id = static_cast<int>(parent_.size());
    parent_.push_back(id);
    groups_.push_back({{name}, bytes, first, last});
    tied_.push_back(-1);
    shift_.push_back(0);
    is_base_.push_back(false);
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
    // Merges only ever absorb a fresh output (never part of a tie) into an existing buffer.
    if (!is_free(b)) throw InternalError("in-place aliasing would merge a tied buffer");
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
  bool is_free(int id) const { return tied_[id] < 0 && !is_base_[id]; }
  // Records that group `from`'s offset is group `base`'s plus `shift` (both roots).
  void tie(int from, int base, int64_t shift) {
    tied_[from] = base;
    shift_[from] = shift;
    is_base_[base] = true;
  }
  bool is_base(int id) const { return is_base_[id]; }
  int tied_to(int id) const { return tied_[id]; }
  int64_t shift(int id) const { return shift_[id]; }
  ArenaBuffer take(int id) { return std::move(groups_[id]); }
  size_t size() const { return parent_.size(); }

 private:
  std::vector<int> parent_;
  std::vector<ArenaBuffer> groups_;
  std::vector<int> tied_;       // root this root is tied to, or -1
  std::vector<int64_t> shift_;  // offset relative to that root
  std::vector<bool> is_base_;   // some other root is tied to this one
};

const std::string* first_arg(const KernelCall& call, KernelArg::Kind kind) {
  for (const KernelArg& arg : call.args)
    if (arg.kind == kind) return &arg.tensor;
  return nullptr;
}

}  // namespace

bool kernel_processes_planes_in_order(std::string_view function) {
  // Each of these loops over planes outermost (conv: n, then output channel; pools: n * C) and
  // touches input plane k only while it computes output plane k; none caches input across
  // planes. The float and int16 convolutions share kiln_conv_s8's loop nest. kiln_conv_s8_dw and
  // kiln_conv_s8_dw3x3 are the fast kernel set's depthwise convolutions (the code generator may
  // pick them for a depthwise kiln_conv_s8 call): kiln_conv_s8_dw_body.h loops n, then channel,
  // copying plane k to the stack or reading it in place before writing output plane k.
  static constexpr std::string_view kernels[] = {
      "kiln_conv_f32",
      "kiln_conv_s8",
      "kiln_conv_s16",
      "kiln_conv_s8_dw",
      "kiln_conv_s8_dw3x3",
      "kiln_max_pool_f32",
      "kiln_max_pool_s8",
      "kiln_max_pool_s16",
      "kiln_average_pool_f32",
      "kiln_average_pool_s8",
      "kiln_average_pool_s8_single",
      "kiln_average_pool_s16",
      "kiln_global_max_pool_f32",
      "kiln_global_average_pool_f32",
      "kiln_global_average_pool_s8",
      "kiln_global_average_pool_s16",
  };
  return std::find(std::begin(kernels), std::end(kernels), function) != std::end(kernels);
}

std::optional<int64_t> plane_lag(const Node& node, const Graph& graph, int64_t alignment) {
  if (!node.has_input(0) || node.outputs.empty() || node.outputs[0].empty()) return std::nullopt;
  const OpDef* op = find_op(node.domain, node.op_type);
  if (op == nullptr || !op->lower) return std::nullopt;
  const KernelCall call = lower_node(node, graph);
  if (!kernel_processes_planes_in_order(call.function)) return std::nullopt;
  // The kernel's x and y must be the node's input 0 and output 0.
  const std::string* x_name = first_arg(call, KernelArg::Kind::Input);
  const std::string* y_name = first_arg(call, KernelArg::Kind::Output);
  if (x_name == nullptr || y_name == nullptr || *x_name != node.inputs[0] ||
      *y_name != node.outputs[0])
    return std::nullopt;
  const Tensor& x = graph.tensor(node.inputs[0]);
  const Tensor& y = graph.tensor(node.outputs[0]);
  if (x.shape.size() < 2 || y.shape.size() < 2 || x.shape[0] != y.shape[0] ||
      x.shape[1] != y.shape[1] || x.dtype != y.dtype)
    return std::nullopt;
  // A convolution is plane-wise only when depthwise with one output channel per input channel
  // (then output channel c reads input channel c alone).
  if (call.function.starts_with("kiln_conv_") && node.attr_int("group", 1) != x.shape[1])
    return std::nullopt;
  const int64_t planes = x.shape[0] * x.shape[1];
  if (planes <= 0 || x.bytes() % planes != 0 || y.bytes() % planes != 0) return std::nullopt;
  const int64_t in_plane = x.bytes() / planes;
  const int64_t out_plane = y.bytes() / planes;
  const int64_t lag = out_plane + std::max<int64_t>(0, (planes - 1) * (out_plane - in_plane));
  return (lag + alignment - 1) / alignment * alignment;
}

Liveness compute_liveness(const Graph& graph, const LivenessOptions& options) {
  if (!graph.shapes_inferred) throw InternalError("memory planning needs a shape-inferred graph");
  const int steps = static_cast<int>(graph.nodes.size());
  const TensorRegions regions(graph);

  // Lifetime of every arena tensor: from its producer to its last run-time consumer.
  std::map<std::string, std::pair<int, int>> lifetime;
  for (int s = 0; s < steps; ++s) {
    const Node& node = graph.nodes[s];
    if (!is_runtime_node(node, graph)) continue;
    for (const std::string& out : node.outputs)
      if (!out.empty() && regions.of(out) == TensorRegion::Arena) lifetime[out] = {s, s};
    for (const std::string& in : node.inputs) {
      if (in.empty() || regions.of(in) != TensorRegion::Arena) continue;
      auto it = lifetime.find(in);
      if (it == lifetime.end())
        throw InternalError(node.describe() + ": input " + quote_name(in) +
                            " is read before it is produced");
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

  Liveness result;
  for (int s = 0; s < steps; ++s) {
    const Node& node = graph.nodes[s];
    if (!is_runtime_node(node, graph) || node.outputs.empty() || node.outputs[0].empty()) continue;
    const std::string& out = node.outputs[0];
    if (regions.of(out) != TensorRegion::Arena) continue;
    const OpDef* op = find_op(node.domain, node.op_type);
    if (op == nullptr) continue;  // lowering reports the unsupported op
    const int out_id = id_of.at(out);
    if (op->in_place == InPlace::View) {
      if (node.has_input(0) && regions.of(node.inputs[0]) == TensorRegion::Arena)
        groups.merge(id_of.at(node.inputs[0]), out_id);
      continue;
    }
    if (!options.in_place) continue;
    if (op->in_place == InPlace::Elementwise) {
      const Tensor& out_tensor = graph.tensor(out);
      for (size_t i = 0; i < node.inputs.size(); ++i) {
        if (!node.has_input(i) || regions.of(node.inputs[i]) != TensorRegion::Arena) continue;
        const Tensor& in_tensor = graph.tensor(node.inputs[i]);
        const int in_id = id_of.at(in_tensor.name);
        // Same element count means no broadcasting of this input, so element k is read from
        // and written to the same position; the buffer must not be read after this node.
        if (in_tensor.elements() != out_tensor.elements() ||
            dtype_size(in_tensor.dtype) != dtype_size(out_tensor.dtype) ||
            groups.group(in_id).last_step != s)
          continue;
        groups.merge(in_id, out_id);
        ++result.elementwise_in_place;
        break;
      }
      continue;
    }
    // Plane-wise in place with a lag: input 0 must die here and the overlap must save bytes.
    if (!node.has_input(0) || regions.of(node.inputs[0]) != TensorRegion::Arena) continue;
    const int in_root = groups.find(id_of.at(node.inputs[0]));
    const int out_root = groups.find(out_id);
    if (groups.group(in_root).last_step != s || groups.is_base(in_root) ||
        !groups.is_free(out_root))
      continue;
    const std::optional<int64_t> lag = plane_lag(node, graph, kArenaAlignment);
    if (!lag || *lag >= graph.tensor(out).bytes()) continue;
    groups.tie(out_root, in_root, -*lag);
    result.lagged_nodes.push_back(node.name);
  }

  result.steps = steps;
  std::map<int, int> index_of_root;
  std::vector<int> roots;
  for (size_t id = 0; id < groups.size(); ++id) {
    if (!groups.is_root(static_cast<int>(id))) continue;
    index_of_root[static_cast<int>(id)] = static_cast<int>(result.buffers.size());
    roots.push_back(static_cast<int>(id));
    ArenaBuffer buffer = groups.take(static_cast<int>(id));
    for (const std::string& name : buffer.tensors)
      result.buffer_of[name] = static_cast<int>(result.buffers.size());
    result.buffers.push_back(std::move(buffer));
  }
  for (size_t b = 0; b < roots.size(); ++b) {
    const int base = groups.tied_to(roots[b]);
    if (base < 0) continue;
    result.buffers[b].tied_to = index_of_root.at(base);
    result.buffers[b].tie_shift = groups.shift(roots[b]);
    result.buffers[b].tied_by = graph.nodes[result.buffers[b].first_step].name;
  }
  return result;
}

std::vector<int64_t> live_bytes_per_step(std::span<const ArenaBuffer> buffers, int64_t alignment) {
  int steps = 0;
  for (const ArenaBuffer& b : buffers) steps = std::max(steps, b.last_step + 1);
  // Differences between consecutive steps, summed at the end: O(buffers + steps), however long
  // the lifetimes are.
  std::vector<int64_t> delta(static_cast<size_t>(steps) + 1, 0);
  auto add = [&](int first, int last, int64_t bytes) {
    if (first > last) return;
    delta[static_cast<size_t>(first)] += bytes;
    delta[static_cast<size_t>(last) + 1] -= bytes;
  };
  auto size = [alignment](const ArenaBuffer& b) {
    return (b.bytes + alignment - 1) / alignment * alignment;
  };
  for (const ArenaBuffer& b : buffers) add(b.first_step, b.last_step, size(b));
  // A tied pair shares the bytes where [shift, shift + size) meets the base's [0, size).
  for (const ArenaBuffer& b : buffers) {
    if (b.tied_to < 0) continue;
    const ArenaBuffer& base = buffers[static_cast<size_t>(b.tied_to)];
    const int64_t shared = std::max<int64_t>(
        0, std::min(b.tie_shift + size(b), size(base)) - std::max<int64_t>(b.tie_shift, 0));
    add(std::max(b.first_step, base.first_step), std::min(b.last_step, base.last_step), -shared);
  }
  std::vector<int64_t> live(static_cast<size_t>(steps), 0);
  int64_t running = 0;
  for (int s = 0; s < steps; ++s) live[s] = running += delta[s];
  return live;
}

int untie_where_not_needed(Liveness& liveness) {
  const int64_t bound = liveness_lower_bound(liveness);
  const std::vector<int64_t> live = live_bytes_per_step(liveness.buffers, 1);
  int dropped = 0;
  for (ArenaBuffer& b : liveness.buffers) {
    if (b.tied_to < 0) continue;
    const ArenaBuffer& base = liveness.buffers[static_cast<size_t>(b.tied_to)];
    const int64_t shared = std::max<int64_t>(
        0, std::min(b.tie_shift + b.bytes, base.bytes) - std::max<int64_t>(b.tie_shift, 0));
    // Ties only share bytes at the one step where the base dies and b is written.
    if (live[static_cast<size_t>(b.first_step)] + shared > bound) continue;
    std::erase(liveness.lagged_nodes, b.tied_by);
    b.tied_to = -1;
    b.tie_shift = 0;
    b.tied_by.clear();
    ++dropped;
  }
  return dropped;
}

int64_t liveness_lower_bound(const Liveness& liveness) {
  const std::vector<int64_t> live = live_bytes_per_step(liveness.buffers, 1);
  return live.empty() ? 0 : *std::max_element(live.begin(), live.end());
}

}  // namespace kiln
