#include "realmodel_util.hpp"

#include <fcntl.h>
#include <onnx/onnx_pb.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <bit>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>

#include "frontend/load_model.hpp"
#include "interpreter/interpreter.hpp"
#include "ir/graph.hpp"
#include "passes/pipeline.hpp"
#include "verify/tensor_io.hpp"
#include "verify/verify.hpp"

// Raw float32 files and TensorProto raw_data are little-endian; the tests copy host floats.
static_assert(std::endian::native == std::endian::little, "real-model tests assume little-endian");

namespace kiln::realmodel {

fs::path source_dir() {
  return fs::path(KILN_SOURCE_DIR);
}
fs::path kiln_binary() {
  return fs::path(KILN_BINARY);
}
fs::path shared_dir() {
  return fs::path(KILN_SHARED_DIR);
}

bool running_in_ci() {
  const char* value = std::getenv("CI");
  return value != nullptr && std::string_view(value) == "true";
}

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

void write_file(const fs::path& path, const void* data, size_t size) {
  std::ofstream out(path, std::ios::binary);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::vector<float> read_floats(const fs::path& path, int64_t expected_count) {
  const std::string bytes = read_file(path);
  if (static_cast<int64_t>(bytes.size()) != expected_count * 4)
    throw std::runtime_error(path.string() + ": " + std::to_string(bytes.size()) +
                             " bytes, expected " + std::to_string(expected_count * 4));
  std::vector<float> values(static_cast<size_t>(expected_count));
  std::memcpy(values.data(), bytes.data(), bytes.size());
  return values;
}

std::optional<std::string> probe_ort() {
  const fs::path ort_dir = source_dir() / "tests" / "ort";
  const CommandResult probe = run_command({"node", "-e", "require('onnxruntime-node')"}, ort_dir);
  if (probe.exit_code == 0) return std::nullopt;
  if (probe.exit_code == 127) return "node is not installed";
  std::string first_line = probe.output.substr(0, probe.output.find('\n'));
  return "onnxruntime-node does not load in " + ort_dir.string() + ": " + first_line;
}

}  // namespace

std::optional<std::string> ort_unavailable_reason() {
  static const std::optional<std::string> reason = [] {
    if (!probe_ort()) return std::optional<std::string>{};
    // Same script as the README's test command; idempotent and serialized with flock.
    const CommandResult setup =
        run_command({"bash", (source_dir() / "scripts" / "setup_npm.sh").string()});
    std::cerr << setup.output;
    return probe_ort();
  }();
  return reason;
}

TempDir::TempDir(const std::string& prefix) {
  std::string pattern = (fs::temp_directory_path() / ("kiln-" + prefix + "-XXXXXX")).string();
  if (mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("mkdtemp failed for " + pattern + ": " + std::strerror(errno));
  path_ = pattern;
}

TempDir::~TempDir() {
  if (std::getenv("KILN_KEEP_TEST_DIRS") != nullptr) {
    std::cerr << "kept test directory " << path_ << "\n";
    return;
  }
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

CommandResult run_command(const std::vector<std::string>& argv, const fs::path& working_dir) {
  if (argv.empty()) throw std::invalid_argument("run_command: empty argv");
  std::array<int, 2> pipe_fds{};
  if (pipe(pipe_fds.data()) != 0) throw std::runtime_error("pipe failed");
  std::vector<char*> c_argv;
  for (const std::string& arg : argv) c_argv.push_back(const_cast<char*>(arg.c_str()));
  c_argv.push_back(nullptr);
  const std::string dir = working_dir.string();

  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    dup2(pipe_fds[1], STDOUT_FILENO);
    dup2(pipe_fds[1], STDERR_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    if (chdir(dir.c_str()) != 0) _exit(126);
    execvp(c_argv[0], c_argv.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  CommandResult result;
  std::array<char, 4096> buffer{};
  for (;;) {
    const ssize_t n = read(pipe_fds[0], buffer.data(), buffer.size());
    if (n > 0) {
      result.output.append(buffer.data(), static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(pipe_fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

ModelSignature read_model_signature(const fs::path& model_path) {
  onnx::ModelProto model;
  const std::string bytes = read_file(model_path);
  if (!model.ParseFromString(bytes))
    throw std::runtime_error("cannot parse " + model_path.string());
  std::set<std::string> initializers;
  for (const onnx::TensorProto& init : model.graph().initializer())
    initializers.insert(init.name());

  auto describe = [&](const onnx::ValueInfoProto& info) {
    if (info.type().tensor_type().elem_type() != onnx::TensorProto::FLOAT)
      throw std::runtime_error(model_path.string() + ": '" + info.name() + "' is not float32");
    FloatTensor tensor;
    tensor.name = info.name();
    for (const onnx::TensorShapeProto::Dimension& dim : info.type().tensor_type().shape().dim())
      tensor.shape.push_back(dim.has_dim_value() && dim.dim_value() > 0 ? dim.dim_value() : 1);
    return tensor;
  };
  ModelSignature signature;
  for (const onnx::ValueInfoProto& input : model.graph().input())
    if (!initializers.contains(input.name())) signature.inputs.push_back(describe(input));
  for (const onnx::ValueInfoProto& output : model.graph().output())
    signature.outputs.push_back(describe(output));
  return signature;
}

std::vector<float> uniform_floats(std::mt19937& generator, int64_t count, float low, float high) {
  std::vector<float> values(static_cast<size_t>(count));
  for (float& value : values) {
    // 24 random bits -> exactly representable fraction in [0, 1).
    const double unit = static_cast<double>(generator() >> 8) / static_cast<double>(1u << 24);
    value = static_cast<float>(low + (high - low) * unit);
  }
  return values;
}

std::vector<std::vector<FloatTensor>> run_onnx_runtime(
    const fs::path& model_path, const std::vector<std::vector<FloatTensor>>& samples,
    const fs::path& work_dir) {
  const fs::path input_root = work_dir / "ort_in";
  const fs::path output_root = work_dir / "ort_out";
  auto sample_name = [](size_t index) {
    std::string digits = std::to_string(index);
    return "sample_" + std::string(6 - std::min<size_t>(6, digits.size()), '0') + digits;
  };
  for (size_t s = 0; s < samples.size(); ++s) {
    const fs::path dir = input_root / sample_name(s);
    fs::create_directories(dir);
    for (size_t i = 0; i < samples[s].size(); ++i) {
      const FloatTensor& tensor = samples[s][i];
      const std::string stem = "input_" + std::to_string(i);
      write_file(dir / (stem + ".bin"), tensor.values.data(), tensor.values.size() * sizeof(float));
      const std::string sidecar =
          nlohmann::json{{"name", tensor.name}, {"shape", tensor.shape}}.dump();
      write_file(dir / (stem + ".json"), sidecar.data(), sidecar.size());
    }
  }
  const CommandResult ort =
      run_command({"node", (source_dir() / "tests" / "ort" / "run_ort.js").string(),
                   model_path.string(), input_root.string(), output_root.string()});
  if (ort.exit_code != 0) throw std::runtime_error("run_ort.js failed:\n" + ort.output);

  std::vector<std::vector<FloatTensor>> results(samples.size());
  for (size_t s = 0; s < samples.size(); ++s) {
    const fs::path dir = output_root / sample_name(s);
    for (int j = 0; fs::exists(dir / ("output_" + std::to_string(j) + ".json")); ++j) {
      const std::string stem = "output_" + std::to_string(j);
      const nlohmann::json sidecar = nlohmann::json::parse(read_file(dir / (stem + ".json")));
      FloatTensor tensor;
      tensor.name = sidecar.at("name").get<std::string>();
      tensor.shape = sidecar.at("shape").get<Shape>();
      tensor.values = read_floats(dir / (stem + ".bin"), shape_elements(tensor.shape));
      results[s].push_back(std::move(tensor));
    }
    if (results[s].empty())
      throw std::runtime_error("run_ort.js wrote no outputs in " + dir.string());
  }
  return results;
}

void write_test_data_set(const fs::path& dir, int index, const std::vector<FloatTensor>& inputs,
                         const std::vector<FloatTensor>& outputs) {
  const fs::path set_dir = dir / ("test_data_set_" + std::to_string(index));
  fs::create_directories(set_dir);
  auto write_proto = [&](const FloatTensor& tensor, const std::string& file) {
    onnx::TensorProto proto;
    proto.set_name(tensor.name);
    proto.set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t dim : tensor.shape) proto.add_dims(dim);
    proto.set_raw_data(tensor.values.data(), tensor.values.size() * sizeof(float));
    const std::string bytes = proto.SerializeAsString();
    write_file(set_dir / file, bytes.data(), bytes.size());
  };
  for (size_t i = 0; i < inputs.size(); ++i)
    write_proto(inputs[i], "input_" + std::to_string(i) + ".pb");
  for (size_t j = 0; j < outputs.size(); ++j)
    write_proto(outputs[j], "output_" + std::to_string(j) + ".pb");
}

struct KilnInterpreter::State {
  Graph graph;
};

KilnInterpreter::KilnInterpreter(const fs::path& model_path)
    : state_(std::make_unique<State>(State{load_model(model_path.string())})) {
  optimize(state_->graph);
}

KilnInterpreter::~KilnInterpreter() = default;

std::vector<FloatTensor> KilnInterpreter::run(const std::vector<FloatTensor>& inputs) const {
  TensorMap feeds;
  for (const FloatTensor& input : inputs) {
    Tensor tensor;
    tensor.name = input.name;
    tensor.dtype = DType::Float32;
    tensor.shape = input.shape;
    tensor.shape_known = true;
    tensor.data.resize(input.values.size() * sizeof(float));
    std::memcpy(tensor.data.data(), input.values.data(), tensor.data.size());
    feeds.emplace(input.name, std::move(tensor));
  }
  const TensorMap results = run_graph(state_->graph, feeds);
  std::vector<FloatTensor> outputs;
  for (const std::string& name : state_->graph.outputs) {
    const Tensor& tensor = results.at(name);
    if (tensor.dtype != DType::Float32)
      throw std::runtime_error("kiln output '" + name + "' is not float32");
    FloatTensor output;
    output.name = name;
    output.shape = tensor.shape;
    output.values.resize(static_cast<size_t>(tensor.elements()));
    std::memcpy(output.values.data(), tensor.data.data(), output.values.size() * sizeof(float));
    outputs.push_back(std::move(output));
  }
  return outputs;
}

VerifyOutcome verify_against_test_data(const fs::path& model_path, const fs::path& data_dir,
                                       double rtol, bool check_unoptimized) {
  VerifyOptions options;
  options.check_unoptimized = check_unoptimized;
  options.inputs_dir = data_dir;
  options.rtol = rtol;
  const VerifyResult result = verify_model(model_path.string(), options);
  VerifyOutcome outcome;
  outcome.passed = result.passed();
  outcome.cases = static_cast<int>(result.cases.size());
  for (const CaseResult& test_case : result.cases)
    for (const OutputCheck& output : test_case.outputs)
      for (const Comparison& comparison : output.comparisons)
        if (comparison.against == "expected") {
          outcome.max_abs_vs_expected = std::max(outcome.max_abs_vs_expected, comparison.max_abs);
          outcome.max_rel_vs_expected = std::max(outcome.max_rel_vs_expected, comparison.max_rel);
        }
  // The summary has a line per output per case: keep the header, the mismatching lines and the
  // verdict so a failure stays readable with thousands of cases.
  std::istringstream lines(result.summary());
  std::vector<std::string> all_lines;
  for (std::string line; std::getline(lines, line);) all_lines.push_back(line);
  int mismatches_shown = 0;
  for (size_t i = 0; i < all_lines.size(); ++i) {
    const bool mismatch = all_lines[i].find("MISMATCH") != std::string::npos;
    if (i < 3 || i + 1 == all_lines.size() || (mismatch && ++mismatches_shown <= 30))
      outcome.report += all_lines[i] + "\n";
  }
  outcome.report += "(" + std::to_string(outcome.cases) +
                    " cases; generated C vs expected: max abs " +
                    std::to_string(outcome.max_abs_vs_expected) + ", max rel " +
                    std::to_string(outcome.max_rel_vs_expected) + ")\n";
  return outcome;
}

double max_scaled_error(const FloatTensor& actual, const FloatTensor& expected) {
  if (actual.shape != expected.shape || actual.values.size() != expected.values.size())
    return std::numeric_limits<double>::infinity();
  double worst = 0.0;
  for (size_t i = 0; i < actual.values.size(); ++i) {
    const double error = scaled_error(actual.values[i], expected.values[i]);
    if (std::isnan(error)) return std::numeric_limits<double>::infinity();
    worst = std::max(worst, error);
  }
  return worst;
}

// ---- typed tensors and ONNX Runtime (int8 models; moved from mlperf_int8_test.cpp) ----

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// ONNX Runtime's name for a kiln dtype in run_ort.js sidecars.
std::string ort_dtype_name(DType dtype) {
  switch (dtype) {
    case DType::Float32: return "float32";
    case DType::Int8: return "int8";
    case DType::UInt8: return "uint8";
    case DType::Int16: return "int16";
    case DType::Int32: return "int32";
    default:
      throw std::runtime_error("run_ort.js does not exchange " + std::string(dtype_name(dtype)));
  }
}

DType dtype_from_ort_name(const std::string& name) {
  for (DType dtype : {DType::Float32, DType::Int8, DType::UInt8, DType::Int16, DType::Int32})
    if (ort_dtype_name(dtype) == name) return dtype;
  throw std::runtime_error("run_ort.js wrote unknown dtype '" + name + "'");
}

namespace {
std::string typed_sample_name(size_t index) {
  std::string digits = std::to_string(index);
  return "sample_" + std::string(6 - std::min<size_t>(6, digits.size()), '0') + digits;
}
}  // namespace

// Runs ONNX Runtime on typed tensors (run_ort.js's "dtype" sidecar field); outputs per sample.
std::vector<std::vector<Tensor>> run_ort_typed(const fs::path& model,
                                               const std::vector<std::vector<Tensor>>& samples,
                                               const fs::path& work_dir,
                                               const std::string& optimization) {
  const fs::path input_root = work_dir / "ort_in";
  const fs::path output_root = work_dir / ("ort_out_" + optimization);
  for (size_t s = 0; s < samples.size(); ++s) {
    const fs::path dir = input_root / typed_sample_name(s);
    fs::create_directories(dir);
    for (size_t i = 0; i < samples[s].size(); ++i) {
      const Tensor& tensor = samples[s][i];
      const std::string stem = "input_" + std::to_string(i);
      write_raw(dir / (stem + ".bin"), tensor);
      std::ofstream(dir / (stem + ".json")) << nlohmann::json{
          {"name", tensor.name},
          {"shape", tensor.shape},
          {"dtype", ort_dtype_name(tensor.dtype)}}.dump();
    }
  }
  const CommandResult ort = run_command(
      {"node", (source_dir() / "tests" / "ort" / "run_ort.js").string(), "--optimization",
       optimization, model.string(), input_root.string(), output_root.string()});
  if (ort.exit_code != 0) throw std::runtime_error("run_ort.js failed:\n" + ort.output);

  std::vector<std::vector<Tensor>> results(samples.size());
  for (size_t s = 0; s < samples.size(); ++s) {
    const fs::path dir = output_root / typed_sample_name(s);
    for (int j = 0; fs::exists(dir / ("output_" + std::to_string(j) + ".json")); ++j) {
      const std::string stem = "output_" + std::to_string(j);
      const nlohmann::json sidecar = nlohmann::json::parse(read_text(dir / (stem + ".json")));
      Tensor like;
      like.name = sidecar.at("name").get<std::string>();
      like.shape = sidecar.at("shape").get<Shape>();
      like.shape_known = true;
      like.dtype = dtype_from_ort_name(sidecar.value("dtype", std::string("float32")));
      Tensor tensor = read_raw(dir / (stem + ".bin"), like);
      tensor.name = like.name;
      results[s].push_back(std::move(tensor));
    }
    if (results[s].empty())
      throw std::runtime_error("run_ort.js wrote no outputs in " + dir.string());
  }
  return results;
}

// The model's runtime inputs as kiln sees them after loading (symbolic dims = 1).
std::vector<Tensor> input_templates(const Graph& graph) {
  std::vector<Tensor> templates;
  for (const std::string& name : graph.inputs) {
    const Tensor& value = graph.tensor(name);
    Tensor input;
    input.name = name;
    input.dtype = value.dtype;
    input.shape = value.shape;
    input.shape_known = true;
    templates.push_back(std::move(input));
  }
  return templates;
}

int64_t element_as_int(const Tensor& tensor, int64_t index) {
  switch (tensor.dtype) {
    case DType::Int8: return reinterpret_cast<const int8_t*>(tensor.data.data())[index];
    case DType::UInt8: return tensor.data[static_cast<size_t>(index)];
    case DType::Int16: {
      int16_t value;
      std::memcpy(&value, tensor.data.data() + 2 * index, 2);
      return value;
    }
    case DType::Int32: {
      int32_t value;
      std::memcpy(&value, tensor.data.data() + 4 * index, 4);
      return value;
    }
    default: throw std::runtime_error("not an integer tensor: " + tensor.name);
  }
}

}  // namespace kiln::realmodel
