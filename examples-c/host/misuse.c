/*
 * misuse: checks that the patchwise C API rejects every misuse with the documented status,
 * and that it leaves out-parameters untouched when it fails.
 *
 *   misuse MODEL [MODEL...] [--large MODEL...]
 *
 * Models after --large are above pw_arena_required's stack budget: they are checked for
 * PW_ERR_PLAN_NEEDS_ARENA and for init planning inside the arena instead.
 *
 * The API-wide checks (NULL pointers, broken models, status strings) run once, with the first
 * model; the checks that need a working interpreter (arena size and alignment, handles, tensor
 * indices, re-init, two interpreters) run for every model given. Each check prints one line
 * ("ok   - ..." or "FAIL - ..."); the last line is "N passed, M failed" and the exit status is
 * non-zero when anything failed.
 */
#define _POSIX_C_SOURCE 200112L /* posix_memalign */

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "patchwise.h"

/* ---- reporting ------------------------------------------------------------------------- */

static unsigned g_passed;
static unsigned g_failed;
static const char *g_model = "";

static const struct {
    pw_status code;
    const char *name;
} STATUSES[] = {
    {PW_OK, "PW_OK"},
    {PW_ERR_NULL_POINTER, "PW_ERR_NULL_POINTER"},
    {PW_ERR_INVALID_ARGUMENT, "PW_ERR_INVALID_ARGUMENT"},
    {PW_ERR_NOT_INITIALIZED, "PW_ERR_NOT_INITIALIZED"},
    {PW_ERR_BAD_OPTIONS, "PW_ERR_BAD_OPTIONS"},
    {PW_ERR_MODEL_TRUNCATED, "PW_ERR_MODEL_TRUNCATED"},
    {PW_ERR_MODEL_BAD_OFFSET, "PW_ERR_MODEL_BAD_OFFSET"},
    {PW_ERR_MODEL_BAD_VTABLE, "PW_ERR_MODEL_BAD_VTABLE"},
    {PW_ERR_MODEL_UNSUPPORTED_SCHEMA, "PW_ERR_MODEL_UNSUPPORTED_SCHEMA"},
    {PW_ERR_MODEL_MISSING_FIELD, "PW_ERR_MODEL_MISSING_FIELD"},
    {PW_ERR_MODEL_NO_SUBGRAPH, "PW_ERR_MODEL_NO_SUBGRAPH"},
    {PW_ERR_MODEL_BAD_TENSOR, "PW_ERR_MODEL_BAD_TENSOR"},
    {PW_ERR_MODEL_UNSUPPORTED_TYPE, "PW_ERR_MODEL_UNSUPPORTED_TYPE"},
    {PW_ERR_MODEL_BAD_TENSOR_INDEX, "PW_ERR_MODEL_BAD_TENSOR_INDEX"},
    {PW_ERR_MODEL_BAD_OPCODE_INDEX, "PW_ERR_MODEL_BAD_OPCODE_INDEX"},
    {PW_ERR_MODEL_UNSUPPORTED_OP, "PW_ERR_MODEL_UNSUPPORTED_OP"},
    {PW_ERR_MODEL_BAD_OPTIONS, "PW_ERR_MODEL_BAD_OPTIONS"},
    {PW_ERR_MODEL_BAD_OPERATOR, "PW_ERR_MODEL_BAD_OPERATOR"},
    {PW_ERR_MODEL_TOO_LARGE, "PW_ERR_MODEL_TOO_LARGE"},
    {PW_ERR_MODEL_NOT_QUANTIZED, "PW_ERR_MODEL_NOT_QUANTIZED"},
    {PW_ERR_ARENA_TOO_SMALL, "PW_ERR_ARENA_TOO_SMALL"},
    {PW_ERR_ARENA_MISALIGNED, "PW_ERR_ARENA_MISALIGNED"},
    {PW_ERR_PLAN_NEEDS_ARENA, "PW_ERR_PLAN_NEEDS_ARENA"},
    {PW_ERR_OVER_BUDGET, "PW_ERR_OVER_BUDGET"},
    {PW_ERR_BAD_PLAN, "PW_ERR_BAD_PLAN"},
    {PW_ERR_ARENA_CORRUPTED, "PW_ERR_ARENA_CORRUPTED"},
    {PW_ERR_KERNEL_FAILED, "PW_ERR_KERNEL_FAILED"},
};
enum { N_STATUSES = sizeof STATUSES / sizeof STATUSES[0] };

static const char *status_name(pw_status s)
{
    for (size_t i = 0; i < N_STATUSES; i++) {
        if (STATUSES[i].code == s) {
            return STATUSES[i].name;
        }
    }
    return "(unknown code)";
}

/* Records one check: `ok` true passes. `fmt` describes what was checked. */
static void check(int ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s - [%s] ", ok ? "ok  " : "FAIL", g_model);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    if (ok) {
        g_passed++;
    } else {
        g_failed++;
    }
}

/* Checks that a call returned exactly `want`. */
static void expect_status(pw_status got, pw_status want, const char *what)
{
    if (got == want) {
        check(1, "%s -> %s", what, status_name(want));
    } else {
        check(0, "%s -> %s (%" PRIu32 "), expected %s", what, status_name(got), got,
              status_name(want));
    }
}

/* ---- helpers --------------------------------------------------------------------------- */

/* Sentinels that a failing call must leave in its out-parameters. */
#define SIZE_SENTINEL ((size_t)0x5A5A5A5Au)
static int g_handle_sentinel_object;
#define HANDLE_SENTINEL ((pw_interpreter *)(void *)&g_handle_sentinel_object)

static void *xmalloc_aligned(size_t n)
{
    void *p = NULL;
    if (posix_memalign(&p, PW_ARENA_ALIGN, n > 0 ? n : 1) != 0) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

static int read_file(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    long end = -1;
    if (fseek(f, 0, SEEK_END) == 0) {
        end = ftell(f);
    }
    if (end < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        fprintf(stderr, "%s: cannot size the file\n", path);
        return -1;
    }
    uint8_t *buf = malloc(end > 0 ? (size_t)end : 1);
    if (buf == NULL || fread(buf, 1, (size_t)end, f) != (size_t)end) {
        free(buf);
        fclose(f);
        fprintf(stderr, "%s: read error\n", path);
        return -1;
    }
    fclose(f);
    *data = buf;
    *len = (size_t)end;
    return 0;
}

/* A small deterministic generator for test inputs (no dependence on libc's rand). */
static uint32_t next_random(uint32_t *state)
{
    *state = *state * 1664525u + 1013904223u;
    return *state >> 8;
}

/* Writes pseudo-random data derived from `seed` into every input (floats in [-1, 1]). */
static void fill_inputs(pw_interpreter *h, uint32_t seed)
{
    size_t n = 0;
    pw_interpreter_input_count(h, &n);
    uint32_t state = seed;
    for (size_t i = 0; i < n; i++) {
        pw_tensor t;
        if (pw_interpreter_input(h, i, &t) != PW_OK) {
            continue;
        }
        uint8_t *p = t.data;
        if (t.dtype == PW_TYPE_FLOAT32) {
            for (size_t k = 0; k + 4 <= t.bytes; k += 4) {
                float v = (float)(next_random(&state) % 2001u) / 1000.0f - 1.0f;
                memcpy(p + k, &v, 4);
            }
        } else {
            for (size_t k = 0; k < t.bytes; k++) {
                p[k] = (uint8_t)next_random(&state);
            }
        }
    }
}

/* Copies all outputs, one after another, into `buf` (at most `cap` bytes). Returns the
 * number of bytes copied, or 0 if the outputs do not fit or cannot be read. */
static size_t snapshot_outputs(const pw_interpreter *h, uint8_t *buf, size_t cap)
{
    size_t n = 0;
    size_t len = 0;
    if (pw_interpreter_output_count(h, &n) != PW_OK) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        pw_tensor t;
        if (pw_interpreter_output(h, i, &t) != PW_OK || t.bytes > cap - len) {
            return 0;
        }
        memcpy(buf + len, t.data, t.bytes);
        len += t.bytes;
    }
    return len;
}

static size_t element_size(pw_type t)
{
    switch (t) {
    case PW_TYPE_INT8:
    case PW_TYPE_UINT8:
    case PW_TYPE_BOOL: return 1;
    case PW_TYPE_INT16: return 2;
    case PW_TYPE_INT32:
    case PW_TYPE_FLOAT32: return 4;
    case PW_TYPE_INT64: return 8;
    default: return 0;
    }
}

/* Every call that takes a handle, on a handle that is not live: each must return `want`
 * and leave its out-parameter as it was. */
