/* Semihosting on Arm M-profile: the operation in r0, the parameter in r1, then BKPT 0xAB (the
 * Thumb semihosting breakpoint); the debugger or emulator returns the result in r0. */
#include "kiln_rt.h"

uintptr_t kiln_rt_semihost(uintptr_t operation, uintptr_t parameter) {
  register uintptr_t r0 __asm__("r0") = operation;
  register uintptr_t r1 __asm__("r1") = parameter;
  __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}
