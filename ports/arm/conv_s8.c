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
 *
 * 1x1 filters with in_c a multiple of 4 (the pointwise layers) copy a pixel's taps group by
 * group without im2col's bookkeeping (pixel_col). When every channel takes the
 * requantization's fast path and the activation spans int8, each channel pair is requantized
 * and stored as soon as the GEMM core returns (pw_rq_pair: 19 instructions for a channel's two
 * values), with no accumulator arrays (pw_conv_fast_channels; on DSP cores the loop over
 * channel pairs is one assembly routine, pw_conv_pairs_folded/_plain, when in_c * kh * kw is a multiple of
 * 4 and there is a bias); otherwise the accumulators go through pw_requant_store in chunks.
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

/* Values of a window small_col gathers on the stack (im2col for larger ones). */
#define PW_SMALL_COL 128

/*
 * The window of output pixel (b, y, x) into pixel p's column for k <= PW_SMALL_COL (stems: 27
 * values for 3x3x3): its int8 values gathered on the stack first (a row of taps inside the
 * block as one run, a padding tap as the input zero point, -offset, which the offset turns
 * into the 0 im2col writes), then converted four at a time as pixel_col does (a word in,
 * SXTB16 / SXTB16 ROR #8 plus the offset, two words out), the last k - k4 one by one.
 */
static void small_col(const pw_window_call *c, int32_t b, int32_t y, int32_t x, int32_t offset, int16_t *cols,
                      int32_t p, int32_t k4, int32_t k)
{
    union {
        int8_t v[PW_SMALL_COL];
        uint32_t align;
    } buf;
    const int32_t cin = c->in.c;
    const int8_t zp = (int8_t)(-offset);
    const int8_t *base = c->input + b * c->in.batch_stride;
    int8_t *d = buf.v;
    int32_t iy = y * c->stride_h - c->pad_top;
    for (int32_t fy = 0; fy < c->kernel_h; fy++, iy += c->dilation_h) {
        int32_t ix = x * c->stride_w - c->pad_left;
        const int row_in = iy >= 0 && iy < c->in.h;
        const int8_t *row = base + iy * c->in.row_stride;
        if (row_in && c->dilation_w == 1 && ix >= 0 && ix + c->kernel_w <= c->in.w) {
            const int8_t *src = row + ix * cin;
            for (int32_t i = 0, n = c->kernel_w * cin; i < n; i++)
                *d++ = src[i];
            continue;
        }
        for (int32_t fx = 0; fx < c->kernel_w; fx++, ix += c->dilation_w) {
            const int in = row_in && ix >= 0 && ix < c->in.w;
            const int8_t *src = row + ix * cin;
            for (int32_t i = 0; i < cin; i++)
                *d++ = in ? src[i] : zp;
        }
    }
    const uint32_t off2 = ((uint32_t)offset & 0xffffu) | ((uint32_t)offset << 16);
    uint32_t *dst = (uint32_t *)(void *)(cols + 4 * p);
    for (int32_t g = 0; g < k4; g += 4, dst += 4) {
        const uint32_t w = pw_read32(buf.v + g);
        dst[0] = PW_SADD16(PW_SXTB16(w), off2);
        dst[1] = PW_SADD16(PW_SXTB16_ROR8(w), off2);
    }
    int16_t *tail = cols + 2 * k4 + p * (k - k4);
    for (int32_t j = k4; j < k; j++)
        tail[j - k4] = (int16_t)(buf.v[j] + offset);
}

/* Pixel p's column of any window: small_col, or im2col for more than PW_SMALL_COL values. */
__attribute__((noinline)) static void window_col(const pw_window_call *c, int32_t b, int32_t y, int32_t x,
                                                 int32_t offset, int16_t *cols, int32_t p, int32_t k4, int32_t k)
{
    if (k <= PW_SMALL_COL)
        small_col(c, b, y, x, offset, cols, p, k4, k);
    else
        im2col(c, b, y, x, offset, cols, p, k4, k);
}

/*
 * Pixel p's column: with a 1x1 filter and in_c a multiple of 4 (pw1), a tap inside the block is
 * one run of in_c values, copied group by group (a word in, SXTB16 / SXTB16 ROR #8 plus the
 * offset, two words out: the column layout's (v0, v2), (v1, v3)); anything else by im2col.
 */
