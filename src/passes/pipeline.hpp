#pragma once
// The default optimization pipeline `kiln compile` runs after loading: the ordered list of
// passes, each in its own file under src/passes/.
#include <vector>

#include "passes/pass.hpp"

namespace kiln {

struct PipelineOptions {
  bool fuse = true;  // activation / BatchNorm / Pad fusion (off to debug numerics)
};

std::vector<Pass> default_pipeline(const PipelineOptions& options = {});
// Runs default_pipeline with verification after every pass.
std::vector<PassRecord> optimize(Graph& graph, const PipelineOptions& options = {});

}  // namespace kiln
