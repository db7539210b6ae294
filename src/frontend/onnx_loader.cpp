#include "frontend/onnx_loader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string_view>

#include "frontend/onnx_tensor.hpp"
#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "ops/op_registry.hpp"
#include "passes/infer_shapes.hpp"

namespace kiln::onnx_frontend {

namespace {

bool is_default_domain(std::string_view domain) {
  return domain.empty() || domain == "ai.onnx";
}

// Opset versions the model imports, per domain ("" for the default ONNX domain).
struct Opsets {
  int default_opset = 0;
  std::map<std::string, int> other;

  // Version of `domain` that nodes are read as. A custom domain the model forgot to import is
  // read as version 1 (the version every custom domain starts at) rather than rejected.
  int of(const std::string& domain) const {
    if (domain.empty()) return default_opset;
    auto it = other.find(domain);
    return it == other.end() ? 1 : it->second;
  }
};

Opsets read_opsets(const onnx::ModelProto& model) {
  Opsets opsets;
  bool has_default = false;
  for (const onnx::OperatorSetIdProto& id : model.opset_import()) {
    if (id.version() < 0 || id.version() > std::numeric_limits<int>::max())
      throw Error(fmt::format("opset_import of domain {} has invalid version {}",
                              quote_name(id.domain()), id.version()));
    int version = static_cast<int>(id.version());
    if (is_default_domain(id.domain())) {
      if (!has_default) opsets.default_opset = version;
      has_default = true;
    } else {
      opsets.other.emplace(id.domain(), version);
    }
  }
  if (!has_default) {
    // Models made only of other domains' ops (ai.onnx.preview.training...) need no default
    // opset; their nodes are then judged by their own domain's registration.
    for (const onnx::NodeProto& node : model.graph().node())
      if (is_default_domain(node.domain()))
        throw Error("model imports no opset of the default ONNX domain");
    return opsets;
  }
  if (opsets.default_opset < kMinOpset || opsets.default_opset > kMaxOpset)
    throw UnsupportedError(fmt::format("opset {} is not supported (kiln reads opsets {} to {})",
                                       opsets.default_opset, kMinOpset, kMaxOpset));
  return opsets;
}

std::string display_domain(const std::string& domain) {
  return domain.empty() ? "ai.onnx" : domain;
}

// Element type of a tensor-typed ValueInfo, or nullopt when it is not a supported tensor type.
std::optional<DType> value_info_dtype(const onnx::ValueInfoProto& info) {
  if (!info.type().has_tensor_type()) return std::nullopt;
  return dtype_from_onnx(info.type().tensor_type().elem_type());
}

// Infers the type of attributes written by old exporters that left AttributeProto.type unset.
onnx::AttributeProto_AttributeType effective_type(const onnx::AttributeProto& a) {
  if (a.type() != onnx::AttributeProto_AttributeType_UNDEFINED) return a.type();
  if (a.has_f()) return onnx::AttributeProto_AttributeType_FLOAT;
  if (a.has_i()) return onnx::AttributeProto_AttributeType_INT;
  if (a.has_s()) return onnx::AttributeProto_AttributeType_STRING;
  if (a.has_t()) return onnx::AttributeProto_AttributeType_TENSOR;
  if (a.has_g()) return onnx::AttributeProto_AttributeType_GRAPH;
  if (a.floats_size() > 0) return onnx::AttributeProto_AttributeType_FLOATS;
  if (a.ints_size() > 0) return onnx::AttributeProto_AttributeType_INTS;
  if (a.strings_size() > 0) return onnx::AttributeProto_AttributeType_STRINGS;
  return onnx::AttributeProto_AttributeType_UNDEFINED;
}

std::string attribute_type_name(int type) {
  if (onnx::AttributeProto_AttributeType_IsValid(type))
    return onnx::AttributeProto_AttributeType_Name(
        static_cast<onnx::AttributeProto_AttributeType>(type));
  return fmt::format("type {}", type);
}

AttributeValue convert_attribute(const onnx::AttributeProto& a, const Node& node) {
  const std::string what = fmt::format("{}: attribute {}", node.describe(), quote_name(a.name()));
  switch (effective_type(a)) {
    case onnx::AttributeProto_AttributeType_INT: return int64_t{a.i()};
    case onnx::AttributeProto_AttributeType_FLOAT: return a.f();
    case onnx::AttributeProto_AttributeType_STRING: return a.s();
    case onnx::AttributeProto_AttributeType_INTS:
      return std::vector<int64_t>(a.ints().begin(), a.ints().end());
    case onnx::AttributeProto_AttributeType_FLOATS:
      return std::vector<float>(a.floats().begin(), a.floats().end());
    case onnx::AttributeProto_AttributeType_STRINGS:
      return std::vector<std::string>(a.strings().begin(), a.strings().end());
    case onnx::AttributeProto_AttributeType_TENSOR: {
      std::string name = a.t().name().empty() ? node.name + "." + a.name() : a.t().name();
      return std::make_shared<const Tensor>(tensor_from_onnx(a.t(), name, what));
    }
    case onnx::AttributeProto_AttributeType_UNDEFINED:
      throw Error(fmt::format("{} has no type and no value", what));
    default:
      throw UnsupportedError(
          fmt::format("{} has unsupported type {}", what, attribute_type_name(a.type())));
  }
}

// Gives every node a unique, non-empty name: the model's own name when it is unique, otherwise
// "<op_type>_<index>" (with a suffix if even that is taken).
std::vector<std::string> unique_node_names(const onnx::GraphProto& graph) {
  std::map<std::string, int> count;
  for (const onnx::NodeProto& n : graph.node()) ++count[n.name()];
  std::set<std::string> taken;
  for (const auto& [name, c] : count)
    if (c == 1 && !name.empty()) taken.insert(name);
  std::vector<std::string> names;
  names.reserve(static_cast<size_t>(graph.node_size()));
  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto& n = graph.node(i);
    if (!n.name().empty() && count[n.name()] == 1) {
      names.push_back(n.name());
      continue;
    }
    std::string base = fmt::format("{}_{}", n.op_type().empty() ? "node" : n.op_type(), i);
    std::string candidate = base;
    for (int suffix = 1; taken.count(candidate); ++suffix)
      candidate = fmt::format("{}_{}", base, suffix);
    taken.insert(candidate);
    names.push_back(candidate);
  }
  return names;
}

// Describes who already owns a tensor name, for duplicate-producer errors.
std::string owner_of(const Graph& graph, const std::string& tensor_name,
                     const std::map<std::string, std::string>& producer_node) {
  auto it = producer_node.find(tensor_name);
  if (it != producer_node.end()) return "node " + quote_name(it->second);
  if (graph.is_graph_input(tensor_name)) return "a graph input";
  return "an initializer";
}

class GraphBuilder {
 public:
  GraphBuilder(const onnx::ModelProto& model, const std::string& source, const LoadOptions& options)
      : model_(model), proto_(model.graph()), options_(options) {
    graph_.source = source;
    graph_.name = proto_.name().empty() ? "model" : proto_.name();
  }

