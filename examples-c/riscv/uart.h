/*
 * uart.h: minimal polled output on the ns16550 UART of QEMU `virt` (0x10000000).
 * No libc: these are the only print functions the example uses.
 */
#ifndef UART_H
#define UART_H

#include <stdint.h>

void uart_putc(char c);
void uart_puts(const char *s);        /* "\n" is sent as "\r\n" */
void uart_putu(uint64_t v);           /* unsigned decimal */
void uart_puti(int32_t v);            /* signed decimal */
void uart_puthex(uint32_t v);         /* "0x" + 8 hex digits */

#endif /* UART_H */
