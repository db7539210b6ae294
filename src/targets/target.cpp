#include "targets/target.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "codegen/kernel_select.hpp"
#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "targets/embedded_targets.hpp"

namespace kiln {

namespace {

using nlohmann::json;

class DescriptionReader {
 public:
  explicit DescriptionReader(std::string_view origin) : origin_(origin) {}

  [[noreturn]] void fail(std::string_view field, std::string_view problem) const {
    throw Error("target description " + origin_ + ": " + quote_name(std::string(field)) + " " +
                std::string(problem));
  }

  const json& member(const json& object, std::string_view field, std::string_view path) const {
    const auto it = object.find(std::string(field));
    if (it == object.end()) fail(path, "is missing");
    return *it;
  }

  std::string string(const json& object, std::string_view field, std::string_view path) const {
    const json& value = member(object, field, path);
    if (!value.is_string()) fail(path, "must be a string");
    return value.get<std::string>();
  }

  std::string optional_string(const json& object, std::string_view field) const {
    const auto it = object.find(std::string(field));
    if (it == object.end()) return "";
    if (!it->is_string()) fail(field, "must be a string");
    return it->get<std::string>();
  }

  std::vector<std::string> strings(const json& object, std::string_view field,
                                   std::string_view path) const {
    const json& value = member(object, field, path);
    if (!value.is_array()) fail(path, "must be an array of strings");
    std::vector<std::string> out;
    for (const json& item : value) {
      if (!item.is_string()) fail(path, "must be an array of strings");
      out.push_back(item.get<std::string>());
    }
    return out;
  }

  // Addresses and sizes are written as hexadecimal strings ("0x20000000") for readability;
  // plain JSON integers are accepted too.
  uint64_t address(const json& object, std::string_view field, std::string_view path) const {
    const json& value = member(object, field, path);
    if (value.is_number_unsigned()) return value.get<uint64_t>();
    if (!value.is_string()) fail(path, "must be a number or a \"0x...\" string");
    const std::string text = value.get<std::string>();
    size_t used = 0;
    uint64_t result = 0;
    try {
      result = std::stoull(text, &used, 0);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != text.size()) fail(path, "is not a number: " + quote_name(text));
    return result;
  }

  int64_t positive_integer(const json& object, std::string_view field,
                           std::string_view path) const {
    const json& value = member(object, field, path);
    if (!value.is_number_integer() || value.get<int64_t>() <= 0)
      fail(path, "must be a positive integer");
    return value.get<int64_t>();
  }

  std::vector<TargetBoardRegion> board_regions(const json& emulator) const {
    std::vector<TargetBoardRegion> regions;
    const auto it = emulator.find("regions");
    if (it == emulator.end()) return regions;
    if (!it->is_array()) fail("emulator.regions", "must be an array");
    for (size_t i = 0; i < it->size(); ++i) {
      const std::string path = "emulator.regions[" + std::to_string(i) + "]";
      const json& value = (*it)[i];
      if (!value.is_object()) fail(path, "must be an object");
      TargetBoardRegion region;
      region.name = string(value, "name", path + ".name");
      region.origin = address(value, "origin", path + ".origin");
      region.size = address(value, "size", path + ".size");
      region.what = optional_string(value, "what");
      if (const auto ro = value.find("read_only"); ro != value.end()) {
        if (!ro->is_boolean()) fail(path + ".read_only", "must be true or false");
        region.read_only = ro->get<bool>();
      }
      if (region.size == 0) fail(path + ".size", "must be positive");
      if (region.origin + region.size < region.origin || region.origin + region.size > (1ull << 32))
        fail(path, "does not fit a 32-bit address space");
      for (const TargetBoardRegion& other : regions)
        if (other.name == region.name) fail(path + ".name", "repeats " + quote_name(region.name));
      regions.push_back(region);
    }
    return regions;
  }

