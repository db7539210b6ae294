// kiln bench: target descriptions, the firmware built for emulated MCUs, exact and deterministic
// instruction counts, flash/RAM figures that agree with the ELF file, and the errors for models
// that do not fit, hung emulators and unknown targets. Needs the cross compilers and QEMU from
// scripts/install_deps.sh; the whole file runs in about 15 seconds.
#include "bench/bench.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ir/error.hpp"
#include "targets/embedded_targets.hpp"
#include "targets/target.hpp"
#include "verify/process.hpp"

namespace kiln {
namespace {

namespace fs = std::filesystem;

const std::string kMnist = std::string(KILN_SOURCE_DIR) + "/examples/mnist/mnist.onnx";
const std::string kMnistData = std::string(KILN_SOURCE_DIR) + "/examples/mnist/test_data_set_0";

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "kiln-bench-test-XXXXXX").string();
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

BenchOptions mnist_options(int runs = 2) {
  BenchOptions options;
  options.inputs_dir = kMnistData;
  options.runs = runs;
  return options;
}

// The Berkeley `size` format counts every read-only allocated section as text: text + data is
// what a flash image holds, independently of kiln's own section classification.
uint64_t berkeley_flash_bytes(const Target& target, const fs::path& elf) {
  const ProcessResult r = run_process({target.toolchain.size, "-B", elf.string()});
  EXPECT_TRUE(r.ok()) << r.output;
  std::istringstream in(r.output);
  std::string header;
  std::getline(in, header);
  uint64_t text = 0, data = 0;
  in >> text >> data;
  return text + data;
}

// A built-in description with some fields changed, written to a file (a custom board).
fs::path write_variant(const fs::path& dir, const std::string& base,
                       const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json j = nlohmann::json::parse(embedded_target_descriptions().at(base + ".json"));
  j["name"] = base + "-variant";
  edit(j);
  const fs::path path = dir / (base + "-variant.json");
  std::ofstream(path) << j.dump(2);
  return path;
}

void expect_mnist_result(const BenchResult& r, const Target& target, const fs::path& work_dir) {
  EXPECT_TRUE(r.bit_exact()) << r.table();
  ASSERT_TRUE(r.instructions().has_value());
  EXPECT_GT(*r.instructions(), 791840u);  // at least one instruction per MAC
  ASSERT_EQ(r.cases.size(), 1u);
  ASSERT_EQ(r.cases[0].instructions.size(), 2u);
  EXPECT_EQ(r.cases[0].instructions[0], r.cases[0].instructions[1]);
  EXPECT_TRUE(r.deterministic());
  EXPECT_EQ(r.cases[0].top1, 4);  // held-out digit 8000 is a 4 (PyTorch agrees)
  // 31,360 bytes in the given order without in-place execution; the first MaxPool writes its
  // output one plane (784 bytes) below its dying input (docs/architecture.md, memory planning).
  EXPECT_EQ(r.arena_bytes, 25872);
  EXPECT_EQ(r.arena_lower_bound, 25872);
  EXPECT_EQ(r.arena_lower_bound_before, 31360);
  // Flash holds the weights and the embedded input; RAM holds at least the arena.
  EXPECT_GT(r.flash_bytes(), static_cast<uint64_t>(r.weight_bytes + r.input_bytes));
  EXPECT_EQ(r.flash_bytes(), berkeley_flash_bytes(target, work_dir / "firmware.elf"));
  EXPECT_GE(r.sections.bss, static_cast<uint64_t>(r.arena_bytes));
  EXPECT_LT(r.other_ram_bytes(), 4096u);
  EXPECT_EQ(r.sections.stack, static_cast<uint64_t>(target.stack_bytes));
  ASSERT_TRUE(r.stack_high_water.has_value());
  EXPECT_GT(*r.stack_high_water, 64u);
  EXPECT_LT(*r.stack_high_water, r.sections.stack);
  EXPECT_LE(r.flash_bytes(), target.flash->size);
}

class BenchMnist : public ::testing::TestWithParam<std::string> {};

TEST_P(BenchMnist, BitExactWithExactDeterministicInstructionCount) {
  const Target& target = find_target(GetParam());
  TempDir work;
  BenchOptions options = mnist_options();
  options.work_dir = work.path();
  const BenchResult first = run_bench(kMnist, target, options);
  expect_mnist_result(first, target, work.path());
  // A second, independent run (new firmware build, new emulator process) counts the same.
  const BenchResult second = run_bench(kMnist, target, mnist_options());
  ASSERT_TRUE(second.instructions().has_value());
  EXPECT_EQ(*second.instructions(), *first.instructions());
  EXPECT_EQ(second.flash_bytes(), first.flash_bytes());
}

INSTANTIATE_TEST_SUITE_P(Targets, BenchMnist,
                         ::testing::Values("cortex-m4", "cortex-m55", "riscv32"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (c == '-') c = '_';
                           return name;
                         });

TEST(Bench, InstructionCountDependsOnTheCodeNotOnNoise) {
  // -Os and -O2 builds of the same model run different instruction streams: the counts must
  // differ (the count is measured, not a constant), while outputs stay bit-exact.
  const Target& target = find_target("cortex-m4");
  BenchOptions size_options = mnist_options(1);
  size_options.optimize = "-Os";
  const BenchResult small = run_bench(kMnist, target, size_options);
  const BenchResult fast = run_bench(kMnist, target, mnist_options(1));
  EXPECT_TRUE(small.bit_exact());
  ASSERT_TRUE(small.instructions() && fast.instructions());
  EXPECT_NE(*small.instructions(), *fast.instructions());
  EXPECT_LT(small.sections.text, fast.sections.text);
}

// The plugin's count against an independent counter: on RISC-V under `-icount shift=0`, QEMU's
// minstret CSR advances by exactly one per executed instruction. Two regions of different length
// around the same code must differ by the same amount in both counters.
TEST(Bench, PluginCountAgreesWithMinstretUnderIcount) {
  const Target& target = find_target("riscv32");
  TempDir work;
  for (const std::string& file : target.runtime)
    std::ofstream(work.path() / file) << target_runtime_file(file);
  std::ofstream(work.path() / "plugin.c") << target_runtime_file("qemu_insn_count_plugin.c");
  std::string script(target_runtime_file("kiln.ld.in"));
  const std::vector<std::pair<std::string, std::string>> values = {{"@FLASH_ORIGIN@", "0x80000000"},
                                                                   {"@FLASH_LENGTH@", "0x100000"},
                                                                   {"@RAM_ORIGIN@", "0x80100000"},
                                                                   {"@RAM_LENGTH@", "0x100000"},
                                                                   {"@STACK_BYTES@", "4096"}};
  for (const auto& [key, value] : values) script.replace(script.find(key), key.size(), value);
  std::ofstream(work.path() / "fw.ld") << script;
  std::ofstream(work.path() / "main.c") << R"(
#include "kiln_rt.h"
static volatile uint32_t sink;
static uint32_t minstret(void) {
  uint32_t v;
  __asm__ volatile(".option push\n.option arch, +zicsr\ncsrr %0, minstret\n.option pop" : "=r"(v));
  return v;
}
static void put(uint32_t v) {
  char b[12];
  int n = 11;
  b[n] = 0;
  do { b[--n] = (char)('0' + v % 10u); v /= 10u; } while (v != 0u);
  kiln_rt_write(b + n);
  kiln_rt_write("\n");
}
__attribute__((noinline)) static uint32_t region(uint32_t n) {
  uint32_t i, start, end;
  kiln_rt_mark();
  start = minstret();
  for (i = 0; i < n; ++i) sink += i;
  end = minstret();
  kiln_rt_mark();
  return end - start;
}
int main(void) {
  put(region(1000u));
  put(region(3000u));
  return 0;
}
)";
  const fs::path dir = work.path();
  std::vector<std::string> build = {target.toolchain.cc};
  build.insert(build.end(), target.toolchain.cflags.begin(), target.toolchain.cflags.end());
  build.insert(build.end(), {"-O2", "-I" + dir.string(), "-T" + (dir / "fw.ld").string()});
  build.insert(build.end(), target.toolchain.ldflags.begin(), target.toolchain.ldflags.end());
  build.push_back((dir / "main.c").string());
  for (const std::string& file : target.runtime)
    if (file.ends_with(".c") || file.ends_with(".S")) build.push_back((dir / file).string());
  build.insert(build.end(), {"-o", (dir / "fw.elf").string()});
  const ProcessResult built = run_process(build);
  ASSERT_TRUE(built.ok()) << built.output;
  const ProcessResult plugin = run_process(
      {"cc", "-shared", "-fPIC", "-o", (dir / "plugin.so").string(), (dir / "plugin.c").string()});
  ASSERT_TRUE(plugin.ok()) << plugin.output;
  const ProcessResult nm = run_process({target.toolchain.nm, (dir / "fw.elf").string()});
  const size_t at = nm.output.find(" T kiln_rt_mark");
  ASSERT_NE(at, std::string::npos);
  const std::string mark =
      "0x" + nm.output.substr(nm.output.rfind('\n', at) + 1, at - nm.output.rfind('\n', at) - 1);
  const ProcessResult ran = run_process(
      {"qemu-system-riscv32", "-M", "virt", "-bios", "none", "-icount", "shift=0", "-nographic",
       "-monitor", "none", "-serial", "none", "-semihosting-config", "enable=on,target=native",
       "-plugin",
       (dir / "plugin.so").string() + ",mark=" + mark + ",out=" + (dir / "marks").string(),
       "-kernel", (dir / "fw.elf").string()},
      std::chrono::minutes(4));  // a hang guard, generous for a loaded machine
  ASSERT_TRUE(ran.ok()) << ran.status_text() << ran.output;
  std::istringstream out(ran.output);
  uint64_t minstret_short = 0, minstret_long = 0;
  out >> minstret_short >> minstret_long;
  std::ifstream marks_in(dir / "marks");
  uint64_t m0 = 0, m1 = 0, m2 = 0, m3 = 0;
  marks_in >> m0 >> m1 >> m2 >> m3;
  const uint64_t plugin_short = m1 - m0, plugin_long = m3 - m2;
  EXPECT_GT(minstret_short, 4000u);  // at least 4 instructions per iteration
  EXPECT_EQ(plugin_long - plugin_short, minstret_long - minstret_short);
  // The plugin region also holds the two minstret reads and the mark call: a few more.
  EXPECT_GT(plugin_short, minstret_short);
  EXPECT_LT(plugin_short, minstret_short + 16);
}

