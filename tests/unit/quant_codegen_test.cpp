// Quantized builds are bit-exact between the interpreter and the generated C: MNIST quantized
// under randomly drawn schemes (activation type, per-tensor/per-channel, symmetric, requant
// strategy, observer, per-layer mixes), compiled with the host C compiler (no float allowed in
// the generated model file), run on random int inputs and compared byte for byte.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "codegen/compile.hpp"
#include "frontend/load_model.hpp"
#include "interpreter/interpreter.hpp"
#include "passes/pipeline.hpp"
#include "quant/calibrate.hpp"
#include "quant/layer_config.hpp"
#include "quant/quantize.hpp"
#include "verify/process.hpp"
#include "verify/tensor_io.hpp"

namespace kiln {
namespace {

namespace fs = std::filesystem;

const std::string kMnist = std::string(KILN_SOURCE_DIR) + "/examples/mnist";

// Reads input.bin, runs the network, writes output.bin (single input and output).
constexpr const char* kHarness = R"(#include <stdio.h>
#include "net.h"
static NET_INPUT_0_TYPE in[NET_INPUT_0_SIZE];
static NET_OUTPUT_0_TYPE out[NET_OUTPUT_0_SIZE];
int main(int argc, char** argv) {
  FILE* f;
  if (argc != 3) return 2;
  f = fopen(argv[1], "rb");
  if (!f || fread(in, 1, sizeof in, f) != sizeof in) return 3;
  fclose(f);
  if (net_run(in, out) != 0) return 4;
  f = fopen(argv[2], "wb");
  if (!f || fwrite(out, 1, sizeof out, f) != sizeof out) return 5;
  fclose(f);
  return 0;
}
)";

Tensor random_integer_input(const Tensor& spec, std::mt19937& rng) {
  Tensor t;
  t.name = spec.name;
  t.dtype = spec.dtype;
  t.shape = spec.shape;
  t.shape_known = true;
  t.data.resize(static_cast<size_t>(spec.bytes()));
  std::uniform_int_distribution<int> byte(0, 255);
  for (uint8_t& b : t.data) b = static_cast<uint8_t>(byte(rng));
  return t;
}

TEST(QuantCodegen, RandomSchemesAreBitExactBetweenInterpreterAndGeneratedC) {
  Graph reference = load_model(kMnist + "/mnist.onnx");
  optimize(reference);
  CalibrationSource source;
  source.path = kMnist;
  const auto samples = load_calibration_samples(reference, source);
  std::mt19937 rng(20261122);
  const std::vector<std::string> layers = {"/conv1/Conv", "/conv2/Conv", "/fc/Gemm"};
  for (int trial = 0; trial < 6; ++trial) {
    QuantizeOptions o;
    o.enabled = true;
    o.progress = false;
    o.defaults.activations = rng() % 3 == 0 ? DType::Int16 : DType::Int8;
    o.defaults.per_channel_weights = rng() % 2 == 0;
    o.defaults.symmetric_activations = rng() % 2 == 0;
    const unsigned pick = rng() % 4;
    o.defaults.requant =
        pick == 0 ? Requant::Shift : (pick == 1 ? Requant::Single : Requant::FixedPoint);
    o.observer = static_cast<Observer>(rng() % 3);
    o.percentile = 99.9;
    // One layer with another activation type and requant strategy (mixed precision).
    LayerRule rule;
    rule.name_glob = layers[rng() % layers.size()];
    rule.activations = o.defaults.activations == DType::Int8 ? DType::Int16 : DType::Int8;
    rule.requant = rng() % 2 == 0 ? Requant::Shift : Requant::Single;
    o.rules.push_back(rule);
    const std::string label = "trial " + std::to_string(trial) + ": activations " +
                              std::string(dtype_name(o.defaults.activations)) + ", per_channel " +
                              std::to_string(o.defaults.per_channel_weights) + ", symmetric " +
                              std::to_string(o.defaults.symmetric_activations) + ", requant " +
                              requant_name(o.defaults.requant) + ", observer " +
                              observer_name(o.observer) + ", rule " + rule.name_glob;
    SCOPED_TRACE(label);
    Graph g = reference;
    quantize_graph(g, o, samples);
    const fs::path dir =
        fs::path(::testing::TempDir()) / ("kiln_quant_codegen_" + std::to_string(trial));
    fs::remove_all(dir);
    CompileOptions compile;
    compile.name = "net";
    const CompileResult result = compile_graph(g, compile, dir);
    std::ifstream model(dir / "net.c");
    const std::string model_text((std::istreambuf_iterator<char>(model)),
                                 std::istreambuf_iterator<char>());
    EXPECT_EQ(model_text.find("float"), std::string::npos);
    std::ofstream(dir / "main.c") << kHarness;
    std::vector<std::string> cc = {"cc",
                                   "-std=c99",
                                   "-O2",
                                   "-I" + dir.string(),
                                   "-o",
                                   (dir / "harness").string(),
                                   (dir / "main.c").string()};
    for (const std::string& src : result.code.c_sources) cc.push_back((dir / src).string());
    const ProcessResult built = run_process(cc);
    ASSERT_TRUE(built.ok()) << built.output;
    const Tensor& in_spec = g.tensor(g.inputs[0]);
    for (int k = 0; k < 3; ++k) {
      const Tensor input = random_integer_input(in_spec, rng);
      write_raw(dir / "input.bin", input);
      const ProcessResult ran =
          run_process({(dir / "harness").string(), (dir / "input.bin").string(),
                       (dir / "output.bin").string()});
      ASSERT_TRUE(ran.ok()) << ran.status_text() << " " << ran.output;
      const Tensor expected = run_graph(g, {{input.name, input}}).at(g.outputs[0]);
      const Tensor actual = read_raw(dir / "output.bin", expected);
      EXPECT_EQ(actual.data, expected.data) << "input " << k;
    }
    fs::remove_all(dir);
  }
}

}  // namespace
}  // namespace kiln
