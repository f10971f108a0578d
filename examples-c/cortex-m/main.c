/*
 * main.c: runs one inference of an embedded .tflite model with patchwise on a Cortex-M4F
 * (QEMU mps2-an386), checks the output against TensorFlow Lite Micro's, and reports the
 * instruction count.
 *
 * Exit codes: 0 = output matches, 1 = output differs, 2 = a patchwise call failed or the
 * build embeds inconsistent files, 3 = fault (startup.c).
 */
#include <stddef.h>
#include <stdint.h>

#include "patchwise.h"

#ifndef PATCHING
#define PATCHING PW_PATCH_AUTO /* Makefile: PATCH=off gives PW_PATCH_OFF */
#endif
#include "semihost.h"

#define EXIT_PASS 0

#ifndef TARGET_NAME
#define TARGET_NAME "thumbv7em-none-eabihf"
#endif
#define EXIT_MISMATCH 1
#define EXIT_API_ERROR 2

/* Build-time settings (the Makefile passes them; these defaults match it). */
#ifndef ARENA_SIZE
#define ARENA_SIZE (128u * 1024u) /* bytes of the static arena */
#endif
#ifndef ICOUNT_SHIFT
#define ICOUNT_SHIFT 7 /* QEMU -icount shift=S: one instruction takes 2^S ns */
#endif
#ifndef MODEL_NAME
#define MODEL_NAME "model"
#endif

/* Blobs from blobs.S (flash). */
extern const uint8_t model_data[], model_data_end[];
extern const uint8_t input_data[], input_data_end[];
extern const uint8_t expected_data[], expected_data_end[];
#if PRECOMPUTED_PLAN
extern const uint8_t plan_data[], plan_data_end[];
#endif

/*
 * The arena: one static buffer in its own NOLOAD section (see mps2_an386.ld), aligned as
 * patchwise requires. Everything the interpreter keeps lives here, including its handle.
 */
static uint8_t g_arena[ARENA_SIZE] __attribute__((section(".arena"), aligned(PW_ARENA_ALIGN)));

/* ---- instruction counting with CMSDK APB timer 0 ---------------------------------------- */

/*
 * Timer 0 is a 32-bit down-counter clocked at 25 MHz (40 ns per tick). QEMU run with
 * `-icount shift=S` advances virtual time by exactly 2^S ns per instruction, so
 *     instructions = ticks * 40 / 2^S.
 * With S = 7 one instruction lasts 3.2 ticks: the count is exact (the rounding error is below
 * 0.32 instruction) and the counter wraps after 2^32 ticks = 1.34 G instructions.
 */
#ifndef TIMER0_BASE
#define TIMER0_BASE 0x40000000u /* mps2-an386/an500/an385; the secure alias 0x50000000 on an505 */
#endif
#ifndef TIMER_NS_PER_TICK
#define TIMER_NS_PER_TICK 40u /* 25 MHz; 50 (20 MHz) on an505 */
#endif
#define TIMER0_CTRL (*(volatile uint32_t *)(TIMER0_BASE + 0x0u))      /* bit 0 enable, bit 3 irq enable */
#define TIMER0_VALUE (*(volatile uint32_t *)(TIMER0_BASE + 0x4u))     /* current count */
#define TIMER0_RELOAD (*(volatile uint32_t *)(TIMER0_BASE + 0x8u))    /* value loaded at zero */
#define TIMER0_INTSTATUS (*(volatile uint32_t *)(TIMER0_BASE + 0xCu)) /* bit 0: reached zero; write 1 */

static void timer_start(void)
{
    TIMER0_CTRL = 0;
    TIMER0_RELOAD = 0xFFFFFFFFu;
    TIMER0_VALUE = 0xFFFFFFFFu;
    TIMER0_INTSTATUS = 1u;
    /* The interrupt enable only latches the wrap flag: the NVIC line stays disabled. */
    TIMER0_CTRL = (1u << 3) | 1u;
}

