#include "memory/schedule.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>

#include "ir/error.hpp"
#include "memory/arena_planner.hpp"
#include "memory/liveness.hpp"
#include "ops/op_registry.hpp"

namespace kiln {

namespace {

// The run-time nodes as a dependency graph over "storages" (arena tensors joined by views),
// with the bytes each step needs. State (which nodes ran) lives in the members below and is
// updated by run() / undo() so the searches can walk orders without copying.
class MemoryModel {
 public:
  MemoryModel(const Graph& graph, bool in_place) {
    for (size_t i = 0; i < graph.nodes.size(); ++i)
      if (is_runtime_node(graph.nodes[i], graph)) node_of_.push_back(static_cast<int>(i));
    const int n = size();
    std::map<std::string, int> producer;  // non-constant tensor -> runtime node id
    std::map<std::string, int> storage_of;
    preds_.resize(n);
    succs_.resize(n);
    reads_.resize(n);
    creates_.resize(n);
    saving_.resize(n);
    for (int v = 0; v < n; ++v) {
      const Node& node = graph.nodes[node_of_[v]];
      std::set<int> preds;
      std::set<int> reads;
      for (const std::string& in : node.inputs) {
        if (in.empty()) continue;
        if (auto it = producer.find(in); it != producer.end()) preds.insert(it->second);
        if (region_of(in, graph) == TensorRegion::Arena) reads.insert(storage_of.at(in));
      }
      preds_[v].assign(preds.begin(), preds.end());
      for (int p : preds_[v]) succs_[p].push_back(v);
      reads_[v].assign(reads.begin(), reads.end());
      for (int st : reads) readers_[st].push_back(v);

      const OpDef* op = find_op(node.domain, node.op_type);
      const InPlace kind = op ? op->in_place : InPlace::None;
      for (size_t k = 0; k < node.outputs.size(); ++k) {
        const std::string& out = node.outputs[k];
        if (out.empty()) continue;
        if (!graph.tensor(out).constant) producer[out] = v;
        if (region_of(out, graph) != TensorRegion::Arena) continue;
        if (k == 0 && kind == InPlace::View && node.has_input(0) &&
            region_of(node.inputs[0], graph) == TensorRegion::Arena) {
          const int st = storage_of.at(node.inputs[0]);
          storage_of[out] = st;
          bytes_[st] = std::max(bytes_[st], graph.tensor(out).bytes());
          continue;
        }
        storage_of[out] = static_cast<int>(bytes_.size());
        bytes_.push_back(graph.tensor(out).bytes());
        readers_.emplace_back();
        creates_[v].push_back(storage_of[out]);
      }
      if (!in_place || node.outputs.empty() || node.outputs[0].empty() ||
          region_of(node.outputs[0], graph) != TensorRegion::Arena || kind == InPlace::View)
        continue;
      const Tensor& y = graph.tensor(node.outputs[0]);
      if (kind == InPlace::Elementwise) {
        // Candidates in input order, as compute_liveness tries them.
        for (size_t i = 0; i < node.inputs.size(); ++i) {
          if (!node.has_input(i) || region_of(node.inputs[i], graph) != TensorRegion::Arena)
            continue;
          const Tensor& x = graph.tensor(node.inputs[i]);
          if (x.elements() == y.elements() && dtype_size(x.dtype) == dtype_size(y.dtype))
            saving_[v].push_back({storage_of.at(x.name), std::min(x.bytes(), y.bytes())});
        }
      } else if (node.has_input(0) && region_of(node.inputs[0], graph) == TensorRegion::Arena) {
        if (const std::optional<int64_t> lag = plane_lag(node, graph, kArenaAlignment);
            lag && *lag < y.bytes()) {
          const Tensor& x = graph.tensor(node.inputs[0]);
          saving_[v].push_back({storage_of.at(x.name), std::min(y.bytes() - *lag, x.bytes())});
        }
      }
    }
    remaining_.resize(bytes_.size());
    for (size_t st = 0; st < bytes_.size(); ++st)
      remaining_[st] = static_cast<int>(readers_[st].size());
    waiting_.resize(n);
    for (int v = 0; v < n; ++v) waiting_[v] = static_cast<int>(preds_[v].size());
    done_.assign(static_cast<size_t>(n), false);
  }

