/*
 * semihost.h: console output and exit through Arm semihosting (QEMU -semihosting).
 *
 * Semihosting lets code on the target ask the debugger (here QEMU) to do I/O: the core executes
 * `bkpt 0xAB` with an operation number in r0 and an argument in r1. Without a debugger or with
 * semihosting disabled the breakpoint faults (QEMU aborts), so production firmware replaces
 * these two functions with a UART driver and a reset.
 */
#ifndef SEMIHOST_H
#define SEMIHOST_H

#include <stdarg.h>
#include <stdint.h>

/* Writes a NUL-terminated string to the host console (SYS_WRITE0). */
void sh_puts(const char *s);

/*
 * A small printf: %s %c %d %i %u %x %X %%, with optional '0' flag and width (e.g. %08lx),
 * and the length modifiers l and z accepted (all integers here are 32 bits). No floats.
 */
void sh_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Ends the program: QEMU exits with `code` as its own exit status (SYS_EXIT_EXTENDED). */
void sh_exit(int code) __attribute__((noreturn));

#endif /* SEMIHOST_H */
