/*
 * start.S: reset and trap entry for QEMU `virt` with -bios none (machine mode, no OS).
 *
 * QEMU's reset ROM jumps here (0x80000000, see link.ld) on every hart with a0 = hart id and
 * a1 = device tree address; we use neither beyond parking harts other than 0.
 */

    .section .text.start, "ax"
    .globl _start
_start:
    /* gp must be loaded without linker relaxation (relaxation would make it gp-relative). */
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop

    /* Only hart 0 runs the firmware; QEMU starts 1 hart by default, but stay safe with -smp. */
    csrr    t0, mhartid
    bnez    t0, park

    la      sp, __stack_top           /* top of RAM; the stack grows down */

#ifdef __riscv_flen
    /* Hard-float builds (riscv64gc, lp64d): the FPU is off at reset (mstatus.FS = Off) and
     * any FP instruction would trap; mark it Initial before running compiled code. */
    li      t0, 0x2000
    csrs    mstatus, t0
#endif

    la      t0, trap_entry            /* any exception (or stray interrupt) ends the run */
    csrw    mtvec, t0                 /* direct mode: trap_entry is 4-byte aligned */

    /* Zero .bss (word aligned by link.ld). .data needs no copy: it is loaded in RAM. */
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sw      zero, 0(t0)
    addi    t0, t0, 4
    j       1b
2:
    call    main                      /* returns the exit code in a0 */
    /* fall through */

/*
 * void fw_exit(int code): stop QEMU through the sifive_test device at 0x100000.
 * Writing 0x5555 exits QEMU with status 0; (code << 16) | 0x3333 exits with status `code`.
 */
    .globl  fw_exit
fw_exit:
    li      t0, 0x100000
    li      t1, 0x5555
    beqz    a0, 3f
    slli    t1, a0, 16
    li      t2, 0x3333
    or      t1, t1, t2
3:  sw      t1, 0(t0)
park:
    wfi                               /* not reached under QEMU once the device is written */
    j       park

/*
 * Trap entry: take a fresh stack (the old one may be what faulted) and let fw_trap() in
 * main.c print mcause/mepc/mtval and exit with a failure code. fw_trap never returns.
 */
    .p2align 2
trap_entry:
    la      sp, __stack_top
    csrr    a0, mcause
    csrr    a1, mepc
    csrr    a2, mtval
    call    fw_trap
    j       park
