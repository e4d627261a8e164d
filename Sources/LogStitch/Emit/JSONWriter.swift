/// Appends JSON text by hand, in a fixed key order, so output is byte-for-byte
/// stable and no Foundation encoder runs per document. Keys are static
/// strings (written as they are); values are escaped only when they need it.
public struct JSONWriter {
    public var bytes: [UInt8] = []
    /// One bit per open container: does the next member need a comma?
    var commaBits: UInt64 = 0
    var depth = 0
    var pendingValue = false

    public init() { bytes.reserveCapacity(1024) }

    @inline(__always) mutating func separator() {
        let bit: UInt64 = 1 << UInt64(depth & 63)
        if commaBits & bit != 0 { bytes.append(ASCII.comma) }
        commaBits |= bit
    }

    @inline(__always) mutating func push() { depth += 1; commaBits &= ~(1 << UInt64(depth & 63)) }

    /// Starts a new top-level document in the same buffer (NDJSON).
    public mutating func beginDocument() { depth = 0; commaBits = 0; pendingValue = false }

    public mutating func beginObject() { bytes.append(ASCII.leftBrace); push() }
    public mutating func endObject() { bytes.append(ASCII.rightBrace); depth -= 1 }
    public mutating func beginArray() { bytes.append(ASCII.leftBracket); push() }
    public mutating func endArray() { bytes.append(ASCII.rightBracket); depth -= 1 }

    public mutating func key(_ k: StaticString) {
        // Separator, quotes, name and colon in one append (keys are short).
        let bit: UInt64 = 1 << UInt64(depth & 63)
        let comma = commaBits & bit != 0
        commaBits |= bit
        pendingValue = true
        let n = k.utf8CodeUnitCount
        if n + 4 <= ByteScratch.capacity {
            var s = ByteScratch()
            if comma { s.put(ASCII.comma) }
            s.put(ASCII.quote)
            for i in 0..<n { s.put(k.utf8Start[i]) }
            s.put(ASCII.quote)
            s.put(ASCII.colon)
            s.append(to: &bytes)
        } else {
            if comma { bytes.append(ASCII.comma) }
            bytes.append(ASCII.quote)
            k.withUTF8Buffer { bytes.append(contentsOf: $0) }
            bytes.append(ASCII.quote)
            bytes.append(ASCII.colon)
        }
    }

    /// A key known only at run time (summary.json's source names).
    public mutating func key(dynamic k: String) {
        separator()
        string(k)
        bytes.append(ASCII.colon)
        pendingValue = true
    }

    @inline(__always) mutating func beforeValue() {
        if pendingValue { pendingValue = false } else { separator() }
    }

    public mutating func objectStart(_ k: StaticString) { key(k); beforeValue(); beginObject() }
    public mutating func arrayStart(_ k: StaticString) { key(k); beforeValue(); beginArray() }
    public mutating func element() { beforeValue() }

    public mutating func field(_ k: StaticString, _ v: String) { key(k); beforeValue(); string(v) }
    public mutating func field(_ k: StaticString, _ v: String?) { if let v { field(k, v) } }
    public mutating func field(_ k: StaticString, _ v: Int) { key(k); beforeValue(); integer(Int64(v)) }
    public mutating func field(_ k: StaticString, _ v: Int64) { key(k); beforeValue(); integer(v) }
    public mutating func field(_ k: StaticString, _ v: Bool) { key(k); beforeValue(); literal(v ? "true" : "false") }
    public mutating func fieldNull(_ k: StaticString) { key(k); beforeValue(); literal("null") }
    public mutating func field(dynamic k: String, _ v: Int) { key(dynamic: k); beforeValue(); integer(Int64(v)) }
    /// Epoch seconds with exactly six decimals, from integer microseconds.
    public mutating func field(_ k: StaticString, seconds t: EpochMicros) { key(k); beforeValue(); Self.appendSeconds(t, to: &bytes) }
    /// Milliseconds with up to three decimals, from microseconds.
    public mutating func field(_ k: StaticString, millis us: Int64) { key(k); beforeValue(); Self.appendMillis(us, to: &bytes) }
    public mutating func field(_ k: StaticString, trace t: TraceId) {
        key(k); beforeValue()
        bytes.append(ASCII.quote); t.append(to: &bytes); bytes.append(ASCII.quote)
    }
    /// A string value written in pieces (no String is built for the whole).
    mutating func openString(_ k: StaticString) { key(k); beforeValue(); bytes.append(ASCII.quote) }
    mutating func stringPiece(_ s: String) {
        var s = s
        s.withUTF8 { buf in if Self.needsNoEscaping(buf) { bytes.append(contentsOf: buf) } else { escape(buf) } }
    }
    mutating func stringPiece(_ s: StaticString) { s.withUTF8Buffer { bytes.append(contentsOf: $0) } }
    mutating func closeString() { bytes.append(ASCII.quote) }

