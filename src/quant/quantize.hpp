#pragma once
// Post-training quantization of an optimized float graph: calibrate ranges on sample inputs,
// choose quantization parameters per tensor under the per-layer schemes, insert QDQ pairs, and
// lower them to integer ops (passes/lower_qdq). The result is an ordinary kiln graph whose
// quantized tensors carry Tensor::quant.
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "ir/graph.hpp"
#include "quant/quantize_options.hpp"

namespace kiln {

struct QuantizeReport {
  int64_t calibration_samples = 0;
  // Per tensor: chosen scale(s), zero point(s), dtype, observed float range, scheme source.
  nlohmann::json tensors = nlohmann::json::object();
  // Per node: the resolved LayerScheme (after config rules) and whether it was quantized.
  nlohmann::json nodes = nlohmann::json::object();
};

// Quantizes `graph` in place (it must be shape-inferred and verify()). Throws kiln::Error for
// unusable calibration data (naming the file) or config (naming the rule).
QuantizeReport quantize_graph(Graph& graph, const QuantizeOptions& options);

}  // namespace kiln
