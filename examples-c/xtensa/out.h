/*
 * out.h: console output through the simulator's SYS_write (start.S's sim_write, fd 1).
 * No libc: these are the only print functions the example uses.
 */
#ifndef OUT_H
#define OUT_H

#include <stdint.h>

void out_putc(char c);
void out_puts(const char *s);
void out_putu(uint64_t v);            /* unsigned decimal */
void out_puti(int32_t v);             /* signed decimal */
void out_puthex(uint32_t v);          /* "0x" + 8 hex digits */
void out_flush(void);                 /* writes what is buffered */

#endif /* OUT_H */
