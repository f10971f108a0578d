/*
 * blobs.S: embeds the model, the input tensor and the expected output at build time.
 *
 * The Makefile passes the file paths and the model placement as preprocessor macros:
 *   MODEL_PATH, INPUT_PATH, EXPECT_PATH  quoted file names for .incbin
 *   PLAN_PATH       (optional) quoted file name of a plan made on the host (make PLAN=host)
 *   MODEL_ALIGN     alignment of the model in flash (bytes, a power of two; default 16)
 *   MODEL_MISALIGN  1 to start the model one byte past that boundary, proving that
 *                   patchwise reads models at any address (flash images are often packed)
 * Each blob is exported as a start and an end label; C sees them as `const uint8_t x[]`.
 */
#ifndef MODEL_ALIGN
#define MODEL_ALIGN 16
#endif
#ifndef MODEL_MISALIGN
#define MODEL_MISALIGN 0
#endif

    .syntax unified

    /* The model stays in flash: patchwise reads it in place, it never copies it to RAM. */
    .section .rodata.model, "a", %progbits
    .balign MODEL_ALIGN
    .if MODEL_MISALIGN
    .byte 0xA5                          /* one filler byte: the model starts at align + 1 */
    .endif
    .global model_data, model_data_end
model_data:
    .incbin MODEL_PATH
model_data_end:

    /* The test input (raw int8 tensor bytes), copied into the input tensor before invoke. */
    .section .rodata.input, "a", %progbits
    .balign 4
    .global input_data, input_data_end
input_data:
    .incbin INPUT_PATH
input_data_end:

    /* The output TFLM computed for that input: the firmware must reproduce it byte for byte. */
    .section .rodata.expect, "a", %progbits
    .balign 4
    .global expected_data, expected_data_end
expected_data:
    .incbin EXPECT_PATH
expected_data_end:


#ifdef PLAN_PATH
    /* The plan made on the host for this model (patchwise plan MODEL --emit FILE). */
    .section .rodata.plan, "a", %progbits
    .balign 4
    .global plan_data, plan_data_end
plan_data:
    .incbin PLAN_PATH
plan_data_end:
#endif
