/* Semihosting on RISC-V: the operation in a0, the parameter in a1, then the three-instruction
 * sequence `slli x0, x0, 0x1f; ebreak; srai x0, x0, 7`. The sequence must be made of 32-bit
 * (uncompressed) instructions within one page, hence `norvc` and the 16-byte alignment. */
#include "kiln_rt.h"

uintptr_t kiln_rt_semihost(uintptr_t operation, uintptr_t parameter) {
  register uintptr_t a0 __asm__("a0") = operation;
  register uintptr_t a1 __asm__("a1") = parameter;
  __asm__ volatile(
      ".option push\n"
      ".option norvc\n"
      ".balign 16\n"
      "slli x0, x0, 0x1f\n"
      "ebreak\n"
      "srai x0, x0, 7\n"
      ".option pop\n"
      : "+r"(a0)
      : "r"(a1)
      : "memory");
  return a0;
}
