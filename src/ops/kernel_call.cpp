#include "ops/kernel_call.hpp"

#include <limits>

#include "ir/error.hpp"

namespace kiln {

namespace {
int32_t checked_int32(int64_t value, const std::string& function) {
  if (value < std::numeric_limits<int32_t>::min() || value > std::numeric_limits<int32_t>::max())
    throw Error("kernel " + function + ": argument " + std::to_string(value) +
                " does not fit in int32_t (tensor too large for the target)");
  return static_cast<int32_t>(value);
}
}  // namespace

KernelCall& KernelCall::input(const std::string& tensor_name) {
  KernelArg a{};
  a.kind = KernelArg::Kind::Input;
  a.tensor = tensor_name;
  args.push_back(std::move(a));
  return *this;
}

KernelCall& KernelCall::output(const std::string& tensor_name) {
  KernelArg a{};
  a.kind = KernelArg::Kind::Output;
  a.tensor = tensor_name;
  args.push_back(std::move(a));
  return *this;
}

KernelCall& KernelCall::i(int64_t value) {
  KernelArg a{};
  a.kind = KernelArg::Kind::Int;
  a.int_value = checked_int32(value, function);
  args.push_back(std::move(a));
  return *this;
}

KernelCall& KernelCall::f(float value) {
  KernelArg a{};
  a.kind = KernelArg::Kind::Float;
  a.float_value = value;
  args.push_back(std::move(a));
  return *this;
}

KernelCall& KernelCall::ints(const std::vector<int64_t>& values) {
  KernelArg a{};
  a.kind = KernelArg::Kind::Ints;
  for (int64_t v : values) a.ints.push_back(checked_int32(v, function));
  args.push_back(std::move(a));
  return *this;
}

KernelCall& KernelCall::floats(std::vector<float> values) {
  KernelArg a{};
  a.kind = KernelArg::Kind::Floats;
  a.floats = std::move(values);
  args.push_back(std::move(a));
  return *this;
}

}  // namespace kiln