static void expect_dead_handle(pw_interpreter *h, pw_status want, const char *what)
{
    char desc[160];
    size_t count = SIZE_SENTINEL;
    pw_tensor t;
    pw_tensor t_before;
    pw_error_info info;
    pw_error_info info_before;
    memset(&t, 0xA5, sizeof t);
    t_before = t;
    memset(&info, 0xA5, sizeof info);
    info_before = info;

    snprintf(desc, sizeof desc, "invoke on %s", what);
    expect_status(pw_interpreter_invoke(h), want, desc);
    snprintf(desc, sizeof desc, "input_count on %s", what);
    expect_status(pw_interpreter_input_count(h, &count), want, desc);
    snprintf(desc, sizeof desc, "output_count on %s", what);
    expect_status(pw_interpreter_output_count(h, &count), want, desc);
    snprintf(desc, sizeof desc, "arena_used on %s", what);
    expect_status(pw_interpreter_arena_used(h, &count), want, desc);
    check(count == SIZE_SENTINEL, "count/bytes out-params untouched on %s", what);
    snprintf(desc, sizeof desc, "input(0) on %s", what);
    expect_status(pw_interpreter_input(h, 0, &t), want, desc);
    snprintf(desc, sizeof desc, "output(0) on %s", what);
    expect_status(pw_interpreter_output(h, 0, &t), want, desc);
    check(memcmp(&t, &t_before, sizeof t) == 0, "pw_tensor out-param untouched on %s", what);
    snprintf(desc, sizeof desc, "last_error on %s", what);
    expect_status(pw_interpreter_last_error(h, &info), want, desc);
    check(memcmp(&info, &info_before, sizeof info) == 0, "pw_error_info out-param untouched on %s",
          what);
}

/* pw_interpreter_init that must fail with `want` and leave *out untouched. */
static void expect_init_fails(const uint8_t *model, size_t len, void *arena, size_t arena_len,
                              const pw_options *opts, pw_status want, const char *what)
{
    pw_interpreter *out = HANDLE_SENTINEL;
    expect_status(pw_interpreter_init(model, len, arena, arena_len, opts, &out), want, what);
    check(out == HANDLE_SENTINEL, "init out-param untouched after: %s", what);
}

/* A model error must come back the same from all three entry points. */
static void expect_model_error(const uint8_t *model, size_t len, pw_status want, const char *what)
{
    char desc[160];
    size_t bytes = SIZE_SENTINEL;
    snprintf(desc, sizeof desc, "pw_arena_required(%s)", what);
    expect_status(pw_arena_required(model, len, NULL, &bytes), want, desc);
    check(bytes == SIZE_SENTINEL, "arena_required out-param untouched after: %s", what);

    pw_error_info info;
    memset(&info, 0xA5, sizeof info);
    snprintf(desc, sizeof desc, "pw_model_verify(%s)", what);
    expect_status(pw_model_verify(model, len, NULL, &info), want, desc);
    check(info.status == want && info.arena_required == 0,
          "pw_model_verify(%s) writes info on failure (status %" PRIu32 ", arena_required %zu)",
          what, info.status, info.arena_required);

    uint8_t *arena = xmalloc_aligned(4096);
    snprintf(desc, sizeof desc, "pw_interpreter_init(%s)", what);
    expect_init_fails(model, len, arena, 4096, NULL, want, desc);

    /* init_ex reports the same failure as verify, operator and tensor included. */
    pw_error_info ex;
    memset(&ex, 0xA5, sizeof ex);
    pw_interpreter *out = HANDLE_SENTINEL;
    snprintf(desc, sizeof desc, "pw_interpreter_init_ex(%s)", what);
    expect_status(pw_interpreter_init_ex(model, len, arena, 4096, NULL, &out, &ex), want, desc);
    check(out == HANDLE_SENTINEL && ex.status == want && ex.op_index == info.op_index &&
              ex.tensor_index == info.tensor_index && ex.op_name_len == info.op_name_len &&
              ex.arena_required == 0,
          "init_ex info agrees with pw_model_verify for %s (op %" PRIu32 ", tensor %" PRIu32 ")",
          what, ex.op_index, ex.tensor_index);
    free(arena);
}

/* Little-endian reads and writes for patching a copy of a model (bounds-checked by callers). */
static uint32_t rd32(const uint8_t *b, size_t p)
{
    return (uint32_t)b[p] | (uint32_t)b[p + 1] << 8 | (uint32_t)b[p + 2] << 16 |
           (uint32_t)b[p + 3] << 24;
}

/* Position of field `id` of the flatbuffer table at `t`, or 0 if absent or out of bounds. */
static size_t fb_field(const uint8_t *b, size_t len, size_t t, unsigned id)
{
    if (t + 4 > len) {
        return 0;
    }
    size_t vt = t - (size_t)(int32_t)rd32(b, t); /* the vtable sits at table - soffset */
    if (vt > len || len - vt < 6 + 2 * (size_t)id) {
        return 0;
    }
    unsigned vt_len = (unsigned)b[vt] | (unsigned)b[vt + 1] << 8;
    if (4 + 2 * id + 2 > vt_len) {
        return 0;
    }
    unsigned off = (unsigned)b[vt + 4 + 2 * id] | (unsigned)b[vt + 5 + 2 * id] << 8;
    return off == 0 || t + off + 4 > len ? 0 : t + off;
}

/* Gives every operator code of the model in `b` the builtin code `code` (>= 127, so the int8
 * deprecated_builtin_code becomes the placeholder 127). Returns the number of codes patched,
 * 0 if the model lacks the fields. Schema: Model.operator_codes is field 1; OperatorCode has
 * deprecated_builtin_code (field 0, int8) and builtin_code (field 3, int32). */
static uint32_t patch_opcodes(uint8_t *b, size_t len, uint32_t code)
{
    if (len < 8) {
        return 0;
    }
    size_t codes = fb_field(b, len, rd32(b, 0), 1);
    if (codes == 0 || codes + rd32(b, codes) + 4 > len) {
        return 0;
    }
    size_t vec = codes + rd32(b, codes);
    uint32_t n = rd32(b, vec);
    for (uint32_t k = 0; k < n; k++) {
        size_t e = vec + 4 + 4 * (size_t)k;
        if (e + 4 > len) {
            return 0;
        }
        size_t t = e + rd32(b, e);
        size_t dep = fb_field(b, len, t, 0);
        size_t builtin = fb_field(b, len, t, 3);
        if (dep == 0 || builtin == 0) {
            return 0;
        }
        b[dep] = 127;
        for (int i = 0; i < 4; i++) {
            b[builtin + (size_t)i] = (uint8_t)(code >> (8 * i));
        }
    }
    return n;
}

/* ---- checks that need no working interpreter ------------------------------------------- */

static void check_status_strings(void)
{
    for (size_t i = 0; i < N_STATUSES; i++) {
        const char *s = pw_status_str(STATUSES[i].code);
        check(s != NULL && strcmp(s, "unknown status") != 0, "pw_status_str(%s) = \"%s\"",
              STATUSES[i].name, s != NULL ? s : "(NULL)");
    }
    const pw_status unknown[] = {1, 99, 104, 199, 215, 299, 309, 399, 401, 0xFFFFFFFFu};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        const char *s = pw_status_str(unknown[i]);
        check(s != NULL && strcmp(s, "unknown status") == 0, "pw_status_str(%" PRIu32 ") = \"%s\"",
              unknown[i], s != NULL ? s : "(NULL)");
    }
}

