/*
 * Firmware conformance test of the Arm DSP port: the kernels as the core runs them (SIMD
 * instructions, the inline-assembly GEMM core) against the same kernels built with their
 * plain-C definitions of those instructions (PW_ARM_PLAIN_C, symbols renamed ref_*), which the
 * host conformance harness ties to the portable Rust kernels and those to TFLM.
 *
 * Thousands of random calls: odd sizes and channel counts (not multiples of 4), kernels 1..5,
 * strides 1 and 2, dilation, asymmetric padding, blocks inside larger rows (row strides), two
 * batches, both walk orders, per-tensor and per-channel requantization (fast and slow paths),
 * biases absent or misaligned, every activation range, depth multipliers 1, 4 and 8. Each call's
 * whole output buffer (with the bytes around the block) must match byte for byte.
 *
 * Exit code (semihosting): 0 all equal, 1 a mismatch, 2 a kernel refused a valid call.
 */
#include <stdint.h>
#include <string.h>

#include "../../ports/arm/pw_arm.h"
#include "semihost.h"

int32_t ref_arm_conv_s8(const pw_window_call *call, const pw_conv_params *p);
int32_t ref_arm_depthwise_s8(const pw_window_call *call, const pw_conv_params *p);

#ifndef CASES
#define CASES 3000
#endif

enum { MAX_HW = 12, MAX_C = 20, MAX_K = 5, MAX_OC = 80, MAX_OHW = 20, PAD_ROW = 8 };
enum { IN_BYTES = 2 * MAX_HW * (MAX_HW * MAX_C + PAD_ROW) };
enum { OUT_BYTES = 2 * MAX_OHW * (MAX_OHW * MAX_OC + PAD_ROW) };

static int8_t g_in[IN_BYTES];
static int8_t g_out_a[OUT_BYTES];
static int8_t g_out_b[OUT_BYTES];
static int8_t g_filter[MAX_OC * MAX_K * MAX_K * MAX_C];
static uint8_t g_bias[4 * MAX_OC + 4];
static pw_requant g_rq[MAX_OC];
static uint32_t g_scratch_a[MAX_K * MAX_K * MAX_C + MAX_OC];
static uint32_t g_scratch_b[MAX_K * MAX_K * MAX_C + MAX_OC];

static uint32_t g_state = 0x2545f491u;

static uint32_t next(void)
{
    g_state ^= g_state << 13;
    g_state ^= g_state >> 17;
    g_state ^= g_state << 5;
    return g_state;
}

/* Uniform in lo..=hi. */
static int32_t range(int32_t lo, int32_t hi)
{
    return lo + (int32_t)(next() % (uint32_t)(hi - lo + 1));
}

static void fill(int8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (int8_t)next();
}

/* One output channel's requantization: mostly the fast path (e1 in 0..30, multiplier >= 0),
 * sometimes the slow one (left shifts, e1 31, negative multipliers, INT32_MIN); only the fast
 * path with `fast_only` (calls whose every channel takes it run the kernels' inline
 * requantization, the pointwise layers' assembly loop among them). */
static pw_requant random_requant(int fast_only)
{
    pw_requant r;
    r.mult = (int32_t)((next() >> 1) | 0x40000000u);
    r.e1 = range(1, 12);
    int pick = range(0, 15);
    if (fast_only && pick < 5)
        pick = 3;
    switch (pick) {
    case 0:
        r.e1 = range(-4, 0);
        break;
    case 1:
        r.e1 = 31;
        break;
    case 2:
        r.mult = INT32_MIN;
        break;
    case 3:
        r.e1 = range(13, 30);
        break;
    case 4:
        r.mult = range(0, 1) ? 0 : -(int32_t)(next() >> 1);
        break;
    default:
        break;
    }
    return r;
}

/* The output size of one axis, or 0 when the window does not fit. */
static int32_t out_size(int32_t in, int32_t k, int32_t s, int32_t d, int32_t pb, int32_t pa)
{
    int32_t eff = (k - 1) * d + 1;
    int32_t span = in + pb + pa - eff;
    return span < 0 ? 0 : span / s + 1;
}

/* A random valid call; returns 0 if the drawn geometry has no output. */
static int random_call(pw_window_call *c, int depthwise, int32_t *dm_out)
{
    memset(c, 0, sizeof *c);
    const int32_t n = range(0, 7) == 0 ? 2 : 1;
    const int32_t h = range(1, MAX_HW), w = range(1, MAX_HW);
    int32_t ic = range(1, MAX_C);
    c->kernel_h = range(1, MAX_K);
    c->kernel_w = range(1, MAX_K);
    c->stride_h = range(1, 2);
    c->stride_w = range(1, 2);
    c->dilation_h = range(0, 4) == 0 ? 2 : 1;
    c->dilation_w = range(0, 4) == 0 ? 2 : 1;
    c->pad_top = range(0, (c->kernel_h - 1) * c->dilation_h);
    c->pad_bottom = range(0, (c->kernel_h - 1) * c->dilation_h);
    c->pad_left = range(0, (c->kernel_w - 1) * c->dilation_w);
    c->pad_right = range(0, (c->kernel_w - 1) * c->dilation_w);
    if (range(0, 3) == 0) { /* a 3x3 window often, for the depthwise fast path */
        c->kernel_h = c->kernel_w = 3;
        c->dilation_h = c->dilation_w = 1;
        c->pad_top = c->pad_bottom = c->pad_left = c->pad_right = range(0, 1);
    }
    const int32_t oh = out_size(h, c->kernel_h, c->stride_h, c->dilation_h, c->pad_top, c->pad_bottom);
    const int32_t ow = out_size(w, c->kernel_w, c->stride_w, c->dilation_w, c->pad_left, c->pad_right);
    if (oh < 1 || ow < 1 || oh > MAX_OHW || ow > MAX_OHW)
        return 0;
    const int32_t dm = depthwise ? (range(0, 2) == 0 ? (range(0, 1) ? 4 : 8) : 1) : 1;
    if (ic * dm > MAX_OC)
        ic = MAX_OC / dm;
    const int32_t oc = depthwise ? ic * dm : range(1, 20);
    *dm_out = dm;
    c->in = (pw_block){n, h, w, ic, w * ic + range(0, 1) * range(0, PAD_ROW), 0};
    c->in.batch_stride = h * c->in.row_stride;
    c->out = (pw_block){n, oh, ow, oc, ow * oc + range(0, 1) * range(0, PAD_ROW), 0};
    c->out.batch_stride = oh * c->out.row_stride;
    c->walk = range(0, 1);
    c->input = g_in;
    return 1;
}

