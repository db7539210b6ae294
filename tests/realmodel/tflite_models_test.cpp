// The MLPerf Tiny .tflite files (../shared/models/mlperf-tiny/tflite) through kiln's TFLite
// frontend, the evidence for issue 4:
//  - every int8 model compiles with `kiln compile`, runs on integer kernels only, and its
//    generated C equals kiln's interpreter bit for bit (verify library, random int8 inputs);
//  - kws_ref_model.tflite vs its ONNX twin kws_int8.onnx on 100 deterministic random int8
//    inputs: against kiln on the twin read with TFLite's arithmetic (`--requant fixed`: must be
//    identical) and against ONNX Runtime's committed integers on the twin (tests/data/ort_int8;
//    ORT rounds requantization differently from TFLite: the exact-match rate is measured, held
//    to a floor, and the gap printed; with
//    `--requant single` the .tflite file gets ORT's rounding and kiln's ONNX figures);
//  - the float models vs their ONNX twins within 1e-4 (scaled error, realmodel_util.hpp): kiln's
//    interpreter on the .tflite against kiln on the twin and against ONNX Runtime on the twin.
#include <gtest/gtest.h>

#include <iostream>
#include <random>

#include "frontend/load_model.hpp"
#include "interpreter/interpreter.hpp"
#include "ir/graph.hpp"
#include "ort_reference.hpp"
#include "passes/pipeline.hpp"
#include "realmodel_util.hpp"
#include "verify/verify.hpp"

