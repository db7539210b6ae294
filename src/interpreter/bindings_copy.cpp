#include "interpreter/kernel_binding.hpp"

extern "C" {
#include "kiln_copy.h"
}

namespace kiln {

KILN_BIND_KERNEL(kiln_copy, [](const KernelInvocation& k) {
  kiln_copy(k.in<void>(0), k.out<void>(1), k.i(2));
});

}  // namespace kiln
