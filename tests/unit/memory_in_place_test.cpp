// In-place execution: plane-wise ops (depthwise convolution, pooling) writing their output over
// their dying input with a lag, element-wise ops over a same-size dying input. The lag for each
// kernel's loop order, the tie in the layout (check_layout), the lower bound, and bit-exact
// generated C (float model with every kind of lag; int8 depthwise convolutions of kws_int8).
#include <gtest/gtest.h>

#include <filesystem>

#include "codegen/compile.hpp"
#include "codegen/generate_c.hpp"
#include "frontend/load_model.hpp"
#include "ir/error.hpp"
#include "memory/memory_plan.hpp"
#include "passes/pipeline.hpp"
#include "quant/quantize.hpp"
#include "quant_int16_chain.hpp"
#include "verify/process.hpp"
#include "verify/verify.hpp"

namespace kiln {
namespace {

namespace fs = std::filesystem;

const std::string kPlanes = std::string(KILN_SOURCE_DIR) + "/tests/data/memory/planes.onnx";

const Node& node_named(const Graph& g, const std::string& name) {
  for (const Node& n : g.nodes)
    if (n.name == name) return n;
  throw std::runtime_error("no node " + name);
}

bool have_cc() {
  return run_process({"sh", "-c", "command -v cc"}).ok();
}

TEST(MemoryInPlace, PlaneLagFollowsTheKernelLoopOrder) {
  Graph g = load_model(kPlanes);
  optimize(g);
  // 6 float planes per tensor. Lag = out_plane + max(0, 5 * (out_plane - in_plane)), rounded up
  // to 16: output plane k must end before input plane k starts for every k.
  EXPECT_EQ(plane_lag(node_named(g, "dw_same"), g, 16), 400);                   // 10x10 -> 10x10
  EXPECT_EQ(plane_lag(node_named(g, "dw_stride2"), g, 16), 64);                 // 10x10 -> 4x4
  EXPECT_EQ(plane_lag(node_named(g, "dw_grow"), g, 16), 256 + 5 * (256 - 64));  // 4x4 -> 8x8
  EXPECT_EQ(plane_lag(node_named(g, "maxpool"), g, 16), 64);                    // 8x8 -> 4x4
  EXPECT_EQ(plane_lag(node_named(g, "avgpool"), g, 16), 64);                    // 4x4 -> 4x4
  EXPECT_EQ(plane_lag(node_named(g, "gap"), g, 16), 16);  // one float per plane
  EXPECT_EQ(plane_lag(node_named(g, "dw_same"), g, 1), 400);
  EXPECT_EQ(plane_lag(node_named(g, "gap"), g, 1), 4);
  // A full convolution reads every input plane for each output plane: never plane-wise.
  EXPECT_FALSE(plane_lag(node_named(g, "pointwise"), g, 16).has_value());
  EXPECT_FALSE(plane_lag(node_named(g, "add"), g, 16).has_value());
  EXPECT_TRUE(kernel_processes_planes_in_order("kiln_conv_s8"));
  EXPECT_FALSE(kernel_processes_planes_in_order("kiln_gemm_s8"));
}

// The int16 pools loop over planes like the int8 ones: their lags count 2-byte elements.
TEST(MemoryInPlace, Int16PoolsArePlaneWise) {
  const Graph reference = pass_test::int16_op_chain();
  Graph g = reference;
  QuantizeOptions o;
  o.enabled = true;
  o.progress = false;
  o.defaults.activations = DType::Int16;
  quantize_graph(g, o, {pass_test::random_inputs(reference, 3)});
  auto op = [&](const char* type) -> const Node& {
    for (const Node& n : g.nodes)
      if (n.op_type == type) return n;
    throw std::runtime_error(std::string("no ") + type);
  };
  EXPECT_TRUE(kernel_processes_planes_in_order("kiln_max_pool_s16"));
  EXPECT_TRUE(kernel_processes_planes_in_order("kiln_average_pool_s16"));
  EXPECT_TRUE(kernel_processes_planes_in_order("kiln_global_average_pool_s16"));
  EXPECT_EQ(plane_lag(op("MaxPool"), g, 1), 32);           // 8x8 -> 4x4 int16: 32-byte planes
  EXPECT_EQ(plane_lag(op("AveragePool"), g, 1), 32);       // 4x4 -> 4x4
  EXPECT_EQ(plane_lag(op("GlobalAveragePool"), g, 1), 2);  // 6x6 -> one int16 per plane
  EXPECT_EQ(plane_lag(op("GlobalMaxPool"), g, 16), 16);
}

TEST(MemoryInPlace, TiedBuffersSitTheirLagBelowTheirInput) {
  Graph g = load_model(kPlanes);
  optimize(g);
  const MemoryPlan plan = plan_memory(g, {.keep_all_ties = true});
  // avgpool's input p1 is read again by add, so it cannot be overwritten there.
  EXPECT_EQ(plan.liveness.lagged_nodes,
            (std::vector<std::string>{"dw_same", "dw_stride2", "dw_grow", "maxpool", "gap"}));
  // Relu over avgpool's output and Add over Relu's output (p1 dies there too).
  EXPECT_EQ(plan.liveness.elementwise_in_place, 2);
  EXPECT_EQ(g.tensor("r").placement.offset, g.tensor("p2").placement.offset);
  EXPECT_EQ(g.tensor("a").placement.offset, g.tensor("r").placement.offset);
  auto offset = [&](const char* name) { return g.tensor(name).placement.offset; };
  EXPECT_EQ(offset("d1"), offset("c0") - 400);
  EXPECT_EQ(offset("d2"), offset("d1") - 64);
  EXPECT_EQ(offset("d3"), offset("d2") - 1216);
  EXPECT_EQ(offset("p1"), offset("d3") - 64);
  EXPECT_EQ(offset("g"), offset("a") - 16);
  EXPECT_NO_THROW(check_layout(plan.liveness.buffers, plan.layout));
  // Baseline: c0 + d1 = 2 * 2400 bytes. With the lag, d1 overlaps c0 but for 400 bytes.
  EXPECT_EQ(plan.lower_bound_before, 4800);
  EXPECT_EQ(plan.lower_bound, 2800);
  // Every tie kept makes the chain drift down by each lag; packing then misses the bound, which
  // is why the default plan keeps only the ties at the peak (next test).
  EXPECT_GE(plan.arena_bytes, plan.lower_bound);

  // Without in-place execution every output has its own buffer.
  Graph plain = load_model(kPlanes);
  optimize(plain);
  const MemoryPlan none = plan_memory(plain, {.in_place = false});
  EXPECT_TRUE(none.liveness.lagged_nodes.empty());
  EXPECT_EQ(none.liveness.elementwise_in_place, 0);
  EXPECT_EQ(none.lower_bound, 4800);
}

TEST(MemoryInPlace, OnlyTiesThatLowerThePeakAreKeptByDefault) {
  Graph g = load_model(kPlanes);
  optimize(g);
  const MemoryPlan plan = plan_memory(g);
  // Only dw_same's step (c0 + d1) is at the peak; the others would just constrain packing.
  EXPECT_EQ(plan.liveness.lagged_nodes, (std::vector<std::string>{"dw_same"}));
  EXPECT_EQ(plan.lower_bound, 2800);
  EXPECT_EQ(plan.arena_bytes, 2800);
}

TEST(MemoryInPlace, CodeGeneratorRefusesALagForAnotherKernel) {
  Graph g = load_model(kPlanes);
  optimize(g);
  MemoryPlan plan = plan_memory(g, {.keep_all_ties = true});
  EXPECT_NO_THROW(generate_c(g, plan, {}));
  // Add's kiln_binary_f32 is not known to process planes in order.
  plan.liveness.lagged_nodes.push_back("add");
  EXPECT_THROW(generate_c(g, plan, {}), InternalError);
}

TEST(MemoryInPlace, CheckLayoutEnforcesTies) {
  ArenaBuffer in{{"in"}, 256, 0, 1};
  ArenaBuffer out{{"out"}, 256, 1, 2};
  out.tied_to = 0;
  out.tie_shift = -64;
  out.tied_by = "dw";
  const std::vector<ArenaBuffer> buffers = {in, out};
  EXPECT_NO_THROW(check_layout(buffers, ArenaLayout{{64, 0}, 320, "tied"}));
  // Overlapping, but not at the tie's offset.
  EXPECT_THROW(check_layout(buffers, ArenaLayout{{32, 0}, 320, "wrong"}), InternalError);
  // Disjoint is still wrong: the kernel call was generated for the tied position.
  EXPECT_THROW(check_layout(buffers, ArenaLayout{{256, 0}, 512, "apart"}), InternalError);
  // Without the tie the same overlap is a conflict.
  std::vector<ArenaBuffer> untied = buffers;
  untied[1].tied_to = -1;
  EXPECT_THROW(check_layout(untied, ArenaLayout{{64, 0}, 320, "untied"}), InternalError);
  // A tie to a buffer that is still read after the tied one is written is rejected.
  std::vector<ArenaBuffer> late = buffers;
  late[0].last_step = 2;
  EXPECT_THROW(check_layout(late, ArenaLayout{{64, 0}, 320, "late"}), InternalError);

  Liveness liveness;
  liveness.buffers = buffers;
  liveness.steps = 3;
  EXPECT_EQ(liveness_lower_bound(liveness), 256 + 64);  // they share 192 bytes at step 1
  const ArenaLayout planned = plan_arena(buffers);
  EXPECT_EQ(planned.arena_bytes, 320);
  EXPECT_EQ(planned.offsets[1], planned.offsets[0] - 64);
}

TEST(MemoryInPlace, FloatPlaneWiseModelIsBitExactWithEveryLag) {
  if (!have_cc()) GTEST_SKIP() << "no host C compiler (cc)";
  VerifyOptions options;
  options.count = 3;
  options.compile.memory.keep_all_ties = true;
  const VerifyResult result = verify_model(kPlanes, options);
  EXPECT_TRUE(result.passed()) << result.summary();
  EXPECT_EQ(result.arena_lower_bound, 2800);
}

// kws_int8: its four int8 depthwise convolutions (kiln_conv_s8, group == channels) and its
// average pool each run with a lag.
TEST(MemoryInPlace, Int8DepthwiseKwsIsBitExactWithLags) {
  const fs::path model = fs::path(KILN_SHARED_DIR) / "models/mlperf-tiny/onnx/kws_int8.onnx";
  if (!fs::exists(model)) GTEST_SKIP() << model << " not found";
  Graph g = load_model(model.string());
  optimize(g);
  const MemoryPlan plan = plan_memory(g, {.keep_all_ties = true});
  ASSERT_EQ(plan.liveness.lagged_nodes.size(), 5u);
  EXPECT_NO_THROW(check_layout(plan.liveness.buffers, plan.layout));
  int depthwise = 0;
  for (const std::string& name : plan.liveness.lagged_nodes) {
    const Node& node = node_named(g, name);
    const Tensor& x = g.tensor(node.inputs[0]);
    const Tensor& y = g.tensor(node.outputs[0]);
    // 64 planes of 25x5 int8: a depthwise output starts one plane (125 bytes, rounded to 128)
    // below its input; the pool's 1-byte planes need one alignment unit.
    const int64_t lag = node.op_type == "Conv" ? 128 : 16;
    EXPECT_EQ(x.placement.offset - y.placement.offset, lag) << name;
    if (node.op_type == "Conv") ++depthwise;
  }
  EXPECT_EQ(depthwise, 4);
  if (!have_cc()) GTEST_SKIP() << "no host C compiler (cc)";
  VerifyOptions options;
  options.count = 3;
  options.compile.memory.keep_all_ties = true;
  const VerifyResult result = verify_model(model.string(), options);
  EXPECT_TRUE(result.passed()) << result.summary();
}

}  // namespace
}  // namespace kiln
