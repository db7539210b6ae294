#include "memory/schedule.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include "ir/error.hpp"
#include "memory/arena_planner.hpp"
#include "memory/liveness.hpp"
#include "ops/op_registry.hpp"

namespace kiln {

namespace {

// The run-time nodes as a dependency graph over "storages" (arena tensors joined by views),
// with the bytes each step needs. State (which nodes ran, which are ready) lives in the members
// below and is updated by run() / undo() so the searches can walk orders without copying.
class MemoryModel {
 public:
  MemoryModel(const Graph& graph, bool in_place) {
    for (size_t i = 0; i < graph.nodes.size(); ++i)
      if (is_runtime_node(graph.nodes[i], graph)) node_of_.push_back(static_cast<int>(i));
    const int n = size();
    const TensorRegions regions(graph);
    std::unordered_map<std::string, int> producer;  // non-constant tensor -> runtime node id
    std::unordered_map<std::string, int> storage_of;
    preds_.resize(n);
    succs_.resize(n);
    reads_.resize(n);
    creates_.resize(n);
    saving_.resize(n);
    for (int v = 0; v < n; ++v) {
      const Node& node = graph.nodes[node_of_[v]];
      std::vector<int>& preds = preds_[v];
      std::vector<int>& reads = reads_[v];
      for (const std::string& in : node.inputs) {
        if (in.empty()) continue;
        if (auto it = producer.find(in); it != producer.end()) preds.push_back(it->second);
        if (regions.of(in) == TensorRegion::Arena) reads.push_back(storage_of.at(in));
      }
      sort_unique(preds);
      sort_unique(reads);
      for (int p : preds) succs_[p].push_back(v);
      for (int st : reads) readers_[st].push_back(v);

      const OpDef* op = find_op(node.domain, node.op_type);
      const InPlace kind = op ? op->in_place : InPlace::None;
      for (size_t k = 0; k < node.outputs.size(); ++k) {
        const std::string& out = node.outputs[k];
        if (out.empty()) continue;
        if (!graph.tensor(out).constant) producer[out] = v;
        if (regions.of(out) != TensorRegion::Arena) continue;
        if (k == 0 && kind == InPlace::View && node.has_input(0) &&
            regions.of(node.inputs[0]) == TensorRegion::Arena) {
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
          regions.of(node.outputs[0]) != TensorRegion::Arena || kind == InPlace::View)
        continue;
      const Tensor& y = graph.tensor(node.outputs[0]);
      if (kind == InPlace::Elementwise) {
        // Candidates in input order, as compute_liveness tries them.
        for (size_t i = 0; i < node.inputs.size(); ++i) {
          if (!node.has_input(i) || regions.of(node.inputs[i]) != TensorRegion::Arena) continue;
          const Tensor& x = graph.tensor(node.inputs[i]);
          if (x.elements() == y.elements() && dtype_size(x.dtype) == dtype_size(y.dtype))
            saving_[v].push_back({storage_of.at(x.name), std::min(x.bytes(), y.bytes())});
        }
      } else if (node.has_input(0) && regions.of(node.inputs[0]) == TensorRegion::Arena) {
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
    for (int v = 0; v < n; ++v) {
      waiting_[v] = static_cast<int>(preds_[v].size());
      if (waiting_[v] == 0) ready_.insert(v);
    }
    done_.assign(static_cast<size_t>(n), false);
  }

  int size() const { return static_cast<int>(node_of_.size()); }
  int node_index(int v) const { return node_of_[v]; }
  bool ready(int v) const { return !done_[v] && waiting_[v] == 0; }
  // The ready nodes in node order. A set of run nodes closed under predecessors is determined
  // by its ready nodes (every node not run has a ready node among its ancestors or is one), so
  // this also identifies the state.
  const std::set<int>& ready_nodes() const { return ready_; }
  int64_t live() const { return live_; }
  int done_count() const { return done_count_; }
  const std::vector<int>& reads(int v) const { return reads_[v]; }
  const std::vector<int>& succs(int v) const { return succs_[v]; }
  const std::vector<int>& readers(int st) const { return readers_[st]; }
  int remaining(int st) const { return remaining_[st]; }
  int waiting(int v) const { return waiting_[v]; }
  bool done(int v) const { return done_[v]; }

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
    for (int s : succs_[v])
      if (--waiting_[s] == 0) ready_.insert(s);
    ready_.erase(v);
    done_[v] = true;
    ++done_count_;
  }
  void undo(int v, int64_t live_before) {
    done_[v] = false;
    --done_count_;
    ready_.insert(v);
    for (int s : succs_[v])
      if (waiting_[s]++ == 0) ready_.erase(s);
    for (int st : reads_[v]) ++remaining_[st];
    live_ = live_before;
  }

 private:
  static void sort_unique(std::vector<int>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  }

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
  std::set<int> ready_;
  int done_count_ = 0;
  int64_t live_ = 0;
};

struct ReadyKeyHash {
  size_t operator()(const std::vector<int>& key) const {
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (int v : key) h = (h ^ static_cast<uint64_t>(v)) * 0x100000001b3ull;
    return static_cast<size_t>(h ^ (h >> 29));
  }
};

// Memoized search over the set of nodes already run (keyed by its ready nodes): the best
// achievable peak from each state on. Depth-first with an explicit stack (one frame per node
// run so far), so graph depth costs heap, not call stack. Gives up when the memo holds
// max_states states or the ready-node keys and stack frames total max_work entries: wide
// graphs have huge ready sets and are left to the greedy order.
class ExactSearch {
 public:
  ExactSearch(MemoryModel& model, int64_t max_states, int64_t max_work)
      : model_(model), max_states_(max_states), max_work_(max_work) {}

  // nullopt when the search went over its budget.
  std::optional<std::vector<int>> run() {
    if (model_.size() == 0) return std::vector<int>{};
    if (!search()) return std::nullopt;
    std::vector<int> order;
    std::vector<int64_t> live_before;
    for (int step = 0; step < model_.size(); ++step) {
      const int v = memo_.at(ready_key()).second;
      order.push_back(v);
      live_before.push_back(model_.live());
      model_.run(v);
    }
    for (size_t k = order.size(); k-- > 0;) model_.undo(order[k], live_before[k]);
    return order;
  }

 private:
  struct Frame {
    std::vector<int> key;  // the state's ready nodes, also its candidates in node order
    size_t next = 0;       // next candidate to try
    int64_t best = std::numeric_limits<int64_t>::max();
    int best_node = -1;
    int running = -1;  // the candidate whose subtree is being searched
    int64_t step = 0;  // its step bytes
    int64_t live_before = 0;
  };

  std::vector<int> ready_key() const {
    return {model_.ready_nodes().begin(), model_.ready_nodes().end()};
  }

  bool charge(size_t entries) {
    work_ += static_cast<int64_t>(entries);
    return work_ <= max_work_ && static_cast<int64_t>(memo_.size()) < max_states_;
  }

  // Folds the finished subtree result `rest` of the frame's running candidate into the frame.
  void settle(Frame& frame, int64_t rest) {
    model_.undo(frame.running, frame.live_before);
    const int64_t peak = std::max(frame.step, rest);
    if (peak < frame.best) {
      frame.best = peak;
      frame.best_node = frame.running;
    }
    frame.running = -1;
  }

  bool search() {
    std::vector<Frame> stack;
    stack.push_back({.key = ready_key()});
    if (!charge(stack.back().key.size())) return false;
    while (!stack.empty()) {
      Frame& frame = stack.back();
      if (frame.next == frame.key.size()) {
        const int64_t best = frame.best;
        memo_.emplace(std::move(frame.key), std::make_pair(best, frame.best_node));
        stack.pop_back();
        if (!stack.empty()) settle(stack.back(), best);
        continue;
      }
      const int v = frame.key[frame.next++];
      const int64_t step = model_.step_bytes(v);
      if (step >= frame.best) continue;  // cannot beat the best (earlier nodes win ties)
      frame.running = v;
      frame.step = step;
      frame.live_before = model_.live();
      model_.run(v);
      if (model_.done_count() == model_.size()) {
        settle(frame, 0);
        continue;
      }
      std::vector<int> key = ready_key();
      if (auto it = memo_.find(key); it != memo_.end()) {
        settle(frame, it->second.first);
        continue;
      }
      if (!charge(key.size())) {
        abandon(stack);
        return false;
      }
      stack.push_back({.key = std::move(key)});
    }
    return true;
  }

  // Over budget: undo the nodes the open frames are running, leaving the model as it was.
  void abandon(std::vector<Frame>& stack) {
    for (auto it = stack.rbegin(); it != stack.rend(); ++it)
      if (it->running >= 0) model_.undo(it->running, it->live_before);
  }

  MemoryModel& model_;
  int64_t max_states_;
  int64_t max_work_;
  int64_t work_ = 0;
  std::unordered_map<std::vector<int>, std::pair<int64_t, int>, ReadyKeyHash> memo_;
};

// The greedy key of a ready node: the peak after running it, then the bytes it leaves live,
// then the node itself (earliest first).
bool greedy_better(int64_t p, int64_t after, int v, int64_t best_p, int64_t best_after,
                   int best_v) {
  return std::tie(p, after, v) < std::tie(best_p, best_after, best_v);
}

// The ready node that keeps the peak lowest, then the one leaving the fewest live bytes, then
// the earliest; -1 when none is ready. Scans the ready nodes (the lookahead's rollouts).
int greedy_choice(const MemoryModel& model, int64_t peak) {
  int chosen = -1;
  int64_t chosen_peak = 0, chosen_after = 0;
  for (int v : model.ready_nodes()) {
    const int64_t p = std::max(peak, model.step_bytes(v));
    const int64_t after = model.bytes_after(v);
    if (chosen < 0 || greedy_better(p, after, v, chosen_peak, chosen_after, chosen)) {
      chosen = v;
      chosen_peak = p;
      chosen_after = after;
    }
  }
  return chosen;
}

// The same choice as greedy_choice() without scanning every ready node: ready nodes are indexed
// by their step and after bytes relative to the live bytes, which change only when the node
// becomes ready or one of its inputs gets down to its last reader. Runs the model forward.
class GreedyIndex {
 public:
  explicit GreedyIndex(MemoryModel& model) : model_(model) {
    for (int v : model_.ready_nodes()) insert(v);
  }

  int choose(int64_t peak) const {
    if (by_step_.empty()) return -1;
    const int64_t slack = peak - model_.live();  // steps up to this do not raise the peak
    if (std::get<0>(*by_step_.begin()) > slack) return std::get<2>(*by_step_.begin());
    // The least (after, node) among nodes with step <= slack: walk the nodes by (after, node)
    // until one qualifies, and the nodes with step <= slack in step order, whichever ends first.
    auto a = by_after_.begin();
    auto s = by_step_.begin();
    std::pair<int64_t, int> best{std::numeric_limits<int64_t>::max(), -1};
    while (true) {
      if (step_of_.at(a->second) <= slack) return a->second;
      ++a;
      if (s == by_step_.end() || std::get<0>(*s) > slack) return best.second;
      best = std::min(best, {std::get<1>(*s), std::get<2>(*s)});
      ++s;
    }
  }

  void run(int v) {
    std::vector<int> last_reader_changed;
    for (int st : model_.reads(v))
      if (model_.remaining(st) == 2) last_reader_changed.push_back(st);
    std::vector<int> newly_ready;
    for (int s : model_.succs(v))
      if (model_.waiting(s) == 1) newly_ready.push_back(s);
    erase(v);
    model_.run(v);
    for (int st : last_reader_changed)
      for (int w : model_.readers(st))
        if (!model_.done(w) && model_.ready(w)) {
          erase(w);
          insert(w);
        }
    for (int s : newly_ready) insert(s);
  }

 private:
  void insert(int v) {
    const int64_t step = model_.step_bytes(v) - model_.live();
    const int64_t after = model_.bytes_after(v) - model_.live();
    step_of_[v] = step;
    after_of_[v] = after;
    by_step_.insert({step, after, v});
    by_after_.insert({after, v});
  }
  void erase(int v) {
    auto it = step_of_.find(v);
    if (it == step_of_.end()) return;
    by_step_.erase({it->second, after_of_.at(v), v});
    by_after_.erase({after_of_.at(v), v});
    step_of_.erase(it);
    after_of_.erase(v);
  }

  MemoryModel& model_;
  std::set<std::tuple<int64_t, int64_t, int>> by_step_;
  std::set<std::pair<int64_t, int>> by_after_;
  std::unordered_map<int, int64_t> step_of_;
  std::unordered_map<int, int64_t> after_of_;
};

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
// nodes. Without it, GreedyIndex makes each step O(log n) plus the nodes it touches.
constexpr int kLookaheadNodes = 150;

std::vector<int> greedy_order_with_lookahead(MemoryModel& model) {
  std::vector<int> order;
  std::vector<int64_t> live_before;
  int64_t peak = 0;
  for (int step = 0; step < model.size(); ++step) {
    int chosen = greedy_choice(model, peak);
    if (chosen < 0) throw InternalError("memory scheduling: the graph has a cycle");
    int64_t best = std::numeric_limits<int64_t>::max();
    const std::vector<int> candidates(model.ready_nodes().begin(), model.ready_nodes().end());
    for (int v : candidates) {
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
    peak = std::max(peak, model.step_bytes(chosen));
    order.push_back(chosen);
    live_before.push_back(model.live());
    model.run(chosen);
  }
  for (size_t k = order.size(); k-- > 0;) model.undo(order[k], live_before[k]);
  return order;
}

std::vector<int> greedy_order(MemoryModel& model, bool lookahead) {
  if (lookahead && model.size() <= kLookaheadNodes) return greedy_order_with_lookahead(model);
  std::vector<int> order;
  std::vector<int64_t> live_before;
  int64_t peak = 0;
  {
    GreedyIndex index(model);
    for (int step = 0; step < model.size(); ++step) {
      const int chosen = index.choose(peak);
      if (chosen < 0) throw InternalError("memory scheduling: the graph has a cycle");
      peak = std::max(peak, model.step_bytes(chosen));
      order.push_back(chosen);
      live_before.push_back(model.live());
      index.run(chosen);
    }
  }
  for (size_t k = order.size(); k-- > 0;) model.undo(order[k], live_before[k]);
  return order;
}

int64_t peak_of(MemoryModel& model, const std::vector<int>& order) {
  int64_t peak = 0;
  std::vector<int64_t> live_before;
  live_before.reserve(order.size());
  for (int v : order) {
    if (!model.ready(v)) throw InternalError("memory scheduling produced a non-topological order");
    peak = std::max(peak, model.step_bytes(v));
    live_before.push_back(model.live());
    model.run(v);
  }
  for (size_t k = order.size(); k-- > 0;) model.undo(order[k], live_before[k]);
  return peak;
}

// Full node order from an order of the runtime nodes: a folded node goes right after the last
// producer of its inputs (its outputs are constants, which every node may read).
std::vector<int> with_folded_nodes(const Graph& graph, const MemoryModel& model,
                                   const std::vector<int>& runtime_order) {
  std::unordered_map<std::string, int> produced_by;  // tensor -> index in graph.nodes
  for (size_t i = 0; i < graph.nodes.size(); ++i)
    for (const std::string& out : graph.nodes[i].outputs)
      if (!out.empty()) produced_by[out] = static_cast<int>(i);
  // Position of each node in the new order (folded nodes: none).
  std::vector<int> position(graph.nodes.size(), -1);
  for (size_t k = 0; k < runtime_order.size(); ++k)
    position[static_cast<size_t>(model.node_index(runtime_order[k]))] = static_cast<int>(k);
  std::unordered_map<int, std::vector<int>> after;  // node index -> folded nodes to follow it
  std::vector<int> first;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    if (is_runtime_node(node, graph)) continue;
    int anchor = -1;
    for (const std::string& in : node.inputs) {
      if (in.empty() || graph.tensor(in).constant) continue;
      auto it = produced_by.find(in);
      if (it == produced_by.end()) continue;  // graph input
      if (anchor < 0 || position[static_cast<size_t>(it->second)] > position[anchor])
        anchor = it->second;
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
  ExactSearch exact(model, options.max_states, options.max_work);
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
