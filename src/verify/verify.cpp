#include "verify/verify.hpp"

#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>

#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "passes/expand_qoperators.hpp"
#include "verify/process.hpp"
#include "verify/tensor_io.hpp"

namespace kiln {

namespace fs = std::filesystem;

bool OutputCheck::ok() const {
  for (const Comparison& c : comparisons)
    if (!c.ok) return false;
  return true;
}

bool CaseResult::ok() const {
  for (const OutputCheck& o : outputs)
    if (!o.ok()) return false;
  return true;
}

bool VerifyResult::passed() const {
  if (cases.empty()) return false;
  for (const CaseResult& c : cases)
    if (!c.ok()) return false;
  return true;
}

namespace {

double element_as_double(const Tensor& t, int64_t i) {
  const uint8_t* p = t.data.data() + i * static_cast<int64_t>(dtype_size(t.dtype));
  switch (t.dtype) {
    case DType::Float32: {
      float v;
      std::memcpy(&v, p, sizeof v);
      return v;
    }
    case DType::Int8: return static_cast<int8_t>(*p);
    case DType::UInt8:
    case DType::Bool: return *p;
    case DType::Int16: {
      int16_t v;
      std::memcpy(&v, p, sizeof v);
      return v;
    }
    case DType::Int32: {
      int32_t v;
      std::memcpy(&v, p, sizeof v);
      return v;
    }
    case DType::Int64: {
      int64_t v;
      std::memcpy(&v, p, sizeof v);
      return static_cast<double>(v);
    }
  }
  throw InternalError("element_as_double: invalid DType");
}

std::string format_number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", v);
  return text;
}

}  // namespace

Comparison compare_tensors(const Tensor& actual, const Tensor& expected, bool exact, double rtol,
                           double atol) {
  Comparison c;
  c.exact_required = exact;
  if (actual.dtype != expected.dtype || actual.shape != expected.shape) {
    c.ok = false;
    c.bit_exact = false;
    c.problem = "got " + std::string(dtype_name(actual.dtype)) + " " +
                shape_to_string(actual.shape) + ", expected " +
                std::string(dtype_name(expected.dtype)) + " " + shape_to_string(expected.shape);
    return c;
  }
  const int64_t n = actual.elements();
  const size_t element_size = dtype_size(actual.dtype);
  if (actual.data.size() != static_cast<size_t>(actual.bytes()) ||
      expected.data.size() != static_cast<size_t>(expected.bytes()))
    throw InternalError("compare_tensors: tensor without data of its shape");
  for (int64_t i = 0; i < n; ++i) {
    const double a = element_as_double(actual, i);
    const double e = element_as_double(expected, i);
    const bool both_nan = std::isnan(a) && std::isnan(e);
    const bool same_bits =
        both_nan || std::memcmp(actual.data.data() + i * element_size,
                                expected.data.data() + i * element_size, element_size) == 0;
    if (!same_bits) c.bit_exact = false;
    double diff = 0.0;
    bool close = true;
    if (!both_nan) {
      if (std::isnan(a) || std::isnan(e) || std::isinf(a) || std::isinf(e)) {
        close = a == e;
        diff = close ? 0.0 : INFINITY;
      } else {
        diff = std::fabs(a - e);
        close = diff <= atol + rtol * std::fabs(e);
      }
    }
    const double rel = diff == 0.0 ? 0.0 : (e != 0.0 ? diff / std::fabs(e) : INFINITY);
    c.max_abs = std::max(c.max_abs, diff);
    c.max_rel = std::max(c.max_rel, rel);
    if (exact ? !same_bits : !close) ++c.mismatches;
  }
  c.ok = c.mismatches == 0;
  return c;
}

