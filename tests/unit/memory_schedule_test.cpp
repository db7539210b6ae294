// Op scheduling for memory: reordering independent ops lowers the liveness peak (exact numbers
// on a hand-built graph and on a model, bit-exact generated C), an optimal given order is kept,
// the greedy fallback, determinism, and the code generator's check that it runs the plan's order.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "codegen/compile.hpp"
#include "codegen/generate_c.hpp"
#include "frontend/load_model.hpp"
#include "ir/error.hpp"
#include "memory/memory_plan.hpp"
#include "memory/schedule.hpp"
#include "ops/op_registry.hpp"
#include "passes/pipeline.hpp"
#include "verify/process.hpp"
#include "verify/verify.hpp"

namespace kiln {
namespace {

namespace fs = std::filesystem;

// A test-only op (domain "test.schedule") with its own buffer; only lowered, never executed.
void register_schedule_test_ops() {
  OpDef def;
  def.op_type = "Op";
  def.domain = "test.schedule";
  def.infer = [](const Node&, Graph&) {};
  def.lower = [](const Node& node, const Graph&) {
    KernelCall call("kiln_copy");
    for (const std::string& in : node.inputs) call.input(in);
    for (const std::string& out : node.outputs) call.output(out);
    return call;
  };
  register_op(def);
}
KILN_REGISTER_OPS(register_schedule_test_ops);

struct Builder {
  Graph g;
  Builder() {
    g.name = "schedule_test";
    g.shapes_inferred = true;
  }
  Builder& value(const std::string& name, int64_t elements) {
    Tensor t;
    t.name = name;
    t.shape = {elements};
    t.shape_known = true;
    g.add_tensor(t);
    return *this;
  }
  Builder& node(const std::string& name, std::vector<std::string> in,
                std::vector<std::string> out) {
    Node n;
    n.name = name;
    n.op_type = "Op";
    n.domain = "test.schedule";
    n.inputs = std::move(in);
    n.outputs = std::move(out);
    g.nodes.push_back(std::move(n));
    return *this;
  }
};

std::vector<std::string> node_names(const Graph& g) {
  std::vector<std::string> names;
  for (const Node& n : g.nodes) names.push_back(n.name);
  return names;
}

// Two branches x -> big -> small, listed breadth-first: both 4000-byte tensors are live at once.
Graph two_branches() {
  Builder b;
  b.value("x", 4).value("a1", 1000).value("b1", 1000).value("a2", 10).value("b2", 10);
  b.value("y", 4);
  b.node("a1", {"x"}, {"a1"}).node("b1", {"x"}, {"b1"});
  b.node("a2", {"a1"}, {"a2"}).node("b2", {"b1"}, {"b2"});
  b.node("y", {"a2", "b2"}, {"y"});
  b.g.inputs = {"x"};
  b.g.outputs = {"y"};
  b.g.verify();
  return b.g;
}

TEST(MemorySchedule, ReorderingIndependentBranchesLowersThePeak) {
  Graph g = two_branches();
  // Given order a1 b1 a2 b2: at a2, a1 + b1 + a2 = 4000 + 4000 + 40 bytes are live.
  EXPECT_EQ(modelled_peak(g), 8040);
  const Schedule schedule = schedule_for_memory(g);
  EXPECT_EQ(schedule.method, "exact");
  EXPECT_EQ(schedule.peak, 4080);  // b1 + a2 + b2 while b2 runs

  const MemoryPlan plan = plan_memory(g);
  EXPECT_EQ(plan.lower_bound_before, 8040);
  EXPECT_EQ(plan.lower_bound, 4080);
  EXPECT_TRUE(plan.reordered);
  EXPECT_EQ(node_names(g), (std::vector<std::string>{"a1", "a2", "b1", "b2", "y"}));
  EXPECT_EQ(plan.schedule, node_names(g));
  EXPECT_EQ(plan.arena_bytes, 4000 + 48 + 48);  // 40-byte tensors take 48 aligned bytes
  EXPECT_EQ(modelled_peak(g), 4080);
  EXPECT_NO_THROW(check_layout(plan.liveness.buffers, plan.layout));
}

TEST(MemorySchedule, NoReorderKeepsTheGivenOrder) {
  Graph g = two_branches();
  const MemoryPlan plan = plan_memory(g, {.reorder = false});
  EXPECT_FALSE(plan.reordered);
  EXPECT_EQ(plan.schedule_method, "given");
  EXPECT_EQ(node_names(g), (std::vector<std::string>{"a1", "b1", "a2", "b2", "y"}));
  EXPECT_EQ(plan.lower_bound, 8040);
}

TEST(MemorySchedule, AnOptimalGivenOrderIsKept) {
  // Already depth-first: nothing to gain, so the order must not change.
  Builder b;
  b.value("x", 4).value("a1", 1000).value("a2", 10).value("b1", 1000).value("b2", 10);
  b.value("y", 4);
  b.node("a1", {"x"}, {"a1"}).node("a2", {"a1"}, {"a2"});
  b.node("b1", {"x"}, {"b1"}).node("b2", {"b1"}, {"b2"});
  b.node("y", {"a2", "b2"}, {"y"});
  b.g.inputs = {"x"};
  b.g.outputs = {"y"};
  const std::vector<std::string> given = node_names(b.g);
  const MemoryPlan plan = plan_memory(b.g);
  EXPECT_FALSE(plan.reordered);
  EXPECT_EQ(node_names(b.g), given);
  EXPECT_EQ(plan.lower_bound, plan.lower_bound_before);
}

// k branches x -> big_i -> small_i, all bigs listed first; the sum of the smalls feeds the output.
Graph wide(int k) {
  Builder b;
  b.value("x", 4).value("y", 4);
  std::vector<std::string> smalls;
  for (int i = 0; i < k; ++i) {
    b.value("big" + std::to_string(i), 100 + i).value("small" + std::to_string(i), 1);
    b.node("big" + std::to_string(i), {"x"}, {"big" + std::to_string(i)});
  }
  for (int i = 0; i < k; ++i) {
    b.node("small" + std::to_string(i), {"big" + std::to_string(i)}, {"small" + std::to_string(i)});
    smalls.push_back("small" + std::to_string(i));
  }
  b.node("y", smalls, {"y"});
  b.g.inputs = {"x"};
  b.g.outputs = {"y"};
  b.g.verify();
  return b.g;
}

TEST(MemorySchedule, GreedyFallbackBeyondTheStateLimit) {
  const Graph g = wide(24);  // 2^24 subsets of branches: far beyond the exact search's limit
  EXPECT_EQ(modelled_peak(g), 4 * (24 * 100 + 23 * 24 / 2) + 4);  // all bigs at once
  // Plain greedy runs the branches depth-first, smallest first: at the last one, big23 (492
  // bytes), small23 and the 23 smalls made before it are live.
  const Schedule plain = schedule_for_memory(g, {.lookahead = false});
  EXPECT_EQ(plain.method, "greedy");
  EXPECT_EQ(plain.peak, 123 * 4 + 23 * 4 + 4);
  // With lookahead it sees that the largest branch goes first: then every step holds one big
  // plus the smalls made so far, at most big23 + small23.
  const Schedule greedy = schedule_for_memory(g);
  EXPECT_EQ(greedy.method, "greedy");
  EXPECT_EQ(greedy.peak, 123 * 4 + 4);
  // On a small instance the exact search agrees (and plain greedy does not).
  const Graph small = wide(6);
  const Schedule exact = schedule_for_memory(small);
  EXPECT_EQ(exact.method, "exact");
  EXPECT_EQ(exact.peak, 105 * 4 + 4);
  EXPECT_EQ(schedule_for_memory(small, {.max_states = 1}).peak, exact.peak);
  EXPECT_EQ(schedule_for_memory(small, {.max_states = 1, .lookahead = false}).peak,
            105 * 4 + 5 * 4 + 4);
}

TEST(MemorySchedule, PlansAreDeterministic) {
  for (int k : {5, 24}) {
    Graph first = wide(k);
    Graph second = wide(k);
    const MemoryPlan a = plan_memory(first);
    const MemoryPlan b = plan_memory(second);
    EXPECT_TRUE(a.reordered);
    EXPECT_EQ(a.schedule, b.schedule);
    EXPECT_EQ(a.layout.offsets, b.layout.offsets);
    EXPECT_EQ(a.arena_bytes, b.arena_bytes);
    EXPECT_NO_THROW(first.verify());
  }
}

// Random DAGs: the schedule is a valid order (Graph::verify), the layout is valid, and neither
// the bound nor the arena is worse than with the given order. The work is bounded, not timed: 30
// graphs of at most 41 nodes, each search capped by ScheduleOptions::max_states (past it the
// greedy pass). How long planning takes is measured by benchmarks/ (kiln_benchmarks).
TEST(MemorySchedule, RandomGraphsGetValidSchedulesNoWorseThanTheGivenOrder) {
  std::mt19937 random(20261204);
  int reordered = 0;
  for (int trial = 0; trial < 30; ++trial) {
    Builder b;
    const int n = 2 + static_cast<int>(random() % 40);
    b.value("x", 4);
    std::vector<std::string> values = {"x"};
    for (int i = 0; i < n; ++i) {
      const std::string name = "t" + std::to_string(i);
      b.value(name, 1 + static_cast<int64_t>(random() % 500));
      std::vector<std::string> in = {values[random() % values.size()]};
      if (random() % 3 == 0) in.push_back(values[random() % values.size()]);
      if (in.size() == 2 && in[0] == in[1]) in.pop_back();
      b.node(name, in, {name});
      values.push_back(name);
    }
    b.g.inputs = {"x"};
    b.g.outputs = {values.back()};
    b.g.verify();
    Graph given = b.g;
    const MemoryPlan kept = plan_memory(given, {.reorder = false});
    Graph g = b.g;
    const MemoryPlan plan = plan_memory(g);
    ASSERT_NO_THROW(g.verify()) << "trial " << trial;
    ASSERT_NO_THROW(check_layout(plan.liveness.buffers, plan.layout)) << "trial " << trial;
    EXPECT_EQ(plan.schedule, node_names(g));
    EXPECT_LE(plan.arena_bytes, kept.arena_bytes) << "trial " << trial;
    EXPECT_EQ(plan.lower_bound_before, kept.lower_bound_before);
    if (plan.reordered) {
      EXPECT_LT(plan.arena_bytes, kept.arena_bytes) << "trial " << trial;
      ++reordered;
    }
  }
  EXPECT_GT(reordered, 5);  // random DAGs usually leave something to gain
}

TEST(MemorySchedule, CodeGeneratorRefusesAPlanForAnotherOrder) {
  Graph g = two_branches();
  MemoryPlan plan = plan_memory(g);
  std::swap(plan.schedule[1], plan.schedule[2]);
  EXPECT_THROW(generate_c(g, plan, {}), InternalError);
}

// The same on a real model: two conv -> GlobalAveragePool branches listed breadth-first.
TEST(MemorySchedule, BranchModelIsReorderedAndBitExact) {
  const std::string model = std::string(KILN_SOURCE_DIR) + "/tests/data/memory/branches.onnx";
  Graph g = load_model(model);
  optimize(g);
  const MemoryPlan plan = plan_memory(g);
  // Given order: both 16x8x8 float conv outputs (4096 bytes each) and a pooled 64 bytes.
  EXPECT_EQ(plan.lower_bound_before, 4096 * 2 + 64);
  // One branch at a time. The peak is at the second pool (first pool's output, second conv's
  // output and its pool's), which runs with a lag: its 64-byte output starts 16 bytes below
  // its input and shares 48 bytes with it.
  EXPECT_EQ(plan.lower_bound, 64 + 4096 + 64 - 48);
  EXPECT_TRUE(plan.reordered);
  EXPECT_EQ(node_names(g),
            (std::vector<std::string>{"conv_a", "pool_a", "conv_b", "pool_b", "add"}));

  if (!run_process({"sh", "-c", "command -v cc"}).ok()) GTEST_SKIP() << "no host C compiler";
  VerifyOptions options;
  options.count = 2;
  const VerifyResult result = verify_model(model, options);
  EXPECT_TRUE(result.passed()) << result.summary();
  EXPECT_EQ(result.arena_lower_bound, plan.lower_bound);
}

}  // namespace
}  // namespace kiln
