#pragma once
// The quantization options shared by every command that quantizes (compile, eval, bench):
//   --quantize int8|int16, --calibration SRC, --preprocess SPEC, --calibration-samples N,
//   --observer minmax|percentile|mse, --percentile P, --per-tensor, --symmetric-activations,
//   --weight-bits 8|4, --requant fixed|shift, --bias-correction, --float-io, --quant-config FILE,
//   --no-progress.
// Values are checked when the command runs (not by CLI11): a bad value is a kiln::UsageError
// naming the option (one line, exit 2); an unreadable --quant-config file is an Error (exit 1).
#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "passes/pipeline.hpp"
#include "quant/quantize_options.hpp"

namespace kiln::cli {

struct QuantCliArgs {
  std::string quantize;  // "" = off
  std::string calibration;
  std::string preprocess;
  std::string calibration_samples;
  std::string observer;
  std::string percentile;
  std::string weight_bits;
  std::string requant;
  std::string config;
  bool per_tensor = false;
  bool symmetric_activations = false;
  bool bias_correction = false;
  bool float_io = false;
  bool no_progress = false;
};

// Adds the options to `cmd` (in an option group "Quantization"); the returned arguments are
// filled when the command line is parsed.
std::shared_ptr<QuantCliArgs> add_quantize_options(CLI::App* cmd);

// Checks the values and builds the options: the --quant-config file first, then every option
// given on the command line on top. enabled is false when neither --quantize nor --quant-config
// was given (other quantization options than --requant then are an error).
QuantizeOptions quantize_options_from(const QuantCliArgs& args);

// Without --quantize, --requant chooses the arithmetic of a pre-quantized model (QDQ / QOperator
// ONNX, TFLite): sets pipeline.qdq_requant when given (with --quantize it is the quantizer's).
void apply_qdq_requant(const QuantCliArgs& args, PipelineOptions& pipeline);

}  // namespace kiln::cli
