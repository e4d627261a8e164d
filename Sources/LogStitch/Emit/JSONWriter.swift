/// Appends JSON text by hand, in a fixed key order, so output is byte-for-byte
/// stable and no Foundation encoder runs per document. Keys are static
/// strings (written as they are); values are escaped only when they need it.
public struct JSONWriter {
    /// The text so far (see `ByteSink` for why not an array).
    private(set) var out: ByteSink
    /// One bit per open container: does the next member need a comma?
    var commaBits: UInt64 = 0
    var depth = 0
    var pendingValue = false

    public init() { out = ByteSink() }
    /// A writer that writes into `sink`.
    init(sink: ByteSink) { out = sink }

    /// Bytes written so far.
    public var count: Int { out.count }
    /// The text so far, copied.
    public var bytes: [UInt8] { out.array }
    /// Ends an NDJSON line.
    public mutating func newline() { out.append(ASCII.lf) }
    /// Takes back the last `n` bytes (a document that turned out too large).
    public mutating func removeLast(_ n: Int) { out.removeLast(n) }
    /// Text written as it is (a number formatted elsewhere, say).
    public mutating func raw(_ s: String) {
        var s = s
        s.withUTF8 { out.append($0) }
    }

    @inline(__always) mutating func separator() {
        let bit: UInt64 = 1 << UInt64(depth & 63)
        if commaBits & bit != 0 { out.append(ASCII.comma) }
        commaBits |= bit
    }

    @inline(__always) mutating func push() {
        depth += 1
        commaBits &= ~(1 << UInt64(depth & 63))
    }

    /// Documents begun so far.
    public private(set) var documents = 0

    /// Starts a new top-level document in the same buffer (NDJSON).
    public mutating func beginDocument() {
        documents += 1
        depth = 0
        commaBits = 0
        pendingValue = false
    }

    @inline(__always) public mutating func beginObject() {
        out.append(ASCII.leftBrace)
        push()
    }
    @inline(__always) public mutating func endObject() {
        out.append(ASCII.rightBrace)
        depth -= 1
    }
    @inline(__always) public mutating func beginArray() {
        out.append(ASCII.leftBracket)
        push()
    }
    @inline(__always) public mutating func endArray() {
        out.append(ASCII.rightBracket)
        depth -= 1
    }

    @inline(__always) public mutating func key(_ k: StaticString) {
        out.write(reserving: k.utf8CodeUnitCount + 4) { c in keyText(&c, k) }
        pendingValue = true
    }

    /// `,"k":` (the comma when the container has a member already).
    @inline(__always) mutating func keyText(_ c: inout ByteSink.Cursor, _ k: StaticString) {
        Self.keyText(&c, k, comma: takeComma())
    }

    /// Whether the next member needs a comma before it; counts it as written.
    @inline(__always) mutating func takeComma() -> Bool {
        let bit: UInt64 = 1 << UInt64(depth & 63)
        defer { commaBits |= bit }
        return commaBits & bit != 0
    }

    @inline(__always) static func keyText(_ c: inout ByteSink.Cursor, _ k: StaticString, comma: Bool) {
        if comma { c.byte(ASCII.comma) }
        c.byte(ASCII.quote)
        c.bytes(k)
        c.byte(ASCII.quote)
        c.byte(ASCII.colon)
    }

    /// A key known only at run time (summary.json's source names).
    public mutating func key(dynamic k: String) {
        separator()
        string(k)
        out.append(ASCII.colon)
        pendingValue = true
    }

    @inline(__always) mutating func beforeValue() {
        if pendingValue { pendingValue = false } else { separator() }
    }

    @inline(__always) public mutating func objectStart(_ k: StaticString) {
        key(k)
        beforeValue()
        beginObject()
    }
    @inline(__always) public mutating func arrayStart(_ k: StaticString) {
        key(k)
        beforeValue()
        beginArray()
    }
    @inline(__always) public mutating func element() { beforeValue() }

    @inline(__always) public mutating func field(_ k: StaticString, _ v: String) {
        // The String is read in place (withUTF8 would copy it: a
        // retain/release pair per field); the closure captures only the sink.
        let comma = takeComma(), sink = out
        let done: Void? = v.utf8.withContiguousStorageIfAvailable { Self.field(k, comma: comma, $0, to: sink) }
        if done == nil {
            var copy = v
            copy.withUTF8 { Self.field(k, comma: comma, $0, to: sink) }
        }
    }

