#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes all of `bytes` to `fd`, retrying short writes and EINTR.
/// Returns nil, or the reason it failed (a full disk, say).
func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> String? {
    bytes.withUnsafeBytes { writeAll(fd, $0) }
}

func writeAll(_ fd: Int32, _ b: UnsafeRawBufferPointer) -> String? {
    guard let base = b.baseAddress else { return nil }
    var offset = 0
    while offset < b.count {
        let n = write(fd, base + offset, b.count - offset)
        if n < 0 {
            if errno == EINTR { continue }
            return String(cString: strerror(errno))
        }
        offset += n
    }
    return nil
}
