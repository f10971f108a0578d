/*
 * conv1x1_s8.c: CONV_2D with a 1x1 filter (one group) as a GEMM, four output pixels at a time.
 *
 * For each block of PW_XT_PIXELS output pixels the input pixels are first copied into an int16
 * column buffer, interleaved ([in_c][pixel]) with the input offset already added (padding
 * pixels as zeros, which contribute nothing, as in TFLM). Then each output channel's filter row
 * is walked once for the four pixels: one weight load serves four multiply-adds, and the four
 * column values of a tap sit at fixed offsets from one pointer (l16si with an immediate
 * offset). The LX106 has no sign-extension instruction, so the weight is taken as
 * w + 128 = (uint8)w ^ 0x80 and the surplus 128 * sum(column) is subtracted once per pixel
 * and channel (the column sums are kept with the columns). All arithmetic wraps in 32 bits as
 * TFLM's does (built with -fwrapv), so the accumulator equals the portable kernel's.
 *
 * Walk contract (Access::Window { lead: 0 }): the four input pixels are copied before any of
 * the four output pixels is written, in the call's walk order.
 */
#include "pw_xtensa.h"

/* Hides a value's range from GCC: without it xtensa-lx106-elf-gcc narrows `u ^ 0x80` to a byte
 * operation and re-extends it (extui), one instruction per weight. No code is emitted. */
#if defined(__GNUC__) && defined(__XTENSA__)
#define PW_XT_OPAQUE(v) __asm__("" : "+r"(v))
#else
#define PW_XT_OPAQUE(v) ((void)0)
#endif

/* The next output pixel in walk order: (b, y, x) ascending or descending. */
static inline void pw_xt_step(int32_t *b, int32_t *y, int32_t *x, const pw_xt_block *o, int32_t walk)
{
    if (walk == 0) {
        if (++*x == o->w) {
            *x = 0;
            if (++*y == o->h) {
                *y = 0;
                ++*b;
            }
        }
    } else {
        if (--*x < 0) {
            *x = o->w - 1;
            if (--*y < 0) {
                *y = o->h - 1;
                --*b;
            }
        }
    }
}

int32_t pw_xt_conv1x1_s8(const pw_xt_window_call *call, const pw_xt_conv_params *p)
{
    if (call->kernel_h != 1 || call->kernel_w != 1 || p->columns == 0) {
        return 1;
    }
    const pw_xt_block *in = &call->in, *out = &call->out;
    const int32_t in_c = in->c, out_c = out->c;
    const int32_t total = out->n * out->h * out->w;
    int16_t *const col = p->columns;
    int32_t b = 0, y = 0, x = 0;
    if (call->walk != 0) {
        b = out->n - 1;
        y = out->h - 1;
        x = out->w - 1;
    }
    for (int32_t done = 0; done < total; done += PW_XT_PIXELS) {
        const int32_t count = total - done < PW_XT_PIXELS ? total - done : PW_XT_PIXELS;
        int8_t *dst[PW_XT_PIXELS];
        int32_t sum[PW_XT_PIXELS];
        /* 1. Copy the block's input pixels (offset added) into the columns. */
        for (int32_t k = 0; k < PW_XT_PIXELS; k++) {
            int32_t s = 0;
            int16_t *c = col + k;
            const int32_t iy = y * call->stride_h - call->pad_top;
            const int32_t ix = x * call->stride_w - call->pad_left;
            if (k < count && iy >= 0 && iy < in->h && ix >= 0 && ix < in->w) {
                const int8_t *src = call->input + b * in->batch_stride + iy * in->row_stride + ix * in_c;
                for (int32_t i = 0; i < in_c; i++) {
                    const int32_t v = (int32_t)src[i] + p->input_offset;
                    c[i * PW_XT_PIXELS] = (int16_t)v;
                    s += v;
                }
            } else {
                for (int32_t i = 0; i < in_c; i++) {
                    c[i * PW_XT_PIXELS] = 0;
                }
            }
            sum[k] = s * 128;
            dst[k] = k < count ? call->output + b * out->batch_stride + y * out->row_stride + x * out_c : 0;
            if (k < count) {
                pw_xt_step(&b, &y, &x, out, call->walk);
            }
        }
        /* 2. One filter row at a time against the four columns. */
        const uint8_t *w = (const uint8_t *)p->filter;
        const pw_xt_requant *r = p->requant;
        for (int32_t oc = 0; oc < out_c; oc++) {
            int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
            const int16_t *c = col;
            const uint8_t *const w_end = w + in_c;
            for (; w < w_end; w++) {
                int32_t wv = *w;
                PW_XT_OPAQUE(wv);
                wv ^= 0x80;
                a0 += wv * c[0];
                a1 += wv * c[1];
                a2 += wv * c[2];
                a3 += wv * c[3];
                c += PW_XT_PIXELS;
            }
            const int32_t bias = p->bias ? pw_xt_load_le32(p->bias + 4 * oc) : 0;
            const int32_t acc[PW_XT_PIXELS] = {a0 - sum[0], a1 - sum[1], a2 - sum[2], a3 - sum[3]};
            for (int32_t k = 0; k < count; k++) {
                dst[k][oc] = pw_xt_requantize(acc[k] + bias, r, p->output_offset, p->act_min, p->act_max);
            }
            r += p->requant_step;
        }
    }
    return 0;
}

int32_t pw_xt_requantize_s8(int32_t acc, const pw_xt_requant *r)
{
    return pw_xt_requantize(acc, r, 0, -128, 127);
}
