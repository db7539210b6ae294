// QDQ insertion by post-training quantization (QuantizeOptions::lower = false): the structure the
// quantizer promises lower_qdq (docs/quantization.md), parameter choice per scheme, and the
// fake-quantized float graph still classifying the MNIST test digits like the float model.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "frontend/load_model.hpp"
#include "interpreter/interpreter.hpp"
#include "ir/error.hpp"
#include "passes/pipeline.hpp"
#include "quant/calibrate.hpp"
#include "quant/layer_config.hpp"
#include "quant/quantize.hpp"

namespace kiln {
namespace {

const std::string kMnist = std::string(KILN_SOURCE_DIR) + "/examples/mnist";

struct Fixture {
  Graph float_graph;
  std::vector<TensorMap> samples;
};

const Fixture& mnist() {
  static const Fixture f = [] {
    Fixture x;
    x.float_graph = load_model(kMnist + "/mnist.onnx");
    optimize(x.float_graph);
    CalibrationSource source;
    source.path = kMnist;
    x.samples = load_calibration_samples(x.float_graph, source);
    return x;
  }();
  return f;
}

QuantizeOptions qdq_options() {
  QuantizeOptions o;
  o.enabled = true;
  o.progress = false;
  o.lower = false;
  return o;
}

const Node* producer_of(const Graph& g, const std::string& t) {
  const int p = g.producer(t);
  return p < 0 ? nullptr : &g.nodes[p];
}

const Node& find_op(const Graph& g, const std::string& op, int nth = 0) {
  for (const Node& n : g.nodes)
    if (n.op_type == op && nth-- == 0) return n;
  throw std::runtime_error("no " + op);
}

// Quantizes a float sample to the graph input's integer type, as a caller of int8 I/O would.
Tensor quantize_input(const Graph& g, const Tensor& sample) {
  const Tensor& spec = g.tensor(g.inputs[0]);
  Tensor t = spec;
  t.constant = false;
  t.data.assign(static_cast<size_t>(spec.bytes()), 0);
  const auto v = sample.as_float();
  for (size_t i = 0; i < v.size(); ++i) {
    const double q = std::nearbyint(v[i] / spec.quant->scales[0]) + spec.quant->zero_points[0];
    if (spec.dtype == DType::Int8) {
      t.data[i] = static_cast<uint8_t>(static_cast<int8_t>(std::clamp(q, -128.0, 127.0)));
    } else {
      const auto q16 = static_cast<int16_t>(std::clamp(q, -32768.0, 32767.0));
      std::memcpy(t.data.data() + 2 * i, &q16, 2);
    }
  }
  return t;
}

std::vector<float> dequantized_output(const Graph& g, const Tensor& out) {
  const Tensor& spec = g.tensor(g.outputs[0]);
  std::vector<float> v = out.as_float();
  if (spec.quant)
    for (float& x : v) x = (x - spec.quant->zero_points[0]) * spec.quant->scales[0];
  return v;
}

size_t argmax(const std::vector<float>& v) {
  return static_cast<size_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

// Runs float and quantized graphs on every sample; returns the number of equal top-1 classes
// and the largest logit difference.
std::pair<int, float> agreement(const Graph& q) {
  const Fixture& f = mnist();
  int same = 0;
  float worst = 0.0f;
  for (const TensorMap& s : f.samples) {
    const auto ref = run_graph(f.float_graph, s).at("logits").as_float();
    TensorMap in;
    const Tensor& sample = s.at("input");
    in["input"] = q.tensor("input").dtype == DType::Float32 ? sample : quantize_input(q, sample);
    const auto got = dequantized_output(q, run_graph(q, in).at("logits"));
    if (argmax(ref) == argmax(got)) ++same;
    for (size_t i = 0; i < ref.size(); ++i) worst = std::max(worst, std::fabs(ref[i] - got[i]));
  }
  return {same, worst};
}

TEST(QuantQdq, DefaultSchemeInsertsQdqPairsLikeAnExporter) {
  Graph g = mnist().float_graph;
  const QuantizeReport report = quantize_graph(g, qdq_options(), mnist().samples);
  g.verify();
  EXPECT_EQ(report.calibration_samples, 3);
  // int8 I/O: the graph input and output are Int8 tensors carrying their parameters.
  const Tensor& input = g.tensor("input");
  EXPECT_EQ(input.dtype, DType::Int8);
  ASSERT_TRUE(input.quant);
  EXPECT_FLOAT_EQ(input.quant->scales[0], 1.0f / 255.0f);  // observed range [0, 1]
  EXPECT_EQ(input.quant->zero_points[0], -128);
  const Tensor& logits = g.tensor("logits");
  EXPECT_EQ(logits.dtype, DType::Int8);
  ASSERT_TRUE(logits.quant);
  EXPECT_EQ(producer_of(g, "logits")->op_type, "QuantizeLinear");

  const Node& conv = find_op(g, "Conv");
  // Activation input: DequantizeLinear of the int8 graph input.
  const Node* x_dq = producer_of(g, conv.inputs[0]);
  ASSERT_NE(x_dq, nullptr);
  EXPECT_EQ(x_dq->op_type, "DequantizeLinear");
  EXPECT_EQ(x_dq->inputs[0], "input");
  // Weights: Int8 constant -> DequantizeLinear, per channel along axis 0, symmetric.
  const Node* w_dq = producer_of(g, conv.inputs[1]);
  ASSERT_NE(w_dq, nullptr);
  EXPECT_EQ(w_dq->op_type, "DequantizeLinear");
  EXPECT_EQ(w_dq->attr_int("axis", -1), 0);
  const Tensor& wq = g.tensor(w_dq->inputs[0]);
  EXPECT_TRUE(wq.constant);
  EXPECT_EQ(wq.dtype, DType::Int8);
  const Tensor& w_scales = g.tensor(w_dq->inputs[1]);
  EXPECT_EQ(w_scales.shape, (Shape{wq.shape[0]}));
  EXPECT_EQ(g.tensor(w_dq->inputs[2]).dtype, DType::Int8);
  for (float zp : g.tensor(w_dq->inputs[2]).as_float()) EXPECT_EQ(zp, 0.0f);
  int extreme = 0;
  for (float v : wq.as_float()) {
    EXPECT_LE(std::fabs(v), 127.0f);
    if (std::fabs(v) == 127.0f) ++extreme;
  }
  EXPECT_GE(extreme, wq.shape[0]);  // every channel's largest weight maps to +-127
  // Bias: Int32 at x_scale * w_scale[c], zero point 0.
  const Node* b_dq = producer_of(g, conv.inputs[2]);
  ASSERT_NE(b_dq, nullptr);
  EXPECT_EQ(b_dq->op_type, "DequantizeLinear");
  EXPECT_EQ(g.tensor(b_dq->inputs[0]).dtype, DType::Int32);
  const auto b_scales = g.tensor(b_dq->inputs[1]).as_float();
  const auto ws = w_scales.as_float();
  for (size_t c = 0; c < ws.size(); ++c)
    EXPECT_FLOAT_EQ(b_scales[c], input.quant->scales[0] * ws[c]);
  // Output: Conv -> QuantizeLinear -> DequantizeLinear -> next op.
  const std::vector<int> readers = g.consumers(conv.outputs[0]);
  ASSERT_EQ(readers.size(), 1u);
  EXPECT_EQ(g.nodes[readers[0]].op_type, "QuantizeLinear");
  EXPECT_EQ(g.tensor(g.nodes[readers[0]].outputs[0]).dtype, DType::Int8);
  // Asymmetric activations: zero point maps 0.0 exactly; Relu output -> zero point -128.
  EXPECT_EQ(report.tensors.at(conv.outputs[0]).at("zero_point"), -128);
  // MaxPool keeps its input's parameters.
  const Node& pool = find_op(g, "MaxPool");
  const Node* pool_in = producer_of(g, pool.inputs[0]);
  ASSERT_EQ(pool_in->op_type, "DequantizeLinear");
  const Node* pool_q = &g.nodes[g.consumers(pool.outputs[0])[0]];
  EXPECT_EQ(pool_q->op_type, "QuantizeLinear");
  EXPECT_EQ(g.tensor(pool_q->inputs[1]).as_float(), g.tensor(pool_in->inputs[1]).as_float());
  // Gemm weights: per channel along the output axis (transB = 1 -> axis 0).
  const Node& gemm = find_op(g, "Gemm");
  const Node* gw = producer_of(g, gemm.inputs[1]);
  EXPECT_EQ(gw->attr_int("axis", -1), gemm.attr_int("transB", 0) != 0 ? 0 : 1);
  // Report contents.
  EXPECT_EQ(report.nodes.at(conv.name).at("quantized"), true);
  EXPECT_EQ(report.nodes.at(conv.name).at("activations"), "int8");
  EXPECT_TRUE(report.tensors.contains("input"));
  EXPECT_EQ(report.tensors.at("input").at("observed_max"), 1.0f);
  EXPECT_EQ(report.tensors.at("input").at("dtype"), "int8");
  const nlohmann::json& weights = report.tensors.at("conv1.weight");
  EXPECT_EQ(weights.at("scale").size(), 8u);
  EXPECT_EQ(weights.at("axis"), 0);
  // The fake-quantized graph still classifies the digits like the float model.
  const auto [same, worst] = agreement(g);
  EXPECT_EQ(same, 3);
  EXPECT_LT(worst, 0.5f);
}

TEST(QuantQdq, FloatIoKeepsFloatBoundaries) {
  Graph g = mnist().float_graph;
  QuantizeOptions o = qdq_options();
  o.float_io = true;
  quantize_graph(g, o, mnist().samples);
  EXPECT_EQ(g.tensor("input").dtype, DType::Float32);
  EXPECT_EQ(g.tensor("logits").dtype, DType::Float32);
  EXPECT_EQ(producer_of(g, "logits")->op_type, "DequantizeLinear");
  EXPECT_EQ(g.nodes[g.consumers("input")[0]].op_type, "QuantizeLinear");
  EXPECT_EQ(agreement(g).first, 3);
}

TEST(QuantQdq, PerTensorInt4AndShiftSchemes) {
  Graph g = mnist().float_graph;
  QuantizeOptions o = qdq_options();
  o.defaults.per_channel_weights = false;
  o.defaults.weight_bits = 4;
  o.defaults.requant = Requant::Shift;
  const QuantizeReport report = quantize_graph(g, o, mnist().samples);
  const Node& conv = find_op(g, "Conv");
  EXPECT_EQ(conv.attr_string("kiln_requant", ""), "shift");
  const Node* w_dq = producer_of(g, conv.inputs[1]);
  EXPECT_EQ(w_dq->attr_int("kiln_bits", 8), 4);
  EXPECT_FALSE(w_dq->has_attr("axis"));
  EXPECT_EQ(g.tensor(w_dq->inputs[1]).elements(), 1);
  for (float v : g.tensor(w_dq->inputs[0]).as_float()) EXPECT_LE(std::fabs(v), 7.0f);
  // Power-of-two scales everywhere a scale is chosen.
  auto is_pot = [](float s) {
    int e = 0;
    return std::frexp(s, &e) == 0.5f;
  };
  for (const Node& n : g.nodes)
    if (n.op_type == "QuantizeLinear" || n.op_type == "DequantizeLinear")
      for (float s : g.tensor(n.inputs[1]).as_float()) EXPECT_TRUE(is_pot(s)) << n.name << " " << s;
  EXPECT_EQ(report.nodes.at(conv.name).at("requant"), "shift");
  EXPECT_EQ(report.nodes.at(conv.name).at("weights"), "int4");
  // int4 per-tensor weights with power-of-two scales are coarse but keep the classes.
  EXPECT_GE(agreement(g).first, 2);
}

// Asymmetric per-channel weights: each output channel's own [min, max] (widened to include 0)
// spans the whole grid [-2^(b-1), 2^(b-1) - 1] with its own scale and zero point; int8 and int4,
// real-valued and power-of-two scales.
TEST(QuantQdq, PerChannelAsymmetricWeights) {
  for (const int bits : {8, 4})
    for (const Requant requant : {Requant::FixedPoint, Requant::Shift}) {
      SCOPED_TRACE("int" + std::to_string(bits) + ", requant " + requant_name(requant));
      Graph g = mnist().float_graph;
      const Graph& f = mnist().float_graph;
      QuantizeOptions o = qdq_options();
      o.defaults.per_channel_weights = true;
      o.defaults.symmetric_weights = false;
      o.defaults.weight_bits = bits;
      o.defaults.requant = requant;
      const QuantizeReport report = quantize_graph(g, o, mnist().samples);
      const int32_t lo_q = -(1 << (bits - 1)), hi_q = (1 << (bits - 1)) - 1;
      for (const char* op : {"Conv", "Gemm"}) {
        const Node& node = find_op(g, op);
        const Node* w_dq = producer_of(g, node.inputs[1]);
        ASSERT_NE(w_dq, nullptr);
        ASSERT_EQ(w_dq->op_type, "DequantizeLinear");
        const int axis = static_cast<int>(
            std::string(op) == "Conv" ? 0 : (node.attr_int("transB", 0) != 0 ? 0 : 1));
        EXPECT_EQ(w_dq->attr_int("axis", -1), axis);
        EXPECT_EQ(w_dq->attr_int("kiln_bits", 8), bits);
        const Tensor& wq = g.tensor(w_dq->inputs[0]);
        const auto q = wq.as_int64();
        const auto scales = g.tensor(w_dq->inputs[1]).as_float();
        const auto zps = g.tensor(w_dq->inputs[2]).as_int64();
        const int64_t channels = wq.shape[static_cast<size_t>(axis)];
        ASSERT_EQ(static_cast<int64_t>(scales.size()), channels);
        ASSERT_EQ(static_cast<int64_t>(zps.size()), channels);
        EXPECT_GT(std::set<int64_t>(zps.begin(), zps.end()).size(), 1u) << op;
        // The float weights, to check each channel's grid.
        const Node& float_node = find_op(f, op);
        const auto w = f.tensor(float_node.inputs[1]).as_float();
        int64_t inner = 1;
        for (size_t d = static_cast<size_t>(axis) + 1; d < wq.shape.size(); ++d)
          inner *= wq.shape[d];
        std::vector<double> lo(channels, 0.0), hi(channels, 0.0);
        std::vector<int64_t> q_min(channels, hi_q), q_max(channels, lo_q);
        for (size_t k = 0; k < q.size(); ++k) {
          const auto c = static_cast<size_t>((static_cast<int64_t>(k) / inner) % channels);
          lo[c] = std::min<double>(lo[c], w[k]);
          hi[c] = std::max<double>(hi[c], w[k]);
          q_min[c] = std::min(q_min[c], q[k]);
          q_max[c] = std::max(q_max[c], q[k]);
          // Every weight dequantizes to within half a step of its float value.
          EXPECT_LE(std::fabs((q[k] - zps[c]) * static_cast<double>(scales[c]) - w[k]),
                    0.5 * scales[c] + 1e-7)
              << op << " weight " << k;
        }
        for (int64_t c = 0; c < channels; ++c) {
          EXPECT_GE(zps[c], lo_q);
          EXPECT_LE(zps[c], hi_q);
          EXPECT_GE(q_min[c], lo_q);
          EXPECT_LE(q_max[c], hi_q);
          const double exact = (hi[c] - lo[c]) / (hi_q - lo_q);
          if (requant == Requant::Shift) {
            int e = 0;
            EXPECT_EQ(std::frexp(scales[c], &e), 0.5f) << op << " channel " << c;
            EXPECT_GE(scales[c], exact * (1 - 1e-6));
            EXPECT_LT(scales[c], 2 * exact);
          } else {
            // The channel's range fills the grid: its extremes map to the grid's ends.
            EXPECT_NEAR(scales[c], exact, exact * 1e-6) << op << " channel " << c;
            EXPECT_EQ(q_min[c], lo_q) << op << " channel " << c;
            EXPECT_EQ(q_max[c], hi_q) << op << " channel " << c;
          }
        }
        // The report lists every channel's zero point and scale.
        const nlohmann::json& entry = report.tensors.at(float_node.inputs[1]);
        EXPECT_EQ(entry.at("zero_point").get<std::vector<int64_t>>(), zps);
        EXPECT_EQ(entry.at("scale").size(), static_cast<size_t>(channels));
        EXPECT_EQ(entry.at("axis"), axis);
        EXPECT_EQ(entry.at("symmetric"), false);
        EXPECT_EQ(report.nodes.at(node.name).at("per_channel"), true);
        EXPECT_EQ(report.nodes.at(node.name).at("symmetric_weights"), false);
      }
      // The fake-quantized graph still classifies the digits like the float model.
      EXPECT_GE(agreement(g).first, bits == 8 ? 3 : 2);
    }
}

TEST(QuantQdq, Int16ActivationsAreSymmetric) {
  Graph g = mnist().float_graph;
  QuantizeOptions o = qdq_options();
  o.defaults.activations = DType::Int16;
  quantize_graph(g, o, mnist().samples);
  EXPECT_EQ(g.tensor("input").dtype, DType::Int16);
  EXPECT_EQ(g.tensor("input").quant->zero_points[0], 0);
  EXPECT_FLOAT_EQ(g.tensor("input").quant->scales[0], 1.0f / 32767.0f);
  EXPECT_EQ(g.tensor("logits").dtype, DType::Int16);
  const auto [same, worst] = agreement(g);
  EXPECT_EQ(same, 3);
  EXPECT_LT(worst, 0.2f);
}

TEST(QuantQdq, ConfigRulesMixPrecisionAndKeepLayersFloat) {
  const Graph& f = mnist().float_graph;
  const std::string conv2 = find_op(f, "Conv", 1).name;
  const std::string gemm = find_op(f, "Gemm").name;
  Graph g = f;
  QuantizeOptions o = qdq_options();
  const QuantConfig config =
      parse_quant_config(R"({"rules": [{"name": ")" + conv2 + R"(", "activations": "int16"},
                    {"op": "Gemm", "quantize": false}]})",
                         "cfg.json");
  apply_quant_config(config, o);
  const QuantizeReport report = quantize_graph(g, o, mnist().samples);
  // The float Gemm reads float weights and a dequantized input; the output stays float.
  const Node& fc = find_op(g, "Gemm");
  EXPECT_EQ(fc.name, gemm);
  EXPECT_TRUE(g.tensor(fc.inputs[1]).constant);
  EXPECT_EQ(g.tensor(fc.inputs[1]).dtype, DType::Float32);
  EXPECT_EQ(producer_of(g, fc.inputs[0])->op_type, "DequantizeLinear");
  EXPECT_EQ(g.tensor("logits").dtype, DType::Float32);
  EXPECT_EQ(report.nodes.at(gemm).at("quantized"), false);
  EXPECT_EQ(report.nodes.at(gemm).at("reason"), "quantize=false in the config");
  // conv2 reads int16: its int8 input is converted by DQ -> Q(int16) -> DQ.
  const Node& c2 = find_op(g, "Conv", 1);
  const Node* dq16 = producer_of(g, c2.inputs[0]);
  ASSERT_EQ(dq16->op_type, "DequantizeLinear");
  EXPECT_EQ(g.tensor(dq16->inputs[0]).dtype, DType::Int16);
  const Node* q16 = producer_of(g, dq16->inputs[0]);
  ASSERT_EQ(q16->op_type, "QuantizeLinear");
  EXPECT_EQ(producer_of(g, q16->inputs[0])->op_type, "DequantizeLinear");
  // Its output is int16.
  EXPECT_EQ(g.tensor(g.nodes[g.consumers(c2.outputs[0])[0]].outputs[0]).dtype, DType::Int16);
  EXPECT_EQ(agreement(g).first, 3);
}

