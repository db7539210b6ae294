// The TFLite frontend on the generated test models of tests/data/tflite (make_tflite_models.py
// there writes them with flatc and computes NumPy references of TFLite's NHWC semantics):
// every supported builtin in float32 and int8, against the reference; malformed files; every
// truncation and random corruption of a valid file fails cleanly.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "frontend/load_model.hpp"
#include "interpreter/interpreter.hpp"
#include "ir/error.hpp"
#include "passes/pipeline.hpp"
#include "verify/verify.hpp"

namespace kiln {
namespace {

std::string tflite_data(const std::string& file) {
  return std::string(KILN_TEST_DATA_DIR) + "/tflite/" + file;
}

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<float> read_floats(const std::string& path) {
  const std::vector<uint8_t> bytes = read_bytes(path);
  std::vector<float> values(bytes.size() / 4);
  std::memcpy(values.data(), bytes.data(), values.size() * 4);
  return values;
}

Tensor float_input(const Graph& graph) {
  Tensor t = graph.tensor(graph.inputs.at(0));
  const std::vector<float> values = read_floats(tflite_data("input.bin"));
  EXPECT_EQ(static_cast<int64_t>(values.size()), t.elements());
  t.data.resize(values.size() * 4);
  std::memcpy(t.data.data(), values.data(), t.data.size());
  return t;
}

std::vector<float> output_values(const TensorMap& outputs, const std::string& name) {
  return outputs.at(name).as_float();
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return INFINITY;
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(double(a[i]) - b[i]));
  return worst;
}

int count_ops(const Graph& graph, const std::string& op_type) {
  return static_cast<int>(std::count_if(graph.nodes.begin(), graph.nodes.end(),
                                        [&](const Node& n) { return n.op_type == op_type; }));
}

TEST(FrontendTflite, DetectedByContentNotExtension) {
  const std::vector<uint8_t> bytes = read_bytes(tflite_data("ops_float.tflite"));
  ASSERT_FALSE(bytes.empty());
  Graph graph = load_model_from_memory(bytes, "model.onnx");  // misleading name, TFL3 content
  EXPECT_EQ(graph.inputs, std::vector<std::string>{"input"});
}

TEST(FrontendTflite, FloatModelKeepsTfliteInterfaceAndMatchesNumpyReference) {
  Graph graph = load_model(tflite_data("ops_float.tflite"));
  ASSERT_EQ(graph.inputs, std::vector<std::string>{"input"});
  EXPECT_EQ(graph.tensor("input").shape, (Shape{1, 8, 8, 3}));  // NHWC as in the file
  ASSERT_EQ(graph.outputs, (std::vector<std::string>{"out0", "out1", "out2"}));
  EXPECT_EQ(graph.tensor("out0").shape, (Shape{1, 10}));
  EXPECT_EQ(graph.tensor("out1").shape, (Shape{1, 3, 3, 1}));
  EXPECT_EQ(graph.tensor("out2").shape, (Shape{1, 1, 1, 8}));
  // Convolutions run in NCHW inside: the filter of the first one is OIHW.
  for (const Node& node : graph.nodes)
    if (node.op_type == "Conv" && node.attr_int("group", 1) == 1)
      EXPECT_EQ(graph.tensor(node.inputs[1]).shape, (Shape{4, 3, 3, 3}));

  const std::vector<float> expected0 = read_floats(tflite_data("expected_0.bin"));
  const std::vector<float> expected1 = read_floats(tflite_data("expected_1.bin"));
  const std::vector<float> expected2 = read_floats(tflite_data("expected_2.bin"));
  const TensorMap inputs{{"input", float_input(graph)}};
  const TensorMap loaded = run_graph(graph, inputs);
  EXPECT_LT(max_abs_diff(output_values(loaded, "out0"), expected0), 1e-5);
  EXPECT_LT(max_abs_diff(output_values(loaded, "out1"), expected1), 1e-5);
  EXPECT_LT(max_abs_diff(output_values(loaded, "out2"), expected2), 1e-5);

  optimize(graph);
  const TensorMap optimized = run_graph(graph, inputs);
  EXPECT_LT(max_abs_diff(output_values(optimized, "out0"), expected0), 1e-5);
  EXPECT_LT(max_abs_diff(output_values(optimized, "out1"), expected1), 1e-5);
  EXPECT_LT(max_abs_diff(output_values(optimized, "out2"), expected2), 1e-5);
}

TEST(FrontendTflite, LayoutTransposesAreFewAfterOptimization) {
  Graph graph = load_model(tflite_data("ops_float.tflite"));
  const int before = count_ops(graph, "Transpose");
  optimize(graph);
  const int after = count_ops(graph, "Transpose");
  // Input NHWC -> NCHW, the model's own TRANSPOSE (composed with its neighbours), the
  // NHWC views for STRIDED_SLICE/RESHAPE and the [1,3,3,1] output; cancelling pairs are gone.
  EXPECT_LT(after, before);
  EXPECT_LE(after, 4) << "transposes left: " << after;
}

TEST(FrontendTflite, Int8ModelRunsOnIntegerKernelsAndTracksTheFloatReference) {
  Graph graph = load_model(tflite_data("ops_int8.tflite"));
  ASSERT_EQ(graph.inputs, std::vector<std::string>{"input_float"});
  ASSERT_EQ(graph.outputs, (std::vector<std::string>{"out0_float", "out1_float", "out2_float"}));
  optimize(graph);
  // The convolutions, pools, element-wise ops and softmax became integer ops.
  int integer_convs = 0;
  for (const Node& node : graph.nodes)
    if (node.op_type == "Conv" && graph.tensor(node.inputs[0]).dtype == DType::Int8)
      ++integer_convs;
  EXPECT_EQ(integer_convs, 2);
  for (const char* op : {"Softmax", "Gemm", "AveragePool", "MaxPool", "Add", "ReduceMean"})
    for (const Node& node : graph.nodes)
      if (node.op_type == op)
        EXPECT_EQ(graph.tensor(node.inputs[0]).dtype, DType::Int8) << node.describe();

  // TFLite-specific integer arithmetic where TFLite Micro's differs from kiln's default.
  int tflite_nodes = 0;
  for (const Node& node : graph.nodes)
    if (node.attr_string("kiln_arithmetic", "") == "tflite") ++tflite_nodes;
  // SOFTMAX and the three MEANs (over H and W with and without keep_dims, over C); LOGISTIC and
  // TANH became tables.
  EXPECT_EQ(tflite_nodes, 4);
  EXPECT_EQ(count_ops(graph, "ReduceMean"), 2);
  const TensorMap outputs = run_graph(graph, {{"input_float", float_input(graph)}});
  const std::vector<float> expected0 = read_floats(tflite_data("expected_0.bin"));
  const std::vector<float> expected1 = read_floats(tflite_data("expected_1.bin"));
  const std::vector<float> expected2 = read_floats(tflite_data("expected_2.bin"));
  EXPECT_LT(max_abs_diff(output_values(outputs, "out2_float"), expected2), 0.05);
  // Softmax probabilities (1/256 steps) and the channel mean after ~15 quantized layers.
  EXPECT_LT(max_abs_diff(output_values(outputs, "out0_float"), expected0), 0.03);
  EXPECT_LT(max_abs_diff(output_values(outputs, "out1_float"), expected1), 0.05);
}

// The TFLite-specific integer kernels (softmax, mean) and tables in generated C: bit-exact with
// the interpreter.
TEST(FrontendTflite, Int8ModelGeneratedCIsBitExactWithTheInterpreter) {
  VerifyOptions options;
  options.count = 4;
  options.check_unoptimized = false;  // the QDQ float reading rounds differently by design
  const VerifyResult result = verify_model(tflite_data("ops_int8.tflite"), options);
  EXPECT_TRUE(result.passed()) << result.summary();
  int compared = 0;
  for (const CaseResult& c : result.cases)
    for (const OutputCheck& o : c.outputs)
      for (const Comparison& cmp : o.comparisons)
        if (cmp.against == "interpreter") {
          EXPECT_TRUE(cmp.bit_exact) << c.label << " " << o.name;
          ++compared;
        }
  EXPECT_EQ(compared, 4 * 3);
}

// SOFTMAX's beta on int8: TFLite's integer softmax depends only on beta * input_scale, so the
// beta 0.5 / scale 0.1 model and its beta 1 / scale 0.05 twin must give the same integers, and
// both must track softmax(beta * x) of the dequantized input. Generated C too.
TEST(FrontendTflite, Int8SoftmaxBetaFoldsIntoTheInputScale) {
  Graph beta_graph = load_model(tflite_data("softmax_beta_int8.tflite"));
  Graph twin_graph = load_model(tflite_data("softmax_beta_twin_int8.tflite"));
  optimize(beta_graph);
  optimize(twin_graph);
  ASSERT_EQ(count_ops(beta_graph, "Softmax"), 1);
  EXPECT_EQ(beta_graph.tensor(beta_graph.inputs.at(0)).dtype, DType::Int8);
  std::mt19937 generator(5);
  int64_t elements = 0;
  int64_t max_diff_vs_float = 0;
  for (int sample = 0; sample < 200; ++sample) {
    Tensor x = beta_graph.tensor(beta_graph.inputs.at(0));
    x.data.resize(static_cast<size_t>(x.elements()));
    // Narrow and wide spreads, so both saturated and spread-out probabilities occur.
    const int spread = sample % 2 == 0 ? 40 : 255;
    for (uint8_t& byte : x.data)
      byte = static_cast<uint8_t>(static_cast<int8_t>(
          std::clamp<int>(-128 + static_cast<int>(generator() % (spread + 1)), -128, 127)));
    Tensor twin_x = x;
    twin_x.name = twin_graph.inputs.at(0);
    const Tensor y = run_graph(beta_graph, {{x.name, x}}).at(beta_graph.outputs.at(0));
    const Tensor twin_y =
        run_graph(twin_graph, {{twin_x.name, twin_x}}).at(twin_graph.outputs.at(0));
    ASSERT_EQ(y.dtype, DType::Int8);
    EXPECT_EQ(y.data, twin_y.data) << "sample " << sample;
    // Float reference: softmax(0.5 * 0.1 * (q - 3)), quantized to scale 1/256, zero point -128.
    std::vector<double> logits(static_cast<size_t>(x.elements()));
    double max_logit = -INFINITY;
    for (size_t i = 0; i < logits.size(); ++i) {
      logits[i] = 0.5 * 0.1 * (static_cast<int8_t>(x.data[i]) - 3);
      max_logit = std::max(max_logit, logits[i]);
    }
    double sum = 0;
    for (double& l : logits) sum += (l = std::exp(l - max_logit));
    for (size_t i = 0; i < logits.size(); ++i, ++elements) {
      const int64_t expected =
          std::clamp<int64_t>(std::llround(logits[i] / sum * 256.0) - 128, -128, 127);
      max_diff_vs_float =
          std::max<int64_t>(max_diff_vs_float, std::abs(expected - static_cast<int8_t>(y.data[i])));
    }
  }
  EXPECT_EQ(elements, 2000);
  EXPECT_LE(max_diff_vs_float, 1);

  VerifyOptions options;
  options.count = 4;
  options.check_unoptimized = false;
  const VerifyResult result = verify_model(tflite_data("softmax_beta_int8.tflite"), options);
  EXPECT_TRUE(result.passed()) << result.summary();
}

TEST(FrontendTflite, ShapeOverridesMustRestateTheStaticInputShape) {
  LoadOptions same;
  same.input_shapes["input"] = {1, 8, 8, 3};
  EXPECT_NO_THROW(load_model(tflite_data("ops_float.tflite"), same));
  LoadOptions batch2;
  batch2.input_shapes["input"] = {2, 8, 8, 3};
  try {
    load_model(tflite_data("ops_float.tflite"), batch2);
    ADD_FAILURE() << "loaded";
  } catch (const UnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("--shape input: TFLite models have static shapes"),
              std::string::npos)
        << e.what();
  }
  LoadOptions unknown;
  unknown.input_shapes["nope"] = {1};
  EXPECT_THROW(load_model(tflite_data("ops_float.tflite"), unknown), Error);
}