  int size() const { return static_cast<int>(node_of_.size()); }
  int node_index(int v) const { return node_of_[v]; }
  bool ready(int v) const { return !done_[v] && waiting_[v] == 0; }
  int64_t live() const { return live_; }
  const std::vector<bool>& done() const { return done_; }

  // Bytes live while v runs: everything live now, v's new outputs, less what in place saves.
  int64_t step_bytes(int v) const {
    int64_t bytes = live_;
    for (int st : creates_[v]) bytes += bytes_[st];
    for (const auto& [st, saved] : saving_[v])
      if (remaining_[st] == 1) return bytes - saved;  // v is its last reader
    return bytes;
  }
  // Live bytes after v ran.
  int64_t bytes_after(int v) const {
    int64_t bytes = live_;
    for (int st : creates_[v])
      if (remaining_[st] > 0) bytes += bytes_[st];
    for (int st : reads_[v])
      if (remaining_[st] == 1) bytes -= bytes_[st];
    return bytes;
  }
  void run(int v) {
    live_ = bytes_after(v);
    for (int st : reads_[v]) --remaining_[st];
    for (int s : succs_[v]) --waiting_[s];
    done_[v] = true;
  }
  void undo(int v, int64_t live_before) {
    done_[v] = false;
    for (int s : succs_[v]) ++waiting_[s];
    for (int st : reads_[v]) ++remaining_[st];
    live_ = live_before;
  }

 private:
  std::vector<int> node_of_;             // runtime id -> index in graph.nodes
  std::vector<std::vector<int>> preds_;  // runtime ids producing an input
  std::vector<std::vector<int>> succs_;
  std::vector<std::vector<int>> reads_;                       // storages read
  std::vector<std::vector<int>> creates_;                     // storages first written
  std::vector<std::vector<std::pair<int, int64_t>>> saving_;  // (input storage, bytes saved)
  std::vector<int64_t> bytes_;                                // per storage
  std::vector<std::vector<int>> readers_;                     // per storage
  std::vector<int> remaining_;                                // readers not yet run, per storage
  std::vector<int> waiting_;                                  // predecessors not yet run, per node
  std::vector<bool> done_;
  int64_t live_ = 0;
};

// Memoized search over the set of nodes already run: the best achievable peak from here on.
class ExactSearch {
 public:
  ExactSearch(MemoryModel& model, int64_t max_states) : model_(model), max_states_(max_states) {}

  // nullopt when the state space grew past the limit.
  std::optional<std::vector<int>> run() {
    const int64_t peak = best_from_here(0);
    if (gave_up_) return std::nullopt;
    (void)peak;
    std::vector<int> order;
    for (int step = 0; step < model_.size(); ++step) {
      const int v = memo_.at(key()).second;
      order.push_back(v);
      model_.run(v);
    }
    for (auto it = order.rbegin(); it != order.rend(); ++it) model_.undo(*it, 0);
    return order;
  }

 private:
  std::string key() const {
    std::string k((model_.size() + 7) / 8, '\0');
    for (int v = 0; v < model_.size(); ++v)
      if (model_.done()[v]) k[v / 8] = static_cast<char>(k[v / 8] | (1 << (v % 8)));
    return k;
  }

