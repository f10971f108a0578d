/*
 * blobs.S: the model, the input and the expected output, embedded at build time.
 *
 * The Makefile passes the file paths as string macros (MODEL_FILE, INPUT_FILE, GOLDEN_FILE).
 * Each blob gets a start label and a 32-bit length word:
 *     extern const uint8_t blob_model[];  extern const uint32_t blob_model_len;
 * With MODEL_MISALIGN=1 the model starts one byte after a 16-byte boundary, i.e. at an odd
 * address, to show that patchwise reads model bytes at any alignment (as from flash).
 */

#ifndef MODEL_MISALIGN
#define MODEL_MISALIGN 0
#endif

    .section .blobs, "a"

    .p2align 2
    .globl  blob_model_len, blob_input_len, blob_golden_len
blob_model_len:  .4byte blob_model_end - blob_model
blob_input_len:  .4byte blob_input_end - blob_input
blob_golden_len: .4byte blob_golden_end - blob_golden

    .p2align 4
#if MODEL_MISALIGN
    .byte   0xA5                      /* one pad byte: blob_model is odd */
#endif
    .globl  blob_model
blob_model:
    .incbin MODEL_FILE
blob_model_end:

    .p2align 4
    .globl  blob_input
blob_input:
    .incbin INPUT_FILE
blob_input_end:

    .p2align 4
    .globl  blob_golden
blob_golden:
    .incbin GOLDEN_FILE
blob_golden_end:

    .section .note.GNU-stack, "", @progbits
