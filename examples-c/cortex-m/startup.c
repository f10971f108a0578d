/*
 * startup.c: vector table, reset handler and fault handler for the Cortex-M4F of QEMU's
 * mps2-an386 board. Symbols named __something come from the linker script mps2_an386.ld.
 *
 * Reset sequence: enable the FPU, copy .data from flash to RAM, zero .bss, call main(), and
 * hand main's return value to the host as the exit code (semihosting SYS_EXIT_EXTENDED).
 */
#include <stdint.h>

#include "semihost.h"

/* Exit code used when the core takes a fault or an unexpected exception. */
#define EXIT_FAULT 3

/* Cortex-M System Control Block registers used here. */
#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u) /* coprocessor access control */
#define SCB_CFSR (*(volatile uint32_t *)0xE000ED28u)  /* configurable fault status */
#define SCB_HFSR (*(volatile uint32_t *)0xE000ED2Cu)  /* hard fault status */

/* Linker-script symbols: only their addresses matter. */
extern uint32_t __stack_top[];  /* initial stack pointer (top of RAM) */
extern uint32_t __data_load[];  /* .data image in flash */
extern uint32_t __data_start[]; /* .data in RAM */
extern uint32_t __data_end[];
extern uint32_t __bss_start[];
extern uint32_t __bss_end[];

int main(void);
void Reset_Handler(void) __attribute__((noreturn));
void Fault_Handler(void) __attribute__((naked, noreturn));
void fault_report(const uint32_t *frame) __attribute__((noreturn));

/*
 * The vector table: the core reads the initial stack pointer from address 0 and the reset
 * handler's address from address 4 (VTOR = 0 at reset). The linker script puts .vectors first
 * in flash. Every other exception goes to Fault_Handler, which reports it and exits: this
 * firmware enables no interrupts, so any exception means something went wrong. A real
 * application appends its IRQ handlers (entry 16 onwards) here.
 */
typedef struct {
    void *initial_sp;
    void (*handler[15])(void); /* exceptions 1 (Reset) .. 15 (SysTick) */
} vector_table;

__attribute__((section(".vectors"), used)) const vector_table g_vectors = {
    .initial_sp = __stack_top,
    .handler = {
        Reset_Handler, /*  1 Reset */
        Fault_Handler, /*  2 NMI */
        Fault_Handler, /*  3 HardFault */
        Fault_Handler, /*  4 MemManage */
        Fault_Handler, /*  5 BusFault */
        Fault_Handler, /*  6 UsageFault */
        0, 0, 0, 0,    /*  7-10 reserved */
        Fault_Handler, /* 11 SVCall */
        Fault_Handler, /* 12 DebugMonitor */
        0,             /* 13 reserved */
        Fault_Handler, /* 14 PendSV */
        Fault_Handler, /* 15 SysTick */
    },
};

void Reset_Handler(void)
{
    /*
     * 1. FPU first (hard-float builds): the C and Rust code is built with -mfloat-abi=hard, so any function may use
     *    the FPU registers; touching them while CP10/CP11 are disabled is a UsageFault (NOCP).
     *    CPACR bits 20-23 = full access to CP10 and CP11. DSB+ISB make the change take effect
     *    before the next instruction. This function itself contains no floating-point code.
     */
#if defined(__ARM_FP)
    SCB_CPACR |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif

    /* 2. Initialized data: copy its image from flash (load address) to RAM (run address). */
    const uint32_t *src = __data_load;
    uint32_t *dst = __data_start;
    uint32_t words = (uint32_t)((uintptr_t)__data_end - (uintptr_t)__data_start) / 4u;
    for (uint32_t i = 0; i < words; i++) {
        dst[i] = src[i];
    }

    /* 3. Zero-initialized data. (.arena is NOLOAD and deliberately not cleared.) */
    dst = __bss_start;
    words = (uint32_t)((uintptr_t)__bss_end - (uintptr_t)__bss_start) / 4u;
    for (uint32_t i = 0; i < words; i++) {
        dst[i] = 0;
    }

    /* 4. Run the application; its return value becomes QEMU's exit status. */
    sh_exit(main());
}

/*
 * Common entry of all faults: find the stacked exception frame (bit 2 of EXC_RETURN in lr
 * says whether it is on the main or the process stack) and pass it to fault_report in r0.
 */
void Fault_Handler(void)
{
    /* Armv6-M has neither IT blocks nor TST with an immediate: branches and MOVS/TST. */
    __asm__ volatile("movs r0, #4\n\t"
                     "mov r1, lr\n\t"
                     "tst r0, r1\n\t"
                     "bne 1f\n\t"
                     "mrs r0, msp\n\t"
                     "b fault_report\n"
                     "1:\n\t"
                     "mrs r0, psp\n\t"
                     "b fault_report\n\t");
}

/* Prints which exception was taken, where, and the fault status registers, then exits. */
void fault_report(const uint32_t *frame)
{
    static const char *const names[16] = {
        "?",          "Reset",    "NMI",      "HardFault", "MemManage", "BusFault",
        "UsageFault", "?",        "?",        "?",         "?",         "SVCall",
        "DebugMon",   "?",        "PendSV",   "SysTick",
    };
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    uint32_t exception = ipsr & 0x1FFu; /* active exception number */

    /* The frame holds r0-r3, r12, lr, pc, xPSR of the interrupted code, in this order. */
    sh_printf("FAULT: %s (exception %lu) pc=0x%08lx lr=0x%08lx CFSR=0x%08lx HFSR=0x%08lx\n",
              exception < 16 ? names[exception] : "IRQ", (unsigned long)exception,
              (unsigned long)frame[6], (unsigned long)frame[5], (unsigned long)SCB_CFSR,
              (unsigned long)SCB_HFSR);
    sh_exit(EXIT_FAULT);
}