/* Every pointer argument of every function, NULL in turn. Also: NULL opts means defaults. */
static void check_null_pointers(const uint8_t *model, size_t len)
{
    size_t bytes = SIZE_SENTINEL;
    pw_error_info info;

    expect_status(pw_options_default(NULL), PW_ERR_NULL_POINTER, "pw_options_default(NULL)");

    expect_status(pw_arena_required(NULL, len, NULL, &bytes), PW_ERR_NULL_POINTER,
                  "pw_arena_required(model=NULL)");
    expect_status(pw_arena_required(NULL, 0, NULL, &bytes), PW_ERR_NULL_POINTER,
                  "pw_arena_required(model=NULL, len=0)");
    check(bytes == SIZE_SENTINEL, "pw_arena_required out-param untouched after NULL model");
    expect_status(pw_arena_required(model, len, NULL, NULL), PW_ERR_NULL_POINTER,
                  "pw_arena_required(bytes=NULL)");
    expect_status(pw_arena_required(model, len, NULL, &bytes), PW_OK,
                  "pw_arena_required(opts=NULL) means defaults");

    memset(&info, 0xA5, sizeof info);
    expect_status(pw_model_verify(NULL, len, NULL, &info), PW_ERR_NULL_POINTER,
                  "pw_model_verify(model=NULL)");
    check(info.status == PW_ERR_NULL_POINTER, "pw_model_verify(model=NULL) reports it in info");
    expect_status(pw_model_verify(model, len, NULL, NULL), PW_ERR_NULL_POINTER,
                  "pw_model_verify(info=NULL)");
    expect_status(pw_model_verify(model, len, NULL, &info), PW_OK,
                  "pw_model_verify(opts=NULL) means defaults");

    uint8_t *arena = xmalloc_aligned(bytes);
    pw_interpreter *h = NULL;
    expect_init_fails(NULL, len, arena, bytes, NULL, PW_ERR_NULL_POINTER, "init(model=NULL)");
    expect_init_fails(model, len, NULL, bytes, NULL, PW_ERR_NULL_POINTER, "init(arena=NULL)");
    expect_status(pw_interpreter_init(model, len, arena, bytes, NULL, NULL), PW_ERR_NULL_POINTER,
                  "init(out=NULL)");
    expect_status(pw_interpreter_init(model, len, arena, bytes, NULL, &h), PW_OK,
                  "init(opts=NULL) means defaults");

    /* Plans made on the host: every pointer NULL in turn, and bytes that are not a plan. */
    {
        uint8_t not_a_plan[64];
        memset(not_a_plan, 0, sizeof not_a_plan);
        size_t b = SIZE_SENTINEL;
        pw_interpreter *p = HANDLE_SENTINEL;
        expect_status(pw_planned_arena_required(NULL, len, not_a_plan, sizeof not_a_plan, &b),
                      PW_ERR_NULL_POINTER, "planned_arena_required(model=NULL)");
        expect_status(pw_planned_arena_required(model, len, NULL, sizeof not_a_plan, &b),
                      PW_ERR_NULL_POINTER, "planned_arena_required(plan=NULL)");
        expect_status(pw_planned_arena_required(model, len, not_a_plan, sizeof not_a_plan, NULL),
                      PW_ERR_NULL_POINTER, "planned_arena_required(bytes=NULL)");
        expect_status(pw_planned_arena_required(model, len, not_a_plan, sizeof not_a_plan, &b),
                      PW_ERR_BAD_PLAN, "planned_arena_required(64 zero bytes)");
        check(b == SIZE_SENTINEL, "planned_arena_required leaves *bytes on failure");
        expect_status(pw_interpreter_init_planned(NULL, len, not_a_plan, sizeof not_a_plan, arena,
                                                  bytes, &p),
                      PW_ERR_NULL_POINTER, "init_planned(model=NULL)");
        expect_status(pw_interpreter_init_planned(model, len, NULL, sizeof not_a_plan, arena, bytes,
                                                  &p),
                      PW_ERR_NULL_POINTER, "init_planned(plan=NULL)");
        expect_status(pw_interpreter_init_planned(model, len, not_a_plan, sizeof not_a_plan, NULL,
                                                  bytes, &p),
                      PW_ERR_NULL_POINTER, "init_planned(arena=NULL)");
        expect_status(pw_interpreter_init_planned(model, len, not_a_plan, sizeof not_a_plan, arena,
                                                  bytes, NULL),
                      PW_ERR_NULL_POINTER, "init_planned(out=NULL)");
        expect_status(pw_interpreter_init_planned(model, len, not_a_plan, sizeof not_a_plan, arena,
                                                  bytes, &p),
                      PW_ERR_BAD_PLAN, "init_planned(64 zero bytes)");
        check(p == HANDLE_SENTINEL, "init_planned leaves *out on failure");
        expect_status(pw_interpreter_init(model, len, arena, bytes, NULL, &h), PW_OK,
                      "init again after the refused planned inits");
    }

    /* A live handle with a NULL out-pointer, and a NULL handle with a valid out-pointer. */
    pw_tensor t;
    expect_status(pw_interpreter_input_count(h, NULL), PW_ERR_NULL_POINTER, "input_count(count=NULL)");
    expect_status(pw_interpreter_output_count(h, NULL), PW_ERR_NULL_POINTER,
                  "output_count(count=NULL)");
    expect_status(pw_interpreter_input(h, 0, NULL), PW_ERR_NULL_POINTER, "input(tensor=NULL)");
    expect_status(pw_interpreter_output(h, 0, NULL), PW_ERR_NULL_POINTER, "output(tensor=NULL)");
    expect_status(pw_interpreter_arena_used(h, NULL), PW_ERR_NULL_POINTER, "arena_used(bytes=NULL)");
    expect_status(pw_interpreter_last_error(h, NULL), PW_ERR_NULL_POINTER, "last_error(info=NULL)");
    expect_dead_handle(NULL, PW_ERR_NULL_POINTER, "a NULL handle");
    /* The handle is still fine after all that. */
    expect_status(pw_interpreter_input(h, 0, &t), PW_OK, "input(0) on the live handle");

    /* The description calls and init_ex. */
    pw_model_info sum;
    pw_tensor_info ti;
    pw_operator_info oi;
    expect_status(pw_model_summary(model, len, NULL, NULL), PW_ERR_NULL_POINTER, "pw_model_summary(summary=NULL)");
    expect_status(pw_model_summary(NULL, len, NULL, &sum), PW_ERR_NULL_POINTER, "pw_model_summary(model=NULL)");
    expect_status(pw_model_tensor(model, len, PW_MODEL_INPUT, 0, NULL), PW_ERR_NULL_POINTER,
                  "pw_model_tensor(info=NULL)");
    expect_status(pw_model_tensor(NULL, len, PW_MODEL_INPUT, 0, &ti), PW_ERR_NULL_POINTER,
                  "pw_model_tensor(model=NULL)");
    expect_status(pw_model_operator(model, len, 0, NULL), PW_ERR_NULL_POINTER, "pw_model_operator(info=NULL)");
    expect_status(pw_model_operator(NULL, len, 0, &oi), PW_ERR_NULL_POINTER, "pw_model_operator(model=NULL)");
    expect_status(pw_arena_required_in(NULL, len, NULL, arena, bytes, &bytes), PW_ERR_NULL_POINTER,
                  "pw_arena_required_in(model=NULL)");
    pw_interpreter *h2 = HANDLE_SENTINEL;
    expect_status(pw_interpreter_init_ex(model, len, arena, bytes, NULL, &h2, NULL), PW_ERR_NULL_POINTER,
                  "init_ex(info=NULL)");
    check(h2 == HANDLE_SENTINEL, "init_ex(info=NULL) does nothing");
    expect_status(pw_interpreter_input(h, 0, &t), PW_OK, "the handle survives init_ex(info=NULL)");
    memset(&info, 0xA5, sizeof info);
    expect_status(pw_interpreter_init_ex(model, len, NULL, bytes, NULL, &h2, &info), PW_ERR_NULL_POINTER,
                  "init_ex(arena=NULL)");
    check(info.status == PW_ERR_NULL_POINTER && info.op_index == UINT32_MAX && info.arena_required == 0,
          "init_ex(arena=NULL) reports only the status");
    expect_status(pw_interpreter_init_ex(model, len, arena, bytes - 16, NULL, &h2, &info),
                  PW_ERR_ARENA_TOO_SMALL, "init_ex(16 bytes short)");
    check(h2 == HANDLE_SENTINEL && info.arena_required == bytes && info.arena_required_exact == 1,
          "init_ex(16 bytes short) reports %zu bytes (need %zu)", info.arena_required, bytes);
    expect_status(pw_interpreter_init_ex(model, len, (uint8_t *)arena + 8, bytes, NULL, &h2, &info),
                  PW_ERR_ARENA_MISALIGNED, "init_ex(misaligned arena)");
    free(arena);
}

/* Models that are not models. */
static void check_broken_models(const uint8_t *model, size_t len)
{
    static const uint8_t three[3] = {0x10, 0, 0};
    expect_model_error(three, 0, PW_ERR_MODEL_TRUNCATED, "zero-length model");
    expect_model_error(three, sizeof three, PW_ERR_MODEL_TRUNCATED, "3-byte model");

    /* Random bytes: the file identifier at bytes 4..8 is not "TFL3". */
    uint8_t garbage[256];
    uint32_t state = 12345;
    for (size_t i = 0; i < sizeof garbage; i++) {
        garbage[i] = (uint8_t)next_random(&state);
    }
    garbage[4] = 'X';
    expect_model_error(garbage, sizeof garbage, PW_ERR_MODEL_UNSUPPORTED_SCHEMA, "random bytes");

    /* The right identifier, but the root table offset points far outside the buffer. */
    uint8_t bad_root[16] = {0x00, 0xFF, 0xFF, 0x7F, 'T', 'F', 'L', '3'};
    expect_model_error(bad_root, sizeof bad_root, PW_ERR_MODEL_BAD_OFFSET, "root offset outside");

    /* A real model with its identifier damaged. */
    uint8_t *copy = malloc(len);
    if (copy == NULL) {
        exit(2);
    }
    memcpy(copy, model, len);
    copy[7] = '4';
    expect_model_error(copy, len, PW_ERR_MODEL_UNSUPPORTED_SCHEMA, "model with identifier TFL4");

    /* A real model whose operators all get an opcode patchwise does not know (150): the
     * error names operator 0 and that opcode. */
    memcpy(copy, model, len);
    uint32_t patched = patch_opcodes(copy, len, 150);
    check(patched > 0, "patched %" PRIu32 " operator code(s) to 150", patched);
    if (patched > 0) {
        expect_model_error(copy, len, PW_ERR_MODEL_UNSUPPORTED_OP, "model with opcode 150");
        pw_error_info info;
        pw_model_verify(copy, len, NULL, &info);
        check(info.op_index == 0 && info.opcode == 150 && info.tensor_index == UINT32_MAX,
              "pw_model_verify names operator %" PRIu32 ", opcode %" PRIu32, info.op_index,
              info.opcode);
    }
    free(copy);
}

