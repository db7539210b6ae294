#include "memory/memory_plan.hpp"

#include <set>

#include "ir/error.hpp"
#include "ops/op_registry.hpp"

namespace kiln {

int64_t MemoryPlan::arena_offset(const std::string& tensor_name) const {
  auto it = liveness.buffer_of.find(tensor_name);
  if (it == liveness.buffer_of.end())
    throw InternalError("tensor '" + tensor_name + "' has no arena placement");
  return layout.offsets[it->second];
}

MemoryPlan plan_memory(Graph& graph) {
  MemoryPlan plan;
  plan.liveness = compute_liveness(graph);
  plan.layout = plan_arena(plan.liveness.buffers);
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
    const KernelCall call = op_for(node).lower(node, graph);
    for (const KernelArg& arg : call.args)
      if (arg.kind == KernelArg::Kind::Input) add_weight(arg.tensor);
  }
  for (const std::string& name : graph.outputs) add_weight(name);
  int64_t flash_offset = 0;
  for (const std::string& name : weights) {
    Tensor& t = graph.tensor(name);
    t.placement = {"flash", flash_offset, align_up(t.bytes(), kArenaAlignment)};
    flash_offset += t.placement.size;
    plan.weight_bytes += t.bytes();
  }
  return plan;
}

}  // namespace kiln