PW_INLINE void pixel_col(const pw_window_call *c, int32_t b, int32_t y, int32_t x, int32_t offset, int16_t *cols,
                         int32_t p, int32_t k4, int32_t k, int pw1)
{
    if (pw1) {
        const int32_t iy = y * c->stride_h - c->pad_top, ix = x * c->stride_w - c->pad_left;
        if ((uint32_t)iy < (uint32_t)c->in.h && (uint32_t)ix < (uint32_t)c->in.w) {
            const int8_t *src = c->input + b * c->in.batch_stride + iy * c->in.row_stride + ix * k;
            const uint32_t off2 = ((uint32_t)offset & 0xffffu) | ((uint32_t)offset << 16);
            uint32_t *dst = (uint32_t *)(void *)(cols + 4 * p);
            for (int32_t g = 0; g < k; g += 4, dst += 4) {
                const uint32_t w = pw_read32(src + g);
                dst[0] = PW_SADD16(PW_SXTB16(w), off2);
                dst[1] = PW_SADD16(PW_SXTB16_ROR8(w), off2);
            }
            return;
        }
    }
    window_col(c, b, y, x, offset, cols, p, k4, k);
}

/* Output channels per requantization call (two arrays of this many int32 on the stack). */
#define PW_OC_CHUNK 32

/* Four accumulators: pixels 0 and 1 by output channels a and b. */
typedef struct {
    int32_t p0a, p0b, p1a, p1b;
} pw_acc2x2;

/*
 * The GEMM core: n groups of four column values of both pixels (four words per group: pixel
 * 0's (v0, v2), (v1, v3), then pixel 1's) against four filter bytes of channel a (fa) and of
 * channel b (fb) per group. n >= 1.
 *
 * With the DSP extension one group is 17 instructions for 16 MACs: one LDM of the four column
 * words into fixed registers (LDM loads in register order), two filter loads, four SXTB16, eight
 * SMLAD and the loop. Written as inline assembly because GCC spills a pointer out of this loop
 * (14 live registers) and never forms the LDM.
 */
PW_INLINE pw_acc2x2 pw_dot_2x2(const uint32_t *cp, int32_t n, const int8_t *fa, const int8_t *fb, pw_acc2x2 a)
{
#if PW_HAVE_DSP
    register uint32_t x0a __asm__("r8"), x0b __asm__("r9"), x1a __asm__("r10"), x1b __asm__("r11");
    uint32_t w, t;
    __asm__("1:\n\t"
            "ldmia %[cp]!, {%[x0a], %[x0b], %[x1a], %[x1b]}\n\t"
            "ldr %[w], [%[fa]], #4\n\t"
            "sxtb16 %[t], %[w]\n\t"
            "smlad %[p0a], %[t], %[x0a], %[p0a]\n\t"
            "smlad %[p1a], %[t], %[x1a], %[p1a]\n\t"
            "sxtb16 %[t], %[w], ror #8\n\t"
            "smlad %[p0a], %[t], %[x0b], %[p0a]\n\t"
            "smlad %[p1a], %[t], %[x1b], %[p1a]\n\t"
            "ldr %[w], [%[fb]], #4\n\t"
            "sxtb16 %[t], %[w]\n\t"
            "smlad %[p0b], %[t], %[x0a], %[p0b]\n\t"
            "smlad %[p1b], %[t], %[x1a], %[p1b]\n\t"
            "sxtb16 %[t], %[w], ror #8\n\t"
            "smlad %[p0b], %[t], %[x0b], %[p0b]\n\t"
            "smlad %[p1b], %[t], %[x1b], %[p1b]\n\t"
            "subs %[n], %[n], #1\n\t"
            "bne 1b\n\t"
            : [cp] "+r"(cp), [n] "+r"(n), [fa] "+r"(fa), [fb] "+r"(fb), [p0a] "+r"(a.p0a), [p0b] "+r"(a.p0b),
              [p1a] "+r"(a.p1a), [p1b] "+r"(a.p1b), [x0a] "=&r"(x0a), [x0b] "=&r"(x0b), [x1a] "=&r"(x1a),
              [x1b] "=&r"(x1b), [w] "=&r"(w), [t] "=&r"(t)
            :
            : "cc", "memory");
#else
    for (; n > 0; n--, cp += 4, fa += 4, fb += 4) {
        uint32_t w = pw_read32(fa);
        uint32_t lo = PW_SXTB16(w), hi = PW_SXTB16_ROR8(w);
        const uint32_t x0a = pw_read32(cp), x0b = pw_read32(cp + 1), x1a = pw_read32(cp + 2), x1b = pw_read32(cp + 3);
        a.p0a = PW_SMLAD(hi, x0b, PW_SMLAD(lo, x0a, a.p0a));
        a.p1a = PW_SMLAD(hi, x1b, PW_SMLAD(lo, x1a, a.p1a));
        w = pw_read32(fb);
        lo = PW_SXTB16(w);
        hi = PW_SXTB16_ROR8(w);
        a.p0b = PW_SMLAD(hi, x0b, PW_SMLAD(lo, x0a, a.p0b));
        a.p1b = PW_SMLAD(hi, x1b, PW_SMLAD(lo, x1a, a.p1b));
    }
#endif
    return a;
}