/* ---- checks on a working model --------------------------------------------------------- */

static void check_options(const uint8_t *model, size_t len, size_t required)
{
    pw_options o;
    expect_status(pw_options_default(&o), PW_OK, "pw_options_default");
    check(o.struct_size == sizeof(pw_options) && o.flags == 0 && o.patching == PW_PATCH_AUTO &&
              o.memory_budget == 0 && o.reserved[0] == 0 && o.reserved[1] == 0 &&
              o.reserved[2] == 0 && o.reserved[3] == 0,
          "pw_options_default fills struct_size=%" PRIu32 " and zeros", o.struct_size);
    size_t bytes = 0;
    expect_status(pw_arena_required(model, len, &o, &bytes), PW_OK, "arena_required(default opts)");
    check(bytes == required, "default opts give the same size as opts=NULL (%zu)", bytes);
    o.patching = PW_PATCH_OFF;
    expect_status(pw_arena_required(model, len, &o, &bytes), PW_OK,
                  "arena_required(patching=PW_PATCH_OFF)");
    /* Each planner trick can be switched off alone; with all off the plan is TFLM-style. */
    const uint32_t flags[] = {PW_FLAG_NO_PAD_FUSION, PW_FLAG_NO_ALIAS, PW_FLAG_NO_IN_PLACE,
                              PW_FLAG_NO_OVERLAP, PW_FLAG_NO_SEARCH, 0x1f};
    for (size_t f = 0; f < sizeof flags / sizeof flags[0]; f++) {
        pw_options_default(&o);
        o.flags = flags[f];
        size_t b = 0;
        char desc[96];
        snprintf(desc, sizeof desc, "arena_required(flags=0x%" PRIx32 ")", flags[f]);
        expect_status(pw_arena_required(model, len, &o, &b), PW_OK, desc);
        check(b > 0, "flags=0x%" PRIx32 " gives an arena size (%zu)", flags[f], b);
    }

    /* An older header's smaller struct: the fields it has take effect, the rest their
     * defaults (a struct_size of 8 carries struct_size and flags only). */
    {
        size_t with_default = 0, with_patch_off = 0, b = 0;
        pw_options_default(&o);
        expect_status(pw_arena_required(model, len, &o, &with_default), PW_OK, "arena_required(defaults)");
        o.patching = PW_PATCH_OFF;
        expect_status(pw_arena_required(model, len, &o, &with_patch_off), PW_OK, "arena_required(patching off)");
        pw_options_default(&o);
        o.struct_size = (uint32_t)(sizeof o - 4);
        expect_status(pw_arena_required(model, len, &o, &b), PW_OK, "arena_required(struct_size one field short)");
        check(b == with_default, "a struct one field short plans as the defaults (%zu)", b);
        pw_options_default(&o);
        o.struct_size = 12;
        o.patching = PW_PATCH_OFF;
        expect_status(pw_arena_required(model, len, &o, &b), PW_OK, "arena_required(struct_size 12)");
        check(b == with_patch_off, "struct_size 12 still reads patching (%zu == %zu)", b, with_patch_off);
        pw_options_default(&o);
        o.struct_size = 8;
        o.patching = PW_PATCH_OFF; /* beyond struct_size: ignored */
        expect_status(pw_arena_required(model, len, &o, &b), PW_OK, "arena_required(struct_size 8)");
        check(b == with_default, "struct_size 8 ignores the fields after flags (%zu)", b);
    }

    uint8_t *arena = xmalloc_aligned(required);
    for (int k = 0; k < 10; k++) {
        pw_options_default(&o);
        const char *what = "";
        switch (k) {
        case 0: o.struct_size = 0; what = "struct_size=0"; break;
        case 1: o.struct_size = 4; what = "struct_size without flags"; break;
        case 2: o.struct_size += 4; what = "struct_size too large"; break;
        case 3: o.flags = 1u << 31; what = "unknown flag bit 31"; break;
        case 4: o.patching = 2; what = "patching=2"; break;
        case 5: o.reserved[0] = 1; what = "reserved[0]=1"; break;
        case 6: o.reserved[1] = 1; what = "reserved[1]=1"; break;
        case 7: o.reserved[2] = 1; what = "reserved[2]=1"; break;
        case 8: o.struct_size = 10; what = "struct_size not a whole number of fields"; break;
        default: o.reserved[3] = 0x80000000u; what = "reserved[3]!=0"; break;
        }
        char desc[160];
        size_t b = SIZE_SENTINEL;
        snprintf(desc, sizeof desc, "arena_required(opts %s)", what);
        expect_status(pw_arena_required(model, len, &o, &b), PW_ERR_BAD_OPTIONS, desc);
        check(b == SIZE_SENTINEL, "arena_required out-param untouched after bad opts (%s)", what);
        pw_error_info info;
        snprintf(desc, sizeof desc, "model_verify(opts %s)", what);
        expect_status(pw_model_verify(model, len, &o, &info), PW_ERR_BAD_OPTIONS, desc);
        snprintf(desc, sizeof desc, "init(opts %s)", what);
        expect_init_fails(model, len, arena, required, &o, PW_ERR_BAD_OPTIONS, desc);
    }
    free(arena);

    /* memory_budget: the operator-by-operator plan when it fits, else the fused plan, else
     * PW_ERR_OVER_BUDGET with the smallest arena. */
    {
        size_t layer = 0, b = 0;
        pw_options_default(&o);
        o.patching = PW_PATCH_OFF;
        expect_status(pw_arena_required(model, len, &o, &layer), PW_OK, "arena_required(patching off)");
        pw_options_default(&o);
        o.memory_budget = (uint32_t)layer;
        expect_status(pw_arena_required(model, len, &o, &b), PW_OK, "arena_required(budget = layer plan)");
        check(b == layer, "a budget the layer plan fits gives the layer plan (%zu == %zu)", b, layer);
        o.memory_budget = (uint32_t)required;
        expect_status(pw_arena_required(model, len, &o, &b), PW_OK, "arena_required(budget = smallest)");
        check(b == required, "a budget of the smallest arena gives it (%zu == %zu)", b, required);
        o.memory_budget = (uint32_t)required - 1;
        b = SIZE_SENTINEL;
        expect_status(pw_arena_required(model, len, &o, &b), PW_ERR_OVER_BUDGET, "arena_required(budget too small)");
        check(b == SIZE_SENTINEL, "arena_required out-param untouched over budget");
        pw_error_info info;
        expect_status(pw_model_verify(model, len, &o, &info), PW_ERR_OVER_BUDGET, "model_verify(budget too small)");
        check(info.arena_required == required, "over budget reports the smallest arena (%zu == %zu)",
              info.arena_required, required);
        uint8_t *big = xmalloc_aligned(layer);
        expect_init_fails(model, len, big, layer, &o, PW_ERR_OVER_BUDGET, "init(budget too small)");
        free(big);
    }
}

static void check_arena_size_and_alignment(const uint8_t *model, size_t len, size_t required)
{
    pw_error_info info;
    expect_status(pw_model_verify(model, len, NULL, &info), PW_OK, "pw_model_verify");
    check(info.arena_required == required && info.op_index == UINT32_MAX &&
              info.opcode == UINT32_MAX && info.tensor_index == UINT32_MAX,
          "pw_model_verify reports arena_required %zu == pw_arena_required %zu",
          info.arena_required, required);

    /* Too small: one byte short, a header's worth, nothing at all. */
    uint8_t *arena = xmalloc_aligned(required + 64);
    const size_t small[] = {required - 1, 16, 0};
    for (size_t i = 0; i < 3; i++) {
        char desc[96];
        snprintf(desc, sizeof desc, "init with a %zu-byte arena (needs %zu)", small[i], required);
        expect_init_fails(model, len, arena, small[i], NULL, PW_ERR_ARENA_TOO_SMALL, desc);
    }

    /* Misaligned: every offset 1..15 from a 16-byte boundary, with room to spare. */
    int all_misaligned = 1;
    for (size_t off = 1; off < PW_ARENA_ALIGN; off++) {
        pw_interpreter *out = HANDLE_SENTINEL;
        pw_status st = pw_interpreter_init(model, len, arena + off, required + 64 - off, NULL, &out);
        if (st != PW_ERR_ARENA_MISALIGNED || out != HANDLE_SENTINEL) {
            all_misaligned = 0;
            check(0, "init at arena+%zu -> %s, expected PW_ERR_ARENA_MISALIGNED", off,
                  status_name(st));
        }
    }
    check(all_misaligned, "init at arena+1..15 -> PW_ERR_ARENA_MISALIGNED, out untouched");
    expect_init_fails(model, len, arena + 1, 0, NULL, PW_ERR_ARENA_MISALIGNED,
                      "init at arena+1 with length 0 (alignment checked first)");

    /* Exactly the required size works, and so does a larger arena. */
    pw_interpreter *h = NULL;
    expect_status(pw_interpreter_init(model, len, arena, required, NULL, &h), PW_OK,
                  "init with exactly pw_arena_required bytes");
    size_t used = 0;
    expect_status(pw_interpreter_arena_used(h, &used), PW_OK, "arena_used");
    check(used == required, "arena_used %zu == arena_required %zu", used, required);
    check((void *)h == (void *)arena, "the handle is the arena's first byte");
    expect_status(pw_interpreter_init(model, len, arena, required + 64, NULL, &h), PW_OK,
                  "init with a larger arena");
    expect_status(pw_interpreter_arena_used(h, &used), PW_OK, "arena_used (larger arena)");
    check(used == required, "arena_used is still %zu with a larger arena", used);
    free(arena);
}

