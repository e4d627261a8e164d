/// Tests eight bytes at a time whether a buffer holds any of a few bytes
/// (SWAR: "SIMD within a register"). Writers use it to see that a value
/// needs no escaping or quoting, which is nearly always the case.
enum WordScan {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let high: UInt64 = 0x8080_8080_8080_8080

    /// Some byte of `x` is zero (exact as a yes/no answer).
    @inline(__always) static func anyZero(_ x: UInt64) -> Bool { (x &- ones) & ~x & high != 0 }
    /// Some byte of `x` is `b`.
    @inline(__always) static func has(_ x: UInt64, _ b: UInt8) -> Bool { anyZero(x ^ (ones &* UInt64(b))) }
    /// Index (0–7, in memory order) of the first byte of `x` equal to `a` or
    /// `b`, or 8. The borrow trick can mark bytes above a true match, never
    /// below one, so the lowest mark is exact.
    @inline(__always) static func firstOf(_ x: UInt64, _ a: UInt8, _ b: UInt8) -> Int {
        let xa = x ^ (ones &* UInt64(a)), xb = x ^ (ones &* UInt64(b))
        let marks = ((xa &- ones) & ~xa | (xb &- ones) & ~xb) & high
        return marks == 0 ? 8 : UInt64(littleEndian: marks).trailingZeroBitCount >> 3
    }

    /// From `i`, eight bytes at a time, to the first `a` or `b` in the whole
    /// words before `end`: where it stopped, at that byte or where fewer than
    /// eight bytes remain (the caller reads those one by one).
    @inline(__always) static func skipToEither(_ a: UInt8, _ b: UInt8, in base: UnsafeRawPointer, from i: Int, end: Int)
        -> Int
    {
        var i = i
        while i + 8 <= end {
            let k = firstOf(base.loadUnaligned(fromByteOffset: i, as: UInt64.self), a, b)
            i += k
            if k < 8 { break }
        }
        return i
    }

    /// 0x80 in each byte of `x` that is an ASCII capital letter, else 0.
    @inline(__always) static func upperASCIIMask(_ x: UInt64) -> UInt64 {
        let low7 = x & ~high
        let atLeastA = low7 &+ ones &* 0x3F  // high bit set from 0x41 up
        let pastZ = low7 &+ ones &* 0x25  // high bit set from 0x5B up
        return atLeastA & ~pastZ & ~x & high
    }

    /// Some byte of `x` is below `n` (exact as a yes/no answer for `n` up to 0x80).
    @inline(__always) static func hasBelow(_ x: UInt64, _ n: UInt8) -> Bool {
        (x &- ones &* UInt64(n)) & ~x & high != 0
    }

    /// Whether any byte of `buf` is one `byte` accepts; `word` must say the
    /// same of eight bytes at once.
    @inline(__always) static func containsAny(
        _ buf: UnsafeBufferPointer<UInt8>, word: (UInt64) -> Bool, byte: (UInt8) -> Bool
    ) -> Bool {
        guard let base = buf.baseAddress else { return false }
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i + 8 <= buf.count {
            if word(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) { return true }
            i += 8
        }
        while i < buf.count {
            if byte(buf[i]) { return true }
            i += 1
        }
        return false
    }
}
