/*
 * depthwise_s8.c: DEPTHWISE_CONV_2D with depth multiplier 1 or a multiple of 4, any window up
 * to 5x5 taps, stride, dilation and padding, four output channels at a time (with a multiplier
 * of 4k the four share one input value per tap).
 *
 * Per output pixel the valid taps (inside the input block) are listed once as offsets; then
 * for each group of four channels the four accumulators stay in registers while the taps are
 * walked, a tap's four inputs and four weights at fixed offsets from two pointers. Interior
 * pixels (every tap valid) start from a per-channel constant computed once per call:
 * bias + (input_offset - 128) * sum of the channel's weights, and take each input as
 * (uint8)x ^ 0x80 = x + 128 (one instruction, where sign extension costs two on the LX106).
 * Pixels with padding taps add the input offset per tap, as TFLM. Arithmetic wraps in 32 bits
 * (-fwrapv), so the accumulators equal the portable kernel's.
 *
 * Walk contract (Access::Window { lead: 0 }): a pixel's channels are written after the same
 * channels of its window were read, pixels in the call's walk order.
 */
#include "pw_xtensa.h"

/* See conv1x1_s8.c. */
#if defined(__GNUC__) && defined(__XTENSA__)
#define PW_XT_OPAQUE(v) __asm__("" : "+r"(v))
#else
#define PW_XT_OPAQUE(v) ((void)0)
#endif

static inline void pw_xt_next(int32_t *b, int32_t *y, int32_t *x, const pw_xt_block *o, int32_t walk)
{
    if (walk == 0) {
        if (++*x == o->w) {
            *x = 0;
            if (++*y == o->h) {
                *y = 0;
                ++*b;
            }
        }
    } else if (--*x < 0) {
        *x = o->w - 1;
        if (--*y < 0) {
            *y = o->h - 1;
            --*b;
        }
    }
}

/* Depth multiplier 4k (kept apart from multiplier 1: sharing one function costs the common case
 * registers). */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int32_t pw_xt_depthwise_mult4_s8(const pw_xt_window_call *call, const pw_xt_conv_params *p)
{
    const pw_xt_block *in = &call->in, *out = &call->out;
    const int32_t ch = out->c, kh = call->kernel_h, kw = call->kernel_w;
    const int32_t taps = kh * kw, in_c = in->c;
    if (in_c < 1 || ch % in_c != 0 || kh < 1 || kw < 1 || taps > PW_XT_MAX_TAPS || p->columns == 0) {
        return 1;
    }
    const int32_t mult = ch / in_c;
    if (mult % 4 != 0) {
        return 1;
    }
    int32_t *const fold = (int32_t *)(void *)p->columns;
    const int8_t *const filter = p->filter;
    const int32_t off = p->input_offset;
    for (int32_t c = 0; c < ch; c++) {
        int32_t s = 0;
        for (int32_t t = 0; t < taps; t++) {
            s += filter[t * ch + c];
        }
        fold[c] = (p->bias ? pw_xt_load_le32(p->bias + 4 * c) : 0) + (off - 128) * s;
    }
    int32_t tap[2 * PW_XT_MAX_TAPS]; /* per valid tap: input offset, filter offset */
    const int32_t total = out->n * out->h * out->w;
    int32_t b = 0, y = 0, x = 0;
    if (call->walk != 0) {
        b = out->n - 1;
        y = out->h - 1;
        x = out->w - 1;
    }
    for (int32_t done = 0; done < total; done++) {
        /* The valid taps of this pixel. */
        int32_t n = 0;
        const int32_t iy0 = y * call->stride_h - call->pad_top;
        const int32_t ix0 = x * call->stride_w - call->pad_left;
        for (int32_t ky = 0; ky < kh; ky++) {
            const int32_t iy = iy0 + ky * call->dilation_h;
            if (iy < 0 || iy >= in->h) {
                continue;
            }
            for (int32_t kx = 0; kx < kw; kx++) {
                const int32_t ix = ix0 + kx * call->dilation_w;
                if (ix < 0 || ix >= in->w) {
                    continue;
                }
                tap[2 * n] = iy * in->row_stride + ix * in_c;
                tap[2 * n + 1] = (ky * kw + kx) * ch;
                n++;
            }
        }
        const int8_t *const src = call->input + b * in->batch_stride;
        int8_t *const dst = call->output + b * out->batch_stride + y * out->row_stride + x * ch;
        const pw_xt_requant *r = p->requant;
        const int32_t rs = p->requant_step;
        int32_t c = 0;
        if (n == taps) {
            /* Multiplier 4k: four output channels share one input channel ic. */
            int32_t ic = 0, k = 0;
            for (; c + 4 <= ch; c += 4) {
                int32_t a0 = fold[c], a1 = fold[c + 1], a2 = fold[c + 2], a3 = fold[c + 3];
                const uint8_t *const xb = (const uint8_t *)src + ic;
                const int8_t *const wb = filter + c;
                for (const int32_t *tp = tap, *const te = tap + 2 * n; tp != te; tp += 2) {
                    const int8_t *wp = wb + tp[1];
                    int32_t xv = xb[tp[0]];
                    PW_XT_OPAQUE(xv);
                    xv ^= 0x80;
                    a0 += xv * wp[0];
                    a1 += xv * wp[1];
                    a2 += xv * wp[2];
                    a3 += xv * wp[3];
                }
                dst[c] = pw_xt_requantize(a0, r, p->output_offset, p->act_min, p->act_max);
                r += rs;
                dst[c + 1] = pw_xt_requantize(a1, r, p->output_offset, p->act_min, p->act_max);
                r += rs;
                dst[c + 2] = pw_xt_requantize(a2, r, p->output_offset, p->act_min, p->act_max);
                r += rs;
                dst[c + 3] = pw_xt_requantize(a3, r, p->output_offset, p->act_min, p->act_max);
                r += rs;
                k += 4;
                if (k == mult) {
                    k = 0;
                    ic++;
                }
            }
        }
        /* Pixels with padding, and the channels left over: the input offset per tap. */
        for (; c < ch; c++) {
            const int32_t ic = c / mult;
            int32_t a = p->bias ? pw_xt_load_le32(p->bias + 4 * c) : 0;
            for (int32_t t = 0; t < n; t++) {
                a += ((int32_t)src[tap[2 * t] + ic] + off) * filter[tap[2 * t + 1] + c];
            }
            dst[c] = pw_xt_requantize(a, r, p->output_offset, p->act_min, p->act_max);
            r += rs;
        }
        pw_xt_next(&b, &y, &x, out, call->walk);
    }
    return 0;
}

