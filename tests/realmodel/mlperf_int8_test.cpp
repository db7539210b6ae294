// Pre-quantized MLPerf Tiny models (QDQ ONNX, int8 graph inputs and outputs) against ONNX
// Runtime, the evidence for issue 3's pre-quantized import, integer-only code and memory claims.
//
// For kws_int8, ad01_int8 and streaming_ww_int8 (symbolic batch = 1): 100 seeded random int8
// inputs each, with ONNX Runtime's outputs on them committed in tests/data/ort_int8 (made by
// make_ort_references.py there, on a CPU where ONNX Runtime's int8 kernels are probed exact),
// go through kiln's interpreter in-process and kiln's generated C (verify library: compile,
// build with cc, run). A second test runs the ONNX Runtime installed here on the same inputs and
// holds it to the same target only where the probe (ort_reference.hpp) finds its int8 kernels
// exact on this CPU; elsewhere (AVX2 without VNNI saturates int16 pair sums) it reports the
// measured agreement and the reason.
//  - generated C vs interpreter: bit-exact (verify's built-in check);
//  - interpreter (hence generated C, being bit-identical) vs ONNX Runtime: the fraction of
//    exactly equal output elements and the largest difference, held to the issue's 99.9% /
//    1 LSB target against ONNX Runtime's default execution (see kIssueExactFraction), and
//    measured against its float32 execution of the QDQ ops;
//  - arena bytes <= 1.05 x the liveness lower bound (the figures the compile report holds).
// The hybrid model (int8 weights folded to float, float activations) is compared like the float
// models: generated C vs ONNX Runtime with rtol 1e-4 / atol 1e-5 on 20 inputs.
//
// Soft-float check: the generated int8 C of kws_int8 and of PTQ-quantized MNIST is compiled for
// a Cortex-M4 with -mfloat-abi=soft; no object may reference a soft-float helper, and no
// generated source may contain `float`/`double` outside comments.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "frontend/load_model.hpp"
#include "interpreter/interpreter.hpp"
#include "ir/graph.hpp"
#include "ort_reference.hpp"
#include "passes/pipeline.hpp"
#include "realmodel_util.hpp"
#include "verify/tensor_io.hpp"
#include "verify/verify.hpp"

