// Gemm and MatMul: shape rules, broadcasting, errors and kernels against naive references.
#include "ops_conv_test_util.hpp"

namespace kiln::conv_test {
namespace {

// y = alpha * op(A) op(B) + beta * C with C indexed through broadcast_c(i, j).
template <typename CAt>
std::vector<float> reference_gemm(const std::vector<float>& a, const std::vector<float>& b,
                                  int64_t m, int64_t n, int64_t k, bool ta, bool tb, float alpha,
                                  float beta, CAt c_at) {
  std::vector<float> y(static_cast<size_t>(m * n));
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double acc = 0;
      for (int64_t p = 0; p < k; ++p)
        acc += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
      y[i * n + j] = static_cast<float>(alpha * acc + beta * c_at(i, j));
    }
  return y;
}

TEST(OpsGemm, TransposesAlphaBeta) {
  const int64_t m = 3, n = 5, k = 4;
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      const auto a = pattern(m * k, 1), b = pattern(k * n, 2), c = pattern(m * n, 3);
      OneOp op("Gemm");
      op.input("a", ta ? Shape{k, m} : Shape{m, k}, a)
          .constant("b", tb ? Shape{n, k} : Shape{k, n}, b)
          .constant("c", {m, n}, c);
      op.attr("transA", int64_t{ta}).attr("transB", int64_t{tb});
      op.attr("alpha", 0.5f).attr("beta", -2.0f);
      ASSERT_EQ(op.shape(), (Shape{m, n}));
      expect_close(op.run(), reference_gemm(a, b, m, n, k, ta, tb, 0.5f, -2.0f,
                                            [&](int64_t i, int64_t j) { return c[i * n + j]; }));
      EXPECT_EQ(op.macs(), m * n * k);
    }
}

TEST(OpsGemm, BiasBroadcastForms) {
  const int64_t m = 2, n = 3, k = 2;
  const auto a = pattern(m * k, 4), b = pattern(k * n, 5);
  struct Form {
    Shape shape;
    std::function<int64_t(int64_t, int64_t)> index;
  };
  const std::vector<Form> forms = {
      {{}, [](int64_t, int64_t) { return int64_t{0}; }},
      {{1}, [](int64_t, int64_t) { return int64_t{0}; }},
      {{n}, [](int64_t, int64_t j) { return j; }},
      {{1, n}, [](int64_t, int64_t j) { return j; }},
      {{m, 1}, [](int64_t i, int64_t) { return i; }},
      {{m, n}, [&](int64_t i, int64_t j) { return i * n + j; }},
  };
  for (const Form& form : forms) {
    const auto c = pattern(shape_elements(form.shape), 6);
    OneOp op("Gemm");
    op.input("a", {m, k}, a).constant("b", {k, n}, b).constant("c", form.shape, c);
    expect_close(op.run(),
                 reference_gemm(a, b, m, n, k, false, false, 1.0f, 1.0f,
                                [&](int64_t i, int64_t j) { return c[form.index(i, j)]; }));
  }
  OneOp no_bias("Gemm");
  no_bias.input("a", {m, k}, a).constant("b", {n, k}, b).attr("transB", int64_t{1});
  expect_close(no_bias.run(), reference_gemm(a, b, m, n, k, false, true, 1.0f, 0.0f,
                                             [](int64_t, int64_t) { return 0.0f; }));
}

TEST(OpsGemm, FusedActivation) {
  OneOp op("Gemm");
  op.input("a", {1, 2}, {1.0f, 2.0f}).constant("b", {2, 2}, {1.0f, -1.0f, 1.0f, -1.0f});
  op.activation(Activation::Clip, 0.0f, 2.0f);
  expect_close(op.run(), {2.0f, 0.0f});
}

TEST(OpsGemm, Errors) {
  expect_error(
      [] {
        OneOp op("Gemm");
        op.input("a", {2, 3}, pattern(6)).constant("b", {4, 2}, pattern(8));
        op.build();
      },
      "inner dimensions differ");
  expect_error(
      [] {
        OneOp op("Gemm");
        op.input("a", {2, 3}, pattern(6)).constant("b", {3, 4}, pattern(12));
        op.constant("c", {3}, pattern(3));
        op.build();
      },
      "cannot be broadcast");
  expect_error(
      [] {
        OneOp op("Gemm");
        op.input("a", {1, 2, 3}, pattern(6)).constant("b", {3, 4}, pattern(12));
        op.build();
      },
      "must both be 2-D");
}