/*
 * One output channel's accumulators of both pixels requantized on the fast path (every channel
 * on it, the activation spanning int8) and stored: pw_requant_fast_value, the output offset,
 * SSAT. On DSP cores 19 instructions for the two values (the channel's multiplier, e - 1 and
 * 2^(e-1) loaded or built once for both); out1 may equal out0 (then the pixel-1 value, the
 * same pixel computed twice, is stored first and overwritten by the same value).
 */
PW_INLINE void pw_rq_pair(int32_t a0, int32_t a1, const pw_requant *r, int8_t *out0, int8_t *out1, int32_t off)
{
#if PW_HAVE_DSP
    uint32_t m_, e_, b_, u_, lo_;
    const uint32_t c40 = 0x40000000u;
#define PW_RQ_ASM_ONE(a, o)                                                                                            \
    "add %[u], %[b], %[" #a "], asr #31\n\t"                                                                          \
    "orr %[lo], %[c40], %[u], lsl #31\n\t"                                                                            \
    "lsr %[u], %[u], #1\n\t"                                                                                          \
    "smlal %[lo], %[u], %[" #a "], %[m]\n\t"                                                                          \
    "asr %[u], %[u], %[e]\n\t"                                                                                        \
    "add %[u], %[u], %[off]\n\t"                                                                                      \
    "ssat %[u], #8, %[u]\n\t"                                                                                         \
    "strb %[u], [%[" #o "]]\n\t"
    __asm__ volatile("ldrd %[m], %[e], [%[r]]\n\t"
                     "mov %[b], #1\n\t"
                     "lsl %[b], %[b], %[e]\n\t" PW_RQ_ASM_ONE(a1, o1) PW_RQ_ASM_ONE(a0, o0)
                     : [m] "=&r"(m_), [e] "=&r"(e_), [b] "=&r"(b_), [u] "=&r"(u_), [lo] "=&r"(lo_)
                     : [a0] "r"(a0), [a1] "r"(a1), [r] "r"(r), [o0] "r"(out0), [o1] "r"(out1), [off] "r"(off),
                       [c40] "r"(c40)
                     : "memory");
#undef PW_RQ_ASM_ONE
#else
    const int32_t v1 = pw_requant_fast_value(a1, *r) + off, v0 = pw_requant_fast_value(a0, *r) + off;
    *out1 = (int8_t)(v1 < -128 ? -128 : v1 > 127 ? 127 : v1);
    *out0 = (int8_t)(v0 < -128 ? -128 : v0 > 127 ? 127 : v0);
#endif
}

#if !PW_HAVE_DSP
/* pw_conv_fast_channels for k a multiple of 4 and a bias (the pointwise layers): pointers
 * stepped, no tail, so that the loop keeps its state in registers. */
static void pw_conv_fast_pairs(const int16_t *cols, int32_t k, int32_t pairs, const int8_t *f, const uint8_t *bias,
                               const pw_requant *rq, int32_t step, int8_t *out0, int8_t *out1, int32_t off)
{
    const uint32_t *cw = (const uint32_t *)(const void *)cols;
    const int32_t kq = k >> 2;
    for (; pairs > 0; pairs--, f += k, bias += 8, out0 += 2, out1 += 2) {
        const int32_t bias0 = (int32_t)pw_read32(bias), bias1 = (int32_t)pw_read32(bias + 4);
        pw_acc2x2 acc = {bias0, bias1, bias0, bias1};
        acc = pw_dot_2x2(cw, kq, f, f + k, acc);
        f += k;
        pw_rq_pair(acc.p0a, acc.p1a, rq, out0, out1, off);
        rq += step;
        pw_rq_pair(acc.p0b, acc.p1b, rq, out0 + 1, out1 + 1, off);
        rq += step;
    }
}
#endif

