#pragma once
// A node applies one op to named input tensors and produces named output tensors. Op types are
// ONNX names in their newest-opset form: the frontend upgrades older forms (see
// OpDef::upgrade), so passes, shape rules and kernels only know one form per op.
#include <optional>
#include <string>
#include <vector>

#include "ir/attribute.hpp"
#include "ir/tensor.hpp"

namespace kiln {

// An activation folded into the op that produces its input (passes/fuse_activation).
// Kernels apply it to each output element; semantics live in src/kernels/kiln_activation.h.
enum class Activation : int32_t {
  None = 0,
  Relu = 1,
  Clip = 2,       // alpha = min, beta = max (Relu6 is Clip 0..6)
  LeakyRelu = 3,  // alpha = negative slope
  HardSwish = 4,
  Sigmoid = 5,
  HardSigmoid = 6,  // alpha, beta as in ONNX HardSigmoid
  Tanh = 7,
};

struct FusedActivation {
  Activation kind = Activation::None;
  float alpha = 0.0f;
  float beta = 0.0f;
};

struct Node {
  std::string name;
  std::string op_type;
  std::string domain;               // "" for the default ONNX domain
  std::vector<std::string> inputs;  // "" marks an omitted optional input
  std::vector<std::string> outputs;
  Attributes attrs;
  FusedActivation activation;  // applied after the op's own computation
  std::string target = "cpu";  // which processor runs it (accelerator partitioning sets this)

  // Typed attribute access with defaults. Throw kiln::Error naming node, op and attribute when
  // the attribute exists with another type.
  int64_t attr_int(const std::string& key, int64_t fallback) const;
  float attr_float(const std::string& key, float fallback) const;
  std::string attr_string(const std::string& key, const std::string& fallback) const;
  std::vector<int64_t> attr_ints(const std::string& key,
                                 const std::vector<int64_t>& fallback) const;
  std::vector<float> attr_floats(const std::string& key, const std::vector<float>& fallback) const;
  std::shared_ptr<const Tensor> attr_tensor(const std::string& key) const;  // null if absent
  bool has_attr(const std::string& key) const { return attrs.count(key) != 0; }

  bool has_input(size_t i) const { return i < inputs.size() && !inputs[i].empty(); }
  // "node 'conv1' (Conv)" — the prefix of every error message about this node.
  std::string describe() const;
};

// Most inputs and outputs one node may have. Real models stay far below (the widest Concat in
// common networks has a few hundred inputs); a 5,000-input Sum or a 10,000-output Split is
// refused by the frontends before any planning, in one line naming the node and the limit.
constexpr size_t kMaxNodeInputs = 1024;
constexpr size_t kMaxNodeOutputs = 1024;
// Throws Error when the node has more inputs or outputs than the limits above.
void check_node_arity(const Node& node);

}  // namespace kiln
