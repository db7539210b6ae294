// C code generation: literal printing, kernel file selection, and generated code that compiles
// warning-free with gcc, clang and arm-none-eabi-gcc and agrees bit-exactly with the interpreter.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <set>
#include <span>

#include "codegen/c_literals.hpp"
#include "codegen/compile.hpp"
#include "codegen/embedded_kernels.hpp"
#include "codegen/generate_c.hpp"
#include "frontend/load_model.hpp"
#include "interpreter/interpreter.hpp"
#include "ir/error.hpp"
#include "passes/pipeline.hpp"
#include "verify/process.hpp"
#include "verify/tensor_io.hpp"
#include "verify/verify.hpp"

namespace kiln {
namespace {

namespace fs = std::filesystem;

// A fresh directory under the system temp dir, removed when the test ends.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "kiln-codegen-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

fs::path shared_dir() {
  return fs::path(KILN_SHARED_DIR);
}

bool have_program(const std::string& name) {
  return run_process({"sh", "-c", "command -v " + name}).ok();
}

// --- literals ---------------------------------------------------------------------------------

TEST(CodegenLiterals, FloatsRoundTripExactly) {
  std::mt19937 random(1);
  std::vector<uint32_t> patterns = {0x00000000u, 0x80000000u, 0x00000001u, 0x007fffffu,
                                    0x00800000u, 0x7f7fffffu, 0xff7fffffu, 0x3f800000u};
  for (int i = 0; i < 5000; ++i) patterns.push_back(static_cast<uint32_t>(random()));
  for (uint32_t bits : patterns) {
    float value;
    std::memcpy(&value, &bits, 4);
    if (!std::isfinite(value)) continue;
    std::string text = codegen::c_float(value);
    ASSERT_EQ(text.back(), 'f') << text;
    text.pop_back();
    const float parsed = std::strtof(text.c_str(), nullptr);
    uint32_t parsed_bits;
    std::memcpy(&parsed_bits, &parsed, 4);
    EXPECT_EQ(parsed_bits, bits) << text;
  }
}

TEST(CodegenLiterals, NonFiniteFloatsUseMathMacros) {
  bool needs_math = false;
  EXPECT_EQ(codegen::c_float(std::numeric_limits<float>::infinity(), &needs_math), "INFINITY");
  EXPECT_TRUE(needs_math);
  EXPECT_EQ(codegen::c_float(-std::numeric_limits<float>::infinity()), "(-INFINITY)");
  EXPECT_EQ(codegen::c_float(std::numeric_limits<float>::quiet_NaN()), "NAN");
  EXPECT_EQ(codegen::c_float(-0.0f), "-0x0p+0f");
}

TEST(CodegenLiterals, IntegerExtremesDoNotOverflow) {
  EXPECT_EQ(codegen::c_int32(std::numeric_limits<int32_t>::min()), "(-2147483647 - 1)");
  EXPECT_EQ(codegen::c_int32(-5), "-5");
  EXPECT_EQ(codegen::c_int64(std::numeric_limits<int64_t>::min()),
            "(-INT64_C(9223372036854775807) - 1)");
  EXPECT_EQ(codegen::c_int64(42), "INT64_C(42)");
}

TEST(CodegenLiterals, StringsCommentsAndIdentifiersAreSafe) {
  EXPECT_EQ(codegen::c_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(codegen::c_string("?\?="), "\"\\077\\077=\"");  // no trigraph
  EXPECT_EQ(codegen::c_string("\n"), "\"\\012\"");
  const std::string comment = codegen::c_comment("x*/y/*z?\?/\n");
  EXPECT_EQ(comment.find("*/"), std::string::npos);
  EXPECT_EQ(comment.find("/*"), std::string::npos);
  EXPECT_EQ(comment.find('?'), std::string::npos);
  EXPECT_EQ(comment.find('\n'), std::string::npos);
  EXPECT_EQ(codegen::c_identifier("conv1/weight:0"), "conv1_weight_0");
  EXPECT_EQ(codegen::c_identifier("1x"), "_1x");
  EXPECT_EQ(codegen::c_identifier(""), "_");
  EXPECT_EQ(codegen::c_macro_prefix("my-net"), "MY_NET");
}

TEST(CodegenKernels, CopiesKernelsWithTheirIncludedHeaders) {
  const std::vector<std::string> files = kernel_files_for({"kiln_copy"});
  EXPECT_EQ(files, (std::vector<std::string>{"kiln_common.h", "kiln_copy.c", "kiln_copy.h"}));
  EXPECT_THROW(kernel_files_for({"kiln_no_such_kernel"}), InternalError);
}

// Generated code is self-contained: every kernel, alone in a directory with exactly the files
// kernel_files_for() copies for it (shared loop bodies, step headers, helpers), compiles as
// warning-free C99. A body header a kernel needs but does not #include would fail here.
TEST(CodegenKernels, EveryKernelCompilesAloneWithTheFilesItIsCopiedWith) {
  const auto& sources = embedded_kernel_sources();
  int kernels = 0;
  for (const auto& [file, text] : sources) {
    if (!file.ends_with(".c")) continue;
    const std::string function = file.substr(0, file.size() - 2);
    if (!sources.contains(function + ".h")) continue;  // a helper's definitions, not a kernel
    TempDir dir;
    for (const std::string& name : kernel_files_for({function}))
      std::ofstream(dir.path() / name) << sources.at(name);
    const ProcessResult r =
        run_process({"cc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-fsyntax-only",
                     (dir.path() / file).string()});
    EXPECT_TRUE(r.ok()) << function << ": " << r.status_text() << "\n" << r.output;
    ++kernels;
  }
  EXPECT_GT(kernels, 60);
}

// --- an ONNX model exercising the I/O and aliasing corner cases -------------------------------

struct OnnxBuilder {
  onnx::ModelProto model;
  onnx::GraphProto* graph;
  OnnxBuilder() {
    model.set_ir_version(8);
    model.set_producer_name("kiln codegen test");
    auto* opset = model.add_opset_import();
    opset->set_domain("");
    opset->set_version(13);
    graph = model.mutable_graph();
    graph->set_name("edge_cases");
  }
  static void set_type(onnx::ValueInfoProto* v, const std::string& name, int elem_type,
                       const std::vector<int64_t>& dims) {
    v->set_name(name);
    auto* tt = v->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(elem_type);
    for (int64_t d : dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
  }
  void input(const std::string& name, std::vector<int64_t> dims) {
    set_type(graph->add_input(), name, onnx::TensorProto_DataType_FLOAT, dims);
  }
  void output(const std::string& name, std::vector<int64_t> dims) {
    set_type(graph->add_output(), name, onnx::TensorProto_DataType_FLOAT, dims);
  }
  void floats(const std::string& name, std::vector<int64_t> dims, std::vector<float> values) {
    auto* t = graph->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto_DataType_FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    for (float v : values) t->add_float_data(v);
  }
  void ints(const std::string& name, std::vector<int64_t> values) {
    auto* t = graph->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto_DataType_INT64);
    t->add_dims(static_cast<int64_t>(values.size()));
    for (int64_t v : values) t->add_int64_data(v);
  }
  void node(const std::string& op, std::vector<std::string> in, std::vector<std::string> out) {
    auto* n = graph->add_node();
    n->set_op_type(op);
    n->set_name(op + "_" + std::to_string(graph->node_size()));
    for (const auto& s : in) n->add_input(s);
    for (const auto& s : out) n->add_output(s);
  }
  fs::path write(const fs::path& dir) const {
    const fs::path path = dir / "edge_cases.onnx";
    std::ofstream out(path, std::ios::binary);
    model.SerializeToOstream(&out);
    return path;
  }
};

// x, s inputs; a weight with inf/nan/-0/denormal; in-place Add over a dead Relu result; a view
// of an arena tensor read twice; an Identity and a Reshape of a graph input as graph outputs.
fs::path write_edge_case_model(const fs::path& dir) {
  OnnxBuilder b;
  b.input("x", {2, 3});
  b.input("s", {6});
  const float inf = std::numeric_limits<float>::infinity();
  b.floats("c", {2, 3}, {1.5f, -inf, inf, -0.0f, 1e-42f, std::nanf("")});
  b.ints("flat_shape", {6});
  b.node("Relu", {"x"}, {"r"});
  b.node("Add", {"r", "c"}, {"a"});
  b.node("Reshape", {"a", "flat_shape"}, {"flat"});
  b.node("Add", {"flat", "s"}, {"y0"});
  b.node("Identity", {"x"}, {"y1"});
  b.node("Reshape", {"x", "flat_shape"}, {"y2"});
  b.node("Sigmoid", {"flat"}, {"y3"});
  b.output("y0", {6});
  b.output("y1", {2, 3});
  b.output("y2", {6});
  b.output("y3", {6});
  return b.write(dir);
}

// Graph outputs no kernel writes: a constant (with an infinity) and a graph input passed through.
fs::path write_passthrough_model(const fs::path& dir) {
  OnnxBuilder b;
  b.input("x", {3});
  b.floats("k", {3}, {1.0f, -2.0f, std::numeric_limits<float>::infinity()});
  b.node("Relu", {"x"}, {"r"});
  b.output("r", {3});
  b.output("k", {3});
  b.output("x", {3});
  const fs::path path = dir / "passthrough.onnx";
  std::ofstream out(path, std::ios::binary);
  b.model.SerializeToOstream(&out);
  return path;
}

void expect_compiles(const std::string& compiler, const std::vector<std::string>& extra,
                     const fs::path& dir, const std::vector<std::string>& sources) {
  for (const std::string& src : sources) {
    std::vector<std::string> cmd = {compiler};
    cmd.insert(cmd.end(), extra.begin(), extra.end());
    for (const char* flag : {"-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2", "-c"})
      cmd.push_back(flag);
    cmd.push_back((dir / src).string());
    cmd.push_back("-o");
    cmd.push_back((dir / (src + "." + compiler + ".o")).string());
    const ProcessResult r = run_process(cmd);
    EXPECT_TRUE(r.ok()) << command_line(cmd) << "\n" << r.output;
  }
}

void check_compilers_on(const fs::path& model, const std::string& name) {
  TempDir tmp;
  CompileOptions options;
  options.name = name;
  const CompileResult result = compile_model(model.string(), options, tmp.path());
  int compilers = 0;
  if (have_program("gcc"))
    expect_compiles("gcc", {}, tmp.path(), result.code.c_sources), ++compilers;
  if (have_program("clang"))
    expect_compiles("clang", {}, tmp.path(), result.code.c_sources), ++compilers;
  if (have_program("arm-none-eabi-gcc"))
    expect_compiles("arm-none-eabi-gcc", {"-mcpu=cortex-m4", "-mthumb"}, tmp.path(),
                    result.code.c_sources),
        ++compilers;
  if (compilers < 3)
    GTEST_SKIP() << "only " << compilers << " of gcc/clang/arm-none-eabi-gcc found";
}

TEST(CodegenCompilers, EdgeCaseModelCompilesWarningFree) {
  TempDir models;
  check_compilers_on(write_edge_case_model(models.path()), "edge");
}

TEST(CodegenCompilers, PassthroughOutputsCompileWarningFree) {
  TempDir models;
  check_compilers_on(write_passthrough_model(models.path()), "passthrough");
}

TEST(CodegenCompilers, Resnet8CompilesWarningFree) {
  const fs::path model = shared_dir() / "models/mlperf-tiny/onnx/resnet8_fp32.onnx";
  if (!fs::exists(model)) GTEST_SKIP() << model << " not found";
  check_compilers_on(model, "resnet8");
}

TEST(CodegenCompilers, ConformanceConvCompilesWarningFree) {
  const fs::path model =
      shared_dir() / "onnx-conformance/node/test_conv_with_strides_padding/model.onnx";
  if (!fs::exists(model)) GTEST_SKIP() << model << " not found";
  check_compilers_on(model, "conv");
}

// --- generated files and the report -----------------------------------------------------------

TEST(Codegen, EdgeCaseModelLayoutAndReport) {
  TempDir tmp;
  const fs::path model = write_edge_case_model(tmp.path());
  CompileOptions options;
  options.name = "edge";
  const CompileResult result = compile_model(model.string(), options, tmp.path() / "out");
  for (const char* f : {"edge.h", "edge.c", "edge.cmake", "edge.mk", "edge_report.json",
                        "kiln_copy.c", "kiln_copy.h", "kiln_common.h"})
    EXPECT_TRUE(fs::exists(tmp.path() / "out" / f)) << f;
  EXPECT_TRUE(result.code.needs_libm());  // Sigmoid's expf

  std::ifstream report_file(result.report_path);
  const nlohmann::json report = nlohmann::json::parse(report_file);
  EXPECT_EQ(report["arena_bytes"], result.plan.arena_bytes);
  EXPECT_EQ(report["arena_lower_bound"], result.plan.lower_bound);
  EXPECT_EQ(report["weight_bytes"], result.plan.weight_bytes);
  bool saw_flash = false, saw_io = false;
  for (const auto& t : report["tensors"]) {
    saw_flash |= t["region"] == "flash";
    saw_io |= t["region"] == "io";
  }
  EXPECT_TRUE(saw_flash);
  EXPECT_TRUE(saw_io);
  ASSERT_FALSE(report["nodes"].empty());
  EXPECT_TRUE(report["nodes"][0].contains("kernel"));
  EXPECT_TRUE(report["nodes"][0].contains("macs"));

  std::ifstream header(tmp.path() / "out" / "edge.h");
  const std::string h((std::istreambuf_iterator<char>(header)), std::istreambuf_iterator<char>());
  for (const char* needle : {"#define EDGE_INPUT_0_NAME \"x\"", "#define EDGE_INPUT_0_SIZE 6",
                             "#define EDGE_INPUT_0_SHAPE {2, 3}",
                             "#define EDGE_OUTPUT_3_NAME \"y3\"", "#define EDGE_ARENA_SIZE",
                             "int edge_run(const float* input0, const float* input1, float* "
                             "output0, float* output1, float* output2, float* output3);",
                             "int edge_run_with_arena(void* arena,"})
    EXPECT_NE(h.find(needle), std::string::npos) << needle;
}

// --- generated code vs the interpreter --------------------------------------------------------

TEST(Verify, EdgeCaseModelIsBitExactWithRandomInputs) {
  if (!have_program("cc")) GTEST_SKIP() << "no host C compiler (cc)";
  TempDir tmp;
  VerifyOptions options;
  options.count = 2;
  const VerifyResult result = verify_model(write_edge_case_model(tmp.path()).string(), options);
  EXPECT_TRUE(result.passed()) << result.summary();
  ASSERT_EQ(result.cases.size(), 2u);
  for (const CaseResult& c : result.cases)
    for (const OutputCheck& o : c.outputs) EXPECT_TRUE(o.comparisons.front().bit_exact) << o.name;
}

TEST(Verify, ConstantAndInputPassthroughOutputsAreCopied) {
  if (!have_program("cc")) GTEST_SKIP() << "no host C compiler (cc)";
  TempDir tmp;
  VerifyOptions options;
  options.count = 1;
  const VerifyResult result = verify_model(write_passthrough_model(tmp.path()).string(), options);
  EXPECT_TRUE(result.passed()) << result.summary();
  ASSERT_EQ(result.cases.size(), 1u);
  EXPECT_EQ(result.cases[0].outputs.size(), 3u);
}

TEST(Verify, ConformanceNodeTestsMatchExpectedOutputs) {
  if (!have_program("cc")) GTEST_SKIP() << "no host C compiler (cc)";
  int ran = 0;
  for (const char* test : {"test_relu", "test_add", "test_conv_with_strides_padding"}) {
    const fs::path dir = shared_dir() / "onnx-conformance/node" / test;
    if (!fs::exists(dir)) continue;
    VerifyOptions options;
    options.inputs_dir = dir;
    const VerifyResult result = verify_model((dir / "model.onnx").string(), options);
    EXPECT_TRUE(result.passed()) << result.summary();
    ASSERT_FALSE(result.cases.empty());
    // "expected" is among the comparisons when test data has outputs.
    EXPECT_EQ(result.cases[0].outputs[0].comparisons.back().against, "expected");
    ++ran;
  }
  if (ran == 0) GTEST_SKIP() << "ONNX conformance tests not found";
}

TEST(Verify, MlperfTinyFp32ModelsAreBitExact) {
  if (!have_program("cc")) GTEST_SKIP() << "no host C compiler (cc)";
  int ran = 0;
  for (const char* model : {"ad01_fp32", "resnet8_fp32"}) {
    const fs::path path = shared_dir() / "models/mlperf-tiny/onnx" / (std::string(model) + ".onnx");
    if (!fs::exists(path)) continue;
    VerifyOptions options;
    options.count = 1;
    const VerifyResult result = verify_model(path.string(), options);
    EXPECT_TRUE(result.passed()) << result.summary();
    ++ran;
  }
  if (ran == 0) GTEST_SKIP() << "MLPerf Tiny models not found";
}

TEST(Verify, CompareTensorsToleranceAndNaN) {
  auto tensor = [](std::vector<float> v) {
    return make_constant<float>("t", DType::Float32, {static_cast<int64_t>(v.size())}, v);
  };
  const float nan = std::nanf("");
  Comparison same = compare_tensors(tensor({1.0f, nan}), tensor({1.0f, nan}), true, 0, 0);
  EXPECT_TRUE(same.ok);
  EXPECT_TRUE(same.bit_exact);
  Comparison close = compare_tensors(tensor({1.00001f}), tensor({1.0f}), false, 1e-4, 1e-5);
  EXPECT_TRUE(close.ok);
  EXPECT_FALSE(close.bit_exact);
  Comparison exact_fail = compare_tensors(tensor({1.00001f}), tensor({1.0f}), true, 1, 1);
  EXPECT_FALSE(exact_fail.ok);
  Comparison far = compare_tensors(tensor({2.0f, nan}), tensor({1.0f, 0.0f}), false, 1e-4, 1e-5);
  EXPECT_FALSE(far.ok);
  EXPECT_EQ(far.mismatches, 2);
  EXPECT_TRUE(std::isinf(far.max_rel));
  Comparison shape = compare_tensors(tensor({1.0f}), tensor({1.0f, 2.0f}), false, 1, 1);
  EXPECT_FALSE(shape.ok);
  EXPECT_FALSE(shape.problem.empty());
}

TEST(Verify, RandomInputsAreDeterministicAndInRange) {
  Graph g;
  Tensor x;
  x.name = "x";
  x.shape = {1000};
  x.shape_known = true;
  g.add_tensor(x);
  g.inputs = {"x"};
  const TensorMap a = random_inputs(g, 5), b = random_inputs(g, 5), c = random_inputs(g, 6);
  EXPECT_EQ(a.at("x").data, b.at("x").data);
  EXPECT_NE(a.at("x").data, c.at("x").data);
  // Neighbouring seeds give unrelated streams, not the same stream shifted by one element.
  const std::span<const float> va = a.at("x").values<float>(), vc = c.at("x").values<float>();
  int shifted = 0;
  for (size_t i = 0; i + 1 < va.size(); ++i) shifted += va[i + 1] == vc[i] || va[i] == vc[i + 1];
  EXPECT_LT(shifted, 10);
  for (float v : a.at("x").values<float>()) {
    EXPECT_GE(v, -1.0f);
    EXPECT_LT(v, 1.0f);
  }
  // A quantized int8 input: 0/1 by default (kiln bench), any int8 value for verify.
  Tensor q;
  q.name = "q";
  q.dtype = DType::Int8;
  q.shape = {1000};
  q.shape_known = true;
  q.quant = QuantParams{{0.5f}, {0}, -1};
  g.add_tensor(q);
  g.inputs = {"q"};
  const TensorMap narrow_inputs = random_inputs(g, 5), full_inputs = random_inputs(g, 5, true);
  std::set<int8_t> narrow, full;
  for (int8_t v : narrow_inputs.at("q").values<int8_t>()) narrow.insert(v);
  for (int8_t v : full_inputs.at("q").values<int8_t>()) full.insert(v);
  EXPECT_EQ(narrow, (std::set<int8_t>{0, 1}));
  EXPECT_GT(full.size(), 200u);
  EXPECT_LT(*full.begin(), -100);
  EXPECT_GT(*full.rbegin(), 100);
}

// --- verify's criteria and verdict ------------------------------------------------------------

TEST(Verify, ScaledCriterionToleratesNoiseRelativeToTheOutputsMagnitude) {
  auto tensor = [](std::vector<float> v) {
    return make_constant<float>("t", DType::Float32, {static_cast<int64_t>(v.size())}, v);
  };
  // Reordering noise of 4e-5 on logits of 30, beside a logit near zero.
  const Tensor expected = tensor({30.0f, 0.001f}), actual = tensor({30.00004f, 0.00104f});
  EXPECT_FALSE(compare_tensors(actual, expected, Criterion::ElementWise, 1e-4, 1e-5).ok);
  const Comparison scaled =
      compare_tensors(actual, expected, Criterion::ScaledToOutput, 1e-4, 1e-5);
  EXPECT_TRUE(scaled.ok);
  EXPECT_EQ(scaled.criterion, Criterion::ScaledToOutput);
  // Still a tolerance: 1% of the largest output is far outside.
  EXPECT_FALSE(
      compare_tensors(tensor({30.0f, 0.3f}), expected, Criterion::ScaledToOutput, 1e-4, 1e-5).ok);
}

// A result with one case and one output, with the given comparisons.
VerifyResult result_with(std::vector<Comparison> comparisons, bool quantized) {
  VerifyResult r;
  r.model = "m.tflite";
  r.rtol = 0;
  r.atol = 0;
  r.quantized = quantized;
  r.float_reading_binding = !quantized;
  OutputCheck output;
  output.name = "y";
  output.comparisons = std::move(comparisons);
  r.cases.push_back({"random_0", {output}});
  return r;
}

Comparison comparison(const std::string& against, bool ok, bool binding = true) {
  Comparison c;
  c.against = against;
  c.criterion = against == "interpreter"   ? Criterion::BitExact
                : against == "unoptimized" ? Criterion::ScaledToOutput
                                           : Criterion::ElementWise;
  c.ok = ok;
  c.bit_exact = ok;
  c.binding = binding;
  c.mismatches = ok ? 0 : 3;
  c.max_abs = ok ? 0 : 9;
  return c;
}

TEST(Verify, VerdictSaysWhatWasCheckedAndNamesTheFailingComparison) {
  // Quantized: the float reading is information and does not decide.
  VerifyResult quantized =
      result_with({comparison("interpreter", true), comparison("unoptimized", false, false),
                   comparison("expected", true)},
                  true);
  EXPECT_TRUE(quantized.passed());
  const std::string pass = quantized.verdict();
  EXPECT_EQ(pass.rfind("PASS: generated C == interpreter bit for bit; generated C vs expected "
                       "outputs within rtol 0 / atol 0 (1 case)",
                       0),
            0u)
      << pass;
  EXPECT_NE(pass.find("float reading of the quantized graph not binding (information: max abs "
                      "diff 9)"),
            std::string::npos)
      << pass;
  EXPECT_EQ(pass.find('\n'), std::string::npos);
  EXPECT_EQ(quantized.summary().substr(
                quantized.summary().rfind('\n', quantized.summary().size() - 2) + 1),
            pass + "\n");

  // A wrong expected output fails, and the verdict names that comparison first.
  VerifyResult wrong =
      result_with({comparison("interpreter", true), comparison("expected", false)}, false);
  EXPECT_FALSE(wrong.passed());
  EXPECT_EQ(wrong.verdict(),
            "FAIL: generated C vs expected outputs: 3 elements outside rtol 0 / atol 0, max abs "
            "diff 9 (1 of 1 cases; first: random_0, output 'y') (1 case); passed: generated C == "
            "interpreter bit for bit");

  // Float model: the unoptimized comparison binds.
  VerifyResult reordered =
      result_with({comparison("interpreter", true), comparison("unoptimized", false)}, false);
  EXPECT_FALSE(reordered.passed());
  EXPECT_EQ(reordered.verdict().rfind("FAIL: generated C vs the unoptimized graph: 3 elements "
                                      "outside atol 0 + rtol 0 x max|output|",
                                      0),
            0u)
      << reordered.verdict();
}

// A deep float network with random weights: 48 x (1x1 Conv, BatchNormalization, Relu) over 128
// channels of 4x4 pixels, then a 1x1 Conv without activation whose outputs reach about 30
// (logits-like: both signs, some near zero). BatchNorm folding reorders the float arithmetic of
// every layer. Measured: outputs up to 30.4 differ from the unoptimized graph's by up to 8.1e-5,
// and 10 of the 2,048 outputs fail a per-element rtol 1e-4 / atol 1e-5 test.
fs::path write_deep_random_net(const fs::path& dir) {
  constexpr int kDepth = 48;
  constexpr int64_t kChannels = 128;
  std::mt19937 random(2026);
  // Uniform in [low, high) from raw generator bits (portable, unlike std distributions).
  auto uniform = [&random](float low, float high) {
    return low + (high - low) * static_cast<float>(random() >> 8) / static_cast<float>(1 << 24);
  };
  auto values = [&](size_t n, float low, float high) {
    std::vector<float> v(n);
    for (float& x : v) x = uniform(low, high);
    return v;
  };
  OnnxBuilder b;
  b.input("x", {1, kChannels, 4, 4});
  const float he = std::sqrt(6.0f / kChannels);  // He-uniform limit
  const size_t c = kChannels;
  std::string v = "x";
  for (int i = 0; i < kDepth; ++i) {
    const std::string k = std::to_string(i);
    b.floats("w" + k, {kChannels, kChannels, 1, 1}, values(c * c, -he, he));
    b.floats("b" + k, {kChannels}, values(c, -0.1f, 0.1f));
    b.floats("gamma" + k, {kChannels}, values(c, 0.5f, 1.5f));
    b.floats("beta" + k, {kChannels}, values(c, -0.1f, 0.1f));
    b.floats("mean" + k, {kChannels}, values(c, -0.1f, 0.1f));
    b.floats("var" + k, {kChannels}, values(c, 0.5f, 1.5f));
    b.node("Conv", {v, "w" + k, "b" + k}, {"conv" + k});
    b.node("BatchNormalization", {"conv" + k, "gamma" + k, "beta" + k, "mean" + k, "var" + k},
           {"bn" + k});
    b.node("Relu", {"bn" + k}, {"relu" + k});
    v = "relu" + k;
  }
  b.floats("w_out", {kChannels, kChannels, 1, 1}, values(c * c, -0.45f * he, 0.45f * he));
  b.node("Conv", {v, "w_out"}, {"y"});
  b.output("y", {1, kChannels, 4, 4});
  return b.write(dir);
}

TEST(Verify, DeepRandomWeightFloatNetPassesDespiteReorderingNoise) {
  if (!have_program("cc")) GTEST_SKIP() << "no host C compiler (cc)";
  TempDir tmp;
  const fs::path model = write_deep_random_net(tmp.path());
  VerifyOptions options;
  options.count = 1;
  const VerifyResult result = verify_model(model.string(), options);
  EXPECT_TRUE(result.passed()) << result.summary();
  EXPECT_FALSE(result.quantized);
  EXPECT_EQ(result.verdict().rfind("PASS: generated C == interpreter bit for bit; generated C vs "
                                   "the unoptimized graph within atol 1e-05 + rtol 0.0001 x "
                                   "max|output|",
                                   0),
            0u)
      << result.verdict();

  // The noise is there: element by element (numpy.allclose at the same tolerances) the folded
  // graph differs from the unoptimized one, so this net would fail a per-element criterion.
  Graph loaded = load_model(model.string());
  Graph optimized = loaded;
  optimize(optimized, PipelineOptions{});
  const TensorMap inputs = random_inputs(loaded, options.seed);
  const Tensor folded = run_graph(optimized, inputs).at("y");
  const Tensor reference = run_graph(loaded, inputs).at("y");
  const Comparison per_element =
      compare_tensors(folded, reference, Criterion::ElementWise, options.rtol, options.atol);
  EXPECT_FALSE(per_element.ok) << "max abs " << per_element.max_abs;
  EXPECT_GT(per_element.max_abs, options.atol);
  float largest = 0;
  for (float y : reference.values<float>()) largest = std::max(largest, std::fabs(y));
  EXPECT_GT(largest, 20.0f);
}

TEST(Verify, ReportsTheModelsOwnErrorBeforeLookingAtTestData) {
  // An opset-6 model whose test data holds a DOUBLE input: `compile` says "opset 6"; verify
  // must say the same, not complain about the data type of the test input.
  TempDir tmp;
  OnnxBuilder b;
  b.model.mutable_opset_import(0)->set_version(6);
  b.input("x", {2});
  b.node("Relu", {"x"}, {"y"});
  b.output("y", {2});
  const fs::path model = b.write(tmp.path());
  const fs::path data = tmp.path() / "test_data_set_0";
  fs::create_directories(data);
  {
    onnx::TensorProto t;
    t.set_name("x");
    t.set_data_type(onnx::TensorProto_DataType_DOUBLE);
    t.add_dims(2);
    t.add_double_data(1.0);
    t.add_double_data(-1.0);
    std::ofstream out(data / "input_0.pb", std::ios::binary);
    t.SerializeToOstream(&out);
  }
  std::string compile_error, verify_error;
  try {
    compile_model(model.string(), CompileOptions{}, tmp.path() / "out");
  } catch (const Error& e) {
    compile_error = e.what();
  }
  VerifyOptions options;
  options.inputs_dir = tmp.path();
  try {
    verify_model(model.string(), options);
  } catch (const Error& e) {
    verify_error = e.what();
  }
  EXPECT_NE(compile_error.find("opset 6"), std::string::npos) << compile_error;
  EXPECT_EQ(verify_error, compile_error);
}

TEST(Verify, BuildTimeoutIsAnOption) {
  TempDir tmp;
  const fs::path model = write_edge_case_model(tmp.path());
  // A "compiler" that never finishes: the build must end with a timeout error, not hang.
  const fs::path slow_cc = tmp.path() / "slow-cc";
  {
    std::ofstream script(slow_cc);
    script << "#!/bin/sh\nexec sleep 600\n";
  }
  fs::permissions(slow_cc, fs::perms::owner_all);
  VerifyOptions options;
  options.cc = slow_cc.string();
  options.timeout_seconds = 1;
  try {
    verify_model(model.string(), options);
    ADD_FAILURE() << "verify did not time out";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("timed out"), std::string::npos) << e.what();
  }
  options.timeout_seconds = 0;
  EXPECT_THROW(verify_model(model.string(), options), Error);
}

// --- the CLI ----------------------------------------------------------------------------------

TEST(CodegenCli, CompileAndVerifyExitCodes) {
  const fs::path dir = shared_dir() / "onnx-conformance/node/test_relu";
  if (!fs::exists(dir)) GTEST_SKIP() << dir << " not found";
  TempDir tmp;
  const ProcessResult compiled =
      run_process({KILN_BINARY, "compile", (dir / "model.onnx").string(), "-o",
                   (tmp.path() / "out").string(), "--name", "relu"});
  EXPECT_TRUE(compiled.ok()) << compiled.output;
  EXPECT_NE(compiled.output.find("arena"), std::string::npos);
  EXPECT_TRUE(fs::exists(tmp.path() / "out" / "relu.c"));

  const ProcessResult verified =
      run_process({KILN_BINARY, "verify", (dir / "model.onnx").string(), "--inputs", dir.string()});
  EXPECT_TRUE(verified.ok()) << verified.output;
  EXPECT_NE(verified.output.find("PASS"), std::string::npos);

  // Tampered expected output: verify must fail with exit code 1.
  const fs::path bad = tmp.path() / "bad";
  fs::create_directories(bad);
  fs::copy_file(dir / "test_data_set_0/input_0.pb", bad / "input_0.pb");
  Tensor expected = read_tensor_pb(dir / "test_data_set_0/output_0.pb");
  expected.mutable_values<float>()[0] += 1.0f;
  write_tensor_pb(bad / "output_0.pb", expected);
  const ProcessResult mismatch =
      run_process({KILN_BINARY, "verify", (dir / "model.onnx").string(), "--inputs", bad.string()});
  EXPECT_EQ(mismatch.exit_code, 1) << mismatch.output;
  EXPECT_NE(mismatch.output.find("MISMATCH"), std::string::npos) << mismatch.output;
  // The last line names the comparison that failed.
  const std::string last =
      mismatch.output.substr(mismatch.output.rfind('\n', mismatch.output.size() - 2) + 1);
  EXPECT_EQ(last.rfind("kiln: error: verify: ", 0), 0u) << last;
  EXPECT_NE(
      last.find("generated C vs expected outputs: 1 element outside rtol 0.0001 / atol 1e-05"),
      std::string::npos)
      << last;
}

TEST(CodegenBuildFragments, MakeAndCMakeFragmentsBuildTheLibrary) {
  const fs::path model = shared_dir() / "onnx-conformance/node/test_relu/model.onnx";
  if (!fs::exists(model)) GTEST_SKIP() << model << " not found";
  if (!have_program("make") || !have_program("cmake") || !have_program("cc"))
    GTEST_SKIP() << "make, cmake or cc missing";
  TempDir tmp;
  compile_model(model.string(), CompileOptions{}, tmp.path() / "gen");
  {
    std::ofstream mk(tmp.path() / "Makefile");
    mk << "include gen/net.mk\n"
          "libnet.a: $(NET_SRCS)\n"
          "\tcc $(NET_CFLAGS) -Wall -Wextra -Werror -pedantic -c $(NET_SRCS)\n"
          "\tar rcs $@ *.o\n";
  }
  const ProcessResult made = run_process({"make", "-C", tmp.path().string()});
  EXPECT_TRUE(made.ok()) << made.output;
  EXPECT_TRUE(fs::exists(tmp.path() / "libnet.a"));

  fs::create_directories(tmp.path() / "cm");
  {
    std::ofstream cm(tmp.path() / "cm" / "CMakeLists.txt");
    cm << "cmake_minimum_required(VERSION 3.16)\nproject(use_net C)\ninclude(../gen/net.cmake)\n";
  }
  const ProcessResult configured = run_process(
      {"cmake", "-S", (tmp.path() / "cm").string(), "-B", (tmp.path() / "cm/build").string()});
  ASSERT_TRUE(configured.ok()) << configured.output;
  const ProcessResult built = run_process({"cmake", "--build", (tmp.path() / "cm/build").string()});
  EXPECT_TRUE(built.ok()) << built.output;
}

}  // namespace
}  // namespace kiln