  Graph build() {
    opsets_ = read_opsets(model_);
    graph_.opset = opsets_.default_opset;
    if (proto_.sparse_initializer_size() > 0)
      throw UnsupportedError(fmt::format("sparse initializer {} is not supported",
                                         quote_name(proto_.sparse_initializer(0).values().name())));
    collect_value_infos();
    add_initializers();
    add_runtime_inputs();
    add_nodes();
    check_node_inputs();
    add_outputs();
    upgrade_nodes();
    graph_.topo_sort();
    graph_.remove_unused_tensors();
    infer_shapes(graph_);
    drop_folded_nodes(graph_);
    graph_.verify();
    return std::move(graph_);
  }

 private:
  void collect_value_infos() {
    for (const auto* list : {&proto_.value_info(), &proto_.output(), &proto_.input()})
      for (const onnx::ValueInfoProto& info : *list)
        if (auto dtype = value_info_dtype(info)) value_dtypes_.emplace(info.name(), *dtype);
  }

  void add_initializers() {
    for (int i = 0; i < proto_.initializer_size(); ++i) {
      const onnx::TensorProto& init = proto_.initializer(i);
      if (init.name().empty()) throw Error(fmt::format("initializer #{} has no name", i));
      if (graph_.find_tensor(init.name()))
        throw Error(fmt::format("initializer {} is defined twice", quote_name(init.name())));
      graph_.add_tensor(
          tensor_from_onnx(init, init.name(), "initializer " + quote_name(init.name())));
    }
  }