  int64_t best_from_here(int depth) {
    if (depth == model_.size() || gave_up_) return 0;
    std::string k = key();
    if (auto it = memo_.find(k); it != memo_.end()) return it->second.first;
    if (static_cast<int64_t>(memo_.size()) >= max_states_) {
      gave_up_ = true;
      return 0;
    }
    int64_t best = std::numeric_limits<int64_t>::max();
    int best_node = -1;
    for (int v = 0; v < model_.size(); ++v) {
      if (!model_.ready(v)) continue;
      const int64_t step = model_.step_bytes(v);
      if (step >= best) continue;  // cannot beat the best (earlier nodes win ties)
      const int64_t live_before = model_.live();
      model_.run(v);
      const int64_t rest = best_from_here(depth + 1);
      model_.undo(v, live_before);
      if (gave_up_) return 0;
      if (std::max(step, rest) < best) {
        best = std::max(step, rest);
        best_node = v;
      }
    }
    memo_.emplace(std::move(k), std::make_pair(best, best_node));
    return best;
  }

  MemoryModel& model_;
  int64_t max_states_;
  bool gave_up_ = false;
  std::unordered_map<std::string, std::pair<int64_t, int>> memo_;
};

// The ready node that keeps the peak lowest, then the one leaving the fewest live bytes, then
// the earliest; -1 when none is ready.
int greedy_choice(const MemoryModel& model, int64_t peak) {
  int chosen = -1;
  int64_t chosen_peak = 0, chosen_after = 0;
  for (int v = 0; v < model.size(); ++v) {
    if (!model.ready(v)) continue;
    const int64_t p = std::max(peak, model.step_bytes(v));
    const int64_t after = model.bytes_after(v);
    if (chosen < 0 || p < chosen_peak || (p == chosen_peak && after < chosen_after)) {
      chosen = v;
      chosen_peak = p;
      chosen_after = after;
    }
  }
  return chosen;
}

// Runs the remaining nodes greedily from the current state and returns the peak reached; the
// model is left as it was.
int64_t greedy_rollout(MemoryModel& model, int64_t peak, int remaining) {
  std::vector<std::pair<int, int64_t>> ran;  // node, live bytes before it
  for (int step = 0; step < remaining; ++step) {
    const int v = greedy_choice(model, peak);
    if (v < 0) break;
    peak = std::max(peak, model.step_bytes(v));
    ran.emplace_back(v, model.live());
    model.run(v);
  }
  for (auto it = ran.rbegin(); it != ran.rend(); ++it) model.undo(it->first, it->second);
  return peak;
}

// Greedy order. With lookahead, each ready node is judged by the peak of running it and then
// the rest greedily (ties: the plain greedy key), which sees that a large branch is best run
// first; that costs O(n^2) step evaluations per step, so it is used up to kLookaheadNodes run-time
// nodes.
constexpr int kLookaheadNodes = 150;

std::vector<int> greedy_order(MemoryModel& model, bool lookahead) {
  lookahead = lookahead && model.size() <= kLookaheadNodes;
  std::vector<int> order;
  std::vector<int64_t> live_before;
  int64_t peak = 0;
  for (int step = 0; step < model.size(); ++step) {
    int chosen = greedy_choice(model, peak);
    if (chosen < 0) throw InternalError("memory scheduling: the graph has a cycle");
    if (lookahead) {
      int64_t best = std::numeric_limits<int64_t>::max();
      for (int v = 0; v < model.size(); ++v) {
        if (!model.ready(v)) continue;
        const int64_t before = model.live();
        const int64_t p = std::max(peak, model.step_bytes(v));
        model.run(v);
        const int64_t rollout = greedy_rollout(model, p, model.size() - step - 1);
        model.undo(v, before);
        if (rollout < best || (rollout == best && v == chosen)) {
          best = rollout;
          chosen = v;
        }
      }
    }
    peak = std::max(peak, model.step_bytes(chosen));
    order.push_back(chosen);
    live_before.push_back(model.live());
    model.run(chosen);
  }
  for (size_t k = order.size(); k-- > 0;) model.undo(order[k], live_before[k]);
  return order;
}

int64_t peak_of(MemoryModel& model, const std::vector<int>& order) {
  int64_t peak = 0;
  for (int v : order) {
    if (!model.ready(v)) throw InternalError("memory scheduling produced a non-topological order");
    peak = std::max(peak, model.step_bytes(v));
    model.run(v);
  }
  for (auto it = order.rbegin(); it != order.rend(); ++it) model.undo(*it, 0);
  return peak;
}

// Full node order from an order of the runtime nodes: a folded node goes right after the last
// producer of its inputs (its outputs are constants, which every node may read).
std::vector<int> with_folded_nodes(const Graph& graph, const MemoryModel& model,
                                   const std::vector<int>& runtime_order) {
  std::map<std::string, int> produced_by;  // tensor -> index in graph.nodes
  for (size_t i = 0; i < graph.nodes.size(); ++i)
    for (const std::string& out : graph.nodes[i].outputs)
      if (!out.empty()) produced_by[out] = static_cast<int>(i);
  std::map<int, std::vector<int>> after;  // runtime node index -> folded nodes to follow it
  std::vector<int> first;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    if (is_runtime_node(node, graph)) continue;
    int anchor = -1;
    for (const std::string& in : node.inputs) {
      if (in.empty() || graph.tensor(in).constant) continue;
      auto it = produced_by.find(in);
      if (it == produced_by.end()) continue;  // graph input
      // The latest producer in the new order.
      const auto pos = [&](int index) {
        for (size_t k = 0; k < runtime_order.size(); ++k)
          if (model.node_index(runtime_order[k]) == index) return static_cast<int>(k);
        return -1;
      };
      if (anchor < 0 || pos(it->second) > pos(anchor)) anchor = it->second;
    }
    (anchor < 0 ? first : after[anchor]).push_back(static_cast<int>(i));
  }
  std::vector<int> order = first;
  for (int v : runtime_order) {
    order.push_back(model.node_index(v));
    if (auto it = after.find(model.node_index(v)); it != after.end())
      order.insert(order.end(), it->second.begin(), it->second.end());
  }
  return order;
}

}  // namespace

