#pragma once
// Typed node attributes. Accessors check the type and report the node, op and attribute by
// name, so a model with a wrong attribute type fails with one clear line instead of garbage.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace kiln {

struct Tensor;

using AttributeValue =
    std::variant<int64_t, float, std::string, std::vector<int64_t>, std::vector<float>,
                 std::vector<std::string>, std::shared_ptr<const Tensor>>;

std::string attribute_kind_name(const AttributeValue& value);  // "INT", "FLOATS", "TENSOR", ...

using Attributes = std::map<std::string, AttributeValue>;

}  // namespace kiln
