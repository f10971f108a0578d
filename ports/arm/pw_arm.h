/*
 * patchwise Arm Cortex-M DSP port: shared declarations.
 *
 * The kernels take the one call shape of the spatial kernels (pw_window_call, the C form of
 * the Rust `RawWindowCall`) and the per-operator constants (pw_conv_params). The Rust
 * wrappers (src/variants/arm.rs) check every length before calling: a kernel reads only the
 * input block, the filter, bias and requantization entries of the output channels, and its
 * scratch, and writes only the output block.
 *
 * Arithmetic is TFLM's, bit for bit: 32-bit wrapping accumulation of filter * (input +
 * input_offset) over the taps inside the input block, plus the bias, double-rounding
 * requantization (saturating rounding doubling high multiply, then rounding divide by a power
 * of two), plus the output offset, clamp (lower bound first), narrow to int8.
 *
 * With __ARM_FEATURE_DSP (Armv7E-M, Armv8-M Mainline with DSP) the SIMD instructions come from
 * <arm_acle.h>; everywhere else (the host, Armv6-M) the same algorithm runs on plain-C
 * definitions of those instructions, so the host conformance tests exercise the code paths
 * the firmware runs. Built with -fwrapv (accumulators wrap as TFLM's do).
 */
#ifndef PW_ARM_H
#define PW_ARM_H

#include <stdint.h>
#include <string.h>

typedef struct {
    int32_t n, h, w, c, row_stride, batch_stride; /* elements */
} pw_block;

typedef struct {
    const int8_t *input; /* first element of the input block; may overlap the output */
    int8_t *output;      /* first element of the output block */
    pw_block in, out;
    int32_t pad_top, pad_bottom, pad_left, pad_right;
    int32_t kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w;
    int32_t walk; /* 0: ascending output pixels, 1: descending */
} pw_window_call;

typedef struct {
    const int8_t *filter;   /* conv: [out_c][kh][kw][in_c]; depthwise: [kh][kw][out_c] */
    const uint8_t *bias;    /* out_c little-endian int32 at any alignment, or NULL */
    const struct pw_requant_s *requant; /* one per output channel, or one for all */
    int32_t requant_step;               /* entries from one channel to the next: 1, or 0 */
    int32_t input_offset;   /* -input zero point, in [-127, 128] */
    int32_t output_offset, act_min, act_max;
    void *scratch; /* 4-byte aligned; conv: two columns of kh*kw*in_c int16s; depthwise 3x3, no
                      dilation: out_c int32s (biases with the input offset folded in) */
    int32_t scratch_ready; /* depthwise: nonzero when an earlier call with the same operator and
                              scratch (a row of the same fused segment) left the folded biases */
} pw_conv_params;

/* CONV_2D with one group: output block from input block. Returns 0, or -1 on a bad call. */
int32_t pw_arm_conv_s8(const pw_window_call *call, const pw_conv_params *p);
/* DEPTHWISE_CONV_2D, depth multiplier (out.c / in.c) 1 or a multiple of 4. Returns 0, or -1 on a
 * bad call. */
int32_t pw_arm_depthwise_s8(const pw_window_call *call, const pw_conv_params *p);

/* ---- the DSP instructions the kernels use ---- */

/* PW_ARM_PLAIN_C forces the plain-C definitions on a DSP core too: the firmware conformance
 * test (examples-c/cortex-m/conformance.c) builds the kernels both ways and compares them. */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && !defined(PW_ARM_PLAIN_C)
#define PW_HAVE_DSP 1
#else
#define PW_HAVE_DSP 0
#endif

