// Loader behaviour on well-formed models built in memory. The models use test-only ops in the
// "kiln.test" domain so these tests do not depend on which real ops exist.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <mutex>

#include "frontend/load_model.hpp"
#include "ir/error.hpp"
#include "ops/op_registry.hpp"

namespace kiln {
namespace {

constexpr const char* kTestDomain = "kiln.test";

// KilnTestOp: output 0 has input 0's type and shape. Its upgrade hook records the opset it was
// called with, so tests can see that the frontend upgrades every node with the right version.
void register_test_ops() {
  static std::once_flag once;
  std::call_once(once, [] {
    auto pass_through = [](const Node& node, Graph& graph) {
      const Tensor& in = input_tensor(node, graph, 0);
      for (size_t i = 0; i < node.outputs.size(); ++i)
        if (!node.outputs[i].empty()) set_output(node, graph, i, in.dtype, in.shape);
    };
    auto lower = [](const Node& node, const Graph&) {
      return KernelCall("kiln_test_unused").input(node.inputs[0]).output(node.outputs[0]);
    };
    OpDef custom;
    custom.op_type = "KilnTestOp";
    custom.domain = kTestDomain;
    custom.upgrade = [](Node& node, Graph&, int opset) {
      node.attrs["upgraded_from"] = static_cast<int64_t>(opset);
    };
    custom.infer = pass_through;
    custom.lower = lower;
    register_op(custom);

    OpDef recent;  // a default-domain op kiln would only read from opset 11 on
    recent.op_type = "KilnTestRecentOp";
    recent.min_opset = 11;
    recent.infer = pass_through;
    recent.lower = lower;
    register_op(recent);
  });
}

// Small builder over onnx::ModelProto so each test states only what it is about.
struct ModelBuilder {
  onnx::ModelProto model;
  onnx::GraphProto* graph;

  explicit ModelBuilder(int opset = 17) : graph(model.mutable_graph()) {
    model.set_ir_version(8);
    graph->set_name("test_graph");
    auto* id = model.add_opset_import();
    id->set_domain("");
    id->set_version(opset);
    auto* test = model.add_opset_import();
    test->set_domain(kTestDomain);
    test->set_version(3);
  }

  onnx::ValueInfoProto* value(google::protobuf::RepeatedPtrField<onnx::ValueInfoProto>* list,
                              const std::string& name, std::vector<std::string> dims,
                              int elem_type = onnx::TensorProto_DataType_FLOAT) {
    auto* v = list->Add();
    v->set_name(name);
    auto* tensor_type = v->mutable_type()->mutable_tensor_type();
    tensor_type->set_elem_type(elem_type);
    auto* shape = tensor_type->mutable_shape();
    for (const std::string& d : dims) {
      auto* dim = shape->add_dim();
      if (d.empty()) continue;  // unknown dimension
      if (std::isdigit(static_cast<unsigned char>(d[0])))
        dim->set_dim_value(std::stoll(d));
      else
        dim->set_dim_param(d);
    }
    return v;
  }
  void input(const std::string& name, std::vector<std::string> dims) {
    value(graph->mutable_input(), name, std::move(dims));
  }
  void output(const std::string& name) { value(graph->mutable_output(), name, {}); }

  onnx::NodeProto* node(const std::string& name, const std::string& op,
                        std::vector<std::string> inputs, std::vector<std::string> outputs,
                        const std::string& domain = kTestDomain) {
    auto* n = graph->add_node();
    n->set_name(name);
    n->set_op_type(op);
    n->set_domain(domain);
    for (const auto& i : inputs) n->add_input(i);
    for (const auto& o : outputs) n->add_output(o);
    return n;
  }

  onnx::TensorProto* initializer(const std::string& name, int data_type,
                                 std::vector<int64_t> dims) {
    auto* t = graph->add_initializer();
    t->set_name(name);
    t->set_data_type(data_type);
    for (int64_t d : dims) t->add_dims(d);
    return t;
  }

  Graph load(const LoadOptions& options = {}) const {
    std::string bytes = model.SerializeAsString();
    return load_model_from_memory(
        std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), "test.onnx",
        options);
  }
};

class FrontendLoader : public ::testing::Test {
 protected:
  void SetUp() override { register_test_ops(); }
};

// Runs `fn`, expects a kiln::Error and returns its message (empty string if none was thrown).
template <typename Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected kiln::Error";
  return "";
}

