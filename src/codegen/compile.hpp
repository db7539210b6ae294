#pragma once
// The whole `kiln compile` pipeline as a library call: load -> optimize -> plan memory ->
// generate C -> write files and the report. Tests, `kiln verify` and the conformance runner use
// it without going through the CLI.
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "codegen/generate_c.hpp"
#include "frontend/load_model.hpp"
#include "ir/graph.hpp"
#include "memory/memory_plan.hpp"
#include "passes/pipeline.hpp"

namespace kiln {

struct CompileOptions {
  std::string name = "net";           // --name: file names and C symbol prefix
  LoadOptions load;                   // --shape overrides
  PipelineOptions pipeline;           // --no-fuse
  MemoryPlanOptions memory;           // --no-reorder, --no-in-place
  std::string kernels = "reference";  // --kernels: kernel set of the generated code
  // Extra top-level sections for the report (e.g. "quantization" from quantize_graph()),
  // copied into CompileResult::report_sections.
  nlohmann::json report_sections = nlohmann::json::object();
};

struct CompileResult {
  Graph graph;  // the optimized, planned graph the C code implements
  MemoryPlan plan;
  GeneratedCode code;
  std::vector<std::filesystem::path> files_written;  // including the report
  std::filesystem::path report_path;
  int64_t total_macs = 0;
  nlohmann::json report_sections = nlohmann::json::object();  // merged into the report
};

// Loads and optimizes `model_path`, then compile_graph().
CompileResult compile_model(const std::string& model_path, const CompileOptions& options,
                            const std::filesystem::path& out_dir);

// Plans and generates code for an already loaded (and optimized) graph and writes everything to
// `out_dir` (created if needed): the generated files and <name>_report.json.
CompileResult compile_graph(Graph graph, const CompileOptions& options,
                            const std::filesystem::path& out_dir,
                            const std::string& model_path = "");

// The report written as <name>_report.json: model, arena/lower bound/weight bytes, per-tensor
// placement, per-node op/kernel/MACs.
nlohmann::json compile_report(const CompileResult& result, const std::string& model_path);

}  // namespace kiln