/* pw_conv_pairs_folded folds the output offset into the requantization's rounding constant
 * (pw_requant_folds in pw_arm.h). */

#if PW_HAVE_DSP
/* What pw_conv_pairs_folded and _plain read and advance (offsets fixed by their assembly). */
typedef struct {
    const uint32_t *cols;  /* 0: both pixels' columns */
    int32_t kq;            /* 4: groups of four taps, >= 1 */
    const int8_t *f;       /* 8: channel a's filter (advanced by two channels per pair) */
    int32_t k;             /* 12: filter bytes per channel */
    const uint8_t *bias;   /* 16: channel a's bias (advanced) */
    const pw_requant *rq;  /* 20: channel a's requantization (advanced) */
    int32_t step;          /* 24: bytes between channels' requantizations (0 or 8) */
    int8_t *out0;          /* 28: pixel 0's channel a (advanced) */
    int8_t *out1;          /* 32: pixel 1's channel a (advanced) */
    int32_t off;           /* 36: output offset; folded: 1 + 2 * output offset (pw_requant_folds) */
    int32_t pairs;         /* 40: channel pairs left, >= 1 */
} pw_pairs_job;

/*
 * pw_conv_fast_pairs as one assembly routine: the whole loop over channel pairs keeps its
 * state in the job (one load per field where it is needed) instead of GCC's spills around
 * pw_dot_2x2 and pw_rq_pair, whose instruction sequences it repeats (the GEMM core's 16 MACs
 * in 16 instructions per group, unrolled twice; per value the requantization's 8, or 7 with
 * the output offset folded into the rounding constant, pw_requant_folds). Per channel pair 66
 * instructions besides the core folded, 70 plain (about 96 compiled from C).
 */
/* One value requantized and stored (channel constants: r8 multiplier, r9 e - 1, r10 the
 * rounding word's u without the sign, r11 2^30). Folded: the output offset is in r10
 * (pw_requant_folds), the high word shifted arithmetically. */
#define PW_PAIRS_RQ_FOLDED(acc, dst)                                                                                   \
    "add r12, r10, " acc ", asr #31\n\t"                                                                               \
    "orr r0, r11, r12, lsl #31\n\t"                                                                                    \
    "asr r12, r12, #1\n\t"                                                                                             \
    "smlal r0, r12, " acc ", r8\n\t"                                                                                   \
    "asr r12, r12, r9\n\t"                                                                                             \
    "ssat r12, #8, r12\n\t"                                                                                            \
    "strb r12, " dst "\n\t"
/* Not folded (pw_rq_pair's sequence): the output offset (lr) added after the shift. */
#define PW_PAIRS_RQ_PLAIN(acc, dst)                                                                                    \
    "add r12, r10, " acc ", asr #31\n\t"                                                                               \
    "orr r0, r11, r12, lsl #31\n\t"                                                                                    \
    "lsr r12, r12, #1\n\t"                                                                                             \
    "smlal r0, r12, " acc ", r8\n\t"                                                                                   \
    "asr r12, r12, r9\n\t"                                                                                             \
    "add r12, r12, lr\n\t"                                                                                             \
    "ssat r12, #8, r12\n\t"                                                                                            \
    "strb r12, " dst "\n\t"
/* r10 of a channel: (1 + 2 * off) << e1 folded (lr = 1 + 2 * off), 1 << e1 plain (lr = off). */
#define PW_PAIRS_U_FOLDED "lsl r10, lr, r9\n\t"
#define PW_PAIRS_U_PLAIN "mov r10, #1\n\t" "lsl r10, r10, r9\n\t"
/* One group of the GEMM core (pw_dot_2x2's 17 instructions but the loop): four column words of
 * both pixels, four filter bytes of channel a (r2) and of channel b (r3). */