TEST_F(FrontendLoader, LoadsAChainAndKeepsUniqueNodeNames) {
  ModelBuilder m;
  m.input("x", {"1", "4"});
  m.node("first", "KilnTestOp", {"x"}, {"a"});
  m.node("second", "KilnTestOp", {"a"}, {"y"});
  m.output("y");
  Graph g = m.load();
  EXPECT_EQ(g.name, "test_graph");
  EXPECT_EQ(g.source, "test.onnx");
  EXPECT_EQ(g.opset, 17);
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.nodes[0].name, "first");
  EXPECT_EQ(g.nodes[0].domain, kTestDomain);
  EXPECT_EQ(g.inputs, std::vector<std::string>{"x"});
  EXPECT_EQ(g.outputs, std::vector<std::string>{"y"});
  EXPECT_TRUE(g.shapes_inferred);
  EXPECT_EQ(g.tensor("y").shape, (Shape{1, 4}));
  EXPECT_NO_THROW(g.verify());
}

TEST_F(FrontendLoader, NamesEmptyAndDuplicateNodesUniquely) {
  ModelBuilder m;
  m.input("x", {"2"});
  m.node("", "KilnTestOp", {"x"}, {"a"});
  m.node("dup", "KilnTestOp", {"a"}, {"b"});
  m.node("dup", "KilnTestOp", {"b"}, {"c"});
  m.node("KilnTestOp_4", "KilnTestOp", {"c"}, {"d"});  // collides with a generated name
  m.node("", "KilnTestOp", {"d"}, {"y"});
  m.output("y");
  Graph g = m.load();
  std::vector<std::string> names;
  for (const Node& n : g.nodes) names.push_back(n.name);
  EXPECT_EQ(names, (std::vector<std::string>{"KilnTestOp_0", "KilnTestOp_1", "KilnTestOp_2",
                                             "KilnTestOp_4", "KilnTestOp_4_1"}));
}

TEST_F(FrontendLoader, SortsNodesListedOutOfOrder) {
  ModelBuilder m;
  m.input("x", {"3"});
  m.node("late", "KilnTestOp", {"a"}, {"y"});
  m.node("early", "KilnTestOp", {"x"}, {"a"});
  m.output("y");
  Graph g = m.load();
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.nodes[0].name, "early");
  EXPECT_EQ(g.nodes[1].name, "late");
}

TEST_F(FrontendLoader, ReadsInitializersFromTypedFieldsAndRawData) {
  ModelBuilder m;
  m.input("x", {"2"});
  auto* f = m.initializer("floats", onnx::TensorProto_DataType_FLOAT, {2});
  f->add_float_data(1.5f);
  f->add_float_data(-2.0f);
  auto* i8 = m.initializer("int8s", onnx::TensorProto_DataType_INT8, {3});
  for (int v : {-128, 0, 127}) i8->add_int32_data(v);
  auto* u8 = m.initializer("uint8s", onnx::TensorProto_DataType_UINT8, {2});
  for (int v : {0, 255}) u8->add_int32_data(v);
  auto* i16 = m.initializer("int16s", onnx::TensorProto_DataType_INT16, {2});
  for (int v : {-32768, 1234}) i16->add_int32_data(v);
  auto* b = m.initializer("bools", onnx::TensorProto_DataType_BOOL, {2});
  for (int v : {1, 0}) b->add_int32_data(v);
  auto* i64 = m.initializer("int64s", onnx::TensorProto_DataType_INT64, {2, 1});
  for (int64_t v : {int64_t{1} << 40, int64_t{-7}}) i64->add_int64_data(v);
  auto* raw = m.initializer("raw", onnx::TensorProto_DataType_INT32, {2});
  int32_t raw_values[2] = {7, -9};
  raw->set_raw_data(std::string(reinterpret_cast<const char*>(raw_values), sizeof raw_values));
  m.initializer("empty", onnx::TensorProto_DataType_FLOAT, {0, 4});
  // Every initializer is read by a node, otherwise the loader drops it as unused.
  int index = 0;
  for (const char* name :
       {"floats", "int8s", "uint8s", "int16s", "bools", "int64s", "raw", "empty"})
    m.node("use" + std::to_string(index), "KilnTestOp", {"x", name},
           {"out" + std::to_string(index++)});
  m.output("out0");
  Graph g = m.load();

  const Tensor& floats = g.tensor("floats");
  EXPECT_TRUE(floats.constant);
  EXPECT_EQ(std::vector<float>(floats.values<float>().begin(), floats.values<float>().end()),
            (std::vector<float>{1.5f, -2.0f}));
  EXPECT_EQ(g.tensor("int8s").dtype, DType::Int8);
  EXPECT_EQ(g.tensor("int8s").as_int64(), (std::vector<int64_t>{-128, 0, 127}));
  EXPECT_EQ(g.tensor("uint8s").as_int64(), (std::vector<int64_t>{0, 255}));
  EXPECT_EQ(g.tensor("int16s").as_int64(), (std::vector<int64_t>{-32768, 1234}));
  EXPECT_EQ(g.tensor("bools").dtype, DType::Bool);
  EXPECT_EQ(g.tensor("bools").data, (std::vector<uint8_t>{1, 0}));
  EXPECT_EQ(g.tensor("int64s").shape, (Shape{2, 1}));
  EXPECT_EQ(g.tensor("int64s").as_int64(), (std::vector<int64_t>{int64_t{1} << 40, -7}));
  EXPECT_EQ(g.tensor("raw").as_int64(), (std::vector<int64_t>{7, -9}));
  EXPECT_TRUE(g.tensor("empty").constant);
  EXPECT_TRUE(g.tensor("empty").data.empty());
}

