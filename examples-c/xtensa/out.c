/*
 * out.c: buffered console output for the Xtensa example. Each simulator call is an exit to
 * QEMU, so characters are collected into lines and written one line per SYS_write.
 */
#include "out.h"

int sim_write(int fd, const void *buf, unsigned len);   /* start.S */

static char line[128];
static unsigned used;

void out_flush(void)
{
    if (used != 0) {
        (void)sim_write(1, line, used);
        used = 0;
    }
}

void out_putc(char c)
{
    line[used++] = c;
    if (c == '\n' || used == sizeof line) {
        out_flush();
    }
}

void out_puts(const char *s)
{
    for (; *s != '\0'; s++) {
        out_putc(*s);
    }
}

/*
 * Decimal digits by subtracting powers of ten: the LX106 has no divide instruction and
 * GCC's libgcc for it has no 32-bit division helpers, so the example avoids division.
 */
void out_putu(uint64_t v)
{
    static const uint64_t pow10[20] = {
        10000000000000000000ull, 1000000000000000000ull, 100000000000000000ull,
        10000000000000000ull, 1000000000000000ull, 100000000000000ull, 10000000000000ull,
        1000000000000ull, 100000000000ull, 10000000000ull, 1000000000ull, 100000000ull,
        10000000ull, 1000000ull, 100000ull, 10000ull, 1000ull, 100ull, 10ull, 1ull,
    };
    int started = 0;
    for (int i = 0; i < 20; i++) {
        char d = '0';
        while (v >= pow10[i]) {
            v -= pow10[i];
            d++;
        }
        if (d != '0' || started || i == 19) {
            out_putc(d);
            started = 1;
        }
    }
}

void out_puti(int32_t v)
{
    if (v < 0) {
        out_putc('-');
        out_putu((uint64_t)(-(int64_t)v));
    } else {
        out_putu((uint64_t)v);
    }
}

void out_puthex(uint32_t v)
{
    out_puts("0x");
    for (int shift = 28; shift >= 0; shift -= 4) {
        out_putc("0123456789abcdef"[(v >> shift) & 0xFu]);
    }
}