#define PW_PAIRS_GROUP                                                                                                 \
    "ldmia r0!, {r8, r9, r10, r11}\n\t"                                                                                \
    "ldr lr, [r2], #4\n\t"                                                                                             \
    "sxtb16 r12, lr\n\t"                                                                                               \
    "smlad r4, r12, r8, r4\n\t"                                                                                        \
    "smlad r6, r12, r10, r6\n\t"                                                                                       \
    "sxtb16 r12, lr, ror #8\n\t"                                                                                       \
    "smlad r4, r12, r9, r4\n\t"                                                                                        \
    "smlad r6, r12, r11, r6\n\t"                                                                                       \
    "ldr lr, [r3], #4\n\t"                                                                                             \
    "sxtb16 r12, lr\n\t"                                                                                               \
    "smlad r5, r12, r8, r5\n\t"                                                                                        \
    "smlad r7, r12, r10, r7\n\t"                                                                                       \
    "sxtb16 r12, lr, ror #8\n\t"                                                                                       \
    "smlad r5, r12, r9, r5\n\t"                                                                                        \
    "smlad r7, r12, r11, r7\n\t"
#define PW_PAIRS_ROUTINE(name, U, RQ)                                                                                  \
__attribute__((naked, noinline, noipa)) static void name(pw_pairs_job *job) \
{ \
    (void)job; \
    __asm__ volatile("push {r0, r4-r11, lr}\n\t" \
                     "1:\n\t" /* biases of channels a and b into both pixels' accumulators */ \
                     "ldr r1, [r0, #16]\n\t" \
                     "ldr r4, [r1], #4\n\t" \
                     "ldr r5, [r1], #4\n\t" \
                     "str r1, [r0, #16]\n\t" \
                     "mov r6, r4\n\t" \
                     "mov r7, r5\n\t" \
                     "ldr r2, [r0, #8]\n\t" \
                     "ldr r3, [r0, #12]\n\t" \
                     "ldr r1, [r0, #4]\n\t" \
                     "ldr r0, [r0, #0]\n\t" \
                     "add r3, r2, r3\n\t" \
                     "lsrs r1, r1, #1\n\t" /* the core: two groups per iteration, odd counts enter at the second */ \
                     "bcc 2f\n\t" \
                     "adds r1, r1, #1\n\t" \
                     "b 3f\n\t" \
                     "2:\n\t" PW_PAIRS_GROUP "3:\n\t" PW_PAIRS_GROUP \
                     "subs r1, r1, #1\n\t" \
                     "bne 2b\n\t" \
                     "ldr r12, [sp]\n\t" /* r3 is past channel b: the next pair's filter */ \
                     "str r3, [r12, #8]\n\t" \
                     "ldr r0, [r12, #20]\n\t" \
                     "ldr r1, [r12, #24]\n\t" \
                     "add r8, r0, r1, lsl #1\n\t" \
                     "str r8, [r12, #20]\n\t" \
                     "add r1, r0, r1\n\t" \
                     "ldrd r2, r3, [r12, #28]\n\t" \
                     "ldr lr, [r12, #36]\n\t" \
                     "mov r11, #0x40000000\n\t" \
                     "ldrd r8, r9, [r0]\n\t" /* channel a: pixel 1 first (out1 may equal out0) */ \
                     U RQ("r6", "[r3]") RQ("r4", "[r2]") \
                     "ldrd r8, r9, [r1]\n\t" /* channel b */ \
                     U RQ("r7", "[r3, #1]") RQ("r5", "[r2, #1]") \
                     "ldr r0, [sp]\n\t" \
                     "add r2, r2, #2\n\t" \
                     "add r3, r3, #2\n\t" \
                     "strd r2, r3, [r0, #28]\n\t" \
                     "ldr r1, [r0, #40]\n\t" \
                     "subs r1, r1, #1\n\t" \
                     "str r1, [r0, #40]\n\t" \
                     "bne 1b\n\t" \
                     "pop {r0, r4-r11, pc}\n\t"); \
}
PW_PAIRS_ROUTINE(pw_conv_pairs_folded, PW_PAIRS_U_FOLDED, PW_PAIRS_RQ_FOLDED)
PW_PAIRS_ROUTINE(pw_conv_pairs_plain, PW_PAIRS_U_PLAIN, PW_PAIRS_RQ_PLAIN)
#undef PW_PAIRS_ROUTINE
#undef PW_PAIRS_RQ_FOLDED
#undef PW_PAIRS_RQ_PLAIN
#undef PW_PAIRS_U_FOLDED
#undef PW_PAIRS_U_PLAIN
#undef PW_PAIRS_GROUP
#endif

