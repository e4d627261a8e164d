/// Builds RFC 4180 CSV: comma-separated, CRLF-free (LF line ends, which
/// every consumer reads), fields quoted only when they hold a comma, quote,
/// CR or LF, with quotes doubled.
public struct CSVWriter {
    public private(set) var bytes: [UInt8] = []

    public init(header: [String]) {
        row(header)
    }

    /// Rows without a header (a later piece of a streamed file).
    public init(rowsOnly: ()) {}

    public mutating func row(_ fields: [String]) {
        for (i, f) in fields.enumerated() {
            if i > 0 { bytes.append(ASCII.comma) }
            field(f)
        }
        bytes.append(ASCII.lf)
    }

    mutating func field(_ f: String) {
        let needsQuotes = f.utf8.contains { $0 == ASCII.comma || $0 == ASCII.quote || $0 == ASCII.cr || $0 == ASCII.lf }
        if !needsQuotes { bytes.append(contentsOf: f.utf8); return }
        bytes.append(ASCII.quote)
        for b in f.utf8 {
            if b == ASCII.quote { bytes.append(ASCII.quote) }
            bytes.append(b)
        }
        bytes.append(ASCII.quote)
    }
}