namespace kiln::realmodel {
namespace {

constexpr int kInt8Samples = 100;
constexpr int kHybridSamples = 20;
constexpr double kMaxArenaOverLowerBound = 1.05;

fs::path mlperf_model(const std::string& file) {
  return shared_dir() / "models" / "mlperf-tiny" / "onnx" / file;
}

// verify's summary without the per-case lines that passed: header, first mismatches, verdict.
std::string short_summary(const VerifyResult& result) {
  std::istringstream lines(result.summary());
  std::string text;
  int mismatches = 0;
  for (std::string line; std::getline(lines, line);) {
    const bool per_case = line.rfind("  test_data_set_", 0) == 0;
    if (!per_case || (line.find("MISMATCH") != std::string::npos && ++mismatches <= 5))
      text += line + "\n";
  }
  return text;
}

// The issue's target: >= 99.9% of output elements exactly equal to ONNX Runtime's, <= 1 LSB
// everywhere. ONNX Runtime is run as it runs by default (graph optimization level "all"): its QDQ
// fusion turns DequantizeLinear -> Conv/Gemm -> QuantizeLinear into integer QLinearConv / QGemm
// kernels that requantize with one round-half-to-even of float32(acc) * float32 scale, which is
// kiln's "single" requantization (kiln_requant.h KILN_REQUANT_SINGLE, emulated with integers),
// the default for pre-quantized ONNX. All three models are held to the target against it.
//
// Measured besides: ONNX Runtime at level "basic", where no fusion happens and every QDQ op is
// computed in float32 (dequantize, float Conv with MLAS's fused multiply-add chain, quantize).
// Integer code cannot reproduce float32 summation rounding; on kws one value in 800,000 per
// layer lands on the other side of a .5 boundary, and on one of the 100 inputs the softmax
// amplifies a 1 LSB logit difference to 5 LSB (docs/quantization.md, "Agreement with ONNX
// Runtime"). That comparison is held to what it measurably reaches.
constexpr double kIssueExactFraction = 0.999;
constexpr int kIssueMaxDiffLsb = 1;

//
// Also measured: the same models read with TFLite's requantization (`--requant fixed`, two
// roundings), against ONNX Runtime's default execution, to show what the rounding rule costs.
struct Int8Case {
  const char* file;
  uint32_t seed;
  double min_exact_fraction_float_qdq;  // vs ORT "basic": kws 99.83% (1198/1200), others 100%
  int max_diff_lsb_float_qdq;           // measured: 5, 0, 0
  double min_exact_fraction_fixed;      // --requant fixed vs ORT "all": 95.4%, 69.1%, 97.0%
  int max_diff_lsb_fixed;               // measured: 15, 4, 15
};

const Int8Case kInt8Models[] = {
    {"kws_int8.onnx", 811, 0.998, 5, 0.95, 15},
    {"ad01_int8.onnx", 812, 0.999, 1, 0.68, 4},
    {"streaming_ww_int8.onnx", 813, 0.999, 1, 0.96, 15},
};

struct Agreement {
  int64_t elements = 0;
  int64_t exact = 0;
  int64_t max_diff = 0;
  double exact_fraction() const {
    return static_cast<double>(exact) / static_cast<double>(elements);
  }
};

// Interpreter outputs vs reference outputs, element by element; prints the first mismatches.
Agreement compare_outputs(const std::string& label, const std::vector<TensorMap>& results,
                          const std::vector<std::string>& outputs,
                          const std::vector<std::vector<Tensor>>& expected) {
  Agreement agreement;
  int reported = 0;
  for (size_t s = 0; s < results.size(); ++s) {
    EXPECT_EQ(outputs.size(), expected[s].size()) << label << ": number of outputs";
    for (size_t j = 0; j < outputs.size() && j < expected[s].size(); ++j) {
      const Tensor& actual = results[s].at(outputs[j]);
      const Tensor& reference = expected[s][j];
      EXPECT_EQ(actual.dtype, reference.dtype) << label << " output " << j;
      if (shape_elements(actual.shape) != shape_elements(reference.shape)) {
        ADD_FAILURE() << label << " output " << j << ": " << shape_to_string(actual.shape) << " vs "
                      << shape_to_string(reference.shape);
        continue;
      }
      for (int64_t i = 0; i < reference.elements(); ++i) {
        const int64_t diff = std::abs(element_as_int(actual, i) - element_as_int(reference, i));
        ++agreement.elements;
        if (diff == 0) {
          ++agreement.exact;
        } else if (reported++ < 10) {
          std::cout << label << ": sample " << s << " output '" << reference.name << "' [" << i
                    << "]: kiln " << element_as_int(actual, i) << ", ORT "
                    << element_as_int(reference, i) << "\n";
        }
        agreement.max_diff = std::max(agreement.max_diff, diff);
      }
    }
  }
  return agreement;
}

void PrintTo(const Int8Case& model, std::ostream* out) {
  *out << model.file;
}

class MlperfInt8VsOnnxRuntime : public ::testing::TestWithParam<Int8Case> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(mlperf_model(GetParam().file)))
        << mlperf_model(GetParam().file) << " is missing";
  }
};

std::vector<TensorMap> run_samples(const Graph& graph,
                                   const std::vector<std::vector<Tensor>>& samples) {
  std::vector<TensorMap> results;
  for (const std::vector<Tensor>& sample : samples) {
    TensorMap feeds;
    for (const Tensor& input : sample) feeds.emplace(input.name, input);
    results.push_back(run_graph(graph, feeds));
  }
  return results;
}

std::string reference_name(const Int8Case& model) {
  const std::string file = model.file;
  return file.substr(0, file.find(".onnx"));
}

