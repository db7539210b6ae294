#pragma once
// The default optimization pipeline `kiln compile` runs after loading: the ordered list of
// passes, each in its own file under src/passes/.
#include <string>
#include <vector>

#include "passes/pass.hpp"

namespace kiln {

struct PipelineOptions {
  bool fuse = true;  // activation / BatchNorm / Pad fusion (off to debug numerics)
  // Requantization of every integer op lowered from QuantizeLinear nodes ("fixed", "shift" or
  // "single"; passes/lower_qdq.hpp); empty keeps the model's own: what its QuantizeLinear
  // nodes name (kiln's quantizer and the TFLite frontend name theirs), else "single", ONNX
  // Runtime's arithmetic.
  std::string qdq_requant;
};

std::vector<Pass> default_pipeline(const PipelineOptions& options = {});
// Runs default_pipeline with verification after every pass.
std::vector<PassRecord> optimize(Graph& graph, const PipelineOptions& options = {});

}  // namespace kiln
