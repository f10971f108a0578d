/*
 * pw_run: run a .tflite model once through the patchwise C API on a PC.
 *
 *   pw_run MODEL [--input FILE]... [--expect FILE]...
 *
 * The i-th --input file fills model input i; the i-th --expect file is compared byte for byte
 * with model output i. Files are raw tensor bytes (no header), exactly pw_tensor.bytes long.
 * Without --input the inputs keep the bytes init left there (zeros).
 *
 * Exit status: 0 all outputs match (or nothing to compare), 1 some output differs,
 * 2 any error (bad arguments, unreadable file, model refused, invoke failed).
 *
 * The flow is the one firmware uses: pw_arena_required -> allocate a PW_ARENA_ALIGN-aligned
 * arena -> pw_interpreter_init -> write inputs -> pw_interpreter_invoke -> read outputs.
 * Only the model file and the arena come from the heap here; on a microcontroller the model
 * sits in flash and the arena is a static, aligned array.
 */
#define _POSIX_C_SOURCE 200112L /* posix_memalign */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "patchwise.h"

enum { EXIT_MATCH = 0, EXIT_MISMATCH = 1, EXIT_ERROR = 2 };
enum { MAX_FILES = 16, SHOW_VALUES = 8 };

/* Reads a whole file into a malloc'd buffer. Returns 0 on success. */
static int read_file(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    uint8_t *buf = NULL;
    size_t n = 0;
    size_t cap = 0;
    for (;;) {
        if (n == cap) {
            size_t new_cap = cap == 0 ? 4096 : cap * 2;
            uint8_t *p = realloc(buf, new_cap);
            if (p == NULL) {
                fprintf(stderr, "%s: out of memory\n", path);
                free(buf);
                fclose(f);
                return -1;
            }
            buf = p;
            cap = new_cap;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            break;
        }
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        fprintf(stderr, "%s: read error\n", path);
        free(buf);
        return -1;
    }
    *data = buf;
    *len = n;
    return 0;
}

static const char *type_name(pw_type t)
{
    switch (t) {
    case PW_TYPE_FLOAT32: return "float32";
    case PW_TYPE_INT32: return "int32";
    case PW_TYPE_UINT8: return "uint8";
    case PW_TYPE_INT64: return "int64";
    case PW_TYPE_BOOL: return "bool";
    case PW_TYPE_INT16: return "int16";
    case PW_TYPE_INT8: return "int8";
    default: return "unknown";
    }
}

/* Size in bytes of one element, or 0 for an unknown type. */
static size_t type_size(pw_type t)
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

/* Prints "int8 [1,4,4,3] scale=0.04 zero_point=-5 bytes=48". */
static void print_tensor_header(const char *what, size_t index, const pw_tensor *t)
{
    printf("%s %zu: %s [", what, index, type_name(t->dtype));
    for (uint32_t d = 0; d < t->rank && d < PW_MAX_RANK; d++) {
        printf(d == 0 ? "%" PRId32 : ",%" PRId32, t->dims[d]);
    }
    printf("] scale=%g zero_point=%" PRId32 " bytes=%zu\n", (double)t->scale, t->zero_point, t->bytes);
}

/* Prints the first few elements of a tensor. memcpy reads them at any alignment. */
static void print_first_values(const pw_tensor *t)
{
    size_t elem = type_size(t->dtype);
    if (elem == 0) {
        return;
    }
    size_t count = t->bytes / elem;
    const uint8_t *p = t->data;
    printf("  first values:");
    for (size_t i = 0; i < count && i < SHOW_VALUES; i++, p += elem) {
        switch (t->dtype) {
        case PW_TYPE_INT8: printf(" %d", (int)(int8_t)*p); break;
        case PW_TYPE_UINT8:
        case PW_TYPE_BOOL: printf(" %u", (unsigned)*p); break;
        case PW_TYPE_INT16: { int16_t v; memcpy(&v, p, 2); printf(" %d", (int)v); break; }
        case PW_TYPE_INT32: { int32_t v; memcpy(&v, p, 4); printf(" %" PRId32, v); break; }
        case PW_TYPE_INT64: { int64_t v; memcpy(&v, p, 8); printf(" %" PRId64, v); break; }
        case PW_TYPE_FLOAT32: { float v; memcpy(&v, p, 4); printf(" %g", (double)v); break; }
        default: break;
        }
    }
    printf(count > SHOW_VALUES ? " ...\n" : "\n");
}

