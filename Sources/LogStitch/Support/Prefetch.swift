import CLinux

/// Correlation visits records in an order of its own (by time, across a
/// window's buckets) while they lie in memory in the order they were read
/// back, so nearly every visit is a cache miss. Asking for the record a few
/// steps ahead lets those misses overlap instead of queueing.
enum Prefetch {
    /// How many steps ahead loops ask.
    static let distance = 8

    /// Starts loading the first `lines` cache lines of the object at `p` (a
    /// hint: never faults):
    /// records span several lines, and the fields a loop reads first often
    /// lie in the last of them (a request's start at byte 216, say).
    @inline(__always) static func object(at p: UnsafeRawPointer, lines: Int) {
        for k in 0..<lines { logstitch_prefetch(p + 64 * k) }
    }
}

extension Array {
    /// Where element `i`'s object lies, read from its slot as a bare
    /// pointer: reading the reference the usual way would retain it, a write
    /// that has to wait for the very miss being avoided. The element is a
    /// reference, or a record whose first field is one (`RequestRecord`,
    /// `InvocationRecord`: the object that field refers to).
    @inline(__always) func address(of i: Int) -> UnsafeRawPointer {
        withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress! + i).load(as: UnsafeRawPointer.self) }
    }
}
