#include "quant/layer_config.hpp"

#include <fnmatch.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "ir/read_file.hpp"

namespace kiln {

namespace {

using nlohmann::json;

// Error context: "<file>: rule 3" or "<file>: defaults".
struct Where {
  std::string source;
  std::string part;
  [[noreturn]] void fail(const std::string& message) const {
    throw Error(source + ": " + (part.empty() ? "" : part + ": ") + message);
  }
};

std::string shown(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

bool get_bool(const Where& where, const std::string& key, const json& value) {
  if (!value.is_boolean())
    where.fail(quote_name(key) + " must be true or false, got " + shown(value));
  return value.get<bool>();
}

std::string get_string(const Where& where, const std::string& key, const json& value) {
  if (!value.is_string()) where.fail(quote_name(key) + " must be a string, got " + shown(value));
  return value.get<std::string>();
}

// Sets the scheme field named `key` in `rule`; false when `key` is not a scheme field.
bool parse_scheme_field(const Where& where, const std::string& key, const json& value,
                        LayerRule& rule) {
  if (key == "activations") {
    const std::string s = value.is_string() ? value.get<std::string>() : "";
    if (s == "int8")
      rule.activations = DType::Int8;
    else if (s == "int16")
      rule.activations = DType::Int16;
    else
      where.fail("'activations' must be \"int8\" or \"int16\", got " + shown(value));
  } else if (key == "weights") {
    const std::string s = value.is_string() ? value.get<std::string>() : "";
    if (s == "int8")
      rule.weight_bits = 8;
    else if (s == "int4")
      rule.weight_bits = 4;
    else
      where.fail("'weights' must be \"int8\" or \"int4\", got " + shown(value));
  } else if (key == "weight_bits") {
    if (!value.is_number_integer() || (value.get<int64_t>() != 8 && value.get<int64_t>() != 4))
      where.fail("'weight_bits' must be 8 or 4, got " + shown(value));
    rule.weight_bits = static_cast<int>(value.get<int64_t>());
  } else if (key == "per_channel") {
    rule.per_channel_weights = get_bool(where, key, value);
  } else if (key == "symmetric_weights") {
    rule.symmetric_weights = get_bool(where, key, value);
  } else if (key == "symmetric_activations") {
    rule.symmetric_activations = get_bool(where, key, value);
  } else if (key == "requant") {
    const std::string s = value.is_string() ? value.get<std::string>() : "";
    if (s == "fixed")
      rule.requant = Requant::FixedPoint;
    else if (s == "shift")
      rule.requant = Requant::Shift;
    else if (s == "single")
      rule.requant = Requant::Single;
    else
      where.fail("'requant' must be \"fixed\", \"shift\" or \"single\", got " + shown(value));
  } else if (key == "quantize") {
    rule.quantize = get_bool(where, key, value);
  } else {
    return false;
  }
  return true;
}

constexpr const char* kSchemeKeys =
    "activations, weights, weight_bits, per_channel, symmetric_weights, symmetric_activations, "
    "requant, quantize";

LayerRule parse_rule(const Where& where, const json& object, bool allow_globs) {
  if (!object.is_object()) where.fail("must be a JSON object, got " + shown(object));
  LayerRule rule;
  for (const auto& [key, value] : object.items()) {
    if (allow_globs && key == "name") {
      rule.name_glob = get_string(where, key, value);
    } else if (allow_globs && key == "op") {
      rule.op_glob = get_string(where, key, value);
    } else if (!parse_scheme_field(where, key, value, rule)) {
      where.fail("unknown key " + quote_name(key) + " (expected " +
                 (allow_globs ? std::string("name, op, ") : std::string()) + kSchemeKeys + ")");
    }
  }
  return rule;
}

}  // namespace

QuantConfig parse_quant_config(const std::string& text, const std::string& source) {
  json root;
  // The depth is bounded while parsing: printing or destroying a value nested 100,000 deep
  // would recurse as deep.
  const json::parser_callback_t bound_depth = [&](int depth, json::parse_event_t event, json&) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
        depth >= kMaxQuantConfigDepth)
      throw Error(source + ": JSON nested deeper than " + std::to_string(kMaxQuantConfigDepth) +
                  " levels (a quantization config needs 3)");
    return true;
  };
  try {
    root = json::parse(text, bound_depth);
  } catch (const json::parse_error& e) {
    throw Error(source + ": invalid JSON (" + one_line(e.what(), 200) + ")");
  }
  const Where top{source, ""};
  if (!root.is_object()) top.fail("the config must be a JSON object, got " + shown(root));
  QuantConfig config;
  for (const auto& [key, value] : root.items()) {
    if (key == "defaults") {
      config.defaults = parse_rule(Where{source, "defaults"}, value, false);
    } else if (key == "rules") {
      if (!value.is_array()) top.fail("'rules' must be an array, got " + shown(value));
      for (size_t i = 0; i < value.size(); ++i)
        config.rules.push_back(
            parse_rule(Where{source, "rule " + std::to_string(i)}, value[i], true));
    } else if (key == "observer") {
      const std::string s = value.is_string() ? value.get<std::string>() : "";
      if (s == "minmax")
        config.observer = Observer::MinMax;
      else if (s == "percentile")
        config.observer = Observer::Percentile;
      else if (s == "mse")
        config.observer = Observer::Mse;
      else
        top.fail("'observer' must be \"minmax\", \"percentile\" or \"mse\", got " + shown(value));
    } else if (key == "percentile") {
      if (!value.is_number() || !(value.get<double>() > 0.0 && value.get<double>() <= 100.0))
        top.fail("'percentile' must be a number in (0, 100], got " + shown(value));
      config.percentile = value.get<double>();
    } else if (key == "calibration") {
      config.calibration = get_string(top, key, value);
    } else if (key == "preprocess") {
      config.preprocess = get_string(top, key, value);
    } else if (key == "calibration_samples") {
      if (!value.is_number_integer() || value.get<int64_t>() <= 0)
        top.fail("'calibration_samples' must be a positive integer, got " + shown(value));
      config.calibration_samples = value.get<int64_t>();
    } else if (key == "bias_correction") {
      config.bias_correction = get_bool(top, key, value);
    } else if (key == "float_io") {
      config.float_io = get_bool(top, key, value);
    } else {
      top.fail("unknown key " + quote_name(key) +
               " (expected defaults, rules, observer, percentile, calibration, preprocess, "
               "calibration_samples, bias_correction, float_io)");
    }
  }
  // Relative calibration paths are relative to the config file.
  if (config.calibration && !config.calibration->empty() &&
      std::filesystem::path(*config.calibration).is_relative()) {
    const std::filesystem::path dir = std::filesystem::path(source).parent_path();
    if (!dir.empty()) config.calibration = (dir / *config.calibration).string();
  }
  return config;
}

