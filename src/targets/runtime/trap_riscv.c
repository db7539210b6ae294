/* Any trap (illegal instruction, misaligned or faulting access) during a benchmark ends the run
 * with a message instead of hanging the emulator. Called from startup_riscv.S. */
#include "kiln_rt.h"

void kiln_rt_unexpected_trap(void) __attribute__((noreturn));

void kiln_rt_unexpected_trap(void) {
  kiln_rt_write("kiln: unexpected trap on the target\n");
  kiln_rt_exit(100);
}
