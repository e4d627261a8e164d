/// Growable output bytes written through a raw pointer. The JSON writer
/// appends a few bytes at a time, tens of millions of times a run, and an
/// `Array` checks uniqueness and capacity on every append; here an append
/// is a capacity check and a store. A class, so a writer's copies share it
/// (writers are passed `inout`, never copied on purpose).
final class ByteSink {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private(set) var capacity: Int

    init(capacity: Int = 1 << 16) {
        self.capacity = max(16, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    @inline(__always) func reserve(_ n: Int) {
        if count &+ n > capacity { grow(count + n) }
    }

    private func grow(_ needed: Int) {
        var c = capacity * 2
        while c < needed { c *= 2 }
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        fresh.update(from: base, count: count)
        base.deallocate()
        base = fresh
        capacity = c
    }

    @inline(__always) func append(_ b: UInt8) {
        reserve(1)
        base[count] = b
        count &+= 1
    }

    @inline(__always) func append(_ bytes: UnsafeRawBufferPointer) {
        guard let src = bytes.baseAddress else { return }
        reserve(bytes.count)
        appendUnchecked(src, bytes.count)
    }

    /// After `reserve`: a byte with no capacity check.
    @inline(__always) func appendUnchecked(_ b: UInt8) {
        base[count] = b
        count &+= 1
    }

    /// After `reserve`: `n` bytes with no capacity check. Most pieces are
    /// keys, ids and numbers of a few dozen bytes, for which a call into
    /// memcpy costs more than the copy: those move as two overlapping pairs
    /// of words (never reading outside the source).
    @inline(__always) func appendUnchecked(_ src: UnsafeRawPointer, _ n: Int) {
        Self.copySmall(UnsafeMutableRawPointer(base + count), src, n)
        count &+= n
    }

    @inline(__always) static func copySmall(_ d: UnsafeMutableRawPointer, _ src: UnsafeRawPointer, _ n: Int) {
        if n >= 8 && n <= 32 {
            let a = src.loadUnaligned(as: UInt64.self), z = src.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
            if n > 16 {
                let b = src.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                    y = src.loadUnaligned(fromByteOffset: n - 16, as: UInt64.self)
                d.storeBytes(of: b, toByteOffset: 8, as: UInt64.self)
                d.storeBytes(of: y, toByteOffset: n - 16, as: UInt64.self)
            }
            d.storeBytes(of: a, as: UInt64.self)
            d.storeBytes(of: z, toByteOffset: n - 8, as: UInt64.self)
        } else if n < 8 {
            if n >= 4 {
                let a = src.loadUnaligned(as: UInt32.self),
                    z = src.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
                d.storeBytes(of: a, as: UInt32.self)
                d.storeBytes(of: z, toByteOffset: n - 4, as: UInt32.self)
            } else {
                for i in 0..<n {
                    d.storeBytes(of: src.load(fromByteOffset: i, as: UInt8.self), toByteOffset: i, as: UInt8.self)
                }
            }
        } else {
            d.copyMemory(from: src, byteCount: n)
        }
    }

    @inline(__always) func append(_ bytes: UnsafeBufferPointer<UInt8>) { append(UnsafeRawBufferPointer(bytes)) }

    /// Where a run of small writes goes after one capacity check: the
    /// position lives in a register instead of being stored back to the
    /// sink (through which every byte store might write) after each byte.
    struct Cursor {
        var p: UnsafeMutablePointer<UInt8>

        @inline(__always) mutating func byte(_ b: UInt8) {
            p.pointee = b
            p += 1
        }
        @inline(__always) mutating func bytes(_ src: UnsafeRawPointer, _ n: Int) {
            ByteSink.copySmall(UnsafeMutableRawPointer(p), src, n)
            p += n
        }
        @inline(__always) mutating func bytes(_ s: StaticString) {
            bytes(UnsafeRawPointer(s.utf8Start), s.utf8CodeUnitCount)
        }
        /// Eight bytes stored at once (the capacity check must allow for it).
        @inline(__always) mutating func word(_ w: UInt64) {
            UnsafeMutableRawPointer(p).storeBytes(of: w, as: UInt64.self)
            p += 8
        }
        /// `v` as 16 lowercase hex digits (segment ids, the end of trace ids).
        @inline(__always) mutating func hex16(_ v: UInt64) {
            word(ASCII.hex8(UInt32(truncatingIfNeeded: v >> 32)))
            word(ASCII.hex8(UInt32(truncatingIfNeeded: v)))
        }
    }

    /// Reserves `maxBytes` and writes through a cursor.
    @inline(__always) func write(reserving maxBytes: Int, _ body: (inout Cursor) -> Void) {
        reserve(maxBytes)
        var c = Cursor(p: base + count)
        body(&c)
        count = c.p - base
    }

    func removeLast(_ n: Int) { count -= min(n, count) }

    /// The bytes so far, where they lie (valid until the next write).
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// The bytes so far, copied.
    var array: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