  Shape runtime_input_shape(const onnx::ValueInfoProto& input) {
    const std::string& name = input.name();
    const onnx::TypeProto_Tensor& type = input.type().tensor_type();
    auto override_it = options_.input_shapes.find(name);
    if (!type.has_shape()) {
      if (override_it != options_.input_shapes.end()) return override_it->second;
      throw Error(fmt::format("input {} has no shape in the model; give one with --shape {}=...",
                              quote_name(name), name));
    }
    const auto& dims = type.shape().dim();
    if (override_it != options_.input_shapes.end()) {
      const Shape& given = override_it->second;
      if (static_cast<int>(given.size()) != dims.size())
        throw Error(fmt::format("--shape {}={}: input {} has rank {} in the model, not {}", name,
                                fmt::join(given, ","), quote_name(name), dims.size(),
                                given.size()));
      for (int i = 0; i < dims.size(); ++i)
        if (dims[i].has_dim_value() && dims[i].dim_value() != given[static_cast<size_t>(i)])
          throw Error(fmt::format("--shape {}={}: dimension {} of input {} is fixed to {}", name,
                                  fmt::join(given, ","), i, quote_name(name), dims[i].dim_value()));
      return given;
    }
    Shape shape;
    for (const onnx::TensorShapeProto_Dimension& dim : dims) {
      if (dim.has_dim_value()) {
        if (dim.dim_value() < 0)
          throw Error(
              fmt::format("input {} has negative dimension {}", quote_name(name), dim.dim_value()));
        shape.push_back(dim.dim_value());
      } else {
        shape.push_back(1);  // symbolic (batch) or unknown dimension
      }
    }
    return shape;
  }

  void add_runtime_inputs() {
    std::set<std::string> runtime_names;
    for (const onnx::ValueInfoProto& input : proto_.input()) {
      const std::string& name = input.name();
      if (name.empty()) throw Error("a graph input has no name");
      if (const Tensor* existing = graph_.find_tensor(name)) {
        if (existing->constant) continue;  // an initializer: a constant, not a runtime input
        throw Error(fmt::format("graph input {} is listed twice", quote_name(name)));
      }
      if (!input.type().has_tensor_type())
        throw UnsupportedError(fmt::format("input {} is not a tensor", quote_name(name)));
      int elem_type = input.type().tensor_type().elem_type();
      std::optional<DType> dtype = dtype_from_onnx(elem_type);
      if (!dtype)
        throw UnsupportedError(fmt::format("input {} has unsupported data type {}",
                                           quote_name(name), onnx_type_name(elem_type)));
      Tensor tensor;
      tensor.name = name;
      tensor.dtype = *dtype;
      tensor.shape = runtime_input_shape(input);
      tensor.shape_known = true;
      checked_element_count(tensor.shape, tensor.dtype, "input " + quote_name(name));
      runtime_names.insert(name);
      if (auto bound = options_.constant_inputs.find(name);
          bound != options_.constant_inputs.end()) {
        graph_.add_tensor(bind_constant_input(input, tensor, bound->second));
        continue;
      }
      graph_.add_tensor(std::move(tensor));
      graph_.inputs.push_back(name);
    }
    for (const auto& [name, value] : options_.constant_inputs)
      if (!runtime_names.count(name))
        throw Error(
            fmt::format("cannot freeze {}: not a runtime input of the model", quote_name(name)));
    for (const auto& [name, shape] : options_.input_shapes) {
      if (runtime_names.count(name)) continue;
      std::string known;
      for (const std::string& in : graph_.inputs) known += (known.empty() ? "" : ", ") + in;
      throw Error(
          fmt::format("--shape names {}, which is not a runtime input of the model "
                      "(inputs: {})",
                      quote_name(name), known.empty() ? "none" : known));
    }
  }

  // A runtime input frozen to a value (LoadOptions::constant_inputs).
  static Tensor bind_constant_input(const onnx::ValueInfoProto& input, const Tensor& declared,
                                    const Tensor& value) {
    const std::string& name = input.name();
    if (value.dtype != declared.dtype)
      throw Error(fmt::format("cannot freeze input {}: value is {}, the model declares {}",
                              quote_name(name), dtype_name(value.dtype),
                              dtype_name(declared.dtype)));
    const auto& dims = input.type().tensor_type().shape().dim();
    bool rank_ok = !input.type().tensor_type().has_shape() ||
                   static_cast<size_t>(dims.size()) == value.shape.size();
    for (int i = 0; rank_ok && i < dims.size(); ++i)
      if (dims[i].has_dim_value() && dims[i].dim_value() != value.shape[static_cast<size_t>(i)])
        rank_ok = false;
    if (!rank_ok || value.data.size() != static_cast<size_t>(value.bytes()))
      throw Error(fmt::format("cannot freeze input {}: value of shape {} does not fit the model",
                              quote_name(name), shape_to_string(value.shape)));
    Tensor t = value;
    t.name = name;
    t.shape_known = true;
    t.constant = true;
    return t;
  }

