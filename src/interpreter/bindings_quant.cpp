// Interpreter bindings for the integer (quantized) kernels and the float <-> integer boundary
// kernels. Argument indices follow the kernels' C signatures (src/kernels/kiln_*_s8.h, _s16.h,
// kiln_requantize.h, kiln_quantize_linear.h, kiln_dequantize_linear.h, kiln_lut_s8.h,
// kiln_lut_s16.h, kiln_softmax_s8.h, kiln_softmax_s16.h): tensors are Input/Output, per-channel
// requantization parameters, zero-point arrays and geometry are Ints, float scales are Floats,
// lookup tables are Input tensors.
#include "interpreter/kernel_binding.hpp"

extern "C" {
#include "kiln_average_pool_s16.h"
#include "kiln_average_pool_s8.h"
#include "kiln_average_pool_s8_single.h"
#include "kiln_binary_s16.h"
#include "kiln_binary_s8.h"
#include "kiln_binary_s8_single.h"
#include "kiln_conv_acc_s8.h"
#include "kiln_conv_s16.h"
#include "kiln_conv_s8.h"
#include "kiln_dequantize_linear.h"
#include "kiln_gemm_s16.h"
#include "kiln_gemm_s8.h"
#include "kiln_global_average_pool_s16.h"
#include "kiln_global_average_pool_s8.h"
#include "kiln_lut_s16.h"
#include "kiln_lut_s8.h"
#include "kiln_matmul_acc_s8.h"
#include "kiln_matmul_s8.h"
#include "kiln_max_pool_s16.h"
#include "kiln_max_pool_s8.h"
#include "kiln_mean_tflm_s8.h"
#include "kiln_quantize_linear.h"
#include "kiln_reduce_mean_s8.h"
#include "kiln_requantize.h"
#include "kiln_softmax_s16.h"
#include "kiln_softmax_s8.h"
#include "kiln_softmax_tflm_s8.h"
}

