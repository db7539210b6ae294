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

struct TargetToolchain {
  std::string cc;                    // C compiler (also assembles .S and links)
  std::string size;                  // binutils `size` for this architecture
  std::string nm;                    // binutils `nm`
  std::vector<std::string> cflags;   // code generation flags (-mcpu, -mthumb, -mfloat-abi, ...)
  std::vector<std::string> ldflags;  // link flags (--specs=..., -nostartfiles, ...)
  std::vector<std::string> libs;     // libraries after the objects (-lm)
};

struct TargetEmulator {
  std::string binary;             // qemu-system-arm, qemu-system-riscv32
  std::string machine;            // -M
  std::string cpu;                // -cpu
  std::vector<std::string> args;  // further arguments (e.g. -bios none)
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
  std::optional<TargetMemoryRegion> flash;  // code and constants
  std::optional<TargetMemoryRegion> ram;    // data, bss (arena), stack
  int64_t stack_bytes = 0;                  // stack reserved at the top of RAM
  std::string notes;

  bool has_feature(std::string_view feature) const;
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
