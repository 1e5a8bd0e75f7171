#include "FuzzDriver.h"

/* Weak: present only when libFuzzer is linked in (LLVM 11+ exports it). */
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *, size_t)) __attribute__((weak));

int FuzzDriver_run(int argc, char **argv, int (*callback)(const uint8_t *data, size_t size)) {
    if (LLVMFuzzerRunDriver == NULL) return -1;
    return LLVMFuzzerRunDriver(&argc, &argv, callback);
}
