#include "bench/bench.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "codegen/c_literals.hpp"
#include "codegen/kernel_select.hpp"
#include "frontend/load_model.hpp"
#include "interpreter/interpreter.hpp"
#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "quant/quantize.hpp"
#include "verify/evaluate.hpp"
#include "verify/process.hpp"
#include "verify/tensor_io.hpp"
#include "verify/verify.hpp"

namespace kiln {

namespace fs = std::filesystem;

bool BenchCase::bit_exact() const {
  return std::all_of(output_bit_exact.begin(), output_bit_exact.end(), [](bool b) { return b; });
}

uint64_t BenchResult::other_ram_bytes() const {
  const uint64_t data_bss = sections.data + sections.bss;
  const uint64_t arena = static_cast<uint64_t>(arena_bytes);
  return data_bss > arena ? data_bss - arena : 0;
}

std::optional<BenchResult::InstructionStats> BenchResult::instruction_stats() const {
  if (!instructions_measured) return std::nullopt;
  std::vector<uint64_t> counts;
  for (const BenchCase& c : cases)
    if (!c.instructions.empty()) counts.push_back(c.instructions.front());
  if (counts.empty()) return std::nullopt;
  std::sort(counts.begin(), counts.end());
  return InstructionStats{counts.front(), counts[(counts.size() - 1) / 2], counts.back(),
                          counts.size()};
}

std::optional<uint64_t> BenchResult::instructions() const {
  const std::optional<InstructionStats> stats = instruction_stats();
  if (!stats) return std::nullopt;
  return stats->median;
}

bool BenchResult::deterministic() const {
  for (const BenchCase& c : cases)
    for (uint64_t n : c.instructions)
      if (n != c.instructions.front()) return false;
  return true;
}

bool BenchResult::bit_exact() const {
  if (cases.empty()) return false;
  return std::all_of(cases.begin(), cases.end(), [](const BenchCase& c) { return c.bit_exact(); });
}

namespace {

class WorkDir {
 public:
  explicit WorkDir(const BenchOptions& options) {
    if (options.work_dir.empty()) {
      std::string pattern = (fs::temp_directory_path() / "kiln-bench-XXXXXX").string();
      if (mkdtemp(pattern.data()) == nullptr)
        throw Error("bench: cannot create a temporary directory: " + std::string(strerror(errno)));
      path_ = pattern;
      remove_ = !options.keep_work_dir;
    } else {
      path_ = options.work_dir;
      std::error_code ec;
      fs::create_directories(path_, ec);
      if (ec) throw Error("bench: cannot create " + path_.string() + ": " + ec.message());
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

void write_text(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw Error("bench: cannot write " + path.string());
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string last_lines(const std::string& text, size_t count) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  const size_t first = lines.size() > count ? lines.size() - count : 0;
  std::string out;
  for (size_t i = first; i < lines.size(); ++i) out += (out.empty() ? "" : "\n") + lines[i];
  return out;
}

// A missing cross compiler or emulator should say so, not surface as "exit code 127" later.
void require_program(const std::string& program, const std::string& role, const Target& target) {
  if (program.find('/') != std::string::npos) {
    if (access(program.c_str(), X_OK) == 0) return;
  } else if (const char* path = std::getenv("PATH")) {
    std::istringstream dirs(path);
    for (std::string dir; std::getline(dirs, dir, ':');)
      if (!dir.empty() && access((fs::path(dir) / program).c_str(), X_OK) == 0) return;
  }
  throw Error("bench: " + quote_name(program) + " (" + role + " of target " +
              quote_name(target.name) +
              ") is not installed or not in PATH; scripts/install_deps.sh installs it");
}

std::string hex(uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

struct BenchCaseInputs {
  std::string label;
  TensorMap inputs;
};

std::vector<BenchCaseInputs> bench_inputs(const std::string& model_path, const Graph& graph,
                                          const BenchOptions& options) {
  std::vector<BenchCaseInputs> cases;
  if (options.inputs_dir.empty()) {
    cases.push_back({"random_" + std::to_string(options.seed), random_inputs(graph, options.seed)});
    return cases;
  }
  // Test data files are input_<k>.pb for the k-th declared runtime input.
  const std::vector<std::string> declared = declared_runtime_inputs(model_path);
  for (TestDataSet& set : load_test_data(options.inputs_dir)) {
    if (set.inputs.size() != declared.size())
      throw Error("bench: " + set.label + " has " + std::to_string(set.inputs.size()) +
                  " input files but the model has " + std::to_string(declared.size()) +
                  " runtime inputs");
    BenchCaseInputs c{set.label, {}};
    for (size_t k = 0; k < declared.size(); ++k) {
      Tensor t = std::move(set.inputs[k]);
      t.name = declared[k];
      c.inputs[t.name] = std::move(t);
    }
    for (const std::string& name : graph.inputs) {
      const auto it = c.inputs.find(name);
      if (it == c.inputs.end())
        throw Error("bench: " + set.label + ": no data for input " + quote_name(name));
      const Tensor& like = graph.tensor(name);
      // A quantized model with integer inputs gets the float test data quantized with the
      // input's own scale and zero point, as an application would feed it.
      if (it->second.dtype == DType::Float32 && like.dtype != DType::Float32 && like.quant &&
          it->second.shape == like.shape) {
        Tensor quantized = model_input_from_sample(like, it->second);
        quantized.name = name;
        it->second = std::move(quantized);
      }
      if (it->second.dtype != like.dtype || it->second.shape != like.shape)
        throw Error("bench: " + set.label + ": input " + quote_name(name) + " is " +
                    std::string(dtype_name(it->second.dtype)) +
                    " with a different type or shape than the model's " +
                    std::string(dtype_name(like.dtype)) + " input");
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

// The firmware's main.c. Everything model-specific comes from the generated header's macros and
// the graph's input/output lists, so int8 and float models get the same harness.
std::string harness_source(const GeneratedCode& code, const Graph& graph,
                           const std::vector<BenchCaseInputs>& cases, int runs) {
  const std::string& name = code.name;
  const std::string macro = codegen::c_macro_prefix(name);
  std::ostringstream c;
  c << "/* kiln bench harness: runs " << name << "_run() on embedded inputs, prints the outputs\n"
    << " * in hexadecimal and the stack high-water mark over semihosting, and calls "
       "kiln_rt_mark()\n"
    << " * around each measured inference for the instruction-counting emulator plugin. */\n"
    << "#include <stdint.h>\n\n#include \"kiln_rt.h\"\n#include \"" << name << ".h\"\n\n";
  bool needs_math_h = false;
  std::ostringstream data;
  for (size_t ci = 0; ci < cases.size(); ++ci) {
    for (size_t k = 0; k < graph.inputs.size(); ++k) {
      const Tensor& t = cases[ci].inputs.at(graph.inputs[k]);
      const int64_t n = t.elements();
      data << "static const " << macro << "_INPUT_" << k << "_TYPE case" << ci << "_input" << k
           << "[" << std::max<int64_t>(n, 1) << "] = {";
      for (int64_t i = 0; i < n; ++i)
        data << (i % 8 == 0 ? "\n  " : " ")
             << codegen::c_element(t.dtype, t.data.data(), i, &needs_math_h) << ",";
      if (n == 0) data << "0";
      data << "\n};\n";
    }
  }
  if (needs_math_h) c << "#include <math.h>\n\n";
  c << data.str() << "\n";
  for (size_t k = 0; k < graph.outputs.size(); ++k)
    c << "static " << macro << "_OUTPUT_" << k << "_TYPE output" << k << "[" << macro << "_OUTPUT_"
      << k << "_SIZE + 1];\n";
  c << R"(
static void put_hex(const void* data, uint32_t bytes) {
  static const char digits[] = "0123456789abcdef";
  const unsigned char* p = (const unsigned char*)data;
  char line[129];
  uint32_t i = 0;
  while (i < bytes) {
    uint32_t n = 0;
    while (i < bytes && n < 128u) {
      line[n++] = digits[p[i] >> 4];
      line[n++] = digits[p[i] & 15u];
      ++i;
    }
    line[n] = '\0';
    kiln_rt_write(line);
  }
}

static void put_u32(uint32_t value) {
  char text[11];
  int n = 10;
  text[n] = '\0';
  do {
    text[--n] = (char)('0' + value % 10u);
    value /= 10u;
  } while (value != 0u && n > 0);
  kiln_rt_write(text + n);
}

)";
  auto call = [&](size_t ci) {
    std::string s = name + "_run(";
    for (size_t k = 0; k < graph.inputs.size(); ++k)
      s += "case" + std::to_string(ci) + "_input" + std::to_string(k) + ", ";
    for (size_t k = 0; k < graph.outputs.size(); ++k)
      s += "output" + std::to_string(k) + (k + 1 < graph.outputs.size() ? ", " : "");
    return s + ")";
  };
  c << "int main(void) {\n  int rc;\n  int run;\n  (void)run;\n"
    << "  kiln_rt_write(\"KILN_BEGIN\\n\");\n"
    << "  /* Warm-up inference (not measured). */\n"
    << "  rc = " << call(0) << ";\n"
    << "  if (rc != 0) {\n    kiln_rt_write(\"KILN_ERROR run returned non-zero\\n\");\n"
    << "    return 2;\n  }\n"
    << "  /* Calibration: two marks back to back measure the cost of a mark itself. */\n"
    << "  kiln_rt_mark();\n  kiln_rt_mark();\n";
  for (size_t ci = 0; ci < cases.size(); ++ci) {
    c << "  for (run = 0; run < " << runs << "; ++run) {\n"
      << "    kiln_rt_mark();\n    rc = " << call(ci) << ";\n    kiln_rt_mark();\n"
      << "    if (rc != 0) return 2;\n  }\n";
    for (size_t k = 0; k < graph.outputs.size(); ++k)
      c << "  kiln_rt_write(\"KILN_OUT " << ci << " " << k << " \");\n"
        << "  put_hex(output" << k << ", (uint32_t)" << macro << "_OUTPUT_" << k << "_BYTES);\n"
        << "  kiln_rt_write(\"\\n\");\n";
  }
  c << "  kiln_rt_write(\"KILN_STACK \");\n  put_u32(kiln_rt_stack_high_water());\n"
    << "  kiln_rt_write(\"\\nKILN_END\\n\");\n  return 0;\n}\n";
  return c.str();
}

std::string fill_linker_script(std::string_view templ, const Target& target) {
  std::string text(templ);
  const std::map<std::string, std::string> values = {
      {"@FLASH_ORIGIN@", hex(target.flash->origin)},
      {"@FLASH_LENGTH@", hex(target.flash->size)},
      {"@RAM_ORIGIN@", hex(target.ram->origin)},
      {"@RAM_LENGTH@", hex(target.ram->size)},
      {"@STACK_BYTES@", std::to_string(target.stack_bytes)}};
  for (const auto& [key, value] : values)
    for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at))
      text.replace(at, key.size(), value);
  return text;
}

BenchSections parse_sections(const std::string& size_output, const std::string& command) {
  // `size -A`: one "name size address" line per section.
  BenchSections s;
  bool any = false;
  std::istringstream in(size_output);
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string name;
    unsigned long long bytes = 0, address = 0;
    if (!(fields >> name >> bytes >> address) || name.empty() || name[0] != '.') continue;
    any = true;
    if (name == ".text" || name == ".vectors")
      s.text += bytes;
    else if (name == ".rodata" || name == ".ARM.exidx" || name == ".srodata")
      s.rodata += bytes;
    else if (name == ".data" || name == ".sdata")
      s.data += bytes;
    else if (name == ".bss" || name == ".sbss")
      s.bss += bytes;
    else if (name == ".stack")
      s.stack += bytes;
  }
  if (!any) throw Error("bench: cannot read section sizes from `" + command + "`");
  return s;
}

// `nm` line "0000011d T kiln_rt_mark" -> the address of the function's first instruction. Bit 0
// is cleared: Arm marks Thumb functions with it, and no target has instructions at odd addresses.
uint64_t mark_address(const std::string& nm_output) {
  static const std::regex pattern(R"(^([0-9a-fA-F]+) [Tt] kiln_rt_mark$)");
  std::istringstream in(nm_output);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_match(line, m, pattern)) return std::stoull(m[1].str(), nullptr, 16) & ~1ull;
  }
  throw Error("bench: the firmware has no kiln_rt_mark symbol");
}

[[noreturn]] void throw_overflow(const std::string& output, const std::string& model_path,
                                 const Target& target, const CompileResult& compiled) {
  static const std::regex pattern(R"(region [`']?(\w+)'? overflowed by (\d+) bytes)");
  std::string message;
  for (auto it = std::sregex_iterator(output.begin(), output.end(), pattern);
       it != std::sregex_iterator(); ++it) {
    const std::string region = (*it)[1].str();
    if (message.find(region + " overflowed") != std::string::npos) continue;
    const TargetMemoryRegion& r = region == "FLASH" ? *target.flash : *target.ram;
    message += std::string(message.empty() ? "" : "; ") + region + " overflowed by " +
               (*it)[2].str() + " bytes (" + region + " is " + std::to_string(r.size) +
               " bytes at " + hex(r.origin) + ")";
  }
  throw Error("bench: " + model_path + " does not fit target " + quote_name(target.name) + ": " +
              message + "; needs arena " + std::to_string(compiled.plan.arena_bytes) + " + stack " +
              std::to_string(target.stack_bytes) + " bytes of RAM and weights " +
              std::to_string(compiled.plan.weight_bytes) + " bytes of flash");
}

Tensor decode_output(const std::string& hex_text, const Tensor& like, const std::string& what) {
  Tensor t = like;
  t.constant = false;
  if (hex_text.size() != static_cast<size_t>(like.bytes()) * 2)
    throw Error("bench: " + what + ": expected " + std::to_string(like.bytes()) +
                " bytes from the firmware, got " + std::to_string(hex_text.size() / 2));
  t.data.assign(static_cast<size_t>(like.bytes()), 0);
  for (size_t i = 0; i < t.data.size(); ++i)
    t.data[i] = static_cast<uint8_t>(std::stoul(hex_text.substr(2 * i, 2), nullptr, 16));
  return t;
}

std::optional<int64_t> top1(const Tensor& t) {
  const int64_t n = t.elements();
  if (n < 2) return std::nullopt;
  int64_t best = 0;
  double best_value = 0;
  for (int64_t i = 0; i < n; ++i) {
    double v = 0;
    const uint8_t* p = t.data.data() + i * static_cast<int64_t>(dtype_size(t.dtype));
    switch (t.dtype) {
      case DType::Float32: {
        float f;
        std::memcpy(&f, p, 4);
        v = f;
        break;
      }
      case DType::Int8: v = static_cast<int8_t>(*p); break;
      case DType::UInt8:
      case DType::Bool: v = *p; break;
      case DType::Int16: {
        int16_t x;
        std::memcpy(&x, p, 2);
        v = x;
        break;
      }
      case DType::Int32: {
        int32_t x;
        std::memcpy(&x, p, 4);
        v = x;
        break;
      }
      case DType::Int64: {
        int64_t x;
        std::memcpy(&x, p, 8);
        v = static_cast<double>(x);
        break;
      }
    }
    if (i == 0 || v > best_value) {
      best = i;
      best_value = v;
    }
  }
  return best;
}

}  // namespace

BenchResult run_bench(const std::string& model_path, const Target& target,
                      const BenchOptions& options) {
  if (options.runs < 1) throw Error("bench: --runs must be at least 1");
  if (options.timeout_seconds < 1) throw Error("bench: --timeout must be at least 1 second");
  require_program(target.toolchain.cc, "the C compiler", target);
  require_program(target.toolchain.size, "the size tool", target);
  if (target.emulator) {
    require_program(target.toolchain.nm, "the symbol lister", target);
    require_program(target.emulator->binary, "the emulator", target);
    require_program("cc", "the host C compiler, for the QEMU plugin", target);
  }
  WorkDir work(options);
  const fs::path gen_dir = work.path() / "generated";
  const fs::path rt_dir = work.path() / "runtime";
  fs::create_directories(rt_dir);

  CompileOptions compile_options = options.compile;
  compile_options.kernels = options.kernels.empty() ? target.kernels : options.kernels;
  check_kernel_set(compile_options.kernels, "bench: kernels");
  CompileResult compiled;
  if (options.quantize.enabled) {
    // load -> optimize -> quantize -> compile, as `kiln compile --quantize` does.
    Graph graph = load_model(model_path, compile_options.load);
    optimize(graph, compile_options.pipeline);
    const QuantizeReport report = quantize_graph(graph, options.quantize);
    compile_options.report_sections["quantization"] = report.to_json();
    compiled = compile_graph(std::move(graph), compile_options, gen_dir, model_path);
  } else {
    compiled = compile_model(model_path, compile_options, gen_dir);
  }
  const Graph& graph = compiled.graph;
  const std::vector<BenchCaseInputs> cases = bench_inputs(model_path, graph, options);

  BenchResult result;
  result.model = model_path;
  result.target = target.name;
  result.board = target.emulator ? target.emulator->machine : "";
  result.optimize = options.optimize;
  result.kernels = compile_options.kernels;
  if (options.quantize.enabled)
    result.quantization = dtype_name(options.quantize.defaults.activations);
  result.macs = compiled.total_macs;
  result.arena_bytes = compiled.plan.arena_bytes;
  result.arena_lower_bound = compiled.plan.lower_bound;
  result.arena_lower_bound_before = compiled.plan.lower_bound_before;
  result.weight_bytes = compiled.plan.weight_bytes;
  result.work_dir = work.path();
  for (const BenchCaseInputs& c : cases)
    for (const auto& [name, tensor] : c.inputs) result.input_bytes += tensor.bytes();

  // --- sources: generated code, harness, runtime, linker script -------------------------------
  const fs::path main_c = work.path() / "kiln_bench_main.c";
  write_text(main_c, harness_source(compiled.code, graph, cases, options.runs));
  std::vector<std::string> sources = {main_c.string()};
  for (const std::string& src : compiled.code.c_sources)
    sources.push_back((gen_dir / src).string());
  for (const std::string& file : target.runtime) {
    write_text(rt_dir / file, target_runtime_file(file));
    const std::string ext = fs::path(file).extension().string();
    if (ext == ".c" || ext == ".S") sources.push_back((rt_dir / file).string());
  }

  // --- build ----------------------------------------------------------------------------------
  const fs::path firmware = work.path() / "firmware.elf";
  std::vector<std::string> build = {target.toolchain.cc};
  build.insert(build.end(), target.toolchain.cflags.begin(), target.toolchain.cflags.end());
  build.insert(build.end(), {options.optimize, "-std=c99", "-ffp-contract=off",
                             "-I" + gen_dir.string(), "-I" + rt_dir.string()});
  if (!target.linker_script.empty()) {
    const fs::path script = work.path() / "firmware.ld";
    write_text(script, fill_linker_script(target_runtime_file(target.linker_script), target));
    build.push_back("-T" + script.string());
  }
  build.insert(build.end(), target.toolchain.ldflags.begin(), target.toolchain.ldflags.end());
  build.insert(build.end(), sources.begin(), sources.end());
  build.insert(build.end(), target.toolchain.libs.begin(), target.toolchain.libs.end());
  build.insert(build.end(), {"-o", firmware.string()});
  const ProcessResult built = run_process(build, std::chrono::minutes(5));
  if (!built.ok()) {
    if (built.output.find("overflowed by") != std::string::npos)
      throw_overflow(built.output, model_path, target, compiled);
    throw Error("bench: building the firmware for " + quote_name(target.name) + " failed (" +
                built.status_text() + "): " + command_line(build) + "\n" +
                last_lines(built.output, 20));
  }

  // --- sizes -----------------------------------------------------------------------------------
  const std::vector<std::string> size_cmd = {target.toolchain.size, "-A", firmware.string()};
  const ProcessResult sized = run_process(size_cmd, std::chrono::seconds(60));
  if (!sized.ok())
    throw Error("bench: `" + command_line(size_cmd) + "` failed (" + sized.status_text() + ")");
  result.sections = parse_sections(sized.output, command_line(size_cmd));

  // --- run ---------------------------------------------------------------------------------------
  std::vector<std::string> run;
  const fs::path marks_file = work.path() / "marks.txt";
  if (target.emulator) {
    const fs::path plugin_c = work.path() / "qemu_insn_count_plugin.c";
    const fs::path plugin = work.path() / "qemu_insn_count_plugin.so";
    write_text(plugin_c, target_runtime_file("qemu_insn_count_plugin.c"));
    const std::vector<std::string> plugin_build = {
        "cc", "-shared",       "-fPIC",          "-O2", "-fvisibility=hidden",
        "-o", plugin.string(), plugin_c.string()};
    const ProcessResult plugin_built = run_process(plugin_build, std::chrono::minutes(2));
    if (!plugin_built.ok())
      throw Error("bench: building the QEMU instruction-count plugin failed: " +
                  command_line(plugin_build) + "\n" + last_lines(plugin_built.output, 10));
    const std::vector<std::string> nm_cmd = {target.toolchain.nm, firmware.string()};
    const ProcessResult symbols = run_process(nm_cmd, std::chrono::seconds(60));
    if (!symbols.ok()) throw Error("bench: `" + command_line(nm_cmd) + "` failed");
    const TargetEmulator& emu = *target.emulator;
    run = {emu.binary, "-M", emu.machine, "-cpu", emu.cpu};
    run.insert(run.end(), emu.args.begin(), emu.args.end());
    run.insert(run.end(), {"-nographic", "-monitor", "none", "-serial", "none",
                           "-semihosting-config", "enable=on,target=native", "-plugin",
                           plugin.string() + ",mark=" + hex(mark_address(symbols.output)) +
                               ",out=" + marks_file.string(),
                           "-kernel", firmware.string()});
  } else {
    run = {firmware.string()};
  }
  const ProcessResult ran = run_process(run, std::chrono::seconds(options.timeout_seconds));
  if (ran.timed_out)
    throw Error("bench: " + (target.emulator ? target.emulator->binary : firmware.string()) +
                " did not finish within " + std::to_string(options.timeout_seconds) +
                " s and was killed (raise --timeout for big models): " + command_line(run));
  if (ran.exit_code == -1 && ran.signal == 0)
    throw Error("bench: cannot run `" + run.front() +
                "` (is it installed? see scripts/install_deps.sh)");
  if (!ran.ok() || ran.output.find("KILN_END") == std::string::npos)
    throw Error("bench: the firmware failed on " + quote_name(target.name) + " (" +
                ran.status_text() + "): " + last_lines(ran.output, 5));

  // --- parse ------------------------------------------------------------------------------------
  std::map<std::pair<size_t, size_t>, std::string> hex_outputs;
  {
    std::istringstream in(ran.output);
    for (std::string line; std::getline(in, line);) {
      std::istringstream fields(line);
      std::string tag;
      fields >> tag;
      if (tag == "KILN_OUT") {
        size_t ci = 0, k = 0;
        std::string text;
        fields >> ci >> k >> text;
        hex_outputs[{ci, k}] = text;
      } else if (tag == "KILN_STACK" && target.emulator) {
        uint64_t bytes = 0;
        fields >> bytes;
        result.stack_high_water = bytes;
      }
    }
  }
  std::vector<uint64_t> marks;
  if (target.emulator) {
    std::istringstream in(read_text(marks_file));
    for (uint64_t v; in >> v;) marks.push_back(v);
    const size_t expected = 2 + 2 * cases.size() * static_cast<size_t>(options.runs);
    if (marks.size() != expected)
      throw Error("bench: the instruction-count plugin recorded " + std::to_string(marks.size()) +
                  " marks, expected " + std::to_string(expected));
    result.instructions_measured = true;
  }
  const uint64_t mark_cost = marks.empty() ? 0 : marks[1] - marks[0];

  for (size_t ci = 0; ci < cases.size(); ++ci) {
    BenchCase bc;
    bc.label = cases[ci].label;
    const TensorMap expected = run_graph(graph, cases[ci].inputs);
    for (size_t k = 0; k < graph.outputs.size(); ++k) {
      const std::string& out_name = graph.outputs[k];
      const auto it = hex_outputs.find({ci, k});
      if (it == hex_outputs.end())
        throw Error("bench: the firmware printed no output " + std::to_string(k) + " for " +
                    bc.label);
      Tensor actual = decode_output(it->second, graph.tensor(out_name),
                                    bc.label + " output " + quote_name(out_name));
      actual.name = out_name;
      const Comparison cmp = compare_tensors(actual, expected.at(out_name), true, 0.0, 0.0);
      bc.output_bit_exact.push_back(cmp.ok && cmp.bit_exact);
      const Comparison differences =
          compare_tensors(actual, expected.at(out_name), false, 0.0, 0.0);
      bc.mismatches.push_back(differences.mismatches);
      bc.max_abs_diff.push_back(differences.max_abs);
      bc.outputs.push_back(std::move(actual));
    }
    if (!bc.outputs.empty()) bc.top1 = top1(bc.outputs.front());
    for (int r = 0; r < options.runs && !marks.empty(); ++r) {
      const size_t at = 2 + 2 * (ci * static_cast<size_t>(options.runs) + static_cast<size_t>(r));
      bc.instructions.push_back(marks[at + 1] - marks[at] - mark_cost);
    }
    result.cases.push_back(std::move(bc));
  }
  return result;
}

namespace {

std::string with_commas(uint64_t v) {
  const std::string digits = std::to_string(v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// "median of 3 input sets: min 9,301,808, max 9,301,994" or "1 input set".
std::string instruction_spread(const BenchResult::InstructionStats& stats) {
  if (stats.input_sets == 1) return "1 input set";
  return "median of " + std::to_string(stats.input_sets) + " input sets" +
         (stats.input_sets % 2 == 0 ? " (lower middle)" : "") + "; min " + with_commas(stats.min) +
         ", max " + with_commas(stats.max);
}

}  // namespace

std::string BenchResult::table() const {
  std::ostringstream out;
  out << "kiln bench " << model << " on " << target
      << (board.empty() ? "" : " (QEMU " + board + ")") << ", " << optimize
      << (quantization.empty() ? std::string() : ", " + quantization)
      << (kernels.empty() ? std::string() : ", " + kernels + " kernels") << "\n";
  auto row = [&out](const std::string& label, const std::string& value) {
    out << "  " << label << std::string(label.size() < 22 ? 22 - label.size() : 1, ' ') << value
        << "\n";
  };
  const std::optional<uint64_t> n = instructions();
  row("instructions/inference", n ? with_commas(*n) + " (" +
                                        instruction_spread(*instruction_stats()) + ")" +
                                        (deterministic() ? "" : " (NOT deterministic across runs)")
                                  : "not measured (no emulator)");
  if (n && *n > 0 && macs > 0) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3f", static_cast<double>(macs) / static_cast<double>(*n));
    row("MACs/instruction",
        std::string(text) + " (" + with_commas(static_cast<uint64_t>(macs)) + " MACs)");
  }
  row("flash", with_commas(flash_bytes()) + " bytes (text " + with_commas(sections.text) +
                   ", rodata " + with_commas(sections.rodata) + ", data " +
                   with_commas(sections.data) + "; rodata includes " +
                   with_commas(static_cast<uint64_t>(input_bytes)) +
                   " bytes of embedded test inputs)");
  row("RAM: arena", with_commas(static_cast<uint64_t>(arena_bytes)) +
                        " bytes (liveness lower bound " +
                        with_commas(static_cast<uint64_t>(arena_lower_bound)) +
                        "; before scheduling and in-place " +
                        with_commas(static_cast<uint64_t>(arena_lower_bound_before)) + ")");
  row("RAM: other data+bss", with_commas(other_ram_bytes()) + " bytes");
  row("RAM: stack", stack_high_water
                        ? with_commas(*stack_high_water) + " bytes used (high-water) of " +
                              with_commas(sections.stack) + " reserved"
                        : std::string("not measured on the host"));
  for (const BenchCase& c : cases) {
    std::string text = "bit-exact vs interpreter";
    if (!c.bit_exact()) {
      int64_t count = 0;
      double worst = 0;
      for (size_t k = 0; k < c.mismatches.size(); ++k) {
        count += c.mismatches[k];
        worst = std::max(worst, c.max_abs_diff[k]);
      }
      char detail[96];
      std::snprintf(detail, sizeof detail, " (%lld elements differ, max abs diff %.3g)",
                    static_cast<long long>(count), worst);
      text = "MISMATCH vs interpreter" + std::string(detail);
    }
    if (c.top1) text += ", top-1 index " + std::to_string(*c.top1);
    if (!c.instructions.empty())
      text += ", " + with_commas(c.instructions.front()) + " instructions";
    row(c.label, text);
  }
  row("result", bit_exact() ? "outputs equal the host interpreter bit for bit"
                            : "outputs DIFFER from the host interpreter");
  return out.str();
}

nlohmann::json BenchResult::to_json() const {
  nlohmann::json j;
  j["model"] = model;
  j["target"] = target;
  j["board"] = board;
  j["optimize"] = optimize;
  j["kernels"] = kernels;
  j["quantization"] = quantization.empty() ? nlohmann::json(nullptr) : nlohmann::json(quantization);
  j["macs"] = macs;
  const std::optional<uint64_t> n = instructions();
  j["instructions_per_inference"] = n ? nlohmann::json(*n) : nlohmann::json(nullptr);
  if (const std::optional<InstructionStats> stats = instruction_stats())
    j["instructions_over_input_sets"] = {{"min", stats->min},
                                         {"median", stats->median},
                                         {"max", stats->max},
                                         {"input_sets", stats->input_sets},
                                         {"headline", "median (lower middle for an even count)"}};
  else
    j["instructions_over_input_sets"] = nullptr;
  j["instruction_count_method"] =
      instructions_measured
          ? "QEMU TCG plugin (kiln), exact guest instructions of one <name>_run() call"
          : "not measured";
  j["deterministic"] = deterministic();
  j["flash_bytes"] = flash_bytes();
  j["sections"] = {{"text", sections.text},
                   {"rodata", sections.rodata},
                   {"data", sections.data},
                   {"bss", sections.bss},
                   {"stack_reserved", sections.stack}};
  j["ram"] = {{"arena_bytes", arena_bytes},
              {"arena_lower_bound", arena_lower_bound},
              {"arena_lower_bound_before", arena_lower_bound_before},
              {"other_data_bss_bytes", other_ram_bytes()},
              {"stack_high_water_bytes",
               stack_high_water ? nlohmann::json(*stack_high_water) : nlohmann::json(nullptr)}};
  j["weight_bytes"] = weight_bytes;
  j["embedded_input_bytes"] = input_bytes;
  j["bit_exact"] = bit_exact();
  nlohmann::json cases_json = nlohmann::json::array();
  for (const BenchCase& c : cases) {
    nlohmann::json cj;
    cj["label"] = c.label;
    cj["bit_exact"] = c.bit_exact();
    cj["instructions"] = c.instructions;
    cj["top1"] = c.top1 ? nlohmann::json(*c.top1) : nlohmann::json(nullptr);
    nlohmann::json outs = nlohmann::json::array();
    for (size_t k = 0; k < c.outputs.size(); ++k) {
      const Tensor& t = c.outputs[k];
      std::string text;
      static const char digits[] = "0123456789abcdef";
      for (uint8_t b : t.data) {
        text += digits[b >> 4];
        text += digits[b & 15];
      }
      outs.push_back({{"name", t.name},
                      {"dtype", dtype_name(t.dtype)},
                      {"shape", t.shape},
                      {"bit_exact", static_cast<bool>(c.output_bit_exact[k])},
                      {"mismatched_elements", c.mismatches[k]},
                      {"max_abs_diff", c.max_abs_diff[k]},
                      {"hex", text}});
    }
    cj["outputs"] = outs;
    cases_json.push_back(cj);
  }
  j["cases"] = cases_json;
  return j;
}

}  // namespace kiln
