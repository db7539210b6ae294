/* The architecture-independent part of kiln's bare-metal runtime (see kiln_rt.h). */
#include "kiln_rt.h"

/* Symbols defined by kiln's linker script (kiln.ld.in). */
extern uint32_t __kiln_data_load[];
extern uint32_t __kiln_data_start[];
extern uint32_t __kiln_data_end[];
extern uint32_t __kiln_bss_start[];
extern uint32_t __kiln_bss_end[];
extern uint32_t __kiln_stack_limit[];
extern uint32_t __kiln_stack_top[];

/* Semihosting operation numbers (Arm semihosting specification; RISC-V uses the same ones). */
enum { KILN_SYS_WRITE0 = 0x04, KILN_SYS_EXIT = 0x18, KILN_SYS_EXIT_EXTENDED = 0x20 };
/* ADP_Stopped_ApplicationExit: the reason code for a normal program exit. */
#define KILN_ADP_APPLICATION_EXIT 0x20026u

/* Every stack word holds this until something writes it. */
#define KILN_STACK_PAINT 0xA5A5A5A5u

void kiln_rt_write(const char* text) {
  kiln_rt_semihost(KILN_SYS_WRITE0, (uintptr_t)text);
}

void kiln_rt_exit(int code) {
  /* SYS_EXIT_EXTENDED takes a two-word block (reason, exit code) on 32-bit targets too, so the
   * exit status reaches the emulator's process exit code. */
  static uintptr_t block[2];
  block[0] = KILN_ADP_APPLICATION_EXIT;
  block[1] = (uintptr_t)(intptr_t)code;
  kiln_rt_semihost(KILN_SYS_EXIT_EXTENDED, (uintptr_t)block);
  /* Only reached if the emulator ignored the call: fall back to the plain exit. */
  kiln_rt_semihost(KILN_SYS_EXIT, KILN_ADP_APPLICATION_EXIT);
  for (;;) {
  }
}

uint32_t kiln_rt_stack_size(void) {
  return (uint32_t)((uintptr_t)__kiln_stack_top - (uintptr_t)__kiln_stack_limit);
}

uint32_t kiln_rt_stack_high_water(void) {
  /* The stack grows down from __kiln_stack_top: the first word from the bottom that lost its
   * paint marks the deepest point ever reached. */
  const volatile uint32_t* word = __kiln_stack_limit;
  while (word < __kiln_stack_top && *word == KILN_STACK_PAINT) ++word;
  return (uint32_t)((uintptr_t)__kiln_stack_top - (uintptr_t)word);
}

__attribute__((noinline, used)) void kiln_rt_mark(void) {
  /* The asm keeps the call from being optimized away. */
  __asm__ volatile("" ::: "memory");
}

/* Painting must not overwrite this function's own frame: stop a little below it. */
#define KILN_PAINT_MARGIN 64u

void kiln_rt_start(void) {
  volatile uint32_t* dst = __kiln_data_start;
  const volatile uint32_t* src = __kiln_data_load;
  while (dst < __kiln_data_end) *dst++ = *src++;
  for (dst = __kiln_bss_start; dst < __kiln_bss_end; ++dst) *dst = 0u;

  {
    const uintptr_t frame = (uintptr_t)__builtin_frame_address(0) - KILN_PAINT_MARGIN;
    for (dst = __kiln_stack_limit; (uintptr_t)dst < frame; ++dst) *dst = KILN_STACK_PAINT;
  }
  kiln_rt_exit(main());
}
