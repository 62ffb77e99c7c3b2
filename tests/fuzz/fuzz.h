/*
 * The libFuzzer entry point every target in tests/fuzz defines.  The same
 * object links either with libFuzzer (make fuzz) or with replay_main.c
 * (make unit), so a target must not depend on which one calls it.
 */
#ifndef VR_FUZZ_H
#define VR_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#endif
