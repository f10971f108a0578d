/*
 * uart.c: polled transmit on the ns16550-compatible UART at 0x10000000.
 *
 * QEMU's UART needs no baud-rate setup; on silicon, program the divisor latch first.
 */
#include "uart.h"

#define UART_BASE 0x10000000u
#define UART_THR  0u          /* transmit holding register (write) */
#define UART_LSR  5u          /* line status register */
#define LSR_THRE  0x20u       /* transmit holding register empty */

static volatile uint8_t *const uart = (volatile uint8_t *)UART_BASE;

void uart_putc(char c)
{
    while ((uart[UART_LSR] & LSR_THRE) == 0) {
    }
    uart[UART_THR] = (uint8_t)c;
}

void uart_puts(const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s == '\n') {
            uart_putc('\r');
        }
        uart_putc(*s);
    }
}

/*
 * Divides *v by 10 and returns the remainder, using only 32-bit divisions (rv32 has no 64-bit
 * divide instruction and this avoids pulling __udivdi3 from libgcc). Long division in three
 * steps: high word, then two 16-bit halves of the low word; each partial dividend stays below
 * 10 * 2^16 (or is the high word itself), so it fits 32 bits.
 */
static uint32_t divmod10(uint64_t *v)
{
    uint32_t hi = (uint32_t)(*v >> 32);
    uint32_t lo = (uint32_t)*v;
    uint32_t q_hi = hi / 10u;
    uint32_t r = hi % 10u;
    uint32_t part = (r << 16) | (lo >> 16);
    uint32_t q_mid = part / 10u;
    r = part % 10u;
    part = (r << 16) | (lo & 0xFFFFu);
    uint32_t q_lo = part / 10u;
    r = part % 10u;
    *v = ((uint64_t)q_hi << 32) | (q_mid << 16) | q_lo;
    return r;
}

void uart_putu(uint64_t v)
{
    char buf[21];             /* 2^64 - 1 has 20 digits */
    int n = 0;
    do {
        buf[n++] = (char)('0' + divmod10(&v));
    } while (v != 0);
    while (n > 0) {
        uart_putc(buf[--n]);
    }
}

void uart_puti(int32_t v)
{
    if (v < 0) {
        uart_putc('-');
        uart_putu((uint64_t)(-(int64_t)v));
    } else {
        uart_putu((uint64_t)v);
    }
}

void uart_puthex(uint32_t v)
{
    uart_puts("0x");
    for (int shift = 28; shift >= 0; shift -= 4) {
        uart_putc("0123456789abcdef"[(v >> shift) & 0xFu]);
    }
}
