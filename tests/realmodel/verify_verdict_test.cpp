// `kiln verify`'s verdict on the shipped quantized models (issue 12, item 1): the exit code means
// "kiln's code computes what this model specifies". For a quantized model that is its integer
// semantics: generated C equal to the interpreter bit for bit, expected outputs within the
// user's tolerances exactly as given. The float reading of the quantized graph (dequantize,
// float op, quantize) rounds differently by design: reported as information, binding only with
// --require-float-reading. One random input set per model keeps the suite affordable.
#include <gtest/gtest.h>

#include <random>

#include "frontend/load_model.hpp"
#include "interpreter/interpreter.hpp"
#include "passes/pipeline.hpp"
#include "realmodel_util.hpp"
#include "verify/tensor_io.hpp"

namespace kiln::realmodel {
namespace {

fs::path mlperf(const std::string& relative) {
  return shared_dir() / "models" / "mlperf-tiny" / relative;
}

std::string last_line(const std::string& text) {
  const size_t end = text.find_last_not_of('\n');
  if (end == std::string::npos) return "";
  const size_t start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end + 1 - (start + 1));
}

CommandResult kiln_verify(const fs::path& model, std::vector<std::string> options) {
  std::vector<std::string> argv = {kiln_binary().string(), "verify", model.string()};
  argv.insert(argv.end(), options.begin(), options.end());
  return run_command(argv);
}

class VerifyQuantizedModel : public ::testing::TestWithParam<const char*> {};

TEST_P(VerifyQuantizedModel, PassesAtZeroToleranceWithTheFloatReadingAsInformation) {
  const fs::path model = mlperf(GetParam());
  ASSERT_TRUE(fs::exists(model)) << model;
  const CommandResult r = kiln_verify(model, {"--count", "1", "--rtol", "0", "--atol", "0"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const std::string verdict = last_line(r.output);
  EXPECT_EQ(verdict.rfind("PASS: generated C == interpreter bit for bit (1 case)", 0), 0u)
      << verdict;
  EXPECT_NE(verdict.find("; float reading of the quantized graph not binding (information: max "
                         "abs diff "),
            std::string::npos)
      << verdict;
  EXPECT_NE(r.output.find("quantized model (integer semantics)"), std::string::npos) << r.output;
}

INSTANTIATE_TEST_SUITE_P(Mlperf, VerifyQuantizedModel,
                         ::testing::Values("tflite/ad01_int8.tflite", "tflite/kws_ref_model.tflite",
                                           "tflite/pretrainedResnet_quant.tflite",
                                           "tflite/str_ww_ref_model.tflite",
                                           "tflite/vww_96_int8.tflite", "onnx/ad01_int8.onnx",
                                           "onnx/kws_int8.onnx", "onnx/streaming_ww_int8.onnx"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           std::string name = fs::path(info.param).filename().string();
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

// int8 weights dequantized into float activations: a float model, whose unoptimized graph is
// its arithmetic and binds.
TEST(VerifyQuantizedModel, Int8WeightFloatActivationModelIsAFloatModel) {
  const fs::path model = mlperf("onnx/kws_hybrid_int8w_fp32a.onnx");
  ASSERT_TRUE(fs::exists(model)) << model;
  const CommandResult r = kiln_verify(model, {"--count", "1"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("  float model: "), std::string::npos) << r.output;
  EXPECT_EQ(last_line(r.output).rfind("PASS: generated C == interpreter bit for bit; generated C "
                                      "vs the unoptimized graph within atol 1e-05 + rtol 0.0001 "
                                      "x max|output| (1 case)",
                                      0),
            0u)
      << r.output;
}

TEST(VerifyQuantizedModel, RequireFloatReadingMakesTheFloatReadingBinding) {
  // pretrainedResnet_quant.tflite's float reading differs from its integer semantics by tens
  // of LSB (measured: 25 on the first random input).
  const fs::path model = mlperf("tflite/pretrainedResnet_quant.tflite");
  ASSERT_TRUE(fs::exists(model)) << model;
  const CommandResult r =
      kiln_verify(model, {"--count", "1", "--rtol", "0", "--atol", "0", "--require-float-reading"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  const std::string error = last_line(r.output);
  EXPECT_EQ(error.rfind("kiln: error: verify: " + model.string() +
                            ": generated C vs the float reading of the quantized graph: ",
                        0),
            0u)
      << error;
  // Its output is int8: compared element by element, with the tolerances as given.
  EXPECT_NE(error.find(" outside rtol 0 / atol 0, max abs diff "), std::string::npos) << error;
}

// Expected outputs from the model's integer semantics (kiln's interpreter on the optimized
// graph) pass at zero tolerance; the same outputs with one element off by 1 LSB fail, and the
// last line names the expected-output comparison.
TEST(VerifyQuantizedModel, AWrongExpectedOutputFails) {
  const fs::path model = mlperf("tflite/kws_ref_model.tflite");
  ASSERT_TRUE(fs::exists(model)) << model;
  Graph graph = load_model(model.string());
  optimize(graph, PipelineOptions{});
  std::mt19937 generator(12);
  TensorMap feeds;
  std::vector<Tensor> inputs = input_templates(graph);
  for (Tensor& input : inputs) {
    input.data.resize(static_cast<size_t>(input.bytes()));
    for (uint8_t& byte : input.data) byte = static_cast<uint8_t>(generator() >> 24);
    feeds.emplace(input.name, input);
  }
  const TensorMap outputs = run_graph(graph, feeds);

  TempDir data("verify-wrong-expected");
  for (const std::string& variant : {"right", "wrong"}) {
    const fs::path dir = data.path() / variant;
    fs::create_directories(dir);
    for (size_t k = 0; k < inputs.size(); ++k)
      write_tensor_pb(dir / ("input_" + std::to_string(k) + ".pb"), inputs[k]);
    for (size_t k = 0; k < graph.outputs.size(); ++k) {
      Tensor expected = outputs.at(graph.outputs[k]);
      if (variant == "wrong" && k == 0) expected.data[0] ^= 1;  // 1 LSB off in int8
      write_tensor_pb(dir / ("output_" + std::to_string(k) + ".pb"), expected);
    }
  }
  const CommandResult right = kiln_verify(
      model, {"--inputs", (data.path() / "right").string(), "--rtol", "0", "--atol", "0"});
  EXPECT_EQ(right.exit_code, 0) << right.output;
  EXPECT_NE(last_line(right.output).find("generated C vs expected outputs within rtol 0 / atol 0"),
            std::string::npos)
      << right.output;

  const CommandResult wrong = kiln_verify(
      model, {"--inputs", (data.path() / "wrong").string(), "--rtol", "0", "--atol", "0"});
  EXPECT_EQ(wrong.exit_code, 1) << wrong.output;
  const std::string error = last_line(wrong.output);
  EXPECT_EQ(error.rfind("kiln: error: verify: " + model.string() +
                            ": generated C vs expected outputs: 1 element outside rtol 0 / atol "
                            "0, max abs diff 1 (1 of 1 cases; first: wrong, output '" +
                            graph.outputs[0] +
                            "') (1 case); passed: generated C == interpreter bit for bit",
                        0),
            0u)
      << wrong.output;
}

}  // namespace
}  // namespace kiln::realmodel
