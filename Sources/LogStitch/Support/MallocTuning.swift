#if canImport(Glibc)
// <malloc.h> is not part of the Glibc module; mallopt takes and returns C ints.
@_silgen_name("mallopt") private func mallopt(_ parameter: Int32, _ value: Int32) -> Int32
private let M_TRIM_THRESHOLD: Int32 = -1
private let M_MMAP_THRESHOLD: Int32 = -3
#endif

/// glibc's malloc hands blocks of 128 KiB and up straight to `mmap` and
/// gives them back on free, and trims its heaps eagerly. Output is built in
/// megabyte pieces that are freed as soon as they are written, so every
/// piece came back as fresh pages the kernel had to zero: a fifth of a
/// run's CPU went to page faults. Serving such pieces from malloc's heaps
/// and keeping freed memory for reuse removes that; peak memory does not
/// change (the same pieces are live at the peak either way).
enum MallocTuning {
    nonisolated(unsafe) static var applied = false

    static func apply() {
        guard !applied else { return }
        applied = true
        #if canImport(Glibc)
        _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)   // glibc's maximum
        _ = mallopt(M_TRIM_THRESHOLD, 1 << 30)
        #endif
    }
}