#if PW_HAVE_DSP
#include <arm_acle.h>
#define PW_SXTB16(x) __sxtb16(x)
#define PW_SMLAD(x, y, acc) __smlad((x), (y), (acc))
#define PW_SMLABB(x, y, acc) __smlabb((x), (y), (acc))
#define PW_SMLATT(x, y, acc) __smlatt((x), (y), (acc))
#define PW_SADD16(x, y) __sadd16((x), (y))
/* Bottom half of x, top half of y (y already shifted): GCC makes it one PKHBT. */
static inline uint32_t PW_PKHBT(uint32_t x, uint32_t y) { return (x & 0xffffu) | (y & 0xffff0000u); }
/* SXTB16 of the word rotated right by 8 (bytes 1 and 3), one instruction. */
static inline uint32_t PW_SXTB16_ROR8(uint32_t x)
{
    uint32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
    return r;
}
#else
static inline uint32_t pw_pack16(int32_t lo, int32_t hi)
{
    return ((uint32_t)lo & 0xffffu) | ((uint32_t)hi << 16);
}
static inline int32_t pw_lo16(uint32_t x) { return (int16_t)(x & 0xffffu); }
static inline int32_t pw_hi16(uint32_t x) { return (int16_t)(x >> 16); }
static inline uint32_t PW_SXTB16(uint32_t x) { return pw_pack16((int8_t)(x & 0xffu), (int8_t)((x >> 16) & 0xffu)); }
static inline uint32_t PW_SXTB16_ROR8(uint32_t x) { return PW_SXTB16((x >> 8) | (x << 24)); }
static inline int32_t PW_SMLAD(uint32_t x, uint32_t y, int32_t acc)
{
    return acc + pw_lo16(x) * pw_lo16(y) + pw_hi16(x) * pw_hi16(y);
}
static inline int32_t PW_SMLABB(uint32_t x, uint32_t y, int32_t acc) { return acc + pw_lo16(x) * pw_lo16(y); }
static inline int32_t PW_SMLATT(uint32_t x, uint32_t y, int32_t acc) { return acc + pw_hi16(x) * pw_hi16(y); }
static inline uint32_t PW_PKHBT(uint32_t x, uint32_t y) { return (x & 0xffffu) | (y & 0xffff0000u); }
static inline uint32_t PW_SADD16(uint32_t x, uint32_t y)
{
    return pw_pack16(pw_lo16(x) + pw_lo16(y), pw_hi16(x) + pw_hi16(y));
}
#endif

/* 32-bit loads and stores at any alignment (LDR/STR on Armv7E-M). */
#define PW_INLINE static inline __attribute__((always_inline))
PW_INLINE uint32_t pw_read32(const void *p)
{
    uint32_t v;
    __builtin_memcpy(&v, p, 4);
    return v;
}
PW_INLINE void pw_write32(void *p, uint32_t v) { __builtin_memcpy(p, &v, 4); }

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the Arm port reads the model's little-endian biases directly: little-endian targets only"
#endif

/* Bias of channel ch: little-endian int32 at any alignment (0 without a bias). */
PW_INLINE int32_t pw_bias(const uint8_t *bias, int32_t ch) { return bias ? (int32_t)pw_read32(bias + 4 * ch) : 0; }

/*
 * One output channel's requantization, derived from TFLM's (multiplier, shift) once per
 * channel (by the Rust wrapper: ArmRequant) and applied per value (pw_requantize).
 *
 * TFLM: x = acc << max(shift, 0); h = SaturatingRoundingDoublingHighMul(x, multiplier);
 * result = RoundingDivideByPOT(h, e) with e = max(-shift, 0).
 *
 * SaturatingRoundingDoublingHighMul(x, m) = trunc((x*m + nudge) / 2^31) with nudge 2^30 for
 * x*m >= 0 and 1 - 2^30 otherwise. For x*m < 0, trunc((xm + 1 - 2^30) / 2^31) =
 * floor((xm + 1 - 2^30 + 2^31 - 1) / 2^31) = floor((xm + 2^30) / 2^31), the formula for
 * x*m >= 0 as well: h = floor(X / 2^31) with X = xm + 2^30 (the one saturating case, both
 * operands INT32_MIN, apart).
 *
 * RoundingDivideByPOT(h, e), e >= 1, adds 1 to floor(h / 2^e) when the remainder
 * r = h mod 2^e exceeds 2^(e-1) - 1 + (h < 0): for h >= 0 when r >= 2^(e-1), for h < 0 when
 * r >= 2^(e-1) + 1. That is floor((h + 2^(e-1) - neg) / 2^e) with neg = (h < 0) = (X < 0).
 * Nested floors of integer divisions compose (floor((floor(X/a) + c)/b) = floor((X + c·a)/(a·b))
 * for integer c), so
 *
 *     result = floor((x*m + 2^30 + 2^(e+30) - neg·2^31) / 2^(31+e)),
 *
 * one 64-bit multiply-accumulate of x*m onto the channel's constant 2^(e+30) + 2^30 - neg·2^31
 * (pw_requant_fast_value), and the high word shifted right by e - 1. That fast path needs
 * e >= 1, no left shift and a multiplier m >= 0 (quantize_multiplier gives multipliers in
 * [2^30, 2^31) for the positive scales of a model, and shifts <= -1 for real multipliers
 * below 1/2, as in practice); other
 * channels take TFLM's operations one by one (requantize.c). Both are compared with
 * src/quant.rs on millions of values by the tests.
 */
typedef struct pw_requant_s {
    int32_t mult;
    int32_t e1; /* e - 1 = -shift - 1; the fast path when in 0..30 and mult >= 0 */
} pw_requant; /* = ArmRequant in src/variants/arm.rs (8 bytes, as the portable table's entries) */

int32_t pw_requantize_slow(int32_t acc, int32_t mult, int32_t e1) __attribute__((noinline, cold));
int32_t pw_arm_requantize_s8(int32_t acc, const pw_requant *r);

