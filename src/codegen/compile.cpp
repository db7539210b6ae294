#include "codegen/compile.hpp"

#include <fstream>

#include "codegen/kernel_select.hpp"
#include "ir/error.hpp"
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

int64_t node_macs(const Node& node, const Graph& graph) {
  const OpDef& op = op_for(node);
  return op.macs ? op.macs(node, graph) : 0;
}

}  // namespace

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
      entry["kernel"] = op_for(node).lower(node, graph).function;
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

  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) throw Error("cannot create output directory " + out_dir.string() + ": " + ec.message());
  for (const GeneratedFile& f : result.code.files) {
    const fs::path path = out_dir / f.name;
    write_file(path, f.content);
    result.files_written.push_back(path);
  }
  result.report_path = out_dir / (result.code.name + "_report.json");
  write_file(result.report_path, compile_report(result, codegen_options.model_path).dump(2) + "\n");
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
