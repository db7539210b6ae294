/* kiln_rt.h on the host: the benchmark harness runs as an ordinary program. Output goes to
 * stdout and the exit code to the shell. The stack is not painted (the host owns it), so no
 * high-water mark is measured; kiln_rt_mark does nothing (no emulator counts instructions). */
#include <stdio.h>
#include <stdlib.h>

#include "kiln_rt.h"

void kiln_rt_write(const char* text) {
  fputs(text, stdout);
}

void kiln_rt_exit(int code) {
  fflush(stdout);
  exit(code);
}

uint32_t kiln_rt_stack_high_water(void) {
  return 0u;
}

uint32_t kiln_rt_stack_size(void) {
  return 0u;
}

void kiln_rt_mark(void) {}
