/*
 * bitflip: random single-bit flips in a live interpreter's arena never crash the library.
 *
 *   bitflip [--flips N] MODEL [MODEL...]
 *
 * For each model: init in an arena of exactly pw_arena_required bytes (malloc'd, so that
 * AddressSanitizer sees every byte past it), write inputs, invoke once and keep a copy of the
 * whole arena (the "fresh init"). Then, in two phases:
 *   1. every bit of the interpreter handle and what follows it (the arena's first 192 bytes)
 *      flipped alone,
 *   2. N random bits anywhere in the arena (default 3000; the Makefile runs 2000), the flips accumulating over a few
 *      invokes before the arena is restored from the copy (at once after a failed call),
 * each flip followed by pw_interpreter_invoke and the other calls that take the handle
 * (outputs are read through the pointers they return). Every status must be one this library
 * documents (pw_status_str knows it); a crash, or an ASan/UBSan report under `make sanitize`,
 * fails the run. A missing model file is skipped with a message.
 *
 * Exit status: 0 when every check passed, 1 otherwise, 2 for usage errors.
 */
#define _POSIX_C_SOURCE 200112L /* posix_memalign */

#include "patchwise.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned g_passed;
static unsigned g_failed;

static void check(int ok, const char *model, const char *what, uint32_t status)
{
    if (ok) {
        g_passed++;
        return;
    }
    g_failed++;
    printf("FAIL - [%s] %s: status %" PRIu32 " (%s)\n", model, what, status, pw_status_str(status));
}

static int known(pw_status s)
{
    return strcmp(pw_status_str(s), "unknown status") != 0;
}

static uint32_t next_random(uint32_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 17;
    *state ^= *state << 5;
    return *state;
}

static int read_file(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return -1;
    }
    if (fseek(f, 0, SEEK_END) != 0) {
        fclose(f);
        return -1;
    }
    long n = ftell(f);
    rewind(f);
    *data = malloc(n > 0 ? (size_t)n : 1);
    if (*data == NULL || n < 0 || fread(*data, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(*data);
        return -1;
    }
    fclose(f);
    *len = (size_t)n;
    return 0;
}

/* Status counts of the invokes after a flip, by code (indices: OK, corrupted, other). */
struct tally {
    unsigned ok, corrupted, not_initialized, kernel_failed, other;
};

static void count(struct tally *t, pw_status s)
{
    if (s == PW_OK) {
        t->ok++;
    } else if (s == PW_ERR_ARENA_CORRUPTED) {
        t->corrupted++;
    } else if (s == PW_ERR_NOT_INITIALIZED) {
        t->not_initialized++;
    } else if (s == PW_ERR_KERNEL_FAILED) {
        t->kernel_failed++;
    } else {
        t->other++;
    }
}

/* Every call that takes the handle, after a flip; returns 0 when one of them failed. Outputs
 * that come back OK are read in full (a wild pointer would crash or trip ASan here). */
static int exercise(pw_interpreter *h, const char *model, struct tally *t)
{
    int all_ok = 1;
    pw_status s = pw_interpreter_invoke(h);
    check(known(s), model, "invoke after a flip", s);
    count(t, s);
    all_ok &= s == PW_OK;
    size_t n = 0;
    s = pw_interpreter_output_count(h, &n);
    check(known(s), model, "output_count", s);
    all_ok &= s == PW_OK;
    for (size_t j = 0; s == PW_OK && j < n && j < 16; j++) {
        pw_tensor out;
        pw_status so = pw_interpreter_output(h, j, &out);
        check(known(so), model, "output", so);
        if (so == PW_OK) {
            volatile uint8_t sum = 0;
            for (size_t k = 0; k < out.bytes; k++) {
                sum += ((const uint8_t *)out.data)[k];
            }
            (void)sum;
        }
        int aliases = 0;
        so = pw_interpreter_output_aliases_input(h, j, &aliases);
        check(known(so), model, "output_aliases_input", so);
    }
    pw_tensor in;
    s = pw_interpreter_input(h, 0, &in);
    check(known(s), model, "input", s);
    if (s == PW_OK) {
        memset(in.data, 1, in.bytes);
    }
    size_t used = 0;
    s = pw_interpreter_arena_used(h, &used);
    check(known(s), model, "arena_used", s);
    all_ok &= s == PW_OK;
    pw_error_info info;
    s = pw_interpreter_last_error(h, &info);
    check(known(s), model, "last_error", s);
    all_ok &= s == PW_OK;
    return all_ok;
}

