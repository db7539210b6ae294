#include "verify/verify.hpp"

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <optional>
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
    if (c.binding && !c.ok) return false;
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

namespace {

// Largest finite |value| of the tensor: the scale of Criterion::ScaledToOutput.
double largest_magnitude(const Tensor& t) {
  double largest = 0.0;
  for (int64_t i = 0; i < t.elements(); ++i) {
    const double v = std::fabs(element_as_double(t, i));
    if (std::isfinite(v)) largest = std::max(largest, v);
  }
  return largest;
}

}  // namespace

Comparison compare_tensors(const Tensor& actual, const Tensor& expected, Criterion criterion,
                           double rtol, double atol) {
  Comparison c;
  c.criterion = criterion;
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
  const double scale = criterion == Criterion::ScaledToOutput ? largest_magnitude(expected) : 0.0;
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
        close = diff <= atol + rtol * std::max(std::fabs(e), scale);
      }
    }
    const double rel = diff == 0.0 ? 0.0 : (e != 0.0 ? diff / std::fabs(e) : INFINITY);
    c.max_abs = std::max(c.max_abs, diff);
    c.max_rel = std::max(c.max_rel, rel);
    if (criterion == Criterion::BitExact ? !same_bits : !close) ++c.mismatches;
  }
  c.ok = c.mismatches == 0;
  return c;
}

Comparison compare_tensors(const Tensor& actual, const Tensor& expected, bool exact, double rtol,
                           double atol) {
  return compare_tensors(actual, expected, exact ? Criterion::BitExact : Criterion::ElementWise,
                         rtol, atol);
}

bool is_quantized_graph(const Graph& graph) {
  // DequantizeLinear of constant weights alone (int8-weight / float-activation models) leaves a
  // float model: only quantized runtime values make its arithmetic integer.
  for (const Node& node : graph.nodes) {
    if (node.op_type == "QuantizeLinear") return true;
    if (node.op_type == "DequantizeLinear" && !node.inputs.empty() &&
        !graph.tensor(node.inputs[0]).constant)
      return true;
  }
  for (const auto& [name, tensor] : graph.tensors)
    if (!tensor.constant && tensor.quant) return true;
  return false;
}

