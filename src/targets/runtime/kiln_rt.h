/* kiln's bare-metal runtime: the few services a benchmark firmware needs from the board.
 * Written for kiln; the same API exists for every architecture (kiln_rt.c holds the common
 * part, startup_<arch>.* and semihost_<arch>.c the architecture-specific part). */
#ifndef KILN_RT_H
#define KILN_RT_H

#include <stdint.h>

/* Prints a NUL-terminated string on the debugger's console (semihosting SYS_WRITE0). */
void kiln_rt_write(const char* text);
/* Ends the program with `code` as the emulator's exit status (SYS_EXIT_EXTENDED). */
void kiln_rt_exit(int code) __attribute__((noreturn));
/* Bytes of the stack region written since reset (the stack is painted before main). */
uint32_t kiln_rt_stack_high_water(void);
/* Bytes reserved for the stack by the linker script. */
uint32_t kiln_rt_stack_size(void);
/* An empty function whose address the instruction-counting emulator plugin watches: every call
 * records the number of instructions executed so far. Never inlined. */
void kiln_rt_mark(void);

/* Called by the architecture's startup code with a valid stack: initializes .data and .bss,
 * paints the stack, runs main() and exits with its return value. */
void kiln_rt_start(void) __attribute__((noreturn));

/* Architecture-specific semihosting trap (semihost_<arch>.c): operation number and parameter
 * block address in, result out. */
uintptr_t kiln_rt_semihost(uintptr_t operation, uintptr_t parameter);

int main(void);

#endif
