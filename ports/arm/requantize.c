/*
 * The exact TFLM requantization for the cases the fast path in pw_arm.h leaves out (left
 * shifts, e - 1 outside 0..30, negative multipliers, among them INT32_MIN, where
 * SaturatingRoundingDoublingHighMul saturates for an operand of INT32_MIN). Operation for
 * operation as in TFLM (src/quant.rs).
 */
#include "pw_arm.h"

int32_t pw_requantize_slow(int32_t acc, int32_t mult, int32_t e1)
{
    int32_t shift = (int32_t)(0u - (uint32_t)e1 - 1u);
    int32_t left = shift > 0 ? shift & 31 : 0;
    int32_t right = shift < 0 ? (int32_t)((0u - (uint32_t)shift) & 31u) : 0;
    int32_t x = (int32_t)((uint32_t)acc << left);
    int32_t h;
    if (x == INT32_MIN && mult == INT32_MIN) {
        h = INT32_MAX;
    } else {
        int64_t ab = (int64_t)x * mult;
        int64_t nudge = ab >= 0 ? (1LL << 30) : 1 - (1LL << 30);
        h = (int32_t)((ab + nudge) / (1LL << 31));
    }
    int32_t mask = (int32_t)((1u << right) - 1u);
    int32_t rem = h & mask;
    int32_t threshold = (mask >> 1) + (h < 0);
    return (h >> right) + (rem > threshold);
}

/* pw_requantize of one value, no offset and the widest clamp an int8 result allows: for the
 * tests, which compare it with TFLM's arithmetic. */
int32_t pw_arm_requantize_s8(int32_t acc, const pw_requant *r)
{
    return pw_requantize(acc, *r, 0, 0, -128, 127);
}

void pw_requant_store(const int32_t *acc, int32_t n, const pw_requant *rq, int32_t step, int8_t *out,
                      const pw_outq *q)
{
    const int32_t off = q->out_offset, lo = q->act_min, hi = q->act_max;
#if PW_HAVE_DSP
    if (q->all_fast && lo == -128 && hi == 127) {
        /* The common case: every channel on the fast path, the whole int8 range (one SSAT). */
        for (; n > 0; n--, rq += step)
            *out++ = (int8_t)__ssat(pw_requant_fast_value(*acc++, *rq) + off, 8);
        return;
    }
#endif
    const int all_fast = q->all_fast;
    for (int32_t i = 0; i < n; i++, rq += step)
        out[i] = pw_requantize(acc[i], *rq, all_fast, off, lo, hi);
}
