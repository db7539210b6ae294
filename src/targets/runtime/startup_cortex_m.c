/* Startup code for Arm Cortex-M (Armv6-M, Armv7-M, Armv8-M, Armv8.1-M): the vector table and
 * the reset handler. On reset the core loads SP from word 0 of the vector table and jumps to
 * word 1; no stack setup is needed in assembly. */
#include "kiln_rt.h"

extern uint32_t __kiln_stack_top[];

void kiln_reset(void) __attribute__((noreturn));
static void kiln_unexpected_exception(void) __attribute__((noreturn));

/* The exception vectors the architecture defines (entries 0..15); no external interrupts are
 * enabled, so none follow. Reserved entries are 0. Entry 7 is SecureFault on Armv8-M with the
 * Security Extension and reserved elsewhere, where pointing it at a handler is harmless. */
__attribute__((section(".vectors"), used)) static const uintptr_t kiln_vectors[16] = {
    (uintptr_t)__kiln_stack_top,          /* initial main stack pointer */
    (uintptr_t)kiln_reset,                /* reset */
    (uintptr_t)kiln_unexpected_exception, /* NMI */
    (uintptr_t)kiln_unexpected_exception, /* HardFault */
    (uintptr_t)kiln_unexpected_exception, /* MemManage */
    (uintptr_t)kiln_unexpected_exception, /* BusFault */
    (uintptr_t)kiln_unexpected_exception, /* UsageFault */
    (uintptr_t)kiln_unexpected_exception, /* SecureFault */
    0u,
    0u,
    0u,
    (uintptr_t)kiln_unexpected_exception, /* SVCall */
    (uintptr_t)kiln_unexpected_exception, /* DebugMonitor */
    0u,
    (uintptr_t)kiln_unexpected_exception, /* PendSV */
    (uintptr_t)kiln_unexpected_exception, /* SysTick */
};

/* A fault inside the benchmark must end the run with a message, not hang the emulator. */
static void kiln_unexpected_exception(void) {
  kiln_rt_write("kiln: unexpected exception (fault) on the target\n");
  kiln_rt_exit(100);
}

void kiln_reset(void) {
#if defined(__ARM_FP) || defined(__ARM_FEATURE_MVE)
  /* The compiler was told this core has a floating-point unit (and, on Armv8.1-M, MVE): grant
   * full access to coprocessors 10 and 11 in CPACR (bits 20..23) before any FP or vector
   * instruction runs, then make sure the change is visible to the following instructions. */
  volatile uint32_t* const cpacr = (volatile uint32_t*)0xE000ED88u;
  *cpacr |= 0xFu << 20;
  __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
  kiln_rt_start();
}