namespace kiln {

KILN_BIND_KERNEL(kiln_conv_s8, [](const KernelInvocation& k) {
  kiln_conv_s8(k.in<int8_t>(0), k.in<int8_t>(1), k.in<int32_t>(2), k.out<int8_t>(3), k.i(4), k.i(5),
               k.i(6), k.i(7), k.ints(8), k.ints(9), k.ints(10), k.ints(11), k.ints(12), k.ints(13),
               k.i(14), k.i(15), k.ints(16), k.i(17), k.ints(18), k.ints(19), k.i(20), k.i(21),
               k.i(22));
});

KILN_BIND_KERNEL(kiln_conv_s16, [](const KernelInvocation& k) {
  kiln_conv_s16(k.in<int16_t>(0), k.in<int8_t>(1), k.in<int64_t>(2), k.out<int16_t>(3), k.i(4),
                k.i(5), k.i(6), k.i(7), k.ints(8), k.ints(9), k.ints(10), k.ints(11), k.ints(12),
                k.ints(13), k.i(14), k.i(15), k.ints(16), k.i(17), k.ints(18), k.ints(19), k.i(20),
                k.i(21), k.i(22));
});

KILN_BIND_KERNEL(kiln_conv_acc_s8, [](const KernelInvocation& k) {
  kiln_conv_acc_s8(k.in<int8_t>(0), k.in<int8_t>(1), k.out<int32_t>(2), k.i(3), k.i(4), k.i(5),
                   k.i(6), k.ints(7), k.ints(8), k.ints(9), k.ints(10), k.ints(11), k.ints(12),
                   k.i(13), k.ints(14));
});

KILN_BIND_KERNEL(kiln_gemm_s8, [](const KernelInvocation& k) {
  kiln_gemm_s8(k.in<int8_t>(0), k.in<int8_t>(1), k.in<int32_t>(2), k.out<int8_t>(3), k.i(4), k.i(5),
               k.i(6), k.i(7), k.i(8), k.i(9), k.i(10), k.i(11), k.i(12), k.ints(13), k.i(14),
               k.ints(15), k.ints(16), k.i(17), k.i(18), k.i(19));
});

KILN_BIND_KERNEL(kiln_gemm_s16, [](const KernelInvocation& k) {
  kiln_gemm_s16(k.in<int16_t>(0), k.in<int8_t>(1), k.in<int64_t>(2), k.out<int16_t>(3), k.i(4),
                k.i(5), k.i(6), k.i(7), k.i(8), k.i(9), k.i(10), k.i(11), k.i(12), k.ints(13),
                k.i(14), k.ints(15), k.ints(16), k.i(17), k.i(18), k.i(19));
});

KILN_BIND_KERNEL(kiln_matmul_s8, [](const KernelInvocation& k) {
  kiln_matmul_s8(k.in<int8_t>(0), k.in<int8_t>(1), k.out<int8_t>(2), k.i(3), k.ints(4), k.ints(5),
                 k.ints(6), k.i(7), k.i(8), k.i(9), k.i(10), k.ints(11), k.i(12), k.ints(13),
                 k.ints(14), k.i(15), k.i(16), k.i(17));
});

KILN_BIND_KERNEL(kiln_matmul_acc_s8, [](const KernelInvocation& k) {
  kiln_matmul_acc_s8(k.in<int8_t>(0), k.in<int8_t>(1), k.out<int32_t>(2), k.i(3), k.ints(4),
                     k.ints(5), k.ints(6), k.i(7), k.i(8), k.i(9), k.i(10), k.ints(11));
});

KILN_BIND_KERNEL(kiln_binary_s8_single, [](const KernelInvocation& k) {
  kiln_binary_s8_single(k.i(0), k.in<int8_t>(1), k.in<int8_t>(2), k.out<int8_t>(3), k.i(4),
                        k.ints(5), k.ints(6), k.ints(7), k.i(8), k.i(9), k.i(10), k.i(11), k.i(12),
                        k.i(13), k.i(14), k.i(15));
});

KILN_BIND_KERNEL(kiln_binary_s8, [](const KernelInvocation& k) {
  kiln_binary_s8(k.i(0), k.in<int8_t>(1), k.in<int8_t>(2), k.out<int8_t>(3), k.i(4), k.ints(5),
                 k.ints(6), k.ints(7), k.i(8), k.i(9), k.i(10), k.i(11), k.i(12), k.i(13), k.i(14),
                 k.i(15), k.i(16), k.i(17), k.i(18), k.i(19));
});

KILN_BIND_KERNEL(kiln_binary_s16, [](const KernelInvocation& k) {
  kiln_binary_s16(k.i(0), k.in<int16_t>(1), k.in<int16_t>(2), k.out<int16_t>(3), k.i(4), k.ints(5),
                  k.ints(6), k.ints(7), k.i(8), k.i(9), k.i(10), k.i(11), k.i(12), k.i(13), k.i(14),
                  k.i(15), k.i(16), k.i(17), k.i(18), k.i(19));
});

KILN_BIND_KERNEL(kiln_max_pool_s8, [](const KernelInvocation& k) {
  kiln_max_pool_s8(k.in<int8_t>(0), k.out<int8_t>(1), k.i(2), k.ints(3), k.ints(4), k.ints(5),
                   k.ints(6), k.ints(7), k.ints(8), k.i(9), k.i(10));
});

KILN_BIND_KERNEL(kiln_average_pool_s8, [](const KernelInvocation& k) {
  kiln_average_pool_s8(k.in<int8_t>(0), k.out<int8_t>(1), k.i(2), k.ints(3), k.ints(4), k.ints(5),
                       k.ints(6), k.ints(7), k.ints(8), k.ints(9), k.i(10), k.i(11), k.i(12));
});

KILN_BIND_KERNEL(kiln_average_pool_s8_single, [](const KernelInvocation& k) {
  kiln_average_pool_s8_single(k.in<int8_t>(0), k.out<int8_t>(1), k.i(2), k.ints(3), k.ints(4),
                              k.ints(5), k.ints(6), k.ints(7), k.ints(8), k.ints(9), k.i(10),
                              k.i(11), k.i(12), k.i(13), k.i(14), k.i(15), k.i(16));
});

KILN_BIND_KERNEL(kiln_global_average_pool_s8, [](const KernelInvocation& k) {
  kiln_global_average_pool_s8(k.in<int8_t>(0), k.out<int8_t>(1), k.i(2), k.i(3), k.i(4), k.i(5),
                              k.i(6), k.i(7), k.i(8), k.i(9), k.i(10));
});

KILN_BIND_KERNEL(kiln_max_pool_s16, [](const KernelInvocation& k) {
  kiln_max_pool_s16(k.in<int16_t>(0), k.out<int16_t>(1), k.i(2), k.ints(3), k.ints(4), k.ints(5),
                    k.ints(6), k.ints(7), k.ints(8), k.i(9), k.i(10));
});

KILN_BIND_KERNEL(kiln_average_pool_s16, [](const KernelInvocation& k) {
  kiln_average_pool_s16(k.in<int16_t>(0), k.out<int16_t>(1), k.i(2), k.ints(3), k.ints(4),
                        k.ints(5), k.ints(6), k.ints(7), k.ints(8), k.ints(9), k.i(10), k.i(11),
                        k.i(12));
});

KILN_BIND_KERNEL(kiln_global_average_pool_s16, [](const KernelInvocation& k) {
  kiln_global_average_pool_s16(k.in<int16_t>(0), k.out<int16_t>(1), k.i(2), k.i(3), k.i(4), k.i(5),
                               k.i(6), k.i(7), k.i(8), k.i(9), k.i(10));
});

KILN_BIND_KERNEL(kiln_requantize, [](const KernelInvocation& k) {
  kiln_requantize(k.in<void>(0), k.i(1), k.out<void>(2), k.i(3), k.i(4), k.i(5), k.i(6), k.i(7),
                  k.i(8), k.i(9));
});

KILN_BIND_KERNEL(kiln_quantize_linear, [](const KernelInvocation& k) {
  kiln_quantize_linear(k.in<float>(0), k.out<void>(1), k.i(2), k.i(3), k.i(4), k.i(5), k.floats(6),
                       k.ints(7));
});

KILN_BIND_KERNEL(kiln_dequantize_linear, [](const KernelInvocation& k) {
  kiln_dequantize_linear(k.in<void>(0), k.i(1), k.out<float>(2), k.i(3), k.i(4), k.i(5),
                         k.floats(6), k.ints(7));
});

KILN_BIND_KERNEL(kiln_lut_s8, [](const KernelInvocation& k) {
  kiln_lut_s8(k.in<int8_t>(0), k.in<int8_t>(1), k.out<int8_t>(2), k.i(3));
});

KILN_BIND_KERNEL(kiln_lut_s16, [](const KernelInvocation& k) {
  kiln_lut_s16(k.in<int16_t>(0), k.in<int16_t>(1), k.out<int16_t>(2), k.i(3));
});

// The exp table is a constant: either a tensor (Input) or an inline constant array (Ints).
KILN_BIND_KERNEL(kiln_softmax_s8, [](const KernelInvocation& k) {
  const int32_t* exp_table =
      k.call().args.size() > 1 && k.call().args[1].kind == KernelArg::Kind::Ints ? k.ints(1)
                                                                                 : k.in<int32_t>(1);
  kiln_softmax_s8(k.in<int8_t>(0), exp_table, k.out<int8_t>(2), k.i(3), k.i(4), k.i(5), k.i(6),
                  k.i(7), k.i(8), k.i(9));
});

// The exp table is an inline constant array (Ints).
KILN_BIND_KERNEL(kiln_softmax_s16, [](const KernelInvocation& k) {
  kiln_softmax_s16(k.in<int16_t>(0), k.ints(1), k.out<int16_t>(2), k.i(3), k.i(4), k.i(5), k.i(6),
                   k.i(7), k.i(8), k.i(9));
});

KILN_BIND_KERNEL(kiln_mean_tflm_s8, [](const KernelInvocation& k) {
  kiln_mean_tflm_s8(k.in<int8_t>(0), k.out<int8_t>(1), k.i(2), k.i(3), k.i(4), k.i(5), k.i(6),
                    k.i(7));
});

KILN_BIND_KERNEL(kiln_reduce_mean_s8, [](const KernelInvocation& k) {
  kiln_reduce_mean_s8(k.in<int8_t>(0), k.out<int8_t>(1), k.i(2), k.ints(3), k.ints(4), k.i(5),
                      k.i(6), k.i(7), k.i(8), k.i(9), k.i(10));
});

KILN_BIND_KERNEL(kiln_softmax_tflm_s8, [](const KernelInvocation& k) {
  kiln_softmax_tflm_s8(k.in<int8_t>(0), k.out<int8_t>(1), k.i(2), k.i(3), k.i(4), k.i(5), k.i(6),
                       k.i(7));
});

}  // namespace kiln
