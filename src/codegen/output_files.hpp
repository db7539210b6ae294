#pragma once
// Rules for the files `kiln compile` writes: the --name that names them.
#include <cstddef>
#include <string_view>

namespace kiln {

// Longest --name: the C symbols derived from it (<name>_run_with_arena, <NAME>_ARENA_SIZE, ...)
// stay within the 63 significant characters C99 guarantees for internal identifiers.
inline constexpr size_t kMaxOutputNameLength = 40;

// Checks a --name value: a C identifier of at most kMaxOutputNameLength characters whose files
// (<name>.c, <name>.h) are not those of a kernel the generated code may copy next to them
// (kiln_copy, kiln_common, ...). UsageError naming the value and the reason otherwise.
void check_output_name(std::string_view name);

}  // namespace kiln
