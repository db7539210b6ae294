#include "ir/graph.hpp"

#include <gtest/gtest.h>

#include "ir/error.hpp"

namespace kiln {
namespace {

Tensor value(const std::string& name) {
  Tensor t;
  t.name = name;
  t.shape = {1, 4};
  t.shape_known = true;
  return t;
}

Node node(const std::string& name, const std::string& op, std::vector<std::string> in,
          std::vector<std::string> out) {
  Node n;
  n.name = name;
  n.op_type = op;
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  return n;
}

Graph chain() {
  Graph g;
  g.name = "chain";
  for (auto n : {"x", "a", "b"}) g.add_tensor(value(n));
  g.inputs = {"x"};
  g.outputs = {"b"};
  g.nodes.push_back(node("n1", "Relu", {"x"}, {"a"}));
  g.nodes.push_back(node("n2", "Relu", {"a"}, {"b"}));
  return g;
}

TEST(Graph, VerifiesAWellFormedChain) {
  EXPECT_NO_THROW(chain().verify());
}

TEST(Graph, VerifyRejectsOutOfOrderNodes) {
  Graph g = chain();
  std::swap(g.nodes[0], g.nodes[1]);
  EXPECT_THROW(g.verify(), InternalError);
  g.topo_sort();
  EXPECT_EQ(g.nodes[0].name, "n1");
  EXPECT_NO_THROW(g.verify());
}

TEST(Graph, VerifyRejectsTwoProducers) {
  Graph g = chain();
  g.nodes.push_back(node("n3", "Relu", {"x"}, {"b"}));
  EXPECT_THROW(g.verify(), InternalError);
}

TEST(Graph, VerifyRejectsUnknownTensor) {
  Graph g = chain();
  g.nodes[1].inputs = {"missing"};
  EXPECT_THROW(g.verify(), InternalError);
}

TEST(Graph, VerifyRejectsDuplicateNodeNames) {
  Graph g = chain();
  g.nodes[1].name = "n1";
  EXPECT_THROW(g.verify(), InternalError);
}

TEST(Graph, VerifyRejectsConstantDataOfWrongSize) {
  Graph g = chain();
  Tensor w = value("w");
  w.constant = true;
  w.data.resize(3);
  g.add_tensor(w);
  EXPECT_THROW(g.verify(), InternalError);
}

TEST(Graph, TopoSortReportsCycles) {
  Graph g = chain();
  g.nodes[0].inputs = {"b"};
  g.inputs.clear();
  g.tensors.erase("x");
  EXPECT_THROW(g.topo_sort(), Error);
}

TEST(Graph, UniqueNameAvoidsTensorsAndNodes) {
  Graph g = chain();
  EXPECT_EQ(g.unique_name("y"), "y");
  EXPECT_EQ(g.unique_name("a"), "a_1");
  EXPECT_EQ(g.unique_name("n1"), "n1_1");
}

TEST(Graph, ProducerAndConsumers) {
  Graph g = chain();
  EXPECT_EQ(g.producer("a"), 0);
  EXPECT_EQ(g.producer("x"), -1);
  EXPECT_EQ(g.consumers("a"), std::vector<int>{1});
}

TEST(Node, AttributeTypeMismatchNamesNodeAndAttribute) {
  Node n = node("conv1", "Conv", {}, {});
  n.attrs["group"] = 1.5f;
  try {
    n.attr_int("group", 1);
    FAIL() << "expected kiln::Error";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("conv1"), std::string::npos);
    EXPECT_NE(msg.find("group"), std::string::npos);
    EXPECT_NE(msg.find("FLOAT"), std::string::npos);
  }
  EXPECT_EQ(n.attr_int("strides_missing", 7), 7);
}

}  // namespace
}  // namespace kiln
