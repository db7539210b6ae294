#include "codegen/compile.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "codegen/embedded_kernels.hpp"
#include "codegen/kernel_select.hpp"
#include "codegen/output_files.hpp"
#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "ops/lower_node.hpp"
#include "ops/op_registry.hpp"

namespace kiln {

namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error("cannot write " + path.string());
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) throw Error("error writing " + path.string());
}

// A directory that is removed with its contents unless release()d.
class ScratchDir {
 public:
  explicit ScratchDir(fs::path path) : path_(std::move(path)) {}
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir() {
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }
  void release() { path_.clear(); }

 private:
  fs::path path_;
};

// out_dir as an absolute path without a trailing separator ("out/" and "." have a name).
fs::path normalized_dir(const fs::path& out_dir) {
  fs::path dir = fs::absolute(out_dir).lexically_normal();
  if (dir.filename().empty() && dir.has_parent_path() && dir != dir.root_path())
    dir = dir.parent_path();
  return dir;
}

// Writes every file into out_dir or none of them: they go to a fresh directory next to out_dir
// (so on the same file system) and are renamed into place only once all were written. A new
// out_dir is that directory renamed; into an existing one each file is renamed.
void write_all_or_nothing(const fs::path& out_dir,
                          const std::vector<std::pair<std::string, std::string_view>>& files) {
  const fs::path target = normalized_dir(out_dir);
  std::error_code ec;
  const bool exists = fs::exists(target, ec);
  if (exists && !fs::is_directory(target, ec))
    throw Error("cannot write into " + out_dir.string() + ": it exists and is not a directory");
  fs::create_directories(target.parent_path(), ec);
  if (ec) throw Error("cannot create output directory " + out_dir.string() + ": " + ec.message());
  static int counter = 0;
  const fs::path scratch_path =
      target.parent_path() / ("." + target.filename().string() + ".kiln-" +
                              std::to_string(::getpid()) + "-" + std::to_string(counter++));
  if (!fs::create_directory(scratch_path, ec) || ec)
    throw Error("cannot create a temporary directory next to " + out_dir.string() + ": " +
                (ec ? ec.message() : "it already exists"));
  ScratchDir scratch(scratch_path);
  for (const auto& [name, content] : files) write_file(scratch.path() / name, content);
  if (!exists) {
    fs::rename(scratch.path(), target, ec);
    if (ec) throw Error("cannot create output directory " + out_dir.string() + ": " + ec.message());
    scratch.release();
    return;
  }
  for (const auto& [name, content] : files) {
    fs::rename(scratch.path() / name, target / name, ec);
    if (ec) throw Error("cannot write " + (out_dir / name).string() + ": " + ec.message());
  }
}

int64_t node_macs(const Node& node, const Graph& graph) {
  const OpDef& op = op_for(node);
  return op.macs ? op.macs(node, graph) : 0;
}

}  // namespace