static void check_handles_and_tensors(const uint8_t *model, size_t len, size_t required)
{
    /* Memory that never held an interpreter. A zeroed arena, and one full of a garbage pattern
     * standing in for uninitialised RAM (really uninitialised heap would make valgrind and
     * MSan report the read, rightly). */
    uint8_t *zeroed = xmalloc_aligned(required + 16);
    memset(zeroed, 0, required + 16);
    expect_dead_handle((pw_interpreter *)(void *)zeroed, PW_ERR_NOT_INITIALIZED, "a zeroed arena");
    memset(zeroed, 0xA5, required + 16);
    expect_dead_handle((pw_interpreter *)(void *)zeroed, PW_ERR_NOT_INITIALIZED,
                       "a never-initialized arena (0xA5 fill)");
    expect_dead_handle((pw_interpreter *)(void *)(zeroed + 4), PW_ERR_NOT_INITIALIZED,
                       "a misaligned pointer");
    free(zeroed);

    uint8_t *arena = xmalloc_aligned(required);
    pw_interpreter *h = NULL;
    expect_status(pw_interpreter_init(model, len, arena, required, NULL, &h), PW_OK, "init");
    size_t n_in = 0;
    size_t n_out = 0;
    expect_status(pw_interpreter_input_count(h, &n_in), PW_OK, "input_count");
    expect_status(pw_interpreter_output_count(h, &n_out), PW_OK, "output_count");
    check(n_in >= 1 && n_out >= 1, "%zu input(s), %zu output(s)", n_in, n_out);

    /* Every tensor is consistent and lies inside the arena. */
    for (int is_out = 0; is_out < 2; is_out++) {
        size_t n = is_out ? n_out : n_in;
        for (size_t i = 0; i < n; i++) {
            pw_tensor t;
            pw_status st = is_out ? pw_interpreter_output(h, i, &t) : pw_interpreter_input(h, i, &t);
            size_t elems = 1;
            for (uint32_t d = 0; d < t.rank && d < PW_MAX_RANK; d++) {
                elems *= (size_t)t.dims[d];
            }
            int dims_zero_after_rank = 1;
            for (uint32_t d = t.rank; d < PW_MAX_RANK; d++) {
                dims_zero_after_rank &= t.dims[d] == 0;
            }
            const uint8_t *p = t.data;
            check(st == PW_OK && t.rank <= PW_MAX_RANK && dims_zero_after_rank &&
                      t.bytes == elems * element_size(t.dtype) && p >= arena &&
                      p + t.bytes <= arena + required && (uintptr_t)p % 4 == 0,
                  "%s %zu: %zu bytes, consistent dims, 4-aligned, inside the arena",
                  is_out ? "output" : "input", i, t.bytes);
        }
    }

    /* Index past the end: INVALID_ARGUMENT, tensor untouched. */
    pw_tensor t;
    pw_tensor before;
    memset(&t, 0xA5, sizeof t);
    before = t;
    expect_status(pw_interpreter_input(h, n_in, &t), PW_ERR_INVALID_ARGUMENT, "input(count)");
    expect_status(pw_interpreter_input(h, (size_t)-1, &t), PW_ERR_INVALID_ARGUMENT,
                  "input(SIZE_MAX)");
    expect_status(pw_interpreter_output(h, n_out, &t), PW_ERR_INVALID_ARGUMENT, "output(count)");
    expect_status(pw_interpreter_output(h, (size_t)-1, &t), PW_ERR_INVALID_ARGUMENT,
                  "output(SIZE_MAX)");
    check(memcmp(&t, &before, sizeof t) == 0, "pw_tensor untouched after a bad index");

    /* last_error: PW_OK before any invoke and after a successful one. */
    pw_error_info info;
    expect_status(pw_interpreter_last_error(h, &info), PW_OK, "last_error before invoke");
    check(info.status == PW_OK && info.op_index == UINT32_MAX, "no error recorded before invoke");
    fill_inputs(h, 1);
    expect_status(pw_interpreter_invoke(h), PW_OK, "invoke");
    expect_status(pw_interpreter_last_error(h, &info), PW_OK, "last_error after invoke");
    check(info.status == PW_OK && info.op_index == UINT32_MAX && info.opcode == UINT32_MAX,
          "no error recorded after a successful invoke");
    free(arena);
}

enum { SNAP_CAP = 1 << 20 };

/* Two interpreters, re-init, and failed inits that must kill the old handle. */
static void check_lifecycle(const uint8_t *model, size_t len, size_t required)
{
    uint8_t *arena_a = xmalloc_aligned(required);
    uint8_t *arena_b = xmalloc_aligned(required);
    uint8_t *ref_x = malloc(SNAP_CAP);
    uint8_t *ref_y = malloc(SNAP_CAP);
    uint8_t *got = malloc(SNAP_CAP);
    if (ref_x == NULL || ref_y == NULL || got == NULL) {
        exit(2);
    }
    const uint32_t X = 7;
    const uint32_t Y = 99;
    pw_interpreter *a = NULL;
    pw_interpreter *b = NULL;

    /* Reference outputs for inputs X and Y from interpreter A alone. */
    expect_status(pw_interpreter_init(model, len, arena_a, required, NULL, &a), PW_OK, "init A");
    fill_inputs(a, X);
    expect_status(pw_interpreter_invoke(a), PW_OK, "invoke A on X");
    size_t n = snapshot_outputs(a, ref_x, SNAP_CAP);
    fill_inputs(a, Y);
    expect_status(pw_interpreter_invoke(a), PW_OK, "invoke A on Y");
    size_t n_y = snapshot_outputs(a, ref_y, SNAP_CAP);
    check(n > 0 && n == n_y, "outputs captured (%zu bytes)", n);

    /* B on its own arena; A and B alternate on different inputs. */
    expect_status(pw_interpreter_init(model, len, arena_b, required, NULL, &b), PW_OK, "init B");
    fill_inputs(a, X);
    fill_inputs(b, Y);
    expect_status(pw_interpreter_invoke(a), PW_OK, "invoke A (X)");
    expect_status(pw_interpreter_invoke(b), PW_OK, "invoke B (Y)");
    check(snapshot_outputs(a, got, SNAP_CAP) == n && memcmp(got, ref_x, n) == 0,
          "A's outputs on X unchanged by B");
    check(snapshot_outputs(b, got, SNAP_CAP) == n && memcmp(got, ref_y, n) == 0,
          "B's outputs on Y equal A's reference");
    fill_inputs(a, Y);
    fill_inputs(b, X);
    expect_status(pw_interpreter_invoke(b), PW_OK, "invoke B (X)");
    expect_status(pw_interpreter_invoke(a), PW_OK, "invoke A (Y)");
    check(snapshot_outputs(a, got, SNAP_CAP) == n && memcmp(got, ref_y, n) == 0,
          "A's outputs on Y equal the reference after B ran");
    check(snapshot_outputs(b, got, SNAP_CAP) == n && memcmp(got, ref_x, n) == 0,
          "B's outputs on X equal the reference after A ran");

    /* Re-init into A's arena: works, and B is untouched. */
    pw_interpreter *a2 = NULL;
    expect_status(pw_interpreter_init(model, len, arena_a, required, NULL, &a2), PW_OK,
                  "re-init into A's arena");
    fill_inputs(a2, X);
    expect_status(pw_interpreter_invoke(a2), PW_OK, "invoke re-initialized A (X)");
    check(snapshot_outputs(a2, got, SNAP_CAP) == n && memcmp(got, ref_x, n) == 0,
          "re-initialized A gives the reference outputs");
    check(snapshot_outputs(b, got, SNAP_CAP) == n && memcmp(got, ref_x, n) == 0,
          "B's last outputs untouched by the re-init of A");
    fill_inputs(b, Y);
    expect_status(pw_interpreter_invoke(b), PW_OK, "invoke B after A's re-init");
    check(snapshot_outputs(b, got, SNAP_CAP) == n && memcmp(got, ref_y, n) == 0,
          "B still gives the reference outputs");

    /* Failed inits into A's arena invalidate the interpreter that lived there. */
    static const uint8_t garbage[64] = {0x10, 0, 0, 0, 'N', 'O', 'P', 'E'};
    expect_init_fails(garbage, sizeof garbage, arena_a, required, NULL,
                      PW_ERR_MODEL_UNSUPPORTED_SCHEMA, "init of a garbage model into A's arena");
    expect_dead_handle(a2, PW_ERR_NOT_INITIALIZED, "A after a failed init (garbage model)");

    expect_status(pw_interpreter_init(model, len, arena_a, required, NULL, &a), PW_OK,
                  "init A again");
    expect_init_fails(model, len, arena_a, required - 1, NULL, PW_ERR_ARENA_TOO_SMALL,
                      "init into A's arena with one byte too few");
    expect_dead_handle(a, PW_ERR_NOT_INITIALIZED, "A after a failed init (arena too small)");

    expect_status(pw_interpreter_init(model, len, arena_a, required, NULL, &a), PW_OK,
                  "init A again");
    expect_init_fails(model, 0, arena_a, required, NULL, PW_ERR_MODEL_TRUNCATED,
                      "init of a zero-length model into A's arena");
    expect_dead_handle(a, PW_ERR_NOT_INITIALIZED, "A after a failed init (zero-length model)");

    /* B survived all of it. */
    fill_inputs(b, X);
    expect_status(pw_interpreter_invoke(b), PW_OK, "invoke B after A's failed inits");
    check(snapshot_outputs(b, got, SNAP_CAP) == n && memcmp(got, ref_x, n) == 0,
          "B still gives the reference outputs after A's failed inits");

    free(got);
    free(ref_y);
    free(ref_x);
    free(arena_b);
    free(arena_a);
}

