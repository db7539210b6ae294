// Fast int8 kernels: the randomized sweep of fast_kernels_sweep.c (every fast kernel vs its
// reference kernel, bit for bit) on the host (portable C) and inside QEMU on Cortex-M4 (Armv7E-M
// DSP: SMLAD/SXTB16), Cortex-M55 (Armv8.1-M, DSP) and Cortex-M0+ (portable C, no DSP); the
// selection rules of the "fast" kernel set; and a whole int8 network generated with the fast set
// on emulated Cortex-M4, bit-exact with the interpreter (which runs the reference kernels).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "bench/bench.hpp"
#include "codegen/embedded_kernels.hpp"
#include "codegen/generate_c.hpp"
#include "codegen/kernel_select.hpp"
#include "fast_kernels_sweep.h"
#include "frontend/load_model.hpp"
#include "interpreter/interpreter.hpp"
#include "ir/error.hpp"
#include "ops/op_registry.hpp"
#include "passes/pipeline.hpp"
#include "targets/target.hpp"
#include "verify/process.hpp"
#include "verify/verify.hpp"

namespace kiln {
namespace {

namespace fs = std::filesystem;

const std::string kSweepDir = std::string(KILN_SOURCE_DIR) + "/tests/unit";
const std::string kMlperf = std::string(KILN_SHARED_DIR) + "/models/mlperf-tiny/onnx";

TEST(FastKernels, HostSweepMatchesReferenceBitExactly) {
  kiln_sweep_result r{};
  kiln_fast_sweep(20261204u, 3000, &r);
  EXPECT_EQ(r.cases, 3000);
  EXPECT_EQ(r.mismatches, 0) << r.first_mismatch;
  // Every fast kernel was exercised many times.
  for (int k = 0; k < 6; ++k) EXPECT_GT(r.per_kernel[k], 100) << "kernel " << k;
}

// A kiln_conv_s8 call as the Conv lowering builds it (src/ops/conv.cpp). The weight zero points
// are w_zero_point for every output channel except the last, which gets last_zero_point.
KernelCall conv_call(int64_t in_channels, int64_t out_channels, int64_t group,
                     std::vector<int64_t> in, std::vector<int64_t> out, std::vector<int64_t> kernel,
                     std::vector<int64_t> strides, std::vector<int64_t> pads, int64_t w_bits = 8,
                     int64_t w_zero_point = 0, std::optional<int64_t> last_zero_point = {}) {
  KernelCall c("kiln_conv_s8");
  c.input("x").input("w").input("b").output("y").i(1).i(in_channels).i(out_channels).i(group);
  c.ints(in).ints(out).ints(kernel).ints(strides).ints({1, 1, 1}).ints(pads);
  std::vector<int64_t> w_zero_points(static_cast<size_t>(out_channels), w_zero_point);
  w_zero_points.back() = last_zero_point.value_or(w_zero_point);
  c.i(w_bits).i(-128).ints(w_zero_points).i(5);
  std::vector<int64_t> per_channel(static_cast<size_t>(out_channels), 1 << 30);
  c.ints(per_channel).ints(std::vector<int64_t>(static_cast<size_t>(out_channels), -3));
  c.i(0).i(-128).i(127);
  return c;
}

KernelCall gemm_call(int64_t m, int64_t n, int64_t k, int64_t b_stride_k, int64_t b_stride_n,
                     int64_t w_bits = 8, int64_t b_zero_point = 0,
                     std::optional<int64_t> last_zero_point = {}) {
  KernelCall c("kiln_gemm_s8");
  c.input("a").input("b").input("bias").output("y").i(m).i(n).i(k).i(k).i(1);
  std::vector<int64_t> b_zero_points(static_cast<size_t>(n), b_zero_point);
  b_zero_points.back() = last_zero_point.value_or(b_zero_point);
  c.i(b_stride_k).i(b_stride_n).i(w_bits).i(-128).ints(b_zero_points).i(3);
  c.ints(std::vector<int64_t>(static_cast<size_t>(n), 1 << 30));
  c.ints(std::vector<int64_t>(static_cast<size_t>(n), -2));
  c.i(0).i(-128).i(127);
  return c;
}

std::string fast(const KernelCall& c) {
  return select_kernel(c, "fast").function;
}

TEST(FastKernels, SelectionPicksTheMostSpecificKernelByShape) {
  // Depthwise 3x3 (KWS), depthwise of another size (streaming WW's 1-D kernels).
  EXPECT_EQ(fast(conv_call(64, 64, 64, {1, 25, 5}, {1, 25, 5}, {1, 3, 3}, {1, 1, 1}, {0, 1, 1})),
            "kiln_conv_s8_dw3x3");
  EXPECT_EQ(fast(conv_call(40, 40, 40, {1, 30, 1}, {1, 28, 1}, {1, 3, 1}, {1, 1, 1}, {0, 0, 0})),
            "kiln_conv_s8_dw");
  // Pointwise, and a 1x1 with stride 2 (not pointwise: im2col).
  EXPECT_EQ(fast(conv_call(64, 64, 1, {1, 25, 5}, {1, 25, 5}, {1, 1, 1}, {1, 1, 1}, {0, 0, 0})),
            "kiln_conv_s8_1x1");
  EXPECT_EQ(fast(conv_call(8, 16, 1, {1, 8, 8}, {1, 4, 4}, {1, 1, 1}, {1, 2, 2}, {0, 0, 0})),
            "kiln_conv_s8_im2col");
  // First layer with one input channel and a 10x4 kernel (KWS).
  EXPECT_EQ(fast(conv_call(1, 64, 1, {1, 49, 10}, {1, 25, 5}, {1, 10, 4}, {1, 2, 2}, {0, 4, 1})),
            "kiln_conv_s8_im2col");
  // Fully connected on a [k, n] weight.
  EXPECT_EQ(fast(gemm_call(1, 128, 640, 128, 1)), "kiln_gemm_s8_fc");
  // ... and on an [n, k] weight (Gemm with transB, e.g. PyTorch's Linear).
  EXPECT_EQ(fast(gemm_call(1, 10, 784, 1, 784)), "kiln_gemm_s8_fc_nk");
}

TEST(FastKernels, SelectionFallsBackToTheReferenceWhereNoFastKernelApplies) {
  const std::vector<int64_t> in = {1, 6, 6}, k3 = {1, 3, 3}, one = {1, 1, 1}, pad = {0, 1, 1};
  // 4-bit weights, a nonzero weight zero point.
  EXPECT_EQ(fast(conv_call(8, 8, 8, in, in, k3, one, pad, 4)), "kiln_conv_s8");
  EXPECT_EQ(fast(conv_call(8, 16, 1, in, in, k3, one, pad, 8, 3)), "kiln_conv_s8");
  // 3-D convolution.
  EXPECT_EQ(fast(conv_call(8, 16, 1, {4, 6, 6}, {4, 6, 6}, k3, one, pad)), "kiln_conv_s8");
  // A patch larger than KILN_CONV_PATCH_MAX (72 * 3 * 3 = 648 taps); 64 * 3 * 3 = 576 fits.
  EXPECT_EQ(fast(conv_call(72, 16, 1, in, in, k3, one, pad)), "kiln_conv_s8");
  EXPECT_EQ(fast(conv_call(64, 16, 1, in, in, k3, one, pad)), "kiln_conv_s8_im2col");
  // Channel multiplier 2 with one input channel per group: one output channel per patch row.
  EXPECT_EQ(fast(conv_call(8, 8, 8, in, in, k3, one, pad, 8, 0)), "kiln_conv_s8_dw3x3");
  // Neither B rows nor columns contiguous, 4-bit fully connected weights.
  EXPECT_EQ(fast(gemm_call(1, 16, 32, 2, 64)), "kiln_gemm_s8");
  EXPECT_EQ(fast(gemm_call(1, 16, 32, 16, 1, 4)), "kiln_gemm_s8");
  EXPECT_EQ(fast(gemm_call(1, 16, 32, 16, 1, 8, 1)), "kiln_gemm_s8");
  // Asymmetric per-channel weights: one nonzero zero point (here the last channel's) is enough
  // to keep the reference kernel, in every fast kernel's shape.
  EXPECT_EQ(fast(gemm_call(1, 128, 640, 128, 1, 8, 0, -3)), "kiln_gemm_s8");
  EXPECT_EQ(fast(gemm_call(1, 10, 784, 1, 784, 8, 0, 5)), "kiln_gemm_s8");
  EXPECT_EQ(
      fast(conv_call(64, 64, 64, {1, 25, 5}, {1, 25, 5}, {1, 3, 3}, {1, 1, 1}, {0, 1, 1}, 8, 0, 1)),
      "kiln_conv_s8");
  EXPECT_EQ(fast(conv_call(40, 40, 40, {1, 30, 1}, {1, 28, 1}, {1, 3, 1}, {1, 1, 1}, {0, 0, 0}, 8,
                           0, -1)),
            "kiln_conv_s8");
  EXPECT_EQ(
      fast(conv_call(64, 64, 1, {1, 25, 5}, {1, 25, 5}, {1, 1, 1}, {1, 1, 1}, {0, 0, 0}, 8, 0, 7)),
      "kiln_conv_s8");
  EXPECT_EQ(
      fast(conv_call(8, 16, 1, {1, 8, 8}, {1, 4, 4}, {1, 1, 1}, {1, 2, 2}, {0, 0, 0}, 8, 0, -128)),
      "kiln_conv_s8");
  // Other kernels are never touched; the reference set changes nothing.
  EXPECT_EQ(fast(KernelCall("kiln_conv_f32")), "kiln_conv_f32");
  EXPECT_EQ(select_kernel(gemm_call(1, 128, 640, 128, 1), "reference").function, "kiln_gemm_s8");
  // The fast call keeps every argument.
  const KernelCall ref = gemm_call(1, 128, 640, 128, 1);
  const KernelCall sel = select_kernel(ref, "fast");
  ASSERT_EQ(sel.args.size(), ref.args.size());
  for (size_t i = 0; i < ref.args.size(); ++i)
    EXPECT_EQ(sel.args[i].int_value, ref.args[i].int_value);
}

TEST(FastKernels, UnknownKernelSetIsAnError) {
  EXPECT_THROW(select_kernel(KernelCall("kiln_conv_s8"), "turbo"), Error);
  try {
    check_kernel_set("turbo", "--kernels");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown kernel set 'turbo' (valid: fast, reference)"),
              std::string::npos)
        << e.what();
  }
}

// The fast set's layout step stores AD's fully connected weights [n, k]: the interpreter's results
// do not change (the reference kernel reads either layout), and every Gemm then lowers to a call
// the fast fully connected kernel takes on its contiguous-rows path.
TEST(FastKernels, FastLayoutTransposesFcWeightsWithoutChangingResults) {
  const std::string model = kMlperf + "/ad01_int8.onnx";
  if (!fs::exists(model)) GTEST_SKIP() << model << " not present";
  Graph original = load_model(model);
  optimize(original);
  Graph fast = original;
  EXPECT_EQ(apply_kernel_set_layouts(original, "reference"), 0);
  EXPECT_EQ(apply_kernel_set_layouts(fast, "fast"), 10);
  EXPECT_EQ(apply_kernel_set_layouts(fast, "fast"), 0);  // already [n, k]
  int gemms = 0;
  for (const Node& node : fast.nodes) {
    if (node.op_type != "Gemm") continue;
    ++gemms;
    EXPECT_EQ(node.attr_int("transB", 0), 1) << node.name;
    const KernelCall call = op_for(node).lower(node, fast);
    EXPECT_EQ(call.args.at(9).int_value, 1) << node.name;  // b_stride_k
    EXPECT_EQ(select_kernel(call, "fast").function, "kiln_gemm_s8_fc_nk") << node.name;
  }
  EXPECT_EQ(gemms, 10);
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    TensorMap inputs = random_inputs(original, seed);
    uint32_t state = static_cast<uint32_t>(seed * 2654435761u);
    for (auto& [name, t] : inputs)
      for (uint8_t& byte : t.data) {
        state = state * 1664525u + 1013904223u;
        byte = static_cast<uint8_t>(state >> 24);
      }
    const TensorMap a = run_graph(original, inputs), b = run_graph(fast, inputs);
    ASSERT_EQ(a.size(), b.size());
    for (const auto& [name, t] : a) EXPECT_EQ(t.data, b.at(name).data) << name;
  }
}

