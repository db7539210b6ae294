// Memory planner: liveness, in-place aliasing, arena packing and the lower-bound requirement on
// the MLPerf Tiny models.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "frontend/load_model.hpp"
#include "ir/error.hpp"
#include "memory/memory_plan.hpp"
#include "ops/op_registry.hpp"
#include "passes/pipeline.hpp"

namespace kiln {
namespace {

// Test-only ops (domain "test.memory") with each in-place behaviour; they are never executed,
// only lowered (to find weights), so any kernel name will do.
void register_memory_test_ops() {
  auto make = [](const std::string& type, InPlace in_place) {
    OpDef def;
    def.op_type = type;
    def.domain = "test.memory";
    def.in_place = in_place;
    def.infer = [](const Node&, Graph&) {};
    def.lower = [](const Node& node, const Graph&) {
      KernelCall call("kiln_copy");
      for (const std::string& in : node.inputs) call.input(in);
      for (const std::string& out : node.outputs) call.output(out);
      return call;
    };
    register_op(def);
  };
  make("Unary", InPlace::None);
  make("Elem", InPlace::Elementwise);
  make("View", InPlace::View);
}
KILN_REGISTER_OPS(register_memory_test_ops);

struct GraphBuilder {
  Graph g;
  GraphBuilder() {
    g.name = "memory_test";
    g.shapes_inferred = true;
  }
  GraphBuilder& value(const std::string& name, int64_t elements) {
    Tensor t;
    t.name = name;
    t.shape = {elements};
    t.shape_known = true;
    g.add_tensor(t);
    return *this;
  }
  GraphBuilder& constant(const std::string& name, int64_t elements) {
    std::vector<float> values(static_cast<size_t>(elements), 1.0f);
    g.add_tensor(make_constant<float>(name, DType::Float32, {elements}, values));
    return *this;
  }
  GraphBuilder& node(const std::string& op, std::vector<std::string> in,
                     std::vector<std::string> out) {
    Node n;
    n.name = "n" + std::to_string(g.nodes.size());
    n.op_type = op;
    n.domain = "test.memory";
    n.inputs = std::move(in);
    n.outputs = std::move(out);
    g.nodes.push_back(std::move(n));
    return *this;
  }
};

TEST(MemoryPlan, ChainReusesMemoryOfDeadTensors) {
  GraphBuilder b;
  b.value("x", 100).value("a", 1000).value("b", 10).value("c", 1000).value("y", 5);
  b.node("Unary", {"x"}, {"a"}).node("Unary", {"a"}, {"b"}).node("Unary", {"b"}, {"c"});
  b.node("Unary", {"c"}, {"y"});
  b.g.inputs = {"x"};
  b.g.outputs = {"y"};
  b.g.verify();
  MemoryPlan plan = plan_memory(b.g);
  EXPECT_EQ(plan.lower_bound, 4000 + 40);
  EXPECT_EQ(plan.arena_bytes, 4000 + 48);  // b rounded up to the 16-byte alignment
  EXPECT_EQ(b.g.tensor("a").placement.offset, b.g.tensor("c").placement.offset);
  EXPECT_EQ(b.g.tensor("a").placement.region, "arena");
  EXPECT_EQ(b.g.tensor("x").placement.region, "io");
  EXPECT_EQ(b.g.tensor("y").placement.region, "io");
  EXPECT_EQ(plan.io_bytes, 420);
  EXPECT_EQ(plan.liveness.buffers.size(), 3u);
}

TEST(MemoryPlan, ViewSharesItsInputsBufferForTheUnionOfLifetimes) {
  GraphBuilder b;
  b.value("x", 4).value("a", 64).value("v", 64).value("z", 64).value("y", 4);
  b.node("Unary", {"x"}, {"a"}).node("View", {"a"}, {"v"}).node("Unary", {"v"}, {"z"});
  b.node("Unary", {"z", "a"}, {"y"});  // a is still read after the view
  b.g.inputs = {"x"};
  b.g.outputs = {"y"};
  MemoryPlan plan = plan_memory(b.g);
  EXPECT_EQ(b.g.tensor("v").placement.offset, b.g.tensor("a").placement.offset);
  const ArenaBuffer& shared = plan.liveness.buffers[plan.liveness.buffer_of.at("a")];
  EXPECT_EQ(shared.first_step, 0);
  EXPECT_EQ(shared.last_step, 3);
  EXPECT_NE(b.g.tensor("z").placement.offset, b.g.tensor("a").placement.offset);
  EXPECT_EQ(plan.lower_bound, 2 * 256);
}

TEST(MemoryPlan, ViewsOfGraphInputsAndOutputsAreNotAliased) {
  GraphBuilder b;
  b.value("x", 8).value("v", 8).value("a", 8).value("y", 8);
  b.node("View", {"x"}, {"v"}).node("Unary", {"v"}, {"a"}).node("View", {"a"}, {"y"});
  b.g.inputs = {"x"};
  b.g.outputs = {"y"};
  MemoryPlan plan = plan_memory(b.g);
  // The view of the read-only input gets its own arena copy; the graph output stays in io.
  EXPECT_EQ(b.g.tensor("v").placement.region, "arena");
  EXPECT_EQ(b.g.tensor("a").placement.region, "arena");
  EXPECT_EQ(b.g.tensor("y").placement.region, "io");
  EXPECT_EQ(plan.liveness.buffers.size(), 2u);
}

TEST(MemoryPlan, ElementwiseTakesOverAnInputThatDiesThere) {
  GraphBuilder b;
  b.value("x", 4).value("a", 32).value("e", 32).value("y", 4).constant("w", 32);
  b.node("Unary", {"x"}, {"a"}).node("Elem", {"a", "w"}, {"e"}).node("Unary", {"e"}, {"y"});
  b.g.inputs = {"x"};
  b.g.outputs = {"y"};
  MemoryPlan plan = plan_memory(b.g);
  EXPECT_EQ(plan.liveness.buffers.size(), 1u);
  EXPECT_EQ(b.g.tensor("e").placement.offset, b.g.tensor("a").placement.offset);
  EXPECT_EQ(plan.arena_bytes, 128);
  EXPECT_EQ(b.g.tensor("w").placement.region, "flash");
  EXPECT_EQ(plan.weight_bytes, 128);
}

TEST(MemoryPlan, ElementwiseKeepsInputsThatLiveOnOrAreBroadcast) {
  GraphBuilder b;
  b.value("x", 4).value("small", 4).value("big", 32).value("e", 32).value("y", 4);
  b.node("Unary", {"x"}, {"small"}).node("Unary", {"x"}, {"big"});
  b.node("Elem", {"small", "big"}, {"e"});  // small dies here but is broadcast
  b.node("Unary", {"e", "big"}, {"y"});     // big lives on
  b.g.inputs = {"x"};
  b.g.outputs = {"y"};
  MemoryPlan plan = plan_memory(b.g);
  EXPECT_EQ(plan.liveness.buffers.size(), 3u);
  EXPECT_NE(b.g.tensor("e").placement.offset, b.g.tensor("big").placement.offset);
  EXPECT_NE(b.g.tensor("e").placement.offset, b.g.tensor("small").placement.offset);
}

TEST(MemoryPlan, ElementwiseNeverWritesIntoGraphInputs) {
  GraphBuilder b;
  b.value("x", 16).value("e", 16).value("y", 16);
  b.node("Elem", {"x"}, {"e"}).node("Unary", {"e"}, {"y"});
  b.g.inputs = {"x"};
  b.g.outputs = {"y"};
  MemoryPlan plan = plan_memory(b.g);
  EXPECT_EQ(b.g.tensor("e").placement.region, "arena");
  EXPECT_EQ(plan.arena_bytes, 64);
}

TEST(MemoryPlan, UnreadOutputsStillGetStorage) {
  GraphBuilder b;
  b.value("x", 4).value("a", 4).value("unused", 40).value("y", 4);
  b.node("Unary", {"x"}, {"a", "unused"}).node("Unary", {"a"}, {"y"});
  b.g.inputs = {"x"};
  b.g.outputs = {"y"};
  MemoryPlan plan = plan_memory(b.g);
  EXPECT_EQ(b.g.tensor("unused").placement.region, "arena");
  EXPECT_EQ(plan.lower_bound, 16 + 160);
  EXPECT_EQ(plan.arena_bytes, 16 + 160);
}

TEST(ArenaPlanner, CheckLayoutRejectsOverlaps) {
  std::vector<ArenaBuffer> buffers = {{{"a"}, 64, 0, 2}, {{"b"}, 64, 1, 3}};
  EXPECT_THROW(check_layout(buffers, ArenaLayout{{0, 32}, 128, "bad"}), InternalError);
  EXPECT_THROW(check_layout(buffers, ArenaLayout{{0, 8}, 128, "misaligned"}), InternalError);
  EXPECT_NO_THROW(check_layout(buffers, ArenaLayout{{0, 64}, 128, "good"}));
}

TEST(ArenaPlanner, RandomProblemsGiveValidLayoutsAboveTheLowerBound) {
  std::mt19937 random(7);
  for (int trial = 0; trial < 200; ++trial) {
    const int steps = 1 + static_cast<int>(random() % 30);
    const int count = 1 + static_cast<int>(random() % 40);
    Liveness liveness;
    liveness.steps = steps;
    for (int i = 0; i < count; ++i) {
      const int first = static_cast<int>(random() % steps);
      const int last = first + static_cast<int>(random() % (steps - first));
      const int64_t bytes = 1 + static_cast<int64_t>(random() % 5000);
      liveness.buffers.push_back({{"t" + std::to_string(i)}, bytes, first, last});
    }
    const ArenaLayout layout = plan_arena(liveness.buffers);
    ASSERT_NO_THROW(check_layout(liveness.buffers, layout));
    EXPECT_GE(layout.arena_bytes, liveness_lower_bound(liveness));
    int64_t total = 0;
    for (const ArenaBuffer& buffer : liveness.buffers) total += align_up(buffer.bytes, 16);
    EXPECT_LE(layout.arena_bytes, total);
  }
}

// The requirement: planned arena within 5% of the liveness lower bound on the MLPerf Tiny models.
TEST(MemoryPlan, MlperfTinyArenasAreWithinFivePercentOfTheLowerBound) {
  const std::filesystem::path dir =
      std::filesystem::path(KILN_SHARED_DIR) / "models/mlperf-tiny/onnx";
  int planned = 0;
  for (const char* model :
       {"resnet8_fp32", "vww96_fp32", "ad01_fp32", "kws_int8", "streaming_ww_int8", "ad01_int8"}) {
    const std::filesystem::path path = dir / (std::string(model) + ".onnx");
    if (!std::filesystem::exists(path)) continue;
    Graph graph = load_model(path.string());
    optimize(graph);
    const MemoryPlan plan = plan_memory(graph);
    EXPECT_GT(plan.lower_bound, 0) << model;
    EXPECT_LE(static_cast<double>(plan.arena_bytes), 1.05 * static_cast<double>(plan.lower_bound))
        << model << ": arena " << plan.arena_bytes << " vs lower bound " << plan.lower_bound;
    ASSERT_NO_THROW(check_layout(plan.liveness.buffers, plan.layout)) << model;
    for (const auto& [name, t] : graph.tensors)
      if (t.placement.region == "arena")
        EXPECT_LE(t.placement.offset + t.bytes(), plan.arena_bytes) << model << " " << name;
    ++planned;
  }
  if (planned == 0) GTEST_SKIP() << "MLPerf Tiny models not found under " << dir;
}

}  // namespace
}  // namespace kiln