/* ---- inputs in the caller's memory (PW_FLAG_EXTERNAL_INPUT) ------------------------------- */

enum { MAX_INPUTS = 8 };

/* The same outputs with the inputs in caller memory as with them in the arena; the caller's
 * bytes untouched; every misuse of pw_interpreter_invoke_with_inputs refused. */
static void check_external_inputs(const uint8_t *model, size_t len, size_t required)
{
    pw_options ext;
    expect_status(pw_options_default(&ext), PW_OK, "pw_options_default");
    ext.flags |= PW_FLAG_EXTERNAL_INPUT;
    size_t ext_required = 0;
    expect_status(pw_arena_required(model, len, &ext, &ext_required), PW_OK,
                  "pw_arena_required with PW_FLAG_EXTERNAL_INPUT");
    check(ext_required > 0 && ext_required <= required,
          "external inputs need no more arena (%zu <= %zu bytes)", ext_required, required);

    uint8_t *arena_a = xmalloc_aligned(required);
    uint8_t *arena_b = xmalloc_aligned(ext_required);
    uint8_t *ref = malloc(SNAP_CAP);
    uint8_t *got = malloc(SNAP_CAP);
    if (ref == NULL || got == NULL) {
        exit(2);
    }
    pw_interpreter *a = NULL;
    pw_interpreter *b = NULL;
    expect_status(pw_interpreter_init(model, len, arena_a, required, NULL, &a), PW_OK, "init (inputs in arena)");
    expect_status(pw_interpreter_init(model, len, arena_b, ext_required, &ext, &b), PW_OK,
                  "init (PW_FLAG_EXTERNAL_INPUT)");
    if (a == NULL || b == NULL) {
        goto out;
    }
    size_t n = 0;
    pw_interpreter_input_count(a, &n);
    if (n == 0 || n > MAX_INPUTS) {
        goto out;
    }
    /* The caller's input buffers, and copies to check they are never written. */
    pw_input inputs[MAX_INPUTS];
    uint8_t *copies[MAX_INPUTS] = {0};
    fill_inputs(a, 1234);
    for (size_t i = 0; i < n; i++) {
        pw_tensor t;
        expect_status(pw_interpreter_input(a, i, &t), PW_OK, "pw_interpreter_input");
        uint8_t *buf = malloc(t.bytes ? t.bytes : 1);
        copies[i] = malloc(t.bytes ? t.bytes : 1);
        if (buf == NULL || copies[i] == NULL) {
            exit(2);
        }
        memcpy(buf, t.data, t.bytes);
        memcpy(copies[i], t.data, t.bytes);
        inputs[i].data = buf;
        inputs[i].size = t.bytes;
    }
    expect_status(pw_interpreter_invoke(a), PW_OK, "invoke (inputs in arena)");
    size_t n_ref = snapshot_outputs(a, ref, SNAP_CAP);

    pw_tensor t;
    expect_status(pw_interpreter_input(b, 0, &t), PW_ERR_INVALID_ARGUMENT,
                  "pw_interpreter_input of an external input");
    expect_status(pw_interpreter_invoke(b), PW_ERR_INVALID_ARGUMENT,
                  "pw_interpreter_invoke without the external inputs");
    expect_status(pw_interpreter_invoke_with_inputs(b, inputs, n), PW_OK, "invoke_with_inputs");
    check(n_ref > 0 && snapshot_outputs(b, got, SNAP_CAP) == n_ref && memcmp(got, ref, n_ref) == 0,
          "external inputs give the outputs of inputs in the arena (%zu bytes)", n_ref);
    for (size_t i = 0; i < n; i++) {
        check(memcmp(inputs[i].data, copies[i], inputs[i].size) == 0, "input %zu left untouched", i);
    }
    /* Twice in a row: nothing of the inputs was consumed. */
    expect_status(pw_interpreter_invoke_with_inputs(b, inputs, n), PW_OK, "invoke_with_inputs again");
    check(snapshot_outputs(b, got, SNAP_CAP) == n_ref && memcmp(got, ref, n_ref) == 0,
          "a second invoke on the same external inputs gives the same outputs");
    /* The same call on the interpreter with inputs in its arena copies them in. */
    expect_status(pw_interpreter_invoke_with_inputs(a, inputs, n), PW_OK, "invoke_with_inputs (inputs in arena)");
    check(snapshot_outputs(a, got, SNAP_CAP) == n_ref && memcmp(got, ref, n_ref) == 0,
          "invoke_with_inputs copies into an arena input");

    /* Misuse. */
    expect_status(pw_interpreter_invoke_with_inputs(NULL, inputs, n), PW_ERR_NULL_POINTER, "NULL handle");
    expect_status(pw_interpreter_invoke_with_inputs(b, NULL, n), PW_ERR_NULL_POINTER, "NULL inputs");
    if (n < MAX_INPUTS) {
        inputs[n] = inputs[0]; /* a valid entry: only the count is wrong */
        expect_status(pw_interpreter_invoke_with_inputs(b, inputs, n + 1), PW_ERR_INVALID_ARGUMENT,
                      "one input too many");
    }
    if (n > 0) {
        expect_status(pw_interpreter_invoke_with_inputs(b, inputs, n - 1), PW_ERR_INVALID_ARGUMENT,
                      "one input too few");
    }
    pw_input bad = inputs[0];
    inputs[0].size = bad.size - 1;
    expect_status(pw_interpreter_invoke_with_inputs(b, inputs, n), PW_ERR_INVALID_ARGUMENT,
                  "an input one byte short");
    inputs[0].size = bad.size;
    inputs[0].data = NULL;
    expect_status(pw_interpreter_invoke_with_inputs(b, inputs, n), PW_ERR_NULL_POINTER, "an input's data NULL");
    inputs[0] = bad;
    expect_status(pw_interpreter_invoke_with_inputs(b, inputs, n), PW_OK, "invoke_with_inputs after the misuse");
    check(snapshot_outputs(b, got, SNAP_CAP) == n_ref && memcmp(got, ref, n_ref) == 0,
          "outputs right after the refused calls");
    for (size_t i = 0; i < n; i++) {
        free((void *)inputs[i].data);
        free(copies[i]);
    }
out:
    free(got);
    free(ref);
    free(arena_b);
    free(arena_a);
}

/* ---- main ------------------------------------------------------------------------------ */

/* A short label for a model path: "conv_1x1" for ".../conv_1x1/model.tflite", else the file
 * name. Written into `buf`. */
/* ---- inputs and outputs sharing bytes (PW_FLAG_KEEP_INPUTS, PW_FLAG_OUTPUTS_APART) --------- */

/* Copies all inputs, one after another, into `buf` (at most `cap` bytes); 0 if they do not
 * fit or cannot be read. */
static size_t snapshot_inputs(pw_interpreter *h, uint8_t *buf, size_t cap)
{
    size_t n = 0;
    size_t len = 0;
    if (pw_interpreter_input_count(h, &n) != PW_OK) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        pw_tensor t;
        if (pw_interpreter_input(h, i, &t) != PW_OK || t.bytes > cap - len) {
            return 0;
        }
        memcpy(buf + len, t.data, t.bytes);
        len += t.bytes;
    }
    return len;
}

/* The flags' guarantees: with PW_FLAG_KEEP_INPUTS invoke leaves the inputs as they were and a
 * repeated invoke gives the same outputs; with PW_FLAG_OUTPUTS_APART no output aliases an
 * input and the outputs survive writing the next inputs. Each flag costs no fewer bytes than
 * none; misuse of pw_interpreter_output_aliases_input is refused. */
