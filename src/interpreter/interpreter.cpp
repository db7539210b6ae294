#include "interpreter/interpreter.hpp"

#include "interpreter/kernel_binding.hpp"
#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "ops/lower_node.hpp"
#include "ops/op_registry.hpp"

namespace kiln {

namespace {

bool all_outputs_constant(const Node& node, const Graph& graph) {
  for (const std::string& out : node.outputs)
    if (!out.empty() && !graph.tensor(out).constant) return false;
  return true;
}

Tensor& allocate(TensorMap& values, const Tensor& like) {
  Tensor& t = values[like.name];
  t.name = like.name;
  t.dtype = like.dtype;
  t.shape = like.shape;
  t.shape_known = true;
  t.data.assign(static_cast<size_t>(like.bytes()), 0);
  return t;
}

}  // namespace

void execute_node(const Node& node, const Graph& graph, TensorMap& values) {
  if (all_outputs_constant(node, graph)) return;
  const KernelCall call = lower_node(node, graph);
  std::vector<void*> pointers(call.args.size(), nullptr);
  for (size_t i = 0; i < call.args.size(); ++i) {
    const KernelArg& arg = call.args[i];
    if (arg.kind == KernelArg::Kind::Input && !arg.tensor.empty()) {
      const Tensor& t = graph.tensor(arg.tensor);
      if (t.constant) {
        // Kernels take inputs as const T*; the cast only satisfies the uniform pointer table.
        pointers[i] = const_cast<uint8_t*>(t.data.data());
      } else {
        auto it = values.find(arg.tensor);
        if (it == values.end())
          throw InternalError(node.describe() + ": input " + quote_name(arg.tensor) +
                              " has no value yet");
        pointers[i] = it->second.data.data();
      }
    } else if (arg.kind == KernelArg::Kind::Output && !arg.tensor.empty()) {
      pointers[i] = allocate(values, graph.tensor(arg.tensor)).data.data();
    }
  }
  // An empty tensor's vector has no storage (data() may be NULL), but kernels may still form
  // `p + 0` from it, which C leaves undefined for NULL. Give present-but-empty tensors a valid
  // address, as the arena does in generated code; no kernel reads or writes through it.
  alignas(16) static uint8_t empty_tensor_storage[16];
  for (size_t i = 0; i < call.args.size(); ++i) {
    const KernelArg& arg = call.args[i];
    bool tensor_arg = arg.kind == KernelArg::Kind::Input || arg.kind == KernelArg::Kind::Output;
    if (tensor_arg && !arg.tensor.empty() && pointers[i] == nullptr)
      pointers[i] = empty_tensor_storage;
  }
  find_kernel(call.function)(KernelInvocation(call, std::move(pointers)));
}

TensorMap run_graph(const Graph& graph, const TensorMap& inputs) {
  return run_graph(graph, inputs, ValueObserver{});
}

TensorMap run_graph(const Graph& graph, const TensorMap& inputs, const ValueObserver& observe) {
  TensorMap values;
  for (const std::string& name : graph.inputs) {
    auto it = inputs.find(name);
    if (it == inputs.end()) throw Error("missing value for graph input " + quote_name(name));
    const Tensor& expected = graph.tensor(name);
    const Tensor& given = it->second;
    if (given.dtype != expected.dtype || given.shape != expected.shape ||
        given.data.size() != static_cast<size_t>(expected.bytes()))
      throw Error("graph input " + quote_name(name) + " expects " +
                  std::string(dtype_name(expected.dtype)) + " " + shape_to_string(expected.shape) +
                  ", got " + std::string(dtype_name(given.dtype)) + " " +
                  shape_to_string(given.shape));
    values[name] = given;
  }
  if (observe)
    for (const std::string& name : graph.inputs) observe(values.at(name));
  for (const Node& node : graph.nodes) {
    execute_node(node, graph, values);
    if (!observe || all_outputs_constant(node, graph)) continue;
    for (const std::string& out : node.outputs) {
      if (out.empty()) continue;
      auto it = values.find(out);
      if (it != values.end()) observe(it->second);
    }
  }
  TensorMap result;
  for (const std::string& name : graph.outputs) {
    const Tensor& t = graph.tensor(name);
    if (t.constant) {
      result[name] = t;
    } else {
      result[name] = values.at(name);
    }
    result[name].constant = false;
  }
  return result;
}

void fold_node(const Node& node, Graph& graph) {
  TensorMap values;
  execute_node(node, graph, values);
  for (const std::string& out : node.outputs) {
    if (out.empty()) continue;
    Tensor& t = graph.tensor(out);
    t.data = std::move(values.at(out).data);
    t.constant = true;
  }
}

}  // namespace kiln
