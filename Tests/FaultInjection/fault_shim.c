// An LD_PRELOAD library for the fault-injection tests: it makes the N-th
// call of one I/O function on files whose path holds a given text fail with
// a given errno, and counts the calls it saw (so a test can learn, from a
// clean run, how many points there are to fail).
//
//   FAULT_OP     read | pread | write     which calls (write covers pwrite, writev)
//   FAULT_PATH   text in the file's path  e.g. the --tmp-dir or the --output
//   FAULT_NTH    1-based call to fail     0: fail none, only count
//   FAULT_ERRNO  errno to fail with       e.g. 5 (EIO), 28 (ENOSPC)
//   FAULT_COUNT  file to write the count of matching calls to, at exit
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static long seen = 0;

static int watched(const char *op, int fd) {
    const char *want = getenv("FAULT_OP"), *path = getenv("FAULT_PATH");
    if (!want || !path || strcmp(want, op) != 0) return 0;
    char link[64], target[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n < 0) return 0;
    target[n] = 0;
    return strstr(target, path) != NULL;
}

// 1 when this call must fail (and errno is set).
static int fail(const char *op, int fd) {
    if (!watched(op, fd)) return 0;
    long k = __atomic_add_fetch(&seen, 1, __ATOMIC_SEQ_CST);
    const char *nth = getenv("FAULT_NTH");
    if (nth && k == atol(nth)) {
        const char *e = getenv("FAULT_ERRNO");
        errno = e ? atoi(e) : EIO;
        return 1;
    }
    return 0;
}

__attribute__((destructor)) static void report(void) {
    const char *out = getenv("FAULT_COUNT");
    if (!out) return;
    FILE *f = fopen(out, "w");
    if (f) { fprintf(f, "%ld\n", seen); fclose(f); }
}

typedef ssize_t (*pread_fn)(int, void *, size_t, off_t);
typedef ssize_t (*read_fn)(int, void *, size_t);
typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef ssize_t (*writev_fn)(int, const struct iovec *, int);
#define REAL(name, type) static type real_##name; if (!real_##name) real_##name = (type)dlsym(RTLD_NEXT, #name)

ssize_t pread(int fd, void *buf, size_t n, off_t off) {
    REAL(pread, pread_fn);
    if (fail("pread", fd)) return -1;
    return real_pread(fd, buf, n, off);
}
ssize_t pread64(int fd, void *buf, size_t n, off_t off) {
    REAL(pread64, pread_fn);
    if (fail("pread", fd)) return -1;
    return real_pread64(fd, buf, n, off);
}
ssize_t read(int fd, void *buf, size_t n) {
    REAL(read, read_fn);
    if (fail("read", fd)) return -1;
    return real_read(fd, buf, n);
}
ssize_t write(int fd, const void *buf, size_t n) {
    REAL(write, write_fn);
    if (fail("write", fd)) return -1;
    return real_write(fd, buf, n);
}
ssize_t pwrite(int fd, const void *buf, size_t n, off_t off) {
    REAL(pwrite, pwrite_fn);
    if (fail("write", fd)) return -1;
    return real_pwrite(fd, buf, n, off);
}
ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off) {
    REAL(pwrite64, pwrite_fn);
    if (fail("write", fd)) return -1;
    return real_pwrite64(fd, buf, n, off);
}
ssize_t writev(int fd, const struct iovec *iov, int n) {
    REAL(writev, writev_fn);
    if (fail("write", fd)) return -1;
    return real_writev(fd, iov, n);
}
