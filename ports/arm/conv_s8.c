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
 * Column layout: the first K4 = K & ~3 values are stored in groups of four as (v0, v2, v1, v3),
 * the order in which SXTB16 and SXTB16 ROR #8 expand four filter bytes, so that one 32-bit load
 * of the column pairs with one expanded filter word; the last K - K4 values follow in order.
 */
#include "pw_arm.h"

/* Column stride in int16s (even, so that the second column stays 4-byte aligned). */
static int32_t col_stride(int32_t k) { return (k + 1) & ~1; }

/* Position of value j of a column (see the layout above). */
static inline int32_t col_pos(int32_t j, int32_t k4)
{
    if (j >= k4)
        return j;
    return j ^ ((((j >> 1) ^ j) & 1) * 3);
}

/* Copies `n` input values starting at column position j (values + offset). */
static void put_run(int16_t *col, int32_t j, const int8_t *src, int32_t n, int32_t offset, int32_t k4)
{
    int32_t k = 0;
    if ((j & 3) == 0) {
        uint32_t off2 = ((uint32_t)offset & 0xffffu) | ((uint32_t)offset << 16);
        for (; k + 4 <= n && j + k + 4 <= k4; k += 4) {
            uint32_t w = pw_read32(src + k);
            pw_write32(col + j + k, PW_SADD16(PW_SXTB16(w), off2));
            pw_write32(col + j + k + 2, PW_SADD16(PW_SXTB16_ROR8(w), off2));
        }
    }
    for (; k < n; k++)
        col[col_pos(j + k, k4)] = (int16_t)(src[k] + offset);
}

/* The window of output pixel (b, y, x) into a column of K values. */
static void im2col(const pw_window_call *c, int32_t b, int32_t y, int32_t x, int32_t offset, int16_t *col,
                   int32_t k4)
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
            put_run(col, j, base + iy * c->in.row_stride + ix * cin, n, offset, k4);
            j += n;
            continue;
        }
        for (int32_t fx = 0; fx < c->kernel_w; fx++, ix += c->dilation_w) {
            if (row_in && ix >= 0 && ix < c->in.w) {
                put_run(col, j, base + iy * c->in.row_stride + ix * cin, cin, offset, k4);
            } else {
                for (int32_t k = 0; k < cin; k++)
                    col[col_pos(j + k, k4)] = 0;
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
    const int32_t cs = col_stride(k);
    const int32_t oc_n = c.out.c;
    const int32_t total = c.out.n * c.out.h * c.out.w;
    if (k <= 0 || oc_n <= 0 || c.out.h <= 0 || c.out.w <= 0 || c.in.n != c.out.n)
        return total == 0 ? 0 : -1;
    int16_t *col0 = (int16_t *)p.scratch;
    int16_t *col1 = col0 + cs;
    const int32_t step = p.requant_step;
    const int32_t out_offset = p.output_offset, act_min = p.act_min, act_max = p.act_max;
    pw_walker px = pw_walk_start(&c);

    for (int32_t i = 0; i < total; i += 2) {
        const int two = i + 1 < total;
        const int32_t b0 = px.b, y0 = px.y, x0 = px.x;
        pw_walk_next(&px);
        im2col(&c, b0, y0, x0, p.input_offset, col0, k4);
        int8_t *out0 = c.output + b0 * c.out.batch_stride + y0 * c.out.row_stride + x0 * oc_n;
        int8_t *out1 = out0;
        if (two) {
            const int32_t b1 = px.b, y1 = px.y, x1 = px.x;
            pw_walk_next(&px);
            im2col(&c, b1, y1, x1, p.input_offset, col1, k4);
            out1 = c.output + b1 * c.out.batch_stride + y1 * c.out.row_stride + x1 * oc_n;
        } else {
            memcpy(col1, col0, (size_t)cs * sizeof(int16_t)); /* computed, never stored */
        }

        const int8_t *f0 = p.filter;
        int32_t oc = 0;
        for (; oc + 2 <= oc_n; oc += 2, f0 += 2 * k) {
            const int8_t *f1 = f0 + k;
            int32_t bias0 = pw_bias(p.bias, oc), bias1 = pw_bias(p.bias, oc + 1);
            int32_t a00 = bias0, a01 = bias1, a10 = bias0, a11 = bias1; /* a<pixel><channel> */
            const int16_t *c0 = col0, *c1 = col1;
            int32_t j = 0;
            for (; j < k4; j += 4) {
                uint32_t w0 = pw_read32(f0 + j), w1 = pw_read32(f1 + j);
                uint32_t f0a = PW_SXTB16(w0), f0b = PW_SXTB16_ROR8(w0);
                uint32_t f1a = PW_SXTB16(w1), f1b = PW_SXTB16_ROR8(w1);
                uint32_t x0a = pw_read32(c0 + j), x0b = pw_read32(c0 + j + 2);
                uint32_t x1a = pw_read32(c1 + j), x1b = pw_read32(c1 + j + 2);
                a00 = PW_SMLAD(f0a, x0a, a00);
                a00 = PW_SMLAD(f0b, x0b, a00);
                a01 = PW_SMLAD(f1a, x0a, a01);
                a01 = PW_SMLAD(f1b, x0b, a01);
                a10 = PW_SMLAD(f0a, x1a, a10);
                a10 = PW_SMLAD(f0b, x1b, a10);
                a11 = PW_SMLAD(f1a, x1a, a11);
                a11 = PW_SMLAD(f1b, x1b, a11);
            }
            for (; j < k; j++) {
                int32_t v0 = c0[j], v1 = c1[j];
                a00 += f0[j] * v0;
                a01 += f1[j] * v0;
                a10 += f0[j] * v1;
                a11 += f1[j] * v1;
            }
            const pw_requant r0 = p.requant[oc * step], r1 = p.requant[(oc + 1) * step];
            /* Pixel 1 first: when there is no pixel 1, out1 is out0 and pixel 0 wins. */
            out1[oc] = pw_requantize(a10, r0, out_offset, act_min, act_max);
            out1[oc + 1] = pw_requantize(a11, r1, out_offset, act_min, act_max);
            out0[oc] = pw_requantize(a00, r0, out_offset, act_min, act_max);
            out0[oc + 1] = pw_requantize(a01, r1, out_offset, act_min, act_max);
        }
        if (oc < oc_n) {
            int32_t a0 = pw_bias(p.bias, oc), a1 = a0;
            int32_t j = 0;
            for (; j < k4; j += 4) {
                uint32_t w0 = pw_read32(f0 + j);
                uint32_t f0a = PW_SXTB16(w0), f0b = PW_SXTB16_ROR8(w0);
                a0 = PW_SMLAD(f0a, pw_read32(col0 + j), a0);
                a0 = PW_SMLAD(f0b, pw_read32(col0 + j + 2), a0);
                a1 = PW_SMLAD(f0a, pw_read32(col1 + j), a1);
                a1 = PW_SMLAD(f0b, pw_read32(col1 + j + 2), a1);
            }
            for (; j < k; j++) {
                a0 += f0[j] * col0[j];
                a1 += f0[j] * col1[j];
            }
            const pw_requant r0 = p.requant[oc * step];
            out1[oc] = pw_requantize(a1, r0, out_offset, act_min, act_max);
            out0[oc] = pw_requantize(a0, r0, out_offset, act_min, act_max);
        }
    }
    return 0;
}
