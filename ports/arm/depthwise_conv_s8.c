/*
 * DEPTHWISE_CONV_2D int8, depth multiplier 1 or a multiple of 4, for Cortex-M DSP: SIMD across
 * channels.
 *
 * Output pixels in walk order; per pixel, channels four at a time: each tap loads four input
 * bytes (one word), expands them to two int16 pairs (SXTB16: channels 0 and 2, SXTB16 ROR #8:
 * 1 and 3) and multiply-accumulates each channel into its own 32-bit accumulator (SMLABB /
 * SMLATT) with the filter's matching pairs. A pixel's channels are written after the reads of
 * the same channels of its window (as the portable kernel, which writes in chunks of
 * channels): lead 0.
 *
 * A pixel whose 3x3 window (no dilation) lies wholly inside the input block starts from
 * biases with the input offset folded in (bias + offset · the sum of the channel's nine taps,
 * 4 bytes per channel of scratch, built once per call, or once per invoke for the rows of a
 * fused segment) and accumulates filter · input: per tap and four channels one input load,
 * one filter load, four SXTB16 and four SMLAxy (inline assembly, the nine taps in one block).
 * TFLM skips the taps outside the image, so the folded term does not hold there: other pixels
 * (borders, other windows) start from the model's biases and add the offset to the input
 * pairs (SADD16) over the taps inside. The channels left over (out_c mod 4) go one by one.
 * Requantization is inline: the fast path alone (and SSAT) when every channel takes it and the
 * activation spans int8, else per value pw_requantize.
 *
 * Depth multiplier 4k (dwm_*): the four output channels of a group share one input channel,
 * its value (plus the offset on border pixels) in both halves of a word (PKHBT); the rest as
 * above.
 */
#include "pw_arm.h"

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

/* ---- depth multiplier 1 ---- */

/* What the pixel functions share. */
typedef struct {
    int32_t ch, groups;  /* output channels, groups of four */
    int32_t in_c, dm;    /* input channels, depth multiplier (1 or 4k) */
    int32_t inline_rq;   /* 1: every channel on the fast path and act range = int8; 2: and the output
                            offset folded into the rounding constant (pw_requant_folds) */
    int32_t out_offset;
    int32_t fold_off;    /* 1 + 2 * out_offset (inline_rq 2) */
    uint32_t off2; /* the input offset in both halves */
    const uint8_t *bias;
    const int32_t *fold; /* biases with the input offset folded in (3x3 only) */
    const pw_requant *rq; /* the first channel's entry (with inline_rq and one entry: four copies) */
    int32_t step;         /* entries from one channel to the next */
    int32_t rq_group;     /* entries from one group to the next */
    const pw_outq *q;
    const int8_t *flt; /* the filter */
    int32_t rs;        /* input row stride */
    const pw_window_call *c;
    const pw_conv_params *p;
} dw1_ctx;

