/*
 * DEPTHWISE_CONV_2D int8, depth multiplier 1 or a multiple of 4, for Cortex-M DSP: SIMD across
 * channels.
 *
 * Output pixels in walk order; per pixel, the taps inside the input block are found once
 * (padding taps contribute nothing, as TFLM skips them), then channels four at a time: each
 * tap loads four input and four filter bytes, expands them to int16 pairs (SXTB16, SXTB16 ROR
 * #8), adds the input offset to the input pairs (SADD16) and multiply-accumulates each channel
 * (SMLABB / SMLATT) into its own 32-bit accumulator. With a depth multiplier of 4k, the four
 * output channels share one input channel: its value (plus the offset) fills both halves. A pixel's channels are written after the
 * reads of the same channels of its window (as the portable kernel, which writes in chunks of
 * channels): lead 0.
 */
#include "pw_arm.h"

/* Output channels per requantization call (an int32 array of this many on the stack). */
#define PW_DW_CHUNK 32

/* First and one-past-last tap f of `kernel` with 0 <= start + f*dilation < size. */
static inline void tap_range(int32_t start, int32_t kernel, int32_t dilation, int32_t size, int32_t *lo, int32_t *hi)
{
    int32_t a = 0, b = kernel;
    if (dilation == 1) {
        if (start < 0)
            a = -start;
        if (start + kernel > size)
            b = size - start;
    } else {
        if (start < 0)
            a = (-start + dilation - 1) / dilation;
        if (start + (kernel - 1) * dilation >= size)
            b = start >= size ? 0 : (size - 1 - start) / dilation + 1;
    }
    if (b < a)
        b = a;
    *lo = a;
    *hi = b;
}

/* Four channels' products of one tap, input channel per output channel (depth multiplier 1). */
#define PW_DW_TAP(xw, fw)                                                                                              \
    do {                                                                                                               \
        uint32_t xa_ = PW_SADD16(PW_SXTB16(xw), off2), xb_ = PW_SADD16(PW_SXTB16_ROR8(xw), off2);                      \
        uint32_t fa_ = PW_SXTB16(fw), fb_ = PW_SXTB16_ROR8(fw);                                                        \
        a0 = PW_SMLABB(fa_, xa_, a0);                                                                                  \
        a2 = PW_SMLATT(fa_, xa_, a2);                                                                                  \
        a1 = PW_SMLABB(fb_, xb_, a1);                                                                                  \
        a3 = PW_SMLATT(fb_, xb_, a3);                                                                                  \
    } while (0)

/* The same with the input offset folded into the accumulators' start. */
#define PW_DW_TAP_RAW(xw, fw)                                                                                          \
    do {                                                                                                               \
        uint32_t xa_ = PW_SXTB16(xw), xb_ = PW_SXTB16_ROR8(xw);                                                        \
        uint32_t fa_ = PW_SXTB16(fw), fb_ = PW_SXTB16_ROR8(fw);                                                        \
        a0 = PW_SMLABB(fa_, xa_, a0);                                                                                  \
        a2 = PW_SMLATT(fa_, xa_, a2);                                                                                  \
        a1 = PW_SMLABB(fb_, xb_, a1);                                                                                  \
        a3 = PW_SMLATT(fb_, xb_, a3);                                                                                  \
    } while (0)

/* Four channels of one input value v (an int8) and one tap, the offset folded. */
#define PW_DW_TAP_DUP(v, fw)                                                                                           \
    do {                                                                                                               \
        int32_t v_ = (v);                                                                                              \
        uint32_t xx_ = PW_PKHBT((uint32_t)v_, (uint32_t)v_ << 16);                                                     \
        uint32_t fa_ = PW_SXTB16(fw), fb_ = PW_SXTB16_ROR8(fw);                                                        \
        a0 = PW_SMLABB(fa_, xx_, a0);                                                                                  \
        a2 = PW_SMLATT(fa_, xx_, a2);                                                                                  \
        a1 = PW_SMLABB(fb_, xx_, a1);                                                                                  \
        a3 = PW_SMLATT(fb_, xx_, a3);                                                                                  \
    } while (0)

/*
 * One output pixel whose 3x3 window lies wholly inside the block, depth multiplier 1: channels
 * four at a time from the folded biases (the input offset already in them), nine taps
 * unrolled by rows. Returns the channels done (a multiple of 4). Out of line, so that the
 * taps keep their registers.
 */
