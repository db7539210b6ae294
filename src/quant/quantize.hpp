#pragma once
// Post-training quantization of an optimized float graph: calibrate ranges on sample inputs,
// choose quantization parameters per tensor under the per-layer schemes, insert QDQ pairs, and
// lower them to integer ops (passes/lower_qdq). The result is an ordinary kiln graph whose
// quantized tensors carry Tensor::quant. See docs/quantization.md.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "interpreter/interpreter.hpp"
#include "ir/graph.hpp"
#include "quant/quantize_options.hpp"

namespace kiln {

struct QuantizeReport {
  int64_t calibration_samples = 0;
  std::string observer;  // "minmax", "percentile", "mse"
  // Per tensor: chosen scale(s), zero point(s), dtype, observed float range, clipping range,
  // observer.
  nlohmann::json tensors = nlohmann::json::object();
  // Per node: the resolved LayerScheme (after config rules) and whether it was quantized.
  nlohmann::json nodes = nlohmann::json::object();
  // Per corrected node: the per-channel mean shift folded into the bias (empty when off).
  nlohmann::json bias_correction = nlohmann::json::object();

  nlohmann::json to_json() const;  // the "quantization" section of the compile report
};

// Quantizes `graph` in place (it must be shape-inferred and verify()), calibrating on the samples
// of options.calibration (quant/calibrate.hpp). Throws kiln::Error for unusable calibration data
// (naming the file) or config (naming the rule).
QuantizeReport quantize_graph(Graph& graph, const QuantizeOptions& options);

// Same with calibration samples already loaded (each maps every graph input to a value).
QuantizeReport quantize_graph(Graph& graph, const QuantizeOptions& options,
                              const std::vector<TensorMap>& samples);

}  // namespace kiln
