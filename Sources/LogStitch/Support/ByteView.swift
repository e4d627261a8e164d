#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A borrowed view of bytes inside one of the pipeline's reusable buffers.
///
/// Records and parsers pass these around instead of `String`s so that the hot
/// path allocates nothing per line. A view is valid only while the buffer it
/// points into is untouched (normally: for the duration of one callback);
/// anything that must outlive that is copied out with `string` or `bytes`.
public typealias ByteView = UnsafeRawBufferPointer

public enum ASCII {
    public static let tab: UInt8 = 0x09
    public static let lf: UInt8 = 0x0A
    public static let cr: UInt8 = 0x0D
    public static let space: UInt8 = 0x20
    public static let quote: UInt8 = 0x22
    public static let hash: UInt8 = 0x23
    public static let apostrophe: UInt8 = 0x27
    public static let comma: UInt8 = 0x2C
    public static let minus: UInt8 = 0x2D
    public static let dot: UInt8 = 0x2E
    public static let slash: UInt8 = 0x2F
    public static let zero: UInt8 = 0x30
    public static let nine: UInt8 = 0x39
    public static let colon: UInt8 = 0x3A
    public static let semicolon: UInt8 = 0x3B
    public static let equals: UInt8 = 0x3D
    public static let at: UInt8 = 0x40
    public static let leftBracket: UInt8 = 0x5B
    public static let backslash: UInt8 = 0x5C
    public static let rightBracket: UInt8 = 0x5D
    public static let leftBrace: UInt8 = 0x7B
    public static let rightBrace: UInt8 = 0x7D

