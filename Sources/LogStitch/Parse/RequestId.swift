/// A request id: API Gateway's `$context.requestId`, a Lambda RequestId, an
/// integration request id, or one named in a SQL comment. They are join keys
/// on nearly every record, and nearly all are UUIDs: those are held as two
/// words (no allocation, no reference counting, 16 bytes to hash and spill).
/// Anything else (HTTP APIs' `JvDbMhTaoAMEbXA=`, an upper-case UUID whose
/// case must be kept) is kept as its text.
///
/// Equality, hashing and order are those of the text: a UUID is only ever
/// held as words when its text is the canonical lower-case form, and
/// fixed-width lower-case hex sorts like the number it spells.
public struct RequestId: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The first 16 hex digits (groups 1–3) and the last 16 (groups 4–5).
    let high: UInt64
    let low: UInt64
    /// The text, when it is not a lower-case UUID.
    let other: String?

    static let uuidLength = 36

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
        other = nil
    }

    /// Exactly this text.
    public init(_ text: String) {
        if let (h, l) = text.withUTF8Bytes({ Self.uuid(UnsafeRawBufferPointer($0), lowercasing: false) }) {
            self.init(high: h, low: l)
        } else {
            self.init(other: text)
        }
    }

    public init(stringLiteral value: String) { self.init(value) }

    /// Exactly these bytes.
    public init(_ bytes: ByteView) {
        if let (h, l) = Self.uuid(bytes, lowercasing: false) {
            self.init(high: h, low: l)
        } else {
            self.init(other: bytes.string)
        }
    }

    /// These bytes in ASCII lower case (Lambda request ids and the ids in
    /// SQL comments are compared without case).
    public static func lowercased(_ bytes: ByteView) -> RequestId {
        if let (h, l) = uuid(bytes, lowercasing: true) { return RequestId(high: h, low: l) }
        return RequestId(other: bytes.lowercasedString)
    }

    init(other: String) {
        high = 0
        low = 0
        self.other = other
    }

    /// `8-4-4-4-12` hex digits spanning the whole view, as two words; upper-case
    /// digits only when the id is being lower-cased anyway.
    @inline(__always) static func uuid(_ b: ByteView, lowercasing: Bool) -> (UInt64, UInt64)? {
        guard b.count == uuidLength, let p = b.baseAddress,
            b[8] == ASCII.minus, b[13] == ASCII.minus, b[18] == ASCII.minus, b[23] == ASCII.minus
        else { return nil }
        // Four runs of eight digits: 0–7, 9–12 + 14–17, 19–22 + 24–27, 28–35.
        @inline(__always) func word(_ at: Int) -> UInt64 { p.loadUnaligned(fromByteOffset: at, as: UInt64.self) }
        @inline(__always) func halves(_ a: Int, _ b: Int) -> UInt64 {
            UInt64(p.loadUnaligned(fromByteOffset: a, as: UInt32.self)) | UInt64(
                p.loadUnaligned(fromByteOffset: b, as: UInt32.self)) << 32
        }
        guard let g1 = ASCII.parseHex8(word(0), upper: lowercasing),
            let g2 = ASCII.parseHex8(halves(9, 14), upper: lowercasing),
            let g3 = ASCII.parseHex8(halves(19, 24), upper: lowercasing),
            let g4 = ASCII.parseHex8(word(28), upper: lowercasing)
        else { return nil }
        return (UInt64(g1) << 32 | UInt64(g2), UInt64(g3) << 32 | UInt64(g4))
    }

    public var isUUID: Bool { other == nil }

    /// The id in lower case, when its text has upper-case ASCII letters
    /// (statements name API request ids in lower case).
    var lowercasedIfNeeded: RequestId? {
        guard let other, other.hasUppercaseASCII else { return nil }
        return RequestId(other.lowercased())
    }

    /// The text (a new String for UUIDs: writers use `withText`).
    public var text: String {
        if let other { return other }
        return String(unsafeUninitializedCapacity: Self.uuidLength) { buf in
            writeUUID(to: UnsafeMutableRawPointer(buf.baseAddress!))
            return Self.uuidLength
        }
    }
    public var description: String { text }

    /// The text's bytes, on the stack for UUIDs.
    @inline(__always) func withText<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        if let other { return other.withUTF8Bytes { body(UnsafeRawBufferPointer($0)) } }
        var t: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &t) { b in
            writeUUID(to: b.baseAddress!)
            return body(UnsafeRawBufferPointer(rebasing: b[0..<Self.uuidLength]))
        }
    }

    /// 36 bytes of `8-4-4-4-12` lower-case hex (8 more may be scribbled on).
    @inline(__always) func writeUUID(to p: UnsafeMutableRawPointer) {
        let w0 = ASCII.hex8(UInt32(truncatingIfNeeded: high >> 32)), w1 = ASCII.hex8(UInt32(truncatingIfNeeded: high))
        let w2 = ASCII.hex8(UInt32(truncatingIfNeeded: low >> 32)), w3 = ASCII.hex8(UInt32(truncatingIfNeeded: low))
        p.storeBytes(of: w0, toByteOffset: 0, as: UInt64.self)
        p.storeBytes(of: ASCII.minus, toByteOffset: 8, as: UInt8.self)
        p.storeBytes(of: UInt32(truncatingIfNeeded: w1), toByteOffset: 9, as: UInt32.self)
        p.storeBytes(of: ASCII.minus, toByteOffset: 13, as: UInt8.self)
        p.storeBytes(of: UInt32(truncatingIfNeeded: w1 >> 32), toByteOffset: 14, as: UInt32.self)
        p.storeBytes(of: ASCII.minus, toByteOffset: 18, as: UInt8.self)
        p.storeBytes(of: UInt32(truncatingIfNeeded: w2), toByteOffset: 19, as: UInt32.self)
        p.storeBytes(of: ASCII.minus, toByteOffset: 23, as: UInt8.self)
        p.storeBytes(of: UInt32(truncatingIfNeeded: w2 >> 32), toByteOffset: 24, as: UInt32.self)
        p.storeBytes(of: w3, toByteOffset: 28, as: UInt64.self)
    }

    public static func < (a: RequestId, b: RequestId) -> Bool {
        if a.other == nil && b.other == nil { return (a.high, a.low) < (b.high, b.low) }
        return a.text < b.text
    }
}

extension ByteSink.Cursor {
    /// A UUID request id's 36 characters (the capacity check must allow 8 more).
    @inline(__always) mutating func uuid(_ id: RequestId) {
        id.writeUUID(to: UnsafeMutableRawPointer(p))
        p += RequestId.uuidLength
    }
}

extension RequestId: FastHashable {
    var fastHash: UInt64 {
        if let other { return other.fastHash }
        return KeyIndex<String>.mix(high ^ (low &* 0x9E37_79B9_7F4A_7C15))
    }
}