  void claim_output(const std::string& tensor_name, const Node& node) {
    if (graph_.find_tensor(tensor_name))
      throw Error(fmt::format("{}: output {} is already produced by {}", node.describe(),
                              quote_name(tensor_name),
                              owner_of(graph_, tensor_name, producer_node_)));
    producer_node_.emplace(tensor_name, node.name);
  }

  // Constant nodes become constant tensors; they never reach the IR as nodes.
  void add_constant_node(const Node& node) {
    if (node.outputs.size() != 1 || node.outputs[0].empty())
      throw Error(fmt::format("{}: must have exactly one output", node.describe()));
    const std::string& out = node.outputs[0];
    for (const char* unsupported : {"sparse_value", "value_string", "value_strings"})
      if (node.has_attr(unsupported))
        throw UnsupportedError(fmt::format("{}: attribute {} is not supported", node.describe(),
                                           quote_name(unsupported)));
    if (node.attrs.size() != 1)
      throw Error(fmt::format("{}: needs exactly one value attribute, has {}", node.describe(),
                              node.attrs.size()));
    Tensor tensor;
    if (auto value = node.attr_tensor("value")) {
      tensor = *value;
    } else if (node.has_attr("value_float")) {
      float v = node.attr_float("value_float", 0.0f);
      tensor = make_constant<float>(out, DType::Float32, {}, std::span<const float>(&v, 1));
    } else if (node.has_attr("value_floats")) {
      std::vector<float> v = node.attr_floats("value_floats", {});
      tensor = make_constant<float>(out, DType::Float32, {static_cast<int64_t>(v.size())}, v);
    } else if (node.has_attr("value_int")) {
      int64_t v = node.attr_int("value_int", 0);
      tensor = make_constant<int64_t>(out, DType::Int64, {}, std::span<const int64_t>(&v, 1));
    } else if (node.has_attr("value_ints")) {
      std::vector<int64_t> v = node.attr_ints("value_ints", {});
      tensor = make_constant<int64_t>(out, DType::Int64, {static_cast<int64_t>(v.size())}, v);
    } else {
      throw Error(fmt::format("{}: unknown value attribute {}", node.describe(),
                              quote_name(node.attrs.begin()->first)));
    }
    tensor.name = out;
    claim_output(out, node);
    graph_.add_tensor(std::move(tensor));
  }

  // Op types (with domain) the model uses that kiln lacks, in first-use order, so the error for
  // the first one can list all of them: users learn the whole gap from one run.
  std::vector<std::string> unsupported_op_types() const {
    std::vector<std::string> missing;
    for (const onnx::NodeProto& n : proto_.node()) {
      bool constant = is_default_domain(n.domain()) && n.op_type() == "Constant";
      if (constant || find_op(n.domain(), n.op_type())) continue;
      std::string label =
          is_default_domain(n.domain()) ? n.op_type() : n.domain() + "." + n.op_type();
      if (std::find(missing.begin(), missing.end(), label) == missing.end())
        missing.push_back(label);
    }
    return missing;
  }