TensorMap random_inputs(const Graph& graph, uint64_t seed) {
  // splitmix64: tiny, portable and identical on every platform (std distributions are not).
  uint64_t state = seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
  auto next = [&state] {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  TensorMap inputs;
  for (const std::string& name : graph.inputs) {
    const Tensor& like = graph.tensor(name);
    Tensor t;
    t.name = name;
    t.dtype = like.dtype;
    t.shape = like.shape;
    t.shape_known = true;
    t.data.assign(static_cast<size_t>(like.bytes()), 0);
    const int64_t n = like.elements();
    for (int64_t i = 0; i < n; ++i) {
      const uint64_t r = next();
      if (t.dtype == DType::Float32) {
        // 24 random bits -> [-1, 1) exactly representable.
        const float v = static_cast<float>(static_cast<int64_t>(r >> 40) - (1 << 23)) /
                        static_cast<float>(1 << 23);
        std::memcpy(t.data.data() + i * 4, &v, 4);
      } else {
        // Little-endian: setting the lowest byte writes the value 0 or 1 in any integer width.
        t.data[static_cast<size_t>(i) * dtype_size(t.dtype)] = static_cast<uint8_t>(r >> 63);
      }
    }
    inputs[name] = std::move(t);
  }
  return inputs;
}

namespace {

std::string harness_source(const GeneratedCode& code, const Graph& graph) {
  const std::string& n = code.name;
  std::string m = n;
  for (char& ch : m) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  std::ostringstream c;
  c << "/* Test harness generated by kiln verify: reads each input from a raw binary file, runs\n"
       " * the network twice with differently poisoned arenas, checks both runs agree and writes\n"
       " * each output to a raw binary file. Usage: harness IN0.bin ... OUT0.bin ... */\n"
       "#include <stdio.h>\n#include <string.h>\n\n#include \""
    << n << ".h\"\n\n";
  c << "static unsigned char arena_storage[" << m << "_ARENA_SIZE + " << m
    << "_ARENA_ALIGNMENT];\n";
  for (size_t k = 0; k < graph.inputs.size(); ++k)
    c << "static " << m << "_INPUT_" << k << "_TYPE in" << k << "[" << m << "_INPUT_" << k
      << "_SIZE + 1];\n";
  for (size_t k = 0; k < graph.outputs.size(); ++k) {
    c << "static " << m << "_OUTPUT_" << k << "_TYPE out" << k << "[" << m << "_OUTPUT_" << k
      << "_SIZE + 1];\n";
    c << "static " << m << "_OUTPUT_" << k << "_TYPE first" << k << "[" << m << "_OUTPUT_" << k
      << "_SIZE + 1];\n";
  }
  c << R"(
static int read_file(const char* path, void* data, size_t bytes) {
  FILE* f = fopen(path, "rb");
  size_t got;
  if (f == NULL) { fprintf(stderr, "cannot open %s\n", path); return 1; }
  got = fread(data, 1, bytes, f);
  fclose(f);
  if (got != bytes) { fprintf(stderr, "%s: short read\n", path); return 1; }
  return 0;
}

static int write_file(const char* path, const void* data, size_t bytes) {
  FILE* f = fopen(path, "wb");
  if (f == NULL) { fprintf(stderr, "cannot create %s\n", path); return 1; }
  if (fwrite(data, 1, bytes, f) != bytes) { fclose(f); return 1; }
  return fclose(f) != 0;
}

static int run(unsigned char* arena) {
  return )"
    << n << "_run_with_arena(arena";
  for (size_t k = 0; k < graph.inputs.size(); ++k) c << ", in" << k;
  for (size_t k = 0; k < graph.outputs.size(); ++k) c << ", out" << k;
  c << ");\n}\n\nint main(int argc, char** argv) {\n"
    << "  unsigned char* arena = arena_storage;\n"
    << "  int rc;\n"
    << "  while (((size_t)arena % " << m << "_ARENA_ALIGNMENT) != 0) ++arena;\n"
    << "  if (argc != " << 1 + graph.inputs.size() + graph.outputs.size() << ") {\n"
    << "    fprintf(stderr, \"expected " << graph.inputs.size() << " input and "
    << graph.outputs.size() << " output files\\n\");\n    return 2;\n  }\n";
  for (size_t k = 0; k < graph.inputs.size(); ++k)
    c << "  if (read_file(argv[" << 1 + k << "], in" << k << ", " << m << "_INPUT_" << k
      << "_BYTES)) return 3;\n";
  c << "  memset(arena, 0xA5, " << m << "_ARENA_SIZE);\n";
  for (size_t k = 0; k < graph.outputs.size(); ++k)
    c << "  memset(out" << k << ", 0xA5, sizeof out" << k << ");\n";
  c << "  rc = run(arena);\n  if (rc != 0) { fprintf(stderr, \"first run returned %d\\n\", rc); "
       "return 4; }\n";
  for (size_t k = 0; k < graph.outputs.size(); ++k)
    c << "  memcpy(first" << k << ", out" << k << ", sizeof out" << k << ");\n"
      << "  memset(out" << k << ", 0x5A, sizeof out" << k << ");\n";
  c << "  memset(arena, 0x5A, " << m << "_ARENA_SIZE);\n"
    << "  rc = run(arena);\n  if (rc != 0) { fprintf(stderr, \"second run returned %d\\n\", rc); "
       "return 4; }\n";
  for (size_t k = 0; k < graph.outputs.size(); ++k)
    c << "  if (memcmp(first" << k << ", out" << k << ", " << m << "_OUTPUT_" << k
      << "_BYTES) != 0) {\n    fprintf(stderr, \"output " << k
      << " depends on stale arena or output contents\\n\");\n    return 5;\n  }\n";
  for (size_t k = 0; k < graph.outputs.size(); ++k)
    c << "  if (write_file(argv[" << 1 + graph.inputs.size() + k << "], out" << k << ", " << m
      << "_OUTPUT_" << k << "_BYTES)) return 6;\n";
  c << "  return 0;\n}\n";
  return c.str();
}

std::string tail_lines(const std::string& text, size_t max_lines) {
  size_t pos = text.size();
  for (size_t lines = 0; pos > 0 && lines <= max_lines; --pos)
    if (text[pos - 1] == '\n') ++lines;
  return text.substr(pos);
}

fs::path make_temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "kiln-verify-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr)
    throw Error("cannot create a temporary directory under " + fs::temp_directory_path().string());
  return pattern;
}

// Removes the temporary work directory unless asked to keep it.
class WorkDir {
 public:
  WorkDir(const VerifyOptions& options) {
    if (options.work_dir.empty()) {
      path_ = make_temp_dir();
      remove_ = !options.keep_work_dir;
    } else {
      path_ = options.work_dir;
      std::error_code ec;
      fs::create_directories(path_, ec);
      if (ec) throw Error("cannot create " + path_.string() + ": " + ec.message());
    }
  }
  ~WorkDir() {
    if (remove_) {
      std::error_code ec;
      fs::remove_all(path_, ec);
    }
  }
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  bool remove_ = false;
};

// Loads the model; with options.freeze_shape_inputs, freezes each runtime input that kiln
// reports as needing a compile-time value to the test data's value and retries.
Graph load_for_verify(const std::string& model_path, LoadOptions& load,
                      const std::vector<TestDataSet>& data_sets,
                      const std::vector<std::string>& declared, bool freeze) {
  static const std::regex needs_constant("'([^']+)' must be a compile-time constant");
  for (size_t attempt = 0;; ++attempt) {
    try {
      return load_model(model_path, load);
    } catch (const UnsupportedError& e) {
      std::cmatch match;
      if (!freeze || data_sets.empty() || attempt > declared.size() ||
          !std::regex_search(e.what(), match, needs_constant))
        throw;
      const std::string name = match[1].str();
      auto it = std::find(declared.begin(), declared.end(), name);
      if (it == declared.end() || load.constant_inputs.count(name)) throw;
      const size_t k = static_cast<size_t>(it - declared.begin());
      for (const TestDataSet& set : data_sets)
        if (k >= set.inputs.size() || set.inputs[k].data != data_sets.front().inputs[k].data ||
            set.inputs[k].shape != data_sets.front().inputs[k].shape)
          throw;  // differs between data sets: it really is a runtime value
      Tensor value = data_sets.front().inputs[k];
      value.name = name;
      load.constant_inputs[name] = std::move(value);
    }
  }
}

}  // namespace

