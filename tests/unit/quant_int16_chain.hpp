#pragma once
// A float graph whose every op has an int16 form (TFLite's 16x8 scheme), shared by the PTQ test
// (quant_ops_test) and the interpreter-vs-generated-C test (quant_codegen_test):
// Conv -> MaxPool -> AveragePool -> Concat(MaxPool, AveragePool) -> Pad -> Sigmoid ->
// GlobalAveragePool + GlobalMaxPool -> Add.
#include "pass_test_util.hpp"

namespace kiln::pass_test {

inline Graph int16_op_chain() {
  Builder b("quant_int16_chain");
  b.input("x", {1, 2, 8, 8})
      .random("w", {4, 2, 3, 3}, -0.5f, 0.5f)
      .random("bias", {4}, -0.2f, 0.2f)
      .node("Conv", {"x", "w", "bias"}, {"c"},
            {{"kernel_shape", std::vector<int64_t>{3, 3}},
             {"pads", std::vector<int64_t>{1, 1, 1, 1}}})
      .node("MaxPool", {"c"}, {"m"},
            {{"kernel_shape", std::vector<int64_t>{2, 2}}, {"strides", std::vector<int64_t>{2, 2}}})
      .node("AveragePool", {"m"}, {"a"},
            {{"kernel_shape", std::vector<int64_t>{3, 3}},
             {"pads", std::vector<int64_t>{1, 1, 1, 1}}})
      .node("Concat", {"m", "a"}, {"j"}, {{"axis", int64_t{1}}})
      .ints("pads", {8}, {0, 0, 1, 1, 0, 0, 1, 1})
      .node("Pad", {"j", "pads"}, {"p"})
      .node("Sigmoid", {"p"}, {"s"})
      .node("GlobalAveragePool", {"s"}, {"g"})
      .node("GlobalMaxPool", {"s"}, {"h"})
      .node("Add", {"g", "h"}, {"y"})
      .output("y");
  return b.inferred();
}

}  // namespace kiln::pass_test
