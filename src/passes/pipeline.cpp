#include "passes/pipeline.hpp"

#include "passes/eliminate_dead_code.hpp"
#include "passes/expand_qoperators.hpp"
#include "passes/fold_batch_norm.hpp"
#include "passes/fold_constants.hpp"
#include "passes/fold_pad.hpp"
#include "passes/fuse_activations.hpp"
#include "passes/lower_qdq.hpp"
#include "passes/remove_identity.hpp"
#include "passes/simplify_layout.hpp"

namespace kiln {

std::vector<Pass> default_pipeline(const PipelineOptions& options) {
  // The frontend already ran shape inference (which folds constant subgraphs as it goes). Order:
  // clean up first so the fusions see producer -> consumer pairs directly; BatchNorm folding
  // before activation fusion (Conv -> BN -> Relu must become Conv+Relu); a final fold/DCE
  // drops the weights and nodes the fusions made unreachable.
  std::vector<Pass> passes = {
      {"fold-constants", fold_constants},
      {"remove-identity", remove_identity},
      {"eliminate-dead-code", eliminate_dead_code},
      {"simplify-layout", simplify_layout},
  };
  if (options.fuse) {
    passes.push_back({"fold-batch-norm", fold_batch_norm});
    passes.push_back({"fold-pad", fold_pad});
    passes.push_back({"fuse-activations", fuse_activations});
  }
  // Quantized models: QDQ patterns become integer ops once the float graph is in final form
  // (activations fused, so Conv -> Relu -> QuantizeLinear reads as one quantized Conv).
  passes.push_back({"expand-qoperators", expand_qoperators});  // QLinear* ops -> QDQ form
  passes.push_back({"lower-qdq", [requant = options.qdq_requant](Graph& graph) {
                      return lower_qdq(graph, requant);
                    }});
  passes.push_back({"fold-constants", fold_constants});
  passes.push_back({"eliminate-dead-code", eliminate_dead_code});
  return passes;
}

std::vector<PassRecord> optimize(Graph& graph, const PipelineOptions& options) {
  return run_passes(graph, default_pipeline(options));
}

}  // namespace kiln
