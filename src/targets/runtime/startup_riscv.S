/* Startup code for RISC-V (RV32, machine mode, no firmware): set the stack and global pointers,
 * install a trap handler that reports and exits, then hand over to kiln_rt_start(). */
/* csrw needs the Zicsr extension, which every RV32IMAC core has but newer assemblers want named;
 * naming it here keeps -march=rv32imac (the multilib the C libraries are built for). */
    .option arch, +zicsr
    .section .text.kiln_reset, "ax"
    .globl kiln_reset
    .type kiln_reset, @function
kiln_reset:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    la sp, __kiln_stack_top
    la t0, kiln_trap
    csrw mtvec, t0
    call kiln_rt_start
1:  j 1b
    .size kiln_reset, . - kiln_reset

/* mtvec requires 4-byte alignment in direct mode. */
    .balign 4
    .type kiln_trap, @function
kiln_trap:
    la sp, __kiln_stack_top
    call kiln_rt_unexpected_trap
2:  j 2b
    .size kiln_trap, . - kiln_trap
