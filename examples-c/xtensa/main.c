/*
 * main.c: runs one inference of an embedded .tflite model with patchwise on the Xtensa LX106
 * (the ESP8266's core) under `qemu-system-xtensa -M sim -cpu lx106`, compares the output with
 * TFLM's golden bytes and reports the instruction count of pw_interpreter_invoke().
 *
 * Exit codes (QEMU's exit status, through the simulator's SYS_exit, see start.S):
 *   0 PASS   1 output differs from the golden   2 patchwise API error (or arena too small)
 *   3 embedded files do not fit the model (sizes, tensor counts)   4 CPU exception
 */
#include <stddef.h>
#include <stdint.h>

#include "out.h"
#include "patchwise.h"

#ifndef ARENA_SIZE
#define ARENA_SIZE (128u * 1024u)     /* bytes; the Makefile passes ARENA_SIZE */
#endif

#define EXIT_PASS     0
#define EXIT_MISMATCH 1
#define EXIT_API      2
#define EXIT_SETUP    3
#define EXIT_TRAP     4

/* Embedded by blobs.S. */
extern const uint8_t blob_model[], blob_input[], blob_golden[];
extern const uint32_t blob_model_len, blob_input_len, blob_golden_len;

/* start.S */
void fw_exit(int code) __attribute__((noreturn));
void fw_trap(uint32_t exccause, uint32_t epc1, uint32_t excvaddr) __attribute__((noreturn));

/*
 * The arena: patchwise keeps everything (interpreter, plan, activations) in here. It goes to
 * the NOLOAD .arena section (link.ld), so it costs no load time and is not zeroed by _start.
 */
static uint8_t arena[ARENA_SIZE] __attribute__((section(".arena"), aligned(PW_ARENA_ALIGN)));

/*
 * Instruction counts from the cycle counter CCOUNT. QEMU does not model cycles: CCOUNT is
 * virtual time times the core's clock (40 MHz for lx106, 0.04 counts per ns), and with
 * `-icount shift=6` every instruction takes 2^6 = 64 ns, so CCOUNT advances by exactly 2.56
 * per instruction, rounded down at each read. Two reads D counts apart are then
 * round(D / 2.56) = (100 D + 128) / 256 instructions apart, exactly (the rounding error of D is
 * below 1 count, less than half an instruction). CCOUNT has 32 bits: windows up to 1.6 G
 * instructions. main() checks the scale on a loop of known length before relying on it.
 */
static inline uint32_t ccount(void)
{
    uint32_t v;
    __asm__ volatile("rsr.ccount %0" : "=r"(v));
    return v;
}

static uint64_t to_instructions(uint32_t counts)
{
    return ((uint64_t)counts * 100u + 128u) >> 8;
}

/* Runs exactly 2 * n instructions (addi, bnez per iteration). */
static void __attribute__((noinline)) known_loop(uint32_t n)
{
    __asm__ volatile("1: addi %0, %0, -1\n\tbnez %0, 1b" : "+r"(n));
}

/*
 * Stack high-water mark: fill the free stack below the caller with a pattern, run the code
 * under test, then find the lowest word that was overwritten. The window (STACK_PAINT bytes
 * below the current sp) must be larger than the deepest call chain measured.
 */
#define STACK_PAINT   (64u * 1024u)
#define STACK_PATTERN 0x5AC3A53Cu

static uintptr_t current_sp(void)
{
    uintptr_t sp;
    __asm__ volatile("mov %0, a1" : "=r"(sp));
    return sp;
}

/* Paints [sp - STACK_PAINT, sp - 256): the gap keeps clear of this function's own frame. */
static __attribute__((noinline)) void stack_paint(void)
{
    volatile uint32_t *p = (volatile uint32_t *)((current_sp() - STACK_PAINT) & ~(uintptr_t)3);
    volatile uint32_t *end = (volatile uint32_t *)(current_sp() - 256u);
    while (p < end) {
        *p++ = STACK_PATTERN;
    }
}

/* Bytes used below `top` (the caller's sp when it painted) since the last stack_paint(). */
static uint32_t stack_used(uintptr_t top)
{
    const volatile uint32_t *p = (const volatile uint32_t *)((top - STACK_PAINT) & ~(uintptr_t)3);
    while ((uintptr_t)p < top && *p == STACK_PATTERN) {
        p++;
    }
    return (uint32_t)(top - (uintptr_t)p);
}

/* ---- per-operator profile (library feature `profile`, make FEATURES=profile) -------------- */

#if PW_PROFILE_HOOKS
/*
 * The library calls these two around every step of an invoke: one operator, or one fused
 * segment (operators first_op..last_op run together row by row). Counts in CCOUNT units,
 * converted to instructions when printed.
 */
