#pragma once
// `kiln verify` as a library call: compile a model to C, build it with a small harness using the
// host C compiler, and run it next to the interpreter on the same inputs.
//
// Checks, per test case and output:
//  - generated C vs the interpreter on the same optimized graph: must be BIT-EXACT (same kernel
//    sources, both built as C99 without fast-math, so any difference is a code generation or
//    memory planning bug);
//  - generated C vs the interpreter on the graph as loaded (before optimization passes), scaled
//    to the output's magnitude: |actual - expected| <= atol + rtol * max|expected over the
//    output| (fusions such as BatchNorm folding legitimately reorder float arithmetic, and that
//    noise scales with the largest values, not with each element). For a QUANTIZED model (QDQ,
//    QOperator or int8 TFLite) the graph as loaded is the float reading of the quantized graph
//    (dequantize, float op, quantize), which rounds differently from the model's integer
//    semantics by design: that comparison is information only unless require_float_reading;
//  - generated C and interpreter vs expected outputs when test data provides them: element-wise
//    rtol/atol exactly as given (numpy.allclose: |actual - expected| <= atol + rtol * |expected|).
// NaN matches NaN; infinities must match exactly. VerifyResult::verdict() says in one line what
// was checked and which comparison failed.
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
  // Quantized models: make the float-reading comparison (graph as loaded vs generated C) decide
  // the verdict too; by default it is reported as information. Float models: always binding.
  bool require_float_reading = false;
  int timeout_seconds = 300;  // limit for building the generated C and for each run of it
  // With test data: when loading fails because a runtime input must be a compile-time constant
  // (ONNX tests feed Reshape shapes, Pad pads, Resize scales... as inputs), freeze that input to
  // the data's value (identical in every data set) and retry. Off by default: a user's model
  // should get the clear error instead.
  bool freeze_shape_inputs = false;
};

// How a comparison tolerates differences.
enum class Criterion {
  BitExact,       // identical bits (NaN payloads aside)
  ElementWise,    // |a - e| <= atol + rtol * |e| per element (numpy.allclose)
  ScaledToOutput  // |a - e| <= atol + rtol * max|e| over the whole tensor
};

struct Comparison {
  std::string against;  // "interpreter", "unoptimized", "expected"
  Criterion criterion = Criterion::ElementWise;
  bool binding = true;  // false: information only, does not decide the verdict
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
  bool ok() const;  // every binding comparison passed
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
  double rtol = 0.0, atol = 0.0;   // the tolerances applied
  // The model computes in integers (QDQ / QOperator nodes or quantized tensors when loaded).
  bool quantized = false;
  bool float_reading_binding = true;  // the "unoptimized" comparisons decide the verdict
  bool passed() const;
  // One line: PASS or FAIL, what was checked, and on failure which comparison failed first
  // (elements, case, output).
  std::string verdict() const;
  // Human-readable summary, one line per output per case, ending with verdict().
  std::string summary() const;
};

// Compares two tensors under `criterion` (see Criterion).
Comparison compare_tensors(const Tensor& actual, const Tensor& expected, Criterion criterion,
                           double rtol, double atol);
// `exact`: Criterion::BitExact, else Criterion::ElementWise.
Comparison compare_tensors(const Tensor& actual, const Tensor& expected, bool exact, double rtol,
                           double atol);

// True when the graph (as loaded, QOperators expanded) computes in integers: it has
// QuantizeLinear nodes, DequantizeLinear nodes of runtime values, or runtime tensors with
// quantization parameters. Int8-weight / float-activation models (DequantizeLinear of constant
// weights only) are float models.
bool is_quantized_graph(const Graph& graph);

// Deterministic pseudo-random inputs for the graph's inputs: floats uniform in [-1, 1), integers
// 0 or 1 (safe as indices), bools 0/1. With `quantized_full_range` (what verify_model uses),
// quantized int8/uint8/int16 inputs (with quantization parameters) are uniform over their type
// instead (`kiln bench` keeps 0/1, which its published figures were measured with).
TensorMap random_inputs(const Graph& graph, uint64_t seed, bool quantized_full_range = false);

// Throws kiln::Error if the model cannot be loaded/compiled or the harness cannot be built or
// crashes; numerical mismatches are reported in the result (passed() == false). The model is
// loaded before the test data is read, so a model kiln cannot load gets the same first error as
// `kiln compile` gives.
VerifyResult verify_model(const std::string& model_path, const VerifyOptions& options);

}  // namespace kiln