TEST_F(FrontendLoader, GraphInputThatIsAnInitializerIsAConstant) {
  ModelBuilder m;
  m.input("x", {"2"});
  m.input("w", {"2"});
  auto* w = m.initializer("w", onnx::TensorProto_DataType_FLOAT, {2});
  w->add_float_data(1.0f);
  w->add_float_data(2.0f);
  m.initializer("unused", onnx::TensorProto_DataType_FLOAT, {1})->add_float_data(0.0f);
  m.node("n", "KilnTestOp", {"x", "w"}, {"y"});
  m.output("y");
  Graph g = m.load();
  EXPECT_EQ(g.inputs, std::vector<std::string>{"x"});
  EXPECT_TRUE(g.tensor("w").constant);
  EXPECT_EQ(g.find_tensor("unused"), nullptr);
}

TEST_F(FrontendLoader, ConstantNodesBecomeConstantTensors) {
  ModelBuilder m;
  m.input("x", {"2"});
  auto add_constant = [&](const std::string& out, auto&& set_attr) {
    auto* n = m.node("", "Constant", {}, {out}, "");
    set_attr(n->add_attribute());
    m.node("use_" + out, "KilnTestOp", {"x", out}, {"y_" + out});
  };
  add_constant("f", [](onnx::AttributeProto* a) {
    a->set_name("value_float");
    a->set_type(onnx::AttributeProto_AttributeType_FLOAT);
    a->set_f(0.25f);
  });
  add_constant("fs", [](onnx::AttributeProto* a) {
    a->set_name("value_floats");
    a->set_type(onnx::AttributeProto_AttributeType_FLOATS);
    a->add_floats(1.0f);
    a->add_floats(2.0f);
  });
  add_constant("i", [](onnx::AttributeProto* a) {
    a->set_name("value_int");
    a->set_type(onnx::AttributeProto_AttributeType_INT);
    a->set_i(-3);
  });
  add_constant("is", [](onnx::AttributeProto* a) {
    a->set_name("value_ints");
    a->set_type(onnx::AttributeProto_AttributeType_INTS);
    for (int v : {4, 5, 6}) a->add_ints(v);
  });
  add_constant("t", [](onnx::AttributeProto* a) {
    a->set_name("value");
    a->set_type(onnx::AttributeProto_AttributeType_TENSOR);
    a->mutable_t()->set_data_type(onnx::TensorProto_DataType_INT32);
    a->mutable_t()->add_dims(1);
    a->mutable_t()->add_int32_data(42);
  });
  m.output("y_f");
  Graph g = m.load();
  for (const Node& n : g.nodes) EXPECT_NE(n.op_type, "Constant");
  EXPECT_EQ(g.tensor("f").shape, Shape{});
  EXPECT_EQ(g.tensor("f").as_float(), std::vector<float>{0.25f});
  EXPECT_EQ(g.tensor("fs").as_float(), (std::vector<float>{1.0f, 2.0f}));
  EXPECT_EQ(g.tensor("i").dtype, DType::Int64);
  EXPECT_EQ(g.tensor("i").as_int64(), std::vector<int64_t>{-3});
  EXPECT_EQ(g.tensor("is").shape, Shape{3});
  EXPECT_EQ(g.tensor("t").dtype, DType::Int32);
  EXPECT_EQ(g.tensor("t").as_int64(), std::vector<int64_t>{42});
}

