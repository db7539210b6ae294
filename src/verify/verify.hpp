#pragma once
// `kiln verify` as a library call: compile a model to C, build it with a small harness using the
// host C compiler, and run it next to the interpreter on the same inputs.
//
// Checks, per test case and output:
//  - generated C vs the interpreter on the same optimized graph: must be BIT-EXACT (same kernel
//    sources, both built as C99 without fast-math, so any difference is a code generation or
//    memory planning bug);
//  - generated C vs the interpreter on the graph as loaded (before optimization passes): within
//    rtol/atol (fusions such as BatchNorm folding legitimately change rounding);
//  - generated C and interpreter vs expected outputs when test data provides them: rtol/atol.
// Tolerance test (numpy.allclose): |actual - expected| <= atol + rtol * |expected|; NaN matches
// NaN; infinities must match exactly.
// The harness runs the network twice with the arena filled with different garbage and requires
// identical outputs, which catches kernels reading arena bytes nobody wrote.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "codegen/compile.hpp"
#include "interpreter/interpreter.hpp"

namespace kiln {

struct VerifyOptions {
  CompileOptions compile;
  std::filesystem::path inputs_dir;  // ONNX test data (see load_test_data); empty = random
  uint64_t seed = 0;                 // random inputs
  int count = 3;                     // number of random input sets
  double rtol = 1e-4;
  double atol = 1e-5;
  std::string cc = "cc";           // host C compiler
  std::filesystem::path work_dir;  // empty: a fresh temporary directory, removed afterwards
  bool keep_work_dir = false;
  bool check_unoptimized = true;  // also run the interpreter on the graph before passes
  // With test data: when loading fails because a runtime input must be a compile-time constant
  // (ONNX tests feed Reshape shapes, Pad pads, Resize scales... as inputs), freeze that input to
  // the data's value (identical in every data set) and retry. Off by default: a user's model
  // should get the clear error instead.
  bool freeze_shape_inputs = false;
};

struct Comparison {
  std::string against;  // "interpreter", "unoptimized", "expected"
  bool exact_required = false;
  bool ok = true;
  bool bit_exact = true;
  double max_abs = 0.0;
  double max_rel = 0.0;
  int64_t mismatches = 0;  // elements failing the criterion
  std::string problem;     // shape/dtype mismatch, if any
};

struct OutputCheck {
  std::string name;
  std::vector<Comparison> comparisons;  // of the generated C output
  std::optional<Comparison> interpreter_vs_expected;
  bool ok() const;
};

struct CaseResult {
  std::string label;  // "random_0", "test_data_set_0"
  std::vector<OutputCheck> outputs;
  bool ok() const;
};

struct VerifyResult {
  std::string model;
  std::vector<CaseResult> cases;
  int64_t arena_bytes = 0;
  int64_t arena_lower_bound = 0;
  std::filesystem::path work_dir;  // where the harness was built (gone unless kept)
  bool passed() const;
  // Human-readable summary, one line per output per case plus a verdict.
  std::string summary() const;
};

// Compares two tensors. `exact` demands identical bits (NaN payloads aside); otherwise the
// allclose criterion with rtol/atol.
Comparison compare_tensors(const Tensor& actual, const Tensor& expected, bool exact, double rtol,
                           double atol);

// Deterministic pseudo-random inputs for the graph's inputs: floats uniform in [-1, 1), integers
// 0 or 1 (safe as indices), bools 0/1.
TensorMap random_inputs(const Graph& graph, uint64_t seed);

// Throws kiln::Error if the model cannot be loaded/compiled or the harness cannot be built or
// crashes; numerical mismatches are reported in the result (passed() == false).
VerifyResult verify_model(const std::string& model_path, const VerifyOptions& options);

}  // namespace kiln
