// Interpreter bindings of the integer kernels (src/interpreter/bindings_quant.cpp): a KernelCall
// whose arguments follow the C signature must reach the kernel with every argument in its
// place. Each test calls the kernel directly and through its binding with the same, pairwise
// distinct arguments and compares the outputs (a swapped or misread argument changes them).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "interpreter/kernel_binding.hpp"

extern "C" {
#include "kiln_average_pool_s8.h"
#include "kiln_binary_ops.h"
#include "kiln_binary_s16.h"
#include "kiln_binary_s8.h"
#include "kiln_conv_acc_s8.h"
#include "kiln_conv_s16.h"
#include "kiln_conv_s8.h"
#include "kiln_dequantize_linear.h"
#include "kiln_gemm_s16.h"
#include "kiln_gemm_s8.h"
#include "kiln_global_average_pool_s8.h"
#include "kiln_lut_s8.h"
#include "kiln_matmul_acc_s8.h"
#include "kiln_matmul_s8.h"
#include "kiln_max_pool_s8.h"
#include "kiln_quantize_linear.h"
#include "kiln_requantize.h"
#include "kiln_softmax_s8.h"
}

namespace kiln {
namespace {

// A KernelCall and the tensor pointers of its arguments, built side by side.
class BoundCall {
 public:
  explicit BoundCall(const std::string& function) : call_(function) {}
  BoundCall& in(const void* p) {
    call_.input(p ? "t" + std::to_string(pointers_.size()) : "");
    pointers_.push_back(const_cast<void*>(p));
    return *this;
  }
  BoundCall& out(void* p) {
    call_.output("t" + std::to_string(pointers_.size()));
    pointers_.push_back(p);
    return *this;
  }
  BoundCall& i(int64_t v) {
    call_.i(v);
    pointers_.push_back(nullptr);
    return *this;
  }
  BoundCall& ints(const std::vector<int32_t>& v) {
    call_.ints(std::vector<int64_t>(v.begin(), v.end()));
    pointers_.push_back(nullptr);
    return *this;
  }
  BoundCall& floats(const std::vector<float>& v) {
    call_.floats(v);
    pointers_.push_back(nullptr);
    return *this;
  }
  void run() const { find_kernel(call_.function)(KernelInvocation(call_, pointers_)); }