#define PROFILE_MAX_STEPS 128u
static struct {
    uint16_t first_op, last_op;
    uint32_t counts;
} g_steps[PROFILE_MAX_STEPS];
static uint32_t g_step_count, g_step_start;

void pw_profile_begin(uint32_t first_op, uint32_t last_op)
{
    (void)first_op;
    (void)last_op;
    g_step_start = ccount();
}

void pw_profile_end(uint32_t first_op, uint32_t last_op)
{
    const uint32_t n = ccount() - g_step_start;
    if (g_step_count < PROFILE_MAX_STEPS) {
        g_steps[g_step_count].first_op = (uint16_t)first_op;
        g_steps[g_step_count].last_op = (uint16_t)last_op;
        g_steps[g_step_count].counts = n;
    }
    g_step_count++;
}

/* One line per step, then the steps' sum against the invoke. Returns 0, or 1 when the hooks
 * were never called or the steps add up to more than the invoke. */
static int profile_print(uint64_t invoke_total)
{
    uint64_t sum = 0;
    const uint32_t shown = g_step_count < PROFILE_MAX_STEPS ? g_step_count : PROFILE_MAX_STEPS;
    out_puts("profile: ");
    out_putu(g_step_count);
    out_puts(" steps (operator, or fused segment first..last)\n");
    for (uint32_t i = 0; i < shown; i++) {
        const uint64_t n = to_instructions(g_steps[i].counts);
        sum += n;
        out_puts("profile: op ");
        out_putu(g_steps[i].first_op);
        if (g_steps[i].last_op != g_steps[i].first_op) {
            out_puts("..");
            out_putu(g_steps[i].last_op);
            out_puts(" (fused)");
        }
        out_puts(": ");
        out_putu(n);
        out_puts(" instructions\n");
    }
    out_puts("profile: steps ");
    out_putu(sum);
    out_puts(" of ");
    out_putu(invoke_total);
    out_puts(" instructions\n");
    if (g_step_count == 0 || g_step_count > PROFILE_MAX_STEPS || sum > invoke_total) {
        out_puts("FAIL: profile hooks: no steps, too many, or more instructions than the invoke\n");
        return 1;
    }
    return 0;
}
#endif

/* Prints "<what> failed: <status> (<text>)" and returns EXIT_API. */
static int api_error(const char *what, pw_status st)
{
    out_puts(what);
    out_puts(" failed: ");
    out_putu(st);
    out_puts(" (");
    out_puts(pw_status_str(st));
    out_puts(")\n");
    return EXIT_API;
}

/* Prints key, value (decimal), unit. */
static void print_kv(const char *key, uint64_t value, const char *unit)
{
    out_puts(key);
    out_putu(value);
    out_puts(unit);
}