// numpy matmul over broadcast batch dims; shapes already padded to rank >= 2.
std::vector<float> reference_matmul(const std::vector<float>& a, const Shape& as,
                                    const std::vector<float>& b, const Shape& bs,
                                    const Shape& batch) {
  const int64_t m = as[as.size() - 2], k = as.back(), n = bs.back();
  const int64_t batches = shape_elements(batch);
  std::vector<float> y(static_cast<size_t>(batches * m * n));
  for (int64_t t = 0; t < batches; ++t) {
    // Decompose t into batch indices and map each operand with broadcasting.
    int64_t rest = t, a_index = 0, b_index = 0, a_mul = 1, b_mul = 1;
    for (size_t d = batch.size(); d-- > 0;) {
      const int64_t idx = rest % batch[d];
      rest /= batch[d];
      const size_t from_end = batch.size() - 1 - d;
      if (from_end < as.size() - 2) {
        const int64_t dim = as[as.size() - 3 - from_end];
        a_index += (dim == 1 ? 0 : idx) * a_mul;
        a_mul *= dim;
      }
      if (from_end < bs.size() - 2) {
        const int64_t dim = bs[bs.size() - 3 - from_end];
        b_index += (dim == 1 ? 0 : idx) * b_mul;
        b_mul *= dim;
      }
    }
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double acc = 0;
        for (int64_t p = 0; p < k; ++p)
          acc += a[a_index * m * k + i * k + p] * b[b_index * k * n + p * n + j];
        y[(t * m + i) * n + j] = static_cast<float>(acc);
      }
  }
  return y;
}

TEST(OpsMatMul, BatchedBroadcast) {
  const Shape as = {2, 1, 3, 4}, bs = {3, 4, 5};
  const auto a = pattern(shape_elements(as), 8), b = pattern(shape_elements(bs), 9);
  OneOp op("MatMul");
  op.input("a", as, a).constant("b", bs, b);
  ASSERT_EQ(op.shape(), (Shape{2, 3, 3, 5}));
  expect_close(op.run(), reference_matmul(a, as, b, bs, {2, 3}));
  EXPECT_EQ(op.macs(), 6 * 3 * 5 * 4);
}

TEST(OpsMatMul, PlainAndBroadcastLeftOperand) {
  const Shape as = {3, 4}, bs = {2, 4, 2};
  const auto a = pattern(12, 10), b = pattern(16, 11);
  OneOp op("MatMul");
  op.input("a", as, a).input("b", bs, b);
  ASSERT_EQ(op.shape(), (Shape{2, 3, 2}));
  expect_close(op.run(), reference_matmul(a, as, b, bs, {2}));
  OneOp plain("MatMul");
  plain.input("a", as, a).constant("b", {4, 4}, pattern(16, 12));
  expect_close(plain.run(), reference_matmul(a, as, pattern(16, 12), {4, 4}, {}));
}

TEST(OpsMatMul, OneDimensionalOperands) {
  const std::vector<float> v = {1.0f, 2.0f, 3.0f};
  const std::vector<float> mat = {1, 2, 3, 4, 5, 6};  // [3, 2] or [2, 3]
  OneOp vm("MatMul");
  vm.input("a", {3}, v).constant("b", {3, 2}, mat);
  EXPECT_EQ(vm.shape(), (Shape{2}));
  expect_close(vm.run(), {22.0f, 28.0f});
  OneOp mv("MatMul");
  mv.input("a", {2, 3}, mat).constant("b", {3}, v);
  EXPECT_EQ(mv.shape(), (Shape{2}));
  expect_close(mv.run(), {14.0f, 32.0f});
  OneOp vv("MatMul");
  vv.input("a", {3}, v).constant("b", {3}, v);
  EXPECT_EQ(vv.shape(), (Shape{}));
  expect_close(vv.run(), {14.0f});
  OneOp batched("MatMul");  // [2, 2, 3] x [3] -> [2, 2]
  batched.input("a", {2, 2, 3}, {1, 2, 3, 4, 5, 6, 0, 0, 1, 1, 0, 0}).constant("b", {3}, v);
  EXPECT_EQ(batched.shape(), (Shape{2, 2}));
  expect_close(batched.run(), {14.0f, 32.0f, 3.0f, 1.0f});
}

TEST(OpsMatMul, ErrorsAndActivation) {
  expect_error(
      [] {
        OneOp op("MatMul");
        op.input("a", {2, 3}, pattern(6)).constant("b", {2, 3}, pattern(6));
        op.build();
      },
      "inner dimensions differ");
  expect_error(
      [] {
        OneOp op("MatMul");
        op.input("a", {2, 2, 3}, pattern(12)).constant("b", {3, 3, 1}, pattern(9));
        op.build();
      },
      "cannot be broadcast");
  OneOp op("MatMul");
  op.input("a", {1, 2}, {1.0f, -3.0f}).constant("b", {2, 2}, {1.0f, 0.0f, 0.0f, 1.0f});
  op.activation(Activation::LeakyRelu, 0.5f);
  expect_close(op.run(), {1.0f, -1.5f});
}

}  // namespace
}  // namespace kiln::conv_test
