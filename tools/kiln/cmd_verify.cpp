// kiln verify MODEL [--inputs DIR] [--shape NAME=dims]... [--seed N] [--count N] [--rtol R]
//                   [--atol A] [--require-float-reading] [--timeout S] [--cc CC] [--keep DIR]
//                   [--no-fuse] [--kernels reference|fast]
// Compiles the model to C, builds it with a harness and compares it with the interpreter (and
// the expected outputs of ONNX test data). Exit code 1 on any mismatch of a binding comparison;
// the last line names what was checked and which comparison failed (VerifyResult::verdict()).
#include <iostream>
#include <memory>

#include "codegen/kernel_select.hpp"
#include "command.hpp"
#include "ir/error.hpp"
#include "verify/verify.hpp"

namespace kiln::cli {
namespace {

struct VerifyArgs {
  std::string model;
  std::string inputs;
  std::vector<std::string> shapes;
  uint64_t seed = 0;
  int count = 3;
  double rtol = 1e-4;
  double atol = 1e-5;
  bool require_float_reading = false;
  int timeout = 300;
  std::string cc = "cc";
  std::string keep;
  bool no_fuse = false;
  std::string kernels = "reference";
};

void setup_verify(CLI::App& app) {
  auto args = std::make_shared<VerifyArgs>();
  CLI::App* cmd = app.add_subcommand(
      "verify",
      "Check the generated C against the interpreter (bit for bit), the unoptimized graph and "
      "the expected outputs of test data; for a quantized model the verdict is its integer "
      "semantics");
  cmd->add_option("model", args->model, "Model file (.onnx or .tflite)")->required();
  cmd->add_option("--inputs", args->inputs,
                  "ONNX test data: a dir with input_*.pb/output_*.pb, or a dir of "
                  "test_data_set_* dirs (default: random inputs)");
  cmd->add_option("--shape", args->shapes, "Fix an input's dims, e.g. --shape input=1,3,96,96");
  cmd->add_option("--seed", args->seed, "Seed of the random inputs")
      ->capture_default_str()
      ->check(kNonNegativeInteger);
  cmd->add_option("--count", args->count, "Number of random input sets")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--rtol", args->rtol,
                  "Relative tolerance: per element vs expected outputs; vs the unoptimized "
                  "graph, times the output's largest magnitude (float outputs)")
      ->capture_default_str()
      ->check(kFiniteNonNegative);
  cmd->add_option("--atol", args->atol,
                  "Absolute tolerance vs expected outputs and vs the unoptimized graph")
      ->capture_default_str()
      ->check(kFiniteNonNegative);
  cmd->add_flag("--require-float-reading", args->require_float_reading,
                "Quantized models: also fail when the float reading of the quantized graph "
                "(dequantize, float op, quantize) is outside the tolerances (default: reported "
                "as information; the verdict is the integer semantics)");
  cmd->add_option("--timeout", args->timeout,
                  "Seconds allowed for building the generated C and for each run of it")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--cc", args->cc, "Host C compiler used to build the generated code")
      ->capture_default_str();
  cmd->add_option("--keep", args->keep, "Build in this directory and keep it (for debugging)");
  cmd->add_flag("--no-fuse", args->no_fuse, "Disable activation/BatchNorm/Pad fusion");
  cmd->add_option("--kernels", args->kernels,
                  "Kernel set of the generated code: reference or fast (the interpreter always "
                  "runs the reference kernels)")
      ->capture_default_str();
  cmd->callback([args] {
    VerifyOptions options;
    options.compile.pipeline.fuse = !args->no_fuse;
    check_usage([&] { check_kernel_set(args->kernels, "--kernels"); });
    options.compile.kernels = args->kernels;
    for (const std::string& text : args->shapes) parse_shape_override(text, options.compile.load);
    options.inputs_dir = args->inputs;
    options.seed = args->seed;
    options.count = args->count;
    options.rtol = args->rtol;
    options.atol = args->atol;
    options.require_float_reading = args->require_float_reading;
    options.timeout_seconds = args->timeout;
    options.cc = args->cc;
    if (!args->keep.empty()) {
      options.work_dir = args->keep;
      options.keep_work_dir = true;
    }
    const VerifyResult result =
        naming_model(args->model, [&] { return verify_model(args->model, options); });
    std::cout << result.summary();
    if (!result.passed()) {
      const std::string verdict = result.verdict();
      throw Error("verify: " + args->model + ": " + verdict.substr(verdict.find(": ") + 2));
    }
  });
}

}  // namespace
}  // namespace kiln::cli

KILN_CLI_COMMAND(kiln::cli::setup_verify);