int32_t pw_xt_depthwise_s8(const pw_xt_window_call *call, const pw_xt_conv_params *p)
{
    const pw_xt_block *in = &call->in, *out = &call->out;
    const int32_t ch = out->c, kh = call->kernel_h, kw = call->kernel_w;
    const int32_t taps = kh * kw;
    if (in->c != ch) {
        return pw_xt_depthwise_mult4_s8(call, p);
    }
    if (kh < 1 || kw < 1 || taps > PW_XT_MAX_TAPS || p->columns == 0) {
        return 1;
    }
    int32_t *const fold = (int32_t *)(void *)p->columns;
    const int8_t *const filter = p->filter;
    const int32_t off = p->input_offset;
    for (int32_t c = 0; c < ch; c++) {
        int32_t s = 0;
        for (int32_t t = 0; t < taps; t++) {
            s += filter[t * ch + c];
        }
        fold[c] = (p->bias ? pw_xt_load_le32(p->bias + 4 * c) : 0) + (off - 128) * s;
    }
    int32_t tap[2 * PW_XT_MAX_TAPS]; /* per valid tap: input offset, filter offset */
    const int32_t total = out->n * out->h * out->w;
    int32_t b = 0, y = 0, x = 0;
    if (call->walk != 0) {
        b = out->n - 1;
        y = out->h - 1;
        x = out->w - 1;
    }
    for (int32_t done = 0; done < total; done++) {
        /* The valid taps of this pixel. */
        int32_t n = 0;
        const int32_t iy0 = y * call->stride_h - call->pad_top;
        const int32_t ix0 = x * call->stride_w - call->pad_left;
        for (int32_t ky = 0; ky < kh; ky++) {
            const int32_t iy = iy0 + ky * call->dilation_h;
            if (iy < 0 || iy >= in->h) {
                continue;
            }
            for (int32_t kx = 0; kx < kw; kx++) {
                const int32_t ix = ix0 + kx * call->dilation_w;
                if (ix < 0 || ix >= in->w) {
                    continue;
                }
                tap[2 * n] = iy * in->row_stride + ix * ch;
                tap[2 * n + 1] = (ky * kw + kx) * ch;
                n++;
            }
        }
        const int8_t *const src = call->input + b * in->batch_stride;
        int8_t *const dst = call->output + b * out->batch_stride + y * out->row_stride + x * ch;
        const pw_xt_requant *r = p->requant;
        const int32_t rs = p->requant_step;
        int32_t c = 0;
        if (n == taps) {
            for (; c + 4 <= ch; c += 4) {
                int32_t a0 = fold[c], a1 = fold[c + 1], a2 = fold[c + 2], a3 = fold[c + 3];
                const uint8_t *const xb = (const uint8_t *)src + c;
                const int8_t *const wb = filter + c;
                for (const int32_t *tp = tap, *const te = tap + 2 * n; tp != te; tp += 2) {
                    const uint8_t *xp = xb + tp[0];
                    const int8_t *wp = wb + tp[1];
                    int32_t x0 = xp[0], x1 = xp[1], x2 = xp[2], x3 = xp[3];
                    PW_XT_OPAQUE(x0);
                    PW_XT_OPAQUE(x1);
                    PW_XT_OPAQUE(x2);
                    PW_XT_OPAQUE(x3);
                    a0 += (x0 ^ 0x80) * wp[0];
                    a1 += (x1 ^ 0x80) * wp[1];
                    a2 += (x2 ^ 0x80) * wp[2];
                    a3 += (x3 ^ 0x80) * wp[3];
                }
                dst[c] = pw_xt_requantize(a0, r, p->output_offset, p->act_min, p->act_max);
                r += rs;
                dst[c + 1] = pw_xt_requantize(a1, r, p->output_offset, p->act_min, p->act_max);
                r += rs;
                dst[c + 2] = pw_xt_requantize(a2, r, p->output_offset, p->act_min, p->act_max);
                r += rs;
                dst[c + 3] = pw_xt_requantize(a3, r, p->output_offset, p->act_min, p->act_max);
                r += rs;
            }
        }
        /* Pixels with padding, and the channels left over: the input offset per tap. */
        for (; c < ch; c++) {
            int32_t a = p->bias ? pw_xt_load_le32(p->bias + 4 * c) : 0;
            for (int32_t t = 0; t < n; t++) {
                a += ((int32_t)src[tap[2 * t] + c] + off) * filter[tap[2 * t + 1] + c];
            }
            dst[c] = pw_xt_requantize(a, r, p->output_offset, p->act_min, p->act_max);
            r += rs;
        }
        pw_xt_next(&b, &y, &x, out, call->walk);
    }
    return 0;
}
