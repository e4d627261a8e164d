/// Appends JSON text by hand, in a fixed key order, so output is byte-for-byte
/// stable and no Foundation encoder runs per document.
public struct JSONWriter {
    public var bytes: [UInt8] = []
    var needsComma: [Bool] = [false]

    public init() { bytes.reserveCapacity(1024) }

    mutating func separator() {
        if needsComma[needsComma.count - 1] { bytes.append(ASCII.comma) }
        needsComma[needsComma.count - 1] = true
    }

    public mutating func beginObject() { bytes.append(ASCII.leftBrace); needsComma.append(false) }
    public mutating func endObject() { bytes.append(ASCII.rightBrace); needsComma.removeLast() }
    public mutating func beginArray() { bytes.append(ASCII.leftBracket); needsComma.append(false) }
    public mutating func endArray() { bytes.append(ASCII.rightBracket); needsComma.removeLast() }

    public mutating func key(_ k: String) {
        separator()
        string(k)
        bytes.append(ASCII.colon)
        // The value that follows must not add a comma of its own.
        needsComma[needsComma.count - 1] = false
        pendingValue = true
    }
    var pendingValue = false

    mutating func beforeValue() {
        if pendingValue { pendingValue = false; needsComma[needsComma.count - 1] = true } else { separator() }
    }

    public mutating func objectStart(_ k: String) { key(k); beforeValue(); beginObject() }
    public mutating func arrayStart(_ k: String) { key(k); beforeValue(); beginArray() }
    public mutating func element() { beforeValue() }

    public mutating func field(_ k: String, _ v: String) { key(k); beforeValue(); string(v) }
    public mutating func field(_ k: String, _ v: String?) { if let v { field(k, v) } }
    public mutating func field(_ k: String, _ v: Int) { key(k); beforeValue(); bytes.append(contentsOf: String(v).utf8) }
    public mutating func field(_ k: String, _ v: Int64) { key(k); beforeValue(); bytes.append(contentsOf: String(v).utf8) }
    public mutating func field(_ k: String, _ v: Bool) { key(k); beforeValue(); bytes.append(contentsOf: (v ? "true" : "false").utf8) }
    public mutating func fieldNull(_ k: String) { key(k); beforeValue(); bytes.append(contentsOf: "null".utf8) }
    /// A number given as its exact decimal text (times, durations).
    public mutating func field(_ k: String, raw: String) { key(k); beforeValue(); bytes.append(contentsOf: raw.utf8) }
    public mutating func stringElement(_ v: String) { beforeValue(); string(v) }

    public mutating func string(_ s: String) {
        bytes.append(ASCII.quote)
        for b in s.utf8 {
            switch b {
            case ASCII.quote: bytes.append(ASCII.backslash); bytes.append(ASCII.quote)
            case ASCII.backslash: bytes.append(ASCII.backslash); bytes.append(ASCII.backslash)
            case ASCII.lf: bytes.append(ASCII.backslash); bytes.append(0x6E)
            case ASCII.cr: bytes.append(ASCII.backslash); bytes.append(0x72)
            case ASCII.tab: bytes.append(ASCII.backslash); bytes.append(0x74)
            case 0..<0x20, 0x7F:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [ASCII.backslash, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]])
            default: bytes.append(b)
            }
        }
        bytes.append(ASCII.quote)
    }

    /// Epoch seconds with exactly six decimals, from integer microseconds.
    public static func seconds(_ t: EpochMicros) -> String {
        let neg = t < 0
        let a = neg ? -t : t
        return (neg ? "-" : "") + String(a / 1_000_000) + "." + String(a % 1_000_000).leftPadded(6)
    }

    /// Milliseconds with up to three decimals (trailing zeros dropped), from microseconds.
    public static func millis(_ us: Int64) -> String {
        let neg = us < 0
        let a = neg ? -us : us
        var frac = String(a % 1000).leftPadded(3)
        while frac.hasSuffix("0") { frac.removeLast() }
        return (neg ? "-" : "") + String(a / 1000) + (frac.isEmpty ? "" : "." + frac)
    }
}
