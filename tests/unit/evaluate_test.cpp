// Accuracy evaluation (src/verify/evaluate.hpp): metrics on hand-made scores through a
// pass-through graph (the sample *is* the score vector), int8 I/O quantization, errors, reports.
#include "verify/evaluate.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "ir/error.hpp"
#include "pass_test_util.hpp"

namespace kiln {
namespace {

using pass_test::Builder;

// x[1, classes] -> Identity -> y: the scores are the sample values.
Graph pass_through(int64_t classes, DType dtype = DType::Float32) {
  Graph g = Builder()
                .input("x", {1, classes}, dtype)
                .node("Identity", {"x"}, {"y"})
                .output("y")
                .inferred();
  return g;
}

Tensor sample(const std::vector<float>& values) {
  return make_constant<float>("s", DType::Float32, Shape{1, static_cast<int64_t>(values.size())},
                              values);
}

Dataset make_dataset(const std::vector<std::vector<float>>& scores,
                     const std::vector<int64_t>& labels) {
  Dataset d;
  d.source = "hand-made";
  for (const auto& s : scores) d.samples.push_back(sample(s));
  d.labels = labels;
  for (int64_t l : labels) d.num_classes = std::max(d.num_classes, l + 1);
  return d;
}

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Evaluate, Top1ConfusionAndPerClassMetrics) {
  const Graph g = pass_through(3);
  // predictions: 0, 1, 1, 2, 0 (tie between 0 and 2 goes to the lower index)
  const Dataset d =
      make_dataset({{5, 1, 0}, {0, 3, 1}, {1, 2, 0}, {0, 0, 9}, {4, 1, 4}}, {0, 1, 0, 2, 2});
  const EvalResult r = evaluate_graph(g, d, "float");
  EXPECT_EQ(r.samples, 5);
  EXPECT_EQ(r.num_classes, 3);
  EXPECT_EQ(r.top1_correct, 3);
  EXPECT_DOUBLE_EQ(r.top1(), 0.6);
  EXPECT_FALSE(r.has_top5());
  EXPECT_EQ(r.predictions, (std::vector<int64_t>{0, 1, 1, 2, 0}));
  const std::vector<std::vector<int64_t>> confusion = {{1, 1, 0}, {0, 1, 0}, {1, 0, 1}};
  EXPECT_EQ(r.confusion, confusion);
  const std::vector<ClassMetrics> m = r.per_class();
  EXPECT_EQ(m[0].support, 2);
  EXPECT_EQ(m[0].predicted, 2);
  EXPECT_DOUBLE_EQ(*m[0].precision(), 0.5);
  EXPECT_DOUBLE_EQ(*m[0].recall(), 0.5);
  EXPECT_DOUBLE_EQ(*m[1].precision(), 0.5);
  EXPECT_DOUBLE_EQ(*m[1].recall(), 1.0);
  EXPECT_DOUBLE_EQ(*m[2].precision(), 1.0);
  EXPECT_DOUBLE_EQ(*m[2].recall(), 0.5);
}

TEST(Evaluate, UndefinedPrecisionIsReportedAsMissing) {
  const Graph g = pass_through(3);
  const Dataset d = make_dataset({{1, 0, 0}, {1, 0, 0}}, {0, 1});
  const EvalResult r = evaluate_graph(g, d, "float");
  const auto m = r.per_class();
  EXPECT_FALSE(m[1].precision().has_value());  // nothing predicted as 1
  EXPECT_DOUBLE_EQ(*m[1].recall(), 0.0);
  EXPECT_FALSE(m[2].recall().has_value());  // no sample labelled 2
  const nlohmann::json j = eval_to_json(r, {});
  EXPECT_TRUE(j["per_class"][1]["precision"].is_null());
  EXPECT_EQ(j["per_class"][0]["support"], 1);
}

TEST(Evaluate, Top5CountsTheLabelsRank) {
  const Graph g = pass_through(7);
  // Sample 0: label 6 has four higher scores (rank 4, in the top 5). Sample 1: label 0 has six
  // (rank 6). Sample 2: label 6 has two higher and ties with four lower-index classes (rank 6).
  const Dataset d = make_dataset(
      {{7, 6, 5, 4, 0, 0, 3}, {1, 7, 6, 5, 4, 3, 2}, {5, 5, 2, 2, 2, 2, 2}}, {6, 0, 6});
  const EvalResult r = evaluate_graph(g, d, "float");
  EXPECT_TRUE(r.has_top5());
  EXPECT_EQ(r.top1_correct, 0);
  EXPECT_EQ(r.top5_correct, 1);
  const nlohmann::json j = eval_to_json(r, {});
  EXPECT_EQ(j["top5_correct"], 1);
}

TEST(Evaluate, QuantizesSamplesForInt8InputsAndDequantizesOutputs) {
  Graph g = pass_through(4, DType::Int8);
  QuantParams q;
  q.scales = {0.5f};
  q.zero_points = {-3};
  g.tensor("x").quant = q;
  g.tensor("y").quant = q;
  // x / 0.5 rounds half to even: 0.25 -> 0.5 -> 0, 0.75 -> 1.5 -> 2; saturates at [-128, 127].
  const Tensor in = model_input_from_sample(g.tensor("x"), sample({0.25f, 0.75f, 1000.f, -1000.f}));
  ASSERT_EQ(in.dtype, DType::Int8);
  std::vector<int8_t> values(4);
  std::memcpy(values.data(), in.data.data(), 4);
  EXPECT_EQ(values, (std::vector<int8_t>{-3, -1, 127, -128}));
  // NaN quantizes to the zero point (real 0), infinities saturate.
  const Tensor odd =
      model_input_from_sample(g.tensor("x"), sample({std::nanf(""), INFINITY, -INFINITY, 0.0f}));
  std::vector<int8_t> odd_values(4);
  std::memcpy(odd_values.data(), odd.data.data(), 4);
  EXPECT_EQ(odd_values, (std::vector<int8_t>{-3, 127, -128, -3}));
  const std::vector<float> scores = output_scores(in);
  EXPECT_EQ(scores, (std::vector<float>{0.0f, 1.0f, 65.0f, -62.5f}));

  const Dataset d = make_dataset({{0.1f, 2.0f, 0.0f, -1.0f}, {3.0f, 0.2f, 0.0f, 0.0f}}, {1, 1});
  const EvalResult r = evaluate_graph(g, d, "int8");
  EXPECT_EQ(r.predictions, (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(r.top1_correct, 1);
}

TEST(Evaluate, ErrorsNameTheProblem) {
  const Graph g = pass_through(3);
  Dataset unlabelled = make_dataset({{1, 2, 3}}, {});
  EXPECT_NE(error_of([&] { evaluate_graph(g, unlabelled, "f"); }).find("has no labels"),
            std::string::npos);
  Dataset wide = make_dataset({{1, 2, 3}}, {4});
  EXPECT_NE(error_of([&] {
              evaluate_graph(g, wide, "f");
            }).find("labels go up to 4 but graph output 'y' has only 3 scores"),
            std::string::npos);
  Dataset misfit = make_dataset({{1, 2}}, {0});
  EXPECT_NE(
      error_of([&] { evaluate_graph(g, misfit, "f"); }).find("does not fit graph input 'x' (1x3)"),
      std::string::npos);
  Graph unquantized = pass_through(3, DType::Int8);
  EXPECT_NE(error_of([&] {
              evaluate_graph(unquantized, make_dataset({{1, 2, 3}}, {0}), "q");
            }).find("without quantization parameters"),
            std::string::npos);
}

TEST(Evaluate, ReportsCompareBuildsAgainstTheFirst) {
  const Graph g = pass_through(3);
  EvalResult a = evaluate_graph(g, make_dataset({{1, 0, 0}, {0, 1, 0}}, {0, 1}), "float");
  EvalResult b = evaluate_graph(g, make_dataset({{1, 0, 0}, {1, 0, 0}}, {0, 1}), "int8");
  const std::vector<EvalResult> both = {a, b};
  const std::string summary = format_summary_table(both);
  EXPECT_NE(summary.find("100.00% (2/2)"), std::string::npos) << summary;
  EXPECT_NE(summary.find("50.00% (1/2)"), std::string::npos) << summary;
  EXPECT_NE(summary.find("-50.00 pp"), std::string::npos) << summary;
  const std::string markdown = format_summary_markdown(both);
  EXPECT_NE(markdown.find("| int8 | 50.00% (1/2) | - | -50.00 pp |"), std::string::npos)
      << markdown;
  const std::vector<std::string> names = {"cat", "dog", "fox"};
  const std::string per_class = format_per_class_table(both, names);
  EXPECT_NE(per_class.find("dog"), std::string::npos) << per_class;
  const std::string confusion = format_confusion_matrix(b, names);
  EXPECT_NE(confusion.find("dog    1  0  0"), std::string::npos) << confusion;
}

}  // namespace
}  // namespace kiln
