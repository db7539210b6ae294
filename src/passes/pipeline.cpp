#include "passes/pipeline.hpp"

#include "passes/infer_shapes.hpp"

namespace kiln {

std::vector<Pass> default_pipeline(const PipelineOptions& options) {
  (void)options;
  return {{"infer-shapes", infer_shapes}};
}

std::vector<PassRecord> optimize(Graph& graph, const PipelineOptions& options) {
  return run_passes(graph, default_pipeline(options));
}

}  // namespace kiln
