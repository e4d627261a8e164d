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

// Starts writing back a file range without waiting for it (sync_file_range(2)
// with SYNC_FILE_RANGE_WRITE); returns 0 or -1 with errno set. Elsewhere: 0.
static inline int logstitch_start_writeback(int fd, long long offset, long long count) {
#ifdef SYNC_FILE_RANGE_WRITE
    return sync_file_range(fd, offset, count, SYNC_FILE_RANGE_WRITE);
#else
    (void)fd; (void)offset; (void)count;
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

// Drops a file range that was handed to the disk earlier from the page
// cache, once it is written: sync_file_range(WAIT_BEFORE|WRITE|WAIT_AFTER)
// (normally long done, so no wait), then posix_fadvise(DONTNEED). Returns
// 0 or -1 with errno set. Elsewhere: only the fadvise.
static inline int logstitch_release_written(int fd, long long offset, long long count) {
#ifdef SYNC_FILE_RANGE_WRITE
    if (sync_file_range(fd, offset, count, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER) != 0) return -1;
#endif
    return posix_fadvise(fd, offset, count, POSIX_FADV_DONTNEED);
}

// Keeps memory that is freed for reuse by the process instead of handing it
// back to the kernel (glibc's trim and mmap thresholds; no effect on peak).
static inline void logstitch_keep_freed_memory(void) {
    mallopt(M_TRIM_THRESHOLD, INT_MAX);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
}
#endif
