#pragma once
// Files compiled into the kiln binary by cmake/embed_files.cmake, by file name:
// src/targets/descriptions/*.json (the target descriptions) and src/targets/runtime/* (kiln's
// bare-metal startup code, semihosting, linker script template and the QEMU counting plugin).
#include <map>
#include <string>
#include <string_view>

namespace kiln {

const std::map<std::string, std::string_view>& embedded_target_descriptions();
const std::map<std::string, std::string_view>& embedded_target_runtime();

}  // namespace kiln