/* Converts elapsed timer ticks to instructions, rounded to nearest. */
static uint32_t ticks_to_instructions(uint32_t ticks)
{
    uint64_t twice_ns = (uint64_t)ticks * (2u * TIMER_NS_PER_TICK);
    return (uint32_t)((twice_ns + (1u << ICOUNT_SHIFT)) >> (ICOUNT_SHIFT + 1));
}

/* Instructions between two timer reads with nothing in between (subtracted from results). */
static uint32_t g_timer_overhead;

static uint32_t measured(uint32_t start_value)
{
    uint32_t now = TIMER0_VALUE;
    if (TIMER0_INTSTATUS & 1u) {
        sh_puts("warning: timer wrapped, the count below is wrong (use a smaller ICOUNT_SHIFT)\n");
        TIMER0_INTSTATUS = 1u;
    }
    uint32_t n = ticks_to_instructions(start_value - now);
    return n > g_timer_overhead ? n - g_timer_overhead : 0;
}

/* ---- per-operator profile (library feature `profile`, make FEATURES=profile) -------------- */

#if PW_PROFILE_HOOKS
/*
 * The library calls these two around every step of an invoke: one operator, or one fused
 * segment (operators first_op..last_op run together row by row). A real board would read DWT
 * CYCCNT here; under QEMU -icount the timer counts instructions exactly.
 */
#define PROFILE_MAX_STEPS 128u
static struct {
    uint16_t first_op, last_op;
    uint32_t instructions;
} g_steps[PROFILE_MAX_STEPS];
static uint32_t g_step_count, g_step_start;

void pw_profile_begin(uint32_t first_op, uint32_t last_op)
{
    (void)first_op;
    (void)last_op;
    g_step_start = TIMER0_VALUE;
}

void pw_profile_end(uint32_t first_op, uint32_t last_op)
{
    uint32_t n = measured(g_step_start);
    if (g_step_count < PROFILE_MAX_STEPS) {
        g_steps[g_step_count].first_op = (uint16_t)first_op;
        g_steps[g_step_count].last_op = (uint16_t)last_op;
        g_steps[g_step_count].instructions = n;
    }
    g_step_count++;
}

/*
 * The table of the last invoke: one line per step, then the steps' sum against the total.
 * Returns 0, or 1 when the hooks were never called or the steps add up to more than the invoke.
 */
static int profile_print(uint32_t invoke_total)
{
    uint64_t sum = 0;
    uint32_t shown = g_step_count < PROFILE_MAX_STEPS ? g_step_count : PROFILE_MAX_STEPS;
    sh_printf("profile: %lu steps (operator, or fused segment first..last)\n", (unsigned long)g_step_count);
    for (uint32_t i = 0; i < shown; i++) {
        uint32_t n = g_steps[i].instructions;
        sum += n;
        unsigned long permille = invoke_total ? (unsigned long)((uint64_t)n * 1000u / invoke_total) : 0;
        if (g_steps[i].first_op == g_steps[i].last_op) {
            sh_printf("profile: op %u: %lu instructions (%lu.%lu%%)\n", (unsigned)g_steps[i].first_op,
                      (unsigned long)n, permille / 10, permille % 10);
        } else {
            sh_printf("profile: ops %u..%u (fused): %lu instructions (%lu.%lu%%)\n",
                      (unsigned)g_steps[i].first_op, (unsigned)g_steps[i].last_op, (unsigned long)n,
                      permille / 10, permille % 10);
        }
    }
    sh_printf("profile: steps %lu of %lu instructions (the rest: the interpreter between steps and "
              "the hooks)\n",
              (unsigned long)sum, (unsigned long)invoke_total);
    if (g_step_count == 0 || g_step_count > PROFILE_MAX_STEPS || sum > invoke_total) {
        sh_puts("FAIL: profile hooks: no steps, too many, or more instructions than the invoke\n");
        return 1;
    }
    return 0;
}
#endif

/* ---- stack high-water mark -------------------------------------------------------------- */

/* Stack reserve from the linker script; painted with a pattern to find the deepest use. */
extern uint32_t __stack_limit[], __stack_top[];
#define STACK_PAINT 0xC5C5C5C5u

