#pragma once
// A KernelCall is an op lowered to one call of a C99 kernel from src/kernels/: the function name
// and its arguments in the C signature's order. It is the single contract between op lowering
// (src/ops), the interpreter (which calls the function through a binding) and the code
// generator (which prints the call with constant arguments). Argument kinds map to C types:
//   Input  -> const T*   (a tensor read)          Output -> T* (a tensor written)
//   Int    -> int32_t                             Float  -> float
//   Ints   -> const int32_t* (a constant array)   Floats -> const float*
#include <cstdint>
#include <string>
#include <vector>

namespace kiln {

struct KernelArg {
  enum class Kind { Input, Output, Int, Float, Ints, Floats };
  Kind kind = Kind::Int;
  std::string tensor;         // Input / Output
  int64_t int_value = 0;      // Int (must fit int32_t; checked when built)
  float float_value = 0.0f;   // Float
  std::vector<int32_t> ints;  // Ints
  std::vector<float> floats;  // Floats
};

struct KernelCall {
  std::string function;  // e.g. "kiln_conv2d_f32"; defined in src/kernels/<function>.c
  std::vector<KernelArg> args;

  explicit KernelCall(std::string fn) : function(std::move(fn)) {}
  KernelCall& input(const std::string& tensor_name);  // "" allowed: passes NULL (optional input)
  // "" allowed: passes NULL (an unused slot of a kernel with a fixed number of outputs, e.g.
  // kiln_split); the kernel must not write through it.
  KernelCall& output(const std::string& tensor_name);
  KernelCall& i(int64_t value);  // throws kiln::Error if it does not fit int32_t
  KernelCall& f(float value);
  KernelCall& ints(const std::vector<int64_t>& values);
  KernelCall& floats(std::vector<float> values);
};

}  // namespace kiln
