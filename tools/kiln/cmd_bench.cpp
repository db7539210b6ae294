// kiln bench MODEL --target T [--inputs DIR | --seed N] [--runs N] [--json FILE] [--Os]
//                  [--timeout S] [--shape NAME=dims]... [--keep DIR] [--no-fuse]
//                  [--kernels reference|fast]  (default: the target description's set)
//                  [quantization options: --quantize int8 --calibration SRC ..., see quant_cli.hpp]
// Compiles the model, builds a firmware for the target, runs it in QEMU and reports exact
// instructions per inference, flash, RAM and whether the outputs equal the interpreter's bit for
// bit. Exit code 1 if they do not.
#include <fstream>
#include <iostream>
#include <memory>

#include "bench/bench.hpp"
#include "codegen/kernel_select.hpp"
#include "command.hpp"
#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "quant_cli.hpp"

namespace kiln::cli {
namespace {

struct BenchArgs {
  std::string model;
  std::string target;
  std::string inputs;
  std::vector<std::string> shapes;
  uint64_t seed = 0;
  int runs = 1;
  std::string json;
  bool optimize_size = false;
  int timeout = 60;
  std::string keep;
  bool no_fuse = false;
  std::string kernels;  // empty: the target's
};

void setup_bench(CLI::App& app) {
  auto args = std::make_shared<BenchArgs>();
  CLI::App* cmd = app.add_subcommand(
      "bench",
      "Run the compiled model on an emulated MCU: instructions, flash, RAM, bit-exactness");
  cmd->add_option("model", args->model, "Model file (.onnx or .tflite)")->required();
  cmd->add_option("--target", args->target,
                  "Target name (host, cortex-m0plus, cortex-m4, cortex-m7, cortex-m33, cortex-m55, "
                  "riscv32) or a .json target description")
      ->required();
  cmd->add_option("--inputs", args->inputs,
                  "ONNX test data: a dir with input_*.pb, or a dir of test_data_set_* dirs "
                  "(default: random inputs)");
  cmd->add_option("--seed", args->seed, "Seed of the random inputs")
      ->capture_default_str()
      ->check(kNonNegativeInteger);
  cmd->add_option("--runs", args->runs, "Measured inferences per input set (after one warm-up)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--json", args->json, "Also write the results as JSON to this file");
  cmd->add_flag("--Os", args->optimize_size, "Build the firmware with -Os instead of -O2");
  cmd->add_option("--timeout", args->timeout, "Kill the emulator after this many seconds")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--shape", args->shapes, "Fix an input's dims, e.g. --shape input=1,3,96,96");
  cmd->add_option("--keep", args->keep, "Build in this directory and keep it (for debugging)");
  cmd->add_flag("--no-fuse", args->no_fuse, "Disable activation/BatchNorm/Pad fusion");
  cmd->add_option("--kernels", args->kernels,
                  "Kernel set: reference or fast (default: the target description's \"kernels\")");
  auto quant_args = add_quantize_options(cmd);
  cmd->callback([args, quant_args] {
    const Target target = resolve_target(args->target);
    BenchOptions options;
    options.compile.pipeline.fuse = !args->no_fuse;
    if (!args->kernels.empty()) check_usage([&] { check_kernel_set(args->kernels, "--kernels"); });
    options.kernels = args->kernels;
    for (const std::string& text : args->shapes) parse_shape_override(text, options.compile.load);
    options.quantize = quantize_options_from(*quant_args);
    apply_qdq_requant(*quant_args, options.compile.pipeline);
    options.inputs_dir = args->inputs;
    options.seed = args->seed;
    options.runs = args->runs;
    options.optimize = args->optimize_size ? "-Os" : "-O2";
    options.timeout_seconds = args->timeout;
    if (!args->keep.empty()) {
      options.work_dir = args->keep;
      options.keep_work_dir = true;
    }
    const BenchResult result =
        naming_model(args->model, [&] { return run_bench(args->model, target, options); });
    std::cout << result.table();
    if (!args->json.empty()) {
      std::ofstream out(args->json);
      out << result.to_json().dump(2) << "\n";
      if (!out) throw Error("bench: cannot write " + args->json);
    }
    if (!result.bit_exact())
      throw Error("bench: " + args->model + ": outputs on " + quote_name(target.name) +
                  " differ from the interpreter");
  });
}

}  // namespace
}  // namespace kiln::cli

KILN_CLI_COMMAND(kiln::cli::setup_bench);
