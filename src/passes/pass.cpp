#include "passes/pass.hpp"

#include "ir/error.hpp"

namespace kiln {

std::vector<PassRecord> run_passes(Graph& graph, const std::vector<Pass>& passes,
                                   bool verify_each) {
  std::vector<PassRecord> records;
  for (size_t i = 0; i < passes.size(); ++i) {
    const Pass& pass = passes[i];
    bool changed = pass.run(graph);
    records.push_back({pass.name, changed});
    // A pass that changed nothing leaves a verified graph verified; the last one is checked
    // regardless, so a pass misreporting "unchanged" is still caught before anyone uses the
    // graph. (verify() is O(n log n); twelve of them dominated compiling 100,000-node graphs.)
    if (verify_each && (changed || i + 1 == passes.size())) {
      try {
        graph.verify();
      } catch (const InternalError& e) {
        throw InternalError("after pass " + pass.name + ": " + e.what());
      }
    }
  }
  return records;
}

}  // namespace kiln
