/// MD5 (RFC 1321), used only to name things deterministically: query classes
/// the way pt-query-digest checksums them, and synthesized trace/segment ids.
/// Not for security.
public enum MD5 {
    static let s: [UInt32] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ]
    static let k: [UInt32] = (0..<64).map { i in
        UInt32(truncatingIfNeeded: Int64((abs(sin(Double(i + 1))) * 4294967296.0).rounded(.down)))
    }

    static func sin(_ x: Double) -> Double {
        // Taylor series is too imprecise; use the libm one through Foundation-free Glibc.
        _sin(x)
    }

    /// Message index of each of the 64 steps.
    static let g: [Int] = (0..<64).map { i in
        switch i {
        case 0..<16: return i
        case 16..<32: return (5 * i + 1) % 16
        case 32..<48: return (3 * i + 5) % 16
        default: return (7 * i) % 16
        }
    }

    typealias State = (UInt32, UInt32, UInt32, UInt32)

    public static func digest(_ message: [UInt8]) -> [UInt8] {
        let st = message.withUnsafeBytes { state(of: $0) }
        var out = [UInt8](repeating: 0, count: 16)
        out.withUnsafeMutableBytes { o in
            o.storeBytes(of: st.0.littleEndian, toByteOffset: 0, as: UInt32.self)
            o.storeBytes(of: st.1.littleEndian, toByteOffset: 4, as: UInt32.self)
            o.storeBytes(of: st.2.littleEndian, toByteOffset: 8, as: UInt32.self)
            o.storeBytes(of: st.3.littleEndian, toByteOffset: 12, as: UInt32.self)
        }
        return out
    }

    /// The digest as its four little-endian words (digest bytes 0–3 are
    /// the first word's bytes in memory order).
    static func state(of msg: UnsafeRawBufferPointer) -> State {
        // Synthesized ids take one per request: the message is read in
        // place, the padded tail sits on the stack, the tables are read
        // without bounds checks.
        var st: State = (0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476)
        k.withUnsafeBufferPointer { kt in
            s.withUnsafeBufferPointer { st4 in
                g.withUnsafeBufferPointer { gt in
                    let full = msg.count / 64
                    for b in 0..<full { compress(&st, msg.baseAddress! + 64 * b, kt, st4, gt) }
                    // The rest, 0x80, zeros and the length in bits: one or two blocks.
                    var tail:
                        (
                            UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                            UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64
                        ) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
                    withUnsafeMutableBytes(of: &tail) { t in
                        let rest = msg.count - 64 * full
                        if rest > 0 { t.baseAddress!.copyMemory(from: msg.baseAddress! + 64 * full, byteCount: rest) }
                        t[rest] = 0x80
                        let blocks = rest + 1 + 8 <= 64 ? 1 : 2
                        t.storeBytes(
                            of: (UInt64(msg.count) &* 8).littleEndian, toByteOffset: 64 * blocks - 8, as: UInt64.self)
                        for b in 0..<blocks { compress(&st, UnsafeRawPointer(t.baseAddress! + 64 * b), kt, st4, gt) }
                    }
                }
            }
        }
        return st
    }

    @inline(__always)
    static func compress(
        _ st: inout State, _ block: UnsafeRawPointer, _ k: UnsafeBufferPointer<UInt32>,
        _ s: UnsafeBufferPointer<UInt32>, _ g: UnsafeBufferPointer<Int>
    ) {
        var a = st.0, b = st.1, c = st.2, d = st.3
        @inline(__always) func step(_ i: Int, _ f: UInt32) {
            let m = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 4 * g[i], as: UInt32.self))
            let x = f &+ a &+ k[i] &+ m
            a = d
            d = c
            c = b
            b = b &+ (x << s[i] | x >> (32 - s[i]))
        }
        // One loop per round: no switch on the round inside the 64 steps.
        for i in 0..<16 { step(i, (b & c) | (~b & d)) }
        for i in 16..<32 { step(i, (d & b) | (~d & c)) }
        for i in 32..<48 { step(i, b ^ c ^ d) }
        for i in 48..<64 { step(i, c ^ (b | ~d)) }
        st.0 = st.0 &+ a
        st.1 = st.1 &+ b
        st.2 = st.2 &+ c
        st.3 = st.3 &+ d
    }

    public static func hex(_ s: String) -> String {
        hexString(digest(Array(s.utf8)))
    }

    public static func hexString(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

#if canImport(Glibc)
    import Glibc
    @inline(__always) func _sin(_ x: Double) -> Double { Glibc.sin(x) }
#elseif canImport(Darwin)
    import Darwin
    @inline(__always) func _sin(_ x: Double) -> Double { Darwin.sin(x) }
#endif
