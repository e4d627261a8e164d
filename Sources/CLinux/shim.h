#ifndef LOGSTITCH_CLINUX_SHIM_H
#define LOGSTITCH_CLINUX_SHIM_H
// Linux calls that Swift's Glibc module does not declare (they need
// _GNU_SOURCE). Inline, so nothing is compiled or linked here.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <string.h>
#include <malloc.h>
#include <limits.h>

// O_DIRECT, which the Glibc module leaves out (it needs _GNU_SOURCE).
static inline int logstitch_o_direct(void) {
#ifdef O_DIRECT
    return O_DIRECT;
#else
    return 0;
#endif
}

// Asks the CPU to start loading the cache line at `p` (a hint: no fault,
// no effect on results), for loops that visit records in an order of their
// own, so that several misses are in flight at once.
static inline void logstitch_prefetch(const void *p) {
    __builtin_prefetch(p, 0, 3);
}

// memmem(3): the first occurrence of a byte string (glibc's is vectorised).
static inline void *logstitch_memmem(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len) {
    return memmem(haystack, haystack_len, needle, needle_len);
}

// Keeps memory that is freed for reuse by the process instead of handing it
// back to the kernel (glibc's trim and mmap thresholds; no effect on peak).
static inline void logstitch_keep_freed_memory(void) {
    mallopt(M_TRIM_THRESHOLD, INT_MAX);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
}
#endif
