// The per-layer quantization config: parsing, glob matching on node names and op types, rule
// precedence, and one-line errors naming the file, the rule and the bad key or value.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ir/error.hpp"
#include "quant/layer_config.hpp"

namespace kiln {
namespace {

Node make_node(const std::string& name, const std::string& op) {
  Node n;
  n.name = name;
  n.op_type = op;
  return n;
}

std::string error_of(const std::string& text) {
  try {
    parse_quant_config(text, "cfg.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(QuantConfig, ParsesDefaultsRulesAndSettings) {
  const QuantConfig c = parse_quant_config(R"({
    "defaults": {"activations": "int8", "per_channel": false},
    "observer": "percentile", "percentile": 99.9, "calibration_samples": 64,
    "preprocess": "scale=1/255", "bias_correction": true, "float_io": true,
    "rules": [
      {"op": "Conv", "weights": "int4"},
      {"name": "conv2*", "activations": "int16", "requant": "shift"},
      {"name": "head", "quantize": false, "symmetric_activations": true,
       "symmetric_weights": true, "weight_bits": 8}
    ]})",
                                           "dir/cfg.json");
  ASSERT_EQ(c.rules.size(), 3u);
  EXPECT_EQ(c.rules[0].op_glob, "Conv");
  EXPECT_EQ(c.rules[0].weight_bits, 4);
  EXPECT_FALSE(c.rules[0].activations.has_value());
  EXPECT_EQ(c.rules[1].name_glob, "conv2*");
  EXPECT_EQ(c.rules[1].activations, DType::Int16);
  EXPECT_EQ(c.rules[1].requant, Requant::Shift);
  EXPECT_EQ(c.rules[2].quantize, false);
  EXPECT_EQ(c.defaults.per_channel_weights, false);
  EXPECT_EQ(c.observer, Observer::Percentile);
  EXPECT_EQ(c.percentile, 99.9);
  EXPECT_EQ(c.calibration_samples, 64);

  QuantizeOptions options;
  apply_quant_config(c, options);
  EXPECT_FALSE(options.defaults.per_channel_weights);
  EXPECT_EQ(options.observer, Observer::Percentile);
  EXPECT_EQ(options.calibration.preprocess, "scale=1/255");
  EXPECT_EQ(options.calibration.max_samples, 64);
  EXPECT_TRUE(options.bias_correction);
  EXPECT_TRUE(options.float_io);
  EXPECT_EQ(options.rules.size(), 3u);
}

TEST(QuantConfig, RelativeCalibrationPathIsRelativeToTheConfigFile) {
  const QuantConfig c = parse_quant_config(R"({"calibration": "calib"})", "/data/x/cfg.json");
  EXPECT_EQ(c.calibration, "/data/x/calib");
  const QuantConfig abs = parse_quant_config(R"({"calibration": "/abs"})", "/data/x/cfg.json");
  EXPECT_EQ(abs.calibration, "/abs");
}

TEST(QuantConfig, GlobsMatchNamesAndOpTypes) {
  EXPECT_TRUE(glob_match("", "anything"));
  EXPECT_TRUE(glob_match("conv*", "conv12"));
  EXPECT_FALSE(glob_match("conv*", "fc"));
  EXPECT_TRUE(glob_match("layer?.fc", "layer3.fc"));
  EXPECT_TRUE(glob_match("[CG]*", "Gemm"));
  EXPECT_FALSE(glob_match("[CG]*", "MatMul"));
  LayerRule rule;
  rule.name_glob = "block*";
  rule.op_glob = "Conv";
  EXPECT_TRUE(rule_matches(rule, make_node("block1", "Conv")));
  EXPECT_FALSE(rule_matches(rule, make_node("block1", "Add")));
  EXPECT_FALSE(rule_matches(rule, make_node("stem", "Conv")));
}

TEST(QuantConfig, LaterRulesWinFieldByField) {
  const QuantConfig c = parse_quant_config(R"({"rules": [
      {"op": "Conv", "weights": "int4", "activations": "int16"},
      {"name": "conv_last", "weights": "int8"},
      {"name": "other", "quantize": false}]})",
                                           "cfg.json");
  LayerScheme defaults;
  const LayerScheme first = resolve_scheme(defaults, c.rules, make_node("conv_first", "Conv"));
  EXPECT_EQ(first.weight_bits, 4);
  EXPECT_EQ(first.activations, DType::Int16);
  const LayerScheme last = resolve_scheme(defaults, c.rules, make_node("conv_last", "Conv"));
  EXPECT_EQ(last.weight_bits, 8);             // overridden by the later rule
  EXPECT_EQ(last.activations, DType::Int16);  // kept from the earlier one
  const LayerScheme gemm = resolve_scheme(defaults, c.rules, make_node("fc", "Gemm"));
  EXPECT_EQ(gemm.weight_bits, 8);
  EXPECT_TRUE(gemm.quantize);
  EXPECT_FALSE(resolve_scheme(defaults, c.rules, make_node("other", "Relu")).quantize);
}

TEST(QuantConfig, ErrorsNameFileRuleAndKeyOnOneLine) {
  auto check = [](const std::string& text, const std::string& expected) {
    const std::string e = error_of(text);
    EXPECT_NE(e.find(expected), std::string::npos) << e;
    EXPECT_EQ(e.rfind("cfg.json: ", 0), 0u) << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  };
  check(R"({"rules": [{"op": "Conv"}, {"name": "x", "activation": "int8"}]})",
        "rule 1: unknown key 'activation'");
  check(R"({"rules": [{"activations": "int4"}]})",
        "rule 0: 'activations' must be \"int8\" or \"int16\", got \"int4\"");
  check(R"({"rules": [{"weights": "int2"}]})", "rule 0: 'weights' must be");
  check(R"({"rules": [{"per_channel": "yes"}]})", "rule 0: 'per_channel' must be true or false");
  check(R"({"rules": [{"requant": "pot"}]})",
        "'requant' must be \"fixed\", \"shift\" or \"single\"");
  check(R"({"rules": [{"name": 3}]})", "rule 0: 'name' must be a string");
  check(R"({"rules": ["Conv"]})", "rule 0: must be a JSON object");
  check(R"({"rules": {}})", "'rules' must be an array");
  check(R"({"defaults": {"name": "x"}})", "defaults: unknown key 'name'");
  check(R"({"observer": "kl"})", "'observer' must be");
  check(R"({"percentile": 0})", "'percentile' must be a number in (0, 100]");
  check(R"({"calibration_samples": -3})", "'calibration_samples' must be a positive integer");
  check(R"({"bogus": 1})", "unknown key 'bogus'");
  check(R"([1, 2])", "the config must be a JSON object");
  check(R"({"rules": [)", "invalid JSON");
}

TEST(QuantConfig, LoadReadsAFileAndNamesItInErrors) {
  const auto path = std::filesystem::path(::testing::TempDir()) / "kiln_quant_cfg_test.json";
  {
    std::ofstream out(path);
    out << R"({"rules": [{"op": "Gemm", "weights": "int9"}]})";
  }
  try {
    load_quant_config(path);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path.string() + ": rule 0: 'weights'", 0), 0u)
        << e.what();
  }
  std::filesystem::remove(path);
  EXPECT_THROW(load_quant_config("/nonexistent/cfg.json"), Error);
}

}  // namespace
}  // namespace kiln