struct MalformedTflite {
  const char* file;
  std::vector<const char*> expected;
  bool unsupported;
};

TEST(FrontendTflite, MalformedFilesAreRejectedWithOneLineNamingTheCulprit) {
  const std::vector<MalformedTflite> cases = {
      {"schema_version_2.tflite", {"TFLite schema version 2", "version 3"}, true},
      {"unsupported_lstm.tflite", {"operator 5 (LSTM)", "unsupported TFLite op"}, true},
      {"tensor_index_out_of_range.tflite",
       {"operator 3 (AVERAGE_POOL_2D)", "tensor index 999"},
       false},
      {"weight_buffer_too_short.tflite", {"operator 0 (CONV_2D)", "'w1'", "10 bytes"}, false},
      // Read as dense, the compressed filter would compute wrong results (issue 13).
      {"sparse_filter.tflite", {"operator 0 (CONV_2D)", "'w1'", "sparse tensors"}, true},
      // Found by fuzz_tflite_loader (UBSan: misaligned int64 load); not from the generator.
      {"misaligned_zero_point.tflite", {"misaligned zero_point vector"}, false},
  };
  std::set<std::string> listed;
  for (const MalformedTflite& c : cases) {
    SCOPED_TRACE(c.file);
    listed.insert(c.file);
    const std::string path = tflite_data(std::string("malformed/") + c.file);
    try {
      load_model(path);
      ADD_FAILURE() << "loaded without error";
    } catch (const Error& e) {
      const std::string msg = e.what();
      EXPECT_EQ(msg.rfind(path + ": ", 0), 0u) << msg;
      EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
      for (const char* part : c.expected) EXPECT_NE(msg.find(part), std::string::npos) << msg;
      EXPECT_EQ(dynamic_cast<const UnsupportedError*>(&e) != nullptr, c.unsupported) << msg;
    }
  }
  for (const auto& entry : std::filesystem::directory_iterator(tflite_data("malformed")))
    EXPECT_TRUE(listed.count(entry.path().filename().string())) << entry.path();
}