/*
 * The output channels of both pixels when every channel takes the requantization's fast path
 * and the activation spans int8 (as in practice): pairs of channels through the GEMM core,
 * each channel requantized and stored as soon as computed (pw_rq_pair), no accumulator arrays.
 * Both columns were built before: lead 0 as the general path.
 */
static void pw_conv_fast_channels(const int16_t *cols, int32_t k, int32_t k4, int32_t oc_n, const pw_conv_params *p,
                                  int folds, int8_t *out0, int8_t *out1)
{
    const int16_t *tail0 = cols + 2 * k4, *tail1 = tail0 + (k - k4);
    const int32_t step = p->requant_step, off = p->output_offset;
    const pw_requant *rq = p->requant;
    const uint8_t *bias = p->bias;
    const int8_t *f = p->filter;
    int32_t oc = 0;
    if (k == k4 && bias) {
        oc = oc_n & ~1;
#if PW_HAVE_DSP
        if (oc > 0) {
            pw_pairs_job job = {(const uint32_t *)(const void *)cols, k >> 2, f, k, bias, rq, step * 8, out0, out1,
                                folds ? 1 + 2 * off : off, oc >> 1};
            if (folds)
                pw_conv_pairs_folded(&job);
            else
                pw_conv_pairs_plain(&job);
        }
#else
        (void)folds;
        pw_conv_fast_pairs(cols, k, oc >> 1, f, bias, rq, step, out0, out1, off);
#endif
        f += oc * k;
    }
    for (; oc + 2 <= oc_n; oc += 2, f += 2 * k) {
        const int8_t *fa = f, *fb = f + k;
        const int32_t bias0 = bias ? (int32_t)pw_read32(bias + 4 * oc) : 0;
        const int32_t bias1 = bias ? (int32_t)pw_read32(bias + 4 * oc + 4) : 0;
        pw_acc2x2 acc = {bias0, bias1, bias0, bias1};
        if (k4 > 0) {
            acc = pw_dot_2x2((const uint32_t *)(const void *)cols, k4 >> 2, fa, fb, acc);
            fa += k4;
            fb += k4;
        }
        for (int32_t t = 0; t < k - k4; t++) {
            const int32_t v0 = tail0[t], v1 = tail1[t];
            acc.p0a += fa[t] * v0;
            acc.p0b += fb[t] * v0;
            acc.p1a += fa[t] * v1;
            acc.p1b += fb[t] * v1;
        }
        pw_rq_pair(acc.p0a, acc.p1a, rq + oc * step, out0 + oc, out1 + oc, off);
        pw_rq_pair(acc.p0b, acc.p1b, rq + (oc + 1) * step, out0 + oc + 1, out1 + oc + 1, off);
    }
    if (oc < oc_n) {
        int32_t a0 = pw_bias(bias, oc), a1 = a0;
        const int16_t *cend = cols + 2 * k4;
        const int8_t *fa = f;
        for (const int16_t *cp = cols; cp < cend; cp += 8, fa += 4) {
            uint32_t w = pw_read32(fa);
            uint32_t lo = PW_SXTB16(w), hi = PW_SXTB16_ROR8(w);
            a0 = PW_SMLAD(lo, pw_read32(cp), a0);
            a0 = PW_SMLAD(hi, pw_read32(cp + 2), a0);
            a1 = PW_SMLAD(lo, pw_read32(cp + 4), a1);
            a1 = PW_SMLAD(hi, pw_read32(cp + 6), a1);
        }
        for (int32_t t = 0; t < k - k4; t++) {
            a0 += fa[t] * tail0[t];
            a1 += fa[t] * tail1[t];
        }
        pw_rq_pair(a0, a1, rq + oc * step, out0 + oc, out1 + oc, off);
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
    const pw_outq oq = {p.output_offset, p.act_min, p.act_max, pw_all_fast(p.requant, step ? oc_n : 1, step)};
    const int fastq = oq.all_fast && p.act_min == -128 && p.act_max == 127;
    const int folds = fastq && pw_requant_folds(p.requant, step ? oc_n : 1, step);
    int32_t acc0[PW_OC_CHUNK], acc1[PW_OC_CHUNK];
    const int pw1 = c.kernel_h == 1 && c.kernel_w == 1 && k4 == k;
    pw_walker px = pw_walk_start(&c);

    for (int32_t i = 0; i < total; i += 2) {
        const int two = i + 1 < total;
        const int32_t b0 = px.b, y0 = px.y, x0 = px.x;
        pw_walk_next(&px);
        pixel_col(&c, b0, y0, x0, p.input_offset, cols, 0, k4, k, pw1);
        int8_t *out0 = c.output + b0 * c.out.batch_stride + y0 * c.out.row_stride + x0 * oc_n;
        int8_t *out1 = out0; /* without a pixel 1: its column is pixel 0 again, stored over it or not at all */
        if (two) {
            const int32_t b1 = px.b, y1 = px.y, x1 = px.x;
            pw_walk_next(&px);
            pixel_col(&c, b1, y1, x1, p.input_offset, cols, 1, k4, k, pw1);
            out1 = c.output + b1 * c.out.batch_stride + y1 * c.out.row_stride + x1 * oc_n;
        } else {
            pixel_col(&c, b0, y0, x0, p.input_offset, cols, 1, k4, k, pw1); /* computed, never stored */
        }
        const int16_t *cend = cols + 2 * k4;
        if (fastq) {
            pw_conv_fast_channels(cols, k, k4, oc_n, &p, folds, out0, out1);
            continue;
        }

        /* Output channels in chunks: accumulators of both pixels into two small arrays, then
         * each pixel's chunk requantized and stored in one call. */
        for (int32_t oc0 = 0; oc0 < oc_n; oc0 += PW_OC_CHUNK) {
            const int32_t n = oc_n - oc0 < PW_OC_CHUNK ? oc_n - oc0 : PW_OC_CHUNK;
            const int8_t *f0 = p.filter + oc0 * k;
            int32_t j = 0;
            for (; j + 2 <= n; j += 2, f0 += 2 * k) {
                const int8_t *fa = f0, *fb = f0 + k;
                const int32_t bias0 = pw_bias(p.bias, oc0 + j), bias1 = pw_bias(p.bias, oc0 + j + 1);
                pw_acc2x2 acc = {bias0, bias1, bias0, bias1};
                if (k4 > 0) {
                    acc = pw_dot_2x2((const uint32_t *)(const void *)cols, k4 >> 2, fa, fb, acc);
                    fa += k4;
                    fb += k4;
                }
                for (int32_t t = 0; t < k - k4; t++) {
                    const int32_t v0 = tail0[t], v1 = tail1[t];
                    acc.p0a += fa[t] * v0;
                    acc.p0b += fb[t] * v0;
                    acc.p1a += fa[t] * v1;
                    acc.p1b += fb[t] * v1;
                }
                acc0[j] = acc.p0a;
                acc0[j + 1] = acc.p0b;
                acc1[j] = acc.p1a;
                acc1[j + 1] = acc.p1b;
            }
            if (j < n) {
                const int8_t *fa = f0;
                int32_t a0 = pw_bias(p.bias, oc0 + j), a1 = a0;
                for (const int16_t *cp = cols; cp < cend; cp += 8, fa += 4) {
                    uint32_t w = pw_read32(fa);
                    uint32_t lo = PW_SXTB16(w), hi = PW_SXTB16_ROR8(w);
                    a0 = PW_SMLAD(lo, pw_read32(cp), a0);
                    a0 = PW_SMLAD(hi, pw_read32(cp + 2), a0);
                    a1 = PW_SMLAD(lo, pw_read32(cp + 4), a1);
                    a1 = PW_SMLAD(hi, pw_read32(cp + 6), a1);
                }
                for (int32_t t = 0; t < k - k4; t++) {
                    a0 += fa[t] * tail0[t];
                    a1 += fa[t] * tail1[t];
                }
                acc0[j] = a0;
                acc1[j] = a1;
            }
            const pw_requant *rq = p.requant + oc0 * step;
            if (two)
                pw_requant_store(acc1, n, rq, step, out1 + oc0, &oq);
            pw_requant_store(acc0, n, rq, step, out0 + oc0, &oq);
        }
    }
    return 0;
}
