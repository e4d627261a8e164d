/// How one input file went: what it was, how much was read, and what became
/// of every record in it. summary.json prints one of these per file.
public struct FileReport: Sendable {
    public var path: String
    public var compression: String = "plain"
    public var framing: String = "empty"
    public var compressedBytes: Int64 = 0
    public var uncompressedBytes: Int64 = 0
    public var recordsSeen = 0
    public var parsed = [Int](repeating: 0, count: SourceKind.allCases.count)
    public var ignored = 0
    public var rejected = 0
    /// Damage that stopped reading the file (corrupt gzip, unreadable file).
    public var fileError: String?
    /// Rows of rejects.csv left out for this file beyond the per-file cap.
    public var rejectRowsOmitted = 0
    public var rejects: [Reject] = []

    public init(path: String) { self.path = path }

    public var parsedTotal: Int { parsed.reduce(0, +) }
    public var hasProblems: Bool { rejected > 0 || fileError != nil }
}

/// One row of rejects.csv.
public struct Reject: Sendable, Equatable {
    public var file: String
    /// 0 when the problem concerns the file as a whole.
    public var line: Int
    public var reason: String
    public var excerpt: String

    /// First 200 bytes, with anything unprintable (control bytes, invalid
    /// UTF-8) made visible as `\xNN` so a spreadsheet shows it safely.
    public static func excerpt(_ b: ByteView) -> String {
        let head = b.prefix(200)
        var out = ""
        let text = String(decoding: head, as: UTF8.self)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x09: out += "\\t"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0xFFFD: out += "\\ufffd"
            case 0..<0x20, 0x7F: out += "\\x" + String(scalar.value, radix: 16).leftPadded(2)
            default: out.unicodeScalars.append(scalar)
            }
        }
        if b.count > 200 { out += "…" }
        return out
    }
}

extension String {
    func leftPadded(_ width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
