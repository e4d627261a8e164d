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
#include <stdint.h>
#include <stddef.h>

// O_DIRECT, which the Glibc module leaves out (it needs _GNU_SOURCE).
static inline int logstitch_o_direct(void) {
#ifdef O_DIRECT
    return O_DIRECT;
#else
    return 0;
#endif
}

// glibc's memmem (two-way search, vectorised), for finding an id in
// megabytes of output at disk speed (`logstitch show`).
static inline const void *logstitch_memmem(const void *h, size_t hn, const void *n, size_t nn) {
    return memmem(h, hn, n, nn);
}

// Asks the CPU to start loading the cache line at `p` (a hint: no fault,
// no effect on results), for loops that visit records in an order of their
// own, so that several misses are in flight at once.
static inline void logstitch_prefetch(const void *p) {
    __builtin_prefetch(p, 0, 3);
}

// Where a JSON string ends: the offset in p[0..<n] of the first quote that
// no backslash escapes (n if there is none), and whether a backslash comes
// before it (*escapes). 64 bytes at a time with SSE2: quotes and backslashes
// as bit masks, and the quotes an odd run of backslashes escapes found with
// carries (as simdjson does), so a string dense with escapes (a log line
// inside a CloudWatch envelope: \" every few bytes) costs the same per byte
// as one without. Never reads outside p[0..<n]. Without SSE2: 0 and *escapes
// -1, and the caller scans itself.
#if defined(__SSE2__)
#include <emmintrin.h>
static inline uint64_t logstitch_mask64(const unsigned char *p, unsigned char c) {
    __m128i v = _mm_set1_epi8((char)c);
    uint64_t m0 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)p), v));
    uint64_t m1 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), v));
    uint64_t m2 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), v));
    uint64_t m3 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), v));
    return m0 | (m1 << 16) | (m2 << 32) | (m3 << 48);
}
#endif

static inline size_t logstitch_json_string_end(const unsigned char *p, size_t n, int *escapes) {
#if defined(__SSE2__)
    const uint64_t even = 0x5555555555555555ULL, odd = ~even;
    uint64_t carry = 0;          // 1 when the previous chunk ended in an odd run of backslashes
    int seen = 0;
    unsigned char tail[64];
    for (size_t i = 0; i < n; i += 64) {
        const unsigned char *chunk = p + i;
        size_t left = n - i;
        if (left < 64) {
            // The last bytes, padded with zeros (neither quote nor backslash).
            memset(tail, 0, 64);
            memcpy(tail, chunk, left);
            chunk = tail;
        }
        uint64_t q = logstitch_mask64(chunk, '"');
        uint64_t b = logstitch_mask64(chunk, '\\');
        // Bytes escaped by an odd run of backslashes (simdjson's find_odd_backslash_sequences).
        uint64_t starts = b & ~(b << 1);
        uint64_t even_start_mask = even ^ carry;
        uint64_t even_starts = starts & even_start_mask;
        uint64_t odd_starts = starts & ~even_start_mask;
        uint64_t even_carries = b + even_starts;
        uint64_t odd_carries;
        int overflow = __builtin_add_overflow(b, odd_starts, &odd_carries);
        odd_carries |= carry;
        uint64_t escaped = ((even_carries & ~b) & odd) | ((odd_carries & ~b) & even);
        uint64_t closing = q & ~escaped;
        if (closing) {
            unsigned at = (unsigned)__builtin_ctzll(closing);
            size_t end = i + at;
            if (end >= n) break;
            uint64_t before = at == 0 ? 0 : (b & ((~0ULL) >> (64 - at)));
            *escapes = seen || before != 0;
            return end;
        }
        seen = seen || b != 0;
        carry = (uint64_t)overflow;
    }
    *escapes = seen;
    return n;
#else
    (void)p; (void)n;
    *escapes = -1;
    return 0;
#endif
}

// The offset of the first '"' or '\\' in p[from..<end], sixteen bytes at a
// time, or, when there is none in whole sixteens, the offset where fewer
// than sixteen bytes remain (the caller reads those). Most JSON strings are
// keys and ids shorter than 48 bytes: one to three steps. Never reads
// outside p[from..<end]. Without SSE2: `from`.
static inline size_t logstitch_skip_to_quote_or_backslash(const unsigned char *p, size_t from, size_t end) {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    size_t i = from;
    while (i + 16 <= end) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
        if (m) return i + (size_t)__builtin_ctz(m);
        i += 16;
    }
    return i;
#else
    (void)p; (void)end;
    return from;
#endif
}

// Copies n bytes into a buffer that only the disk reads (direct I/O):
// 64 bytes at a time with non-temporal stores, which go to memory without
// first reading the destination's lines into the cache or evicting what
// the workers are using there. Ends with a store fence, so the bytes are in
// memory before the write that follows. Without SSE2: memcpy.
static inline void logstitch_copy_for_disk(void *dst, const void *src, size_t n) {
#if defined(__SSE2__)
    unsigned char *d = (unsigned char *)dst;
    const unsigned char *s = (const unsigned char *)src;
    size_t head = (16 - ((uintptr_t)d & 15)) & 15;
    if (head > n) head = n;
    memcpy(d, s, head); d += head; s += head; n -= head;
    for (; n >= 64; n -= 64, d += 64, s += 64) {
        __m128i a = _mm_loadu_si128((const __m128i *)s);
        __m128i b = _mm_loadu_si128((const __m128i *)(s + 16));
        __m128i c = _mm_loadu_si128((const __m128i *)(s + 32));
        __m128i e = _mm_loadu_si128((const __m128i *)(s + 48));
        _mm_stream_si128((__m128i *)d, a);
        _mm_stream_si128((__m128i *)(d + 16), b);
        _mm_stream_si128((__m128i *)(d + 32), c);
        _mm_stream_si128((__m128i *)(d + 48), e);
    }
    memcpy(d, s, n);
    _mm_sfence();
#else
    memcpy(dst, src, n);
#endif
}

// Keeps memory that is freed for reuse by the process instead of handing it
// back to the kernel (glibc's trim and mmap thresholds; no effect on peak).
static inline void logstitch_keep_freed_memory(void) {
    mallopt(M_TRIM_THRESHOLD, INT_MAX);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
}
#endif