TEST(Bench, Int8MnistIsBitExactOnCortexM4) {
  // The same harness for a quantized model: float test data is quantized with the int8 input's
  // parameters, the int8 outputs are compared bit for bit.
  BenchOptions options = mnist_options(2);
  options.quantize.enabled = true;
  options.quantize.calibration.path = std::string(KILN_SOURCE_DIR) + "/examples/mnist";
  options.quantize.progress = false;
  const BenchResult r = run_bench(kMnist, find_target("cortex-m4"), options);
  EXPECT_TRUE(r.bit_exact()) << r.table();
  EXPECT_EQ(r.quantization, "int8");
  ASSERT_TRUE(r.instructions().has_value());
  EXPECT_TRUE(r.deterministic());
  EXPECT_EQ(r.cases[0].outputs[0].dtype, DType::Int8);
  EXPECT_EQ(r.cases[0].top1, 4);
  EXPECT_LT(r.arena_bytes, 31360);  // int8 activations: a quarter of the float arena
}

TEST(Bench, HeadlineIsTheMedianOverInputSetsWithMinAndMax) {
  // Counts vary with the input; the headline is the median of each set's first measured run
  // (the lower middle one for an even count, so always a measured count).
  BenchResult r;
  r.instructions_measured = true;
  for (uint64_t n : {9'691'260u, 9'687'916u, 9'689'000u, 9'688'500u}) {
    BenchCase c;
    c.label = "test_data_set_" + std::to_string(r.cases.size());
    c.instructions = {n, n};
    r.cases.push_back(c);
  }
  const auto stats = r.instruction_stats();
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->min, 9'687'916u);
  EXPECT_EQ(stats->median, 9'688'500u);
  EXPECT_EQ(stats->max, 9'691'260u);
  EXPECT_EQ(stats->input_sets, 4u);
  EXPECT_EQ(r.instructions(), 9'688'500u);
  EXPECT_NE(r.table().find("instructions/inference 9,688,500 (median of 4 input sets (lower "
                           "middle); min 9,687,916, max 9,691,260)"),
            std::string::npos)
      << r.table();
  const nlohmann::json j = r.to_json();
  EXPECT_EQ(j["instructions_per_inference"], 9'688'500u);
  EXPECT_EQ(j["instructions_over_input_sets"]["min"], 9'687'916u);
  EXPECT_EQ(j["instructions_over_input_sets"]["max"], 9'691'260u);
  EXPECT_EQ(j["instructions_over_input_sets"]["input_sets"], 4);
  r.cases.resize(1);
  EXPECT_EQ(r.instructions(), 9'691'260u);
  EXPECT_NE(r.table().find("9,691,260 (1 input set)"), std::string::npos) << r.table();
}

