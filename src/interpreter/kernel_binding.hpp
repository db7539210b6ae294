#pragma once
// Binds a C kernel's name to a thunk that calls it with the arguments of a KernelCall. Each
// kernel family registers its bindings from src/interpreter/bindings_<family>.cpp; the kernel
// itself (semantics) lives only in src/kernels/<function>.c.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ir/error.hpp"
#include "ops/kernel_call.hpp"

namespace kiln {

// The resolved arguments of one call: tensor pointers and scalar values, by argument index.
class KernelInvocation {
 public:
  KernelInvocation(const KernelCall& call, std::vector<void*> tensor_pointers)
      : call_(call), pointers_(std::move(tensor_pointers)) {}

  template <typename T>
  const T* in(size_t index) const {
    expect(index, KernelArg::Kind::Input);
    return static_cast<const T*>(pointers_[index]);
  }
  template <typename T>
  T* out(size_t index) const {
    expect(index, KernelArg::Kind::Output);
    return static_cast<T*>(pointers_[index]);
  }
  int32_t i(size_t index) const {
    expect(index, KernelArg::Kind::Int);
    return static_cast<int32_t>(call_.args[index].int_value);
  }
  float f(size_t index) const {
    expect(index, KernelArg::Kind::Float);
    return call_.args[index].float_value;
  }
  const int32_t* ints(size_t index) const {
    expect(index, KernelArg::Kind::Ints);
    // An empty array is NULL, as in generated code (param_array).
    return call_.args[index].ints.empty() ? nullptr : call_.args[index].ints.data();
  }
  const float* floats(size_t index) const {
    expect(index, KernelArg::Kind::Floats);
    return call_.args[index].floats.data();
  }
  const KernelCall& call() const { return call_; }

 private:
  void expect(size_t index, KernelArg::Kind kind) const {
    if (index >= call_.args.size() || call_.args[index].kind != kind)
      throw InternalError("kernel " + call_.function + ": argument " + std::to_string(index) +
                          " has the wrong kind for its binding");
  }
  const KernelCall& call_;
  std::vector<void*> pointers_;  // per argument; null for non-tensor args and omitted inputs
};

using KernelThunk = void (*)(const KernelInvocation&);

void register_kernel(std::string name, KernelThunk thunk);
// Error if no binding exists (an op lowered to a kernel the interpreter was not built with).
KernelThunk find_kernel(std::string_view name);

namespace detail {
struct KernelRegistrar {
  KernelRegistrar(const char* name, KernelThunk thunk) { register_kernel(name, thunk); }
};
}  // namespace detail

}  // namespace kiln

#define KILN_BIND_CAT2(a, b) a##b
#define KILN_BIND_CAT(a, b) KILN_BIND_CAT2(a, b)
// Usage at namespace scope:
//   KILN_BIND_KERNEL(kiln_relu_f32, [](const KernelInvocation& k) {
//     kiln_relu_f32(k.in<float>(0), k.out<float>(1), k.i(2)); });
#define KILN_BIND_KERNEL(name, ...)                                                         \
  static const ::kiln::detail::KernelRegistrar KILN_BIND_CAT(kiln_kernel_, __LINE__)(#name, \
                                                                                     __VA_ARGS__)
