/// A few dozen bytes on the stack for formatting a number or a time, then
/// appended to the output in one call. Appending byte by byte to an array
/// costs a uniqueness and capacity check per byte, and numbers are most of
/// what the writers write.
struct ByteScratch {
    private var storage: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
    private(set) var count = 0
    static let capacity = 40

    @inline(__always) mutating func put(_ b: UInt8) {
        withUnsafeMutableBytes(of: &storage) { $0[count] = b }
        count += 1
    }

    /// `v` in exactly `width` digits, zero padded (`v` must fit).
    @inline(__always) mutating func put(_ v: UInt64, width: Int) {
        var x = v
        let end = count + width
        let start = count
        withUnsafeMutableBytes(of: &storage) { d in
            var i = end
            let pairs = UnsafeRawPointer(ASCII.digitPairs.utf8Start)
            while i - start >= 2 {
                let r = Int(truncatingIfNeeded: x % 100)
                x /= 100
                i -= 2
                d.storeBytes(of: pairs.loadUnaligned(fromByteOffset: 2 * r, as: UInt16.self), toByteOffset: i, as: UInt16.self)
            }
            if i > start { d[start] = UInt8(truncatingIfNeeded: 0x30 &+ x % 10) }
        }
        count = end
    }

    /// `digits` lowercase hex digits of `v` (they must fit).
    @inline(__always) mutating func putHex(_ v: UInt64, digits: Int) {
        let at = count
        withUnsafeMutableBytes(of: &storage) { ASCII.writeHex(v, digits: digits, to: $0, at: at) }
        count += digits
    }

    /// `v` in as many digits as it takes.
    @inline(__always) mutating func putNumber(_ v: UInt64) {
        var digits = 1
        var limit: UInt64 = 10
        while digits < 20 && v >= limit { digits += 1; limit = limit &* 10 }
        put(v, width: digits)
    }

    @inline(__always) func append(to out: ByteSink) {
        var s = storage
        let n = count
        withUnsafeBytes(of: &s) { out.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
    }

    @inline(__always) func write(_ c: inout ByteSink.Cursor) {
        var s = storage
        let n = count
        withUnsafeBytes(of: &s) { c.bytes($0.baseAddress!, n) }
    }

    @inline(__always) func append(to out: inout [UInt8]) {
        var s = storage
        let n = count
        withUnsafeBytes(of: &s) { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
    }
}
