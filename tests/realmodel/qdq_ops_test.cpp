// Pre-quantized QDQ ops against ONNX Runtime (tests/data/qdq, written by make_qdq_models.py
// there): one quantized op per model. ONNX Runtime (default optimization level) fuses most into
// its QLinear* kernels, several of which compute in float32: QLinearAveragePool (dequantize, sum,
// divide, add the zero point, round), QLinearAdd (two fused multiply-adds), QLinearConcat and a
// DequantizeLinear -> QuantizeLinear pair (dequantize, divide by the output scale), Sub
// unfused in float32. kiln's "single" requantization (the default for pre-quantized ONNX)
// reproduces each with integers (kiln_softfloat.h, tables for int8 -> int8 requantization), so
// every element must be equal, through the interpreter and through the generated C. TFLite's
// arithmetic (`--requant fixed`) is measured beside it.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>

#include "frontend/load_model.hpp"
#include "interpreter/interpreter.hpp"
#include "ort_reference.hpp"
#include "passes/pipeline.hpp"
#include "realmodel_util.hpp"
#include "verify/tensor_io.hpp"
#include "verify/verify.hpp"

namespace kiln::realmodel {
namespace {

class QdqOpVsOnnxRuntime : public ::testing::TestWithParam<const char*> {};

int64_t equal_elements(const std::vector<TensorMap>& results, const std::string& output,
                       const std::vector<std::vector<Tensor>>& expected, int64_t* total) {
  int64_t equal = 0;
  *total = 0;
  for (size_t s = 0; s < results.size(); ++s) {
    const Tensor& actual = results[s].at(output);
    const Tensor& reference = expected[s].at(0);
    EXPECT_EQ(actual.elements(), reference.elements());
    for (int64_t i = 0; i < std::min(actual.elements(), reference.elements()); ++i, ++*total)
      if (element_as_int(actual, i) == element_as_int(reference, i)) ++equal;
  }
  return equal;
}

std::string stem_of(const char* file) {
  const std::string name = file;
  return name.substr(0, name.find('.'));
}

// kiln vs ONNX Runtime's committed integers (tests/data/ort_int8): needs no ONNX Runtime.
TEST_P(QdqOpVsOnnxRuntime, EqualsOnnxRuntimeReferenceBitForBit) {
  const OrtReference reference = load_ort_reference(stem_of(GetParam()));
  const fs::path& model = reference.model;
  ASSERT_TRUE(fs::exists(model)) << model;
  Graph graph = load_model(model.string());
  optimize(graph);
  PipelineOptions fixed_options;
  fixed_options.qdq_requant = "fixed";
  Graph fixed = load_model(model.string());
  optimize(fixed, fixed_options);

  const std::vector<std::vector<Tensor>>& samples = reference.inputs;
  const std::vector<std::vector<Tensor>>& expected = reference.ort_all;
  std::vector<TensorMap> results, fixed_results;
  for (const std::vector<Tensor>& sample : samples) {
    TensorMap feeds;
    for (const Tensor& input : sample) feeds.emplace(input.name, input);
    results.push_back(run_graph(graph, feeds));
    fixed_results.push_back(run_graph(fixed, feeds));
  }
  int64_t total = 0;
  const int64_t equal = equal_elements(results, graph.outputs[0], expected, &total);
  int64_t fixed_total = 0;
  const int64_t fixed_equal =
      equal_elements(fixed_results, fixed.outputs[0], expected, &fixed_total);
  std::cout << GetParam() << ": kiln (single) vs ONNX Runtime " << equal << "/" << total
            << " elements equal; with --requant fixed " << fixed_equal << "/" << fixed_total
            << " (reference: " << ort_reference_provenance() << ")\n";
  EXPECT_EQ(equal, total);
  EXPECT_GT(total, 0);

  // Generated C: bit-exact with the interpreter and with ONNX Runtime.
  TempDir data(std::string("qdq-op-data-") + GetParam());
  for (size_t s = 0; s < samples.size(); ++s) {
    const fs::path set_dir = data.path() / ("test_data_set_" + std::to_string(s));
    fs::create_directories(set_dir);
    for (size_t i = 0; i < samples[s].size(); ++i)
      write_tensor_pb(set_dir / ("input_" + std::to_string(i) + ".pb"), samples[s][i]);
    Tensor output = expected[s][0];
    output.shape = graph.tensor(graph.outputs[0]).shape;
    write_tensor_pb(set_dir / "output_0.pb", output);
  }
  VerifyOptions options;
  options.inputs_dir = data.path();
  options.rtol = 0.0;
  options.atol = 0.0;
  options.check_unoptimized = false;
  const VerifyResult verify = verify_model(model.string(), options);
  EXPECT_TRUE(verify.passed()) << verify.summary();
  EXPECT_EQ(static_cast<int>(verify.cases.size()), static_cast<int>(samples.size()));
}

// Whether the model multiplies int8 tensors (Conv, Gemm, MatMul): only those run through the
// int8 matrix kernels whose results depend on the CPU.
bool uses_int8_products(const fs::path& model) {
  const Graph loaded = load_model(model.string());
  return std::any_of(loaded.nodes.begin(), loaded.nodes.end(), [](const Node& node) {
    return node.op_type == "Conv" || node.op_type == "Gemm" || node.op_type == "MatMul";
  });
}

// The ONNX Runtime installed here on the same inputs: held to bit-exactness unless the model
// multiplies int8 tensors and the probe shows this CPU's ONNX Runtime kernels do not compute the
// specification (then measured and explained).
TEST_P(QdqOpVsOnnxRuntime, LiveOnnxRuntimeEqualsKilnWhereItsInt8KernelsAreExact) {
  KILN_REQUIRE_ORT();
  const OrtReference reference = load_ort_reference(stem_of(GetParam()));
  Graph graph = load_model(reference.model.string());
  optimize(graph);
  TempDir work(std::string("qdq-op-live-") + GetParam());
  const std::vector<std::vector<Tensor>> live =
      run_ort_typed(reference.model, reference.inputs, work.path(), "all");
  std::vector<TensorMap> results;
  for (const std::vector<Tensor>& sample : reference.inputs) {
    TensorMap feeds;
    for (const Tensor& input : sample) feeds.emplace(input.name, input);
    results.push_back(run_graph(graph, feeds));
  }
  int64_t total = 0;
  const int64_t equal = equal_elements(results, graph.outputs[0], live, &total);
  std::cout << GetParam() << ": kiln vs the live ONNX Runtime " << equal << "/" << total
            << " elements equal\n";
  if (uses_int8_products(reference.model)) {
    const OrtInt8Probe& probe = probe_live_ort_int8();
    if (!probe.exact) {
      std::cout << GetParam()
                << ": not held to bit-exactness on this machine: " << probe.explanation << "\n";
      return;
    }
  }
  EXPECT_EQ(equal, total);
}

INSTANTIATE_TEST_SUITE_P(Models, QdqOpVsOnnxRuntime,
                         ::testing::Values("avgpool_same_params.onnx", "avgpool_rescale.onnx",
                                           "avgpool_3x3_pad.onnx", "avgpool_count_include_pad.onnx",
                                           "op_add.onnx", "op_add_broadcast.onnx", "op_sub.onnx",
                                           "op_mul.onnx", "op_concat.onnx", "op_sigmoid.onnx",
                                           "op_tanh.onnx", "op_softmax.onnx", "op_relu.onnx",
                                           "op_leaky_relu.onnx", "op_max_pool.onnx",
                                           "op_global_average_pool.onnx", "op_gemm.onnx",
                                           "op_matmul.onnx", "op_conv_relu.onnx"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           std::string name = info.param;
                           return name.substr(0, name.find('.'));
                         });

}  // namespace
}  // namespace kiln::realmodel
