#include "passes/pass.hpp"

#include "ir/error.hpp"

namespace kiln {

std::vector<PassRecord> run_passes(Graph& graph, const std::vector<Pass>& passes,
                                   bool verify_each) {
  std::vector<PassRecord> records;
  for (const Pass& pass : passes) {
    bool changed = pass.run(graph);
    records.push_back({pass.name, changed});
    if (verify_each) {
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
