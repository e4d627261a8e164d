/// PostgreSQL's two structured destinations (`log_destination`): csvlog
/// (RDS and Aurora can write it) and jsonlog (PostgreSQL 15+). Each record
/// holds what the stderr format spreads over a prefix, a message and a
/// DETAIL line; it is mapped onto the same `Line` and read by the same
/// `interpret`, so all three formats give the same statements.
extension PostgresLogParser {
    /// csvlog's columns, in PostgreSQL's order (13 added backend_type, 14
    /// leader_pid and query_id; 9.x–12 write the first 23).
    enum CSVColumn: Int {
        case logTime = 0, userName, databaseName, processId, connectionFrom, sessionId, sessionLineNum, commandTag
        case sessionStartTime, virtualTransactionId, transactionId, errorSeverity, sqlStateCode, message, detail
        static let fewest = 23, most = 26
    }

    /// A csvlog record starts with log_time (`2026-11-24 03:00:01.123 UTC`) and a comma.
    public static func looksLikeCSVLog(_ m: ByteView) -> Bool {
        guard let comma = m.prefix(48).index(of: ASCII.comma) else { return false }
        return PostgresTimestamp.hasShape(m.prefix(comma))
    }

    /// A jsonlog record is one object starting with its timestamp.
    public static func looksLikeJSONLog(_ m: ByteView) -> Bool {
        m.hasPrefix("{\"timestamp\":\"") && m.index(of: "\"error_severity\":") != nil
    }

    static var noBytes: ByteView { ByteView(start: nil, count: 0) }

    /// One csvlog record (all its lines, joined by LF).
    public mutating func parseCSV(_ m: ByteView, file: Int, lineNo: Int, instance: String) -> Result {
        if let problem = splitCSV(m) { return .malformed(problem) }
        let n = recordFields.count
        guard n >= CSVColumn.fewest && n <= CSVColumn.most else {
            return .malformed(
                "csvlog record with \(n) fields (PostgreSQL writes \(CSVColumn.fewest) to \(CSVColumn.most))")
        }
        let fields = recordFields
        return recordBytes.withUnsafeBytes { raw in
            let b = ByteView(raw)
            func field(_ c: CSVColumn) -> ByteView? {
                let r = fields[c.rawValue]
                return r.isEmpty ? nil : b.slice(r.lowerBound, r.upperBound)
            }
            return interpretStructured(
                StructuredFields(
                    time: field(.logTime), severity: field(.errorSeverity), message: field(.message),
                    user: field(.userName), database: field(.databaseName), pid: field(.processId),
                    host: field(.connectionFrom).map(Self.hostOfConnection), detail: field(.detail)),
                format: "csvlog record whose log_time", file: file, lineNo: lineNo, instance: instance)
        }
    }

    /// One jsonlog record (one line).
    public mutating func parseJSON(_ m: ByteView, file: Int, lineNo: Int, instance: String) -> Result {
        enum Key: Int, CaseIterable { case timestamp, user, dbname, pid, remoteHost, errorSeverity, message, detail }
        recordBytes.removeAll(keepingCapacity: true)
        recordFields.removeAll(keepingCapacity: true)
        recordFields.append(contentsOf: repeatElement(0..<0, count: Key.allCases.count))
        var s = JSONScanner(m)
        let reader = s
        var bytes = recordBytes, spans = recordFields
        let parsed = s.members { k, v in
            let key: Key
            if reader.key(k, is: "timestamp") {
                key = .timestamp
            } else if reader.key(k, is: "user") {
                key = .user
            } else if reader.key(k, is: "dbname") {
                key = .dbname
            } else if reader.key(k, is: "pid") {
                key = .pid
            } else if reader.key(k, is: "remote_host") {
                key = .remoteHost
            } else if reader.key(k, is: "error_severity") {
                key = .errorSeverity
            } else if reader.key(k, is: "message") {
                key = .message
            } else if reader.key(k, is: "detail") {
                key = .detail
            } else {
                return
            }
            let start = bytes.count
            if v.kind == .string { _ = reader.decode(v, into: &bytes) } else { bytes.append(contentsOf: reader.raw(v)) }
            spans[key.rawValue] = start..<bytes.count
        }
        recordBytes = bytes
        recordFields = spans
        guard parsed != nil else { return .malformed("jsonlog record is not one JSON object") }
        return recordBytes.withUnsafeBytes { raw in
            let b = ByteView(raw)
            // An absent key keeps its empty span: absent and empty are both nil.
            func field(_ k: Key) -> ByteView? {
                let r = spans[k.rawValue]
                return r.isEmpty ? nil : b.slice(r.lowerBound, r.upperBound)
            }
            return interpretStructured(
                StructuredFields(
                    time: field(.timestamp), severity: field(.errorSeverity), message: field(.message),
                    user: field(.user), database: field(.dbname), pid: field(.pid),
                    host: field(.remoteHost)?.string,  // the port is remote_port
                    detail: field(.detail)),
                format: "jsonlog record whose timestamp", file: file, lineNo: lineNo, instance: instance)
        }
    }