static void random_params(pw_conv_params *p, int32_t oc, size_t filter_len, void *scratch)
{
    fill(g_filter, filter_len);
    const int with_bias = range(0, 3) != 0;
    const int misaligned = range(0, 1);
    for (size_t i = 0; i < sizeof g_bias; i++)
        g_bias[i] = (uint8_t)(next() >> range(8, 20)); /* small values, sometimes large */
    const int per_channel = range(0, 2) != 0, fast_only = range(0, 2) == 0;
    for (int32_t k = 0; k < (per_channel ? oc : 1); k++)
        g_rq[k] = random_requant(fast_only);
    p->filter = g_filter;
    p->bias = with_bias ? g_bias + misaligned : 0;
    p->requant = g_rq;
    p->requant_step = per_channel ? 1 : 0;
    p->input_offset = range(-127, 128);
    p->output_offset = range(-128, 127);
    if (fast_only || range(0, 1)) {
        p->act_min = -128;
        p->act_max = 127;
    } else {
        p->act_min = range(-128, 0);
        p->act_max = range(p->act_min, 127);
    }
    p->scratch = scratch;
}

/* Runs one call both ways and compares the whole output buffers. */
static int check_one(int depthwise, int index)
{
    pw_window_call c;
    int32_t dm = 1;
    while (!random_call(&c, depthwise, &dm)) {
    }
    const int32_t kk = c.kernel_h * c.kernel_w;
    const size_t filter_len = (size_t)(depthwise ? kk * c.out.c : c.out.c * kk * c.in.c);
    pw_conv_params pa, pb;
    random_params(&pa, c.out.c, filter_len, g_scratch_a);
    pb = pa;
    pb.scratch = g_scratch_b;
    fill(g_in, sizeof g_in);
    const size_t out_len = (size_t)(c.out.n * c.out.batch_stride);
    memset(g_out_a, 0x5a, out_len);
    memset(g_out_b, 0x5a, out_len);
    pw_window_call ca = c, cb = c;
    ca.output = g_out_a;
    cb.output = g_out_b;
    int32_t ra = depthwise ? pw_arm_depthwise_s8(&ca, &pa) : pw_arm_conv_s8(&ca, &pa);
    int32_t rb = depthwise ? ref_arm_depthwise_s8(&cb, &pb) : ref_arm_conv_s8(&cb, &pb);
    if (ra != 0 || rb != 0) {
        sh_printf("FAIL: %s case %d: the kernel refused a valid call (%ld, %ld)\n",
                  depthwise ? "depthwise" : "conv", index, (long)ra, (long)rb);
        return 2;
    }
    for (size_t i = 0; i < out_len; i++) {
        if (g_out_a[i] != g_out_b[i]) {
            sh_printf("FAIL: %s case %d: byte %lu differs (%d vs %d); in %ldx%ldx%ld k %ldx%ld s %ldx%ld "
                      "d %ldx%ld pad %ld,%ld,%ld,%ld out %ldx%ldx%ld dm %ld step %ld act %ld..%ld\n",
                      depthwise ? "depthwise" : "conv", index, (unsigned long)i, g_out_a[i], g_out_b[i],
                      (long)c.in.h, (long)c.in.w, (long)c.in.c, (long)c.kernel_h, (long)c.kernel_w,
                      (long)c.stride_h, (long)c.stride_w, (long)c.dilation_h, (long)c.dilation_w,
                      (long)c.pad_top, (long)c.pad_bottom, (long)c.pad_left, (long)c.pad_right,
                      (long)c.out.h, (long)c.out.w, (long)c.out.c, (long)dm, (long)pa.requant_step,
                      (long)pa.act_min, (long)pa.act_max);
            return 1;
        }
    }
    return 0;
}

int main(void)
{
    sh_printf("Arm DSP port conformance: %d convolution and %d depthwise calls, SIMD vs plain C\n", CASES,
              CASES);
    for (int i = 0; i < CASES; i++) {
        int rc = check_one(0, i);
        if (rc == 0)
            rc = check_one(1, i);
        if (rc != 0)
            sh_exit(rc);
    }
    sh_printf("PASS: Arm DSP port conformance: %d calls bit-exact with the plain-C kernels\n", 2 * CASES);
    sh_exit(0);
}

/* The C library routines the kernels and this test call (the firmware links no libc; the
 * patchwise staticlib brings its own when it is linked). Plain loops: CFLAGS keeps GCC from
 * turning them back into calls. */
void *memcpy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memset(void *dst, int v, size_t n)
{
    uint8_t *d = dst;
    while (n--)
        *d++ = (uint8_t)v;
    return dst;
}
