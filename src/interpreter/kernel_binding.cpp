#include "interpreter/kernel_binding.hpp"

#include <map>

namespace kiln {

namespace {
std::map<std::string, KernelThunk, std::less<>>& bindings() {
  static std::map<std::string, KernelThunk, std::less<>> table;
  return table;
}
}  // namespace

void register_kernel(std::string name, KernelThunk thunk) {
  if (!bindings().emplace(name, thunk).second)
    throw InternalError("kernel " + name + " bound twice");
}

KernelThunk find_kernel(std::string_view name) {
  auto it = bindings().find(name);
  if (it == bindings().end())
    throw InternalError("no interpreter binding for kernel " + std::string(name));
  return it->second;
}

}  // namespace kiln
