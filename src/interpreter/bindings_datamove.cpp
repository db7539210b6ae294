// Interpreter bindings of the data-movement kernels (Transpose, Slice, Expand, Tile, Concat,
// Split, Gather, Pad, ConstantOfShape). They all move bytes, so one binding serves every dtype.
#include "interpreter/kernel_binding.hpp"

extern "C" {
#include "kiln_concat.h"
#include "kiln_fill.h"
#include "kiln_gather.h"
#include "kiln_pad.h"
#include "kiln_split.h"
#include "kiln_strided_copy.h"
}

namespace kiln {

KILN_BIND_KERNEL(kiln_strided_copy, [](const KernelInvocation& k) {
  kiln_strided_copy(k.in<void>(0), k.out<void>(1), k.i(2), k.i(3), k.i(4), k.ints(5), k.ints(6));
});

KILN_BIND_KERNEL(kiln_concat, [](const KernelInvocation& k) {
  kiln_concat(k.in<void>(0), k.in<void>(1), k.in<void>(2), k.in<void>(3), k.in<void>(4),
              k.in<void>(5), k.in<void>(6), k.in<void>(7), k.out<void>(8), k.i(9), k.i(10),
              k.ints(11));
});

KILN_BIND_KERNEL(kiln_split, [](const KernelInvocation& k) {
  kiln_split(k.in<void>(0), k.out<void>(1), k.out<void>(2), k.out<void>(3), k.out<void>(4),
             k.out<void>(5), k.out<void>(6), k.out<void>(7), k.out<void>(8), k.i(9), k.i(10),
             k.ints(11));
});

KILN_BIND_KERNEL(kiln_gather, [](const KernelInvocation& k) {
  kiln_gather(k.in<void>(0), k.out<void>(1), k.i(2), k.i(3), k.i(4), k.i(5), k.ints(6));
});

KILN_BIND_KERNEL(kiln_pad, [](const KernelInvocation& k) {
  kiln_pad(k.in<void>(0), k.out<void>(1), k.i(2), k.i(3), k.ints(4), k.ints(5), k.ints(6), k.i(7),
           k.ints(8));
});

KILN_BIND_KERNEL(kiln_fill, [](const KernelInvocation& k) {
  kiln_fill(k.out<void>(0), k.i(1), k.i(2), k.ints(3));
});

}  // namespace kiln
