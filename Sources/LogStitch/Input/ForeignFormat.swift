/// Log formats from outside AWS that look like ours but are not read:
/// PostgreSQL through syslog, Heroku Postgres, Google Cloud SQL exports and
/// PgBouncer. Told apart by the file's first line, so such a file is
/// rejected once, with the reason, instead of line by line.
struct ForeignFormat {
    let reason: String

    static let readFormats =
        "logstitch reads PostgreSQL's stderr (log_line_prefix), csvlog and jsonlog formats as RDS and Aurora write them"

    /// The first non-blank line of `head` (the start of a file) names one.
    static func detect(_ head: ByteView) -> ForeignFormat? {
        var start = 0
        while start < head.count, ASCII.isSpace(head[start]) { start += 1 }
        let rest = head.dropFirst(start)
        var line = rest.prefix(rest.index(of: ASCII.lf) ?? rest.count)
        if line.count > 0, line[line.count - 1] == ASCII.cr { line = line.prefix(line.count - 1) }
        guard line.count > 0 else { return nil }
        if line.index(of: "cloudsql.googleapis.com") != nil || line.index(of: "\"cloudsql_database\"") != nil {
            return ForeignFormat(reason: "Google Cloud SQL log export: outside what logstitch reads (\(readFormats))")
        }
        if line.index(of: " app[postgres") != nil || line.index(of: " app[heroku-postgres") != nil
            || line.index(of: "sql_error_code = ") != nil
        {
            return ForeignFormat(reason: "Heroku Postgres log (logplex): outside what logstitch reads (\(readFormats))")
        }
        if isPgBouncer(line) {
            return ForeignFormat(reason: "PgBouncer log: outside what logstitch reads (\(readFormats))")
        }
        if let program = syslogProgram(line) {
            let what =
                program.hasPrefix("postgres")
                ? "PostgreSQL log written through syslog (log_destination=syslog)"
                : "syslog-format log (program '\(program)')"
            return ForeignFormat(reason: "\(what): outside what logstitch reads (\(readFormats))")
        }
        return nil
    }

    /// PgBouncer prints its own prefix: `… LOG C-0x55d1…: db/user@host:port …`,
    /// a severity without PostgreSQL's colon, then a client/server id or `stats:`.
    static func isPgBouncer(_ line: ByteView) -> Bool {
        let severities: [StaticString] = [" LOG ", " WARNING ", " ERROR ", " FATAL ", " NOISE ", " DEBUG "]
        for severity in severities {
            guard let at = line.index(of: severity) else { continue }
            let after = line.dropFirst(at + severity.utf8CodeUnitCount)
            if after.hasPrefix("C-0x") || after.hasPrefix("S-0x") || after.hasPrefix("stats: ")
                || after.hasPrefix("kernel file descriptor")
                || after.index(of: "PgBouncer") != nil
            {
                return true
            }
        }
        return false
    }

    /// The program of a syslog line: RFC 3164 (`Nov 24 03:00:00 host prog[pid]: …`),
    /// RFC 5424 (`<134>1 2026-… host prog pid …`) or rsyslog's ISO time
    /// (`2026-11-24T03:00:00.123+00:00 host prog[pid]: …`).
    static func syslogProgram(_ line: ByteView) -> String? {
        let words = line.prefix(300).string.split(separator: " ", maxSplits: 6, omittingEmptySubsequences: true)
        func tag(_ w: Substring) -> String? {
            // prog[pid]: or prog:
            guard w.hasSuffix(":") else { return nil }
            let t = w.dropLast()
            let name = t.prefix { $0 != "[" }
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_./".contains($0) }) else {
                return nil
            }
            if name.count < t.count {
                guard t.hasSuffix("]"), t.dropFirst(name.count + 1).dropLast().allSatisfy(\.isNumber) else {
                    return nil
                }
            }
            return String(name)
        }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        if words.count >= 5, months.contains(String(words[0])), words[1].allSatisfy(\.isNumber), words[2].count == 8,
            words[2].filter({ $0 == ":" }).count == 2
        {
            return tag(words[4])
        }
        if words.count >= 4, words[0].hasPrefix("<"), let close = words[0].firstIndex(of: ">"),
            words[0][words[0].index(after: words[0].startIndex)..<close].allSatisfy(\.isNumber)
        {
            return String(words[3])
        }
        if words.count >= 3, words[0].count >= 20, words[0].dropFirst(10).first == "T",
            words[0].prefix(4).allSatisfy(\.isNumber), let program = tag(words[2])
        {
            return program
        }
        return nil
    }
}
