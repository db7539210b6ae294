#pragma once
// The C kernel sources (src/kernels/*.c, *.h) embedded into the kiln binary at build time, by
// file name. The code generator copies the ones a model needs into its output.
#include <map>
#include <string>
#include <string_view>

namespace kiln {

const std::map<std::string, std::string_view>& embedded_kernel_sources();

}  // namespace kiln