    /// A segment id: 16 lowercase hex digits.
    mutating func field(_ k: StaticString, hexId v: UInt64) {
        key(k); beforeValue()
        var s = ByteScratch()
        s.put(ASCII.quote)
        let digits: StaticString = "0123456789abcdef"
        for i in 0..<16 { s.put(digits.utf8Start[Int((v >> UInt64(60 - i * 4)) & 15)]) }
        s.put(ASCII.quote)
        s.append(to: &bytes)
    }
    public mutating func stringElement(_ v: String) { beforeValue(); string(v) }

    mutating func literal(_ s: StaticString) { s.withUTF8Buffer { bytes.append(contentsOf: $0) } }

    mutating func integer(_ v: Int64) { Self.appendInteger(v, to: &bytes) }

    public mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { buf in
            bytes.append(ASCII.quote)
            if Self.needsNoEscaping(buf) { bytes.append(contentsOf: buf) } else { escape(buf) }
            bytes.append(ASCII.quote)
        }
    }

    /// No control character, quote, backslash or DEL: checked eight bytes at
    /// a time (most values are ids and names that need nothing).
    @inline(__always) static func needsNoEscaping(_ buf: UnsafeBufferPointer<UInt8>) -> Bool {
        !WordScan.containsAny(buf, word: {
            WordScan.hasBelow($0, 0x20) || WordScan.has($0, ASCII.quote) || WordScan.has($0, ASCII.backslash) || WordScan.has($0, 0x7F)
        }, byte: { $0 < 0x20 || $0 == ASCII.quote || $0 == ASCII.backslash || $0 == 0x7F })
    }

    mutating func escape(_ buf: UnsafeBufferPointer<UInt8>) {
        let hex: StaticString = "0123456789abcdef"
        for b in buf {
            switch b {
            case ASCII.quote: bytes.append(ASCII.backslash); bytes.append(ASCII.quote)
            case ASCII.backslash: bytes.append(ASCII.backslash); bytes.append(ASCII.backslash)
            case ASCII.lf: bytes.append(ASCII.backslash); bytes.append(0x6E)
            case ASCII.cr: bytes.append(ASCII.backslash); bytes.append(0x72)
            case ASCII.tab: bytes.append(ASCII.backslash); bytes.append(0x74)
            case 0..<0x20, 0x7F:
                hex.withUTF8Buffer { h in
                    bytes.append(contentsOf: [ASCII.backslash, 0x75, 0x30, 0x30, h[Int(b >> 4)], h[Int(b & 15)]])
                }
            default: bytes.append(b)
            }
        }
    }

    public static func appendInteger(_ v: Int64, to out: inout [UInt8]) {
        var s = ByteScratch()
        if v < 0 { s.put(ASCII.minus) }
        s.putNumber(v.magnitude)
        s.append(to: &out)
    }

    public static func appendSeconds(_ t: EpochMicros, to out: inout [UInt8]) {
        var s = ByteScratch()
        if t < 0 { s.put(ASCII.minus) }
        let a = t.magnitude
        s.putNumber(a / 1_000_000)
        s.put(ASCII.dot)
        s.put(a % 1_000_000, width: 6)
        s.append(to: &out)
    }

    public static func appendMillis(_ us: Int64, to out: inout [UInt8]) {
        var s = ByteScratch()
        if us < 0 { s.put(ASCII.minus) }
        let a = us.magnitude
        s.putNumber(a / 1000)
        var frac = a % 1000
        if frac != 0 {
            var width = 3
            while frac % 10 == 0 { frac /= 10; width -= 1 }
            s.put(ASCII.dot)
            s.put(frac, width: width)
        }
        s.append(to: &out)
    }

    /// Epoch seconds with exactly six decimals, from integer microseconds.
    public static func seconds(_ t: EpochMicros) -> String {
        var out: [UInt8] = []
        appendSeconds(t, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Milliseconds with up to three decimals (trailing zeros dropped), from microseconds.
    public static func millis(_ us: Int64) -> String {
        var out: [UInt8] = []
        appendMillis(us, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