    @inline(__always) static func field(
        _ k: StaticString, comma: Bool, _ buf: UnsafeBufferPointer<UInt8>, to sink: ByteSink
    ) {
        if needsNoEscaping(buf), let p = buf.baseAddress {
            sink.write(reserving: k.utf8CodeUnitCount + buf.count + 6) { c in
                keyText(&c, k, comma: comma)
                c.byte(ASCII.quote)
                c.bytes(UnsafeRawPointer(p), buf.count)
                c.byte(ASCII.quote)
            }
        } else {
            sink.write(reserving: k.utf8CodeUnitCount + 4) { c in keyText(&c, k, comma: comma) }
            string(buf, to: sink)
        }
    }
    @inline(__always) public mutating func field(_ k: StaticString, _ v: String?) { if let v { field(k, v) } }
    /// A value given as UTF-8 bytes (kept by the caller, escaped here if need be).
    @inline(__always) mutating func field(_ k: StaticString, utf8 v: UnsafeBufferPointer<UInt8>) {
        Self.field(k, comma: takeComma(), v, to: out)
    }
    /// A value joined from two strings, with a slash between them or not
    /// (a URL: its stage's beginning and the request's path).
    mutating func field(_ k: StaticString, _ first: UnsafeBufferPointer<UInt8>, slash: Bool, _ second: String) {
        openString(k)
        stringPiece(first)
        if slash { out.append(ASCII.slash) }
        stringPiece(second)
        closeString()
    }

    /// A request id: UUIDs are spelled straight into the output.
    @inline(__always) public mutating func field(_ k: StaticString, _ id: RequestId) {
        guard id.isUUID else {
            field(k, id.other!)
            return
        }
        out.write(reserving: k.utf8CodeUnitCount + 4 + RequestId.uuidLength + 2 + 8) { c in
            keyText(&c, k)
            c.byte(ASCII.quote)
            c.uuid(id)
            c.byte(ASCII.quote)
        }
    }
    public mutating func field(_ k: StaticString, _ id: RequestId?) { if let id { field(k, id) } }

    /// A constant value (written as it is: it must need no escaping).
    @inline(__always) public mutating func field(_ k: StaticString, static v: StaticString) {
        out.write(reserving: k.utf8CodeUnitCount + v.utf8CodeUnitCount + 6) { c in
            keyText(&c, k)
            c.byte(ASCII.quote)
            c.bytes(v)
            c.byte(ASCII.quote)
        }
    }
    @inline(__always) public mutating func field(_ k: StaticString, _ v: Int) { field(k, Int64(v)) }
    @inline(__always) public mutating func field(_ k: StaticString, _ v: Int64) {
        out.write(reserving: k.utf8CodeUnitCount + 4 + ByteScratch.capacity) { c in
            keyText(&c, k)
            c.putInteger(v)
        }
    }
    @inline(__always) public mutating func field(_ k: StaticString, _ v: Bool) {
        field(k, literal: v ? "true" : "false")
    }
    public mutating func fieldNull(_ k: StaticString) { field(k, literal: "null") }
    /// `,"k":` and a literal, under one capacity check.
    @inline(__always) mutating func field(_ k: StaticString, literal v: StaticString) {
        out.write(reserving: k.utf8CodeUnitCount + v.utf8CodeUnitCount + 4) { c in
            keyText(&c, k)
            c.bytes(v)
        }
    }
    public mutating func field(dynamic k: String, _ v: Int) {
        key(dynamic: k)
        beforeValue()
        integer(Int64(v))
    }
    /// Epoch seconds with exactly six decimals, from integer microseconds.
    @inline(__always) public mutating func field(_ k: StaticString, seconds t: EpochMicros) {
        out.write(reserving: k.utf8CodeUnitCount + 4 + ByteScratch.capacity) { c in
            keyText(&c, k)
            c.putSeconds(t)
        }
    }
    /// Milliseconds with up to three decimals, from microseconds.
    @inline(__always) public mutating func field(_ k: StaticString, millis us: Int64) {
        out.write(reserving: k.utf8CodeUnitCount + 4 + ByteScratch.capacity) { c in
            keyText(&c, k)
            c.putMillis(us)
        }
    }
    @inline(__always) public mutating func field(_ k: StaticString, trace t: TraceId) {
        out.write(reserving: k.utf8CodeUnitCount + 4 + TraceId.textLength + 2) { c in
            keyText(&c, k)
            c.byte(ASCII.quote)
            c.trace(t)
            c.byte(ASCII.quote)
        }
    }
    /// A string value written in pieces (no String is built for the whole).
    mutating func openString(_ k: StaticString) {
        key(k)
        beforeValue()
        out.append(ASCII.quote)
    }
    mutating func stringPiece(_ s: String) {
        let sink = out
        let piece = { (buf: UnsafeBufferPointer<UInt8>) in
            if Self.needsNoEscaping(buf) { sink.append(buf) } else { Self.escape(buf, to: sink) }
        }
        if s.utf8.withContiguousStorageIfAvailable(piece) == nil {
            var copy = s
            copy.withUTF8(piece)
        }
    }
    mutating func stringPiece(_ buf: UnsafeBufferPointer<UInt8>) {
        if Self.needsNoEscaping(buf) { out.append(buf) } else { Self.escape(buf, to: out) }
    }
    mutating func closeString() { out.append(ASCII.quote) }

