/// A JSON object pretty-printed over several lines (an access log copied
/// from the console, a record from the docs): from a line holding only
/// `{` to the line that closes it, read as one record.
struct PendingJSONObject {
    var bytes: [UInt8] = []
    var firstLine = 0
    var lines = 0
    /// Nesting depth and string state at the end of the lines so far.
    var depth = 0
    var inString = false
    var escaped = false

    static let maxLines = 10_000
    static let maxBytes = 8 << 20

    var isEmpty: Bool { lines == 0 }

    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        lines = 0
        depth = 0
        inString = false
        escaped = false
    }

    /// Whether a line opens such an object: `{` alone (pretty printers put
    /// it so). A one-line object that is cut short does not, so it cannot
    /// swallow the good lines after it.
    static func opens(_ m: ByteView) -> Bool {
        let t = m.trimmed()
        return t.count == 1 && t[0] == ASCII.leftBrace
    }

    /// Adds a line; true once the object is closed.
    mutating func add(_ m: ByteView, line: Int) -> Bool {
        if lines == 0 { firstLine = line } else { bytes.append(ASCII.lf) }
        bytes.append(contentsOf: m)
        lines += 1
        for k in 0..<m.count {
            let c = m[k]
            if inString {
                if escaped {
                    escaped = false
                } else if c == 0x5C {
                    escaped = true
                } else if c == ASCII.quote {
                    inString = false
                }
            } else if c == ASCII.quote {
                inString = true
            } else if c == ASCII.leftBrace || c == ASCII.leftBracket {
                depth += 1
            } else if c == ASCII.rightBrace || c == ASCII.rightBracket {
                depth -= 1
            }
        }
        return depth <= 0
    }

    var isTooLong: Bool { lines >= Self.maxLines || bytes.count >= Self.maxBytes }
}

extension LogRecordParser {
    /// A line of a pretty-printed object: the lines before the last are
    /// counted as ignored (they are parts of the record), the last carries
    /// the record's outcome, and its line number is the object's first.
    mutating func continuePendingJSON(_ r: LogRecord) -> RecordOutcome {
        guard pendingJSON.add(r.message, line: r.line) else {
            if pendingJSON.isTooLong {
                let reason =
                    "JSON object over \(pendingJSON.lines) lines (from line \(pendingJSON.firstLine)) never closes"
                pendingJSON.reset()
                return .rejected(reason)
            }
            return .ignored
        }
        var object = PendingJSONObject()
        swap(&object, &pendingJSON)
        let first = object.firstLine
        return object.bytes.withUnsafeBytes { raw in
            classify(
                LogRecord(file: r.file, line: first, timestamp: r.timestamp, source: r.source, message: ByteView(raw)))
        }
    }

    /// At the end of a file, an object that never closed.
    mutating func abandonPendingJSON() {
        guard !pendingJSON.isEmpty else { return }
        lateRejects.append(
            LateReject(
                line: pendingJSON.firstLine, kind: nil,
                reason: "JSON object cut off at the end of the file (its braces never close)"))
        pendingJSON.reset()
    }
}