  void add_nodes() {
    const std::vector<std::string> missing_ops = unsupported_op_types();
    std::vector<std::string> names = unique_node_names(proto_);
    for (int i = 0; i < proto_.node_size(); ++i) {
      const onnx::NodeProto& proto = proto_.node(i);
      Node node;
      node.name = names[static_cast<size_t>(i)];
      node.op_type = proto.op_type();
      node.domain = is_default_domain(proto.domain()) ? std::string() : proto.domain();
      node.inputs.assign(proto.input().begin(), proto.input().end());
      node.outputs.assign(proto.output().begin(), proto.output().end());
      if (node.op_type.empty())
        throw Error(fmt::format("node {} has no op_type", quote_name(node.name)));
      check_node_arity(node);
      const int opset = opsets_.of(node.domain);

      const bool is_constant = node.domain.empty() && node.op_type == "Constant";
      const OpDef* op = is_constant ? nullptr : find_op(node.domain, node.op_type);
      if (!is_constant) {
        if (!op) {
          std::string also;
          if (missing_ops.size() > 1)
            also = fmt::format(" (the model also uses unsupported {})",
                               fmt::join(missing_ops.begin() + 1, missing_ops.end(), ", "));
          throw UnsupportedError(fmt::format("node {} ({}, domain {}, opset {}): unsupported op{}",
                                             quote_name(node.name),
                                             one_line(node.op_type, kMaxQuotedNameBytes),
                                             quote_name(display_domain(node.domain)), opset, also));
        }
        // min_opset counts default-domain versions; custom domains version independently.
        if (node.domain.empty() && opset < op->min_opset)
          throw UnsupportedError(
              fmt::format("node {} ({}, domain {}, opset {}): kiln reads this op from opset {} on",
                          quote_name(node.name), one_line(node.op_type, kMaxQuotedNameBytes),
                          quote_name(display_domain(node.domain)), opset, op->min_opset));
      }

      for (const onnx::AttributeProto& a : proto.attribute()) {
        if (a.name().empty())
          throw Error(fmt::format("{}: an attribute has no name", node.describe()));
        AttributeValue value = convert_attribute(a, node);
        if (!node.attrs.emplace(a.name(), std::move(value)).second)
          throw Error(fmt::format("{}: attribute {} is given twice", node.describe(),
                                  quote_name(a.name())));
      }

      if (is_constant) {
        add_constant_node(node);
        continue;
      }
      std::set<std::string> own_outputs;
      for (const std::string& out : node.outputs) {
        if (out.empty()) continue;
        if (!own_outputs.insert(out).second)
          throw Error(
              fmt::format("{}: output {} is listed twice", node.describe(), quote_name(out)));
        claim_output(out, node);
        Tensor tensor;
        tensor.name = out;
        auto dtype_it = value_dtypes_.find(out);
        if (dtype_it != value_dtypes_.end()) tensor.dtype = dtype_it->second;
        graph_.add_tensor(std::move(tensor));
      }
      node_opsets_.push_back(opset);
      graph_.nodes.push_back(std::move(node));
    }
  }

  void check_node_inputs() const {
    for (const Node& node : graph_.nodes)
      for (const std::string& in : node.inputs)
        if (!in.empty() && !graph_.find_tensor(in))
          throw Error(
              fmt::format("{}: input {} is not produced by any node, initializer or "
                          "graph input",
                          node.describe(), quote_name(in)));
  }

  void add_outputs() {
    for (const onnx::ValueInfoProto& output : proto_.output()) {
      const std::string& name = output.name();
      if (name.empty()) throw Error("a graph output has no name");
      if (!graph_.find_tensor(name))
        throw Error(fmt::format("graph output {} is not produced by any node", quote_name(name)));
      if (!graph_.is_graph_output(name)) graph_.outputs.push_back(name);
    }
    if (graph_.outputs.empty()) throw Error("the graph has no outputs");
  }

  void upgrade_nodes() {
    // Only the model's own nodes: an upgrade hook may append helper nodes, already in new form.
    for (size_t i = 0; i < node_opsets_.size(); ++i) {
      const OpDef* op = find_op(graph_.nodes[i].domain, graph_.nodes[i].op_type);
      if (!op || !op->upgrade) continue;
      // Upgrade a copy: the hook may add tensors or nodes, which would invalidate a reference.
      Node node = graph_.nodes[i];
      op->upgrade(node, graph_, node_opsets_[i]);
      graph_.nodes[i] = std::move(node);
    }
  }

  const onnx::ModelProto& model_;
  const onnx::GraphProto& proto_;
  const LoadOptions& options_;
  Graph graph_;
  Opsets opsets_;
  std::map<std::string, DType> value_dtypes_;
  std::map<std::string, std::string> producer_node_;  // tensor -> name of the node writing it
  std::vector<int> node_opsets_;                      // parallel to graph_.nodes before sorting
};

}  // namespace

Graph graph_from_onnx(const onnx::ModelProto& model, const std::string& source,
                      const LoadOptions& options) {
  return GraphBuilder(model, source, options).build();
}

}  // namespace kiln::onnx_frontend