TEST_F(FrontendLoader, ConvertsEveryAttributeKind) {
  ModelBuilder m;
  m.input("x", {"1"});
  auto* n = m.node("n", "KilnTestOp", {"x"}, {"y"});
  auto attr = [&](const std::string& name, onnx::AttributeProto_AttributeType type) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(type);
    return a;
  };
  attr("i", onnx::AttributeProto_AttributeType_INT)->set_i(7);
  attr("f", onnx::AttributeProto_AttributeType_FLOAT)->set_f(0.5f);
  attr("s", onnx::AttributeProto_AttributeType_STRING)->set_s("same_upper");
  auto* ints = attr("ints", onnx::AttributeProto_AttributeType_INTS);
  ints->add_ints(1);
  ints->add_ints(-1);
  attr("floats", onnx::AttributeProto_AttributeType_FLOATS)->add_floats(3.0f);
  attr("strings", onnx::AttributeProto_AttributeType_STRINGS)->add_strings("a");
  auto* t = attr("t", onnx::AttributeProto_AttributeType_TENSOR)->mutable_t();
  t->set_data_type(onnx::TensorProto_DataType_FLOAT);
  t->add_float_data(9.0f);
  // Exporters from before AttributeProto.type existed leave it unset; the value decides.
  auto* untyped = n->add_attribute();
  untyped->set_name("legacy");
  untyped->set_i(11);
  m.output("y");
  Graph g = m.load();
  const Node& node = g.nodes.at(0);
  EXPECT_EQ(node.attr_int("i", 0), 7);
  EXPECT_EQ(node.attr_float("f", 0), 0.5f);
  EXPECT_EQ(node.attr_string("s", ""), "same_upper");
  EXPECT_EQ(node.attr_ints("ints", {}), (std::vector<int64_t>{1, -1}));
  EXPECT_EQ(node.attr_floats("floats", {}), std::vector<float>{3.0f});
  EXPECT_EQ(std::get<std::vector<std::string>>(node.attrs.at("strings")),
            std::vector<std::string>{"a"});
  ASSERT_NE(node.attr_tensor("t"), nullptr);
  EXPECT_EQ(node.attr_tensor("t")->as_float(), std::vector<float>{9.0f});
  EXPECT_TRUE(node.attr_tensor("t")->shape.empty());
  EXPECT_EQ(node.attr_int("legacy", 0), 11);
}

TEST_F(FrontendLoader, UpgradesEachNodeWithItsDomainOpset) {
  ModelBuilder m(13);
  m.input("x", {"1"});
  m.node("custom", "KilnTestOp", {"x"}, {"y"});
  m.output("y");
  Graph g = m.load();
  // The model imports kiln.test version 3 (see ModelBuilder).
  EXPECT_EQ(g.nodes.at(0).attr_int("upgraded_from", -1), 3);
}

