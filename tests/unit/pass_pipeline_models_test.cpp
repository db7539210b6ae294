// Runs the default pipeline over the MLPerf Tiny float models: every pass must keep the graph
// verifiable, activations must be fused into the Conv/Gemm before them, and the optimized graph
// must compute what the loaded graph computes. (These exports carry no BatchNormalization:
// tf2onnx already folded it; the fold-batch-norm tests cover that pass.)
#include <gtest/gtest.h>

#include <filesystem>

#include "frontend/load_model.hpp"
#include "pass_test_util.hpp"
#include "passes/pipeline.hpp"

namespace kiln {
namespace {

using pass_test::count_ops;

std::string model_path(const std::string& file) {
  return std::string(KILN_SHARED_DIR) + "/models/mlperf-tiny/onnx/" + file;
}

int count_activations(const Graph& g) {
  int n = 0;
  for (const char* op :
       {"Relu", "Clip", "LeakyRelu", "HardSwish", "Sigmoid", "HardSigmoid", "Tanh"})
    n += count_ops(g, op);
  return n;
}

int count_fused(const Graph& g) {
  int n = 0;
  for (const Node& node : g.nodes) n += node.activation.kind != Activation::None;
  return n;
}

// Loads, optimizes pass by pass (verifying after each) and compares results.
Graph optimize_and_compare(const std::string& file, Graph* loaded = nullptr) {
  const std::string path = model_path(file);
  Graph before = load_model(path);
  EXPECT_NO_THROW(before.verify());
  Graph after = before;
  for (const Pass& pass : default_pipeline()) {
    pass.run(after);
    EXPECT_NO_THROW(after.verify()) << "after pass " << pass.name;
  }
  Graph reinferred = after;
  EXPECT_NO_THROW(infer_shapes(reinferred));
  EXPECT_EQ(after.outputs, before.outputs);
  for (unsigned seed : {1u, 2u})
    EXPECT_LE(pass_test::compare_runs(before, after, seed), 1e-5) << file << " seed " << seed;
  if (loaded) *loaded = before;
  return after;
}

#define KILN_REQUIRE_MODEL(file)                               \
  do {                                                         \
    if (!std::filesystem::exists(model_path(file)))            \
      GTEST_SKIP() << "model not found: " << model_path(file); \
  } while (0)

TEST(PassPipelineModels, Resnet8) {
  KILN_REQUIRE_MODEL("resnet8_fp32.onnx");
  Graph before;
  const Graph after = optimize_and_compare("resnet8_fp32.onnx", &before);
  EXPECT_EQ(count_ops(after, "BatchNormalization"), 0);
  // 7 Relus: 4 follow a Conv and are fused; 3 follow a residual Add and are fused when the Add
  // kernel applies activations.
  EXPECT_EQ(count_activations(before), 7);
  const OpDef* add = find_op("", "Add");
  ASSERT_NE(add, nullptr);
  const int expected_fused = 4 + (add->accepts_activation ? 3 : 0);
  EXPECT_EQ(count_fused(after), expected_fused);
  EXPECT_EQ(count_activations(after), 7 - expected_fused);
  EXPECT_EQ(after.nodes.size(), before.nodes.size() - expected_fused);
}

TEST(PassPipelineModels, VisualWakeWords) {
  KILN_REQUIRE_MODEL("vww96_fp32.onnx");
  Graph before;
  const Graph after = optimize_and_compare("vww96_fp32.onnx", &before);
  EXPECT_EQ(count_ops(after, "BatchNormalization"), 0);
  // All 27 Relus follow a Conv.
  EXPECT_EQ(count_activations(before), 27);
  EXPECT_EQ(count_fused(after), 27);
  EXPECT_EQ(count_activations(after), 0);
  EXPECT_EQ(after.nodes.size(), before.nodes.size() - 27);
}

TEST(PassPipelineModels, AnomalyDetection) {
  KILN_REQUIRE_MODEL("ad01_fp32.onnx");
  Graph before;
  const Graph after = optimize_and_compare("ad01_fp32.onnx", &before);
  EXPECT_EQ(count_ops(after, "BatchNormalization"), 0);
  // 10 Gemms, 9 of them followed by a Relu.
  EXPECT_EQ(count_activations(before), 9);
  EXPECT_EQ(count_fused(after), 9);
  EXPECT_EQ(count_activations(after), 0);
  EXPECT_EQ(after.nodes.size(), 10u);
}

}  // namespace
}  // namespace kiln