    @inline(__always) public static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }
    @inline(__always) public static func isSpace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D
    }
    @inline(__always) public static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b &- 0x30
        case 0x61...0x66: return b &- 0x61 &+ 10
        case 0x41...0x46: return b &- 0x41 &+ 10
        default: return nil
        }
    }
    /// A hex digit's value, or 0xFF: arithmetic rather than branches, since
    /// the digits of ids are random and a digit-or-letter branch would be
    /// mispredicted half the time.
    @inline(__always) static func hexNibble(_ b: UInt8) -> UInt8 {
        let digit = b &- 0x30, letter = (b | 0x20) &- 0x61
        return digit < 10 ? digit : (letter < 6 ? letter &+ 10 : 0xFF)
    }
    /// `digits` lowercase hex digits of `v` (its low 4 × `digits` bits) into `out` from `at`.
    /// (Ids go through `hex8`, a word at a time; this serves the few others.)
    @inline(__always) static func writeHex(_ v: UInt64, digits: Int, to out: UnsafeMutableRawBufferPointer, at: Int) {
        let hex: StaticString = "0123456789abcdef"
        for i in 0..<digits { out[at + i] = hex.utf8Start[Int((v >> UInt64(4 * (digits - 1 - i))) & 15)] }
    }

    /// The eight lowercase hex digits of `v` as the bytes of a word, first
    /// digit in the lowest byte: nibbles spread one per byte, then turned
    /// into `0`–`9` / `a`–`f` all at once.
    @inline(__always) static func hex8(_ v: UInt32) -> UInt64 {
        var x = UInt64(v)
        x = ((x & 0xFFFF_0000) << 16) | (x & 0xFFFF)
        x = ((x & 0x0000_FF00_0000_FF00) << 8) | (x & 0x0000_00FF_0000_00FF)
        x = ((x & 0x00F0_00F0_00F0_00F0) << 4) | (x & 0x000F_000F_000F_000F)
        x = x.byteSwapped
        let letters = ((x &+ 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101
        return x &+ 0x3030_3030_3030_3030 &+ letters &* 39
    }

    /// The number spelled by eight hex digits held as the bytes of a word
    /// (first digit in the lowest byte), or nil if one is not a hex digit
    /// (or, unless `upper`, is an upper-case one). All eight at once: ids
    /// are parsed by the million.
    @inline(__always) static func parseHex8(_ w: UInt64, upper: Bool) -> UInt32? {
        let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        let low7 = w & ~high
        @inline(__always) func atLeast(_ c: UInt64) -> UInt64 { low7 &+ ones &* (0x80 - c) }
        let digit = atLeast(0x30) & ~atLeast(0x3A)
        let lower = atLeast(0x61) & ~atLeast(0x67)
        let capital = upper ? atLeast(0x41) & ~atLeast(0x47) : 0
        guard (digit | lower | capital) & ~w & high == high else { return nil }
        // '0'–'9' → 0–9; 'a'–'f' and 'A'–'F' → 1–6 plus 9.
        var n = (w & (ones &* 0x0F)) &+ ((w >> 6) & ones) &* 9
        n = n.byteSwapped
        n = ((n & 0x0F00_0F00_0F00_0F00) >> 4) | (n & 0x000F_000F_000F_000F)
        n = ((n & 0x00FF_0000_00FF_0000) >> 8) | (n & 0x0000_00FF_0000_00FF)
        n = ((n & 0x0000_FFFF_0000_0000) >> 16) | (n & 0x0000_0000_0000_FFFF)
        return UInt32(truncatingIfNeeded: n)
    }

    /// Exactly sixteen hex digits (either case), as a number.
    static func parseHex16(_ b: ByteView) -> UInt64? {
        guard b.count == 16, let p = b.baseAddress,
            let high = parseHex8(p.loadUnaligned(as: UInt64.self), upper: true),
            let low = parseHex8(p.loadUnaligned(fromByteOffset: 8, as: UInt64.self), upper: true)
        else { return nil }
        return UInt64(high) << 32 | UInt64(low)
    }

    /// `v` in exactly `width` decimal digits at `p`, two at a time.
    @inline(__always) static func writeDigits(_ v: UInt64, width: Int, to p: UnsafeMutableRawPointer) {
        var x = v
        var i = width
        let pairs = UnsafeRawPointer(digitPairs.utf8Start)
        while i >= 2 {
            let r = Int(truncatingIfNeeded: x % 100)
            x /= 100
            i -= 2
            p.storeBytes(
                of: pairs.loadUnaligned(fromByteOffset: 2 * r, as: UInt16.self), toByteOffset: i, as: UInt16.self)
        }
        if i == 1 { p.storeBytes(of: UInt8(truncatingIfNeeded: 0x30 &+ x % 10), as: UInt8.self) }
    }

    /// How many decimal digits `v` takes.
    @inline(__always) static func digitCount(_ v: UInt64) -> Int {
        // From the bit length (log10 2 ≈ 1233/4096), then one comparison
        // with the power of ten at that count: no loop per digit.
        let bits = 64 - (v | 1).leadingZeroBitCount
        let guess = (bits &* 1233) >> 12
        return Swift.max(1, guess + (v >= powerOfTen(guess) ? 1 : 0))  // 0 has one digit
    }

    /// 10^n for n in 0...19.
    @inline(__always) static func powerOfTen(_ n: Int) -> UInt64 {
        switch n {
        case 0: return 1
        case 1: return 10
        case 2: return 100
        case 3: return 1000
        case 4: return 10000
        case 5: return 100000
        case 6: return 1000000
        case 7: return 10000000
        case 8: return 100000000
        case 9: return 1000000000
        case 10: return 10000000000
        case 11: return 100000000000
        case 12: return 1000000000000
        case 13: return 10000000000000
        case 14: return 100000000000000
        case 15: return 1000000000000000
        case 16: return 10000000000000000
        case 17: return 100000000000000000
        case 18: return 1000000000000000000
        default: return 10_000_000_000_000_000_000
        }
    }

    /// "00" "01" … "99": numbers are written two digits at a time.
    static let digitPairs: StaticString =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
    @inline(__always) public static func lower(_ b: UInt8) -> UInt8 {
        (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b
    }
}

extension UnsafeRawBufferPointer {
    /// The bytes from `from` up to (not including) `to`.
    @inline(__always)
    public func slice(_ from: Int, _ to: Int) -> ByteView {
        precondition(from >= 0 && from <= to && to <= count)
        guard let base = baseAddress else { return ByteView(start: nil, count: 0) }
        return ByteView(start: base + from, count: to - from)
    }

    @inline(__always)
    public func dropFirst(_ n: Int) -> ByteView { slice(Swift.min(n, count), count) }

    @inline(__always)
    public func prefix(_ n: Int) -> ByteView { slice(0, Swift.min(n, count)) }

    /// Index of the first `byte` at or after `from`, using memchr.
    @inline(__always)
    public func index(of byte: UInt8, from: Int = 0) -> Int? {
        guard from < count, let base = baseAddress else { return nil }
        guard let hit = memchr(base + from, Int32(byte), count - from) else { return nil }
        return base.distance(to: UnsafeRawPointer(hit))
    }

    /// Index of the first occurrence of `needle` at or after `from`.
    public func index(of needle: StaticString, from: Int = 0) -> Int? {
        needle.withUTF8Buffer { n in index(ofBytes: ByteView(n), from: from) }
    }

    public func index(ofBytes needle: ByteView, from: Int = 0) -> Int? {
        // memmem needs _GNU_SOURCE, which Swift's Glibc module does not set:
        // memchr for the first byte, then memcmp for the rest.
        guard needle.count > 0, from <= count, let base = baseAddress, let nb = needle.baseAddress else { return nil }
        let first = needle[0]
        var i = from
        let last = count - needle.count
        while i <= last {
            guard let hit = memchr(base + i, Int32(first), last - i + 1) else { return nil }
            let at = base.distance(to: UnsafeRawPointer(hit))
            if memcmp(base + at, nb, needle.count) == 0 { return at }
            i = at + 1
        }
        return nil
    }

    /// The first bytes are compared before memcmp is called: parsers ask
    /// a line for one prefix after another, and most differ at once.
    @inline(__always)
    public func hasPrefix(_ p: StaticString) -> Bool {
        let n = p.utf8CodeUnitCount
        guard n <= count else { return false }
        if n == 0 { return true }
        let pb = p.utf8Start
        guard self[0] == pb[0] else { return false }
        return n == 1 || memcmp(baseAddress!, pb, n) == 0
    }

    public func hasPrefix(at offset: Int, _ p: StaticString) -> Bool {
        guard offset <= count else { return false }
        return dropFirst(offset).hasPrefix(p)
    }

    public func hasSuffix(_ p: StaticString) -> Bool {
        p.withUTF8Buffer { pb in
            guard pb.count <= count else { return false }
            if pb.count == 0 { return true }
            return memcmp(baseAddress! + (count - pb.count), pb.baseAddress!, pb.count) == 0
        }
    }

    @inline(__always)
    public func equals(_ p: StaticString) -> Bool {
        let n = p.utf8CodeUnitCount
        guard n == count else { return false }
        if n == 0 { return true }
        let pb = p.utf8Start
        return self[0] == pb[0] && memcmp(baseAddress!, pb, n) == 0
    }

    public func equals(_ other: ByteView) -> Bool {
        other.count == count && (count == 0 || memcmp(baseAddress!, other.baseAddress!, count) == 0)
    }

    /// Without leading and trailing spaces, tabs, CR and LF.
    public func trimmed() -> ByteView {
        // Most values have nothing to trim.
        if count == 0 || (!ASCII.isSpace(self[0]) && !ASCII.isSpace(self[count - 1])) { return self }
        var s = 0, e = count
        while s < e && ASCII.isSpace(self[s]) { s += 1 }
        while e > s && ASCII.isSpace(self[e - 1]) { e -= 1 }
        return slice(s, e)
    }

    /// Without leading and trailing bytes equal to `a` or `b`.
    public func trimming(_ a: UInt8, _ b: UInt8) -> ByteView {
        var s = 0, e = count
        while s < e && (self[s] == a || self[s] == b) { s += 1 }
        while e > s && (self[e - 1] == a || self[e - 1] == b) { e -= 1 }
        return slice(s, e)
    }

    /// Decodes as UTF-8, repairing invalid sequences; for values that leave the hot path.
    public var string: String { String(decoding: self, as: UTF8.self) }

    /// A copy of the bytes.
    public var bytes: [UInt8] { [UInt8](self) }

    /// ASCII-lowercased text in one allocation (request ids arrive in either case).
    public var lowercasedString: String {
        guard let base = baseAddress, count > 0 else { return "" }
        // Eight bytes at a time: ASCII letters A–Z gain 0x20, all else stays.
        return String(unsafeUninitializedCapacity: count) { buf in
            let out = UnsafeMutableRawPointer(buf.baseAddress!)
            var i = 0
            while i + 8 <= count {
                let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                out.storeBytes(of: w | WordScan.upperASCIIMask(w) >> 2, toByteOffset: i, as: UInt64.self)
                i += 8
            }
            while i < count {
                buf[i] = ASCII.lower(self[i])
                i += 1
            }
            return count
        }
    }

    /// Parses a decimal integer that spans the whole view. At most 15 digits,
    /// so that scaling any parsed value to microseconds cannot overflow.
    public func parseInt() -> Int64? {
        guard count > 0, count <= 16 else { return nil }
        var v: Int64 = 0
        var i = 0
        var neg = false
        if self[0] == ASCII.minus {
            neg = true
            i = 1
            if count == 1 { return nil }
        }
        if count - i > 15 { return nil }
        while i < count {
            let d = self[i] &- 0x30
            if d > 9 { return nil }
            v = v &* 10 &+ Int64(d)
            i += 1
        }
        return neg ? -v : v
    }

    /// Parses a non-negative decimal like `128.83` into an integer number of
    /// `10^-scale` units (scale 3 for ms→µs). Extra digits are rounded half up,
    /// so no binary floating point ever touches a duration.
    public func parseFixed(scale: Int) -> Int64? {
        guard count > 0 else { return nil }
        var intPart: Int64 = 0
        var i = 0
        var digits = 0
        var neg = false
        if self[0] == ASCII.minus {
            neg = true
            i = 1
        }
        while i < count, ASCII.isDigit(self[i]) {
            intPart = intPart &* 10 &+ Int64(self[i] &- 0x30)
            i += 1
            digits += 1
            // Keep intPart × 10^scale inside Int64 (and well clear of it).
            if digits > 17 - scale { return nil }
        }
        var frac: Int64 = 0
        var fracDigits = 0
        var roundUp = false
        if i < count && self[i] == ASCII.dot {
            i += 1
            while i < count, ASCII.isDigit(self[i]) {
                if fracDigits < scale {
                    frac = frac * 10 + Int64(self[i] &- 0x30)
                    fracDigits += 1
                } else if fracDigits == scale {
                    roundUp = self[i] >= 0x35
                    fracDigits += 1
                }
                i += 1
                digits += 1
            }
        }
        guard i == count, digits > 0 else { return nil }
        var scaleMul: Int64 = 1
        for _ in 0..<scale { scaleMul *= 10 }
        var f = frac
        var fd = Swift.min(fracDigits, scale)
        while fd < scale {
            f *= 10
            fd += 1
        }
        let v = intPart * scaleMul + f + (roundUp ? 1 : 0)
        return neg ? -v : v
    }

    /// Splits on `separator`, calling `body` for each field (empty fields included).
    @inline(__always)
    public func forEachField(separatedBy separator: UInt8, _ body: (ByteView) -> Void) {
        var start = 0
        while true {
            if let i = index(of: separator, from: start) {
                body(slice(start, i))
                start = i + 1
            } else {
                body(slice(start, count))
                return
            }
        }
    }
}

extension Array where Element == UInt8 {
    public mutating func append(_ s: StaticString) {
        s.withUTF8Buffer { append(contentsOf: $0) }
    }
    public mutating func append(_ v: ByteView) {
        append(contentsOf: v)
    }
}

extension String {
    /// The UTF-8 bytes in place. `withUTF8` is mutating, so calling it on a
    /// parameter or a record's field means copying the string first: a
    /// retain/release pair per call, which adds up over millions of fields.
    @inline(__always)
    func withUTF8Bytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if let r = try utf8.withContiguousStorageIfAvailable(body) { return r }
        var copy = self
        return try copy.withUTF8(body)
    }
}

/// Where the next of two bytes lies, for a reader going through `bytes`
/// from left to right (positions asked for never decrease): each byte's
/// next place is found by memchr, and looked for again only once the
/// reader has passed it, so `bytes` is searched at most once for each.
struct NextOfTwoBytes {
    let bytes: ByteView
    let first: UInt8, second: UInt8
    private var nextFirst: Int?, nextSecond: Int?

    init(_ bytes: ByteView, _ first: UInt8, _ second: UInt8) {
        self.bytes = bytes
        (self.first, self.second) = (first, second)
        (nextFirst, nextSecond) = (bytes.index(of: first), bytes.index(of: second))
    }

    /// The first position at or after `i` holding either byte.
    mutating func next(from i: Int) -> Int? {
        if let p = nextFirst, p < i { nextFirst = bytes.index(of: first, from: i) }
        if let p = nextSecond, p < i { nextSecond = bytes.index(of: second, from: i) }
        return nextFirst.map { min($0, nextSecond ?? $0) } ?? nextSecond
    }
}