VerifyResult verify_model(const std::string& model_path, const VerifyOptions& options) {
  std::vector<TestDataSet> data_sets;
  if (!options.inputs_dir.empty()) data_sets = load_test_data(options.inputs_dir);

  CompileOptions compile_options = options.compile;
  // Test data files are input_<k>.pb for the k-th declared runtime input.
  std::vector<std::string> declared;
  if (!data_sets.empty()) declared = declared_runtime_inputs(model_path);
  Graph loaded = load_for_verify(model_path, compile_options.load, data_sets, declared,
                                 options.freeze_shape_inputs);
  if (!data_sets.empty()) {
    // Test data may fix dims the model leaves symbolic: load again with the data's shapes.
    bool reshaped = false;
    const std::vector<Tensor>& first = data_sets.front().inputs;
    for (size_t k = 0; k < first.size() && k < declared.size(); ++k) {
      const std::string& name = declared[k];
      if (compile_options.load.constant_inputs.count(name) || !loaded.find_tensor(name)) continue;
      if (loaded.tensor(name).shape != first[k].shape &&
          !compile_options.load.input_shapes.count(name)) {
        compile_options.load.input_shapes[name] = first[k].shape;
        reshaped = true;
      }
    }
    if (reshaped) loaded = load_model(model_path, compile_options.load);
  }
  if (options.count < 1 && data_sets.empty()) throw Error("verify: --count must be at least 1");

  Graph optimized = loaded;
  // QOperator ops (QLinearConv...) have no kernel of their own: the unoptimized reference runs
  // their QDQ expansion (dequantize, float op, quantize), i.e. the ONNX definition.
  expand_qoperators(loaded);
  optimize(optimized, compile_options.pipeline);

  WorkDir work(options);
  VerifyResult result;
  result.model = model_path;
  result.work_dir = work.path();
  const fs::path gen_dir = work.path() / "generated";
  CompileResult compiled =
      compile_graph(std::move(optimized), compile_options, gen_dir, model_path);
  const Graph& graph = compiled.graph;
  result.arena_bytes = compiled.plan.arena_bytes;
  result.arena_lower_bound = compiled.plan.lower_bound;

  // Build the harness with the host compiler.
  const fs::path harness_c = gen_dir / "kiln_verify_main.c";
  {
    std::ofstream out(harness_c);
    out << harness_source(compiled.code, graph);
    if (!out) throw Error("cannot write " + harness_c.string());
  }
  const fs::path harness = work.path() / "harness";
  std::vector<std::string> build = {options.cc,          "-std=c99", "-O2",
                                    "-ffp-contract=off", "-o",       harness.string(),
                                    harness_c.string()};
  for (const std::string& src : compiled.code.c_sources) build.push_back((gen_dir / src).string());
  build.push_back("-lm");
  const ProcessResult built = run_process(build);
  if (!built.ok())
    throw Error("verify: building the generated code failed (" + built.status_text() +
                "): " + command_line(build) + "\n" + tail_lines(built.output, 30));

  // Test cases: named by data set or by random seed.
  struct Case {
    std::string label;
    TensorMap inputs;
    std::vector<Tensor> expected;
  };
  std::vector<Case> cases;
  if (!data_sets.empty()) {
    for (TestDataSet& set : data_sets) {
      if (set.inputs.size() != declared.size())
        throw Error(set.label + ": has " + std::to_string(set.inputs.size()) +
                    " input files but the model has " + std::to_string(declared.size()) +
                    " runtime inputs");
      Case c{set.label, {}, std::move(set.expected_outputs)};
      for (size_t k = 0; k < declared.size(); ++k) {
        if (compile_options.load.constant_inputs.count(declared[k])) continue;  // frozen
        Tensor t = std::move(set.inputs[k]);
        t.name = declared[k];
        c.inputs[t.name] = std::move(t);
      }
      for (const std::string& name : graph.inputs)
        if (!c.inputs.count(name))
          throw Error(set.label + ": no data for input " + quote_name(name));
      if (!c.expected.empty() && c.expected.size() != graph.outputs.size())
        throw Error(set.label + ": has " + std::to_string(c.expected.size()) +
                    " output files but the model has " + std::to_string(graph.outputs.size()) +
                    " outputs");
      cases.push_back(std::move(c));
    }
  } else {
    for (int i = 0; i < options.count; ++i)
      cases.push_back({"random_" + std::to_string(i),
                       random_inputs(graph, options.seed + static_cast<uint64_t>(i)),
                       {}});
  }

  for (size_t ci = 0; ci < cases.size(); ++ci) {
    const Case& c = cases[ci];
    const fs::path case_dir = work.path() / ("case_" + std::to_string(ci));
    fs::create_directories(case_dir);
    std::vector<std::string> run = {harness.string()};
    for (size_t k = 0; k < graph.inputs.size(); ++k) {
      const fs::path p = case_dir / ("input_" + std::to_string(k) + ".bin");
      const auto it = c.inputs.find(graph.inputs[k]);
      const Tensor& expected_like = graph.tensor(graph.inputs[k]);
      if (it->second.dtype != expected_like.dtype || it->second.shape != expected_like.shape)
        throw Error(c.label + ": input " + std::to_string(k) + " is " +
                    std::string(dtype_name(it->second.dtype)) + " " +
                    shape_to_string(it->second.shape) + " but the model expects " +
                    std::string(dtype_name(expected_like.dtype)) + " " +
                    shape_to_string(expected_like.shape));
      write_raw(p, it->second);
      run.push_back(p.string());
    }
    for (size_t k = 0; k < graph.outputs.size(); ++k)
      run.push_back((case_dir / ("output_" + std::to_string(k) + ".bin")).string());
    const ProcessResult ran = run_process(run);
    if (!ran.ok())
      throw Error("verify: " + c.label + ": generated code failed (" + ran.status_text() +
                  "): " + tail_lines(ran.output, 10));

    const TensorMap interpreted = run_graph(graph, c.inputs);
    TensorMap reference;
    if (options.check_unoptimized) reference = run_graph(loaded, c.inputs);

    CaseResult case_result;
    case_result.label = c.label;
    for (size_t k = 0; k < graph.outputs.size(); ++k) {
      const std::string& name = graph.outputs[k];
      const Tensor generated = read_raw(run[1 + graph.inputs.size() + k], graph.tensor(name));
      OutputCheck check;
      check.name = name;
      Comparison vs_interp =
          compare_tensors(generated, interpreted.at(name), true, options.rtol, options.atol);
      vs_interp.against = "interpreter";
      check.comparisons.push_back(vs_interp);
      if (options.check_unoptimized) {
        auto it = reference.find(name);
        if (it == reference.end() && k < loaded.outputs.size())
          it = reference.find(loaded.outputs[k]);
        if (it != reference.end()) {
          // The float reading of a QDQ graph (dequantize, float op, quantize) and its integer
          // lowering round ties differently (the requantization strategies, ONNX Runtime's
          // zero point added before rounding): quantized outputs may differ by 1 LSB.
          const bool quantized_output = generated.dtype == DType::Int8 ||
                                        generated.dtype == DType::UInt8 ||
                                        generated.dtype == DType::Int16;
          const double atol = quantized_output ? std::max(options.atol, 1.0) : options.atol;
          Comparison vs_ref = compare_tensors(generated, it->second, false, options.rtol, atol);
          vs_ref.against = "unoptimized";
          check.comparisons.push_back(vs_ref);
        }
      }
      if (!c.expected.empty()) {
        Comparison vs_expected =
            compare_tensors(generated, c.expected[k], false, options.rtol, options.atol);
        vs_expected.against = "expected";
        check.comparisons.push_back(vs_expected);
        Comparison interp_expected =
            compare_tensors(interpreted.at(name), c.expected[k], false, options.rtol, options.atol);
        interp_expected.against = "expected";
        check.interpreter_vs_expected = interp_expected;
      }
      case_result.outputs.push_back(std::move(check));
    }
    result.cases.push_back(std::move(case_result));
  }
  return result;
}

