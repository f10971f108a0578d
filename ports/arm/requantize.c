/*
 * The exact TFLM requantization for the one case the fast path in pw_arm.h leaves out: a
 * multiplier of INT32_MIN, where SaturatingRoundingDoublingHighMul saturates for an operand of
 * INT32_MIN. Operation for operation as in TFLM (src/quant.rs).
 */
#include "pw_arm.h"

int32_t pw_requantize_slow(int32_t acc, pw_requant r)
{
    int32_t x = (int32_t)((uint32_t)acc << r.left);
    int32_t h;
    if (x == INT32_MIN && r.mult == INT32_MIN) {
        h = INT32_MAX;
    } else {
        int64_t ab = (int64_t)x * r.mult;
        int64_t nudge = ab >= 0 ? (1LL << 30) : 1 - (1LL << 30);
        h = (int32_t)((ab + nudge) / (1LL << 31));
    }
    int32_t mask = (int32_t)((1u << r.right) - 1u);
    int32_t rem = h & mask;
    int32_t threshold = (mask >> 1) + (h < 0);
    return (h >> r.right) + (rem > threshold);
}

/* pw_requantize for one value with a (multiplier, shift) pair, no offset and the widest clamp
 * an int8 result allows: for the tests, which compare it with TFLM's arithmetic. */
int32_t pw_arm_requantize_s8(int32_t acc, const int32_t *rq)
{
    return pw_requantize(acc, pw_requant_of(rq), 0, -128, 127);
}