    /// A segment id: 16 lowercase hex digits.
    @inline(__always) mutating func field(_ k: StaticString, hexId v: UInt64) {
        out.write(reserving: k.utf8CodeUnitCount + 4 + 18) { c in
            keyText(&c, k)
            c.byte(ASCII.quote)
            c.hex16(v)
            c.byte(ASCII.quote)
        }
    }
    public mutating func stringElement(_ v: String) {
        beforeValue()
        string(v)
    }

    mutating func integer(_ v: Int64) { Self.integerText(v).append(to: out) }

    public mutating func string(_ s: String) {
        let sink = out
        if s.utf8.withContiguousStorageIfAvailable({ Self.string($0, to: sink) }) == nil {
            var copy = s
            copy.withUTF8 { Self.string($0, to: sink) }
        }
    }

    @inline(__always) static func string(_ buf: UnsafeBufferPointer<UInt8>, to out: ByteSink) {
        if needsNoEscaping(buf) {
            out.reserve(buf.count + 2)
            out.appendUnchecked(ASCII.quote)
            if let p = buf.baseAddress { out.appendUnchecked(UnsafeRawPointer(p), buf.count) }
            out.appendUnchecked(ASCII.quote)
        } else {
            out.append(ASCII.quote)
            escape(buf, to: out)
            out.append(ASCII.quote)
        }
    }

    /// No control character, quote, backslash or DEL: checked eight bytes at
    /// a time (most values are ids and names that need nothing).
    @inline(__always) static func needsNoEscaping(_ buf: UnsafeBufferPointer<UInt8>) -> Bool {
        !WordScan.containsAny(
            buf,
            word: {
                WordScan.hasBelow($0, 0x20) || WordScan.has($0, ASCII.quote) || WordScan.has($0, ASCII.backslash)
                    || WordScan.has($0, 0x7F)
            }, byte: { $0 < 0x20 || $0 == ASCII.quote || $0 == ASCII.backslash || $0 == 0x7F })
    }

    static func escape(_ buf: UnsafeBufferPointer<UInt8>, to out: ByteSink) {
        for b in buf {
            switch b {
            case ASCII.quote:
                out.append(ASCII.backslash)
                out.append(ASCII.quote)
            case ASCII.backslash:
                out.append(ASCII.backslash)
                out.append(ASCII.backslash)
            case ASCII.lf:
                out.append(ASCII.backslash)
                out.append(0x6E)
            case ASCII.cr:
                out.append(ASCII.backslash)
                out.append(0x72)
            case ASCII.tab:
                out.append(ASCII.backslash)
                out.append(0x74)
            case 0..<0x20, 0x7F:
                var s = ByteScratch()
                s.put(ASCII.backslash)
                s.put(0x75)  // \u00XX
                s.putHex(UInt64(b), digits: 4)
                s.append(to: out)
            default: out.append(b)
            }
        }
    }

    public static func appendSeconds(_ t: EpochMicros, to out: inout [UInt8]) { secondsText(t).append(to: &out) }
    public static func appendMillis(_ us: Int64, to out: inout [UInt8]) { millisText(us).append(to: &out) }

    @inline(__always) static func integerText(_ v: Int64) -> ByteScratch {
        var s = ByteScratch()
        s.putInteger(v)
        return s
    }
    @inline(__always) static func secondsText(_ t: EpochMicros) -> ByteScratch {
        var s = ByteScratch()
        s.putSeconds(t)
        return s
    }
    @inline(__always) static func millisText(_ us: Int64) -> ByteScratch {
        var s = ByteScratch()
        s.putMillis(us)
        return s
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