TEST(Bench, HostTargetComparesOutputsWithoutCounting) {
  const BenchResult r = run_bench(kMnist, find_target("host"), mnist_options(1));
  EXPECT_TRUE(r.bit_exact());
  EXPECT_FALSE(r.instructions().has_value());
  EXPECT_FALSE(r.stack_high_water.has_value());
}

TEST(Bench, RandomInputsWhenNoTestData) {
  BenchOptions options;
  options.seed = 7;
  const BenchResult r = run_bench(kMnist, find_target("riscv32"), options);
  ASSERT_EQ(r.cases.size(), 1u);
  EXPECT_EQ(r.cases[0].label, "random_7");
  EXPECT_TRUE(r.bit_exact());
  const nlohmann::json j = r.to_json();
  EXPECT_EQ(j["target"], "riscv32");
  EXPECT_EQ(j["bit_exact"], true);
  EXPECT_EQ(j["ram"]["arena_bytes"], 25872);
  EXPECT_EQ(j["ram"]["arena_lower_bound_before"], 31360);
  EXPECT_EQ(j["instructions_per_inference"], *r.instructions());
}

TEST(Bench, ModelThatDoesNotFitRamNamesTheOverflow) {
  TempDir dir;
  const fs::path tiny = write_variant(dir.path(), "cortex-m4", [](nlohmann::json& j) {
    j["memory"]["ram"]["size"] = "0x4000";  // 16 KiB: less than MNIST's 25,872-byte arena
    j["stack_bytes"] = 2048;
  });
  try {
    run_bench(kMnist, resolve_target(tiny.string()), mnist_options(1));
    FAIL() << "expected an overflow error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("does not fit target 'cortex-m4-variant'"), std::string::npos)
        << message;
    EXPECT_NE(message.find("RAM overflowed by "), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(Bench, ModelThatDoesNotFitFlashNamesTheOverflow) {
  TempDir dir;
  const fs::path tiny = write_variant(dir.path(), "riscv32", [](nlohmann::json& j) {
    j["memory"]["flash"]["size"] = "0x8000";  // 32 KiB: less than MNIST's 45 KB of weights
  });
  try {
    run_bench(kMnist, resolve_target(tiny.string()), mnist_options(1));
    FAIL() << "expected an overflow error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("FLASH overflowed by "), std::string::npos) << e.what();
  }
}

TEST(Bench, HungEmulatorIsKilledWithAClearError) {
  TempDir dir;
  // -S: QEMU starts with the CPU stopped, so the firmware never finishes.
  const fs::path stopped = write_variant(dir.path(), "cortex-m4", [](nlohmann::json& j) {
    j["emulator"]["args"] = nlohmann::json::array({"-S"});
  });
  BenchOptions options = mnist_options(1);
  options.timeout_seconds = 1;
  try {
    run_bench(kMnist, resolve_target(stopped.string()), options);
    FAIL() << "expected a timeout";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("did not finish within 1 s"), std::string::npos)
        << e.what();
  }
}

TEST(Bench, MissingEmulatorIsNamed) {
  TempDir dir;
  const fs::path variant = write_variant(dir.path(), "cortex-m4", [](nlohmann::json& j) {
    j["emulator"]["binary"] = "qemu-system-kiln-test-missing";
  });
  try {
    run_bench(kMnist, resolve_target(variant.string()), mnist_options(1));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'qemu-system-kiln-test-missing' (the emulator"),
              std::string::npos)
        << e.what();
  }
}

TEST(Bench, BadOptionsAreErrors) {
  BenchOptions options = mnist_options(0);
  EXPECT_THROW(run_bench(kMnist, find_target("cortex-m4"), options), Error);
}

TEST(Targets, EveryBuiltInDescriptionLoads) {
  const std::vector<std::string> names = target_names();
  EXPECT_EQ(names, (std::vector<std::string>{"cortex-m0plus", "cortex-m33", "cortex-m4",
                                             "cortex-m55", "cortex-m7", "host", "riscv32"}));
  for (const std::string& name : names) {
    const Target& t = find_target(name);
    EXPECT_EQ(t.name, name);
    EXPECT_EQ(t.kernels, "fast");
    EXPECT_FALSE(t.toolchain.cc.empty());
    if (name == "host") continue;
    ASSERT_TRUE(t.emulator && t.flash && t.ram) << name;
    EXPECT_GT(t.stack_bytes, 0);
  }
  EXPECT_TRUE(find_target("cortex-m4").has_feature("dsp"));
  EXPECT_FALSE(find_target("cortex-m0plus").has_feature("dsp"));
  EXPECT_TRUE(find_target("cortex-m55").has_feature("mve"));
  EXPECT_EQ(find_target("cortex-m4").emulator->machine, "mps2-an386");
  EXPECT_EQ(find_target("cortex-m7").emulator->machine, "mps2-an500");
  EXPECT_EQ(find_target("cortex-m33").emulator->machine, "mps2-an505");
  EXPECT_EQ(find_target("cortex-m55").emulator->machine, "mps3-an547");
  EXPECT_EQ(find_target("riscv32").emulator->machine, "virt");
}

TEST(Targets, UnknownNameListsValidTargets) {
  try {
    find_target("cortex-m5");
    FAIL();
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("unknown target 'cortex-m5'"), std::string::npos);
    EXPECT_NE(message.find("cortex-m4, cortex-m55"), std::string::npos) << message;
  }
}

TEST(Targets, MalformedDescriptionsNameTheField) {
  auto message_of = [](const std::string& text) {
    try {
      parse_target(text, "test.json");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  nlohmann::json good = nlohmann::json::parse(embedded_target_descriptions().at("cortex-m4.json"));
  EXPECT_EQ(parse_target(good.dump(), "test.json").name, "cortex-m4");

  nlohmann::json j = good;
  j.erase("toolchain");
  EXPECT_NE(message_of(j.dump()).find("'toolchain' is missing"), std::string::npos);
  j = good;
  j["runtime"].push_back("no_such_file.c");
  EXPECT_NE(message_of(j.dump()).find("no_such_file.c"), std::string::npos);
  j = good;
  j["memory"]["ram"]["origin"] = "0xZZ";
  EXPECT_NE(message_of(j.dump()).find("memory.ram.origin"), std::string::npos);
  j = good;
  j["memory"]["ram"]["size"] = "0xFFFFFFFF";
  EXPECT_NE(message_of(j.dump()).find("32-bit"), std::string::npos);
  j = good;
  j.erase("memory");
  EXPECT_NE(message_of(j.dump()).find("'memory' is required"), std::string::npos);
  EXPECT_NE(message_of("{not json").find("invalid JSON"), std::string::npos);
  EXPECT_THROW(resolve_target("/no/such/target.json"), Error);
}

int run_kiln(const std::string& args, std::string* err) {
  const std::string err_file =
      ::testing::TempDir() + "/kiln_bench_cli_" + std::to_string(getpid()) + ".err";
  const std::string command =
      std::string("'") + KILN_BINARY + "' " + args + " >/dev/null 2>'" + err_file + "'";
  const int status = std::system(command.c_str());
  std::ifstream in(err_file);
  std::stringstream s;
  s << in.rdbuf();
  *err = s.str();
  std::filesystem::remove(err_file);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(BenchCli, WritesJsonAndRejectsBadArguments) {
  TempDir dir;
  const fs::path json_path = dir.path() / "bench.json";
  std::string err;
  ASSERT_EQ(run_kiln("bench '" + kMnist + "' --target cortex-m4 --inputs '" + kMnistData +
                         "' --json '" + json_path.string() + "'",
                     &err),
            0)
      << err;
  const nlohmann::json j = nlohmann::json::parse(std::ifstream(json_path));
  EXPECT_EQ(j["board"], "mps2-an386");
  EXPECT_EQ(j["bit_exact"], true);
  EXPECT_GT(j["instructions_per_inference"].get<uint64_t>(), 0u);
  EXPECT_EQ(j["cases"][0]["top1"], 4);

  EXPECT_EQ(run_kiln("bench '" + kMnist + "' --target nope", &err), 1);
  EXPECT_EQ(err.rfind("kiln: error: unknown target 'nope'", 0), 0u) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_EQ(run_kiln("bench '" + kMnist + "' --target cortex-m4 --runs 0", &err),
            2);  // invalid option value: usage error
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_EQ(run_kiln("bench '" + kMnist + "'", &err), 2);  // --target missing: usage error
}

}  // namespace
}  // namespace kiln