TEST_F(FrontendLoader, SymbolicDimsDefaultToOneAndCanBeOverridden) {
  ModelBuilder m;
  m.input("x", {"batch", "", "8"});
  m.node("n", "KilnTestOp", {"x"}, {"y"});
  m.output("y");
  EXPECT_EQ(m.load().tensor("y").shape, (Shape{1, 1, 8}));

  LoadOptions options;
  parse_shape_override("x=4,3,8", options);
  EXPECT_EQ(m.load(options).tensor("y").shape, (Shape{4, 3, 8}));

  LoadOptions wrong_rank;
  parse_shape_override("x=4,3", wrong_rank);
  std::string msg = error_of([&] { m.load(wrong_rank); });
  EXPECT_NE(msg.find("rank 3"), std::string::npos) << msg;

  LoadOptions fixed_dim;
  parse_shape_override("x=1,1,9", fixed_dim);
  msg = error_of([&] { m.load(fixed_dim); });
  EXPECT_NE(msg.find("fixed to 8"), std::string::npos) << msg;

  LoadOptions unknown;
  parse_shape_override("image=1,3", unknown);
  msg = error_of([&] { m.load(unknown); });
  EXPECT_EQ(msg.rfind("test.onnx: ", 0), 0u) << msg;
  EXPECT_NE(msg.find("'image'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("inputs: x"), std::string::npos) << msg;
}

TEST(FrontendShapeOverride, ParsesNameAndDims) {
  LoadOptions options;
  parse_shape_override("input_1=1,3,96,96", options);
  parse_shape_override("scale:0=7", options);
  EXPECT_EQ(options.input_shapes.at("input_1"), (Shape{1, 3, 96, 96}));
  EXPECT_EQ(options.input_shapes.at("scale:0"), Shape{7});
}

TEST(FrontendShapeOverride, RejectsMalformedText) {
  for (const char* bad : {"input", "=1,2", "x=", "x=1,,2", "x=1,a", "x=-1", "x=0", "x=1,2,",
                          "x=99999999999999999999", "x=1.5"}) {
    LoadOptions options;
    EXPECT_THROW(parse_shape_override(bad, options), Error) << bad;
  }
  LoadOptions twice;
  parse_shape_override("x=1", twice);
  EXPECT_THROW(parse_shape_override("x=2", twice), Error);
}

TEST_F(FrontendLoader, UnsupportedOpNamesNodeOpDomainAndOpset) {
  ModelBuilder m(15);
  m.input("x", {"1"});
  m.node("mystery", "NoSuchOp", {"x"}, {"a"}, "");
  m.node("other", "AlsoMissing", {"a"}, {"y"}, "com.vendor");
  m.output("y");
  try {
    m.load();
    FAIL() << "expected UnsupportedError";
  } catch (const UnsupportedError& e) {
    EXPECT_STREQ(e.what(),
                 "test.onnx: node 'mystery' (NoSuchOp, domain 'ai.onnx', opset 15): unsupported op "
                 "(the model also uses unsupported com.vendor.AlsoMissing)");
  }
}

TEST_F(FrontendLoader, RejectsOpsOlderThanTheirMinimumOpset) {
  ModelBuilder m(9);
  m.input("x", {"1"});
  m.node("old", "KilnTestRecentOp", {"x"}, {"y"}, "");
  m.output("y");
  std::string msg = error_of([&] { m.load(); });
  EXPECT_NE(msg.find("node 'old' (KilnTestRecentOp, domain 'ai.onnx', opset 9)"), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("opset 11"), std::string::npos) << msg;
}

TEST_F(FrontendLoader, GraphOutputMayBeAnInputOrAConstant) {
  ModelBuilder m;
  m.input("x", {"2"});
  m.initializer("w", onnx::TensorProto_DataType_FLOAT, {1})->add_float_data(3.0f);
  m.node("n", "KilnTestOp", {"x"}, {"y"});
  m.output("y");
  m.output("x");
  m.output("w");
  Graph g = m.load();
  EXPECT_EQ(g.outputs, (std::vector<std::string>{"y", "x", "w"}));
  EXPECT_TRUE(g.tensor("w").constant);
}

TEST_F(FrontendLoader, RejectsStructuralErrorsNamingTheCulprit) {
  {
    ModelBuilder m;
    m.input("x", {"1"});
    m.node("n", "KilnTestOp", {"x"}, {"x"});
    m.output("x");
    std::string msg = error_of([&] { m.load(); });
    EXPECT_NE(msg.find("node 'n'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("graph input"), std::string::npos) << msg;
  }
  {
    ModelBuilder m;
    m.input("x", {"1"});
    m.node("n", "KilnTestOp", {"x"}, {"y"});
    m.output("nowhere");
    std::string msg = error_of([&] { m.load(); });
    EXPECT_NE(msg.find("graph output 'nowhere'"), std::string::npos) << msg;
  }
  {
    ModelBuilder m;
    m.input("x", {"1"});
    auto* n = m.node("n", "KilnTestOp", {"x"}, {"y"});
    for (int k = 0; k < 2; ++k) {
      auto* a = n->add_attribute();
      a->set_name("alpha");
      a->set_type(onnx::AttributeProto_AttributeType_FLOAT);
    }
    m.output("y");
    std::string msg = error_of([&] { m.load(); });
    EXPECT_NE(msg.find("attribute 'alpha' is given twice"), std::string::npos) << msg;
  }
  {
    ModelBuilder m;
    m.input("x", {"1000000", "1000000"});
    m.node("n", "KilnTestOp", {"x"}, {"y"});
    m.output("y");
    std::string msg = error_of([&] { m.load(); });
    EXPECT_NE(msg.find("input 'x'"), std::string::npos) << msg;
  }
  {
    ModelBuilder m;
    m.model.mutable_opset_import()->DeleteSubrange(0, 1);  // only kiln.test remains
    m.input("x", {"1"});
    m.node("n", "KilnTestOp", {"x"}, {"y"});
    m.output("y");
    EXPECT_NO_THROW(m.load());  // no default-domain node, so no default opset is needed
    m.node("late", "KilnTestRecentOp", {"y"}, {"z"}, "");
    std::string msg = error_of([&] { m.load(); });
    EXPECT_NE(msg.find("no opset of the default ONNX domain"), std::string::npos) << msg;
  }
}

// A node with thousands of inputs or outputs is refused while the nodes are read, before
// shape inference or memory planning (issue 13: a 5,000-input Sum took 34 s to be refused).
TEST_F(FrontendLoader, RefusesNodesWithMoreInputsOrOutputsThanTheLimit) {
  {
    ModelBuilder m;
    m.input("x", {"1", "4"});
    m.node("sum", "Sum", std::vector<std::string>(kMaxNodeInputs + 1, "x"), {"y"}, "");
    m.output("y");
    const std::string msg = error_of([&] { m.load(); });
    EXPECT_NE(msg.find("node 'sum' (Sum): has 1025 inputs, more than kiln accepts per node "
                       "(1024)"),
              std::string::npos)
        << msg;
  }
  {
    ModelBuilder m;
    m.input("x", {"1", std::to_string(kMaxNodeOutputs + 1)});
    std::vector<std::string> outputs;
    for (size_t i = 0; i <= kMaxNodeOutputs; ++i) outputs.push_back("y" + std::to_string(i));
    m.node("split", "Split", {"x"}, outputs, "");
    for (const std::string& y : outputs) m.output(y);
    const std::string msg = error_of([&] { m.load(); });
    EXPECT_NE(msg.find("node 'split' (Split): has 1025 outputs, more than kiln accepts per node "
                       "(1024)"),
              std::string::npos)
        << msg;
  }
  {
    ModelBuilder m;  // at the limit: accepted
    m.input("x", {"1", "4"});
    m.node("sum", "Sum", std::vector<std::string>(kMaxNodeInputs, "x"), {"y"}, "");
    m.output("y");
    const Graph g = m.load();
    EXPECT_EQ(g.nodes.at(0).inputs.size(), kMaxNodeInputs);
  }
}

TEST(FrontendFile, ReportsMissingFileAndDirectory) {
  std::string msg = error_of([] { load_model("/nonexistent/model.onnx"); });
  EXPECT_EQ(msg, "/nonexistent/model.onnx: no such file");
  std::string dir = ::testing::TempDir();
  msg = error_of([&] { load_model(dir); });
  EXPECT_NE(msg.find("is a directory"), std::string::npos) << msg;
}

TEST(FrontendFile, DetectsTfliteFlatbuffers) {
  // TFL3 at bytes 4..7 routes to the TFLite frontend, whose verifier rejects this header-only file
  // (the TFLite frontend itself is tested in frontend_tflite_test.cpp).
  std::vector<uint8_t> bytes = {0x1c, 0, 0, 0, 'T', 'F', 'L', '3', 0, 0, 0, 0};
  try {
    load_model_from_memory(bytes, "model.onnx");
    ADD_FAILURE() << "loaded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("model.onnx: malformed TFLite flatbuffer"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace kiln
