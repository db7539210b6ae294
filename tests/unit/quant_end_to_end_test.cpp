// Post-training quantization end to end on the bundled MNIST network: calibrate on its ONNX test
// data sets, insert QDQ, lower to integer ops, and check the graph is integer-only, classifies
// held-out digits like the float model, and that the compile report carries the parameters.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "codegen/compile.hpp"
#include "frontend/load_model.hpp"
#include "interpreter/interpreter.hpp"
#include "ops/op_registry.hpp"
#include "passes/pipeline.hpp"
#include "quant/calibrate.hpp"
#include "quant/quant_math.hpp"
#include "quant/quantize.hpp"
#include "verify/dataset.hpp"

namespace kiln {
namespace {

const std::string kMnist = std::string(KILN_SOURCE_DIR) + "/examples/mnist";

Graph float_mnist() {
  Graph g = load_model(kMnist + "/mnist.onnx");
  optimize(g);
  return g;
}

QuantizeOptions options() {
  QuantizeOptions o;
  o.enabled = true;
  o.progress = false;
  o.calibration.path = kMnist;  // the three test_data_set_* inputs
  return o;
}

Tensor to_int8_input(const Graph& g, const Tensor& sample) {
  const Tensor& spec = g.tensor(g.inputs[0]);
  Tensor t;
  t.name = spec.name;
  t.dtype = spec.dtype;
  t.shape = spec.shape;
  t.shape_known = true;
  t.data.resize(static_cast<size_t>(spec.bytes()));
  const auto v = sample.as_float();
  for (size_t i = 0; i < v.size(); ++i) {
    const int32_t q =
        quantize_value(v[i], spec.quant->scales[0], spec.quant->zero_points[0], spec.dtype);
    t.data[i] = static_cast<uint8_t>(static_cast<int8_t>(q));
  }
  return t;
}

size_t argmax(const std::vector<float>& v) {
  return static_cast<size_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

TEST(QuantEndToEnd, MnistBecomesAnIntegerGraph) {
  const Graph reference = float_mnist();
  Graph g = reference;
  quantize_graph(g, options());
  g.verify();
  EXPECT_EQ(g.tensor("input").dtype, DType::Int8);
  EXPECT_EQ(g.tensor("logits").dtype, DType::Int8);
  int integer_kernels = 0;
  for (const Node& n : g.nodes) {
    EXPECT_NE(n.op_type, "QuantizeLinear") << n.name;
    EXPECT_NE(n.op_type, "DequantizeLinear") << n.name;
    for (const std::string& t : n.inputs)
      if (!t.empty()) EXPECT_NE(g.tensor(t).dtype, DType::Float32) << n.name << " reads " << t;
    for (const std::string& t : n.outputs) EXPECT_EQ(g.tensor(t).dtype, DType::Int8) << t;
    const std::string kernel = op_for(n).lower(n, g).function;
    EXPECT_EQ(kernel.find("_f32"), std::string::npos) << n.name << " -> " << kernel;
    if (kernel.ends_with("_s8")) ++integer_kernels;
  }
  EXPECT_EQ(integer_kernels, 5);  // 2 Conv, 2 MaxPool, Gemm (Flatten is a copy)
}

TEST(QuantEndToEnd, AgreesWithFloatOnTestSetsAndHeldOutDigits) {
  const Graph reference = float_mnist();
  Graph g = reference;
  quantize_graph(g, options());
  const float out_scale = g.tensor("logits").quant->scales[0];
  const int32_t out_zp = g.tensor("logits").quant->zero_points[0];
  // 300 held-out digits (index 8000.., never seen in training or calibration).
  const Dataset held_out =
      load_dataset(kMnist + "/data/digits-images-idx3-ubyte", parse_preprocess("scale=1/255"),
                   {1, 1, 28, 28}, SampleRange{8000, 300});
  ASSERT_EQ(held_out.samples.size(), 300u);
  int agree = 0, float_correct = 0, int_correct = 0;
  for (size_t i = 0; i < held_out.samples.size(); ++i) {
    Tensor x = held_out.samples[i];
    x.name = "input";
    const auto ref = run_graph(reference, {{"input", x}}).at("logits").as_float();
    auto got = run_graph(g, {{"input", to_int8_input(g, x)}}).at("logits").as_float();
    for (float& v : got) v = (v - out_zp) * out_scale;
    agree += argmax(ref) == argmax(got);
    float_correct += static_cast<int64_t>(argmax(ref)) == held_out.labels[i];
    int_correct += static_cast<int64_t>(argmax(got)) == held_out.labels[i];
  }
  EXPECT_GE(agree, 294);                      // >= 98% identical predictions
  EXPECT_GE(int_correct, float_correct - 3);  // accuracy within 1 percentage point
}

TEST(QuantEndToEnd, ObserversAndSchemesAllLowerToIntegers) {
  const Graph reference = float_mnist();
  for (Observer obs : {Observer::Percentile, Observer::Mse}) {
    Graph g = reference;
    QuantizeOptions o = options();
    o.observer = obs;
    quantize_graph(g, o);
    EXPECT_EQ(g.tensor("logits").dtype, DType::Int8) << observer_name(obs);
  }
  Graph shift = reference;
  QuantizeOptions o = options();
  o.defaults.requant = Requant::Shift;
  o.defaults.per_channel_weights = false;
  o.defaults.symmetric_activations = true;
  quantize_graph(shift, o);
  for (const Node& n : shift.nodes)
    if (n.op_type == "Conv") EXPECT_EQ(n.attr_string("kiln_requant", ""), "shift");
  EXPECT_EQ(shift.tensor("logits").quant->zero_points[0], 0);
}

TEST(QuantEndToEnd, UnfusedActivationsBecomeIntegerToo) {
  Graph g = load_model(kMnist + "/mnist.onnx");
  PipelineOptions no_fuse;
  no_fuse.fuse = false;
  optimize(g, no_fuse);
  int relus = 0;
  for (const Node& n : g.nodes) relus += n.op_type == "Relu";
  ASSERT_EQ(relus, 2);
  quantize_graph(g, options());
  for (const Node& n : g.nodes) {
    EXPECT_NE(n.op_type, "DequantizeLinear") << n.name;
    EXPECT_EQ(op_for(n).lower(n, g).function.find("_f32"), std::string::npos) << n.name;
  }
  EXPECT_EQ(g.tensor("logits").dtype, DType::Int8);
}

// Every MNIST op has an int16 form now (MaxPool: kiln_max_pool_s16): the whole network runs on
// int16 tensors, with no int8 island, no conversion and no "runs in int8" note.
TEST(QuantEndToEnd, Int16ActivationsRunEveryMnistOpInInt16) {
  Graph g = float_mnist();
  QuantizeOptions o = options();
  o.defaults.activations = DType::Int16;
  const QuantizeReport report = quantize_graph(g, o);
  EXPECT_EQ(g.tensor("input").dtype, DType::Int16);
  EXPECT_EQ(g.tensor("logits").dtype, DType::Int16);
  int max_pools = 0;
  for (const Node& n : g.nodes) {
    EXPECT_NE(n.op_type, "DequantizeLinear");
    EXPECT_NE(n.op_type, "Requantize") << n.name;
    EXPECT_EQ(g.tensor(n.outputs[0]).dtype, DType::Int16) << n.name;
    const std::string kernel = op_for(n).lower(n, g).function;
    EXPECT_EQ(kernel.find("_f32"), std::string::npos) << n.name;
    if (n.op_type == "MaxPool") {
      EXPECT_EQ(kernel, "kiln_max_pool_s16");
      ++max_pools;
    }
  }
  EXPECT_EQ(max_pools, 2);
  for (const auto& [name, entry] : report.nodes.items())
    EXPECT_FALSE(entry.contains("note")) << name << ": " << entry.dump();
}

TEST(QuantEndToEnd, Int4WeightsLowerToPackedIntegers) {
  Graph g = float_mnist();
  QuantizeOptions o = options();
  o.defaults.weight_bits = 4;
  quantize_graph(g, o);
  int packed = 0;
  for (const Node& n : g.nodes)
    if (n.op_type == "Conv" || n.op_type == "Gemm") {
      const Tensor& w = g.tensor(n.inputs[1]);
      ASSERT_TRUE(w.quant);
      EXPECT_EQ(w.quant->bits, 4);
      EXPECT_EQ(static_cast<int64_t>(w.data.size()), (w.elements() + 1) / 2);
      ++packed;
    }
  EXPECT_EQ(packed, 3);
}

TEST(QuantEndToEnd, CompileReportCarriesTheQuantizationSection) {
  Graph g = float_mnist();
  const QuantizeReport report = quantize_graph(g, options());
  CompileOptions compile;
  compile.name = "qnet";
  compile.report_sections["quantization"] = report.to_json();
  const auto dir = std::filesystem::path(::testing::TempDir()) / "kiln_quant_e2e_report";
  std::filesystem::remove_all(dir);
  const CompileResult result = compile_graph(std::move(g), compile, dir);
  std::ifstream in(result.report_path);
  const nlohmann::json json = nlohmann::json::parse(in);
  const nlohmann::json& q = json.at("quantization");
  EXPECT_EQ(q.at("calibration_samples"), 3);
  EXPECT_EQ(q.at("observer"), "minmax");
  EXPECT_EQ(q.at("tensors").at("input").at("dtype"), "int8");
  EXPECT_EQ(q.at("tensors").at("input").at("zero_point"), -128);
  EXPECT_EQ(q.at("tensors").at("conv1.weight").at("scale").size(), 8u);
  EXPECT_EQ(q.at("tensors").at("fc.weight").at("axis"), 0);
  EXPECT_TRUE(q.at("tensors").at("logits").contains("observed_min"));
  for (const auto& [name, node] : q.at("nodes").items()) EXPECT_EQ(node.at("quantized"), true);
  EXPECT_EQ(json.at("inputs")[0].at("dtype"), "int8");
  for (const auto& k : json.at("kernels"))
    EXPECT_EQ(k.get<std::string>().find("_f32"), std::string::npos) << k;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kiln