bool have_program(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (!path) return false;
  std::istringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (!dir.empty() && access((fs::path(dir) / program).c_str(), X_OK) == 0) return true;
  return false;
}

std::string hex(uint64_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

void write_file(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// Builds the sweep as a firmware for `target_name` (the kernels from kiln's embedded sources,
// kiln's runtime and linker script) and runs it in the target's QEMU board.
void run_sweep_in_qemu(const std::string& target_name, uint32_t seed, int cases) {
  const Target& target = find_target(target_name);
  if (!have_program(target.toolchain.cc) || !have_program(target.emulator->binary))
    GTEST_SKIP() << target.toolchain.cc << " or " << target.emulator->binary
                 << " missing (scripts/install_deps.sh)";
  std::string pattern = (fs::temp_directory_path() / "kiln-fastk-XXXXXX").string();
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  const fs::path dir = pattern;
  std::vector<std::string> sources;
  // The kernels the sweep calls and what they include, as the code generator would copy them.
  const std::vector<std::string> files = kernel_files_for(
      {"kiln_conv_s8", "kiln_conv_s8_im2col", "kiln_conv_s8_1x1", "kiln_conv_s8_dw",
       "kiln_conv_s8_dw3x3", "kiln_gemm_s8", "kiln_gemm_s8_fc", "kiln_gemm_s8_fc_nk"});
  for (const std::string& name : files) {
    write_file(dir / name, embedded_kernel_sources().at(name));
    if (name.ends_with(".c")) sources.push_back((dir / name).string());
  }
  for (const std::string& file : target.runtime) {
    write_file(dir / file, target_runtime_file(file));
    if (file.ends_with(".c") || file.ends_with(".S")) sources.push_back((dir / file).string());
  }
  std::ostringstream main_c;
  main_c << "#include \"kiln_rt.h\"\n#include \"fast_kernels_sweep.h\"\n"
         << "int main(void) {\n  static kiln_sweep_result r;\n"
         << "  kiln_fast_sweep(" << seed << "u, " << cases << ", &r);\n"
         << "  kiln_rt_write(r.mismatches == 0 ? \"SWEEP OK\\n\" : \"SWEEP MISMATCH \");\n"
         << "  kiln_rt_write(r.first_mismatch);\n  return r.mismatches == 0 && r.cases == " << cases
         << " ? 0 : 1;\n}\n";
  write_file(dir / "sweep_main.c", main_c.str());
  sources.push_back((dir / "sweep_main.c").string());
  sources.push_back(kSweepDir + "/fast_kernels_sweep.c");
  std::string script(target_runtime_file(target.linker_script));
  const std::map<std::string, std::string> values = {
      {"@FLASH_ORIGIN@", hex(target.flash->origin)},
      {"@FLASH_LENGTH@", hex(target.flash->size)},
      {"@RAM_ORIGIN@", hex(target.ram->origin)},
      {"@RAM_LENGTH@", hex(target.ram->size)},
      {"@STACK_BYTES@", std::to_string(target.stack_bytes)}};
  for (const auto& [key, value] : values)
    for (size_t at = script.find(key); at != std::string::npos; at = script.find(key, at))
      script.replace(at, key.size(), value);
  write_file(dir / "firmware.ld", script);

  std::vector<std::string> build = {target.toolchain.cc};
  build.insert(build.end(), target.toolchain.cflags.begin(), target.toolchain.cflags.end());
  build.insert(build.end(), {"-O2", "-std=c99", "-I" + dir.string(), "-I" + kSweepDir,
                             "-T" + (dir / "firmware.ld").string()});
  build.insert(build.end(), target.toolchain.ldflags.begin(), target.toolchain.ldflags.end());
  build.insert(build.end(), sources.begin(), sources.end());
  build.insert(build.end(), target.toolchain.libs.begin(), target.toolchain.libs.end());
  build.insert(build.end(), {"-o", (dir / "sweep.elf").string()});
  // Hang guards only (the work is a fixed number of cases), generous for a loaded machine and
  // together inside the ctest timeout (600 s).
  const ProcessResult built = run_process(build, std::chrono::minutes(4));
  ASSERT_TRUE(built.ok()) << built.output;

  const TargetEmulator& emu = *target.emulator;
  std::vector<std::string> run = {emu.binary, "-M", emu.machine, "-cpu", emu.cpu};
  run.insert(run.end(), emu.args.begin(), emu.args.end());
  run.insert(run.end(), {"-nographic", "-monitor", "none", "-serial", "none", "-semihosting-config",
                         "enable=on,target=native", "-kernel", (dir / "sweep.elf").string()});
  const ProcessResult ran = run_process(run, std::chrono::minutes(4));
  std::error_code ec;
  fs::remove_all(dir, ec);
  EXPECT_TRUE(ran.ok()) << ran.status_text() << ": " << ran.output;
  EXPECT_NE(ran.output.find("SWEEP OK"), std::string::npos) << ran.output;
}

TEST(FastKernels, QemuSweepCortexM4DspMatchesReference) {
  run_sweep_in_qemu("cortex-m4", 4u, 2000);
}

TEST(FastKernels, QemuSweepCortexM55MatchesReference) {
  run_sweep_in_qemu("cortex-m55", 55u, 2000);
}

TEST(FastKernels, QemuSweepCortexM0plusPortableMatchesReference) {
  run_sweep_in_qemu("cortex-m0plus", 7u, 1000);
}

// RISC-V (rv32imac) runs the portable C of the fast kernels (no DSP or vector intrinsics).
TEST(FastKernels, QemuSweepRiscv32PortableMatchesReference) {
  run_sweep_in_qemu("riscv32", 32u, 1000);
}

// The whole KWS int8 network generated with the fast kernel set, run on emulated Cortex-M4:
// bit-exact with the interpreter (reference kernels), and far fewer instructions than the
// reference kernels' 207.5 million.
TEST(FastKernels, KwsInt8FastKernelsBitExactOnCortexM4) {
  const std::string model = kMlperf + "/kws_int8.onnx";
  if (!fs::exists(model)) GTEST_SKIP() << model << " not present";
  const Target& target = find_target("cortex-m4");
  if (!have_program(target.toolchain.cc) || !have_program(target.emulator->binary))
    GTEST_SKIP() << "cross compiler or QEMU missing";
  BenchOptions options;
  options.kernels = "fast";
  const BenchResult r = run_bench(model, target, options);
  EXPECT_EQ(r.kernels, "fast");
  EXPECT_TRUE(r.bit_exact());
  ASSERT_TRUE(r.instructions().has_value());
  EXPECT_LT(*r.instructions(), 20'000'000u);
}

}  // namespace
}  // namespace kiln
