#include "quant_cli.hpp"

#include <charconv>
#include <cmath>

#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "quant/layer_config.hpp"
#include "verify/dataset.hpp"

namespace kiln::cli {

namespace {

[[noreturn]] void bad(const std::string& option, const std::string& value,
                      const std::string& expected) {
  throw UsageError(option + ": invalid value " + quote_name(value) + " (expected " + expected +
                   ")");
}

int64_t parse_positive_int(const std::string& option, const std::string& text) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v <= 0)
    bad(option, text, "a positive integer");
  return v;
}

double parse_percentile(const std::string& option, const std::string& text) {
  size_t used = 0;
  double v = 0.0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    bad(option, text, "a number in (0, 100]");
  }
  if (used != text.size() || !(v > 0.0 && v <= 100.0)) bad(option, text, "a number in (0, 100]");
  return v;
}

}  // namespace

std::shared_ptr<QuantCliArgs> add_quantize_options(CLI::App* cmd) {
  auto args = std::make_shared<QuantCliArgs>();
  const std::string group = "Quantization";
  auto opt = [&](const std::string& name, std::string& target, const std::string& help) {
    cmd->add_option(name, target, help)->group(group);
  };
  opt("--quantize", args->quantize,
      "Post-training quantization: int8 (int8 activations) or int16 (int16 activations, int8 "
      "weights)");
  opt("--calibration", args->calibration,
      "Calibration data: directory of .pb/.npy tensors or test_data_set_* dirs, a .npy file, "
      "or an IDX dataset (file or directory)");
  opt("--preprocess", args->preprocess,
      "Calibration preprocessing, e.g. scale=1/255,mean=0.1307,std=0.3081");
  opt("--calibration-samples", args->calibration_samples,
      "Use at most N calibration samples (default 500)");
  opt("--observer", args->observer, "Activation range observer: minmax (default), percentile, mse");
  opt("--percentile", args->percentile, "Percentile for --observer percentile (default 99.99)");
  opt("--weight-bits", args->weight_bits, "Weight precision: 8 (default) or 4 (packed int4)");
  opt("--requant", args->requant,
      "Requantization: fixed (multiplier+shift, TFLite's arithmetic; default with --quantize), "
      "shift (power-of-two scales) or single (one round-half-even of acc x float32 scale, ONNX "
      "Runtime's arithmetic; default for pre-quantized ONNX models)");
  opt("--quant-config", args->config,
      "Per-layer quantization config (JSON, see docs/quantization.md); command-line options "
      "override its settings");
  cmd->add_flag("--per-tensor", args->per_tensor, "Per-tensor weight scales (default per channel)")
      ->group(group);
  cmd->add_flag("--symmetric-activations", args->symmetric_activations,
                "Symmetric activations (zero point 0)")
      ->group(group);
  cmd->add_flag("--bias-correction", args->bias_correction,
                "Correct per-channel output mean shifts caused by weight quantization")
      ->group(group);
  cmd->add_flag("--float-io", args->float_io,
                "Keep float inputs/outputs (quantize/dequantize inside the model)")
      ->group(group);
  cmd->add_flag("--no-progress", args->no_progress, "No calibration progress bar")->group(group);
  return args;
}

QuantizeOptions quantize_options_from(const QuantCliArgs& args) {
  QuantizeOptions options;
  options.enabled = !args.quantize.empty() || !args.config.empty();
  if (!options.enabled) {
    const std::pair<const char*, bool> given[] = {
        {"--calibration", !args.calibration.empty()},
        {"--preprocess", !args.preprocess.empty()},
        {"--calibration-samples", !args.calibration_samples.empty()},
        {"--observer", !args.observer.empty()},
        {"--percentile", !args.percentile.empty()},
        {"--weight-bits", !args.weight_bits.empty()},
        {"--per-tensor", args.per_tensor},
        {"--symmetric-activations", args.symmetric_activations},
        {"--bias-correction", args.bias_correction},
        {"--float-io", args.float_io}};
    for (const auto& [name, set] : given)
      if (set) throw UsageError(std::string(name) + ": needs --quantize int8|int16");
    return options;
  }
  if (!args.config.empty()) apply_quant_config(load_quant_config(args.config), options);
  if (!args.quantize.empty()) {
    if (args.quantize == "int8")
      options.defaults.activations = DType::Int8;
    else if (args.quantize == "int16")
      options.defaults.activations = DType::Int16;
    else
      bad("--quantize", args.quantize, "int8 or int16");
  }
  if (!args.calibration.empty()) options.calibration.path = args.calibration;
  if (!args.preprocess.empty()) options.calibration.preprocess = args.preprocess;
  if (!args.calibration_samples.empty())
    options.calibration.max_samples =
        parse_positive_int("--calibration-samples", args.calibration_samples);
  if (!args.observer.empty()) {
    if (args.observer == "minmax")
      options.observer = Observer::MinMax;
    else if (args.observer == "percentile")
      options.observer = Observer::Percentile;
    else if (args.observer == "mse")
      options.observer = Observer::Mse;
    else
      bad("--observer", args.observer, "minmax, percentile or mse");
  }
  if (!args.percentile.empty()) {
    options.percentile = parse_percentile("--percentile", args.percentile);
    if (args.observer.empty() && options.observer != Observer::Percentile)
      options.observer = Observer::Percentile;
  }
  if (!args.weight_bits.empty()) {
    if (args.weight_bits == "8")
      options.defaults.weight_bits = 8;
    else if (args.weight_bits == "4")
      options.defaults.weight_bits = 4;
    else
      bad("--weight-bits", args.weight_bits, "8 or 4");
  }
  if (!args.requant.empty()) {
    if (args.requant == "fixed")
      options.defaults.requant = Requant::FixedPoint;
    else if (args.requant == "shift")
      options.defaults.requant = Requant::Shift;
    else if (args.requant == "single")
      options.defaults.requant = Requant::Single;
    else
      bad("--requant", args.requant, "fixed, shift or single");
  }
  if (args.per_tensor) options.defaults.per_channel_weights = false;
  if (args.symmetric_activations) options.defaults.symmetric_activations = true;
  if (args.bias_correction) options.bias_correction = true;
  if (args.float_io) options.float_io = true;
  if (args.no_progress) options.progress = false;
  if (options.calibration.path.empty())
    throw UsageError(
        "--calibration: quantization needs calibration data (a directory of .pb/.npy "
        "tensors, a .npy file or an IDX dataset)");
  // Check the preprocessing spec now, before loading the model.
  try {
    parse_preprocess(options.calibration.preprocess);
  } catch (const Error& e) {
    throw UsageError(std::string("--preprocess: ") + e.what());
  }
  return options;
}

void apply_qdq_requant(const QuantCliArgs& args, PipelineOptions& pipeline) {
  if (args.requant.empty() || !args.quantize.empty() || !args.config.empty()) return;
  if (args.requant != "fixed" && args.requant != "shift" && args.requant != "single")
    bad("--requant", args.requant, "fixed, shift or single");
  pipeline.qdq_requant = args.requant;
}

}  // namespace kiln::cli
