/*
 * CONV_2D int8 (one group) for Cortex-M DSP: im2col of two output pixels into int16, then a
 * GEMM blocked 2 pixels x 2 output channels with SMLAD.
 *
 * For each pair of output pixels (in walk order) both windows are copied into the scratch as
 * int16 values input + input_offset (padding taps as 0, which contributes nothing, as TFLM's
 * skipped taps), then every output channel pair is computed from the two columns and both
 * pixels are written. A pixel's window is read before the pixel is written and no pixel is
 * written before its own window is read: lead 0 (the planner may overlap the output with the
 * input as for the portable kernel).
 *
 * Column layout (the two pixels interleaved, so that one pointer walks both): the first
 * K4 = K & ~3 values of each pixel in groups of four, pixel 0's group then pixel 1's, each
 * stored as (v0, v2, v1, v3) — the order in which SXTB16 and SXTB16 ROR #8 expand four filter
 * bytes, so that one 32-bit load of a column pairs with one expanded filter word; then the
 * last K - K4 values of pixel 0, then of pixel 1, in order. 2·K int16 values in all.
 */
#include "pw_arm.h"

/* Position of value j of pixel p's column (see the layout above). */
static inline int32_t col_pos(int32_t j, int32_t p, int32_t k4, int32_t k)
{
    if (j >= k4)
        return 2 * k4 + p * (k - k4) + (j - k4);
    return (j & ~3) * 2 + p * 4 + (j & 3) + ((((j >> 1) ^ j) & 1) ? ((j & 1) ? 1 : -1) : 0);
}

/* Copies `n` input values (+ offset) to values j.. of pixel p's column. */
static void put_run(int16_t *cols, int32_t p, int32_t j, const int8_t *src, int32_t n, int32_t offset, int32_t k4,
                    int32_t k)
{
    int32_t i = 0;
    /* One by one up to a group boundary, then whole groups of four, then the rest. */
    for (; i < n && ((j + i) & 3) != 0; i++)
        cols[col_pos(j + i, p, k4, k)] = (int16_t)(src[i] + offset);
    uint32_t off2 = ((uint32_t)offset & 0xffffu) | ((uint32_t)offset << 16);
    for (; i + 4 <= n && j + i + 4 <= k4; i += 4) {
        int16_t *dst = cols + (j + i) * 2 + p * 4;
        uint32_t w = pw_read32(src + i);
        pw_write32(dst, PW_SADD16(PW_SXTB16(w), off2));
        pw_write32(dst + 2, PW_SADD16(PW_SXTB16_ROR8(w), off2));
    }
    for (; i < n; i++)
        cols[col_pos(j + i, p, k4, k)] = (int16_t)(src[i] + offset);
}

/* The window of output pixel (b, y, x) into pixel p's column of K values. */
static void im2col(const pw_window_call *c, int32_t b, int32_t y, int32_t x, int32_t offset, int16_t *cols, int32_t p,
                   int32_t k4, int32_t k)
{
    const int32_t cin = c->in.c;
    const int8_t *base = c->input + b * c->in.batch_stride;
    int32_t j = 0;
    int32_t iy = y * c->stride_h - c->pad_top;
    for (int32_t fy = 0; fy < c->kernel_h; fy++, iy += c->dilation_h) {
        int32_t ix = x * c->stride_w - c->pad_left;
        int row_in = iy >= 0 && iy < c->in.h;
        if (row_in && c->dilation_w == 1 && ix >= 0 && ix + c->kernel_w <= c->in.w) {
            /* The whole row of taps inside: one run of kernel_w * cin values. */
            int32_t n = c->kernel_w * cin;
            put_run(cols, p, j, base + iy * c->in.row_stride + ix * cin, n, offset, k4, k);
            j += n;
            continue;
        }
        for (int32_t fx = 0; fx < c->kernel_w; fx++, ix += c->dilation_w) {
            if (row_in && ix >= 0 && ix < c->in.w) {
                put_run(cols, p, j, base + iy * c->in.row_stride + ix * cin, cin, offset, k4, k);
            } else {
                for (int32_t i = 0; i < cin; i++)
                    cols[col_pos(j + i, p, k4, k)] = 0;
            }
            j += cin;
        }
    }
}