/* Fills the unused stack below the caller's frame with STACK_PAINT. */
static __attribute__((noinline)) void stack_paint(void)
{
    uint32_t *p = __stack_limit;
    uintptr_t end = (uintptr_t)__builtin_frame_address(0) - 64u; /* leave our frame alone */
    while ((uintptr_t)p < end) {
        *p++ = STACK_PAINT;
    }
}

/* Bytes of stack used so far (the deepest word that lost the paint). */
static uint32_t stack_peak(void)
{
    const uint32_t *p = __stack_limit;
    while ((uintptr_t)p < (uintptr_t)__stack_top && *p == STACK_PAINT) {
        p++;
    }
    return (uint32_t)((uintptr_t)__stack_top - (uintptr_t)p);
}

/* ---- the application ---------------------------------------------------------------------- */

/* Prints a failed patchwise call and returns the exit code for it. */
static int api_error(const char *what, pw_status st)
{
    sh_printf("FAIL: %s: %s (status %lu)\n", what, pw_status_str(st), (unsigned long)st);
    return EXIT_API_ERROR;
}

static void print_bytes(const char *label, const int8_t *v, size_t n)
{
    sh_printf("%s [", label);
    for (size_t i = 0; i < n && i < 16; i++) {
        sh_printf(i ? ", %d" : "%d", v[i]);
    }
    sh_puts(n > 16 ? ", ...]\n" : "]\n");
}

