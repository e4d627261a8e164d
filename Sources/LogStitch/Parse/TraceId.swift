/// An X-Ray trace id, `1-<8 hex epoch seconds>-<24 hex>`, held as its
/// canonical lowercase text. Parsed from a bare id, from an
/// `X-Amzn-Trace-Id` header (`Root=1-…;Parent=…`), or converted from a W3C
/// `traceparent` (`00-<32 hex>-<16 hex>-<2 hex>`).
public struct TraceId: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let text: String
    public var description: String { text }

    public init?(validating s: String) {
        var copy = s
        guard let t = copy.withUTF8({ TraceId.parseBare(ByteView($0)) }) else { return nil }
        self = t
    }

    init(uncheckedText: String) { text = uncheckedText }

    public static func < (a: TraceId, b: TraceId) -> Bool { a.text < b.text }

    /// The epoch seconds in the id's first part.
    public var epochSeconds: Int64 {
        let hex = text.utf8.dropFirst(2).prefix(8)
        var v: Int64 = 0
        for b in hex { v = v << 4 | Int64(ASCII.hexValue(b) ?? 0) }
        return v
    }

    /// `1-xxxxxxxx-yyyyyyyyyyyyyyyyyyyyyyyy` spanning the whole view.
    public static func parseBare(_ b: ByteView) -> TraceId? {
        guard b.count == 35, b[0] == 0x31, b[1] == ASCII.minus, b[10] == ASCII.minus else { return nil }
        var out = [UInt8](repeating: 0, count: 35)
        out[0] = 0x31; out[1] = ASCII.minus; out[10] = ASCII.minus
        for i in 2..<35 where i != 10 {
            guard ASCII.hexValue(b[i]) != nil else { return nil }
            out[i] = ASCII.lower(b[i])
        }
        return TraceId(uncheckedText: String(decoding: out, as: UTF8.self))
    }

    /// A bare id, or the `Root=` of a trace header.
    public static func parse(_ b0: ByteView) -> TraceId? {
        let b = b0.trimmed()
        if let t = parseBare(b) { return t }
        if let r = b.index(of: "Root=") {
            let rest = b.dropFirst(r + 5)
            return parseBare(rest.prefix(35))
        }
        return nil
    }

    /// Converts a W3C traceparent `00-<32 hex>-<16 hex>-<2 hex>` (whole view).
    public static func fromTraceparent(_ b: ByteView) -> TraceId? {
        guard b.count >= 55, b[2] == ASCII.minus, b[35] == ASCII.minus, b[52] == ASCII.minus else { return nil }
        var allZero = true
        var out: [UInt8] = [0x31, ASCII.minus]
        for i in 3..<35 {
            guard ASCII.hexValue(b[i]) != nil else { return nil }
            if b[i] != ASCII.zero { allZero = false }
            if i == 11 { out.append(ASCII.minus) }
            out.append(ASCII.lower(b[i]))
        }
        for i in 36..<52 { guard ASCII.hexValue(b[i]) != nil else { return nil } }
        if allZero { return nil }
        return TraceId(uncheckedText: String(decoding: out, as: UTF8.self))
    }

    /// Scans free text (a SQL comment, say) for the first X-Ray root id.
    public static func find(in b: ByteView) -> TraceId? {
        var from = 0
        while let i = b.index(of: "1-", from: from) {
            if i + 35 <= b.count, i == 0 || !ASCII.isHexOrWord(b[i - 1]),
               i + 35 == b.count || !ASCII.isHexOrWord(b[i + 35]),
               let t = parseBare(b.slice(i, i + 35)) { return t }
            from = i + 1
        }
        return nil
    }
}

extension ASCII {
    @inline(__always) static func isHexOrWord(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
    }

    /// Whether `b` is a canonical UUID (8-4-4-4-12 hex) such as a Lambda request id.
    static func isUUID(_ b: ByteView) -> Bool {
        guard b.count == 36 else { return false }
        for i in 0..<36 {
            if i == 8 || i == 13 || i == 18 || i == 23 { if b[i] != ASCII.minus { return false } }
            else if ASCII.hexValue(b[i]) == nil { return false }
        }
        return true
    }
}