/* True when channel r takes the fast path. */
PW_INLINE int pw_requant_fast(pw_requant r) { return (uint32_t)r.e1 < 31u && r.mult >= 0; }

/* True when all n channels (entries `step` apart) take the fast path: the kernels then skip
 * the per-value check. */
PW_INLINE int pw_all_fast(const pw_requant *t, int32_t n, int32_t step)
{
    for (int32_t i = 0; i < n; i++)
        if (!pw_requant_fast(t[i * step]))
            return 0;
    return 1;
}

/*
 * The fast path's result (before the output offset) for a multiplier m >= 0 and e - 1 = e1 in
 * 0..30: one multiply-accumulate of acc*m onto the 64-bit constant C = 2^(e+30) + 2^30 -
 * neg·2^31, and the high word shifted right by e - 1. With m >= 0, neg (X = acc*m + 2^30 < 0)
 * may be taken as acc < 0: the two differ only for acc*m in [-2^30, 0), where the sum lies in
 * [0, 2^(31+e)) either way (result 0, e >= 1). With s = acc >> 31 (0 or -1) and u = 2^e1 + s
 * (>= 0), C = u·2^31 + 2^30: high word u >> 1, low word 2^30 | (u & 1)·2^31. No branch.
 */
PW_INLINE int32_t pw_requant_fast_value(int32_t acc, pw_requant r)
{
    const uint32_t u = (1u << r.e1) + (uint32_t)(acc >> 31);
    const uint32_t hi = u >> 1, lo = 0x40000000u | (u << 31);
    const int64_t s = (int64_t)(((uint64_t)hi << 32) | lo) + (int64_t)acc * r.mult;
    return (int32_t)((uint64_t)s >> 32) >> r.e1;
}

/*
 * The output offset folded into the fast path's rounding constant: floor(X / 2^(31+e)) + off =
 * floor((X + off * 2^(31+e)) / 2^(31+e)), so the 64-bit constant C = u * 2^31 + 2^30
 * (pw_requant_fast_value) takes u = (1 + 2 * off) * 2^(e-1) + (acc >> 31) (high word u >> 1,
 * now arithmetic: u may be negative), and the high word shifted right by e - 1 is the result
 * with the offset added. Exact while the sum stays within 64 bits and u within 32: |1 + 2 *
 * off| <= 255, so |u| < 2^30 and |off| * 2^(31+e) <= 2^61 for e - 1 <= 22; true for all n
 * channels (entries step apart) when this returns 1.
 */
PW_INLINE int pw_requant_folds(const pw_requant *t, int32_t n, int32_t step)
{
    for (int32_t i = 0; i < n; i++)
        if (t[i * step].e1 > 22)
            return 0;
    return 1;
}

PW_INLINE int8_t pw_requantize(int32_t acc, pw_requant r, int all_fast, int32_t out_offset, int32_t act_min,
                               int32_t act_max)
{
    int32_t h;
    if (all_fast || pw_requant_fast(r))
        h = pw_requant_fast_value(acc, r);
    else
        h = pw_requantize_slow(acc, r.mult, r.e1);
    int32_t v = h + out_offset;
    v = v < act_min ? act_min : v;
    v = v > act_max ? act_max : v;
    return (int8_t)v;
}

/* A kernel call's output quantization, for pw_requant_store. */
typedef struct {
    int32_t out_offset, act_min, act_max;
    int32_t all_fast; /* every channel takes the fast path */
} pw_outq;

/* Requantizes n accumulators of consecutive output channels (requantization entries `step`
 * apart) and stores them to out[0..n). Out of line, so that the kernels' loops keep their
 * registers; n is 1 to 4 in practice. */
void pw_requant_store(const int32_t *acc, int32_t n, const pw_requant *rq, int32_t step, int8_t *out,
                      const pw_outq *q) __attribute__((noinline));

/* Output pixels in the call's walk order: ascending (b, y, x), or descending. */
typedef struct {
    int32_t b, y, x, h, w, back;
} pw_walker;

PW_INLINE pw_walker pw_walk_start(const pw_window_call *c)
{
    pw_walker p;
    p.h = c->out.h;
    p.w = c->out.w;
    p.back = c->walk != 0;
    p.b = p.back ? c->out.n - 1 : 0;
    p.y = p.back ? p.h - 1 : 0;
    p.x = p.back ? p.w - 1 : 0;
    return p;
}

PW_INLINE void pw_walk_next(pw_walker *p)
{
    if (!p->back) {
        if (++p->x == p->w) {
            p->x = 0;
            if (++p->y == p->h) {
                p->y = 0;
                p->b++;
            }
        }
    } else if (p->x-- == 0) {
        p->x = p->w - 1;
        if (p->y-- == 0) {
            p->y = p->h - 1;
            p->b--;
        }
    }
}

#endif
