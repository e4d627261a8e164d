/// A few dozen bytes on the stack for formatting a number or a time, then
/// appended to the output in one call. Appending byte by byte to an array
/// costs a uniqueness and capacity check per byte, and numbers are most of
/// what the writers write.
struct ByteScratch: NumberWriting {
    private var storage: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
    private(set) var count = 0
    static let capacity = 40

    @inline(__always) mutating func put(_ b: UInt8) {
        withUnsafeMutableBytes(of: &storage) { $0[count] = b }
        count += 1
    }

    /// `v` in exactly `width` digits, zero padded (`v` must fit).
    @inline(__always) mutating func put(_ v: UInt64, width: Int) {
        let at = count
        withUnsafeMutableBytes(of: &storage) { ASCII.writeDigits(v, width: width, to: $0.baseAddress! + at) }
        count += width
    }

    /// `digits` lowercase hex digits of `v` (they must fit).
    @inline(__always) mutating func putHex(_ v: UInt64, digits: Int) {
        let at = count
        withUnsafeMutableBytes(of: &storage) { ASCII.writeHex(v, digits: digits, to: $0, at: at) }
        count += digits
    }

    /// The bytes so far, where they lie (for the call).
    @inline(__always) func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        var s = storage
        let n = count
        return withUnsafeBytes(of: &s) { body(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
    }

    @inline(__always) func append(to out: ByteSink) {
        var s = storage
        let n = count
        withUnsafeBytes(of: &s) { out.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
    }

    @inline(__always) func append(to out: inout [UInt8]) {
        var s = storage
        let n = count
        withUnsafeBytes(of: &s) { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
    }
}