/* Explains why a model was refused: pw_model_verify names the operator or tensor. */
static void explain_model_error(const uint8_t *model, size_t len)
{
    pw_error_info info;
    pw_status st = pw_model_verify(model, len, NULL, &info);
    if (st == PW_OK) {
        return;
    }
    if (info.op_index != UINT32_MAX) {
        fprintf(stderr, "  at operator %" PRIu32 " (builtin opcode %" PRIu32 ")\n", info.op_index,
                info.opcode);
    }
    if (info.tensor_index != UINT32_MAX) {
        fprintf(stderr, "  tensor %" PRIu32 "\n", info.tensor_index);
    }
    if (info.arena_required != 0) {
        fprintf(stderr, "  arena required: %zu bytes\n", info.arena_required);
    }
}

static void usage(void)
{
    fprintf(stderr, "usage: pw_run MODEL [--input FILE]... [--expect FILE]...\n");
}

int main(int argc, char **argv)
{
    const char *model_path = NULL;
    const char *inputs[MAX_FILES];
    const char *expects[MAX_FILES];
    size_t n_inputs = 0;
    size_t n_expects = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--input") == 0 || strcmp(a, "--expect") == 0) {
            int is_input = a[2] == 'i';
            if (i + 1 >= argc) {
                fprintf(stderr, "error: %s needs a FILE\n", a);
                usage();
                return EXIT_ERROR;
            }
            size_t *n = is_input ? &n_inputs : &n_expects;
            if (*n == MAX_FILES) {
                fprintf(stderr, "error: at most %d %s files\n", MAX_FILES, a);
                return EXIT_ERROR;
            }
            (is_input ? inputs : expects)[(*n)++] = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "error: unknown option %s\n", a);
            usage();
            return EXIT_ERROR;
        } else if (model_path == NULL) {
            model_path = a;
        } else {
            fprintf(stderr, "error: more than one MODEL given\n");
            usage();
            return EXIT_ERROR;
        }
    }
    if (model_path == NULL) {
        usage();
        return EXIT_ERROR;
    }

    int rc = EXIT_ERROR;
    uint8_t *model = NULL;
    void *arena = NULL;
    size_t model_len = 0;
    pw_status st;

    if (read_file(model_path, &model, &model_len) != 0) {
        goto done;
    }

    /* 1. Size the arena. The figure is exact: init uses all of it and nothing more. A model
     *    too large to plan on the library's stack budget is planned inside the arena by init:
     *    give it plenty (here 64 MiB) and read back what it used. */
    size_t arena_len = 0;
    st = pw_arena_required(model, model_len, NULL, &arena_len);
    if (st == PW_ERR_PLAN_NEEDS_ARENA) {
        printf("note: %s; planning inside a 64 MiB arena\n", pw_status_str(st));
        arena_len = (size_t)64 << 20;
        st = PW_OK;
    }
    if (st != PW_OK) {
        fprintf(stderr, "error: %s: pw_arena_required: %s (%" PRIu32 ")\n", model_path,
                pw_status_str(st), st);
        explain_model_error(model, model_len);
        goto done;
    }

    /* 2. Allocate it on a PW_ARENA_ALIGN boundary (posix_memalign needs a non-zero size). */
    if (posix_memalign(&arena, PW_ARENA_ALIGN, arena_len > 0 ? arena_len : 1) != 0) {
        arena = NULL;
        fprintf(stderr, "error: cannot allocate %zu arena bytes\n", arena_len);
        goto done;
    }

    /* 3. Build the interpreter inside the arena. */
    pw_interpreter *interp = NULL;
    st = pw_interpreter_init(model, model_len, arena, arena_len, NULL, &interp);
    if (st != PW_OK) {
        fprintf(stderr, "error: %s: pw_interpreter_init: %s (%" PRIu32 ")\n", model_path,
                pw_status_str(st), st);
        explain_model_error(model, model_len);
        goto done;
    }
    size_t n_in = 0;
    size_t n_out = 0;
    size_t used = 0;
    if (pw_interpreter_input_count(interp, &n_in) != PW_OK ||
        pw_interpreter_output_count(interp, &n_out) != PW_OK ||
        pw_interpreter_arena_used(interp, &used) != PW_OK) {
        fprintf(stderr, "error: cannot query the interpreter\n");
        goto done;
    }
    printf("model %s: %zu bytes, %zu input(s), %zu output(s), arena %zu bytes\n", model_path,
           model_len, n_in, n_out, used);

    /* 4. Fill the inputs. A file must hold exactly the tensor's bytes. */
    if (n_inputs != 0 && n_inputs != n_in) {
        fprintf(stderr, "error: %zu --input file(s) given, the model has %zu input(s)\n", n_inputs,
                n_in);
        goto done;
    }
    if (n_inputs == 0) {
        printf("note: no --input given; inputs hold zero bytes\n");
    }
    for (size_t i = 0; i < n_in; i++) {
        pw_tensor t;
        st = pw_interpreter_input(interp, i, &t);
        if (st != PW_OK) {
            fprintf(stderr, "error: pw_interpreter_input(%zu): %s\n", i, pw_status_str(st));
            goto done;
        }
        print_tensor_header("input", i, &t);
        if (n_inputs == 0) {
            continue;
        }
        uint8_t *bytes = NULL;
        size_t len = 0;
        if (read_file(inputs[i], &bytes, &len) != 0) {
            goto done;
        }
        if (len != t.bytes) {
            fprintf(stderr, "error: %s has %zu bytes, input %zu needs exactly %zu\n", inputs[i], len,
                    i, t.bytes);
            free(bytes);
            goto done;
        }
        memcpy(t.data, bytes, len);
        free(bytes);
    }

    /* 5. Run. On failure the interpreter names the operator. */
    st = pw_interpreter_invoke(interp);
    if (st != PW_OK) {
        fprintf(stderr, "error: pw_interpreter_invoke: %s (%" PRIu32 ")\n", pw_status_str(st), st);
        pw_error_info info;
        if (pw_interpreter_last_error(interp, &info) == PW_OK && info.op_index != UINT32_MAX) {
            fprintf(stderr, "  at operator %" PRIu32 " (builtin opcode %" PRIu32 ")\n",
                    info.op_index, info.opcode);
        }
        goto done;
    }

    /* 6. Print the outputs and compare them with the expected files. */
    if (n_expects != 0 && n_expects != n_out) {
        fprintf(stderr, "error: %zu --expect file(s) given, the model has %zu output(s)\n",
                n_expects, n_out);
        goto done;
    }
    int mismatch = 0;
    for (size_t i = 0; i < n_out; i++) {
        pw_tensor t;
        st = pw_interpreter_output(interp, i, &t);
        if (st != PW_OK) {
            fprintf(stderr, "error: pw_interpreter_output(%zu): %s\n", i, pw_status_str(st));
            goto done;
        }
        print_tensor_header("output", i, &t);
        print_first_values(&t);
        if (n_expects == 0) {
            continue;
        }
        uint8_t *want = NULL;
        size_t len = 0;
        if (read_file(expects[i], &want, &len) != 0) {
            goto done;
        }
        if (len != t.bytes) {
            fprintf(stderr, "error: %s has %zu bytes, output %zu has %zu\n", expects[i], len, i,
                    t.bytes);
            free(want);
            goto done;
        }
        const uint8_t *got = t.data;
        size_t differ = 0;
        size_t first = 0;
        for (size_t b = 0; b < len; b++) {
            if (got[b] != want[b]) {
                if (differ == 0) {
                    first = b;
                }
                differ++;
            }
        }
        if (differ == 0) {
            printf("  matches %s\n", expects[i]);
        } else {
            printf("  MISMATCH with %s: %zu of %zu bytes differ, first at byte %zu "
                   "(got 0x%02x, expected 0x%02x)\n",
                   expects[i], differ, len, first, got[first], want[first]);
            mismatch = 1;
        }
        free(want);
    }
    rc = mismatch ? EXIT_MISMATCH : EXIT_MATCH;
    if (n_expects != 0) {
        printf("%s\n", mismatch ? "result: MISMATCH" : "result: all outputs match");
    }

done:
    free(arena);
    free(model);
    return rc;
}