// kiln against ONNX Runtime's committed integers (tests/data/ort_int8, made where ONNX Runtime's
// int8 kernels compute the specification exactly): machine-independent, needs no ONNX Runtime.
TEST_P(MlperfInt8VsOnnxRuntime, IntegerOutputsMatchOnnxRuntimeReference) {
  const fs::path model = mlperf_model(GetParam().file);
  const std::string label = GetParam().file;
  const OrtReference reference = load_ort_reference(reference_name(GetParam()));
  std::cout << label << ": reference " << ort_reference_provenance() << "\n";
  Graph graph = load_model(model.string());
  optimize(graph);
  for (const Tensor& input : reference.inputs.at(0))
    ASSERT_EQ(graph.tensor(input.name).dtype, DType::Int8) << label << ": input " << input.name;
  const std::vector<std::vector<Tensor>>& samples = reference.inputs;
  const std::vector<std::vector<Tensor>>& expected = reference.ort_all;
  const std::vector<TensorMap> results = run_samples(graph, samples);

  // Interpreter vs ONNX Runtime as it runs by default: the issue's target.
  const Agreement agreement = compare_outputs(label, results, graph.outputs, expected);
  std::cout << label << ": interpreter vs ONNX Runtime (default optimization, integer QDQ "
            << "kernels) on " << samples.size() << " inputs: " << agreement.exact << "/"
            << agreement.elements << " elements exact (" << 100.0 * agreement.exact_fraction()
            << "%), max |diff| " << agreement.max_diff << " LSB\n";
  RecordProperty("exact_fraction", std::to_string(agreement.exact_fraction()));
  RecordProperty("max_diff_lsb", std::to_string(agreement.max_diff));
  EXPECT_GE(agreement.exact_fraction(), kIssueExactFraction) << label;
  EXPECT_LE(agreement.max_diff, kIssueMaxDiffLsb) << label;

  // Interpreter vs ONNX Runtime computing every QDQ op in float32: measured, held to its floor.
  const Agreement float_agreement =
      compare_outputs(label + " (float QDQ)", results, graph.outputs, reference.ort_basic);
  std::cout << label << ": interpreter vs ONNX Runtime at level basic (QDQ ops in float32): "
            << float_agreement.exact << "/" << float_agreement.elements << " elements exact ("
            << 100.0 * float_agreement.exact_fraction() << "%), max |diff| "
            << float_agreement.max_diff << " LSB\n";
  RecordProperty("exact_fraction_float_qdq", std::to_string(float_agreement.exact_fraction()));
  RecordProperty("max_diff_lsb_float_qdq", std::to_string(float_agreement.max_diff));
  EXPECT_GE(float_agreement.exact_fraction(), GetParam().min_exact_fraction_float_qdq) << label;
  EXPECT_LE(float_agreement.max_diff, GetParam().max_diff_lsb_float_qdq) << label;

  // The same model with TFLite's requantization rounding, vs ONNX Runtime's default execution.
  Graph fixed_graph = load_model(model.string());
  PipelineOptions fixed_options;
  fixed_options.qdq_requant = "fixed";
  optimize(fixed_graph, fixed_options);
  const std::vector<TensorMap> fixed_results = run_samples(fixed_graph, samples);
  std::ostringstream quiet;  // mismatches are expected here; only the totals are reported
  std::streambuf* saved = std::cout.rdbuf(quiet.rdbuf());
  const Agreement fixed_agreement =
      compare_outputs(label + " (fixed)", fixed_results, fixed_graph.outputs, expected);
  std::cout.rdbuf(saved);
  std::cout << label
            << ": --requant fixed (TFLite's rounding) vs ONNX Runtime: " << fixed_agreement.exact
            << "/" << fixed_agreement.elements << " elements exact ("
            << 100.0 * fixed_agreement.exact_fraction() << "%), max |diff| "
            << fixed_agreement.max_diff << " LSB\n";
  RecordProperty("exact_fraction_fixed", std::to_string(fixed_agreement.exact_fraction()));
  EXPECT_GE(fixed_agreement.exact_fraction(), GetParam().min_exact_fraction_fixed) << label;
  EXPECT_LE(fixed_agreement.max_diff, GetParam().max_diff_lsb_fixed) << label;

  // Generated C: bit-exact with the interpreter, within 1 LSB of ONNX Runtime.
  TempDir data(std::string("int8-data-") + label);
  for (size_t s = 0; s < samples.size(); ++s) {
    const fs::path set_dir = data.path() / ("test_data_set_" + std::to_string(s));
    fs::create_directories(set_dir);
    for (size_t i = 0; i < samples[s].size(); ++i)
      write_tensor_pb(set_dir / ("input_" + std::to_string(i) + ".pb"), samples[s][i]);
    for (size_t j = 0; j < expected[s].size(); ++j) {
      Tensor output = expected[s][j];
      output.shape = graph.tensor(graph.outputs[j]).shape;  // ORT's symbolic batch is 1 too
      write_tensor_pb(set_dir / ("output_" + std::to_string(j) + ".pb"), output);
    }
  }
  VerifyOptions options;
  options.inputs_dir = data.path();
  options.rtol = 0.0;
  options.atol = kIssueMaxDiffLsb;  // integer outputs, in LSB
  options.check_unoptimized = false;
  const VerifyResult verify = verify_model(model.string(), options);
  double c_max_abs = 0.0;
  bool c_bit_exact_with_interpreter = true;
  int64_t c_exact_outputs_vs_ort = 0;
  int64_t c_outputs = 0;
  for (const CaseResult& test_case : verify.cases)
    for (const OutputCheck& output : test_case.outputs)
      for (const Comparison& comparison : output.comparisons) {
        if (comparison.against == "interpreter")
          c_bit_exact_with_interpreter = c_bit_exact_with_interpreter && comparison.bit_exact;
        if (comparison.against == "expected") {
          c_max_abs = std::max(c_max_abs, comparison.max_abs);
          ++c_outputs;
          if (comparison.bit_exact) ++c_exact_outputs_vs_ort;
        }
      }
  std::cout << label << ": generated C vs interpreter "
            << (c_bit_exact_with_interpreter ? "bit-exact" : "DIFFERENT")
            << "; vs ONNX Runtime max |diff| " << c_max_abs << " LSB, " << c_exact_outputs_vs_ort
            << "/" << c_outputs << " output tensors identical\n";
  EXPECT_TRUE(verify.passed()) << short_summary(verify);
  EXPECT_TRUE(c_bit_exact_with_interpreter);
  EXPECT_EQ(static_cast<int>(verify.cases.size()), kInt8Samples);
  EXPECT_LE(c_max_abs, kIssueMaxDiffLsb);
  RecordProperty("c_max_diff_lsb", std::to_string(c_max_abs));

  // Memory: the arena plan is within 5% of the liveness lower bound.
  std::cout << label << ": arena " << verify.arena_bytes << " bytes, liveness lower bound "
            << verify.arena_lower_bound << " bytes\n";
  RecordProperty("arena_bytes", std::to_string(verify.arena_bytes));
  RecordProperty("arena_lower_bound", std::to_string(verify.arena_lower_bound));
  EXPECT_GT(verify.arena_lower_bound, 0);
  EXPECT_LE(static_cast<double>(verify.arena_bytes),
            kMaxArenaOverLowerBound * static_cast<double>(verify.arena_lower_bound));
}

