#ifndef FUZZ_DRIVER_H
#define FUZZ_DRIVER_H
#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer's driver with `callback` when the binary was linked with `-sanitize=fuzzer`;
/// returns -1 otherwise. SwiftPM gives every executable its own `main`, so libFuzzer's cannot
/// be used and its driver is called from there instead.
int FuzzDriver_run(int argc, char **argv, int (*callback)(const uint8_t *data, size_t size));
#endif