static void check_io_sharing(const uint8_t *model, size_t len, size_t required)
{
    uint8_t *ref = malloc(SNAP_CAP);
    uint8_t *got = malloc(SNAP_CAP);
    uint8_t *in_ref = malloc(SNAP_CAP);
    uint8_t *in_got = malloc(SNAP_CAP);
    if (ref == NULL || got == NULL || in_ref == NULL || in_got == NULL) {
        exit(2);
    }
    /* Reference outputs from the default plan. */
    uint8_t *arena = xmalloc_aligned(required);
    pw_interpreter *h = NULL;
    expect_status(pw_interpreter_init(model, len, arena, required, NULL, &h), PW_OK, "init (default flags)");
    size_t n_ref = 0;
    if (h != NULL) {
        size_t outputs = 0;
        pw_interpreter_output_count(h, &outputs);
        int a = 7;
        expect_status(pw_interpreter_output_aliases_input(h, 0, NULL), PW_ERR_NULL_POINTER,
                      "output_aliases_input(NULL out)");
        expect_status(pw_interpreter_output_aliases_input(NULL, 0, &a), PW_ERR_NULL_POINTER,
                      "output_aliases_input(NULL handle)");
        expect_status(pw_interpreter_output_aliases_input(h, outputs, &a), PW_ERR_INVALID_ARGUMENT,
                      "output_aliases_input(index past the outputs)");
        check(a == 7, "output_aliases_input leaves *aliases untouched on failure");
        for (size_t j = 0; j < outputs; j++) {
            a = 7;
            expect_status(pw_interpreter_output_aliases_input(h, j, &a), PW_OK, "output_aliases_input");
            check(a == 0 || a == 1, "output %zu aliases an input: %d (default plan)", j, a);
        }
        fill_inputs(h, 77);
        expect_status(pw_interpreter_invoke(h), PW_OK, "invoke (default flags)");
        n_ref = snapshot_outputs(h, ref, SNAP_CAP);
    }
    free(arena);

    const uint32_t flag_sets[] = {PW_FLAG_KEEP_INPUTS, PW_FLAG_OUTPUTS_APART,
                                  PW_FLAG_KEEP_INPUTS | PW_FLAG_OUTPUTS_APART};
    for (size_t f = 0; f < sizeof flag_sets / sizeof flag_sets[0]; f++) {
        const uint32_t flags = flag_sets[f];
        pw_options o;
        pw_options_default(&o);
        o.flags = flags;
        size_t need = 0;
        char desc[128];
        snprintf(desc, sizeof desc, "arena_required(flags=0x%" PRIx32 ")", flags);
        expect_status(pw_arena_required(model, len, &o, &need), PW_OK, desc);
        check(need >= required, "flags=0x%" PRIx32 " cost %zu extra bytes", flags, need - required);
        arena = xmalloc_aligned(need);
        h = NULL;
        snprintf(desc, sizeof desc, "init(flags=0x%" PRIx32 ")", flags);
        expect_status(pw_interpreter_init(model, len, arena, need, &o, &h), PW_OK, desc);
        if (h == NULL) {
            free(arena);
            continue;
        }
        fill_inputs(h, 77);
        size_t n_in = snapshot_inputs(h, in_ref, SNAP_CAP);
        expect_status(pw_interpreter_invoke(h), PW_OK, "invoke");
        check(n_ref > 0 && snapshot_outputs(h, got, SNAP_CAP) == n_ref && memcmp(got, ref, n_ref) == 0,
              "flags=0x%" PRIx32 ": the default plan's outputs", flags);
        if (flags & PW_FLAG_KEEP_INPUTS) {
            check(n_in > 0 && snapshot_inputs(h, in_got, SNAP_CAP) == n_in && memcmp(in_got, in_ref, n_in) == 0,
                  "flags=0x%" PRIx32 ": invoke leaves the inputs intact", flags);
            expect_status(pw_interpreter_invoke(h), PW_OK, "invoke again without writing the inputs");
            check(snapshot_outputs(h, got, SNAP_CAP) == n_ref && memcmp(got, ref, n_ref) == 0,
                  "flags=0x%" PRIx32 ": a repeated invoke gives the same outputs", flags);
        }
        if (flags & PW_FLAG_OUTPUTS_APART) {
            size_t outputs = 0;
            pw_interpreter_output_count(h, &outputs);
            for (size_t j = 0; j < outputs; j++) {
                int a = 7;
                expect_status(pw_interpreter_output_aliases_input(h, j, &a), PW_OK, "output_aliases_input");
                check(a == 0, "flags=0x%" PRIx32 ": output %zu shares no byte with an input", flags, j);
            }
            fill_inputs(h, 78); /* the next inputs */
            check(snapshot_outputs(h, got, SNAP_CAP) == n_ref && memcmp(got, ref, n_ref) == 0,
                  "flags=0x%" PRIx32 ": outputs intact after writing the next inputs", flags);
        }
        free(arena);
    }
    /* The bit after the last flag is refused. */
    pw_options o;
    pw_options_default(&o);
    o.flags = PW_FLAG_OUTPUTS_APART << 1;
    size_t b = SIZE_SENTINEL;
    expect_status(pw_arena_required(model, len, &o, &b), PW_ERR_BAD_OPTIONS, "arena_required(flag bit 8)");
    free(in_got);
    free(in_ref);
    free(got);
    free(ref);
}

static const char *model_label(const char *path, char *buf, size_t cap)
{
    const char *base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    if (strcmp(base, "model.tflite") == 0 && base - path >= 2) {
        const char *end = base - 1; /* the '/' before "model.tflite" */
        const char *dir = end;
        while (dir > path && dir[-1] != '/') {
            dir--;
        }
        snprintf(buf, cap, "%.*s", (int)(end - dir), dir);
        return buf;
    }
    snprintf(buf, cap, "%s", base);
    return buf;
}