TEST(FrontendTflite, EveryTruncationFailsCleanly) {
  const std::vector<uint8_t> bytes = read_bytes(tflite_data("ops_int8.tflite"));
  ASSERT_FALSE(bytes.empty());
  for (size_t n = 8; n < bytes.size(); ++n) {
    try {
      load_model_from_memory(std::span(bytes.data(), n), "cut.tflite");
      ADD_FAILURE() << "a " << n << "-byte prefix loaded";
    } catch (const InternalError& e) {
      ADD_FAILURE() << n << ": internal error: " << e.what();
    } catch (const Error& e) {
      const std::string msg = e.what();
      EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    }
  }
}

// Random byte corruption: either the file still loads into a valid graph or it is rejected with
// kiln::Error; never a crash or an internal error (the fuzz target explores this further).
TEST(FrontendTflite, RandomCorruptionLoadsOrFailsCleanly) {
  const std::vector<uint8_t> original = read_bytes(tflite_data("ops_int8.tflite"));
  std::mt19937 generator(4);
  int rejected = 0, loaded = 0;
  for (int round = 0; round < 1500; ++round) {
    std::vector<uint8_t> bytes = original;
    const int flips = 1 + static_cast<int>(generator() % 4);
    for (int f = 0; f < flips; ++f)
      bytes[generator() % bytes.size()] = static_cast<uint8_t>(generator());
    try {
      Graph graph = load_model_from_memory(bytes, "corrupt.tflite");
      graph.verify();
      ++loaded;
    } catch (const InternalError& e) {
      ADD_FAILURE() << "round " << round << ": internal error: " << e.what();
    } catch (const Error&) {
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 0);
  EXPECT_GT(loaded, 0);
}

// The CLI contract for .tflite files: every subcommand that loads a model exits 1 with exactly one
// "kiln: error: FILE: ..." line for a bad file, and works on a good one.
TEST(FrontendTflite, CliRejectsBadFilesWithOneLineAndAcceptsGoodOnes) {
  const std::string stem = ::testing::TempDir() + "/kiln_tflite_cli_" + std::to_string(getpid());
  auto run = [&](const std::string& args, std::string& err) {
    const std::string command =
        std::string("'") + KILN_BINARY + "' " + args + " >'" + stem + ".out' 2>'" + stem + ".err'";
    const int status = std::system(command.c_str());
    std::ifstream in(stem + ".err");
    std::stringstream text;
    text << in.rdbuf();
    err = text.str();
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  const std::string bad = tflite_data("malformed/unsupported_lstm.tflite");
  for (const std::string command : {"inspect", "compile", "verify"}) {
    SCOPED_TRACE(command);
    std::string err;
    const std::string out_dir = command == "compile" ? " -o '" + stem + "_gen'" : "";
    EXPECT_EQ(run(command + " '" + bad + "'" + out_dir, err), 1);
    EXPECT_EQ(err.rfind("kiln: error: " + bad + ": operator 5 (LSTM)", 0), 0u) << err;
    EXPECT_EQ(err.find('\n'), err.size() - 1) << err;
  }
  std::string err;
  EXPECT_EQ(run("compile '" + tflite_data("ops_int8.tflite") + "' -o '" + stem + "_gen'", err), 0)
      << err;
  EXPECT_TRUE(std::filesystem::exists(stem + "_gen/net.c"));
  EXPECT_EQ(run("verify '" + tflite_data("ops_float.tflite") + "'", err), 0) << err;
  std::filesystem::remove_all(stem + "_gen");
}

}  // namespace
}  // namespace kiln
