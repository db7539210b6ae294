#pragma once
// C99 code generation: turns a planned graph into a dependency-free C library.
//
//   <name>.h      the API: I/O macros (names, dtypes, shapes, sizes), NAME_ARENA_SIZE,
//                 <name>_run() with a static arena and <name>_run_with_arena()
//   <name>.c      weights as static const arrays (exact values), the schedule as a straight
//                 sequence of kernel calls with literal arguments
//   kiln_*.c/.h   the kernels the schedule calls and every kiln_*.h they include
//   <name>.cmake  add_library(<name> STATIC ...), <name>.mk  make variables
//
// No interpreter, no malloc, no global constructors: the schedule and every loop bound are fixed
// when kiln runs.
#include <string>
#include <vector>

#include "ir/graph.hpp"
#include "memory/memory_plan.hpp"

namespace kiln {

struct CodegenOptions {
  std::string name = "net";           // file names and C symbol prefix (made a valid identifier)
  std::string model_path;             // recorded in comments
  std::string kernels = "reference";  // kernel set (see kernel_select.hpp)
};

struct GeneratedFile {
  std::string name;  // relative to the output directory
  std::string content;
};

struct GeneratedCode {
  std::string name;        // the identifier actually used as prefix
  std::string kernel_set;  // CodegenOptions::kernels
  std::vector<GeneratedFile> files;
  std::vector<std::string> c_sources;         // the .c files to compile (network + kernels)
  std::vector<std::string> kernel_functions;  // distinct kernels the schedule calls, sorted
  std::vector<std::string> libm_users;        // copied files that include <math.h>
  bool needs_libm() const { return !libm_users.empty(); }
};

// `plan` must come from plan_memory(graph) on this very graph (placements are read from the
// tensors). Throws kiln::Error if a node cannot be lowered.
GeneratedCode generate_c(const Graph& graph, const MemoryPlan& plan, const CodegenOptions& options);

// The kernel files (kiln_<fn>.c/.h plus, recursively, the kiln_*.h they include and the .c of any
// included header that has one) needed for `functions`, by file name, from the embedded sources.
std::vector<std::string> kernel_files_for(const std::vector<std::string>& functions);

}  // namespace kiln