void check_output_name(std::string_view name) {
  const std::string shown = "--name " + quote_name(name);
  const auto identifier_char = [](char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (name.empty() || (name[0] >= '0' && name[0] <= '9') ||
      !std::all_of(name.begin(), name.end(), identifier_char))
    throw UsageError(shown +
                     ": not a C identifier (letters, digits and '_', not starting with a "
                     "digit): it names the generated files and C symbols");
  if (name.size() > kMaxOutputNameLength)
    throw UsageError(shown + ": longer than " + std::to_string(kMaxOutputNameLength) +
                     " characters");
  const auto& kernels = embedded_kernel_sources();
  for (const char* extension : {".c", ".h"}) {
    const std::string file = std::string(name) + extension;
    if (kernels.count(file))
      throw UsageError(shown + ": " + file +
                       " is a kiln kernel file the generated code may need; choose another name");
  }
}

nlohmann::json compile_report(const CompileResult& result, const std::string& model_path) {
  using nlohmann::json;
  const Graph& graph = result.graph;
  json report;
  report["model"] = model_path.empty() ? graph.name : model_path;
  report["name"] = result.code.name;
  report["kiln_version"] = KILN_VERSION;
  report["arena_bytes"] = result.plan.arena_bytes;
  report["arena_lower_bound"] = result.plan.lower_bound;
  report["arena_lower_bound_before"] = result.plan.lower_bound_before;
  report["arena_heuristic"] = result.plan.layout.heuristic;
  report["memory_schedule"] = {{"method", result.plan.schedule_method},
                               {"reordered", result.plan.reordered},
                               {"elementwise_in_place", result.plan.liveness.elementwise_in_place},
                               {"lagged_in_place", result.plan.liveness.lagged_nodes}};
  report["weight_bytes"] = result.plan.weight_bytes;
  report["io_bytes"] = result.plan.io_bytes;
  report["runtime_constants"] = {{"nodes", result.plan.runtime_constant_nodes},
                                 {"bytes", result.plan.runtime_constant_bytes}};
  report["total_macs"] = result.total_macs;
  report["needs_libm"] = result.code.needs_libm();
  report["kernel_set"] = result.code.kernel_set;
  report["kernels"] = result.code.kernel_functions;
  auto io_list = [&](const std::vector<std::string>& names) {
    json list = json::array();
    for (const std::string& name : names) {
      const Tensor& t = graph.tensor(name);
      list.push_back({{"name", name}, {"dtype", dtype_name(t.dtype)}, {"shape", t.shape}});
    }
    return list;
  };
  report["inputs"] = io_list(graph.inputs);
  report["outputs"] = io_list(graph.outputs);
  json tensors = json::array();
  for (const auto& [name, t] : graph.tensors) {
    if (t.placement.offset < 0) continue;
    tensors.push_back({{"name", name},
                       {"dtype", dtype_name(t.dtype)},
                       {"shape", t.shape},
                       {"bytes", t.bytes()},
                       {"region", t.placement.region},
                       {"offset", t.placement.offset},
                       {"size", t.placement.size}});
  }
  report["tensors"] = std::move(tensors);
  json nodes = json::array();
  for (const Node& node : graph.nodes) {
    json entry = {{"name", node.name}, {"op", node.op_type}};
    if (!node.domain.empty()) entry["domain"] = node.domain;
    if (is_runtime_node(node, graph)) {
      entry["kernel"] = lower_node(node, graph).function;
      entry["macs"] = node_macs(node, graph);
    } else {
      entry["kernel"] = nullptr;  // folded at compile time
      entry["macs"] = 0;
    }
    nodes.push_back(entry);
  }
  report["nodes"] = std::move(nodes);
  json files = json::array();
  for (const GeneratedFile& f : result.code.files) files.push_back(f.name);
  report["files"] = files;
  for (const auto& [key, section] : result.report_sections.items()) report[key] = section;
  return report;
}

CompileResult compile_graph(Graph graph, const CompileOptions& options, const fs::path& out_dir,
                            const std::string& model_path) {
  check_output_name(options.name);
  CompileResult result;
  result.report_sections = options.report_sections;
  // Weight layouts of the kernel set first: the plan, the code and the returned graph (which
  // the interpreter checks against) all see them.
  apply_kernel_set_layouts(graph, options.kernels);
  result.plan = plan_memory(graph, options.memory);
  CodegenOptions codegen_options;
  codegen_options.name = options.name;
  codegen_options.model_path = model_path.empty() ? graph.source : model_path;
  codegen_options.kernels = options.kernels;
  result.code = generate_c(graph, result.plan, codegen_options);
  for (const Node& node : graph.nodes)
    if (is_runtime_node(node, graph)) result.total_macs += node_macs(node, graph);
  result.graph = std::move(graph);

  // Everything that can fail on the model (the report's JSON too) happens before any file is
  // written; then the files appear all together or not at all.
  result.report_path = out_dir / (result.code.name + "_report.json");
  const std::string report = compile_report(result, codegen_options.model_path).dump(2) + "\n";
  std::vector<std::pair<std::string, std::string_view>> files;
  for (const GeneratedFile& f : result.code.files) files.emplace_back(f.name, f.content);
  files.emplace_back(result.report_path.filename().string(), report);
  write_all_or_nothing(out_dir, files);
  for (const GeneratedFile& f : result.code.files) result.files_written.push_back(out_dir / f.name);
  result.files_written.push_back(result.report_path);
  return result;
}

CompileResult compile_model(const std::string& model_path, const CompileOptions& options,
                            const fs::path& out_dir) {
  Graph graph = load_model(model_path, options.load);
  optimize(graph, options.pipeline);
  return compile_graph(std::move(graph), options, out_dir, model_path);
}

}  // namespace kiln
