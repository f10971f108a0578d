/*
 * semihost.c: console output, a tiny printf and exit through Arm semihosting.
 *
 * Every call traps to QEMU (bkpt 0xAB), so output is buffered per sh_printf call and sent with
 * one SYS_WRITE0. Nothing here uses the FPU or the C library.
 */
#include "semihost.h"

#include <stddef.h>

#define SYS_WRITE0 0x04u                    /* r1 = address of a NUL-terminated string */
#define SYS_EXIT_EXTENDED 0x20u             /* r1 = address of {reason, exit code} */
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u /* reason: the program ended normally */

/* One semihosting request: operation in r0, argument in r1, result back in r0. */
static uint32_t semihost_call(uint32_t op, const void *arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    /* "memory": the host reads (and for some operations writes) the block r1 points to. */
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void sh_puts(const char *s)
{
    semihost_call(SYS_WRITE0, s);
}

void sh_exit(int code)
{
    const uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)code};
    semihost_call(SYS_EXIT_EXTENDED, block);
    for (;;) {
        /* Not reached under QEMU; a real board would reset here. */
    }
}

/* ---- sh_printf ------------------------------------------------------------------------- */

/* Output buffer of one sh_printf call, flushed with SYS_WRITE0 when full and at the end. */
typedef struct {
    char buf[128];
    size_t len;
} out_buf;

static void out_flush(out_buf *o)
{
    if (o->len > 0) {
        o->buf[o->len] = '\0';
        sh_puts(o->buf);
        o->len = 0;
    }
}

static void out_char(out_buf *o, char c)
{
    if (o->len == sizeof o->buf - 1) {
        out_flush(o);
    }
    o->buf[o->len++] = c;
}

/* Prints magnitude `mag` in `base` (10 or 16), with a minus sign if `neg`, padded to `width`. */
static void out_number(out_buf *o, uint32_t mag, int neg, unsigned base, int upper,
                       unsigned width, char pad)
{
    const char *digit_chars = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char digits[10]; /* 2^32 has 10 decimal digits */
    unsigned n = 0;
    do {
        digits[n++] = digit_chars[mag % base];
        mag /= base;
    } while (mag != 0);

    unsigned len = n + (neg ? 1u : 0u);
    if (neg && pad == '0') {
        out_char(o, '-'); /* "-0042": sign before the zeros */
    }
    for (; width > len; width--) {
        out_char(o, pad);
    }
    if (neg && pad != '0') {
        out_char(o, '-'); /* "  -42": sign after the spaces */
    }
    while (n > 0) {
        out_char(o, digits[--n]);
    }
}

void sh_printf(const char *fmt, ...)
{
    out_buf o;
    o.len = 0;
    va_list ap;
    va_start(ap, fmt);

    for (const char *p = fmt; *p != '\0'; p++) {
        if (*p != '%') {
            out_char(&o, *p);
            continue;
        }
        p++;
        char pad = ' ';
        unsigned width = 0;
        if (*p == '0') {
            pad = '0';
            p++;
        }
        while (*p >= '0' && *p <= '9') {
            width = width * 10u + (unsigned)(*p - '0');
            p++;
        }
        char size = 0; /* 'l' (long), 'z' (size_t) or 0 (int) */
        if (*p == 'l' || *p == 'z') {
            size = *p;
            p++;
        }

        switch (*p) {
        case 'd':
        case 'i': {
            long v = (size == 'l')   ? va_arg(ap, long)
                     : (size == 'z') ? (long)va_arg(ap, size_t)
                                     : (long)va_arg(ap, int);
            /* Negate in unsigned arithmetic so that LONG_MIN works too. */
            uint32_t mag = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
            out_number(&o, mag, v < 0, 10, 0, width, pad);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            uint32_t v = (size == 'l')   ? (uint32_t)va_arg(ap, unsigned long)
                         : (size == 'z') ? (uint32_t)va_arg(ap, size_t)
                                         : (uint32_t)va_arg(ap, unsigned);
            out_number(&o, v, 0, *p == 'u' ? 10u : 16u, *p == 'X', width, pad);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            for (s = s ? s : "(null)"; *s != '\0'; s++) {
                out_char(&o, *s);
            }
            break;
        }
        case 'c':
            out_char(&o, (char)va_arg(ap, int));
            break;
        case '%':
            out_char(&o, '%');
            break;
        case '\0':
            p--; /* format ends in '%': stop at the NUL */
            break;
        default: /* unknown conversion: print it verbatim */
            out_char(&o, '%');
            out_char(&o, *p);
            break;
        }
    }
    va_end(ap);
    out_flush(&o);
}