QuantConfig load_quant_config(const std::filesystem::path& path) {
  return parse_quant_config(read_bounded_file(path, kMaxQuantConfigBytes, "quantization config"),
                            path.string());
}

void apply_rule_fields(const LayerRule& rule, LayerScheme& scheme) {
  if (rule.activations) scheme.activations = *rule.activations;
  if (rule.weight_bits) scheme.weight_bits = *rule.weight_bits;
  if (rule.per_channel_weights) scheme.per_channel_weights = *rule.per_channel_weights;
  if (rule.symmetric_weights) scheme.symmetric_weights = *rule.symmetric_weights;
  if (rule.symmetric_activations) scheme.symmetric_activations = *rule.symmetric_activations;
  if (rule.requant) scheme.requant = *rule.requant;
  if (rule.quantize) scheme.quantize = *rule.quantize;
}

void apply_quant_config(const QuantConfig& config, QuantizeOptions& options) {
  apply_rule_fields(config.defaults, options.defaults);
  options.rules.insert(options.rules.end(), config.rules.begin(), config.rules.end());
  if (config.observer) options.observer = *config.observer;
  if (config.percentile) options.percentile = *config.percentile;
  if (config.calibration) options.calibration.path = *config.calibration;
  if (config.preprocess) options.calibration.preprocess = *config.preprocess;
  if (config.calibration_samples) options.calibration.max_samples = *config.calibration_samples;
  if (config.bias_correction) options.bias_correction = *config.bias_correction;
  if (config.float_io) options.float_io = *config.float_io;
}

bool glob_match(const std::string& pattern, const std::string& text) {
  return pattern.empty() || fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

bool rule_matches(const LayerRule& rule, const Node& node) {
  return glob_match(rule.name_glob, node.name) && glob_match(rule.op_glob, node.op_type);
}

LayerScheme resolve_scheme(const LayerScheme& defaults, const std::vector<LayerRule>& rules,
                           const Node& node) {
  LayerScheme scheme = defaults;
  for (const LayerRule& rule : rules)
    if (rule_matches(rule, node)) apply_rule_fields(rule, scheme);
  return scheme;
}

const char* requant_name(Requant requant) {
  return requant == Requant::Shift ? "shift" : (requant == Requant::Single ? "single" : "fixed");
}

}  // namespace kiln