int32_t pw_arm_conv_s8(const pw_window_call *call, const pw_conv_params *params)
{
    /* Local copies: the int8 output stores cannot alias them. */
    const pw_window_call c = *call;
    const pw_conv_params p = *params;
    const int32_t k = c.kernel_h * c.kernel_w * c.in.c;
    const int32_t k4 = k & ~3;
    const int32_t oc_n = c.out.c;
    const int32_t total = c.out.n * c.out.h * c.out.w;
    if (k <= 0 || oc_n <= 0 || c.out.h <= 0 || c.out.w <= 0 || c.in.n != c.out.n)
        return total == 0 ? 0 : -1;
    int16_t *cols = (int16_t *)p.scratch;
    const int16_t *tail0 = cols + 2 * k4, *tail1 = tail0 + (k - k4);
    const int32_t step = p.requant_step;
    const int32_t out_offset = p.output_offset, act_min = p.act_min, act_max = p.act_max;
    const int all_fast = pw_all_fast(p.requant, step ? oc_n : 1, step);
    pw_walker px = pw_walk_start(&c);

    for (int32_t i = 0; i < total; i += 2) {
        const int two = i + 1 < total;
        const int32_t b0 = px.b, y0 = px.y, x0 = px.x;
        pw_walk_next(&px);
        im2col(&c, b0, y0, x0, p.input_offset, cols, 0, k4, k);
        int8_t *out0 = c.output + b0 * c.out.batch_stride + y0 * c.out.row_stride + x0 * oc_n;
        int8_t *out1 = out0;
        if (two) {
            const int32_t b1 = px.b, y1 = px.y, x1 = px.x;
            pw_walk_next(&px);
            im2col(&c, b1, y1, x1, p.input_offset, cols, 1, k4, k);
            out1 = c.output + b1 * c.out.batch_stride + y1 * c.out.row_stride + x1 * oc_n;
        } else {
            im2col(&c, b0, y0, x0, p.input_offset, cols, 1, k4, k); /* computed, never stored */
        }
        const int16_t *cend = cols + 2 * k4;

        const int8_t *f0 = p.filter;
        int32_t oc = 0;
        for (; oc + 2 <= oc_n; oc += 2, f0 += 2 * k) {
            const int8_t *fa = f0, *fb = f0 + k;
            int32_t bias0 = pw_bias(p.bias, oc), bias1 = pw_bias(p.bias, oc + 1);
            int32_t a00 = bias0, a01 = bias1, a10 = bias0, a11 = bias1; /* a<pixel><channel> */
            for (const int16_t *cp = cols; cp < cend; cp += 8, fa += 4, fb += 4) {
                uint32_t x0a = pw_read32(cp), x0b = pw_read32(cp + 2);
                uint32_t x1a = pw_read32(cp + 4), x1b = pw_read32(cp + 6);
                uint32_t w = pw_read32(fa);
                uint32_t lo = PW_SXTB16(w), hi = PW_SXTB16_ROR8(w);
                a00 = PW_SMLAD(lo, x0a, a00);
                a00 = PW_SMLAD(hi, x0b, a00);
                a10 = PW_SMLAD(lo, x1a, a10);
                a10 = PW_SMLAD(hi, x1b, a10);
                w = pw_read32(fb);
                lo = PW_SXTB16(w);
                hi = PW_SXTB16_ROR8(w);
                a01 = PW_SMLAD(lo, x0a, a01);
                a01 = PW_SMLAD(hi, x0b, a01);
                a11 = PW_SMLAD(lo, x1a, a11);
                a11 = PW_SMLAD(hi, x1b, a11);
            }
            for (int32_t j = 0; j < k - k4; j++) {
                int32_t v0 = tail0[j], v1 = tail1[j];
                a00 += fa[j] * v0;
                a01 += fb[j] * v0;
                a10 += fa[j] * v1;
                a11 += fb[j] * v1;
            }
            const pw_requant r0 = p.requant[oc * step], r1 = p.requant[(oc + 1) * step];
            /* Pixel 1 first: when there is no pixel 1, out1 is out0 and pixel 0 wins. */
            out1[oc] = pw_requantize(a10, r0, all_fast, out_offset, act_min, act_max);
            out1[oc + 1] = pw_requantize(a11, r1, all_fast, out_offset, act_min, act_max);
            out0[oc] = pw_requantize(a00, r0, all_fast, out_offset, act_min, act_max);
            out0[oc + 1] = pw_requantize(a01, r1, all_fast, out_offset, act_min, act_max);
        }
        if (oc < oc_n) {
            const int8_t *fa = f0;
            int32_t a0 = pw_bias(p.bias, oc), a1 = a0;
            for (const int16_t *cp = cols; cp < cend; cp += 8, fa += 4) {
                uint32_t w = pw_read32(fa);
                uint32_t lo = PW_SXTB16(w), hi = PW_SXTB16_ROR8(w);
                a0 = PW_SMLAD(lo, pw_read32(cp), a0);
                a0 = PW_SMLAD(hi, pw_read32(cp + 2), a0);
                a1 = PW_SMLAD(lo, pw_read32(cp + 4), a1);
                a1 = PW_SMLAD(hi, pw_read32(cp + 6), a1);
            }
            for (int32_t j = 0; j < k - k4; j++) {
                a0 += fa[j] * tail0[j];
                a1 += fa[j] * tail1[j];
            }
            const pw_requant r0 = p.requant[oc * step];
            out1[oc] = pw_requantize(a1, r0, all_fast, out_offset, act_min, act_max);
            out0[oc] = pw_requantize(a0, r0, all_fast, out_offset, act_min, act_max);
        }
    }
    return 0;
}