  // memory.levels: each level names a region of the board (emulator.regions); a level in a
  // region the board lacks is an error here, at target load.
  std::vector<TargetMemoryLevel> memory_levels(const json& memory,
                                               const std::vector<TargetBoardRegion>& board,
                                               const std::string& machine) const {
    std::vector<TargetMemoryLevel> levels;
    const auto it = memory.find("levels");
    if (it == memory.end()) return levels;
    if (!it->is_array()) fail("memory.levels", "must be an array");
    for (size_t i = 0; i < it->size(); ++i) {
      const std::string path = "memory.levels[" + std::to_string(i) + "]";
      const json& value = (*it)[i];
      if (!value.is_object()) fail(path, "must be an object");
      TargetMemoryLevel level;
      level.name = string(value, "name", path + ".name");
      level.region = string(value, "region", path + ".region");
      const auto region = std::find_if(board.begin(), board.end(),
                                       [&](const auto& r) { return r.name == level.region; });
      if (region == board.end()) {
        std::string known;
        for (const TargetBoardRegion& r : board) known += (known.empty() ? "" : ", ") + r.name;
        fail(path + ".region",
             "names " + quote_name(level.region) + ", which the board " +
                 (machine.empty() ? std::string("") : "(" + machine + ") ") +
                 "does not have (its regions: " + (known.empty() ? "none described" : known) + ")");
      }
      level.bytes =
          value.contains("bytes") ? address(value, "bytes", path + ".bytes") : region->size;
      if (level.bytes == 0 || level.bytes > region->size)
        fail(path + ".bytes", "must be between 1 and the size of region '" + region->name + "' (" +
                                  std::to_string(region->size) + ")");
      level.access_cycles = positive_integer(value, "access_cycles", path + ".access_cycles");
      for (const TargetMemoryLevel& other : levels)
        if (other.name == level.name) fail(path + ".name", "repeats " + quote_name(level.name));
      levels.push_back(level);
    }
    return levels;
  }

  TargetMemoryRegion region(const json& memory, std::string_view field) const {
    const std::string path = "memory." + std::string(field);
    const json& value = member(memory, field, path);
    if (!value.is_object()) fail(path, "must be an object");
    TargetMemoryRegion region;
    region.origin = address(value, "origin", path + ".origin");
    region.size = address(value, "size", path + ".size");
    region.what = optional_string(value, "what");
    if (region.size == 0) fail(path + ".size", "must be positive");
    if (region.origin + region.size < region.origin || region.origin + region.size > (1ull << 32))
      fail(path, "does not fit a 32-bit address space");
    return region;
  }