PW_INLINE int8_t dw1_sat8(int32_t v)
{
#if PW_HAVE_DSP
    return (int8_t)__ssat(v, 8);
#else
    return (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
#endif
}

/* Four values requantized, offset and clamped (any channel, any activation range; entries
 * step apart). Out of line: the fast path is the common one. */
static __attribute__((noinline, cold)) void dw1_store_any(int32_t a0, int32_t a1, int32_t a2, int32_t a3,
                                                    const pw_requant *r, int8_t *out, const dw1_ctx *x)
{
    const int32_t step = x->step, off = x->out_offset, lo = x->q->act_min, hi = x->q->act_max;
    out[0] = pw_requantize(a0, r[0], 0, off, lo, hi);
    out[1] = pw_requantize(a1, r[step], 0, off, lo, hi);
    out[2] = pw_requantize(a2, r[2 * step], 0, off, lo, hi);
    out[3] = pw_requantize(a3, r[3 * step], 0, off, lo, hi);
}

/*
 * Requantizes and stores one group's four accumulators. fast (x->inline_rq): the entries at
 * r[0..4) (a per-tensor entry is replicated by the caller), pw_requant_fast_value, the output
 * offset and SSAT, in assembly on DSP cores (12 instructions a value); else dw1_store_any.
 */
PW_INLINE void dw1_store(int32_t a0, int32_t a1, int32_t a2, int32_t a3, const pw_requant *r, int8_t *out,
                         const dw1_ctx *x, int fast)
{
#if PW_HAVE_DSP
    if (fast == 2) {
        /* The output offset folded into the rounding constant (pw_requant_folds): u = (1 + 2 *
         * off) << (e-1) plus the accumulator's sign, the high word u >> 1 (arithmetic), no add
         * of the offset afterwards: 9 instructions a value. */
        uint32_t m_, e_, t_, lo_;
        const int32_t cc = x->fold_off;
        const uint32_t c40 = 0x40000000u;
#define PW_DW1_ASM_RQF(a, i)                                                                                           \
    "ldrd %[m], %[e], [%[r], #" #i "*8]\n\t"                                                                           \
    "lsl %[t], %[cc], %[e]\n\t"                                                                                        \
    "add %[t], %[t], %[" #a "], asr #31\n\t"                                                                           \
    "orr %[lo], %[c40], %[t], lsl #31\n\t"                                                                             \
    "asr %[t], %[t], #1\n\t"                                                                                           \
    "smlal %[lo], %[t], %[" #a "], %[m]\n\t"                                                                           \
    "asr %[t], %[t], %[e]\n\t"                                                                                         \
    "ssat %[t], #8, %[t]\n\t"                                                                                          \
    "strb %[t], [%[out], #" #i "]\n\t"
        __asm__ volatile(PW_DW1_ASM_RQF(a0, 0) PW_DW1_ASM_RQF(a1, 1) PW_DW1_ASM_RQF(a2, 2) PW_DW1_ASM_RQF(a3, 3)
                : [m] "=&r"(m_), [e] "=&r"(e_), [t] "=&r"(t_), [lo] "=&r"(lo_)
                : [a0] "r"(a0), [a1] "r"(a1), [a2] "r"(a2), [a3] "r"(a3), [r] "r"(r), [out] "r"(out), [cc] "r"(cc),
                  [c40] "r"(c40)
                : "memory");
#undef PW_DW1_ASM_RQF
        return;
    }
#endif
    if (fast) {
#if PW_HAVE_DSP
        uint32_t m_, e_, t_, lo_;
        const int32_t off = x->out_offset;
        const uint32_t c40 = 0x40000000u;
#define PW_DW1_ASM_RQ(a, i)                                                                                            \
    "ldrd %[m], %[e], [%[r], #" #i "*8]\n\t"                                                                           \
    "mov %[t], #1\n\t"                                                                                                 \
    "lsl %[t], %[t], %[e]\n\t"                                                                                         \
    "add %[t], %[t], %[" #a "], asr #31\n\t"                                                                           \
    "orr %[lo], %[c40], %[t], lsl #31\n\t"                                                                             \
    "lsr %[t], %[t], #1\n\t"                                                                                           \
    "smlal %[lo], %[t], %[" #a "], %[m]\n\t"                                                                           \
    "asr %[t], %[t], %[e]\n\t"                                                                                         \
    "add %[t], %[t], %[off]\n\t"                                                                                       \
    "ssat %[t], #8, %[t]\n\t"                                                                                          \
    "strb %[t], [%[out], #" #i "]\n\t"
        /* volatile: its stores are its only effect (GCC deletes a plain asm whose outputs go unused) */
        __asm__ volatile(PW_DW1_ASM_RQ(a0, 0) PW_DW1_ASM_RQ(a1, 1) PW_DW1_ASM_RQ(a2, 2) PW_DW1_ASM_RQ(a3, 3)
                : [m] "=&r"(m_), [e] "=&r"(e_), [t] "=&r"(t_), [lo] "=&r"(lo_)
                : [a0] "r"(a0), [a1] "r"(a1), [a2] "r"(a2), [a3] "r"(a3), [r] "r"(r), [out] "r"(out), [off] "r"(off),
                  [c40] "r"(c40)
                : "memory");
#undef PW_DW1_ASM_RQ
#else
        const int32_t off = x->out_offset;
        out[0] = dw1_sat8(pw_requant_fast_value(a0, r[0]) + off);
        out[1] = dw1_sat8(pw_requant_fast_value(a1, r[1]) + off);
        out[2] = dw1_sat8(pw_requant_fast_value(a2, r[2]) + off);
        out[3] = dw1_sat8(pw_requant_fast_value(a3, r[3]) + off);
#endif
    } else {
        dw1_store_any(a0, a1, a2, a3, r, out, x);
    }
}

/*
 * Taps of four channels: input words at ip, filter words at fp (int8, expanded here with
 * SXTB16 / SXTB16 ROR #8 as the input); PW_DW1_WIN3 does the nine taps of a 3x3 window
 * (per row the addresses [p], [p, ch], [p, ch, LSL #1]), PW_DW1_TAP_OFF one tap with the
 * input offset added to the input pairs. Inline assembly on DSP cores (GCC's register
 * allocation spilled the accumulators), the same operations in C elsewhere.
 */
#if PW_HAVE_DSP
#define PW_DW1_ASM_TAP(xaddr, faddr)                                                                                   \
    "ldr %[x], " xaddr "\n\t"                                                                                          \
    "ldr %[f], " faddr "\n\t"                                                                                          \
    "sxtb16 %[xb], %[x], ror #8\n\t"                                                                                   \
    "sxtb16 %[x], %[x]\n\t"                                                                                            \
    "sxtb16 %[fb], %[f], ror #8\n\t"                                                                                   \
    "sxtb16 %[f], %[f]\n\t"                                                                                            \
    "smlabb %[a0], %[f], %[x], %[a0]\n\t"                                                                              \
    "smlatt %[a2], %[f], %[x], %[a2]\n\t"                                                                              \
    "smlabb %[a1], %[fb], %[xb], %[a1]\n\t"                                                                            \
    "smlatt %[a3], %[fb], %[xb], %[a3]\n\t"
#define PW_DW1_ASM_ROW3                                                                                                \
    PW_DW1_ASM_TAP("[%[ip]]", "[%[fp]]")                                                                               \
    PW_DW1_ASM_TAP("[%[ip], %[ch]]", "[%[fp], %[ch]]")                                                                 \
    PW_DW1_ASM_TAP("[%[ip], %[ch], lsl #1]", "[%[fp], %[ch], lsl #1]")
#define PW_DW1_ROW3(I, F, CH)                                                                                          \
    do {                                                                                                               \
        uint32_t x_, xb_, f_, fb_;                                                                                     \
        __asm__(PW_DW1_ASM_ROW3                                                                                        \
                : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [x] "=&r"(x_), [xb] "=&r"(xb_),      \
                  [f] "=&r"(f_), [fb] "=&r"(fb_)                                                                       \
                : [ip] "r"(I), [fp] "r"(F), [ch] "r"(CH)                                                               \
                : "memory");                                                                                           \
    } while (0)
/* The nine taps of a 3x3 window: rows rs input elements and 3·ch filter elements apart. */
#define PW_DW1_WIN3(IP, FP, CH, RS, CH3)                                                                               \
    do {                                                                                                               \
        const int8_t *i_ = (IP), *f0_ = (FP);                                                                          \
        PW_DW1_ROW3(i_, f0_, CH);                                                                                      \
        PW_DW1_ROW3(i_ + (RS), f0_ + (CH3), CH);                                                                       \
        PW_DW1_ROW3(i_ + 2 * (RS), f0_ + 2 * (CH3), CH);                                                               \
    } while (0)
#define PW_DW1_TAP_OFF(IP, FP)                                                                                         \
    do {                                                                                                               \
        uint32_t x_, xb_, f_, fb_;                                                                                     \
        __asm__("ldr %[x], [%[ip]]\n\t"                                                                                \
                "ldr %[f], [%[fp]]\n\t"                                                                                \
                "sxtb16 %[xb], %[x], ror #8\n\t"                                                                       \
                "sxtb16 %[x], %[x]\n\t"                                                                                \
                "sadd16 %[xb], %[xb], %[o]\n\t"                                                                        \
                "sadd16 %[x], %[x], %[o]\n\t"                                                                          \
                "sxtb16 %[fb], %[f], ror #8\n\t"                                                                       \
                "sxtb16 %[f], %[f]\n\t"                                                                                \
                "smlabb %[a0], %[f], %[x], %[a0]\n\t"                                                                  \
                "smlatt %[a2], %[f], %[x], %[a2]\n\t"                                                                  \
                "smlabb %[a1], %[fb], %[xb], %[a1]\n\t"                                                                \
                "smlatt %[a3], %[fb], %[xb], %[a3]\n\t"                                                                \
                : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [x] "=&r"(x_), [xb] "=&r"(xb_),      \
                  [f] "=&r"(f_), [fb] "=&r"(fb_)                                                                       \
                : [ip] "r"(IP), [fp] "r"(FP), [o] "r"(off2)                                                            \
                : "memory");                                                                                           \
    } while (0)
#else
#define PW_DW1_TAP_C(xw, fw, o)                                                                                        \
    do {                                                                                                               \
        const uint32_t x_ = (xw), f_ = (fw);                                                                           \
        const uint32_t xa_ = PW_SADD16(PW_SXTB16(x_), o), xb_ = PW_SADD16(PW_SXTB16_ROR8(x_), o);                    \
        const uint32_t fa_ = PW_SXTB16(f_), fb_ = PW_SXTB16_ROR8(f_);                                                  \
        a0 = PW_SMLABB(fa_, xa_, a0);                                                                                  \
        a2 = PW_SMLATT(fa_, xa_, a2);                                                                                  \
        a1 = PW_SMLABB(fb_, xb_, a1);                                                                                  \
        a3 = PW_SMLATT(fb_, xb_, a3);                                                                                  \
    } while (0)
#define PW_DW1_WIN3(IP, FP, CH, RS, CH3)                                                                               \
    do {                                                                                                               \
        for (int32_t r_ = 0; r_ < 3; r_++) {                                                                           \
            const int8_t *wi_ = (IP) + r_ * (RS), *wf_ = (FP) + r_ * (CH3);                                            \
            PW_DW1_TAP_C(pw_read32(wi_), pw_read32(wf_), 0u);                                                          \
            PW_DW1_TAP_C(pw_read32(wi_ + (CH)), pw_read32(wf_ + (CH)), 0u);                                            \
            PW_DW1_TAP_C(pw_read32(wi_ + 2 * (CH)), pw_read32(wf_ + 2 * (CH)), 0u);                                    \
        }                                                                                                              \
    } while (0)
#define PW_DW1_TAP_OFF(ip, fp) PW_DW1_TAP_C(pw_read32(ip), pw_read32(fp), off2)
#endif

/* The channels left over (out_c mod 4) of one pixel, one by one: ny x nx taps from in0 and
 * the filter's matching tap flt, from the model's biases. */
static __attribute__((noinline)) void dw1_tail(const int8_t *in0, const int8_t *flt, int32_t ny, int32_t nx,
                                               const pw_window_call *c, const pw_conv_params *p, int8_t *out,
                                               const pw_outq *q)
{
    const int32_t ch = c->out.c, step = p->requant_step, offset = p->input_offset;
    const int32_t tap_x = c->dilation_w * ch, tap_y = c->dilation_h * c->in.row_stride, frow = c->kernel_w * ch;
    for (int32_t k = ch & ~3; k < ch; k++) {
        int32_t a = pw_bias(p->bias, k);
        const int8_t *in_row = in0 + k, *f_row = flt + k;
        for (int32_t ty = 0; ty < ny; ty++, in_row += tap_y, f_row += frow) {
            const int8_t *ip = in_row, *fp = f_row;
            for (int32_t tx = 0; tx < nx; tx++, ip += tap_x, fp += ch)
                a += *fp * (*ip + offset);
        }
        pw_requant_store(&a, 1, p->requant + k * step, step, out + k, q);
    }
}

/*
 * Depth multiplier 4k: the four output channels of a group read one input channel, its value
 * (plus the offset on border pixels) in both halves of a word (PKHBT). PW_DWM_WIN3: the nine
 * taps of a 3x3 window, input taps ic elements apart and rows rs apart, filter taps ch apart
 * and rows ch3 apart; PW_DWM_TAP_OFF: one tap with the offset.
 */
#if PW_HAVE_DSP
#define PW_DWM_ASM_TAP(xaddr, faddr)                                                                                   \
    "ldrsb %[x], " xaddr "\n\t"                                                                                        \
    "ldr %[f], " faddr "\n\t"                                                                                          \
    "pkhbt %[x], %[x], %[x], lsl #16\n\t"                                                                              \
    "sxtb16 %[fb], %[f], ror #8\n\t"                                                                                   \
    "sxtb16 %[f], %[f]\n\t"                                                                                            \
    "smlabb %[a0], %[f], %[x], %[a0]\n\t"                                                                              \
    "smlatt %[a2], %[f], %[x], %[a2]\n\t"                                                                              \
    "smlabb %[a1], %[fb], %[x], %[a1]\n\t"                                                                             \
    "smlatt %[a3], %[fb], %[x], %[a3]\n\t"
#define PW_DWM_ASM_ROW3                                                                                                \
    PW_DWM_ASM_TAP("[%[ip]]", "[%[fp]]")                                                                               \
    PW_DWM_ASM_TAP("[%[ip], %[ic]]", "[%[fp], %[ch]]")                                                                 \
    PW_DWM_ASM_TAP("[%[ip], %[ic], lsl #1]", "[%[fp], %[ch], lsl #1]")
#define PW_DWM_ROW3(I, F, IC, CH)                                                                                      \
    do {                                                                                                               \
        uint32_t x_, f_, fb_;                                                                                          \
        __asm__(PW_DWM_ASM_ROW3                                                                                        \
                : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [x] "=&r"(x_), [f] "=&r"(f_),        \
                  [fb] "=&r"(fb_)                                                                                      \
                : [ip] "r"(I), [fp] "r"(F), [ic] "r"(IC), [ch] "r"(CH)                                                 \
                : "memory");                                                                                           \
    } while (0)
#define PW_DWM_WIN3(IP, FP, IC, CH, RS, CH3)                                                                           \
    do {                                                                                                               \
        const int8_t *i_ = (IP), *f0_ = (FP);                                                                          \
        PW_DWM_ROW3(i_, f0_, IC, CH);                                                                                  \
        PW_DWM_ROW3(i_ + (RS), f0_ + (CH3), IC, CH);                                                                   \
        PW_DWM_ROW3(i_ + 2 * (RS), f0_ + 2 * (CH3), IC, CH);                                                           \
    } while (0)
#else
#define PW_DWM_WIN3(IP, FP, IC, CH, RS, CH3)                                                                           \
    do {                                                                                                               \
        for (int32_t r_ = 0; r_ < 3; r_++)                                                                             \
            for (int32_t c_ = 0; c_ < 3; c_++)                                                                         \
                PW_DWM_TAP_OFF((IP) + r_ * (RS) + c_ * (IC), (FP) + r_ * (CH3) + c_ * (CH), 0);                        \
    } while (0)
#endif
#define PW_DWM_TAP_OFF(IP, FP, OFF)                                                                                    \
    do {                                                                                                               \
        const int32_t v_ = *(IP) + (OFF);                                                                              \
        const uint32_t xx_ = PW_PKHBT((uint32_t)v_, (uint32_t)v_ << 16);                                               \
        const uint32_t fw_ = pw_read32(FP);                                                                            \
        const uint32_t fa_ = PW_SXTB16(fw_), fb_ = PW_SXTB16_ROR8(fw_);                                                \
        a0 = PW_SMLABB(fa_, xx_, a0);                                                                                  \
        a2 = PW_SMLATT(fa_, xx_, a2);                                                                                  \
        a1 = PW_SMLABB(fb_, xx_, a1);                                                                                  \
        a3 = PW_SMLATT(fb_, xx_, a3);                                                                                  \
    } while (0)

/* dw1_run_3x3 with a depth multiplier of 4k. */
static __attribute__((noinline)) void dwm_run_3x3(const int8_t *in0, int32_t in_step, int8_t *out, int32_t out_step,
                                                  int32_t n, const dw1_ctx *x)
{
    const int32_t ch = x->ch, ch3 = 3 * ch, ic = x->in_c, dm = x->dm, rs = x->rs, groups = x->groups;
    const int8_t *flt = x->flt;
    const int32_t *fold = x->fold;
    const int fast = x->inline_rq;
    const int32_t rstep = x->rq_group;
    for (; n > 0; n--, in0 += in_step, out += out_step) {
        const pw_requant *r = x->rq;
        for (int32_t k = 0; k < 4 * groups; k += 4, r += rstep) {
            int32_t a0 = fold[k], a1 = fold[k + 1], a2 = fold[k + 2], a3 = fold[k + 3];
            PW_DWM_WIN3(in0 + k / dm, flt + k, ic, ch, rs, ch3);
            dw1_store(a0, a1, a2, a3, r, out + k, x, fast);
        }
    }
}

/* dw1_pixel_any with a depth multiplier of 4k. */
static __attribute__((noinline)) void dwm_pixel_any(const int8_t *in0, const int8_t *flt, int32_t ny, int32_t nx,
                                                    int32_t tap_x, int32_t tap_y, int32_t frow, int8_t *out,
                                                    const dw1_ctx *x)
{
    const int32_t ch = x->ch, dm = x->dm;
    const int32_t off = (int16_t)(x->off2 & 0xffffu);
    const int fast = x->inline_rq;
    const pw_requant *r = x->rq;
    const int32_t rstep = x->rq_group;
    for (int32_t k = 0; k < 4 * x->groups; k += 4, r += rstep) {
        int32_t a0 = pw_bias(x->bias, k), a1 = pw_bias(x->bias, k + 1);
        int32_t a2 = pw_bias(x->bias, k + 2), a3 = pw_bias(x->bias, k + 3);
        const int8_t *in_row = in0 + k / dm, *f_row = flt + k;
        for (int32_t ty = 0; ty < ny; ty++, in_row += tap_y, f_row += frow) {
            const int8_t *ip = in_row, *fp = f_row;
            for (int32_t tx = 0; tx < nx; tx++, ip += tap_x, fp += ch)
                PW_DWM_TAP_OFF(ip, fp, off);
        }
        dw1_store(a0, a1, a2, a3, r, out + k, x, fast);
    }
}

/* An output pixel whose 3x3 window (no dilation) lies inside the block: in0 is its top-left
 * input element, rs the input row stride. Every group of four channels, from the folded
 * biases. */
static __attribute__((noinline)) void dw1_run_3x3(const int8_t *in0, int32_t in_step, int8_t *out, int32_t out_step,
                                                  int32_t n, const dw1_ctx *x)
{
    const int32_t ch = x->ch, ch3 = 3 * ch, rs = x->rs, groups = x->groups;
    const int8_t *flt = x->flt;
    const int32_t *fold = x->fold;
    const int fast = x->inline_rq;
    const int32_t rstep = x->rq_group;
    for (; n > 0; n--, in0 += in_step, out += out_step) {
        const pw_requant *r = x->rq;
        for (int32_t k = 0; k < 4 * groups; k += 4, r += rstep) {
            int32_t a0 = fold[k], a1 = fold[k + 1], a2 = fold[k + 2], a3 = fold[k + 3];
            PW_DW1_WIN3(in0 + k, flt + k, ch, rs, ch3);
            dw1_store(a0, a1, a2, a3, r, out + k, x, fast);
        }
        if (ch & 3)
            dw1_tail(in0, flt, 3, 3, x->c, x->p, out, x->q);
    }
}

/*
 * Any other pixel: ny x nx taps from the first tap inside the block (in0; flt the filter's
 * matching tap), tap_x / tap_y input elements apart, frow filter elements per filter row; from
 * the model's biases, the input offset added per tap (TFLM skips the taps outside the image).
 */
static __attribute__((noinline)) void dw1_pixel_any(const int8_t *in0, const int8_t *flt, int32_t ny, int32_t nx,
                                                    int32_t tap_x, int32_t tap_y, int32_t frow, int8_t *out,
                                                    const dw1_ctx *x)
{
    const uint32_t off2 = x->off2;
    const int32_t ch = x->ch;
    const int fast = x->inline_rq;
    const pw_requant *r = x->rq;
    const int32_t rstep = x->rq_group;
    for (int32_t k = 0; k < 4 * x->groups; k += 4, r += rstep) {
        int32_t a0 = pw_bias(x->bias, k), a1 = pw_bias(x->bias, k + 1);
        int32_t a2 = pw_bias(x->bias, k + 2), a3 = pw_bias(x->bias, k + 3);
        const int8_t *in_row = in0 + k, *f_row = flt + k;
        if (nx == 3 && tap_x == ch) {
            /* A 3x3 window's row of three taps (or any window three taps wide, no dilation). */
            for (int32_t ty = 0; ty < ny; ty++, in_row += tap_y, f_row += frow) {
                PW_DW1_TAP_OFF(in_row, f_row);
                PW_DW1_TAP_OFF(in_row + ch, f_row + ch);
                PW_DW1_TAP_OFF(in_row + 2 * ch, f_row + 2 * ch);
            }
        } else if (nx == 2) {
            for (int32_t ty = 0; ty < ny; ty++, in_row += tap_y, f_row += frow) {
                PW_DW1_TAP_OFF(in_row, f_row);
                PW_DW1_TAP_OFF(in_row + tap_x, f_row + ch);
            }
        } else {
            for (int32_t ty = 0; ty < ny; ty++, in_row += tap_y, f_row += frow) {
                const int8_t *ip = in_row, *fp = f_row;
                for (int32_t tx = 0; tx < nx; tx++, ip += tap_x, fp += ch)
                    PW_DW1_TAP_OFF(ip, fp);
            }
        }
        dw1_store(a0, a1, a2, a3, r, out + k, x, fast);
    }
}

/* ---- 3x3, folded requantization: group-major runs through records ----
 *
 * A run of inside pixels (one output row's columns whose 3x3 windows, no dilation, lie inside
 * the block) whose output bytes do not overlap the input bytes its windows read (dw3_run_ok:
 * the rows of a fused segment, separate buffers) may be computed in any order: its writes
 * cannot reach its reads, and after it the memory holds what the walk order would have left.
 * There the four channels of a group go through the whole run before the next group, with a
 * record of the group's constants built once per run on the stack (PW_DW3_REC words, none in
 * the arena's scratch):
 *
 *   rec[0..4)         the folded biases fold[k] (bias + input offset * the sum of the nine taps)
 *   rec[4 + 2t]       tap t's filter values of channels 0 and 2 as int16 pairs (SXTB16 of the
 *   rec[5 + 2t]       filter word), then 1 and 3 (SXTB16 ROR #8): the order SXTB16 gives the input
 *   rec[22 + 3i ...]  channel i's multiplier m, V = (1 + 2 * output offset) << (e-1), e - 1
 *
 * Per pixel and tap: one input word, one LDRD of the filter pairs, two SXTB16, four SMLAxy (8
 * instructions for 4 MACs instead of 10; with a depth multiplier of 4k, dw3m_group_run, the
 * group's one input value by LDRSB and PKHBT in both halves: 7 instead of 9); per value: V plus the accumulator's sign is the
 * folded rounding constant's u (pw_requant_folds), so LDM of (m, V, e - 1), ADD, ORR, ASR,
 * SMLAL, ASR, SSAT, STRB (8 instead of 9). The accumulators are TFLM's sums (32-bit, wrapping
 * as TFLM's), the requantization TFLM's double rounding (pw_arm.h), so the bytes are the same.
 */
#define PW_DW3_REC 34
/* Runs from this many pixels take the records: building one costs about 100 instructions a
 * group, and each pixel saves about 40 (shorter runs stay on dw1_run_3x3). */
#define PW_DW3_MIN_RUN 4

typedef struct {
    int32_t ic, rs;        /* input channels (the input's tap stride), input row stride */
    int32_t in_step;       /* input elements from one pixel of the run to the next */
    int32_t out_step;      /* output elements likewise */
    int32_t n;             /* pixels in the run, >= 1 */
    int32_t shared;        /* depth multiplier 4k: the group's four channels read one input channel */
} dw3_run_args;

/* Builds group g's record (rec[PW_DW3_REC]). */
static void dw3_rec_build(int32_t *rec, int32_t g, const dw1_ctx *x)
{
    const int32_t ch = x->ch, k0 = 4 * g;
    const pw_requant *r = x->rq + g * x->rq_group;
    for (int32_t i = 0; i < 4; i++) {
        rec[i] = x->fold[k0 + i];
        rec[22 + 3 * i] = r[i * x->step].mult;
        rec[23 + 3 * i] = (int32_t)((uint32_t)x->fold_off << r[i * x->step].e1);
        rec[24 + 3 * i] = r[i * x->step].e1;
    }
    const int8_t *f = x->flt + k0;
#pragma GCC unroll 9
    for (int32_t t = 0; t < 9; t++, f += ch) {
        const uint32_t w = pw_read32(f);
        rec[4 + 2 * t] = (int32_t)PW_SXTB16(w);
        rec[5 + 2 * t] = (int32_t)PW_SXTB16_ROR8(w);
    }
}

#if PW_HAVE_DSP
#define PW_UNUSED __attribute__((unused))
/* One group through a run: q the first pixel's window top-left element (of the group), out its
 * output, rec the group's record. r0 q, r1 out, r2 rec, r3 ch, r4-r7 the accumulators, r8-r11
 * temporaries, r12 the window row, lr the row stride (0x40000000 while requantizing); the
 * steps and the count on the stack. */
static __attribute__((naked, noinline)) void dw3_group_run(PW_UNUSED const int8_t *q, PW_UNUSED int8_t *out,
                                                           PW_UNUSED const int32_t *rec,
                                                           PW_UNUSED const dw3_run_args *a)
{
#define PW_DW3_TAP(addr, t)                                                                                            \
    "ldr r8, " addr "\n\t"                                                                                             \
    "ldrd r10, r11, [r2, #16+8*" #t "]\n\t"                                                                            \
    "sxtb16 r9, r8, ror #8\n\t"                                                                                        \
    "sxtb16 r8, r8\n\t"                                                                                                \
    "smlabb r4, r10, r8, r4\n\t"                                                                                       \
    "smlatt r6, r10, r8, r6\n\t"                                                                                       \
    "smlabb r5, r11, r9, r5\n\t"                                                                                       \
    "smlatt r7, r11, r9, r7\n\t"
#define PW_DW3_RQ(a, i)                                                                                                \
    "ldm r12!, {r8, r9, r10}\n\t"                                                                                      \
    "add r11, r9, " a ", asr #31\n\t"                                                                                  \
    "orr r9, lr, r11, lsl #31\n\t"                                                                                     \
    "asr r11, r11, #1\n\t"                                                                                             \
    "smlal r9, r11, " a ", r8\n\t"                                                                                     \
    "asr r11, r11, r10\n\t"                                                                                            \
    "ssat r11, #8, r11\n\t"                                                                                            \
    "strb r11, [r1, #" #i "]\n\t"
/* The body of dw3_group_run and dw3m_group_run, TAP the tap's load and multiply-accumulates:
 * the arguments' steps and count to the stack (r3 the channel step, lr the row stride), then
 * per pixel the record's four bias sums, nine taps, the four requantized values, the steps. */
#define PW_DW3_GROUP_RUN(TAP)                                                                                          \
    __asm__("push {r4-r11, lr}\n\t"                                                                                  \
            "sub sp, sp, #24\n\t"                                                                                    \
            "ldm r3, {r4-r8}\n\t"                                                                                    \
            "stm sp, {r4-r8}\n\t" /* [sp] channel step, rs, in_step, out_step, n */                                  \
            "mov r3, r4\n\t"                                                                                         \
            "mov lr, r5\n\t"                                                                                         \
            "1:\n\t"                                                                                                 \
            "ldm r2, {r4-r7}\n\t" TAP("[r0]", 0) TAP("[r0, r3]", 1) TAP("[r0, r3, lsl #1]", 2)                      \
            "add r12, r0, lr\n\t" TAP("[r12]", 3) TAP("[r12, r3]", 4) TAP("[r12, r3, lsl #1]", 5)                   \
            "add r12, r12, lr\n\t" TAP("[r12]", 6) TAP("[r12, r3]", 7) TAP("[r12, r3, lsl #1]", 8)                  \
            "add r12, r2, #88\n\t"                                                                                   \
            "mov lr, #0x40000000\n\t" PW_DW3_RQ("r4", 0) PW_DW3_RQ("r5", 1) PW_DW3_RQ("r6", 2) PW_DW3_RQ("r7", 3) \
            "ldrd r8, r9, [sp, #8]\n\t"                                                                              \
            "add r0, r0, r8\n\t"                                                                                     \
            "add r1, r1, r9\n\t"                                                                                     \
            "ldr r8, [sp, #16]\n\t"                                                                                  \
            "subs r8, r8, #1\n\t"                                                                                    \
            "str r8, [sp, #16]\n\t"                                                                                  \
            "ldr lr, [sp, #4]\n\t"                                                                                   \
            "bne 1b\n\t"                                                                                             \
            "add sp, sp, #24\n\t"                                                                                    \
            "pop {r4-r11, pc}\n\t")
    PW_DW3_GROUP_RUN(PW_DW3_TAP);
}

/* dw3_group_run for a depth multiplier of 4k: the group's one input channel, LDRSB and PKHBT
 * (its value in both halves) instead of the word and two SXTB16 (7 instructions a tap); r3 the
 * input channels. */
static __attribute__((naked, noinline)) void dw3m_group_run(PW_UNUSED const int8_t *q, PW_UNUSED int8_t *out,
                                                            PW_UNUSED const int32_t *rec,
                                                            PW_UNUSED const dw3_run_args *a)
{
#define PW_DW3M_TAP(addr, t)                                                                                           \
    "ldrsb r8, " addr "\n\t"                                                                                           \
    "ldrd r10, r11, [r2, #16+8*" #t "]\n\t"                                                                            \
    "pkhbt r8, r8, r8, lsl #16\n\t"                                                                                    \
    "smlabb r4, r10, r8, r4\n\t"                                                                                       \
    "smlatt r6, r10, r8, r6\n\t"                                                                                       \
    "smlabb r5, r11, r8, r5\n\t"                                                                                       \
    "smlatt r7, r11, r8, r7\n\t"
    PW_DW3_GROUP_RUN(PW_DW3M_TAP);
#undef PW_DW3M_TAP
}
#undef PW_DW3_GROUP_RUN
#undef PW_DW3_TAP
#undef PW_DW3_RQ
#else
static void dw3_group_run(const int8_t *q, int8_t *out, const int32_t *rec, const dw3_run_args *a)
{
    for (int32_t n = a->n; n > 0; n--, q += a->in_step, out += a->out_step) {
        int32_t a0 = rec[0], a1 = rec[1], a2 = rec[2], a3 = rec[3];
        const int32_t *f = rec + 4;
        for (int32_t r = 0; r < 3; r++)
            for (int32_t c = 0; c < 3; c++, f += 2) {
                const int8_t *xp = q + r * a->rs + c * a->ic;
                const uint32_t xw = pw_read32(xp), xs = PW_PKHBT((uint32_t)*xp, (uint32_t)*xp << 16);
                const uint32_t xa = a->shared ? xs : PW_SXTB16(xw), xb = a->shared ? xs : PW_SXTB16_ROR8(xw);
                const uint32_t fa = (uint32_t)f[0], fb = (uint32_t)f[1];
                a0 = PW_SMLABB(fa, xa, a0);
                a2 = PW_SMLATT(fa, xa, a2);
                a1 = PW_SMLABB(fb, xb, a1);
                a3 = PW_SMLATT(fb, xb, a3);
            }
        const int32_t acc[4] = {a0, a1, a2, a3};
        for (int32_t i = 0; i < 4; i++) {
            /* (V + sign) * 2^31 + 2^30 + acc * m, the high word shifted right by e - 1 (the
             * folded constant of pw_requant_folds, 64-bit exact) */
            const int32_t m = rec[22 + 3 * i], v = rec[23 + 3 * i], e1 = rec[24 + 3 * i];
            const int64_t t = (int64_t)(v + (acc[i] >> 31)) * 2147483648LL + 0x40000000 + (int64_t)acc[i] * m;
            out[i] = dw1_sat8((int32_t)(t >> 32) >> e1);
        }
    }
}
/* The plain-C form takes both (dw3_run_args.shared). */
#define dw3m_group_run dw3_group_run
#endif

/* True when the run's output bytes (n pixels from out, out_step apart) lie apart from the
 * input bytes its windows read (3 rows of rs from in0, in_step apart, at most 3 * ch bytes a
 * row: 3 * in_c with a depth multiplier, so the check is conservative there). */
static int dw3_run_ok(const int8_t *in0, int32_t in_step, const int8_t *out, int32_t out_step, int32_t n,
                      int32_t ch, int32_t rs)
{
    const uintptr_t i0 = (uintptr_t)in0, i1 = (uintptr_t)(in0 + (n - 1) * in_step);
    const uintptr_t o0 = (uintptr_t)out, o1 = (uintptr_t)(out + (n - 1) * out_step);
    const uintptr_t r_lo = i0 < i1 ? i0 : i1, r_hi = (i0 < i1 ? i1 : i0) + (uintptr_t)(2 * rs + 3 * ch);
    const uintptr_t w_lo = o0 < o1 ? o0 : o1, w_hi = (o0 < o1 ? o1 : o0) + (uintptr_t)ch;
    return w_hi <= r_lo || w_lo >= r_hi;
}

/* The run group by group (dw3_run_ok holds), then the channels left over pixel by pixel.
 * Group g reads input channel 4g / dm (4g with depth multiplier 1). */
static __attribute__((noinline)) void dw3_run(const int8_t *in0, int32_t in_step, int8_t *out, int32_t out_step,
                                              int32_t n, const dw1_ctx *x)
{
    int32_t rec[PW_DW3_REC];
    const int32_t dm = x->dm;
    const dw3_run_args a = {x->in_c, x->rs, in_step, out_step, n, dm != 1};
    for (int32_t g = 0; g < x->groups; g++) {
        dw3_rec_build(rec, g, x);
        if (dm != 1)
            dw3m_group_run(in0 + 4 * g / dm, out + 4 * g, rec, &a);
        else
            dw3_group_run(in0 + 4 * g, out + 4 * g, rec, &a);
    }
    if (x->ch & 3)
        for (; n > 0; n--, in0 += in_step, out += out_step)
            dw1_tail(in0, x->flt, 3, 3, x->c, x->p, out, x->q);
}

/* ---- 3x3 border pixels, depth multiplier 1, folded requantization (DSP cores) ----
 *
 * A pixel whose 3x3 window (no dilation) reaches past the block on one or two sides has 2 or 3
 * rows of 2 or 3 taps inside (the ones TFLM sums); dw1_edge_RxC takes every group of such a
 * pixel in one assembly loop: the accumulators from the model's biases, per tap inside one
 * input word and one filter word, the input offset added to the input pairs (SADD16: values
 * in [-255, 255]), four SMLAxy (12 instructions, as PW_DW1_TAP_OFF), and the folded
 * requantization of pw_requant_folds (10 instructions a value). The rows and columns are
 * unrolled per shape, so the loop keeps its pointers in registers (dw1_pixel_any reloads
 * them per group). Other pixels and the plain-C build take dw1_pixel_any.
 */
typedef struct {
    const uint8_t *bias; /* group 0's four biases (any alignment), or four zeros */
    int32_t bias_step;   /* bytes from one group's biases to the next: 16, or 0 */
    const pw_requant *rq; /* group 0's four entries */
    int32_t rq_step;      /* bytes from one group's entries to the next */
    int8_t *out, *out_end; /* the pixel's output, one past its last group's */
    int32_t cc;            /* 1 + 2 * output offset */
    uint32_t off2;         /* the input offset in both halves */
    int32_t ch, rs;        /* channels (the filter's tap stride), input row stride */
} dw1_edge_args;

#if PW_HAVE_DSP
/* r0 the first inside tap's input (group g), r1 its filter tap, r2 ch, r3 off2, r4-r7 the
 * accumulators, r8-r11 temporaries, r12 the row stride, lr 3 * ch (a filter row); while
 * requantizing r3 the entries, r12 the output, lr cc. The arguments on the stack. */
#define PW_DWE_TAP(xa, fa)                                                                                             \
    "ldr r8, " xa "\n\t"                                                                                               \
    "ldr r10, " fa "\n\t"                                                                                              \
    "sxtb16 r9, r8, ror #8\n\t"                                                                                        \
    "sxtb16 r8, r8\n\t"                                                                                                \
    "sadd16 r9, r9, r3\n\t"                                                                                            \
    "sadd16 r8, r8, r3\n\t"                                                                                            \
    "sxtb16 r11, r10, ror #8\n\t"                                                                                      \
    "sxtb16 r10, r10\n\t"                                                                                              \
    "smlabb r4, r10, r8, r4\n\t"                                                                                       \
    "smlatt r6, r10, r8, r6\n\t"                                                                                       \
    "smlabb r5, r11, r9, r5\n\t"                                                                                       \
    "smlatt r7, r11, r9, r7\n\t"
#define PW_DWE_ROW2 PW_DWE_TAP("[r0]", "[r1]") PW_DWE_TAP("[r0, r2]", "[r1, r2]")
#define PW_DWE_ROW3 PW_DWE_ROW2 PW_DWE_TAP("[r0, r2, lsl #1]", "[r1, r2, lsl #1]")
#define PW_DWE_NEXT "add r0, r0, r12\n\tadd r1, r1, lr\n\t"
#define PW_DWE_RQ(a, i)                                                                                                \
    "ldrd r8, r9, [r3, #8*" #i "]\n\t"                                                                                 \
    "lsl r10, lr, r9\n\t"                                                                                              \
    "add r10, r10, " a ", asr #31\n\t"                                                                                 \
    "lsl r11, r10, #31\n\t"                                                                                            \
    "orr r11, r11, #0x40000000\n\t"                                                                                    \
    "asr r10, r10, #1\n\t"                                                                                             \
    "smlal r11, r10, " a ", r8\n\t"                                                                                    \
    "asr r10, r10, r9\n\t"                                                                                             \
    "ssat r10, #8, r10\n\t"                                                                                            \
    "strb r10, [r12, #" #i "]\n\t"
/* ROWS: the taps, moving r0/r1 down the rows; BACK: back to the first row. */
#define PW_DWE_FN(name, ROWS, BACK)                                                                                    \
    static __attribute__((naked, noinline)) void name(PW_UNUSED const int8_t *in0, PW_UNUSED const int8_t *flt,     \
                                                      PW_UNUSED int32_t unused, PW_UNUSED const dw1_edge_args *a)    \
    {                                                                                                                  \
        __asm__("push {r4-r11, lr}\n\t"                                                                                \
                "sub sp, sp, #40\n\t"                                                                                  \
                "ldm r3, {r4-r12, lr}\n\t"                                                                             \
                "stm sp, {r4-r12, lr}\n\t" /* [sp] the dw1_edge_args */                                                \
                "ldr r2, [sp, #32]\n\t"                                                                                \
                "ldr r3, [sp, #28]\n\t"                                                                                \
                "ldr r12, [sp, #36]\n\t"                                                                               \
                "add lr, r2, r2, lsl #1\n\t"                                                                           \
                "1:\n\t"                                                                                               \
                "ldr r8, [sp, #0]\n\t"                                                                                 \
                "ldr r4, [r8]\n\t"                                                                                     \
                "ldr r5, [r8, #4]\n\t"                                                                                 \
                "ldr r6, [r8, #8]\n\t"                                                                                 \
                "ldr r7, [r8, #12]\n\t"                                                                                \
                "ldr r9, [sp, #4]\n\t"                                                                                 \
                "add r8, r8, r9\n\t"                                                                                   \
                "str r8, [sp, #0]\n\t" ROWS BACK                                                                       \
                "add r0, r0, #4\n\t"                                                                                   \
                "add r1, r1, #4\n\t"                                                                                   \
                "ldr r3, [sp, #8]\n\t"                                                                                 \
                "ldr r12, [sp, #16]\n\t"                                                                               \
                "ldr lr, [sp, #24]\n\t" PW_DWE_RQ("r4", 0) PW_DWE_RQ("r5", 1) PW_DWE_RQ("r6", 2) PW_DWE_RQ("r7", 3)    \
                "ldr r8, [sp, #12]\n\t"                                                                                \
                "add r3, r3, r8\n\t"                                                                                   \
                "str r3, [sp, #8]\n\t"                                                                                 \
                "add r12, r12, #4\n\t"                                                                                 \
                "str r12, [sp, #16]\n\t"                                                                               \
                "ldr r8, [sp, #20]\n\t"                                                                                \
                "cmp r12, r8\n\t"                                                                                      \
                "ldr r3, [sp, #28]\n\t"                                                                                \
                "ldr r12, [sp, #36]\n\t"                                                                               \
                "add lr, r2, r2, lsl #1\n\t"                                                                           \
                "bne 1b\n\t"                                                                                           \
                "add sp, sp, #40\n\t"                                                                                  \
                "pop {r4-r11, pc}\n\t");                                                                               \
    }
PW_DWE_FN(dw1_edge_2x2, PW_DWE_ROW2 PW_DWE_NEXT PW_DWE_ROW2, "sub r0, r0, r12\n\tsub r1, r1, lr\n\t")
PW_DWE_FN(dw1_edge_2x3, PW_DWE_ROW3 PW_DWE_NEXT PW_DWE_ROW3, "sub r0, r0, r12\n\tsub r1, r1, lr\n\t")
PW_DWE_FN(dw1_edge_3x2, PW_DWE_ROW2 PW_DWE_NEXT PW_DWE_ROW2 PW_DWE_NEXT PW_DWE_ROW2,
          "sub r0, r0, r12, lsl #1\n\tsub r1, r1, lr, lsl #1\n\t")
#undef PW_DWE_TAP
#undef PW_DWE_ROW2
#undef PW_DWE_ROW3
#undef PW_DWE_NEXT
#undef PW_DWE_RQ
#undef PW_DWE_FN

static const int32_t dw1_zero_bias[4] = {0, 0, 0, 0};

/* Takes a 3x3 border pixel (ny x nx taps inside from in0, no dilation) when one of the shapes
 * above fits; returns 0 otherwise (the caller takes dw1_pixel_any). */
static int dw1_edge(const int8_t *in0, const int8_t *flt, int32_t ny, int32_t nx, int8_t *out, dw1_edge_args *e)
{
    e->out = out;
    e->out_end = out + 4 * (e->ch / 4);
    if (ny == 2 && nx == 3)
        dw1_edge_2x3(in0, flt, 0, e);
    else if (ny == 3 && nx == 2)
        dw1_edge_3x2(in0, flt, 0, e);
    else if (ny == 2 && nx == 2)
        dw1_edge_2x2(in0, flt, 0, e);
    else
        return 0;
    return 1;
}
#endif

static int32_t dw_run(const pw_window_call *call, const pw_conv_params *params)
{
    /* Local copies: the int8 output stores cannot alias them. */
    const pw_window_call c = *call;
    const pw_conv_params p = *params;
    const int32_t ch = c.out.c, in_c = c.in.c, dm = ch / in_c;
    const int32_t step = p.requant_step, offset = p.input_offset;
    const int32_t kh = c.kernel_h, kw = c.kernel_w, rs = c.in.row_stride, frow = kw * ch;
    const int32_t tap_x = c.dilation_w * in_c, tap_y = c.dilation_h * rs;
    const int k3 = kh == 3 && kw == 3 && c.dilation_h == 1 && c.dilation_w == 1;
    const pw_outq oq = {p.output_offset, p.act_min, p.act_max, pw_all_fast(p.requant, step ? ch : 1, step)};
    dw1_ctx x;
    x.ch = ch;
    x.groups = ch / 4;
    x.in_c = in_c;
    x.dm = dm;
    x.inline_rq = oq.all_fast && p.act_min == -128 && p.act_max == 127;
    if (x.inline_rq && pw_requant_folds(p.requant, step ? ch : 1, step))
        x.inline_rq = 2;
    x.out_offset = p.output_offset;
    x.fold_off = 1 + 2 * p.output_offset;
    x.off2 = ((uint32_t)offset & 0xffffu) | ((uint32_t)offset << 16);
    x.bias = p.bias;
    x.rq = p.requant;
    x.step = step;
    x.rq_group = 4 * step;
    pw_requant rq4[4]; /* one entry for all channels, replicated for the inline path */
    if (x.inline_rq && step == 0) {
        rq4[0] = rq4[1] = rq4[2] = rq4[3] = p.requant[0];
        x.rq = rq4;
    }
    x.q = &oq;
    x.flt = p.filter;
    x.rs = rs;
    x.c = &c;
    x.p = &p;
    /* 3x3 windows inside the block: the input offset folded into the bias, fold[k] = bias[k] +
     * offset · (the sum of channel k's nine filter taps), in the scratch (4 bytes per channel). */
    int32_t *fold = (int32_t *)p.scratch;
    x.fold = fold;
    if (k3) {
        if (!fold)
            return -1;
        if (!p.scratch_ready) {
            for (int32_t k = 0; k < ch; k++) {
                int32_t sum = 0;
                for (int32_t t = 0; t < 9; t++)
                    sum += p.filter[t * ch + k];
                fold[k] = pw_bias(p.bias, k) + offset * sum;
            }
        }
    }
#if PW_HAVE_DSP
    /* 3x3 border pixels through dw1_edge_*: depth multiplier 1, folded requantization. */
    const int edge = k3 && dm == 1 && x.inline_rq == 2 && x.groups > 0;
    dw1_edge_args ea;
    ea.bias = p.bias ? p.bias : (const uint8_t *)dw1_zero_bias;
    ea.bias_step = p.bias ? 16 : 0;
    ea.rq = x.rq;
    ea.rq_step = x.rq_group * (int32_t)sizeof(pw_requant);
    ea.cc = x.fold_off;
    ea.off2 = x.off2;
    ea.ch = ch;
    ea.rs = rs;
#endif
    /* Output pixels in walk order, row by row: the rows whose 3x3 windows lie inside the block
     * vertically take the unrolled path for the columns inside horizontally. */
    const int back = c.walk != 0;
    for (int32_t bi = 0; bi < c.out.n; bi++) {
        const int32_t b = back ? c.out.n - 1 - bi : bi;
        const int8_t *in_b = c.input + b * c.in.batch_stride;
        for (int32_t yi = 0; yi < c.out.h; yi++) {
            const int32_t y = back ? c.out.h - 1 - yi : yi;
            const int32_t iy0 = y * c.stride_h - c.pad_top;
            const int row3 = k3 && iy0 >= 0 && iy0 + 3 <= c.in.h;
            const int8_t *in_row = row3 ? in_b + iy0 * rs : in_b;
            int8_t *out_row = c.output + b * c.out.batch_stride + y * c.out.row_stride;
            /* The columns whose windows lie inside horizontally: x_lo..=x_hi. */
            int32_t x_lo = c.out.w, x_hi = -1;
            if (row3 && c.in.w >= 3) {
                x_lo = (c.pad_left + c.stride_w - 1) / c.stride_w;
                x_hi = (c.in.w - 3 + c.pad_left) / c.stride_w;
                if (x_hi > c.out.w - 1)
                    x_hi = c.out.w - 1;
            }
            for (int32_t xi = 0; xi < c.out.w; xi++) {
                const int32_t xx = back ? c.out.w - 1 - xi : xi;
                const int32_t ix0 = xx * c.stride_w - c.pad_left;
                int8_t *out = out_row + xx * ch;
                if (xx >= x_lo && xx <= x_hi) {
                    /* The run of inside columns, in walk order, in one call. */
                    const int32_t n = x_hi - x_lo + 1;
                    const int32_t in_step = (back ? -c.stride_w : c.stride_w) * in_c, out_step = back ? -ch : ch;
                    const int8_t *in0 = in_row + ix0 * in_c;
                    if (n >= PW_DW3_MIN_RUN && x.inline_rq == 2 && x.groups > 0 &&
                        dw3_run_ok(in0, in_step, out, out_step, n, ch, rs))
                        dw3_run(in0, in_step, out, out_step, n, &x);
                    else if (dm != 1)
                        dwm_run_3x3(in0, in_step, out, out_step, n, &x);
                    else
                        dw1_run_3x3(in0, in_step, out, out_step, n, &x);
                    xi += n - 1;
                    continue;
                }
                int32_t fy0, fy1, fx0, fx1;
                tap_range(iy0, kh, c.dilation_h, c.in.h, &fy0, &fy1);
                tap_range(ix0, kw, c.dilation_w, c.in.w, &fx0, &fx1);
                /* The first tap inside the block (not dereferenced when there is none). */
                const int8_t *in0 = in_b, *flt = p.filter;
                if (fy1 > fy0 && fx1 > fx0) {
                    in0 += (iy0 + fy0 * c.dilation_h) * rs + (ix0 + fx0 * c.dilation_w) * in_c;
                    flt += fy0 * frow + fx0 * ch;
                }
                if (dm != 1)
                    dwm_pixel_any(in0, flt, fy1 - fy0, fx1 - fx0, tap_x, tap_y, frow, out, &x);
#if PW_HAVE_DSP
                else if (edge && dw1_edge(in0, flt, fy1 - fy0, fx1 - fx0, out, &ea)) {
                }
#endif
                else if (x.groups > 0)
                    dw1_pixel_any(in0, flt, fy1 - fy0, fx1 - fx0, tap_x, tap_y, frow, out, &x);
                if (ch & 3)
                    dw1_tail(in0, flt, fy1 - fy0, fx1 - fx0, &c, &p, out, &oq);
            }
        }
    }
    return 0;
}

int32_t pw_arm_depthwise_s8(const pw_window_call *call, const pw_conv_params *params)
{
    const int32_t ch = call->out.c, in_c = call->in.c;
    const int32_t total = call->out.n * call->out.h * call->out.w;
    const int32_t dm = in_c > 0 ? ch / in_c : 0;
    if (ch <= 0 || dm <= 0 || in_c * dm != ch || (dm != 1 && dm % 4 != 0) || call->in.n != call->out.n)
        return total == 0 ? 0 : -1;
    return dw_run(call, params);
}
