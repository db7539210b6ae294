#include "memory/memory_plan.hpp"

#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "memory/schedule.hpp"
#include "ops/lower_node.hpp"
#include "ops/op_registry.hpp"

namespace kiln {

int64_t MemoryPlan::arena_offset(const std::string& tensor_name) const {
  auto it = liveness.buffer_of.find(tensor_name);
  if (it == liveness.buffer_of.end())
    throw InternalError("tensor " + quote_name(tensor_name) + " has no arena placement");
  return layout.offsets[it->second];
}

namespace {

struct OrderPlan {
  Liveness liveness;
  ArenaLayout layout;
};

// The best plan for the graph's current node order: in-place ties only where they lower the
// peak, and if the packing then misses the bound, the plan without ties when that is smaller.
OrderPlan plan_current_order(const Graph& graph, const MemoryPlanOptions& options) {
  OrderPlan plan;
  plan.liveness = compute_liveness(graph, {.in_place = options.in_place});
  if (!options.keep_all_ties) untie_where_not_needed(plan.liveness);
  plan.layout = plan_arena(plan.liveness.buffers);
  if (options.keep_all_ties || plan.liveness.lagged_nodes.empty() ||
      plan.layout.arena_bytes <= align_up(liveness_lower_bound(plan.liveness), kArenaAlignment))
    return plan;
  OrderPlan untied;
  untied.liveness = plan.liveness;
  for (ArenaBuffer& b : untied.liveness.buffers) {
    b.tied_to = -1;
    b.tie_shift = 0;
    b.tied_by.clear();
  }
  untied.liveness.lagged_nodes.clear();
  untied.layout = plan_arena(untied.liveness.buffers);
  return untied.layout.arena_bytes < plan.layout.arena_bytes ? std::move(untied) : std::move(plan);
}

// Lays the weights out in flash in the given order. A constant with the same element type and
// the same bytes as one already placed (a bias, lookup table or weight repeated across layers)
// shares its placement: one array in the generated code, counted once in weight_bytes.
void place_weights(Graph& graph, const std::vector<std::string>& weights, MemoryPlan& plan) {
  std::map<std::pair<DType, std::string_view>, Placement> placed;
  int64_t flash_offset = 0;
  for (const std::string& name : weights) {
    Tensor& t = graph.tensor(name);
    const std::string_view bytes(reinterpret_cast<const char*>(t.data.data()), t.data.size());
    const auto [it, added] = placed.try_emplace({t.dtype, bytes});
    if (added) {
      it->second = {"flash", flash_offset, align_up(t.bytes(), kArenaAlignment)};
      flash_offset += it->second.size;
      plan.weight_bytes += t.bytes();
    }
    t.placement = it->second;
  }
}

bool computes_constant(const Node& node, const Graph& graph) {
  bool any_input = false;
  for (const std::string& in : node.inputs) {
    if (in.empty()) continue;
    if (!graph.tensor(in).constant) return false;
    any_input = true;
  }
  const OpDef* op = find_op(node.domain, node.op_type);
  return any_input && op != nullptr && !op->defer_folding;
}

}  // namespace

MemoryPlan plan_memory(Graph& graph, const MemoryPlanOptions& options) {
  MemoryPlan plan;
  plan.lower_bound_before = liveness_lower_bound(compute_liveness(graph, {.in_place = false}));
  plan.schedule_method = "given";
  std::optional<OrderPlan> best;
  if (options.reorder) {
    const Schedule schedule = schedule_for_memory(graph, {.in_place = options.in_place});
    plan.schedule_method = schedule.method;
    std::vector<int> given(graph.nodes.size());
    std::iota(given.begin(), given.end(), 0);
    if (schedule.order != given) {
      // Keep the new order only if its planned arena is smaller than the given order's (the
      // model counts exact bytes, the arena aligned ones); otherwise put the nodes back. No
      // plan of the given order beats its liveness bound, so when the new order's arena is
      // below that, the given order need not be planned at all (on a wide graph listed
      // breadth-first, that plan would pack thousands of buffers live at once).
      const int64_t given_bound =
          liveness_lower_bound(compute_liveness(graph, {.in_place = options.in_place}));
      apply_schedule(graph, schedule.order);
      OrderPlan reordered = plan_current_order(graph, options);
      std::vector<int> inverse(schedule.order.size());
      for (size_t k = 0; k < schedule.order.size(); ++k)
        inverse[static_cast<size_t>(schedule.order[k])] = static_cast<int>(k);
      if (reordered.layout.arena_bytes < given_bound) {
        best = std::move(reordered);
        plan.reordered = true;
      } else {
        apply_schedule(graph, inverse);
        OrderPlan kept = plan_current_order(graph, options);
        if (reordered.layout.arena_bytes < kept.layout.arena_bytes) {
          apply_schedule(graph, schedule.order);
          best = std::move(reordered);
          plan.reordered = true;
        } else {
          best = std::move(kept);
        }
      }
    }
  }
  if (!best) best = plan_current_order(graph, options);
  plan.liveness = std::move(best->liveness);
  plan.layout = std::move(best->layout);
  for (const Node& node : graph.nodes) plan.schedule.push_back(node.name);
  plan.arena_bytes = plan.layout.arena_bytes;
  plan.lower_bound = liveness_lower_bound(plan.liveness);

  for (auto& [name, tensor] : graph.tensors) tensor.placement = Placement{};

  for (const auto& [name, index] : plan.liveness.buffer_of) {
    Tensor& t = graph.tensor(name);
    t.placement = {"arena", plan.layout.offsets[index], align_up(t.bytes(), kArenaAlignment)};
  }

  std::set<std::string> io_seen;
  auto place_io = [&](const std::string& name) {
    Tensor& t = graph.tensor(name);
    if (t.constant || !io_seen.insert(name).second) return;
    t.placement = {"io", 0, t.bytes()};
    plan.io_bytes += t.bytes();
  };
  for (const std::string& name : graph.inputs) place_io(name);
  for (const std::string& name : graph.outputs) place_io(name);

  // Weights: constants a kernel reads, plus constant graph outputs (copied out at run time).
  std::vector<std::string> weights;
  std::set<std::string> weight_seen;
  auto add_weight = [&](const std::string& name) {
    if (!name.empty() && graph.tensor(name).constant && weight_seen.insert(name).second)
      weights.push_back(name);
  };
  for (const Node& node : graph.nodes) {
    if (!is_runtime_node(node, graph)) continue;
    const KernelCall call = lower_node(node, graph);
    for (const KernelArg& arg : call.args)
      if (arg.kind == KernelArg::Kind::Input) add_weight(arg.tensor);
  }
  for (const std::string& name : graph.outputs) add_weight(name);
  for (const Node& node : graph.nodes) {
    if (!is_runtime_node(node, graph) || !computes_constant(node, graph)) continue;
    plan.runtime_constant_nodes.push_back(node.name);
    for (const std::string& out : node.outputs)
      if (!out.empty()) plan.runtime_constant_bytes += graph.tensor(out).bytes();
  }
  place_weights(graph, weights, plan);
  return plan;
}

}  // namespace kiln