// The ONNX Runtime installed here, on this CPU, on the committed inputs. Where the probe shows
// that its int8 kernels compute the specification, it is held to the same target as the
// committed data; where they do not (AVX2 without VNNI: int16 pair saturation), the agreement is
// measured and reported with the reason, and the committed data above remains the check.
TEST_P(MlperfInt8VsOnnxRuntime, LiveOnnxRuntimeAgreesWhereItsInt8KernelsAreExact) {
  KILN_REQUIRE_ORT();
  const std::string label = GetParam().file;
  const OrtReference reference = load_ort_reference(reference_name(GetParam()));
  const OrtInt8Probe& probe = probe_live_ort_int8();
  std::cout << probe.explanation << "\n";
  RecordProperty("ort_probe_exact", probe.exact ? "true" : "false");
  Graph graph = load_model(reference.model.string());
  optimize(graph);
  TempDir work(std::string("int8-live-") + label);
  const std::vector<std::vector<Tensor>> live =
      run_ort_typed(reference.model, reference.inputs, work.path(), "all");
  const std::vector<TensorMap> results = run_samples(graph, reference.inputs);

  std::ostringstream quiet;
  std::streambuf* saved = std::cout.rdbuf(quiet.rdbuf());
  const Agreement agreement = compare_outputs(label + " (live)", results, graph.outputs, live);
  std::cout.rdbuf(saved);
  int64_t live_equal_to_committed = 0, elements = 0;
  for (size_t s = 0; s < live.size(); ++s)
    for (size_t j = 0; j < live[s].size(); ++j)
      for (int64_t i = 0; i < live[s][j].elements(); ++i, ++elements)
        if (element_as_int(live[s][j], i) == element_as_int(reference.ort_all[s][j], i))
          ++live_equal_to_committed;
  std::cout << label << ": interpreter vs the live ONNX Runtime: " << agreement.exact << "/"
            << agreement.elements << " elements exact (" << 100.0 * agreement.exact_fraction()
            << "%), max |diff| " << agreement.max_diff << " LSB; live ONNX Runtime vs the "
            << "committed reference: " << live_equal_to_committed << "/" << elements << " equal\n";
  RecordProperty("live_exact_fraction", std::to_string(agreement.exact_fraction()));
  RecordProperty("live_max_diff_lsb", std::to_string(agreement.max_diff));
  if (!probe.exact) {
    std::cout << label << ": not held to the target on this machine: " << probe.explanation
              << " kiln follows the specification (see the committed-reference test).\n";
    return;
  }
  EXPECT_GE(agreement.exact_fraction(), kIssueExactFraction) << label;
  EXPECT_LE(agreement.max_diff, kIssueMaxDiffLsb) << label;
}

