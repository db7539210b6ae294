// Interpreter bindings of the element-wise, activation, softmax, reduction and cast kernels.
// Argument indices follow the KernelCall order built in src/ops/{elementwise,activation,
// softmax,reduce,cast,identity}.cpp.
#include "interpreter/kernel_binding.hpp"

extern "C" {
#include "kiln_activation_clip_f32.h"
#include "kiln_activation_clip_int.h"
#include "kiln_activation_f32.h"
#include "kiln_binary_compare.h"
#include "kiln_binary_f32.h"
#include "kiln_binary_int.h"
#include "kiln_binary_nary.h"
#include "kiln_binary_pow_mixed.h"
#include "kiln_broadcast_where.h"
#include "kiln_cast.h"
#include "kiln_reduce_f32.h"
#include "kiln_reduce_int.h"
#include "kiln_softmax_f32.h"
#include "kiln_unary_dropout.h"
#include "kiln_unary_f32.h"
#include "kiln_unary_int.h"
}

namespace kiln {

KILN_BIND_KERNEL(kiln_binary_f32, [](const KernelInvocation& k) {
  kiln_binary_f32(k.i(0), k.in<float>(1), k.in<float>(2), k.out<float>(3), k.i(4), k.ints(5),
                  k.ints(6), k.ints(7), k.i(8), k.f(9), k.f(10));
});

KILN_BIND_KERNEL(kiln_binary_int, [](const KernelInvocation& k) {
  kiln_binary_int(k.i(0), k.i(1), k.in<void>(2), k.in<void>(3), k.out<void>(4), k.i(5), k.ints(6),
                  k.ints(7), k.ints(8));
});

KILN_BIND_KERNEL(kiln_binary_nary, [](const KernelInvocation& k) {
  kiln_binary_nary(k.i(0), k.i(1), k.i(2), k.in<void>(3), k.in<void>(4), k.in<void>(5),
                   k.in<void>(6), k.in<void>(7), k.in<void>(8), k.in<void>(9), k.in<void>(10),
                   k.out<void>(11), k.i(12), k.ints(13), k.ints(14));
});

KILN_BIND_KERNEL(kiln_binary_pow_mixed, [](const KernelInvocation& k) {
  kiln_binary_pow_mixed(k.i(0), k.i(1), k.in<void>(2), k.in<void>(3), k.out<void>(4), k.i(5),
                        k.ints(6), k.ints(7), k.ints(8));
});

KILN_BIND_KERNEL(kiln_binary_compare, [](const KernelInvocation& k) {
  kiln_binary_compare(k.i(0), k.i(1), k.in<void>(2), k.in<void>(3), k.out<uint8_t>(4), k.i(5),
                      k.ints(6), k.ints(7), k.ints(8));
});

KILN_BIND_KERNEL(kiln_broadcast_where, [](const KernelInvocation& k) {
  kiln_broadcast_where(k.in<uint8_t>(0), k.in<void>(1), k.in<void>(2), k.out<void>(3), k.i(4),
                       k.i(5), k.ints(6), k.ints(7), k.ints(8), k.ints(9));
});

KILN_BIND_KERNEL(kiln_unary_f32, [](const KernelInvocation& k) {
  kiln_unary_f32(k.i(0), k.in<float>(1), k.out<float>(2), k.i(3), k.f(4), k.f(5));
});

KILN_BIND_KERNEL(kiln_unary_int, [](const KernelInvocation& k) {
  kiln_unary_int(k.i(0), k.i(1), k.in<void>(2), k.out<void>(3), k.i(4));
});

KILN_BIND_KERNEL(kiln_unary_dropout, [](const KernelInvocation& k) {
  kiln_unary_dropout(k.in<void>(0), k.out<void>(1), k.i(2), k.out<uint8_t>(3), k.i(4));
});

KILN_BIND_KERNEL(kiln_activation_f32, [](const KernelInvocation& k) {
  kiln_activation_f32(k.in<float>(0), k.out<float>(1), k.i(2), k.i(3), k.f(4), k.f(5));
});

KILN_BIND_KERNEL(kiln_activation_clip_f32, [](const KernelInvocation& k) {
  kiln_activation_clip_f32(k.in<float>(0), k.in<float>(1), k.in<float>(2), k.out<float>(3), k.i(4));
});

KILN_BIND_KERNEL(kiln_activation_clip_int, [](const KernelInvocation& k) {
  kiln_activation_clip_int(k.i(0), k.in<void>(1), k.in<void>(2), k.in<void>(3), k.out<void>(4),
                           k.i(5));
});

KILN_BIND_KERNEL(kiln_softmax_f32, [](const KernelInvocation& k) {
  kiln_softmax_f32(k.in<float>(0), k.out<float>(1), k.i(2), k.i(3), k.i(4), k.i(5), k.f(6));
});

KILN_BIND_KERNEL(kiln_reduce_f32, [](const KernelInvocation& k) {
  kiln_reduce_f32(k.i(0), k.in<float>(1), k.out<float>(2), k.i(3), k.ints(4), k.ints(5));
});

KILN_BIND_KERNEL(kiln_reduce_int, [](const KernelInvocation& k) {
  kiln_reduce_int(k.i(0), k.i(1), k.in<void>(2), k.out<void>(3), k.i(4), k.ints(5), k.ints(6));
});

KILN_BIND_KERNEL(kiln_cast, [](const KernelInvocation& k) {
  kiln_cast(k.in<void>(0), k.i(1), k.out<void>(2), k.i(3), k.i(4));
});

}  // namespace kiln