namespace kiln::realmodel {
namespace {

fs::path tflite_model(const std::string& file) {
  return shared_dir() / "models" / "mlperf-tiny" / "tflite" / file;
}
fs::path onnx_model(const std::string& file) {
  return shared_dir() / "models" / "mlperf-tiny" / "onnx" / file;
}

// `requant` overrides the requantization arithmetic of every lowered op (PipelineOptions):
// "fixed" is TFLite's, which kiln uses for .tflite files and must then give for their ONNX twins;
// "single" is ONNX Runtime's, the default for pre-quantized ONNX models.
Graph optimized_graph(const fs::path& path, const std::string& requant = "") {
  Graph graph = load_model(path.string());
  PipelineOptions options;
  options.qdq_requant = requant;
  optimize(graph, options);
  return graph;
}

std::vector<Tensor> random_int8_sample(const Graph& graph, std::mt19937& generator) {
  std::vector<Tensor> sample = input_templates(graph);
  for (Tensor& input : sample) {
    EXPECT_EQ(input.dtype, DType::Int8) << input.name;
    input.data.resize(static_cast<size_t>(shape_elements(input.shape)));
    for (uint8_t& byte : input.data) byte = static_cast<uint8_t>(generator() >> 24);
  }
  return sample;
}

TensorMap feeds_of(const std::vector<Tensor>& sample) {
  TensorMap feeds;
  for (const Tensor& t : sample) feeds.emplace(t.name, t);
  return feeds;
}

// ---- every int8 model ------------------------------------------------------------------------

class TfliteInt8Model : public ::testing::TestWithParam<const char*> {};

TEST_P(TfliteInt8Model, CompilesToIntegerCodeBitExactWithTheInterpreter) {
  const fs::path model = tflite_model(GetParam());
  ASSERT_TRUE(fs::exists(model)) << model;

  // kiln compile, as a user runs it.
  TempDir out(std::string("tflite-compile-") + GetParam());
  const CommandResult compiled = run_command(
      {kiln_binary().string(), "compile", model.string(), "-o", (out.path() / "gen").string()});
  EXPECT_EQ(compiled.exit_code, 0) << compiled.output;
  EXPECT_TRUE(fs::exists(out.path() / "gen" / "net.c")) << compiled.output;

  // Integer-only after optimization: every runtime tensor a node writes is an integer.
  const Graph graph = optimized_graph(model);
  for (const Node& node : graph.nodes)
    for (const std::string& output : node.outputs)
      EXPECT_NE(graph.tensor(output).dtype, DType::Float32)
          << GetParam() << ": " << node.describe() << " computes in float";

  // Generated C vs interpreter on random int8 inputs.
  VerifyOptions options;
  options.count = 5;
  options.seed = 4;
  options.check_unoptimized = false;  // the QDQ float reading differs by design (rounding)
  const VerifyResult verify = verify_model(model.string(), options);
  EXPECT_TRUE(verify.passed()) << verify.summary();
  for (const CaseResult& c : verify.cases)
    for (const OutputCheck& o : c.outputs)
      for (const Comparison& cmp : o.comparisons)
        if (cmp.against == "interpreter") EXPECT_TRUE(cmp.bit_exact) << c.label << " " << o.name;
  std::cout << GetParam() << ": " << graph.nodes.size() << " nodes, arena " << verify.arena_bytes
            << " bytes (lower bound " << verify.arena_lower_bound << ")\n";
}

INSTANTIATE_TEST_SUITE_P(Mlperf, TfliteInt8Model,
                         ::testing::Values("ad01_int8.tflite", "kws_ref_model.tflite",
                                           "pretrainedResnet_quant.tflite",
                                           "str_ww_ref_model.tflite", "vww_96_int8.tflite"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           std::string name = info.param;
                           name = name.substr(0, name.find('.'));
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

// ---- inspect and help texts name the format
// ------------------------------------------------------

TEST(TfliteCli, InspectShowsTheFilesOperatorsWithTheirKilnForm) {
  const fs::path model = tflite_model("kws_ref_model.tflite");
  ASSERT_TRUE(fs::exists(model)) << model;
  const CommandResult r = run_command({kiln_binary().string(), "inspect", model.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find(model.string() + " (TFLite, subgraph"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("opset"), std::string::npos) << r.output;
  // The file's operators, one row each, with the kiln ops beside them.
  EXPECT_NE(r.output.find("kiln ops"), std::string::npos) << r.output;
  for (const char* row : {"  CONV_2D ", "  DEPTHWISE_CONV_2D ", "  AVERAGE_POOL_2D ",
                          "  FULLY_CONNECTED ", "  SOFTMAX "})
    EXPECT_NE(r.output.find(row), std::string::npos) << row << "\n" << r.output;
  EXPECT_NE(r.output.find("3x DequantizeLinear, Conv, Relu, QuantizeLinear"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("operators:         13 ("), std::string::npos) << r.output;

  // An ONNX model still names its opset.
  const CommandResult onnx =
      run_command({kiln_binary().string(), "inspect", onnx_model("kws_int8.onnx").string()});
  ASSERT_EQ(onnx.exit_code, 0) << onnx.output;
  EXPECT_NE(onnx.output.find("(ONNX, graph '"), std::string::npos) << onnx.output;
  EXPECT_NE(onnx.output.find(", opset "), std::string::npos) << onnx.output;
}

TEST(TfliteCli, HelpTextsNameBothFormats) {
  for (const char* command : {"inspect", "compile", "verify", "bench", "eval"}) {
    const CommandResult r = run_command({kiln_binary().string(), command, "--help"});
    EXPECT_EQ(r.exit_code, 0) << command;
    EXPECT_NE(r.output.find("Model file (.onnx or .tflite)"), std::string::npos) << command << "\n"
                                                                                 << r.output;
    EXPECT_EQ(r.output.find("(ONNX)"), std::string::npos) << command << "\n" << r.output;
  }
}

// ---- kws: TFLite file vs its ONNX twin ---------------------------------------------------------

constexpr int kKwsSamples = 100;
// ONNX Runtime runs the twin at its default optimization level, i.e. with its integer QDQ
// kernels (mlperf_int8_test.cpp). Measured with TFLite's arithmetic: 1145/1200 = 95.4% of
// elements equal, max 15 LSB: TFLite rounds the requantization twice (a 31-bit fixed-point
// multiply, then a rounding shift), ORT rounds float32(acc * scale) once. Floors just below, so a
// regression fails.
constexpr double kKwsMinExactVsOrt = 0.95;
constexpr int64_t kKwsMaxDiffVsOrt = 15;
// With `--requant single` (ONNX Runtime's rounding) the .tflite file gives ONNX Runtime's
// outputs: measured 1200/1200, held to the issues' target (>= 99.9% exact, <= 1 LSB).
constexpr double kKwsMinExactVsOrtSingle = 0.999;
constexpr int64_t kKwsMaxDiffVsOrtSingle = 1;

TEST(TfliteKws, SameIntegersAsTheOnnxTwinUnderKilnAndMeasuredAgreementWithOnnxRuntime) {
  const fs::path tflite = tflite_model("kws_ref_model.tflite");
  const fs::path twin = onnx_model("kws_int8.onnx");
  ASSERT_TRUE(fs::exists(tflite) && fs::exists(twin));
  const Graph from_tflite = optimized_graph(tflite);
  const Graph from_onnx = optimized_graph(twin, "fixed");  // TFLite's arithmetic on the twin
  ASSERT_EQ(from_tflite.inputs.size(), 1u);
  ASSERT_EQ(from_onnx.inputs.size(), 1u);
  EXPECT_EQ(from_tflite.tensor(from_tflite.inputs[0]).shape,
            from_onnx.tensor(from_onnx.inputs[0]).shape);  // both NHWC [1, 49, 10, 1]

  // The inputs of mlperf_int8_test.cpp's kws case and ONNX Runtime's committed outputs on the
  // twin (tests/data/ort_int8: made where ONNX Runtime's int8 kernels are exact; a live ONNX
  // Runtime on AVX2 without VNNI saturates, see ort_reference.hpp).
  const OrtReference reference = load_ort_reference("kws_int8");
  ASSERT_EQ(static_cast<int>(reference.inputs.size()), kKwsSamples);
  std::vector<std::vector<Tensor>> samples;
  for (const std::vector<Tensor>& ort_sample : reference.inputs) {
    std::vector<Tensor> sample = ort_sample;
    sample.at(0).name = from_tflite.inputs[0];
    samples.push_back(std::move(sample));
  }

  // kiln(tflite) vs kiln(onnx twin).
  int64_t elements = 0, equal_to_twin = 0;
  std::vector<TensorMap> tflite_results;
  for (size_t s = 0; s < samples.size(); ++s) {
    const TensorMap a = run_graph(from_tflite, feeds_of(samples[s]));
    const TensorMap b = run_graph(from_onnx, feeds_of(reference.inputs[s]));
    const Tensor& ya = a.at(from_tflite.outputs[0]);
    const Tensor& yb = b.at(from_onnx.outputs[0]);
    EXPECT_EQ(ya.dtype, DType::Int8);
    ASSERT_EQ(ya.elements(), yb.elements());
    for (int64_t i = 0; i < ya.elements(); ++i, ++elements)
      if (element_as_int(ya, i) == element_as_int(yb, i)) ++equal_to_twin;
    tflite_results.push_back(a);
  }
  std::cout << "kws: kiln(tflite) vs kiln(kws_int8.onnx): " << equal_to_twin << "/" << elements
            << " elements equal\n";
  RecordProperty("equal_to_kiln_onnx_twin", std::to_string(equal_to_twin));
  EXPECT_EQ(equal_to_twin, elements);

  // kiln(tflite) vs ONNX Runtime on the twin.
  const std::vector<std::vector<Tensor>>& expected = reference.ort_all;
  int64_t exact = 0, total = 0, max_diff = 0;
  for (size_t s = 0; s < samples.size(); ++s) {
    const Tensor& actual = tflite_results[s].at(from_tflite.outputs[0]);
    const Tensor& reference_output = expected[s].at(0);
    ASSERT_EQ(actual.elements(), reference_output.elements());
    for (int64_t i = 0; i < actual.elements(); ++i, ++total) {
      const int64_t diff =
          std::abs(element_as_int(actual, i) - element_as_int(reference_output, i));
      if (diff == 0) ++exact;
      max_diff = std::max(max_diff, diff);
    }
  }
  const double fraction = static_cast<double>(exact) / static_cast<double>(total);
  std::cout << "kws: kiln(kws_ref_model.tflite) vs ONNX Runtime(kws_int8.onnx) on " << kKwsSamples
            << " inputs: " << exact << "/" << total << " elements exact (" << 100.0 * fraction
            << "%), max |diff| " << max_diff << " LSB";
  if (exact != total)
    std::cout << "; GAP to bit-exact: " << (total - exact)
              << " elements (kiln follows TFLite's double-rounding requantization, ORT rounds "
                 "float32(acc * scale) once)";
  std::cout << "\n";
  RecordProperty("exact_fraction_vs_ort", std::to_string(fraction));
  RecordProperty("max_diff_lsb_vs_ort", std::to_string(max_diff));
  EXPECT_GE(fraction, kKwsMinExactVsOrt);
  EXPECT_LE(max_diff, kKwsMaxDiffVsOrt);

  // The same file with ONNX Runtime's rounding (`kiln compile kws_ref_model.tflite --requant
  // single`).
  const Graph single = optimized_graph(tflite, "single");
  int64_t exact_single = 0, max_diff_single = 0;
  for (size_t s = 0; s < samples.size(); ++s) {
    const Tensor actual = run_graph(single, feeds_of(samples[s])).at(single.outputs[0]);
    const Tensor& reference = expected[s].at(0);
    ASSERT_EQ(actual.elements(), reference.elements());
    for (int64_t i = 0; i < actual.elements(); ++i) {
      const int64_t diff = std::abs(element_as_int(actual, i) - element_as_int(reference, i));
      if (diff == 0) ++exact_single;
      max_diff_single = std::max(max_diff_single, diff);
    }
  }
  const double fraction_single = static_cast<double>(exact_single) / static_cast<double>(total);
  std::cout << "kws: kiln(kws_ref_model.tflite, --requant single) vs ONNX Runtime: " << exact_single
            << "/" << total << " elements exact (" << 100.0 * fraction_single << "%), max |diff| "
            << max_diff_single << " LSB\n";
  RecordProperty("exact_fraction_vs_ort_single", std::to_string(fraction_single));
  EXPECT_GE(fraction_single, kKwsMinExactVsOrtSingle);
  EXPECT_LE(max_diff_single, kKwsMaxDiffVsOrtSingle);
}

// ---- the other int8 models with an ONNX twin: same integers under kiln -----------------------

struct Int8Twin {
  const char* tflite;
  const char* onnx;
  double min_equal_fraction;  // measured: ad01 1.0 (64000/64000), str_ww 0.843 (253/300)
};

class TfliteInt8Twin : public ::testing::TestWithParam<Int8Twin> {};

// The TFLite frontend and tf2onnx's QDQ export lower to the same integer kernels, so kiln gives
// the same int8 outputs for both files (the ONNX one read with TFLite's arithmetic, `--requant
// fixed`) when they hold the same quantization: ad01 (every element
// of 100 random inputs). streaming_ww_int8.onnx is NOT an exact twin of str_ww_ref_model.tflite:
// its activation scales differ (first depthwise output 0.001805 vs 0.002011, ...), so only its
// measured agreement is held.
TEST_P(TfliteInt8Twin, SameIntegersAsTheOnnxTwinUnderKiln) {
  const Graph from_tflite = optimized_graph(tflite_model(GetParam().tflite));
  const Graph from_onnx = optimized_graph(onnx_model(GetParam().onnx), "fixed");
  std::mt19937 generator(99);
  int64_t elements = 0, equal = 0, max_diff = 0;
  for (int s = 0; s < 100; ++s) {
    const std::vector<Tensor> sample = random_int8_sample(from_tflite, generator);
    std::vector<Tensor> renamed = sample;
    ASSERT_EQ(renamed.size(), 1u);
    renamed[0].name = from_onnx.inputs.at(0);
    const Tensor ya = run_graph(from_tflite, feeds_of(sample)).at(from_tflite.outputs[0]);
    const Tensor yb = run_graph(from_onnx, feeds_of(renamed)).at(from_onnx.outputs[0]);
    ASSERT_EQ(ya.elements(), yb.elements());
    for (int64_t i = 0; i < ya.elements(); ++i, ++elements) {
      const int64_t diff = std::abs(element_as_int(ya, i) - element_as_int(yb, i));
      if (diff == 0) ++equal;
      max_diff = std::max(max_diff, diff);
    }
  }
  std::cout << GetParam().tflite << " vs " << GetParam().onnx << " under kiln: " << equal << "/"
            << elements << " elements equal, max |diff| " << max_diff << " LSB\n";
  EXPECT_GE(static_cast<double>(equal) / static_cast<double>(elements),
            GetParam().min_equal_fraction);
}

INSTANTIATE_TEST_SUITE_P(Mlperf, TfliteInt8Twin,
                         ::testing::Values(Int8Twin{"ad01_int8.tflite", "ad01_int8.onnx", 1.0},
                                           Int8Twin{"str_ww_ref_model.tflite",
                                                    "streaming_ww_int8.onnx", 0.84}),
                         [](const ::testing::TestParamInfo<Int8Twin>& info) {
                           std::string name = info.param.onnx;
                           return name.substr(0, name.find('.'));
                         });

// ---- float models vs their ONNX twins --------------------------------------------------------

struct FloatTwin {
  const char* tflite;
  const char* onnx;
};

class TfliteFloatModel : public ::testing::TestWithParam<FloatTwin> {};

constexpr int kFloatSamples = 10;
constexpr double kFloatTolerance = 1e-4;

TEST_P(TfliteFloatModel, MatchesTheOnnxTwinWithin1e4) {
  const fs::path tflite = tflite_model(GetParam().tflite);
  const fs::path twin = onnx_model(GetParam().onnx);
  ASSERT_TRUE(fs::exists(tflite) && fs::exists(twin));
  const Graph from_tflite = optimized_graph(tflite);
  const Graph from_onnx = optimized_graph(twin);
  ASSERT_EQ(from_tflite.inputs.size(), 1u);
  const Tensor& input = from_tflite.tensor(from_tflite.inputs[0]);
  ASSERT_EQ(input.shape, from_onnx.tensor(from_onnx.inputs[0]).shape);

  std::mt19937 generator(7);
  std::vector<std::vector<FloatTensor>> ort_samples;
  std::vector<std::vector<float>> tflite_outputs;
  double worst_vs_kiln_onnx = 0.0;
  for (int s = 0; s < kFloatSamples; ++s) {
    const std::vector<float> values = uniform_floats(generator, input.elements(), -1.0f, 1.0f);
    Tensor x = input;
    x.data.resize(values.size() * 4);
    std::memcpy(x.data.data(), values.data(), x.data.size());
    const TensorMap a = run_graph(from_tflite, {{x.name, x}});
    Tensor x_onnx = x;
    x_onnx.name = from_onnx.inputs[0];
    const TensorMap b = run_graph(from_onnx, {{x_onnx.name, x_onnx}});
    const std::vector<float> ya = a.at(from_tflite.outputs[0]).as_float();
    const std::vector<float> yb = b.at(from_onnx.outputs[0]).as_float();
    ASSERT_EQ(ya.size(), yb.size());
    for (size_t i = 0; i < ya.size(); ++i)
      worst_vs_kiln_onnx = std::max(worst_vs_kiln_onnx, scaled_error(ya[i], yb[i]));
    tflite_outputs.push_back(ya);
    ort_samples.push_back({FloatTensor{x_onnx.name, x.shape, values}});
  }
  std::cout << GetParam().tflite << ": kiln(tflite) vs kiln(" << GetParam().onnx
            << ") max scaled error " << worst_vs_kiln_onnx << "\n";
  EXPECT_LE(worst_vs_kiln_onnx, kFloatTolerance);

  KILN_REQUIRE_ORT();
  TempDir work(std::string("tflite-float-") + GetParam().onnx);
  const auto expected = run_onnx_runtime(twin, ort_samples, work.path());
  double worst_vs_ort = 0.0;
  for (size_t s = 0; s < expected.size(); ++s) {
    const std::vector<float>& ref = expected[s].at(0).values;
    ASSERT_EQ(ref.size(), tflite_outputs[s].size());
    for (size_t i = 0; i < ref.size(); ++i)
      worst_vs_ort = std::max(worst_vs_ort, scaled_error(tflite_outputs[s][i], ref[i]));
  }
  std::cout << GetParam().tflite << ": kiln(tflite) vs ONNX Runtime(" << GetParam().onnx
            << ") max scaled error " << worst_vs_ort << "\n";
  EXPECT_LE(worst_vs_ort, kFloatTolerance);
}

INSTANTIATE_TEST_SUITE_P(Mlperf, TfliteFloatModel,
                         ::testing::Values(FloatTwin{"ad01_fp32.tflite", "ad01_fp32.onnx"},
                                           FloatTwin{"vww_96_float.tflite", "vww96_fp32.onnx"},
                                           FloatTwin{"pretrainedResnet.tflite",
                                                     "resnet8_fp32.onnx"}),
                         [](const ::testing::TestParamInfo<FloatTwin>& info) {
                           std::string name = info.param.onnx;
                           return name.substr(0, name.find('.'));
                         });

}  // namespace
}  // namespace kiln::realmodel
