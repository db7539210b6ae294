#pragma once
// A target is data: one JSON file per target in src/targets/descriptions/ (embedded into the
// binary) names the C compiler and its flags, kiln's runtime files for the architecture, the
// QEMU board that emulates it and its memory map. Nothing else in kiln branches on a target's
// name; code that needs a fact about a target reads it from here.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiln {

struct TargetMemoryRegion {
  uint64_t origin = 0;
  uint64_t size = 0;
  std::string what;  // which physical memory of the board this is
};

// A memory of the emulated board (QEMU's map of the machine): what a memory level may use.
struct TargetBoardRegion {
  std::string name;  // "DTCM", "SRAM", "DDR"...
  uint64_t origin = 0;
  uint64_t size = 0;
  bool read_only = false;  // ROM-like (QSPI flash modelled as ROM)
  std::string what;
};

// One level of the memory hierarchy the tiler plans for (docs/tiling.md): L1 is the fastest.
// `bytes` is the budget inside `region` (the whole region unless a smaller budget is given, e.g.
// a user-chosen L1 inside a Cortex-M4's single SRAM).
struct TargetMemoryLevel {
  std::string name;    // "L1", "L2", "L3"
  std::string region;  // a TargetBoardRegion name
  uint64_t bytes = 0;
  int64_t access_cycles = 1;  // per access from the core (model parameter)
};

// The DMA engine that moves tiles between levels (model parameters for the cycle estimate).
struct TargetDma {
  int64_t bytes_per_cycle = 1;
  int64_t latency_cycles = 0;  // per transfer
};

struct TargetToolchain {
  std::string cc;                    // C compiler (also assembles .S and links)
  std::string size;                  // binutils `size` for this architecture
  std::string nm;                    // binutils `nm`
  std::vector<std::string> cflags;   // code generation flags (-mcpu, -mthumb, -mfloat-abi, ...)
  std::vector<std::string> ldflags;  // link flags (--specs=..., -nostartfiles, ...)
  std::vector<std::string> libs;     // libraries after the objects (-lm)
};

struct TargetEmulator {
  std::string binary;                      // qemu-system-arm, qemu-system-riscv32
  std::string machine;                     // -M
  std::string cpu;                         // -cpu
  std::vector<std::string> args;           // further arguments (e.g. -bios none)
  std::vector<TargetBoardRegion> regions;  // the board's memories (optional)
};

struct Target {
  std::string name;
  std::string description;
  std::string arch;                   // "arm", "riscv", "host"
  std::string cpu;                    // core the code is compiled for
  std::vector<std::string> features;  // "dsp", "fpu-sp", "mve", ...
  std::string kernels;  // kernel set it uses: "fast" or "reference" (codegen/kernel_select.hpp)
  TargetToolchain toolchain;
  std::vector<std::string> runtime;        // files of src/targets/runtime/ a firmware is built from
  std::string linker_script;               // template in src/targets/runtime/, "" = host linker
  std::optional<TargetEmulator> emulator;  // none: runs natively
  std::optional<TargetMemoryRegion> flash;       // code and constants
  std::optional<TargetMemoryRegion> ram;         // data, bss (arena), stack
  int64_t stack_bytes = 0;                       // stack reserved at the top of RAM
  std::vector<TargetMemoryLevel> memory_levels;  // fastest first; empty: not described
  std::optional<TargetDma> dma;
  std::string notes;

  bool has_feature(std::string_view feature) const;
  // The level called `name`, or nullptr.
  const TargetMemoryLevel* memory_level(std::string_view name) const;
};

// Parses a target description. `origin` names the source in error messages. kiln::Error (one
// line, naming origin and the field) on malformed JSON, missing or mistyped fields, or a
// runtime file kiln does not have.
Target parse_target(std::string_view json_text, std::string_view origin);

// The built-in target called `name`. kiln::Error listing the valid names otherwise.
const Target& find_target(std::string_view name);

// A built-in name, or a path to a .json description (a custom board or memory map).
Target resolve_target(const std::string& name_or_path);

// Names of the built-in targets, sorted.
std::vector<std::string> target_names();

// Text of a file of kiln's runtime (src/targets/runtime/<name>). kiln::Error if unknown.
std::string_view target_runtime_file(std::string_view name);

}  // namespace kiln