INSTANTIATE_TEST_SUITE_P(Models, MlperfInt8VsOnnxRuntime, ::testing::ValuesIn(kInt8Models),
                         [](const ::testing::TestParamInfo<Int8Case>& info) {
                           std::string name = info.param.file;
                           return name.substr(0, name.find(".onnx"));
                         });

// int8 weights, float activations: folded to float at compile time, so float tolerances apply.
TEST(MlperfHybridVsOnnxRuntime, GeneratedCMatchesOnnxRuntime) {
  KILN_REQUIRE_ORT();
  const fs::path model = mlperf_model("kws_hybrid_int8w_fp32a.onnx");
  ASSERT_TRUE(fs::exists(model)) << model << " is missing";
  const ModelSignature signature = read_model_signature(model);
  std::mt19937 generator(814);
  std::vector<std::vector<FloatTensor>> inputs;
  for (int s = 0; s < kHybridSamples; ++s) {
    std::vector<FloatTensor> sample = signature.inputs;
    for (FloatTensor& input : sample)
      input.values = uniform_floats(generator, shape_elements(input.shape), -1.0f, 1.0f);
    inputs.push_back(std::move(sample));
  }
  TempDir work("hybrid-ort");
  const auto outputs = run_onnx_runtime(model, inputs, work.path());
  TempDir data("hybrid-data");
  for (size_t s = 0; s < inputs.size(); ++s)
    write_test_data_set(data.path(), static_cast<int>(s), inputs[s], outputs[s]);
  VerifyOptions options;
  options.inputs_dir = data.path();
  options.rtol = 1e-4;
  options.atol = 1e-5;
  const VerifyResult verify = verify_model(model.string(), options);
  double max_abs = 0.0;
  double max_rel = 0.0;
  for (const CaseResult& test_case : verify.cases)
    for (const OutputCheck& output : test_case.outputs)
      for (const Comparison& comparison : output.comparisons)
        if (comparison.against == "expected") {
          max_abs = std::max(max_abs, comparison.max_abs);
          max_rel = std::max(max_rel, comparison.max_rel);
        }
  std::cout << "kws_hybrid_int8w_fp32a.onnx: generated C vs ONNX Runtime on " << verify.cases.size()
            << " inputs: max abs " << max_abs << ", max rel " << max_rel << "\n";
  RecordProperty("max_abs_vs_ort", std::to_string(max_abs));
  RecordProperty("max_rel_vs_ort", std::to_string(max_rel));
  EXPECT_TRUE(verify.passed()) << short_summary(verify);
  EXPECT_EQ(static_cast<int>(verify.cases.size()), kHybridSamples);
}

// ---- Soft-float check --------------------------------------------------------------------

// Soft-float helpers of the ARM EABI (__aeabi_fadd, __aeabi_dmul, __aeabi_i2f, __aeabi_ul2d,
// __aeabi_f2iz, __aeabi_fcmplt...) and libgcc's generic ones (__addsf3, __floatsisf,
// __fixdfsi, __extendsfdf2...). Integer helpers such as __aeabi_ldivmod or __aeabi_lmul match
// neither: after "__aeabi_" they start with l/u/i but not with an int-to-float conversion.
const std::regex kSoftFloatSymbol(
    R"(^(__aeabi_(f|d|[il]2[fd]|ui2[fd]|ul2[fd])\w*|__\w*(sf|df)\w*)$)");

