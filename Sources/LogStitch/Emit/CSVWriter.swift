/// Builds RFC 4180 CSV: comma-separated, CRLF-free (LF line ends, which
/// every consumer reads), fields quoted only when they hold a comma, quote,
/// CR or LF, with quotes doubled.
public struct CSVWriter {
    /// The text so far (see `ByteSink` for why not an array).
    private(set) var out = ByteSink()
    /// The text so far, copied.
    public var bytes: [UInt8] { out.array }
    public var count: Int { out.count }
    /// The text so far, where it lies (valid until the next write).
    var bytesWritten: UnsafeRawBufferPointer { out.bytes }
    /// Forgets the text so far, keeping the buffer.
    mutating func removeAll() { out.removeLast(out.count) }

    public init(header: [String]) {
        row(header)
    }

    /// Rows without a header (a later piece of a streamed file).
    public init(rowsOnly: ()) {}
    /// The same, written into `sink`.
    init(rowsOnly: (), sink: ByteSink) { out = sink }

    public mutating func row(_ fields: [String]) {
        for (i, f) in fields.enumerated() {
            if i > 0 { out.append(ASCII.comma) }
            field(f)
        }
        out.append(ASCII.lf)
    }

    mutating func field(_ f: String) {
        // Read in place (withUTF8 would copy the String: a retain/release
        // pair per field); the closure captures only the sink.
        let sink = out
        let done: Void? = f.utf8.withContiguousStorageIfAvailable { u in Self.write(u, to: sink) }
        if done == nil {
            var copy = f
            copy.withUTF8 { Self.write($0, to: sink) }
        }
    }

    @inline(__always) static func write(_ u: UnsafeBufferPointer<UInt8>, to out: ByteSink) {
        if plain(u) {
            out.append(u)
            return
        }
        out.append(ASCII.quote)
        for b in u {
            if b == ASCII.quote { out.append(ASCII.quote) }
            out.append(b)
        }
        out.append(ASCII.quote)
    }

    /// No comma, quote, CR or LF: checked eight bytes at a time.
    @inline(__always) static func plain(_ buf: UnsafeBufferPointer<UInt8>) -> Bool {
        !WordScan.containsAny(
            buf,
            word: {
                WordScan.has($0, ASCII.comma) || WordScan.has($0, ASCII.quote) || WordScan.has($0, ASCII.cr)
                    || WordScan.has($0, ASCII.lf)
            }, byte: { $0 == ASCII.comma || $0 == ASCII.quote || $0 == ASCII.cr || $0 == ASCII.lf })
    }

    // Field by field, straight into the buffer (the per-request rows are hot).
    var fieldsInRow = 0
    @inline(__always) mutating func separator() {
        if fieldsInRow > 0 { out.append(ASCII.comma) }
        fieldsInRow += 1
    }
    public mutating func add(_ s: String?) {
        separator()
        if let s { field(s) }
    }
    /// A request id (UUIDs need no quoting).
    public mutating func add(_ id: RequestId?) {
        separator()
        guard let id else { return }
        guard id.isUUID else {
            field(id.other!)
            return
        }
        out.write(reserving: RequestId.uuidLength + 8) { $0.uuid(id) }
    }
    public mutating func add(trace t: TraceId) {
        separator()
        t.append(to: out)
    }
    public mutating func add(int v: Int64?) {
        separator()
        if let v { out.write(reserving: ByteScratch.capacity) { $0.putInteger(v) } }
    }
    public mutating func add(millis us: Int64?) {
        separator()
        if let us { out.write(reserving: ByteScratch.capacity) { $0.putMillis(us) } }
    }
    public mutating func add(time t: EpochMicros?) {
        separator()
        if let t { Timestamp.iso8601MillisText(t).append(to: out) }
    }
    public mutating func add(bool v: Bool?) {
        separator()
        // Through the cursor: a closure over the sink retained it per field.
        if let v { out.write(reserving: 5) { $0.bytes(v ? "true" : "false") } }
    }
    public mutating func endRow() {
        out.append(ASCII.lf)
        fieldsInRow = 0
    }
}