static void run_model(const char *path, unsigned flips)
{
    const char *name = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
    uint8_t *model = NULL;
    size_t len = 0;
    if (read_file(path, &model, &len) != 0) {
        printf("skipped: %s not found\n", path);
        return;
    }
    size_t need = 0;
    pw_status s = pw_arena_required(model, len, NULL, &need);
    if (s != PW_OK) {
        check(0, name, "pw_arena_required", s);
        free(model);
        return;
    }
    uint8_t *arena = NULL;
    uint8_t *fresh = malloc(need);
    if (posix_memalign((void **)&arena, PW_ARENA_ALIGN, need) != 0 || fresh == NULL) {
        exit(2);
    }
    pw_interpreter *h = NULL;
    s = pw_interpreter_init(model, len, arena, need, NULL, &h);
    check(s == PW_OK, name, "init in an exactly sized arena", s);
    if (s != PW_OK) {
        free(arena);
        free(fresh);
        free(model);
        return;
    }
    pw_tensor in;
    if (pw_interpreter_input(h, 0, &in) == PW_OK) {
        memset(in.data, 3, in.bytes);
    }
    s = pw_interpreter_invoke(h);
    check(s == PW_OK, name, "invoke before any flip", s);
    memcpy(fresh, arena, need);

    /* Phase 1: every bit of the handle, each alone. */
    struct tally handle = {0};
    size_t head = need < 192 ? need : 192;
    for (size_t bit = 0; bit < head * 8; bit++) {
        arena[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        exercise(h, name, &handle);
        memcpy(arena, fresh, need);
    }
    /* Phase 2: random bits over the whole arena, accumulating over up to 4 invokes. */
    struct tally anywhere = {0};
    uint32_t rng = 0x9E3779B9u ^ (uint32_t)need;
    unsigned since_restore = 0;
    for (unsigned f = 0; f < flips; f++) {
        size_t bit = (size_t)(((uint64_t)next_random(&rng) << 32 | next_random(&rng)) % ((uint64_t)need * 8));
        arena[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        int ok = exercise(h, name, &anywhere);
        if (!ok || ++since_restore == 4) {
            memcpy(arena, fresh, need);
            since_restore = 0;
        }
    }
    printf("%s: arena %zu bytes; %zu handle-bit flips: %u ok, %u PW_ERR_ARENA_CORRUPTED, %u "
           "PW_ERR_NOT_INITIALIZED, %u PW_ERR_KERNEL_FAILED, %u other; %u random flips: %u ok, %u "
           "corrupted, %u not initialized, %u kernel failed, %u other\n",
           name, need, head * 8, handle.ok, handle.corrupted, handle.not_initialized, handle.kernel_failed,
           handle.other, flips, anywhere.ok, anywhere.corrupted, anywhere.not_initialized,
           anywhere.kernel_failed, anywhere.other);
    free(arena);
    free(fresh);
    free(model);
}

int main(int argc, char **argv)
{
    unsigned flips = 3000;
    int models = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--flips") == 0 && i + 1 < argc) {
            flips = (unsigned)strtoul(argv[++i], NULL, 10);
            continue;
        }
        run_model(argv[i], flips);
        models++;
    }
    if (models == 0) {
        fprintf(stderr, "usage: bitflip [--flips N] MODEL [MODEL...]\n");
        return 2;
    }
    printf("%u passed, %u failed\n", g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}
