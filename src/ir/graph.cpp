#include "ir/graph.hpp"

#include <algorithm>
#include <queue>
#include <set>
#include <string_view>
#include <unordered_set>

#include "ir/error.hpp"
#include "ir/messages.hpp"

namespace kiln {

Tensor& Graph::tensor(const std::string& tensor_name) {
  auto it = tensors.find(tensor_name);
  if (it == tensors.end()) throw InternalError("graph has no tensor " + quote_name(tensor_name));
  return it->second;
}

const Tensor& Graph::tensor(const std::string& tensor_name) const {
  auto it = tensors.find(tensor_name);
  if (it == tensors.end()) throw InternalError("graph has no tensor " + quote_name(tensor_name));
  return it->second;
}

Tensor* Graph::find_tensor(const std::string& tensor_name) {
  auto it = tensors.find(tensor_name);
  return it == tensors.end() ? nullptr : &it->second;
}

const Tensor* Graph::find_tensor(const std::string& tensor_name) const {
  auto it = tensors.find(tensor_name);
  return it == tensors.end() ? nullptr : &it->second;
}

Tensor& Graph::add_tensor(Tensor t) {
  if (t.name.empty()) throw InternalError("add_tensor: empty tensor name");
  auto [it, inserted] = tensors.emplace(t.name, std::move(t));
  if (!inserted)
    throw InternalError("add_tensor: tensor " + quote_name(it->first) + " already exists");
  return it->second;
}

std::string Graph::unique_name(const std::string& base) const {
  // A scan of the node names per candidate, not a set of them built per call: callers (op
  // upgrades, the TFLite loader) ask once per node, and building the set made a 20,000-node
  // opset-9 Clip chain take 89 s to load.
  auto taken = [&](const std::string& s) {
    return tensors.count(s) ||
           std::any_of(nodes.begin(), nodes.end(), [&](const Node& n) { return n.name == s; });
  };
  if (!taken(base)) return base;
  for (int i = 1;; ++i) {
    std::string candidate = base + "_" + std::to_string(i);
    if (!taken(candidate)) return candidate;
  }
}

int Graph::producer(const std::string& tensor_name) const {
  for (size_t i = 0; i < nodes.size(); ++i)
    for (const std::string& out : nodes[i].outputs)
      if (out == tensor_name) return static_cast<int>(i);
  return -1;
}

std::vector<int> Graph::consumers(const std::string& tensor_name) const {
  std::vector<int> result;
  for (size_t i = 0; i < nodes.size(); ++i)
    if (std::find(nodes[i].inputs.begin(), nodes[i].inputs.end(), tensor_name) !=
        nodes[i].inputs.end())
      result.push_back(static_cast<int>(i));
  return result;
}

bool Graph::is_graph_output(const std::string& tensor_name) const {
  return std::find(outputs.begin(), outputs.end(), tensor_name) != outputs.end();
}

bool Graph::is_graph_input(const std::string& tensor_name) const {
  return std::find(inputs.begin(), inputs.end(), tensor_name) != inputs.end();
}

void Graph::topo_sort() {
  std::map<std::string, int> producer_of;
  for (size_t i = 0; i < nodes.size(); ++i)
    for (const std::string& out : nodes[i].outputs)
      if (!out.empty()) producer_of[out] = static_cast<int>(i);

  const size_t n = nodes.size();
  std::vector<int> pending(n, 0);
  std::vector<std::vector<int>> users(n);
  for (size_t i = 0; i < n; ++i) {
    std::set<int> deps;
    for (const std::string& in : nodes[i].inputs) {
      auto it = producer_of.find(in);
      if (it != producer_of.end()) deps.insert(it->second);
    }
    for (int d : deps) users[d].push_back(static_cast<int>(i));
    pending[i] = static_cast<int>(deps.size());
  }
  // Min-heap on the original index keeps the existing order wherever dependencies allow.
  std::priority_queue<int, std::vector<int>, std::greater<>> ready;
  for (size_t i = 0; i < n; ++i)
    if (pending[i] == 0) ready.push(static_cast<int>(i));
  std::vector<int> order;
  order.reserve(n);
  while (!ready.empty()) {
    int i = ready.top();
    ready.pop();
    order.push_back(i);
    for (int u : users[i])
      if (--pending[u] == 0) ready.push(u);
  }
  if (order.size() != n) {
    for (size_t i = 0; i < n; ++i)
      if (pending[i] > 0)
        throw Error((source.empty() ? std::string() : source + ": ") +
                    "graph has a cycle through " + nodes[i].describe());
  }
  std::vector<Node> sorted;
  sorted.reserve(n);
  for (int i : order) sorted.push_back(std::move(nodes[i]));
  nodes = std::move(sorted);
}

void Graph::remove_unused_tensors() {
  std::unordered_set<std::string_view> used(inputs.begin(), inputs.end());
  used.insert(outputs.begin(), outputs.end());
  for (const Node& node : nodes) {
    used.insert(node.inputs.begin(), node.inputs.end());
    used.insert(node.outputs.begin(), node.outputs.end());
  }
  for (auto it = tensors.begin(); it != tensors.end();)
    it = used.count(it->first) ? std::next(it) : tensors.erase(it);
}

void Graph::verify() const {
  auto fail = [&](const std::string& what) {
    throw InternalError("graph " + quote_name(name) + " failed verification: " + what);
  };
  auto no_shape = [&](const std::string& t) {
    fail("tensor " + quote_name(t) + " has no inferred shape");
  };
  for (const auto& [key, t] : tensors) {
    if (key != t.name)
      fail("tensor map key " + quote_name(key) + " differs from tensor name " + quote_name(t.name));
    if (t.constant && t.shape_known && t.data.size() != static_cast<size_t>(t.bytes()))
      fail("constant " + quote_name(key) + " holds " + std::to_string(t.data.size()) +
           " bytes, shape " + shape_to_string(t.shape) + " needs " + std::to_string(t.bytes()));
    for (int64_t d : t.shape)
      if (t.shape_known && d < 0) fail("tensor " + quote_name(key) + " has a negative dimension");
  }
  // Views into the graph's own strings: no copies, hash lookups (verify runs after every pass,
  // so it must stay linear on 100,000-node graphs).
  std::unordered_set<std::string_view> available;
  available.reserve(tensors.size());
  const std::unordered_set<std::string_view> input_set(inputs.begin(), inputs.end());
  for (const std::string& in : inputs) {
    const Tensor* t = find_tensor(in);
    if (!t) fail("graph input " + quote_name(in) + " is not a tensor");
    if (t->constant) fail("graph input " + quote_name(in) + " is a constant");
    available.insert(in);
  }
  for (const auto& [key, t] : tensors)
    if (t.constant) available.insert(key);

  std::unordered_set<std::string_view> produced;
  std::unordered_set<std::string_view> node_names;
  produced.reserve(tensors.size());
  node_names.reserve(nodes.size());
  for (const Node& node : nodes) {
    if (node.name.empty()) fail("a " + node.op_type + " node has no name");
    if (!node_names.insert(node.name).second)
      fail("node name " + quote_name(node.name) + " is not unique");
    for (const std::string& in : node.inputs) {
      if (in.empty()) continue;
      const Tensor* t = find_tensor(in);
      if (!t) fail(node.describe() + " reads unknown tensor " + quote_name(in));
      if (!available.count(in))
        fail(node.describe() + " reads " + quote_name(in) +
             " before it is produced (order not topological)");
      if (shapes_inferred && !t->shape_known) no_shape(in);
    }
    for (const std::string& out : node.outputs) {
      if (out.empty()) continue;
      const Tensor* t = find_tensor(out);
      if (!t) fail(node.describe() + " writes unknown tensor " + quote_name(out));
      if (t->constant) fail(node.describe() + " writes constant " + quote_name(out));
      if (shapes_inferred && !t->shape_known) no_shape(out);
      if (input_set.count(out)) fail(node.describe() + " writes graph input " + quote_name(out));
      if (!produced.insert(out).second)
        fail("tensor " + quote_name(out) + " has more than one producer");
      available.insert(out);
    }
  }
  for (const std::string& out : outputs) {
    if (!available.count(out)) fail("graph output " + quote_name(out) + " is never produced");
    if (shapes_inferred && !tensor(out).shape_known) no_shape(out);
  }
}

}  // namespace kiln
