#pragma once
// `kiln bench` as a library call: compile a model, build a firmware for a target (the generated
// C, a harness that embeds the inputs, kiln's runtime for the architecture, a linker script from
// the target's memory map), run it in the target's emulator, and report per inference the exact
// instruction count, flash, RAM and whether the outputs equal the interpreter's bit for bit.
//
// Instruction counting: QEMU runs with a TCG plugin written for kiln
// (src/targets/runtime/qemu_insn_count_plugin.c) that counts every executed guest instruction and
// records the running total each time the firmware calls kiln_rt_mark(). The harness calls it
// twice back to back (calibration) and around each measured inference; the reported count is
// (end - begin) - (calibration difference): the instructions of one `<name>_run()` call including
// its argument setup, exact and the same on every run (no timers or interrupts are involved).
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "codegen/compile.hpp"
#include "ir/tensor.hpp"
#include "quant/quantize_options.hpp"
#include "targets/target.hpp"

namespace kiln {

struct BenchOptions {
  CompileOptions compile;
  QuantizeOptions quantize;          // enabled: post-training quantization before compiling
  std::filesystem::path inputs_dir;  // ONNX test data (see load_test_data); empty = random
  uint64_t seed = 0;                 // random inputs when no inputs_dir
  int runs = 1;                      // measured inferences per input set, after one warm-up
  std::string optimize = "-O2";      // optimization flag for the firmware ("-O2", "-Os", ...)
  int timeout_seconds = 60;          // the emulator is killed after this long
  std::filesystem::path work_dir;    // empty: a temporary directory, removed afterwards
  bool keep_work_dir = false;
  // Kernel set of the generated code (kernel_select.hpp); empty: the target description's.
  // Overrides compile.kernels.
  std::string kernels;
};

struct BenchCase {
  std::string label;                   // "test_data_set_0", "random_0"
  std::vector<Tensor> outputs;         // as the firmware computed them
  std::vector<bool> output_bit_exact;  // per output, vs the interpreter
  std::vector<int64_t> mismatches;     // per output: elements whose bits differ
  std::vector<double> max_abs_diff;    // per output: largest |firmware - interpreter|
  std::vector<uint64_t> instructions;  // per measured run (empty without an emulator)
  std::optional<int64_t> top1;         // index of the largest element of output 0 (if > 1 element)
  bool bit_exact() const;
};

struct BenchSections {
  uint64_t text = 0;    // .text (code, vector table)
  uint64_t rodata = 0;  // .rodata and other read-only sections in flash (weights among them)
  uint64_t data = 0;    // .data (initial values stored in flash, copied to RAM)
  uint64_t bss = 0;     // .bss (arena, I/O buffers, libc state)
  uint64_t stack = 0;   // stack reserved by the linker script
};

struct BenchResult {
  std::string model;
  std::string target;
  std::string board;  // emulator machine, "" on the host
  std::string optimize;
  std::string quantization;  // "" for the float model, else the --quantize type ("int8")
  std::string kernels;       // kernel set the firmware was generated with
  int64_t macs = 0;
  int64_t arena_bytes = 0;               // from the memory plan
  int64_t arena_lower_bound = 0;         // liveness lower bound of the planned schedule
  int64_t arena_lower_bound_before = 0;  // same, given node order without in-place execution
  int64_t weight_bytes = 0;
  int64_t input_bytes = 0;  // test inputs the harness embeds in flash (part of rodata)
  BenchSections sections;
  std::optional<uint64_t> stack_high_water;  // bytes; none on the host
  std::vector<BenchCase> cases;
  bool instructions_measured = false;
  std::filesystem::path work_dir;

  uint64_t flash_bytes() const { return sections.text + sections.rodata + sections.data; }
  // RAM besides the arena: .data + .bss minus the arena.
  uint64_t other_ram_bytes() const;
  // Instructions of one inference over the input sets (each set's first measured run): counts
  // vary with the input (ReLU and MaxPool branches, saturation). The headline is the median, for
  // an even number of sets the lower middle one, so it is always a measured count.
  struct InstructionStats {
    uint64_t min = 0, median = 0, max = 0;
    size_t input_sets = 0;
  };
  std::optional<InstructionStats> instruction_stats() const;
  // The headline: instruction_stats()->median.
  std::optional<uint64_t> instructions() const;
  // Every run of every case gave the same count as the other runs of that case.
  bool deterministic() const;
  bool bit_exact() const;

  std::string table() const;
  nlohmann::json to_json() const;
};

// Throws kiln::Error on any failure that prevents a measurement: the model does not compile,
// the firmware does not build, it does not fit the target's memory ("... RAM overflowed by N
// bytes"), the emulator is missing, times out or the firmware faults. A numerical mismatch is
// reported in the result (bit_exact() == false), not thrown.
BenchResult run_bench(const std::string& model_path, const Target& target,
                      const BenchOptions& options);

}  // namespace kiln