// C source without comments and string/char literals, for the keyword check.
std::string strip_comments(const std::string& source) {
  std::string code;
  for (size_t i = 0; i < source.size(); ++i) {
    if (source.compare(i, 2, "/*") == 0) {
      const size_t end = source.find("*/", i + 2);
      i = end == std::string::npos ? source.size() : end + 1;
      code += ' ';
    } else if (source.compare(i, 2, "//") == 0) {
      const size_t end = source.find('\n', i);
      i = end == std::string::npos ? source.size() : end - 1;
    } else if (source[i] == '"' || source[i] == '\'') {
      const char quote = source[i];
      for (++i; i < source.size() && source[i] != quote; ++i)
        if (source[i] == '\\') ++i;
      code += ' ';
    } else {
      code += source[i];
    }
  }
  return code;
}

struct SoftFloatCase {
  const char* label;
  std::vector<std::string> compile_args;  // after `kiln compile`, without -o/--name
};

// What building one model's generated C for a soft-float Cortex-M4 reveals.
struct SoftFloatScan {
  int sources = 0;                              // .c files compiled
  std::vector<std::string> float_keywords;      // "file: float" outside comments
  std::vector<std::string> soft_float_helpers;  // undefined symbols matching kSoftFloatSymbol
  std::vector<std::string> external_symbols;    // all undefined symbols not starting with kiln_
  int64_t arena_bytes = 0;                      // from the compile report
  int64_t arena_lower_bound = 0;
};

// Compiles the model with the kiln CLI, then every generated .c with arm-none-eabi-gcc
// -mfloat-abi=soft, and lists float keywords and the undefined symbols of the objects.
void scan_soft_float(const SoftFloatCase& model, SoftFloatScan& scan) {
  const CommandResult probe = run_command({"arm-none-eabi-gcc", "--version"});
  if (probe.exit_code != 0) {
    if (running_in_ci()) FAIL() << "arm-none-eabi-gcc is required under CI=true";
    GTEST_SKIP() << "arm-none-eabi-gcc not installed";
  }
  TempDir out(std::string("softfloat-") + model.label);
  std::vector<std::string> argv = {kiln_binary().string(), "compile"};
  argv.insert(argv.end(), model.compile_args.begin(), model.compile_args.end());
  argv.insert(argv.end(), {"-o", out.path().string(), "--name", "net"});
  const CommandResult compile = run_command(argv, source_dir());
  ASSERT_EQ(compile.exit_code, 0) << compile.output;
  const nlohmann::json report = nlohmann::json::parse(read_text(out.path() / "net_report.json"));
  scan.arena_bytes = report.at("arena_bytes").get<int64_t>();
  scan.arena_lower_bound = report.at("arena_lower_bound").get<int64_t>();

  std::vector<fs::path> objects;
  const std::regex float_keyword(R"(\b(float|double)\b)");
  for (const fs::directory_entry& entry : fs::directory_iterator(out.path())) {
    const fs::path file = entry.path();
    if (file.extension() != ".c" && file.extension() != ".h") continue;
    const std::string code = strip_comments(read_text(file));
    std::smatch match;
    if (std::regex_search(code, match, float_keyword))
      scan.float_keywords.push_back(file.filename().string() + ": " + match.str());
    if (file.extension() != ".c") continue;
    ++scan.sources;
    const fs::path object = out.path() / (file.stem().string() + ".o");
    const CommandResult cc =
        run_command({"arm-none-eabi-gcc", "-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=soft",
                     "-std=c99", "-O2", "-c", file.string(), "-o", object.string()},
                    out.path());
    ASSERT_EQ(cc.exit_code, 0) << file << ":\n" << cc.output;
    objects.push_back(object);
  }
  ASSERT_GE(scan.sources, 2) << "expected the model source and at least one kernel";

  std::set<std::string> undefined;
  for (const fs::path& object : objects) {
    const CommandResult nm = run_command({"arm-none-eabi-nm", "-u", object.string()});
    ASSERT_EQ(nm.exit_code, 0) << nm.output;
    std::istringstream lines(nm.output);
    for (std::string line; std::getline(lines, line);) {
      std::istringstream fields(line);
      std::string kind, symbol;
      if (fields >> kind >> symbol && kind == "U") undefined.insert(symbol);
    }
  }
  for (const std::string& symbol : undefined) {
    if (std::regex_match(symbol, kSoftFloatSymbol)) scan.soft_float_helpers.push_back(symbol);
    if (symbol.rfind("kiln_", 0) != 0) scan.external_symbols.push_back(symbol);
  }
}

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
  return text.empty() ? "none" : text;
}