int main(void)
{
    stack_paint();
    timer_start();
    uint32_t t0 = TIMER0_VALUE;
    g_timer_overhead = measured(t0);

    const size_t model_len = (size_t)(model_data_end - model_data);
    const size_t input_len = (size_t)(input_data_end - input_data);
    const size_t expected_len = (size_t)(expected_data_end - expected_data);
    uint32_t v = pw_version();
    sh_printf("patchwise %lu.%lu.%lu for " TARGET_NAME "\n", (unsigned long)(v >> 16),
              (unsigned long)((v >> 8) & 0xFFu), (unsigned long)(v & 0xFFu));
    sh_printf("model %s: %zu bytes in flash at 0x%08lx (address mod 16 = %lu)\n", MODEL_NAME,
              model_len, (unsigned long)(uintptr_t)model_data,
              (unsigned long)((uintptr_t)model_data % 16u));

    /* 1. How much arena does this model need? (Firmware usually takes this figure from
     *    `patchwise plan` on the host and sizes the buffer at build time.) */
    pw_options opts;
    pw_options_default(&opts);
    opts.patching = PATCHING; /* make PATCH=off: operator by operator */
#if EXTERNAL_INPUT
    opts.flags |= PW_FLAG_EXTERNAL_INPUT; /* make EXTERNAL=1: the input stays in flash */
#endif
    size_t required = 0;
    t0 = TIMER0_VALUE;
#if PRECOMPUTED_PLAN
    /* make PLAN=host: the plan was made on the host (`patchwise plan MODEL --emit FILE`) and
     * sits in flash beside the model; no planner runs (or is linked) on the device. */
    const size_t plan_len = (size_t)(plan_data_end - plan_data);
    pw_status st = pw_planned_arena_required(model_data, model_len, plan_data, plan_len, &required);
#else
    pw_status st = pw_arena_required(model_data, model_len, &opts, &required);
#endif
    uint32_t n_required = measured(t0);
    if (st != PW_OK) {
        return api_error("pw_arena_required", st);
    }
    sh_printf("arena: %zu bytes required, %zu bytes available at 0x%08lx\n", required,
              sizeof g_arena, (unsigned long)(uintptr_t)g_arena);
    if (required > sizeof g_arena) {
        sh_printf("FAIL: arena too small: rebuild with ARENA_SIZE=%zu or more\n", required);
        return EXIT_API_ERROR;
    }

    /* 2. Build the interpreter inside the arena (verifies the model, plans memory). */
    pw_interpreter *interp = NULL;
    t0 = TIMER0_VALUE;
#if PRECOMPUTED_PLAN
    (void)opts; /* chosen when the plan was made */
    st = pw_interpreter_init_planned(model_data, model_len, plan_data, plan_len, g_arena,
                                     sizeof g_arena, &interp);
#else
    st = pw_interpreter_init(model_data, model_len, g_arena, sizeof g_arena, &opts, &interp);
#endif
    uint32_t n_init = measured(t0);
    if (st != PW_OK) {
        return api_error("pw_interpreter_init", st);
    }

#if EXTERNAL_INPUT
    /* 3. The input stays where it is (here: flash, as a camera frame would stay in its frame
     *    buffer): no arena bytes, no copy; invoke reads only the rows it needs. */
    pw_input frame = {input_data, input_len};
    uint32_t stack_setup = stack_peak();
    stack_paint();
    t0 = TIMER0_VALUE;
    st = pw_interpreter_invoke_with_inputs(interp, &frame, 1);
    uint32_t n_invoke = measured(t0);
#else
    /* 3. Write the input tensor (it lives in the arena). */
    pw_tensor in;
    st = pw_interpreter_input(interp, 0, &in);
    if (st != PW_OK) {
        return api_error("pw_interpreter_input", st);
    }
    if (in.bytes != input_len) {
        sh_printf("FAIL: input tensor has %zu bytes, embedded input has %zu\n", in.bytes, input_len);
        return EXIT_API_ERROR;
    }
    uint8_t *dst = in.data;
    for (size_t i = 0; i < input_len; i++) {
        dst[i] = input_data[i];
    }

    /* 4. Run and time one inference (and repaint the stack to see what invoke alone uses). */
    uint32_t stack_setup = stack_peak();
    stack_paint();
    t0 = TIMER0_VALUE;
    st = pw_interpreter_invoke(interp);
    uint32_t n_invoke = measured(t0);
#endif
    if (st != PW_OK) {
        pw_error_info info;
        if (pw_interpreter_last_error(interp, &info) == PW_OK) {
            sh_printf("invoke failed at operator %lu (opcode %lu)\n", (unsigned long)info.op_index,
                      (unsigned long)info.opcode);
        }
        return api_error("pw_interpreter_invoke", st);
    }

    /* 5. Compare with TFLM's output, byte for byte. */
    pw_tensor out;
    st = pw_interpreter_output(interp, 0, &out);
    if (st != PW_OK) {
        return api_error("pw_interpreter_output", st);
    }
    if (out.bytes != expected_len) {
        sh_printf("FAIL: output tensor has %zu bytes, expected output has %zu\n", out.bytes,
                  expected_len);
        return EXIT_API_ERROR;
    }
    const uint8_t *got = out.data;
    size_t mismatches = 0;
    for (size_t i = 0; i < expected_len; i++) {
        mismatches += got[i] != expected_data[i];
    }
    print_bytes("output  ", out.data, out.bytes);
    print_bytes("expected", (const int8_t *)expected_data, expected_len);

#if PW_PROFILE_HOOKS
    if (profile_print(n_invoke) != 0) {
        return EXIT_API_ERROR;
    }
#endif
    sh_printf("instructions: arena_required %lu, init %lu, invoke %lu (icount shift %d)\n",
              (unsigned long)n_required, (unsigned long)n_init, (unsigned long)n_invoke,
              ICOUNT_SHIFT);
    sh_printf("stack peak: %lu bytes in arena_required + init, %lu bytes in invoke\n",
              (unsigned long)stack_setup, (unsigned long)stack_peak());
    if (mismatches != 0) {
        sh_printf("FAIL: %s: %zu of %zu output bytes differ from TFLM\n", MODEL_NAME, mismatches,
                  expected_len);
        return EXIT_MISMATCH;
    }
    sh_printf("PASS: %s: output bit-exact with TFLM, %lu instructions per inference\n",
              MODEL_NAME, (unsigned long)n_invoke);
    return EXIT_PASS;
}
