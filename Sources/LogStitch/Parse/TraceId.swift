/// An X-Ray trace id, `1-<8 hex epoch seconds>-<24 hex>`, held as three
/// numbers (16 bytes, no reference counting, cheap to hash and compare: trace
/// ids are join keys on every request and invocation). Parsed from a bare
/// id, from an `X-Amzn-Trace-Id` header (`Root=1-…;Parent=…`), or converted
/// from a W3C `traceparent` (`00-<32 hex>-<16 hex>-<2 hex>`). Its text is
/// always the canonical lowercase form.
public struct TraceId: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The 8 hex digits of epoch seconds.
    let epoch: UInt32
    /// The 24 hex digits of the unique part: the first 8, then the last 16.
    let high: UInt32
    let low: UInt64

    init(epoch: UInt32, high: UInt32, low: UInt64) {
        self.epoch = epoch
        self.high = high
        self.low = low
    }

    public var text: String {
        String(unsafeUninitializedCapacity: Self.textLength) { buf in
            var c = ByteSink.Cursor(p: buf.baseAddress!)
            c.trace(self)
            return Self.textLength
        }
    }
    public var description: String { text }
    public static let textLength = 35

    /// Appends the canonical text.
    @inline(__always) func append(to out: ByteSink) { out.write(reserving: Self.textLength) { $0.trace(self) } }

    public init?(validating s: String) {
        guard let t = s.withUTF8Bytes({ TraceId.parseBare(ByteView($0)) }) else { return nil }
        self = t
    }

    /// Fixed-width lowercase hex sorts like the numbers it spells.
    public static func < (a: TraceId, b: TraceId) -> Bool { (a.epoch, a.high, a.low) < (b.epoch, b.high, b.low) }

    /// `count` hex digits of `b` from `at` as a number, or nil if one is not hex.
    @inline(__always) static func hex(_ b: ByteView, _ at: Int, _ count: Int) -> UInt64? {
        var v: UInt64 = 0, bad: UInt8 = 0
        for i in at..<(at + count) {
            let h = ASCII.hexNibble(b[i])
            bad |= h
            v = v << 4 | UInt64(h & 15)
        }
        return bad & 0xF0 == 0 ? v : nil
    }

    /// `1-xxxxxxxx-yyyyyyyyyyyyyyyyyyyyyyyy` spanning the whole view.
    public static func parseBare(_ b: ByteView) -> TraceId? {
        guard b.count == 35, let p = b.baseAddress, b[0] == 0x31, b[1] == ASCII.minus, b[10] == ASCII.minus else {
            return nil
        }
        // Eight digits at a time (either case, as before: the text is always written lower-case).
        @inline(__always) func hex8(_ at: Int) -> UInt32? {
            ASCII.parseHex8(p.loadUnaligned(fromByteOffset: at, as: UInt64.self), upper: true)
        }
        guard let e = hex8(2), let h = hex8(11), let l = ASCII.parseHex16(b.slice(19, 35)) else { return nil }
        return TraceId(epoch: e, high: h, low: l)
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

    /// Converts a W3C traceparent `00-<32 hex>-<16 hex>-<2 hex>` (whole view):
    /// its first 8 hex digits become the epoch part, the other 24 the rest.
    public static func fromTraceparent(_ b: ByteView) -> TraceId? {
        guard b.count >= 55, b[2] == ASCII.minus, b[35] == ASCII.minus, b[52] == ASCII.minus,
            let e = hex(b, 3, 8), let h = hex(b, 11, 8), let l = hex(b, 19, 16), hex(b, 36, 16) != nil,
            e != 0 || h != 0 || l != 0
        else { return nil }
        return TraceId(epoch: UInt32(e), high: UInt32(h), low: l)
    }

    /// Scans free text (a SQL comment, say) for the first X-Ray root id.
    public static func find(in b: ByteView) -> TraceId? {
        var from = 0
        while let i = b.index(of: "1-", from: from) {
            if i + 35 <= b.count, i == 0 || !ASCII.isHexOrWord(b[i - 1]),
                i + 35 == b.count || !ASCII.isHexOrWord(b[i + 35]),
                let t = parseBare(b.slice(i, i + 35))
            {
                return t
            }
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
        guard b[8] == ASCII.minus, b[13] == ASCII.minus, b[18] == ASCII.minus, b[23] == ASCII.minus else {
            return false
        }
        var bad: UInt8 = 0
        for i in 0..<36 where i != 8 && i != 13 && i != 18 && i != 23 { bad |= ASCII.hexNibble(b[i]) }
        return bad & 0xF0 == 0
    }
}

extension ByteSink.Cursor {
    /// A trace id's 35 characters, `1-<8 hex>-<24 hex>`: the one place its
    /// text is spelled (its words end exactly at the 35th byte).
    @inline(__always) mutating func trace(_ t: TraceId) {
        byte(0x31)
        byte(ASCII.minus)
        word(ASCII.hex8(t.epoch))
        byte(ASCII.minus)
        word(ASCII.hex8(t.high))
        hex16(t.low)
    }
}