TensorMap random_inputs(const Graph& graph, uint64_t seed, bool quantized_full_range) {
  // splitmix64: tiny, portable and identical on every platform (std distributions are not).
  auto mix = [](uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  // The seed is mixed into the start (mix(0) == 0, so seed 0 keeps its stream): seed * step
  // alone made seed k + 1's stream seed k's shifted by one element.
  uint64_t state = 0x632BE59BD9B4E019ull + mix(seed * 0x9E3779B97F4A7C15ull);
  auto next = [&state, &mix] { return mix(state += 0x9E3779B97F4A7C15ull); };
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
      } else if (quantized_full_range && like.quant && dtype_size(t.dtype) <= 2) {
        // A quantized activation (int8, uint8, int16): any value of its type.
        std::memcpy(t.data.data() + i * dtype_size(t.dtype), &r, dtype_size(t.dtype));
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

// kiln's message for a runtime input that must be known at compile time (Reshape's shape, Pad's
// pads, quantization parameters...): "'<input>' must be a compile-time constant".
const std::regex& needs_constant_message() {
  static const std::regex pattern("'([^']+)' must be a compile-time constant");
  return pattern;
}

bool needs_compile_time_constant(const UnsupportedError& e) {
  return std::regex_search(e.what(), needs_constant_message());
}

// Loads the model; with options.freeze_shape_inputs, freezes each runtime input that kiln
// reports as needing a compile-time value to the test data's value and retries.
Graph load_for_verify(const std::string& model_path, LoadOptions& load,
                      const std::vector<TestDataSet>& data_sets,
                      const std::vector<std::string>& declared, bool freeze) {
  for (size_t attempt = 0;; ++attempt) {
    try {
      return load_model(model_path, load);
    } catch (const UnsupportedError& e) {
      std::cmatch match;
      if (!freeze || data_sets.empty() || attempt > declared.size() ||
          !std::regex_search(e.what(), match, needs_constant_message()))
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
  if (options.timeout_seconds < 1) throw Error("verify: the timeout must be at least 1 second");
  CompileOptions compile_options = options.compile;
  // The model first, as `kiln compile` loads it: a model kiln cannot read gets compile's error,
  // not one about its test data. Only an input that must be a compile-time constant may wait
  // for the data (freeze_shape_inputs).
  std::optional<Graph> loaded_first;
  try {
    loaded_first = load_model(model_path, compile_options.load);
  } catch (const UnsupportedError& e) {
    if (!options.freeze_shape_inputs || options.inputs_dir.empty() ||
        !needs_compile_time_constant(e))
      throw;
  }
  std::vector<TestDataSet> data_sets;
  if (!options.inputs_dir.empty()) data_sets = load_test_data(options.inputs_dir);

  // Test data files are input_<k>.pb for the k-th declared runtime input.
  std::vector<std::string> declared;
  if (!data_sets.empty()) declared = declared_runtime_inputs(model_path);
  Graph loaded = loaded_first ? std::move(*loaded_first)
                              : load_for_verify(model_path, compile_options.load, data_sets,
                                                declared, options.freeze_shape_inputs);
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
  result.rtol = options.rtol;
  result.atol = options.atol;
  result.quantized = is_quantized_graph(loaded);
  result.float_reading_binding = !result.quantized || options.require_float_reading;
  const std::chrono::milliseconds timeout(int64_t{options.timeout_seconds} * 1000);
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
  const ProcessResult built = run_process(build, timeout);
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
                       random_inputs(graph, options.seed + static_cast<uint64_t>(i), true),
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
    const ProcessResult ran = run_process(run, timeout);
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
      Comparison vs_interp = compare_tensors(generated, interpreted.at(name), Criterion::BitExact,
                                             options.rtol, options.atol);
      vs_interp.against = "interpreter";
      check.comparisons.push_back(vs_interp);
      if (options.check_unoptimized) {
        auto it = reference.find(name);
        if (it == reference.end() && k < loaded.outputs.size())
          it = reference.find(loaded.outputs[k]);
        if (it != reference.end()) {
          // Float models: reordered float arithmetic, noise relative to the output's magnitude.
          // Quantized models: the float reading of the graph, which rounds differently from its
          // integer lowering by design (information unless required).
          // Integer outputs (quantized, indices, masks) are compared element by element.
          const Criterion criterion = generated.dtype == DType::Float32 ? Criterion::ScaledToOutput
                                                                        : Criterion::ElementWise;
          Comparison vs_ref =
              compare_tensors(generated, it->second, criterion, options.rtol, options.atol);
          vs_ref.against = "unoptimized";
          vs_ref.binding = result.float_reading_binding;
          check.comparisons.push_back(vs_ref);
        }
      }
      if (!c.expected.empty()) {
        Comparison vs_expected = compare_tensors(generated, c.expected[k], Criterion::ElementWise,
                                                 options.rtol, options.atol);
        vs_expected.against = "expected";
        check.comparisons.push_back(vs_expected);
        Comparison interp_expected =
            compare_tensors(interpreted.at(name), c.expected[k], Criterion::ElementWise,
                            options.rtol, options.atol);
        interp_expected.against = "expected";
        check.interpreter_vs_expected = interp_expected;
      }
      case_result.outputs.push_back(std::move(check));
    }
    result.cases.push_back(std::move(case_result));
  }
  return result;
}

namespace {

// What a comparison compares and its criterion, for the verdict line.
std::string check_subject(const std::string& against, const VerifyResult& r) {
  if (against == "interpreter") return "generated C vs interpreter";
  if (against == "expected") return "generated C vs expected outputs";
  return std::string("generated C vs ") +
         (r.quantized ? "the float reading of the quantized graph" : "the unoptimized graph");
}

// Which criteria the comparisons of one kind used (they follow the outputs' types).
struct CriteriaUsed {
  bool element_wise = false;
  bool scaled = false;
};

std::string check_criterion(const std::string& against, const VerifyResult& r, CriteriaUsed used) {
  const std::string per_element =
      "rtol " + format_number(r.rtol) + " / atol " + format_number(r.atol);
  const std::string scaled =
      "atol " + format_number(r.atol) + " + rtol " + format_number(r.rtol) + " x max|output|";
  if (against == "interpreter") return "bit for bit";
  if (!used.scaled) return per_element;
  if (!used.element_wise) return scaled;
  return scaled + " (integer outputs: " + per_element + " per element)";
}

std::string check_description(const std::string& against, const VerifyResult& r,
                              CriteriaUsed used) {
  if (against == "interpreter") return "generated C == interpreter bit for bit";
  return check_subject(against, r) + " within " + check_criterion(against, r, used);
}

// Totals of one kind of comparison over all cases and outputs.
struct CheckTotals {
  std::string against;
  bool present = false;
  bool binding = true;
  int64_t mismatches = 0;
  int failed_cases = 0;
  double max_abs = 0.0;
  CriteriaUsed criteria;
  std::string first_failure;  // "test_data_set_0, output 'y'"
  std::string problem;        // shape/dtype mismatch text of the first failure
};

std::vector<CheckTotals> check_totals(const VerifyResult& r) {
  std::vector<CheckTotals> totals;
  for (const char* against : {"interpreter", "unoptimized", "expected"}) {
    CheckTotals t;
    t.against = against;
    for (const CaseResult& c : r.cases) {
      bool case_failed = false;
      for (const OutputCheck& o : c.outputs)
        for (const Comparison& cmp : o.comparisons) {
          if (cmp.against != against) continue;
          t.present = true;
          t.binding = cmp.binding;
          t.mismatches += cmp.mismatches;
          t.max_abs = std::max(t.max_abs, cmp.max_abs);
          (cmp.criterion == Criterion::ScaledToOutput ? t.criteria.scaled
                                                      : t.criteria.element_wise) = true;
          if (cmp.ok) continue;
          case_failed = true;
          if (t.first_failure.empty()) {
            t.first_failure = c.label + ", output '" + o.name + "'";
            t.problem = cmp.problem;
          }
        }
      if (case_failed) ++t.failed_cases;
    }
    if (t.present) totals.push_back(t);
  }
  return totals;
}

std::string failure_text(const CheckTotals& t, const VerifyResult& r) {
  std::string text = check_subject(t.against, r) + ": ";
  if (!t.problem.empty())
    text += t.problem;
  else
    text += std::to_string(t.mismatches) + (t.mismatches == 1 ? " element" : " elements") +
            " outside " + check_criterion(t.against, r, t.criteria) + ", max abs diff " +
            format_number(t.max_abs);
  return text + " (" + std::to_string(t.failed_cases) + " of " + std::to_string(r.cases.size()) +
         " cases; first: " + t.first_failure + ")";
}

}  // namespace

std::string VerifyResult::verdict() const {
  if (cases.empty()) return "FAIL: no test case ran";
  std::vector<std::string> failed, passed_checks;
  std::string information;
  for (const CheckTotals& t : check_totals(*this)) {
    if (!t.binding) {
      information = "float reading of the quantized graph not binding (information: max abs diff " +
                    format_number(t.max_abs) + ")";
      continue;
    }
    if (t.failed_cases > 0)
      failed.push_back(failure_text(t, *this));
    else
      passed_checks.push_back(check_description(t.against, *this, t.criteria));
  }
  std::string line = failed.empty() ? "PASS: " : "FAIL: ";
  const std::vector<std::string>& first = failed.empty() ? passed_checks : failed;
  for (size_t i = 0; i < first.size(); ++i) line += (i ? "; " : "") + first[i];
  line += " (" + std::to_string(cases.size()) + (cases.size() == 1 ? " case" : " cases") + ")";
  if (!failed.empty() && !passed_checks.empty()) {
    line += "; passed:";
    for (size_t i = 0; i < passed_checks.size(); ++i) line += (i ? "; " : " ") + passed_checks[i];
  }
  if (!information.empty()) line += "; " + information;
  return line;
}

std::string VerifyResult::summary() const {
  std::ostringstream s;
  s << "verify " << model << ": " << cases.size() << " case(s); arena " << arena_bytes
    << " bytes (lower bound " << arena_lower_bound << ")\n";
  s << "  " << (quantized ? "quantized model (integer semantics)" : "float model")
    << ": generated C must equal the interpreter bit for bit; expected outputs: rtol "
    << format_number(rtol) << " / atol " << format_number(atol) << " per element; "
    << (quantized ? "float reading of the quantized graph" : "unoptimized graph") << ": atol "
    << format_number(atol) << " + rtol " << format_number(rtol)
    << " x max|output| (integer outputs per element)"
    << (float_reading_binding ? "" : ", information only (--require-float-reading binds it)")
    << "\n";
  const std::string reference_name = quantized ? "float reading" : "unoptimized";
  auto describe = [&reference_name](const Comparison& c) {
    std::string text = (c.against == "unoptimized" ? reference_name : c.against) +
                       (c.binding ? "" : " (information)") + ": ";
    if (!c.problem.empty()) return text + "MISMATCH (" + c.problem + ")";
    if (c.bit_exact) {
      text += "bit-exact";
    } else {
      text += "max abs " + format_number(c.max_abs) + ", max rel " + format_number(c.max_rel);
    }
    if (!c.ok)
      text += std::string(c.binding ? " MISMATCH (" : " (") + std::to_string(c.mismatches) +
              " elements outside)";
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
  s << verdict() << "\n";
  return s.str();
}

}  // namespace kiln