    /// What a csvlog or jsonlog record holds, by meaning, whatever the
    /// format calls it (the host without its port).
    struct StructuredFields {
        var time: ByteView?, severity: ByteView?, message: ByteView?
        var user: ByteView?, database: ByteView?, pid: ByteView?
        var host: String?, detail: ByteView?
    }

    /// The record as a `Line`, read as a stderr line is: the message's first
    /// line is what a stderr line's message is, the rest its continuation
    /// lines. `format` names the record and its time field for the reject.
    mutating func interpretStructured(_ f: StructuredFields, format: String, file: Int, lineNo: Int, instance: String)
        -> Result
    {
        var line = Line(severity: f.severity ?? Self.noBytes, message: f.message ?? Self.noBytes)
        switch f.time.flatMap({ zoneCache.utc($0, zones) }) {
        case .success(let us)?: line.time = us
        case .failure(let p)?: line.timeProblem = p.reason
        case nil: return .malformed("\(format) is not a time")
        }
        line.user = f.user?.string
        line.database = f.database?.string
        line.pid = f.pid?.parseInt()
        line.host = f.host
        line.detail = f.detail
        var first = line
        var continuation: ByteView?
        if let lf = line.message.index(of: ASCII.lf) {
            first.message = line.message.prefix(lf)
            continuation = line.message.dropFirst(lf + 1)
        }
        // Both formats print log_time with milliseconds.
        return interpret(
            first, continuation: continuation, indented: false, resolution: 1000,
            file: file, lineNo: lineNo, instance: instance)
    }

    /// csvlog's `host:port` (or `[local]`, or an IPv6 address and port):
    /// the host, as `%r`'s `host(port)` gives it.
    static func hostOfConnection(_ v: ByteView) -> String {
        guard let colon = (0..<v.count).last(where: { v[$0] == ASCII.colon }), colon + 1 < v.count,
            (colon + 1..<v.count).allSatisfy({ ASCII.isDigit(v[$0]) })
        else { return v.string }
        return v.prefix(colon).string
    }

    /// Splits a csvlog record into `recordFields` over `recordBytes`
    /// (quotes removed, `""` made `"`); a problem if it is not CSV.
    mutating func splitCSV(_ m: ByteView) -> String? {
        recordBytes.removeAll(keepingCapacity: true)
        recordFields.removeAll(keepingCapacity: true)
        var i = 0
        while true {
            let start = recordBytes.count
            if i < m.count, m[i] == ASCII.quote {
                i += 1
                var closed = false
                // The text up to the next quote goes in as one run (byte by
                // byte, appending was a fifth of reading a csvlog file).
                while let q = m.index(of: ASCII.quote, from: i) {
                    recordBytes.append(contentsOf: m.slice(i, q))
                    if q + 1 < m.count, m[q + 1] == ASCII.quote {
                        recordBytes.append(ASCII.quote)
                        i = q + 2
                        continue
                    }
                    i = q + 1
                    closed = true
                    break
                }
                if !closed { return "csvlog record with an unclosed quote" }
            } else {
                let end = m.index(of: ASCII.comma, from: i) ?? m.count
                recordBytes.append(contentsOf: m.slice(i, end))
                i = end
            }
            recordFields.append(start..<recordBytes.count)
            if i >= m.count { return nil }
            guard m[i] == ASCII.comma else { return "csvlog record with text after a closing quote" }
            i += 1
            if recordFields.count > CSVColumn.most { return "csvlog record with more than \(CSVColumn.most) fields" }
        }
    }
}