/* A model too large to plan on the stack: sized by init inside the arena. */
static void check_large_model(const uint8_t *model, size_t len)
{
    size_t required = SIZE_SENTINEL;
    expect_status(pw_arena_required(model, len, NULL, &required), PW_ERR_PLAN_NEEDS_ARENA,
                  "pw_arena_required of a large model");
    check(required == SIZE_SENTINEL, "arena_required out-param untouched for a large model");
    pw_error_info info;
    expect_status(pw_model_verify(model, len, NULL, &info), PW_ERR_PLAN_NEEDS_ARENA,
                  "pw_model_verify of a large model (every operator validated)");
    check(info.status == PW_ERR_PLAN_NEEDS_ARENA && info.arena_required == 0 &&
              info.op_index == UINT32_MAX,
          "pw_model_verify info: status %" PRIu32 ", arena_required %zu, op %" PRIu32,
          info.status, info.arena_required, info.op_index);

    /* Plenty of memory: init plans inside it and reports what it uses. */
    const size_t plenty = (size_t)64 << 20;
    uint8_t *arena = xmalloc_aligned(plenty);
    pw_interpreter *pw = NULL;
    expect_status(pw_interpreter_init(model, len, arena, plenty, NULL, &pw), PW_OK,
                  "init of a large model in 64 MiB");
    size_t used = 0;
    expect_status(pw_interpreter_arena_used(pw, &used), PW_OK, "arena_used of a large model");
    check(used > 0 && used < plenty && used % 16 == 0, "large model uses %zu arena bytes", used);

    /* That figure is exact: init succeeds with it, fails with less (too small to plan, or to
     * hold the plan), and the handle then goes stale. */
    expect_status(pw_interpreter_init(model, len, arena, used, NULL, &pw), PW_OK,
                  "init of a large model with exactly arena_used bytes");
    expect_status(pw_interpreter_invoke(pw), PW_OK, "invoke of a large model");
    const size_t small[] = {used - 16, used / 2, 4096};
    for (size_t i = 0; i < 3; i++) {
        char desc[96];
        snprintf(desc, sizeof desc, "init of a large model with %zu bytes (needs %zu)", small[i], used);
        expect_init_fails(model, len, arena, small[i], NULL, PW_ERR_ARENA_TOO_SMALL, desc);
    }
    expect_status(pw_interpreter_invoke(pw), PW_ERR_NOT_INITIALIZED,
                  "invoke of a large model after a failed re-init");

    /* Sized on the device without an arena: in a work buffer of plan_work_bytes. */
    pw_model_info sum;
    expect_status(pw_model_summary(model, len, NULL, &sum), PW_OK, "pw_model_summary of a large model");
    check(sum.verify_status == PW_ERR_PLAN_NEEDS_ARENA && sum.arena_required == 0 &&
              sum.plan_work_bytes > 0 && sum.plan_work_bytes < used && sum.unsupported_ops == 0,
          "large model summary: verify %" PRIu32 ", plan_work_bytes %zu, %" PRIu32 " operators",
          sum.verify_status, sum.plan_work_bytes, sum.operators);
    size_t sized = SIZE_SENTINEL;
    expect_status(pw_arena_required_in(model, len, NULL, arena, sum.plan_work_bytes, &sized), PW_OK,
                  "pw_arena_required_in(work = plan_work_bytes)");
    check(sized == used, "pw_arena_required_in gives %zu, init used %zu", sized, used);
    sized = SIZE_SENTINEL;
    expect_status(pw_arena_required_in(model, len, NULL, arena, sum.plan_work_bytes - 16, &sized),
                  PW_ERR_ARENA_TOO_SMALL, "pw_arena_required_in(work 16 bytes short)");
    expect_status(pw_arena_required_in(model, len, NULL, arena + 8, plenty - 8, &sized),
                  PW_ERR_ARENA_MISALIGNED, "pw_arena_required_in(misaligned work)");
    expect_status(pw_arena_required_in(model, len, NULL, NULL, plenty, &sized), PW_ERR_NULL_POINTER,
                  "pw_arena_required_in(NULL work)");
    expect_status(pw_arena_required_in(model, len, NULL, arena, plenty, NULL), PW_ERR_NULL_POINTER,
                  "pw_arena_required_in(NULL bytes)");
    check(sized == SIZE_SENTINEL, "pw_arena_required_in out-param untouched on failure");

    /* Every too-small init reports the bytes it needs: exact once the arena holds the
     * planner's work tables; below that a lower bound (flagged), and an init with that many
     * bytes then reports the exact figure. */
    const size_t lens[] = {used - 16, used / 2, sum.plan_work_bytes, sum.plan_work_bytes - 16, 4096, 0};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        pw_error_info info2;
        memset(&info2, 0xA5, sizeof info2);
        pw_interpreter *h = HANDLE_SENTINEL;
        char desc[96];
        snprintf(desc, sizeof desc, "init_ex of a large model with %zu bytes", lens[i]);
        expect_status(pw_interpreter_init_ex(model, len, arena, lens[i], NULL, &h, &info2),
                      PW_ERR_ARENA_TOO_SMALL, desc);
        int exact_expected = lens[i] >= sum.plan_work_bytes;
        check(h == HANDLE_SENTINEL && info2.status == PW_ERR_ARENA_TOO_SMALL &&
                  info2.arena_required_exact == (uint32_t)exact_expected &&
                  (exact_expected ? info2.arena_required == used
                                  : info2.arena_required > lens[i] && info2.arena_required <= used),
              "%s reports %zu bytes (%s), exact need %zu", desc, info2.arena_required,
              info2.arena_required_exact ? "exact" : "lower bound", used);
        if (!info2.arena_required_exact) {
            size_t at_least = info2.arena_required;
            expect_status(pw_interpreter_init_ex(model, len, arena, at_least, NULL, &h, &info2),
                          PW_ERR_ARENA_TOO_SMALL, "init_ex with the lower bound");
            check(info2.arena_required_exact == 1 && info2.arena_required == used,
                  "init_ex with the lower bound %zu reports the exact %zu (need %zu)", at_least,
                  info2.arena_required, used);
        }
    }
    pw_error_info ok;
    expect_status(pw_interpreter_init_ex(model, len, arena, used, NULL, &pw, &ok), PW_OK,
                  "init_ex of a large model with the reported size");
    check(ok.status == PW_OK && ok.arena_required == used && ok.arena_required_exact == 1,
          "init_ex success info: %zu bytes used", ok.arena_required);
    expect_status(pw_interpreter_invoke(pw), PW_OK, "invoke after init_ex with the reported size");
    free(arena);
}

/* The model described without an arena: summary, tensors, operators by name. */
static void check_model_description(const uint8_t *model, size_t len, size_t required)
{
    pw_model_info sum;
    expect_status(pw_model_summary(model, len, NULL, &sum), PW_OK, "pw_model_summary");
    size_t inputs = 0, outputs = 0;
    uint8_t *arena = xmalloc_aligned(required);
    pw_interpreter *pw = NULL;
    expect_status(pw_interpreter_init(model, len, arena, required, NULL, &pw), PW_OK, "init");
    pw_interpreter_input_count(pw, &inputs);
    pw_interpreter_output_count(pw, &outputs);
    check(sum.verify_status == PW_OK && sum.arena_required == required && sum.inputs == inputs &&
              sum.outputs == outputs && sum.operators > 0 && sum.unsupported_ops == 0 &&
              sum.features_missing == 0 && sum.features_needed != 0,
          "summary: %" PRIu32 " in, %" PRIu32 " out, %" PRIu32 " operators, %zu arena bytes",
          sum.inputs, sum.outputs, sum.operators, sum.arena_required);
    /* Inputs and outputs as the interpreter sees them. */
    for (size_t i = 0; i < inputs + outputs; i++) {
        int is_in = i < inputs;
        size_t k = is_in ? i : i - inputs;
        pw_tensor_info ti;
        pw_tensor t;
        expect_status(pw_model_tensor(model, len, is_in ? PW_MODEL_INPUT : PW_MODEL_OUTPUT, k, &ti),
                      PW_OK, "pw_model_tensor");
        if (is_in) {
            pw_interpreter_input(pw, k, &t);
        } else {
            pw_interpreter_output(pw, k, &t);
        }
        check(ti.bytes == t.bytes && ti.dtype == t.dtype && ti.rank == t.rank &&
                  memcmp(ti.dims, t.dims, sizeof t.dims) == 0 && ti.scale == t.scale &&
                  ti.zero_point == t.zero_point && ti.tensor_index < sum.tensors,
              "%s %zu \"%.*s\": %zu bytes, rank %" PRIu32 " as the interpreter has it",
              is_in ? "input" : "output", k, (int)ti.name_len, ti.name, ti.bytes, ti.rank);
    }
    pw_tensor_info ti;
    expect_status(pw_model_tensor(model, len, PW_MODEL_INPUT, inputs, &ti), PW_ERR_INVALID_ARGUMENT,
                  "pw_model_tensor(input past the count)");
    expect_status(pw_model_tensor(model, len, 7, 0, &ti), PW_ERR_INVALID_ARGUMENT,
                  "pw_model_tensor(unknown which)");
    uint64_t features = 0;
    for (uint32_t o = 0; o < sum.operators; o++) {
        pw_operator_info oi;
        expect_status(pw_model_operator(model, len, o, &oi), PW_OK, "pw_model_operator");
        const char *builtin = pw_opcode_name(oi.opcode);
        check(oi.supported == 1 && oi.name_len == strlen(builtin) &&
                  memcmp(oi.name, builtin, oi.name_len) == 0 && oi.output_tensor < sum.tensors,
              "operator %" PRIu32 ": %.*s (opcode %" PRIu32 ", feature %s)", o, (int)oi.name_len,
              oi.name, oi.opcode, oi.feature == UINT32_MAX ? "none" : pw_feature_name(oi.feature));
        if (oi.feature != UINT32_MAX) {
            features |= (uint64_t)1 << oi.feature;
        }
    }
    check(features == sum.features_needed, "features_needed is the union of the operators' features");
    pw_operator_info oi;
    expect_status(pw_model_operator(model, len, sum.operators, &oi), PW_ERR_INVALID_ARGUMENT,
                  "pw_model_operator(past the count)");
    check(strcmp(pw_opcode_name(3), "CONV_2D") == 0 && strcmp(pw_opcode_name(9999), "UNKNOWN") == 0 &&
              pw_feature_name(PW_FEATURE_COUNT) == NULL && pw_feature_name(0) != NULL,
          "pw_opcode_name / pw_feature_name");
    free(arena);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: misuse MODEL [MODEL...]\n");
        return 2;
    }
    int large = 0;
    for (int m = 1; m < argc; m++) {
        if (strcmp(argv[m], "--large") == 0) {
            large = 1;
            continue;
        }
        uint8_t *model = NULL;
        size_t len = 0;
        char label[64];
        g_model = model_label(argv[m], label, sizeof label);
        if (read_file(argv[m], &model, &len) != 0) {
            check(0, "read %s", argv[m]);
            continue;
        }
        if (large) {
            check_large_model(model, len);
            free(model);
            continue;
        }
        size_t required = 0;
        pw_status st = pw_arena_required(model, len, NULL, &required);
        expect_status(st, PW_OK, "pw_arena_required");
        if (st != PW_OK || required == 0) {
            free(model);
            continue;
        }
        if (m == 1) {
            check(pw_version() == PW_VERSION, "pw_version() == PW_VERSION (0x%06" PRIx32 ")",
                  pw_version());
            check_status_strings();
            check_null_pointers(model, len);
            check_broken_models(model, len);
        }
        check_options(model, len, required);
        check_arena_size_and_alignment(model, len, required);
        check_handles_and_tensors(model, len, required);
        check_lifecycle(model, len, required);
        check_external_inputs(model, len, required);
        check_io_sharing(model, len, required);
        check_model_description(model, len, required);
        free(model);
    }
    printf("%u passed, %u failed\n", g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}
