#pragma once
// The per-layer quantization config file (`--quant-config FILE`, JSON; format in
// docs/quantization.md, "Configuring quantization"): global defaults, calibration settings and an
// ordered list of rules that match nodes by name and op type with shell-style globs. Later rules
// win, field by field.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ir/node.hpp"
#include "quant/quantize_options.hpp"

namespace kiln {

struct QuantConfig {
  LayerRule defaults;  // globs unused; fields set here override QuantizeOptions::defaults
  std::vector<LayerRule> rules;
  std::optional<Observer> observer;
  std::optional<double> percentile;
  std::optional<std::string> calibration;  // path, relative to the config file's directory
  std::optional<std::string> preprocess;
  std::optional<int64_t> calibration_samples;
  std::optional<bool> bias_correction;
  std::optional<bool> float_io;
};

// Limits of a config file. Its deepest valid value is a rule inside "rules" (depth 3); a
// config holds one rule per layer at most, about 100 bytes each, so 4 MiB is room for 40,000
// layers. Deeper or larger input is refused before it is parsed further.
inline constexpr int kMaxQuantConfigDepth = 8;
inline constexpr uintmax_t kMaxQuantConfigBytes = uintmax_t{4} << 20;

// Parses config text; `source` names the file in errors ("<source>: rule 2: ..."). Throws
// kiln::Error (one line) for invalid JSON, nesting deeper than kMaxQuantConfigDepth, unknown
// keys and bad values.
QuantConfig parse_quant_config(const std::string& text, const std::string& source);
// Reads (at most kMaxQuantConfigBytes, a regular file) and parses a file (Error naming it).
QuantConfig load_quant_config(const std::filesystem::path& path);

// Copies every setting present in `config` into `options` (rules are appended after existing
// ones).
void apply_quant_config(const QuantConfig& config, QuantizeOptions& options);

// Shell-style glob (fnmatch: * ? [...]); an empty pattern matches anything.
bool glob_match(const std::string& pattern, const std::string& text);
bool rule_matches(const LayerRule& rule, const Node& node);
// `defaults` with the fields of every matching rule applied in order.
LayerScheme resolve_scheme(const LayerScheme& defaults, const std::vector<LayerRule>& rules,
                           const Node& node);
// Applies the fields a rule sets.
void apply_rule_fields(const LayerRule& rule, LayerScheme& scheme);

const char* requant_name(Requant requant);  // "fixed" / "shift" / "single"

}  // namespace kiln