static int run(void)
{
    uint32_t v = pw_version();
    out_puts("patchwise ");
    out_putu(v >> 16);
    out_putc('.');
    out_putu((v >> 8) & 0xFFu);
    out_putc('.');
    out_putu(v & 0xFFu);
    out_puts(" on xtensa lx106 (QEMU sim)\n");
    print_kv("model: ", blob_model_len, " bytes at ");
    out_puthex((uint32_t)(uintptr_t)blob_model);
    out_puts(((uintptr_t)blob_model & 1u) ? " (odd address)\n" : "\n");

    const uintptr_t top = current_sp();
    stack_paint();

    /* 1. How much arena does this model need? (Firmware usually takes it from `patchwise plan`.) */
    size_t need = 0;
    pw_status st = pw_arena_required(blob_model, blob_model_len, NULL, &need);
    if (st != PW_OK) {
        return api_error("pw_arena_required", st);
    }
    const uint32_t stack_required = stack_used(top);
    print_kv("arena required: ", need, " bytes");
    print_kv(" (static arena ", sizeof arena, " bytes)\n");
    if (need > sizeof arena) {
        out_puts("static arena too small: rebuild with ARENA_SIZE >= the figure above\n");
        return api_error("arena check", PW_ERR_ARENA_TOO_SMALL);
    }

    /* 2. Build the interpreter inside the arena (NULL options = defaults). */
    stack_paint();
    pw_interpreter *interp = NULL;
    st = pw_interpreter_init(blob_model, blob_model_len, arena, sizeof arena, NULL, &interp);
    if (st != PW_OK) {
        return api_error("pw_interpreter_init", st);
    }
    const uint32_t stack_init = stack_used(top);

    /* 3. This example feeds exactly one input and checks exactly one output. */
    size_t n_in = 0, n_out = 0;
    pw_tensor in, out;
    if ((st = pw_interpreter_input_count(interp, &n_in)) != PW_OK ||
        (st = pw_interpreter_output_count(interp, &n_out)) != PW_OK ||
        (st = pw_interpreter_input(interp, 0, &in)) != PW_OK ||
        (st = pw_interpreter_output(interp, 0, &out)) != PW_OK) {
        return api_error("tensor query", st);
    }
    if (n_in != 1 || n_out != 1 || in.bytes != blob_input_len || out.bytes != blob_golden_len) {
        print_kv("setup error: model has ", n_in, " input(s) / ");
        print_kv("", n_out, " output(s); input tensor ");
        print_kv("", in.bytes, " bytes vs file ");
        print_kv("", blob_input_len, "; output tensor ");
        print_kv("", out.bytes, " bytes vs golden ");
        print_kv("", blob_golden_len, "\n");
        return EXIT_SETUP;
    }

    /* 4. Write the input (before every invoke: patchwise may reuse input bytes). */
    uint8_t *dst = (uint8_t *)in.data;
    for (uint32_t i = 0; i < blob_input_len; i++) {
        dst[i] = blob_input[i];
    }

    /* 5. Invoke, counting instructions. First the counter's scale on a loop of known length
     *    (2,000,000 instructions plus the call), and the cost of reading it (two reads back to
     *    back), which is subtracted. */
    uint32_t k0 = ccount();
    known_loop(1000000u);
    uint32_t k1 = ccount();
    const uint64_t calib = to_instructions(k1 - k0);
    k0 = ccount();
    k1 = ccount();
    const uint64_t overhead = to_instructions(k1 - k0);
    stack_paint();
    const uint32_t t0 = ccount();
    st = pw_interpreter_invoke(interp);
    const uint32_t t1 = ccount();
    const uint32_t stack_invoke = stack_used(top);
    if (st != PW_OK) {
        pw_error_info info;
        if (pw_interpreter_last_error(interp, &info) == PW_OK) {
            print_kv("failing operator: #", info.op_index, ", opcode ");
            print_kv("", info.opcode, "\n");
        }
        return api_error("pw_interpreter_invoke", st);
    }

    /* 6. Compare with TFLM's output, byte for byte. */
    const uint8_t *got = (const uint8_t *)out.data;
    uint32_t diffs = 0, first = 0;
    for (uint32_t i = 0; i < blob_golden_len; i++) {
        if (got[i] != blob_golden[i]) {
            if (diffs++ == 0) {
                first = i;
            }
        }
    }

    out_puts("output:");
    for (uint32_t i = 0; i < out.bytes && i < 8u; i++) {
        out_putc(' ');
        if (out.dtype == PW_TYPE_INT8) {
            out_puti((int8_t)got[i]);
        } else {
            out_putu(got[i]);
        }
    }
    out_puts(out.bytes > 8u ? " ...\n" : "\n");
    const uint64_t n_invoke = to_instructions(t1 - t0) - overhead;
#if PW_PROFILE_HOOKS
    if (profile_print(n_invoke) != 0) {
        return EXIT_API;
    }
#endif
    print_kv("invoke: ", n_invoke, " instructions");
    print_kv(" (counter overhead ", overhead, " subtracted; ");
    print_kv("calibration loop of 2000000: ", calib, ")\n");
    if (calib < 2000000u || calib > 2000016u) {
        out_puts("warning: the count is not exact: run QEMU with -icount shift=6\n");
    }
    print_kv("stack peak: arena_required ", stack_required, " B, ");
    print_kv("init ", stack_init, " B, ");
    print_kv("invoke ", stack_invoke, " B\n");

    if (diffs != 0) {
        print_kv("FAIL: ", diffs, " of ");
        print_kv("", blob_golden_len, " output bytes differ, first at byte ");
        print_kv("", first, "\n");
        return EXIT_MISMATCH;
    }
    print_kv("PASS: ", blob_golden_len, " output bytes match TFLM\n");
    return EXIT_PASS;
}

int main(void)
{
    const int code = run();
    out_flush();
    return code;
}

/* Called by start.S's exception vectors; prints the cause and stops QEMU. */
void fw_trap(uint32_t exccause, uint32_t epc1, uint32_t excvaddr)
{
    out_puts("\nEXCEPTION exccause=");
    out_puthex(exccause);
    out_puts(" epc1=");
    out_puthex(epc1);
    out_puts(" excvaddr=");
    out_puthex(excvaddr);
    out_puts("\n");
    out_flush();
    fw_exit(EXIT_TRAP);
}
