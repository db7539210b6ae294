#include "ir/node.hpp"

#include "ir/error.hpp"
#include "ir/messages.hpp"

namespace kiln {

std::string attribute_kind_name(const AttributeValue& value) {
  switch (value.index()) {
    case 0: return "INT";
    case 1: return "FLOAT";
    case 2: return "STRING";
    case 3: return "INTS";
    case 4: return "FLOATS";
    case 5: return "STRINGS";
    case 6: return "TENSOR";
  }
  return "UNKNOWN";
}

std::string Node::describe() const {
  std::string op = domain.empty() ? op_type : domain + "." + op_type;
  return "node " + quote_name(name) + " (" + one_line(op, kMaxQuotedNameBytes) + ")";
}

void check_node_arity(const Node& node) {
  auto check = [&](size_t count, size_t limit, const char* what) {
    if (count > limit)
      throw Error(node.describe() + ": has " + std::to_string(count) + " " + what +
                  ", more than kiln accepts per node (" + std::to_string(limit) + ")");
  };
  check(node.inputs.size(), kMaxNodeInputs, "inputs");
  check(node.outputs.size(), kMaxNodeOutputs, "outputs");
}

namespace {
template <typename T>
const T* typed_attr(const Node& node, const std::string& key, const char* expected) {
  auto it = node.attrs.find(key);
  if (it == node.attrs.end()) return nullptr;
  if (const T* v = std::get_if<T>(&it->second)) return v;
  throw Error(node.describe() + ": attribute " + quote_name(key) + " must be " + expected +
              ", got " + attribute_kind_name(it->second));
}
}  // namespace

int64_t Node::attr_int(const std::string& key, int64_t fallback) const {
  const int64_t* v = typed_attr<int64_t>(*this, key, "INT");
  return v ? *v : fallback;
}

float Node::attr_float(const std::string& key, float fallback) const {
  const float* v = typed_attr<float>(*this, key, "FLOAT");
  return v ? *v : fallback;
}

std::string Node::attr_string(const std::string& key, const std::string& fallback) const {
  const std::string* v = typed_attr<std::string>(*this, key, "STRING");
  return v ? *v : fallback;
}

std::vector<int64_t> Node::attr_ints(const std::string& key,
                                     const std::vector<int64_t>& fallback) const {
  const auto* v = typed_attr<std::vector<int64_t>>(*this, key, "INTS");
  return v ? *v : fallback;
}

std::vector<float> Node::attr_floats(const std::string& key,
                                     const std::vector<float>& fallback) const {
  const auto* v = typed_attr<std::vector<float>>(*this, key, "FLOATS");
  return v ? *v : fallback;
}

std::shared_ptr<const Tensor> Node::attr_tensor(const std::string& key) const {
  const auto* v = typed_attr<std::shared_ptr<const Tensor>>(*this, key, "TENSOR");
  return v ? *v : nullptr;
}

}  // namespace kiln