 private:
  std::string origin_;
};

std::map<std::string, Target, std::less<>> load_builtin_targets() {
  std::map<std::string, Target, std::less<>> targets;
  for (const auto& [file, text] : embedded_target_descriptions()) {
    Target target = parse_target(text, file);
    const std::string expected = file.substr(0, file.size() - std::string_view(".json").size());
    if (target.name != expected)
      throw InternalError("target description " + file + " is named " + quote_name(target.name));
    targets.emplace(target.name, std::move(target));
  }
  return targets;
}

const std::map<std::string, Target, std::less<>>& builtin_targets() {
  static const std::map<std::string, Target, std::less<>> targets = load_builtin_targets();
  return targets;
}

}  // namespace

bool Target::has_feature(std::string_view feature) const {
  return std::find(features.begin(), features.end(), feature) != features.end();
}

const TargetMemoryLevel* Target::memory_level(std::string_view level_name) const {
  for (const TargetMemoryLevel& level : memory_levels)
    if (level.name == level_name) return &level;
  return nullptr;
}

Target parse_target(std::string_view json_text, std::string_view origin) {
  const DescriptionReader reader(origin);
  json doc;
  try {
    doc = json::parse(json_text);
  } catch (const json::parse_error& e) {
    throw Error("target description " + std::string(origin) + ": invalid JSON: " + e.what());
  }
  if (!doc.is_object()) reader.fail("(top level)", "must be a JSON object");

  Target t;
  t.name = reader.string(doc, "name", "name");
  if (t.name.empty()) reader.fail("name", "must not be empty");
  t.description = reader.optional_string(doc, "description");
  t.arch = reader.string(doc, "arch", "arch");
  t.cpu = reader.string(doc, "cpu", "cpu");
  t.features = reader.strings(doc, "features", "features");
  t.kernels = reader.string(doc, "kernels", "kernels");
  check_kernel_set(t.kernels, "target description " + std::string(origin) + ": kernels");
  t.notes = reader.optional_string(doc, "notes");

  const json& tc = reader.member(doc, "toolchain", "toolchain");
  if (!tc.is_object()) reader.fail("toolchain", "must be an object");
  t.toolchain.cc = reader.string(tc, "cc", "toolchain.cc");
  t.toolchain.size = reader.string(tc, "size", "toolchain.size");
  t.toolchain.nm = reader.string(tc, "nm", "toolchain.nm");
  t.toolchain.cflags = reader.strings(tc, "cflags", "toolchain.cflags");
  t.toolchain.ldflags = reader.strings(tc, "ldflags", "toolchain.ldflags");
  t.toolchain.libs = reader.strings(tc, "libs", "toolchain.libs");

  t.runtime = reader.strings(doc, "runtime", "runtime");
  for (const std::string& file : t.runtime)
    if (!embedded_target_runtime().count(file))
      reader.fail("runtime",
                  "names " + quote_name(file) + ", which is not a file of src/targets/runtime");
  t.linker_script = reader.optional_string(doc, "linker_script");
  if (!t.linker_script.empty() && !embedded_target_runtime().count(t.linker_script))
    reader.fail("linker_script",
                "names " + quote_name(t.linker_script) + ", which kiln does not have");

  if (const auto it = doc.find("emulator"); it != doc.end() && !it->is_null()) {
    if (!it->is_object()) reader.fail("emulator", "must be an object");
    TargetEmulator emu;
    emu.binary = reader.string(*it, "binary", "emulator.binary");
    emu.machine = reader.string(*it, "machine", "emulator.machine");
    emu.cpu = reader.string(*it, "cpu", "emulator.cpu");
    emu.args = reader.strings(*it, "args", "emulator.args");
    emu.regions = reader.board_regions(*it);
    t.emulator = emu;
  }
  if (const auto it = doc.find("memory"); it != doc.end() && !it->is_null()) {
    if (!it->is_object()) reader.fail("memory", "must be an object");
    t.flash = reader.region(*it, "flash");
    t.ram = reader.region(*it, "ram");
    const std::vector<TargetBoardRegion> no_regions;
    t.memory_levels = reader.memory_levels(*it, t.emulator ? t.emulator->regions : no_regions,
                                           t.emulator ? t.emulator->machine : std::string());
    if (const auto dma = it->find("dma"); dma != it->end()) {
      if (!dma->is_object()) reader.fail("memory.dma", "must be an object");
      TargetDma engine;
      engine.bytes_per_cycle =
          reader.positive_integer(*dma, "bytes_per_cycle", "memory.dma.bytes_per_cycle");
      engine.latency_cycles =
          reader.positive_integer(*dma, "latency_cycles", "memory.dma.latency_cycles");
      t.dma = engine;
    }
    if (t.memory_levels.size() > 1 && !t.dma)
      reader.fail("memory.dma", "is required when several memory levels are given");
  }
  if (const auto it = doc.find("stack_bytes"); it != doc.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 0)
      reader.fail("stack_bytes", "must be a non-negative integer");
    t.stack_bytes = it->get<int64_t>();
  }
  // A firmware needs all three together: the board to run on, where things go, and how to link.
  const bool bare_metal = t.emulator.has_value();
  if (bare_metal && (!t.flash || !t.ram))
    reader.fail("memory", "is required when an emulator is given (flash and ram regions)");
  if (bare_metal && t.linker_script.empty())
    reader.fail("linker_script", "is required when an emulator is given");
  if (bare_metal && t.stack_bytes <= 0)
    reader.fail("stack_bytes", "must be positive when an emulator is given");
  if (bare_metal && t.ram && static_cast<uint64_t>(t.stack_bytes) > t.ram->size)
    reader.fail("stack_bytes", "is larger than the RAM region");
  return t;
}

std::vector<std::string> target_names() {
  std::vector<std::string> names;
  for (const auto& [name, target] : builtin_targets()) names.push_back(name);
  return names;
}

const Target& find_target(std::string_view name) {
  const auto& targets = builtin_targets();
  if (const auto it = targets.find(name); it != targets.end()) return it->second;
  std::string valid;
  for (const auto& [known, target] : targets) valid += (valid.empty() ? "" : ", ") + known;
  throw Error("unknown target " + quote_name(std::string(name)) + " (valid targets: " + valid +
              "; or a path to a .json target description)");
}

Target resolve_target(const std::string& name_or_path) {
  const std::filesystem::path path(name_or_path);
  if (path.extension() != ".json") return find_target(name_or_path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read target description " + name_or_path);
  std::ostringstream text;
  text << in.rdbuf();
  return parse_target(text.str(), name_or_path);
}

std::string_view target_runtime_file(std::string_view name) {
  const auto& files = embedded_target_runtime();
  const auto it = files.find(std::string(name));
  if (it == files.end()) throw Error("kiln has no runtime file " + quote_name(std::string(name)));
  return it->second;
}

}  // namespace kiln