 private:
  KernelCall call_;
  std::vector<void*> pointers_;
};

std::vector<int8_t> pattern8(size_t n, int seed) {
  std::vector<int8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<int8_t>((i * 37 + seed * 11) % 256 - 128);
  return v;
}
std::vector<int16_t> pattern16(size_t n, int seed) {
  std::vector<int16_t> v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = static_cast<int16_t>((i * 7919 + seed * 131) % 65536 - 32768);
  return v;
}

// Conv geometry with distinct values per dimension: x [1, 2, 3, 5, 6], w [4, 1, 2, 2, 3].
const std::vector<int32_t> kIn = {3, 5, 6}, kOut = {2, 3, 2}, kKernel = {2, 2, 3},
                           kStrides = {1, 2, 2}, kDilations = {1, 1, 2}, kPads = {0, 1, 1};

TEST(QuantBindings, ConvKernels) {
  const auto x = pattern8(2 * 90, 1);
  const auto x16 = pattern16(2 * 90, 2);
  const auto w = pattern8(4 * 12, 3);
  const std::vector<int32_t> bias = {100, -200, 300, -400};
  const std::vector<int64_t> bias64 = {1000, -2000, 3000, -4000};
  const std::vector<int32_t> mults = {1 << 30, 1200000000, 1500000000, 2000000000};
  const std::vector<int32_t> shifts = {-7, -8, -9, -6}, w_zps = {3, -4, 5, -6};
  const std::vector<int32_t> w4_zps = {-2, 1, 0, 7};  // 4-bit weights: zero points in [-8, 7]
  std::vector<int8_t> direct(4 * 12), bound(4 * 12, 1);
  kiln_conv_s8(x.data(), w.data(), bias.data(), direct.data(), 1, 2, 4, 2, kIn.data(), kOut.data(),
               kKernel.data(), kStrides.data(), kDilations.data(), kPads.data(), 8, 5, w_zps.data(),
               7, mults.data(), shifts.data(), KILN_REQUANT_FIXED_POINT, -100, 90);
  BoundCall("kiln_conv_s8")
      .in(x.data())
      .in(w.data())
      .in(bias.data())
      .out(bound.data())
      .i(1)
      .i(2)
      .i(4)
      .i(2)
      .ints(kIn)
      .ints(kOut)
      .ints(kKernel)
      .ints(kStrides)
      .ints(kDilations)
      .ints(kPads)
      .i(8)
      .i(5)
      .ints(w_zps)
      .i(7)
      .ints(mults)
      .ints(shifts)
      .i(KILN_REQUANT_FIXED_POINT)
      .i(-100)
      .i(90)
      .run();
  EXPECT_EQ(direct, bound);

  std::vector<int16_t> direct16(4 * 12), bound16(4 * 12, 1);
  kiln_conv_s16(x16.data(), w.data(), bias64.data(), direct16.data(), 1, 2, 4, 2, kIn.data(),
                kOut.data(), kKernel.data(), kStrides.data(), kDilations.data(), kPads.data(), 4, 5,
                w4_zps.data(), 7, mults.data(), shifts.data(), KILN_REQUANT_FIXED_POINT, -30000,
                29000);
  BoundCall("kiln_conv_s16")
      .in(x16.data())
      .in(w.data())
      .in(bias64.data())
      .out(bound16.data())
      .i(1)
      .i(2)
      .i(4)
      .i(2)
      .ints(kIn)
      .ints(kOut)
      .ints(kKernel)
      .ints(kStrides)
      .ints(kDilations)
      .ints(kPads)
      .i(4)
      .i(5)
      .ints(w4_zps)
      .i(7)
      .ints(mults)
      .ints(shifts)
      .i(KILN_REQUANT_FIXED_POINT)
      .i(-30000)
      .i(29000)
      .run();
  EXPECT_EQ(direct16, bound16);

  std::vector<int32_t> direct_acc(4 * 12), bound_acc(4 * 12, 1);
  kiln_conv_acc_s8(x.data(), w.data(), direct_acc.data(), 1, 2, 4, 2, kIn.data(), kOut.data(),
                   kKernel.data(), kStrides.data(), kDilations.data(), kPads.data(), 5,
                   w_zps.data());
  BoundCall("kiln_conv_acc_s8")
      .in(x.data())
      .in(w.data())
      .out(bound_acc.data())
      .i(1)
      .i(2)
      .i(4)
      .i(2)
      .ints(kIn)
      .ints(kOut)
      .ints(kKernel)
      .ints(kStrides)
      .ints(kDilations)
      .ints(kPads)
      .i(5)
      .ints(w_zps)
      .run();
  EXPECT_EQ(direct_acc, bound_acc);
}

TEST(QuantBindings, GemmAndMatMulKernels) {
  // Gemm m=3, n=4, k=5 with a transposed (strides 1, 3) and b plain (strides 4, 1).
  const auto a = pattern8(15, 4);
  const auto a16 = pattern16(15, 5);
  const auto b = pattern8(20, 6);
  const std::vector<int32_t> bias = {11, -22, 33, -44};
  const std::vector<int64_t> bias64 = {111, -222, 333, -444};
  const std::vector<int32_t> mults = {1 << 30, 1300000000, 1700000000, 2100000000};
  const std::vector<int32_t> shifts = {-6, -7, -5, -8};
  const std::vector<int32_t> w_zps = {-1, 4, 0, -9}, w4_zps = {-1, 3, 0, -8};
  std::vector<int8_t> direct(12), bound(12, 1);
  kiln_gemm_s8(a.data(), b.data(), bias.data(), direct.data(), 3, 4, 5, 1, 3, 4, 1, 8, 9,
               w_zps.data(), 2, mults.data(), shifts.data(), KILN_REQUANT_FIXED_POINT, -120, 110);
  BoundCall("kiln_gemm_s8")
      .in(a.data())
      .in(b.data())
      .in(bias.data())
      .out(bound.data())
      .i(3)
      .i(4)
      .i(5)
      .i(1)
      .i(3)
      .i(4)
      .i(1)
      .i(8)
      .i(9)
      .ints(w_zps)
      .i(2)
      .ints(mults)
      .ints(shifts)
      .i(KILN_REQUANT_FIXED_POINT)
      .i(-120)
      .i(110)
      .run();
  EXPECT_EQ(direct, bound);

  std::vector<int16_t> direct16(12), bound16(12, 1);
  kiln_gemm_s16(a16.data(), b.data(), bias64.data(), direct16.data(), 3, 4, 5, 1, 3, 4, 1, 4, 9,
                w4_zps.data(), 2, mults.data(), shifts.data(), KILN_REQUANT_SHIFT, -32000, 31000);
  BoundCall("kiln_gemm_s16")
      .in(a16.data())
      .in(b.data())
      .in(bias64.data())
      .out(bound16.data())
      .i(3)
      .i(4)
      .i(5)
      .i(1)
      .i(3)
      .i(4)
      .i(1)
      .i(4)
      .i(9)
      .ints(w4_zps)
      .i(2)
      .ints(mults)
      .ints(shifts)
      .i(KILN_REQUANT_SHIFT)
      .i(-32000)
      .i(31000)
      .run();
  EXPECT_EQ(direct16, bound16);

  // MatMul: batch [2, 3] with a broadcast along the first dim; m=2, k=3, n=4.
  const std::vector<int32_t> dims = {2, 3}, a_strides = {0, 6}, b_strides = {36, 12};
  const auto ma = pattern8(3 * 6, 7);
  const auto mb = pattern8(6 * 12, 8);
  const std::vector<int32_t> b_zps = {1, -2, 3, -4};
  std::vector<int8_t> mdirect(6 * 8), mbound(6 * 8, 1);
  kiln_matmul_s8(ma.data(), mb.data(), mdirect.data(), 2, dims.data(), a_strides.data(),
                 b_strides.data(), 2, 4, 3, 6, b_zps.data(), 4, mults.data(), shifts.data(),
                 KILN_REQUANT_FIXED_POINT, -127, 126);
  BoundCall("kiln_matmul_s8")
      .in(ma.data())
      .in(mb.data())
      .out(mbound.data())
      .i(2)
      .ints(dims)
      .ints(a_strides)
      .ints(b_strides)
      .i(2)
      .i(4)
      .i(3)
      .i(6)
      .ints(b_zps)
      .i(4)
      .ints(mults)
      .ints(shifts)
      .i(KILN_REQUANT_FIXED_POINT)
      .i(-127)
      .i(126)
      .run();
  EXPECT_EQ(mdirect, mbound);

  std::vector<int32_t> adirect(6 * 8), abound(6 * 8, 1);
  kiln_matmul_acc_s8(ma.data(), mb.data(), adirect.data(), 2, dims.data(), a_strides.data(),
                     b_strides.data(), 2, 4, 3, 6, b_zps.data());
  BoundCall("kiln_matmul_acc_s8")
      .in(ma.data())
      .in(mb.data())
      .out(abound.data())
      .i(2)
      .ints(dims)
      .ints(a_strides)
      .ints(b_strides)
      .i(2)
      .i(4)
      .i(3)
      .i(6)
      .ints(b_zps)
      .run();
  EXPECT_EQ(adirect, abound);
}

TEST(QuantBindings, BinaryKernels) {
  // y [2, 3, 4]; b broadcast along the middle dim.
  const std::vector<int32_t> shape = {2, 3, 4}, a_strides = {12, 4, 1}, b_strides = {4, 0, 1};
  const auto a = pattern8(24, 9);
  const auto b = pattern8(8, 10);
  const auto a16 = pattern16(24, 11);
  const auto b16 = pattern16(8, 12);
  for (int32_t op : {KILN_BINARY_ADD, KILN_BINARY_SUB, KILN_BINARY_MUL}) {
    std::vector<int8_t> direct(24), bound(24, 1);
    kiln_binary_s8(op, a.data(), b.data(), direct.data(), 3, shape.data(), a_strides.data(),
                   b_strides.data(), 3, -5, 7, 20, 1300000000, -1, 1100000000, -2, 1900000000,
                   op == KILN_BINARY_MUL ? -8 : -19, -110, 100);
    BoundCall("kiln_binary_s8")
        .i(op)
        .in(a.data())
        .in(b.data())
        .out(bound.data())
        .i(3)
        .ints(shape)
        .ints(a_strides)
        .ints(b_strides)
        .i(3)
        .i(-5)
        .i(7)
        .i(20)
        .i(1300000000)
        .i(-1)
        .i(1100000000)
        .i(-2)
        .i(1900000000)
        .i(op == KILN_BINARY_MUL ? -8 : -19)
        .i(-110)
        .i(100)
        .run();
    EXPECT_EQ(direct, bound) << "op " << op;

    std::vector<int16_t> direct16(24), bound16(24, 1);
    kiln_binary_s16(op, a16.data(), b16.data(), direct16.data(), 3, shape.data(), a_strides.data(),
                    b_strides.data(), 3, -5, 7, 15, 1300000000, -1, 1100000000, -2, 1900000000,
                    op == KILN_BINARY_MUL ? -16 : -14, -31000, 30000);
    BoundCall("kiln_binary_s16")
        .i(op)
        .in(a16.data())
        .in(b16.data())
        .out(bound16.data())
        .i(3)
        .ints(shape)
        .ints(a_strides)
        .ints(b_strides)
        .i(3)
        .i(-5)
        .i(7)
        .i(15)
        .i(1300000000)
        .i(-1)
        .i(1100000000)
        .i(-2)
        .i(1900000000)
        .i(op == KILN_BINARY_MUL ? -16 : -14)
        .i(-31000)
        .i(30000)
        .run();
    EXPECT_EQ(direct16, bound16) << "op " << op;
  }
}

TEST(QuantBindings, PoolKernels) {
  const auto x = pattern8(2 * 90, 13);
  const std::vector<int32_t> pads_end = {1, 0, 2};
  std::vector<int8_t> direct(2 * 12), bound(2 * 12, 1);
  kiln_max_pool_s8(x.data(), direct.data(), 2, kIn.data(), kOut.data(), kKernel.data(),
                   kStrides.data(), kDilations.data(), kPads.data(), -20, 100);
  BoundCall("kiln_max_pool_s8")
      .in(x.data())
      .out(bound.data())
      .i(2)
      .ints(kIn)
      .ints(kOut)
      .ints(kKernel)
      .ints(kStrides)
      .ints(kDilations)
      .ints(kPads)
      .i(-20)
      .i(100)
      .run();
  EXPECT_EQ(direct, bound);

  kiln_average_pool_s8(x.data(), direct.data(), 2, kIn.data(), kOut.data(), kKernel.data(),
                       kStrides.data(), kDilations.data(), kPads.data(), pads_end.data(), 1, -20,
                       100);
  BoundCall("kiln_average_pool_s8")
      .in(x.data())
      .out(bound.data())
      .i(2)
      .ints(kIn)
      .ints(kOut)
      .ints(kKernel)
      .ints(kStrides)
      .ints(kDilations)
      .ints(kPads)
      .ints(pads_end)
      .i(1)
      .i(-20)
      .i(100)
      .run();
  EXPECT_EQ(direct, bound);

  std::vector<int8_t> gdirect(4), gbound(4, 1);
  kiln_global_average_pool_s8(x.data(), gdirect.data(), 4, 45, 6, -7, 1600000000, -4,
                              KILN_REQUANT_FIXED_POINT, -50, 60);
  BoundCall("kiln_global_average_pool_s8")
      .in(x.data())
      .out(gbound.data())
      .i(4)
      .i(45)
      .i(6)
      .i(-7)
      .i(1600000000)
      .i(-4)
      .i(KILN_REQUANT_FIXED_POINT)
      .i(-50)
      .i(60)
      .run();
  EXPECT_EQ(gdirect, gbound);
}

TEST(QuantBindings, ConversionLutAndSoftmaxKernels) {
  const auto x = pattern8(24, 14);
  std::vector<int16_t> direct16(24), bound16(24, 1);
  kiln_requantize(x.data(), KILN_QTYPE_S8, direct16.data(), KILN_QTYPE_S16, 24, 3, -9, 1400000000,
                  5, KILN_REQUANT_FIXED_POINT);
  BoundCall("kiln_requantize")
      .in(x.data())
      .i(KILN_QTYPE_S8)
      .out(bound16.data())
      .i(KILN_QTYPE_S16)
      .i(24)
      .i(3)
      .i(-9)
      .i(1400000000)
      .i(5)
      .i(KILN_REQUANT_FIXED_POINT)
      .run();
  EXPECT_EQ(direct16, bound16);

  // [2, 3, 4] per-axis on axis 1.
  std::vector<float> xf(24);
  for (size_t i = 0; i < xf.size(); ++i) xf[i] = static_cast<float>(i) * 0.37f - 4.0f;
  const std::vector<float> scales = {0.1f, 0.05f, 0.2f};
  const std::vector<int32_t> zps = {-3, 4, 0};
  std::vector<int8_t> qdirect(24), qbound(24, 1);
  kiln_quantize_linear(xf.data(), qdirect.data(), KILN_QTYPE_S8, 2, 3, 4, scales.data(),
                       zps.data());
  BoundCall("kiln_quantize_linear")
      .in(xf.data())
      .out(qbound.data())
      .i(KILN_QTYPE_S8)
      .i(2)
      .i(3)
      .i(4)
      .floats(scales)
      .ints(zps)
      .run();
  EXPECT_EQ(qdirect, qbound);

  std::vector<float> ddirect(24), dbound(24, 1.0f);
  kiln_dequantize_linear(x.data(), KILN_QTYPE_S8, ddirect.data(), 2, 3, 4, scales.data(),
                         zps.data());
  BoundCall("kiln_dequantize_linear")
      .in(x.data())
      .i(KILN_QTYPE_S8)
      .out(dbound.data())
      .i(2)
      .i(3)
      .i(4)
      .floats(scales)
      .ints(zps)
      .run();
  EXPECT_EQ(ddirect, dbound);

  const auto table = pattern8(256, 15);
  std::vector<int8_t> ldirect(24), lbound(24, 1);
  kiln_lut_s8(x.data(), table.data(), ldirect.data(), 24);
  BoundCall("kiln_lut_s8").in(x.data()).in(table.data()).out(lbound.data()).i(24).run();
  EXPECT_EQ(ldirect, lbound);

  // Softmax over the middle dim of [2, 3, 4]; the table as Ints (as src/ops/softmax.cpp lowers
  // it) and as an Input tensor.
  std::vector<int32_t> exp_table(256);
  for (int d = 0; d < 256; ++d) exp_table[d] = (1 << 30) >> (d / 8);
  std::vector<int8_t> sdirect(24), sbound(24, 1), sbound_tensor(24, 2);
  kiln_softmax_s8(x.data(), exp_table.data(), sdirect.data(), 2, 3, 4, -128, 1 << 30, -22,
                  KILN_REQUANT_FIXED_POINT);
  BoundCall("kiln_softmax_s8")
      .in(x.data())
      .ints(exp_table)
      .out(sbound.data())
      .i(2)
      .i(3)
      .i(4)
      .i(-128)
      .i(1 << 30)
      .i(-22)
      .i(KILN_REQUANT_FIXED_POINT)
      .run();
  BoundCall("kiln_softmax_s8")
      .in(x.data())
      .in(exp_table.data())
      .out(sbound_tensor.data())
      .i(2)
      .i(3)
      .i(4)
      .i(-128)
      .i(1 << 30)
      .i(-22)
      .i(KILN_REQUANT_FIXED_POINT)
      .run();
  EXPECT_EQ(sdirect, sbound);
  EXPECT_EQ(sdirect, sbound_tensor);
}

}  // namespace
}  // namespace kiln