std::string VerifyResult::summary() const {
  std::ostringstream s;
  s << "verify " << model << ": " << cases.size() << " case(s); arena " << arena_bytes
    << " bytes (lower bound " << arena_lower_bound << ")\n";
  s << "  generated C must match the interpreter bit-exactly; other comparisons use rtol/atol\n";
  auto describe = [](const Comparison& c) {
    std::string text = c.against + ": ";
    if (!c.problem.empty()) return text + "MISMATCH (" + c.problem + ")";
    if (c.bit_exact) {
      text += "bit-exact";
    } else {
      text += "max abs " + format_number(c.max_abs) + ", max rel " + format_number(c.max_rel);
    }
    if (!c.ok) text += " MISMATCH (" + std::to_string(c.mismatches) + " elements)";
    return text;
  };
  for (const CaseResult& c : cases) {
    for (const OutputCheck& o : c.outputs) {
      s << "  " << c.label << " output '" << o.name << "': C vs ";
      for (size_t i = 0; i < o.comparisons.size(); ++i)
        s << (i ? "; " : "") << describe(o.comparisons[i]);
      if (o.interpreter_vs_expected)
        s << "; interpreter vs " << describe(*o.interpreter_vs_expected);
      s << "\n";
    }
  }
  s << (passed() ? "PASS" : "FAIL") << "\n";
  return s.str();
}

}  // namespace kiln
