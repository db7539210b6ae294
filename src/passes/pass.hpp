#pragma once
// A pass is a named function over the graph that keeps it verifiable. Passes are independent
// and individually testable; a pipeline is just an ordered list of them.
#include <functional>
#include <string>
#include <vector>

#include "ir/graph.hpp"

namespace kiln {

struct Pass {
  std::string name;
  std::function<bool(Graph&)> run;  // returns true if it changed the graph
};

struct PassRecord {
  std::string name;
  bool changed = false;
};

// Runs each pass in order; with `verify_each`, calls Graph::verify() after every pass that
// reports a change (and after the last pass in any case) and reports which pass broke an
// invariant.
std::vector<PassRecord> run_passes(Graph& graph, const std::vector<Pass>& passes,
                                   bool verify_each = true);

}  // namespace kiln