static __attribute__((noinline)) int32_t dw3x3_pixel(const int8_t *in0, const int8_t *flt, int32_t ch, int32_t rs,
                                                     const int32_t *fold, const pw_requant *rq, int32_t step,
                                                     int8_t *out, const pw_outq *q)
{
    enum { CHUNK = PW_DW_CHUNK };
    const int32_t frow = 3 * ch, ch4 = ch & ~3;
    int32_t acc[CHUNK];
    for (int32_t k0 = 0; k0 < ch4; k0 += CHUNK) {
        const int32_t n = ch4 - k0 < CHUNK ? ch4 - k0 : CHUNK;
        for (int32_t j = 0; j < n; j += 4) {
            const int32_t k = k0 + j;
            int32_t a0 = fold[k], a1 = fold[k + 1], a2 = fold[k + 2], a3 = fold[k + 3];
            const int8_t *ip = in0 + k, *fp = flt + k;
            for (int32_t ty = 0; ty < 3; ty++, ip += rs, fp += frow) {
                PW_DW_TAP_RAW(pw_read32(ip), pw_read32(fp));
                PW_DW_TAP_RAW(pw_read32(ip + ch), pw_read32(fp + ch));
                PW_DW_TAP_RAW(pw_read32(ip + 2 * ch), pw_read32(fp + 2 * ch));
            }
            acc[j] = a0;
            acc[j + 1] = a1;
            acc[j + 2] = a2;
            acc[j + 3] = a3;
        }
        pw_requant_store(acc, n, rq + k0 * step, step, out + k0, q);
    }
    return ch4;
}

