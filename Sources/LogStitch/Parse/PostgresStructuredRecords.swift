/// A csvlog record whose quoted fields run over several physical lines:
/// its lines are kept until the quotes pair up.
struct PendingCSVRecord {
    var bytes: [UInt8] = []
    var firstLine = 0
    var lines = 0
    /// Whether the quotes so far leave a field open (counted line by line,
    /// so a long record is not rescanned at each line).
    var open = false

    /// A record this long is not one: an unpaired quote would otherwise
    /// swallow the rest of the file.
    static let maxLines = 10_000
    static let maxBytes = 8 << 20

    var isEmpty: Bool { lines == 0 }

    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        lines = 0
        open = false
    }

    static func oddQuotes(_ m: ByteView) -> Bool {
        var odd = false, i = 0
        while let q = m.index(of: ASCII.quote, from: i) {
            odd.toggle()
            i = q + 1
        }
        return odd
    }
}

extension LogRecordParser {
    /// A record (or the next line of a record) of PostgreSQL's csvlog or jsonlog.
    mutating func parsePostgresStructured(_ r: LogRecord, csv: Bool) -> RecordOutcome {
        closePostgresEvent()
        lastKind = .postgresql
        let m = r.message
        guard csv else { return finishStructured(m, r, line: r.line, csv: false) }
        if pendingCSV.isEmpty {
            if !PendingCSVRecord.oddQuotes(m) { return finishStructured(m, r, line: r.line, csv: true) }
            pendingCSV.firstLine = r.line
        } else {
            pendingCSV.bytes.append(ASCII.lf)
        }
        pendingCSV.bytes.append(contentsOf: m)
        pendingCSV.lines += 1
        if PendingCSVRecord.oddQuotes(m) {
            pendingCSV.open.toggle()
        } else if pendingCSV.lines == 1 {
            pendingCSV.open = true
        }
        if pendingCSV.open {
            if pendingCSV.lines >= PendingCSVRecord.maxLines || pendingCSV.bytes.count >= PendingCSVRecord.maxBytes {
                let reason =
                    "csvlog record with an unclosed quote over \(pendingCSV.lines) lines (from line \(pendingCSV.firstLine))"
                pendingCSV.reset()
                return .rejected(reason)
            }
            // One of the record's lines: its verdict comes with the last.
            return .parsed(.postgresql)
        }
        let first = pendingCSV.firstLine
        let outcome = pendingCSV.bytes.withUnsafeBytes { finishStructured(ByteView($0), r, line: first, csv: true) }
        pendingCSV.reset()
        return outcome
    }

    /// Reads one whole record and keeps its statement.
    mutating func finishStructured(_ m: ByteView, _ r: LogRecord, line: Int, csv: Bool) -> RecordOutcome {
        let instance = instance(of: r)
        let result =
            csv
            ? postgres.parseCSV(m, file: r.file, lineNo: line, instance: instance)
            : postgres.parseJSON(m, file: r.file, lineNo: line, instance: instance)
        switch result {
        case .statement(let q):
            if q.end == 0, let t = r.timestamp { q.end = t }
            SlowQueryFinisher.finish(q)
            output.queries.append(q)
            return .parsed(.postgresql)
        case .parameters:
            // A record's DETAIL is in the record itself: one alone explains nothing.
            output.orphanParameters += 1
            return .parsed(.postgresql)
        case .noise:
            return .ignored
        case .malformed(let reason):
            return .rejected(reason)
        }
    }

    /// At the end of a file, a record whose quotes never closed.
    mutating func abandonPendingCSV() {
        guard !pendingCSV.isEmpty else { return }
        lateRejects.append(
            LateReject(
                line: pendingCSV.firstLine, kind: .postgresql,
                reason: "csvlog record cut off at the end of the file (a quoted field never closes)"))
        pendingCSV.reset()
    }
}
