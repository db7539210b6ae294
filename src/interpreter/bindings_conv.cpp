// Interpreter bindings for the convolution / matrix / pooling / normalization / resize kernels.
// Argument indices follow the KernelCall each OpDef builds in src/ops/{conv,gemm,pool,
// batch_norm,resize}.cpp, which in turn follow the kernels' C signatures.
#include "interpreter/kernel_binding.hpp"

extern "C" {
#include "kiln_average_pool_f32.h"
#include "kiln_batch_norm_f32.h"
#include "kiln_conv_f32.h"
#include "kiln_conv_transpose_f32.h"
#include "kiln_gemm_f32.h"
#include "kiln_global_average_pool_f32.h"
#include "kiln_global_max_pool_f32.h"
#include "kiln_matmul_f32.h"
#include "kiln_max_pool_f32.h"
#include "kiln_max_pool_indices_f32.h"
#include "kiln_resize_linear_f32.h"
#include "kiln_resize_nearest_f32.h"
}

namespace kiln {

KILN_BIND_KERNEL(kiln_conv_f32, [](const KernelInvocation& k) {
  kiln_conv_f32(k.in<float>(0), k.in<float>(1), k.in<float>(2), k.out<float>(3), k.i(4), k.i(5),
                k.i(6), k.i(7), k.ints(8), k.ints(9), k.ints(10), k.ints(11), k.ints(12),
                k.ints(13), k.i(14), k.f(15), k.f(16));
});

KILN_BIND_KERNEL(kiln_conv_transpose_f32, [](const KernelInvocation& k) {
  kiln_conv_transpose_f32(k.in<float>(0), k.in<float>(1), k.in<float>(2), k.out<float>(3), k.i(4),
                          k.i(5), k.i(6), k.i(7), k.ints(8), k.ints(9), k.ints(10), k.ints(11),
                          k.ints(12), k.ints(13), k.i(14), k.f(15), k.f(16));
});

KILN_BIND_KERNEL(kiln_gemm_f32, [](const KernelInvocation& k) {
  kiln_gemm_f32(k.in<float>(0), k.in<float>(1), k.in<float>(2), k.out<float>(3), k.i(4), k.i(5),
                k.i(6), k.i(7), k.i(8), k.i(9), k.i(10), k.i(11), k.i(12), k.f(13), k.f(14),
                k.i(15), k.f(16), k.f(17));
});

KILN_BIND_KERNEL(kiln_matmul_f32, [](const KernelInvocation& k) {
  kiln_matmul_f32(k.in<float>(0), k.in<float>(1), k.out<float>(2), k.i(3), k.ints(4), k.ints(5),
                  k.ints(6), k.i(7), k.i(8), k.i(9), k.i(10), k.f(11), k.f(12));
});

KILN_BIND_KERNEL(kiln_max_pool_f32, [](const KernelInvocation& k) {
  kiln_max_pool_f32(k.in<float>(0), k.out<float>(1), k.i(2), k.ints(3), k.ints(4), k.ints(5),
                    k.ints(6), k.ints(7), k.ints(8));
});

KILN_BIND_KERNEL(kiln_max_pool_indices_f32, [](const KernelInvocation& k) {
  kiln_max_pool_indices_f32(k.in<float>(0), k.out<float>(1), k.out<int64_t>(2), k.i(3), k.ints(4),
                            k.ints(5), k.ints(6), k.ints(7), k.ints(8), k.ints(9), k.i(10));
});

KILN_BIND_KERNEL(kiln_average_pool_f32, [](const KernelInvocation& k) {
  kiln_average_pool_f32(k.in<float>(0), k.out<float>(1), k.i(2), k.ints(3), k.ints(4), k.ints(5),
                        k.ints(6), k.ints(7), k.ints(8), k.ints(9), k.i(10));
});

KILN_BIND_KERNEL(kiln_global_average_pool_f32, [](const KernelInvocation& k) {
  kiln_global_average_pool_f32(k.in<float>(0), k.out<float>(1), k.i(2), k.i(3));
});

KILN_BIND_KERNEL(kiln_global_max_pool_f32, [](const KernelInvocation& k) {
  kiln_global_max_pool_f32(k.in<float>(0), k.out<float>(1), k.i(2), k.i(3));
});

KILN_BIND_KERNEL(kiln_batch_norm_f32, [](const KernelInvocation& k) {
  kiln_batch_norm_f32(k.in<float>(0), k.in<float>(1), k.in<float>(2), k.in<float>(3),
                      k.in<float>(4), k.out<float>(5), k.i(6), k.i(7), k.i(8), k.i(9), k.f(10));
});

KILN_BIND_KERNEL(kiln_resize_nearest_f32, [](const KernelInvocation& k) {
  kiln_resize_nearest_f32(k.in<float>(0), k.out<float>(1), k.i(2), k.ints(3), k.ints(4), k.f(5));
});

KILN_BIND_KERNEL(kiln_resize_linear_f32, [](const KernelInvocation& k) {
  kiln_resize_linear_f32(k.in<float>(0), k.out<float>(1), k.i(2), k.i(3), k.i(4), k.i(5), k.i(6),
                         k.ints(7), k.floats(8), k.ints(9), k.floats(10), k.f(11));
});

}  // namespace kiln