int32_t pw_arm_depthwise_s8(const pw_window_call *call, const pw_conv_params *params)
{
    /* Local copies: the int8 output stores cannot alias them. */
    const pw_window_call c = *call;
    const pw_conv_params p = *params;
    const int32_t ch = c.out.c, in_c = c.in.c;
    const int32_t total = c.out.n * c.out.h * c.out.w;
    const int32_t dm = in_c > 0 ? ch / in_c : 0;
    if (ch <= 0 || dm <= 0 || in_c * dm != ch || (dm != 1 && dm % 4 != 0) || c.in.n != c.out.n)
        return total == 0 ? 0 : -1;
    const int32_t step = p.requant_step;
    const int32_t frow = c.kernel_w * ch; /* filter elements per filter row */
    const int32_t offset = p.input_offset;
    const uint32_t off2 = ((uint32_t)offset & 0xffffu) | ((uint32_t)offset << 16);
    const int32_t tap_x = c.dilation_w * in_c, tap_y = c.dilation_h * c.in.row_stride;
    const pw_outq oq = {p.output_offset, p.act_min, p.act_max, pw_all_fast(p.requant, step ? ch : 1, step)};
    const int fast3 = c.kernel_h == 3 && c.kernel_w == 3 && c.dilation_h == 1 && c.dilation_w == 1;
    pw_walker px = pw_walk_start(&c);

    /* Whole 3x3 windows: the input offset folded into the bias, fold[k] = bias[k] + offset ·
     * (the sum of channel k's nine filter taps), in the scratch (4 bytes per channel). */
    int32_t *fold = (int32_t *)p.scratch;
    if (fast3) {
        if (!fold)
            return -1;
        for (int32_t k = 0; k < ch; k++) {
            int32_t sum = 0;
            for (int32_t t = 0; t < 9; t++)
                sum += p.filter[t * ch + k];
            fold[k] = pw_bias(p.bias, k) + offset * sum;
        }
    }
    const int32_t rs = c.in.row_stride;

    for (int32_t i = 0; i < total; i++, pw_walk_next(&px)) {
        const int32_t b = px.b, y = px.y, x = px.x;
        const int32_t iy0 = y * c.stride_h - c.pad_top, ix0 = x * c.stride_w - c.pad_left;
        int8_t *out = c.output + b * c.out.batch_stride + y * c.out.row_stride + x * ch;
        const int full3 = fast3 && iy0 >= 0 && ix0 >= 0 && iy0 + 3 <= c.in.h && ix0 + 3 <= c.in.w;
        int32_t ny = 3, nx = 3;
        /* The first tap inside the block (not dereferenced when there is none). */
        const int8_t *in0 = c.input;
        const int8_t *flt0 = p.filter;
        if (full3) {
            in0 += b * c.in.batch_stride + iy0 * rs + ix0 * in_c;
        } else {
            int32_t fy0, fy1, fx0, fx1;
            tap_range(iy0, c.kernel_h, c.dilation_h, c.in.h, &fy0, &fy1);
            tap_range(ix0, c.kernel_w, c.dilation_w, c.in.w, &fx0, &fx1);
            ny = fy1 - fy0;
            nx = fx1 - fx0;
            if (ny > 0 && nx > 0) {
                in0 += b * c.in.batch_stride + (iy0 + fy0 * c.dilation_h) * rs + (ix0 + fx0 * c.dilation_w) * in_c;
                flt0 += fy0 * frow + fx0 * ch;
            }
        }

        int32_t k = 0;
        if (full3 && dm == 1)
            k = dw3x3_pixel(in0, flt0, ch, rs, fold, p.requant, step, out, &oq);
        /* Accumulators of up to PW_DW_CHUNK channels from k0 on, requantized in one call. */
        int32_t acc[PW_DW_CHUNK];
        int32_t k0 = k, pending = 0;
        for (; k + 4 <= ch; k += 4) {
            int32_t a0, a1, a2, a3;
            if (full3) {
                /* The same with a depth multiplier of 4k: one input value for the four channels,
                 * in both halves of a word (PKHBT), the offset folded. */
                a0 = fold[k];
                a1 = fold[k + 1];
                a2 = fold[k + 2];
                a3 = fold[k + 3];
                const int8_t *ip = in0 + k / dm, *fp = flt0 + k;
                for (int32_t ty = 0; ty < 3; ty++, ip += rs, fp += frow) {
                    PW_DW_TAP_DUP(ip[0], pw_read32(fp));
                    PW_DW_TAP_DUP(ip[in_c], pw_read32(fp + ch));
                    PW_DW_TAP_DUP(ip[2 * in_c], pw_read32(fp + 2 * ch));
                }
            } else if (dm == 1) {
                a0 = pw_bias(p.bias, k);
                a1 = pw_bias(p.bias, k + 1);
                a2 = pw_bias(p.bias, k + 2);
                a3 = pw_bias(p.bias, k + 3);
                const int8_t *in_row = in0 + k, *f_row = flt0 + k;
                for (int32_t ty = 0; ty < ny; ty++, in_row += tap_y, f_row += frow) {
                    const int8_t *ip = in_row, *fp = f_row;
                    for (int32_t tx = 0; tx < nx; tx++, ip += tap_x, fp += ch)
                        PW_DW_TAP(pw_read32(ip), pw_read32(fp));
                }
            } else {
                a0 = pw_bias(p.bias, k);
                a1 = pw_bias(p.bias, k + 1);
                a2 = pw_bias(p.bias, k + 2);
                a3 = pw_bias(p.bias, k + 3);
                /* Four output channels of one input channel: its value in both halves. */
                const int8_t *in_row = in0 + k / dm, *f_row = flt0 + k;
                for (int32_t ty = 0; ty < ny; ty++, in_row += tap_y, f_row += frow) {
                    const int8_t *ip = in_row, *fp = f_row;
                    for (int32_t tx = 0; tx < nx; tx++, ip += tap_x, fp += ch) {
                        uint32_t xx = ((uint32_t)(*ip + offset) & 0xffffu) * 0x00010001u;
                        uint32_t fw = pw_read32(fp);
                        uint32_t fa = PW_SXTB16(fw), fb = PW_SXTB16_ROR8(fw);
                        a0 = PW_SMLABB(fa, xx, a0);
                        a2 = PW_SMLATT(fa, xx, a2);
                        a1 = PW_SMLABB(fb, xx, a1);
                        a3 = PW_SMLATT(fb, xx, a3);
                    }
                }
            }
            acc[pending] = a0;
            acc[pending + 1] = a1;
            acc[pending + 2] = a2;
            acc[pending + 3] = a3;
            pending += 4;
            if (pending == PW_DW_CHUNK) {
                pw_requant_store(acc, pending, p.requant + k0 * step, step, out + k0, &oq);
                k0 += pending;
                pending = 0;
            }
        }
        if (pending > 0)
            pw_requant_store(acc, pending, p.requant + k0 * step, step, out + k0, &oq);
        for (; k < ch; k++) { /* dm == 1 here: ch % 4 channels left */
            int32_t a = pw_bias(p.bias, k);
            const int8_t *in_row = in0 + k, *f_row = flt0 + k;
            for (int32_t ty = 0; ty < ny; ty++, in_row += tap_y, f_row += frow) {
                const int8_t *ip = in_row, *fp = f_row;
                for (int32_t tx = 0; tx < nx; tx++, ip += tap_x, fp += ch)
                    a += *fp * (*ip + offset);
            }
            pw_requant_store(&a, 1, p.requant + k * step, step, out + k, &oq);
        }
    }
    return 0;
}
