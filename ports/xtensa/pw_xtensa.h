/*
 * pw_xtensa.h: the Xtensa port's call and parameter structs and its requantization.
 *
 * The kernels are plain C written for what the LX106 (ESP8266) has: 32-bit loads of 8- and
 * 16-bit values (l8ui, l16si), MUL32 (mull) and MUL16, no sign-extension instruction, no
 * MAC16 accumulator, no 32x32->64 multiply. They build with any C compiler (the host runs them
 * in the conformance tests); xtensa-lx106-elf-gcc turns the inner loops into l16si/mull/add.
 */
#ifndef PW_XTENSA_H
#define PW_XTENSA_H

#include <stdint.h>

typedef struct {
    int32_t n, h, w, c, row_stride, batch_stride; /* elements */
} pw_xt_block;

/* = RawWindowCall (src/kernels/call.rs). */
typedef struct {
    const int8_t *input; /* first element of the input block; may overlap the output */
    int8_t *output;      /* first element of the output block */
    pw_xt_block in, out;
    int32_t pad_top, pad_bottom, pad_left, pad_right;
    int32_t kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w;
    int32_t walk; /* 0: ascending output pixels, 1: descending */
} pw_xt_window_call;

/* TFLM's per-channel multiplier and shift (src/quant.rs Requant). */
typedef struct {
    int32_t multiplier, shift;
} pw_xt_requant;

/* = XtConvArgs (src/variants/xtensa.rs). */
typedef struct {
    const int8_t *filter;          /* conv 1x1: [out_c][in_c]; depthwise: [kh][kw][out_c] */
    const uint8_t *bias;           /* out_c little-endian int32 at any alignment, or NULL */
    const pw_xt_requant *requant;  /* one per output channel, or one for all */
    int32_t requant_step;          /* entries from one channel to the next: 1, or 0 */
    int32_t input_offset;          /* -input zero point, in [-127, 128] */
    int32_t output_offset, act_min, act_max;
    int16_t *columns;              /* scratch: conv 1x1 PW_XT_PIXELS * in_c int16, depthwise
                                      out_c int32 (4-byte aligned) */
} pw_xt_conv_params;

/* Taps of the largest depthwise window handled (5x5). */
#define PW_XT_MAX_TAPS 25

/* Pixels per GEMM block of the 1x1 convolution. */
#define PW_XT_PIXELS 4

static inline int32_t pw_xt_load_le32(const uint8_t *p)
{
    return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

/*
 * a * b in 64 bits from four 32-bit multiplies of 16-bit halves (a = ah * 2^16 + al with al
 * unsigned, b likewise): the LX106 has no 32x32->64 multiply, and GCC would call __muldi3 for
 * (int64_t)a * b. Each partial product fits 32 bits (al * bl as unsigned, the others signed:
 * |ah * bl| <= 2^15 * (2^16 - 1) < 2^31); the sum is exact in 64 bits.
 */
static inline int64_t pw_xt_mul64(int32_t a, int32_t b)
{
    const int32_t ah = a >> 16, bh = b >> 16;
    const uint32_t al = (uint32_t)a & 0xFFFFu, bl = (uint32_t)b & 0xFFFFu;
    const uint32_t lo = al * bl;
    const int32_t mid = ah * (int32_t)bl;
    const int32_t mid2 = (int32_t)al * bh;
    const int32_t hi = ah * bh;
    return (int64_t)((uint64_t)(int64_t)hi << 32) + (int64_t)mid * 65536 + (int64_t)mid2 * 65536 + (int64_t)lo;
}

/* gemmlowp SaturatingRoundingDoublingHighMul, as src/quant.rs. */
static inline int32_t pw_xt_srdhm(int32_t a, int32_t b)
{
    if (a == INT32_MIN && b == INT32_MIN) {
        return INT32_MAX;
    }
    const int64_t ab = pw_xt_mul64(a, b);
    const int64_t nudge = ab >= 0 ? (int64_t)1 << 30 : 1 - ((int64_t)1 << 30);
    return (int32_t)((ab + nudge) / ((int64_t)1 << 31)); /* truncates toward zero, as Rust */
}

/* gemmlowp RoundingDivideByPOT, exponent in 0..31. */
static inline int32_t pw_xt_rdbpot(int32_t x, int32_t exponent)
{
    const uint32_t e = (uint32_t)exponent & 31u;
    const int32_t mask = (int32_t)(((int64_t)1 << e) - 1);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0);
    return (x >> e) + (remainder > threshold);
}

/* TFLM MultiplyByQuantizedMultiplier (double rounding), then the output offset and clamp. */
static inline int8_t pw_xt_requantize(int32_t acc, const pw_xt_requant *r, int32_t out_off, int32_t lo, int32_t hi)
{
    const uint32_t left = r->shift > 0 ? (uint32_t)r->shift & 31u : 0u; /* Rust's wrapping_shl */
    const int32_t right = r->shift > 0 ? 0 : (int32_t)(0u - (uint32_t)r->shift);
    int32_t v = pw_xt_rdbpot(pw_xt_srdhm((int32_t)((uint32_t)acc << left), r->multiplier), right) + out_off;
    v = v < lo ? lo : v;
    v = v > hi ? hi : v;
    return (int8_t)v;
}

int32_t pw_xt_conv1x1_s8(const pw_xt_window_call *call, const pw_xt_conv_params *p);
int32_t pw_xt_depthwise_s8(const pw_xt_window_call *call, const pw_xt_conv_params *p);
int32_t pw_xt_requantize_s8(int32_t acc, const pw_xt_requant *r);

#endif /* PW_XTENSA_H */