TEST(QuantQdq, BiasCorrectionFoldsPerChannelMeanShifts) {
  Graph plain = mnist().float_graph;
  quantize_graph(plain, qdq_options(), mnist().samples);
  Graph corrected = mnist().float_graph;
  QuantizeOptions o = qdq_options();
  o.bias_correction = true;
  o.defaults.weight_bits = 4;  // coarse weights make the mean shifts visible
  const QuantizeReport report = quantize_graph(corrected, o, mnist().samples);
  ASSERT_FALSE(report.bias_correction.empty());
  const std::string conv = find_op(corrected, "Conv").name;
  ASSERT_TRUE(report.bias_correction.contains(conv));
  const auto& steps = report.bias_correction.at(conv).at("bias_steps");
  EXPECT_EQ(steps.size(), 8u);
  int nonzero = 0;
  for (const auto& s : steps)
    if (s.get<int>() != 0) ++nonzero;
  EXPECT_GT(nonzero, 0);
  EXPECT_GE(agreement(corrected).first, 2);
}

TEST(QuantQdq, QuantizingNothingLeavesTheGraphAlone) {
  Graph g = mnist().float_graph;
  QuantizeOptions o = qdq_options();
  o.defaults.quantize = false;
  const QuantizeReport report = quantize_graph(g, o, mnist().samples);
  EXPECT_EQ(report.calibration_samples, 0);
  EXPECT_EQ(g.nodes.size(), mnist().float_graph.nodes.size());
  EXPECT_EQ(g.tensor("input").dtype, DType::Float32);
}

}  // namespace
}  // namespace kiln