int64_t modelled_peak(const Graph& graph, const ScheduleOptions& options) {
  MemoryModel model(graph, options.in_place);
  std::vector<int> order(static_cast<size_t>(model.size()));
  std::iota(order.begin(), order.end(), 0);
  return peak_of(model, order);
}

Schedule schedule_for_memory(const Graph& graph, const ScheduleOptions& options) {
  if (!graph.shapes_inferred) throw InternalError("memory scheduling needs a shape-inferred graph");
  MemoryModel model(graph, options.in_place);
  std::vector<int> original(static_cast<size_t>(model.size()));
  std::iota(original.begin(), original.end(), 0);
  const int64_t original_peak = peak_of(model, original);

  Schedule result;
  std::vector<int> runtime_order;
  ExactSearch exact(model, options.max_states);
  if (std::optional<std::vector<int>> order = exact.run()) {
    runtime_order = std::move(*order);
    result.method = "exact";
  } else {
    runtime_order = greedy_order(model, options.lookahead);
    result.method = "greedy";
  }
  result.peak = peak_of(model, runtime_order);
  if (result.peak >= original_peak) {  // never worse than the given order; keep it on ties
    runtime_order = original;
    result.peak = original_peak;
  }
  result.order = with_folded_nodes(graph, model, runtime_order);
  return result;
}

void apply_schedule(Graph& graph, const std::vector<int>& order) {
  if (order.size() != graph.nodes.size())
    throw InternalError("schedule has " + std::to_string(order.size()) + " nodes, graph has " +
                        std::to_string(graph.nodes.size()));
  std::vector<bool> seen(graph.nodes.size(), false);
  std::vector<Node> nodes;
  nodes.reserve(order.size());
  for (int index : order) {
    if (index < 0 || static_cast<size_t>(index) >= graph.nodes.size() || seen[index])
      throw InternalError("schedule is not a permutation of the graph's nodes");
    seen[index] = true;
    nodes.push_back(std::move(graph.nodes[index]));
  }
  graph.nodes = std::move(nodes);
  graph.verify();
}

}  // namespace kiln
