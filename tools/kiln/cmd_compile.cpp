// kiln compile MODEL -o OUTDIR [--name net] [--shape NAME=dims]... [--no-fuse] [--no-reorder]
//              [--no-in-place] [--kernels reference|fast]
// Writes the generated C library, its build fragments and <name>_report.json into OUTDIR.
#include <algorithm>
#include <iostream>
#include <memory>

#include "codegen/compile.hpp"
#include "codegen/kernel_select.hpp"
#include "codegen/output_files.hpp"
#include "command.hpp"
#include "passes/infer_shapes.hpp"
#include "quant/quantize.hpp"
#include "quant_cli.hpp"

namespace kiln::cli {
namespace {

struct CompileArgs {
  std::string model;
  std::string out_dir;
  std::string name = "net";
  std::vector<std::string> shapes;
  bool no_fuse = false;
  bool no_reorder = false;
  bool no_in_place = false;
  std::string kernels = "reference";
};

// Constants computed at run time (not folded into flash) cost arena or output bytes: say so,
// naming the first few nodes. Empty when there are none.
std::string runtime_constants_line(const MemoryPlan& plan) {
  const std::vector<std::string>& nodes = plan.runtime_constant_nodes;
  if (nodes.empty()) return "";
  constexpr size_t kNamed = 3;
  std::string names;
  for (size_t i = 0; i < std::min(nodes.size(), kNamed); ++i)
    names += (i ? ", '" : "'") + nodes[i] + "'";
  if (nodes.size() > kNamed) names += ", ...";
  return "  run-time constants: " + std::to_string(nodes.size()) + " node(s) (" + names +
         ") compute " + std::to_string(plan.runtime_constant_bytes) +
         " bytes of constants at every run into the arena or outputs: not folded into flash "
         "(a result over kiln's " +
         std::to_string(kMaxFoldBytes >> 20) +
         " MiB fold limit, or an op folding cannot evaluate)\n";
}

void setup_compile(CLI::App& app) {
  auto args = std::make_shared<CompileArgs>();
  CLI::App* cmd = app.add_subcommand("compile", "Compile a model to a dependency-free C99 library");
  cmd->add_option("model", args->model, "Model file (.onnx or .tflite)")->required();
  cmd->add_option("-o,--output", args->out_dir, "Output directory (created if needed)")->required();
  cmd->add_option("--name", args->name, "Name of the generated files and C symbols")
      ->capture_default_str();
  cmd->add_option("--shape", args->shapes,
                  "Fix an input's dims, e.g. --shape input=1,3,96,96 (repeatable)");
  cmd->add_flag("--no-fuse", args->no_fuse, "Disable activation/BatchNorm/Pad fusion");
  cmd->add_flag("--no-reorder", args->no_reorder,
                "Keep the model's node order instead of scheduling for the smallest arena");
  cmd->add_flag("--no-in-place", args->no_in_place,
                "Give every element-wise and plane-wise op's output its own buffer");
  cmd->add_option("--kernels", args->kernels,
                  "Kernel set: reference, or fast (shape-specialized int8 kernels, DSP where the "
                  "compiler targets it)")
      ->capture_default_str();
  auto quant_args = add_quantize_options(cmd);
  cmd->callback([args, quant_args] {
    check_output_name(args->name);
    CompileOptions options;
    options.name = args->name;
    options.pipeline.fuse = !args->no_fuse;
    options.memory.reorder = !args->no_reorder;
    options.memory.in_place = !args->no_in_place;
    check_usage([&] { check_kernel_set(args->kernels, "--kernels"); });
    options.kernels = args->kernels;
    for (const std::string& text : args->shapes) parse_shape_override(text, options.load);
    const QuantizeOptions quant = quantize_options_from(*quant_args);
    apply_qdq_requant(*quant_args, options.pipeline);
    CompileResult result;
    if (quant.enabled) {
      // load -> optimize -> quantize -> compile; the quantization report joins the JSON report.
      Graph graph = load_model(args->model, options.load);
      const QuantizeReport report = naming_model(args->model, [&] {
        optimize(graph, options.pipeline);
        return quantize_graph(graph, quant);
      });
      options.report_sections["quantization"] = report.to_json();
      result = naming_model(args->model, [&] {
        return compile_graph(std::move(graph), options, args->out_dir, args->model);
      });
      int64_t quantized = 0;
      for (const auto& [name, node] : report.nodes.items())
        if (node.value("quantized", false)) ++quantized;
      std::cout << "quantized " << quantized << " of " << report.nodes.size() << " nodes ("
                << report.observer << " observer, " << report.calibration_samples
                << " calibration samples)\n";
    } else {
      result = naming_model(args->model,
                            [&] { return compile_model(args->model, options, args->out_dir); });
    }
    const MemoryPlan& plan = result.plan;
    const double ratio =
        plan.lower_bound > 0 ? static_cast<double>(plan.arena_bytes) / plan.lower_bound : 1.0;
    std::cout << "compiled " << args->model << " -> " << args->out_dir << "\n"
              << "  arena:        " << plan.arena_bytes << " bytes (lower bound "
              << plan.lower_bound << ", x" << std::fixed;
    std::cout.precision(3);
    std::cout << ratio << ", heuristic " << plan.layout.heuristic << ")\n"
              << "  lower bound:  " << plan.lower_bound_before
              << " before (given order, no in-place) -> " << plan.lower_bound << " after ("
              << (plan.reordered ? "reordered" : "order kept") << ", " << plan.schedule_method
              << " schedule; in place: " << plan.liveness.elementwise_in_place << " element-wise, "
              << plan.liveness.lagged_nodes.size() << " plane-wise)\n"
              << "  weights:      " << plan.weight_bytes << " bytes\n"
              << "  io buffers:   " << plan.io_bytes << " bytes\n"
              << runtime_constants_line(plan) << "  MACs:         " << result.total_macs << "\n"
              << "  kernels:      " << result.code.kernel_functions.size()
              << (result.code.needs_libm() ? " (link with -lm)" : " (no libm needed)") << "\n"
              << "  files:       ";
    for (const auto& path : result.files_written) std::cout << " " << path.filename().string();
    std::cout << "\n";
  });
}

}  // namespace
}  // namespace kiln::cli

KILN_CLI_COMMAND(kiln::cli::setup_compile);