void expect_integer_only(const SoftFloatCase& model) {
  SoftFloatScan scan;
  scan_soft_float(model, scan);
  if (::testing::Test::HasFatalFailure() || ::testing::Test::IsSkipped()) return;
  std::cout << model.label << ": " << scan.sources
            << " C files built with -mfloat-abi=soft; soft-float helpers: "
            << joined(scan.soft_float_helpers)
            << "; external symbols: " << joined(scan.external_symbols)
            << "; float/double keywords: " << joined(scan.float_keywords) << "; arena "
            << scan.arena_bytes << " bytes, lower bound " << scan.arena_lower_bound << "\n";
  EXPECT_TRUE(scan.soft_float_helpers.empty()) << joined(scan.soft_float_helpers);
  EXPECT_TRUE(scan.float_keywords.empty()) << joined(scan.float_keywords);
  EXPECT_LE(static_cast<double>(scan.arena_bytes),
            kMaxArenaOverLowerBound * static_cast<double>(scan.arena_lower_bound));
}

TEST(Int8SoftFloat, KwsInt8GeneratedCHasNoFloat) {
  const fs::path model = mlperf_model("kws_int8.onnx");
  ASSERT_TRUE(fs::exists(model)) << model << " is missing";
  expect_integer_only({"kws_int8", {model.string()}});
}

TEST(Int8SoftFloat, QuantizedMnistGeneratedCHasNoFloat) {
  const fs::path mnist = source_dir() / "examples" / "mnist";
  expect_integer_only({"mnist_ptq_int8",
                       {(mnist / "mnist.onnx").string(), "--quantize", "int8", "--calibration",
                        mnist.string(), "--no-progress"}});
}

// The check must be able to fail: the float model's generated C calls soft-float helpers and
// declares floats.
TEST(Int8SoftFloat, FloatModelIsDetected) {
  const fs::path model = mlperf_model("ad01_fp32.onnx");
  ASSERT_TRUE(fs::exists(model)) << model << " is missing";
  SoftFloatScan scan;
  scan_soft_float({"ad01_fp32", {model.string()}}, scan);
  if (HasFatalFailure() || IsSkipped()) return;
  std::cout << "ad01_fp32: soft-float helpers: " << joined(scan.soft_float_helpers) << "\n";
  EXPECT_FALSE(scan.soft_float_helpers.empty());
  EXPECT_FALSE(scan.float_keywords.empty());
}

// The regex is the test's whole soft-float criterion: make sure it is neither blind nor
// overreaching on names the toolchain really uses.
TEST(Int8SoftFloat, SoftFloatSymbolPattern) {
  for (const char* helper :
       {"__aeabi_fadd", "__aeabi_dmul", "__aeabi_i2f", "__aeabi_ui2d", "__aeabi_l2f",
        "__aeabi_ul2d", "__aeabi_f2iz", "__aeabi_d2lz", "__aeabi_fcmplt", "__addsf3", "__floatsisf",
        "__fixdfsi", "__extendsfdf2", "__truncdfsf2", "__aeabi_f2d"})
    EXPECT_TRUE(std::regex_match(std::string(helper), kSoftFloatSymbol)) << helper;
  for (const char* integer :
       {"__aeabi_ldivmod", "__aeabi_uldivmod", "__aeabi_idiv", "__aeabi_uidivmod", "__aeabi_lmul",
        "__aeabi_llsl", "__aeabi_lasr", "__divdi3", "__muldi3", "memcpy", "memset", "kiln_conv_s8"})
    EXPECT_FALSE(std::regex_match(std::string(integer), kSoftFloatSymbol)) << integer;
}

}  // namespace
}  // namespace kiln::realmodel
