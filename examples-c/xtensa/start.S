/*
 * start.S: reset, exception vectors and simulator calls for `qemu-system-xtensa -M sim
 * -cpu lx106` (the ESP8266's core, call0 ABI, no OS).
 *
 * QEMU loads the ELF into the simulator's system ROM (0x50000000) and RAM (0x60000000) and
 * starts at the ELF entry, _start. The vector table sits at the start of the ROM; _start points
 * VECBASE at it, so that any exception lands in trap_entry and ends the run with a message.
 */

    .section .vectors, "ax"
    .begin  no-transform                /* keep every jump exactly where .org puts it */
    .globl  vectors
vectors:
    j       _start                      /* VECBASE + 0x00: unused slot, kept for a jump to start */
    .org    0x10                        /* debug */
    j       trap_entry
    .org    0x20                        /* NMI / high-priority interrupt */
    j       trap_entry
    .org    0x30                        /* kernel exception */
    j       trap_entry
    .org    0x50                        /* user exception */
    j       trap_entry
    .org    0x70                        /* double exception */
    j       trap_entry
    .end    no-transform

    .text
    .literal_position
    .globl  _start
    .p2align 2
_start:
    movi    a2, vectors
    wsr     a2, vecbase
    movi    a2, 0x0f                    /* PS: INTLEVEL 15 (all interrupts masked), EXCM 0 */
    wsr     a2, ps
    rsync
    movi    a1, __stack_top             /* the stack grows down from the top of RAM */

    /* Zero .bss (word aligned by link.ld). .data needs no copy: QEMU loads it in RAM. */
    movi    a2, __bss_start
    movi    a3, __bss_end
    movi    a4, 0
1:  bgeu    a2, a3, 2f
    s32i    a4, a2, 0
    addi    a2, a2, 4
    j       1b
2:
    movi    a0, main
    callx0  a0                          /* returns the exit code in a2 */
    mov     a3, a2
    j       exit_a3

/*
 * void fw_exit(int code): SYS_exit through the simulator call (a2 = 1, a3 = status).
 * QEMU needs -semihosting for simcall.
 */
    .globl  fw_exit
    .p2align 2
fw_exit:
    mov     a3, a2
exit_a3:
    movi    a2, 1
    simcall
3:  j       3b                          /* not reached */

/*
 * int sim_write(int fd, const void *buf, unsigned len): SYS_write (a2 = 4, a3 = fd,
 * a4 = buf, a5 = len); returns the bytes written (or -1) in a2. Call0: args in a2..a4.
 */
    .globl  sim_write
    .p2align 2
sim_write:
    mov     a5, a4
    mov     a4, a3
    mov     a3, a2
    movi    a2, 4
    simcall
    ret

/* Exceptions: a fresh stack, then fw_trap(exccause, epc1, excvaddr) in main.c, no return. */
    .p2align 2
trap_entry:
    movi    a1, __stack_top
    rsr     a2, exccause
    rsr     a3, epc1
    rsr     a4, excvaddr
    movi    a0, fw_trap
    callx0  a0
4:  j       4b

    .section .note.GNU-stack, "", @progbits
