/// Parses PostgreSQL / Aurora PostgreSQL logs written with
/// `log_min_duration_statement`: the RDS prefix `%t:%r:%u@%d:[%p]:` (or any
/// `--pg-prefix`), then `LOG:  duration: 1532.412 ms  statement: …`
/// (`execute <name>:`, `parse`, `bind`, auto_explain `plan:`), a separate
/// `DETAIL:  parameters: …` event from the same backend, and tab-indented
/// continuation lines. Other LOG lines (connections, checkpoints) are noise.
/// `%t` has one-second resolution, which the record keeps.
public struct PostgresLogParser {
    public static let rdsPrefix = "%t:%r:%u@%d:[%p]:"

    enum Slot: Int, CaseIterable { case time, host, user, database, pid, appName, session }
    let matcher: TemplateMatcher
    /// The prefix up to `%q`: what background processes (checkpointer,
    /// autovacuum) print, since they stop there.
    let nonSessionMatcher: TemplateMatcher?
    /// The matcher's slots, kept between lines: every line of a file with
    /// no log group is tried against the prefix, and a fresh array per try
    /// costs the runtime's generic lookups (PERFORMANCE.md, "kept arrays").
    var slots: [Range<Int>?] = []
    /// The statement being put together, kept between events (see `interpret`).
    var statementScratch: [UInt8] = []
    let timeResolution: EpochMicros
    public let prefixText: String

    public struct Line {
        public var time: EpochMicros?
        public var host: String?
        public var user: String?
        public var database: String?
        public var pid: Int64?
        public var severity: ByteView
        public var message: ByteView
        /// Why the time's zone could not be read (the line is then rejected).
        public var timeProblem: String?
        /// csvlog's and jsonlog's DETAIL field, in the record it explains.
        public var detail: ByteView?
    }

    public struct BadPrefix: Error, CustomStringConvertible {
        public var description: String
    }

    /// A csvlog or jsonlog record's fields, unquoted or unescaped, and
    /// where each lies (reused from record to record).
    var recordBytes: [UInt8] = []
    var recordFields: [Range<Int>] = []

    /// How the zones of printed times are read (`--pg-timezone`).
    let zones: PostgresTimeZone
    var zoneCache = ZoneCache()

    public init(prefix: String = PostgresLogParser.rdsPrefix, zones: PostgresTimeZone = PostgresTimeZone()) throws {
        prefixText = prefix
        self.zones = zones
        var segments: [TemplateMatcher.Segment] = []
        var sessionOnlyFrom: Int?
        var literal: [UInt8] = []
        var resolution: EpochMicros = 1_000_000
        let bytes = Array(prefix.utf8)
        var i = 0
        func flush() {
            if !literal.isEmpty {
                segments.append(.literal(literal))
                literal = []
            }
        }
        while i < bytes.count {
            guard bytes[i] == 0x25, i + 1 < bytes.count else {
                literal.append(bytes[i])
                i += 1
                continue
            }
            let c = bytes[i + 1]
            i += 2
            let field: (Slot?, TemplateMatcher.ValueClass)
            switch c {
            case 0x25:
                literal.append(0x25)
                continue
            case 0x74: field = (.time, .pgTimestamp)  // %t
            case 0x6D:
                field = (.time, .pgTimestamp)
                resolution = 1000  // %m
            case 0x6E:
                field = (.time, .decimal)
                resolution = 1000  // %n
            case 0x72: field = (.host, .hostPort)  // %r
            case 0x68: field = (.host, .token)  // %h
            case 0x75: field = (.user, .token)  // %u
            case 0x64: field = (.database, .token)  // %d
            case 0x70: field = (.pid, .integer)  // %p
            case 0x61: field = (.appName, .any)  // %a
            case 0x63: field = (.session, .token)  // %c
            case 0x6C, 0x78, 0x76, 0x65, 0x51: field = (nil, .token)  // %l %x %v %e %Q
            case 0x69, 0x62: field = (nil, .any)  // %i %b
            case 0x73: field = (nil, .pgTimestamp)  // %s
            case 0x71:  // %q: where non-session processes stop
                flush()
                if sessionOnlyFrom == nil { sessionOnlyFrom = segments.count }
                continue
            default: throw BadPrefix(description: "unsupported log_line_prefix escape %\(Character(UnicodeScalar(c)))")
            }
            flush()
            segments.append(.value(slot: field.0?.rawValue ?? Slot.allCases.count, field.1))
        }
        flush()
        guard
            segments.contains(where: {
                if case .value(let s, _) = $0 { return s == Slot.time.rawValue } else { return false }
            })
        else {
            throw BadPrefix(
                description: "--pg-prefix must contain a time escape (%t, %m or %n) to place statements in time")
        }
        matcher = TemplateMatcher(segments: segments, slotCount: Slot.allCases.count + 1, anchoredAtEnd: false)
        if let cut = sessionOnlyFrom, cut < segments.count {
            nonSessionMatcher = TemplateMatcher(
                segments: Array(segments[..<cut]), slotCount: Slot.allCases.count + 1,
                anchoredAtEnd: false)
        } else {
            nonSessionMatcher = nil
        }
        timeResolution = resolution
    }

    /// `2024-01-01 00:00:00 UTC`, `… .123 UTC`, or with a numeric zone.
    /// (`PostgresTimeZone` alone, without a declared zone.)
    public static func parseTimestamp(_ v: ByteView) -> EpochMicros? {
        var cache = ZoneCache()
        guard case .success(let t)? = cache.utc(v, PostgresTimeZone()) else { return nil }
        return t
    }

    /// The last zone read and its offset: a file's lines share one zone,
    /// and its meaning is looked up again only when the zone or the day changes.
    struct ZoneCache {
        var packed: UInt64 = 0
        var day: Int64 = .min
        var offset: Int32 = 0
        /// The last time read and what it was: a busy log prints one
        /// second on line after line (`%t`), read once.
        var lastText: [UInt8] = []
        var lastUTC: EpochMicros = 0

        /// A printed time in UTC; nil if `v` is not one, a problem if its zone cannot be read.
        mutating func utc(_ v: ByteView, _ zones: PostgresTimeZone) -> Swift.Result<
            EpochMicros, PostgresTimeZone.Problem
        >? {
            if v.count > 0, lastText.withUnsafeBytes({ $0.equals(v) }) { return .success(lastUTC) }
            let result = read(v, zones)
            if case .success(let t)? = result {
                lastText.removeAll(keepingCapacity: true)
                lastText.append(contentsOf: v)
                lastUTC = t
            }
            return result
        }

        mutating func read(_ v: ByteView, _ zones: PostgresTimeZone) -> Swift.Result<
            EpochMicros, PostgresTimeZone.Problem
        >? {
            guard let (local, zone) = PostgresTimestamp.split(v) else { return nil }
            if zone.count == 0 { return .success(local) }
            var key: UInt64 = UInt64(zone.count)
            for k in 0..<zone.count { key = key << 8 | UInt64(zone[k]) }
            let seconds = local / 1_000_000
            let d = seconds / 86_400
            if key != packed || d != day {
                switch zones.offset(of: zone, localSeconds: seconds) {
                case .success(let o):
                    packed = key
                    day = d
                    offset = o
                case .failure(let p): return .failure(p)
                }
            }
            return .success(local - Int64(offset) * 1_000_000)
        }
    }

    /// Splits off the prefix and severity; nil if the line does not start with the prefix.
    public mutating func parseLine(_ m: ByteView) -> Line? {
        var end = 0
        guard
            matcher.match(m, slots: &slots, end: &end) || nonSessionMatcher?.match(m, slots: &slots, end: &end) == true
        else { return nil }
        let rest = m.dropFirst(end)
        guard let colon = rest.index(of: ASCII.colon), colon > 0, colon <= 13 else { return nil }
        let severity = rest.prefix(colon)
        for k in 0..<severity.count where !(severity[k] >= 0x41 && severity[k] <= 0x5A) && !ASCII.isDigit(severity[k]) {
            return nil
        }
        var s = colon + 1
        while s < rest.count, rest[s] == ASCII.space { s += 1 }
        func text(_ slot: Slot) -> ByteView? {
            guard let r = slots[slot.rawValue] else { return nil }
            let v = m.slice(r.lowerBound, r.upperBound)
            return v.count == 0 ? nil : v
        }
        var line = Line(severity: severity, message: rest.dropFirst(s))
        if let t = text(.time) {
            switch zoneCache.utc(t, zones) {
            case .success(let us)?: line.time = us
            case .failure(let p)?: line.timeProblem = p.reason
            case nil: line.time = t.parseFixed(scale: 6)  // %n: unix seconds with milliseconds
            }
        }
        if let h = text(.host) {
            // host(port): keep the host; the port identifies the connection.
            if let open = (0..<h.count).last(where: { h[$0] == 0x28 }) {
                line.host = h.prefix(open).string
            } else {
                line.host = h.string
            }
        }
        line.user = text(.user)?.string
        line.database = text(.database)?.string
        line.pid = text(.pid)?.parseInt()
        return line
    }

    public enum Result {
        case statement(SlowQuery)
        case parameters(pid: Int64?, String)
        case noise
        case malformed(String)
    }

    /// Interprets one event (prefix line plus any continuation lines).
    /// `firstLine`: `parseLine` of the event's first line, when the caller
    /// already made it (recognising a line by content does).
    public mutating func parse(
        _ m: ByteView, firstLine: Line? = nil, file: Int, lineNo: Int, instance: String
    ) -> Result? {
        let firstEnd = m.index(of: ASCII.lf) ?? m.count
        guard let line = firstLine ?? parseLine(m.prefix(firstEnd)) else { return nil }
        return interpret(
            line, continuation: firstEnd < m.count ? m.dropFirst(firstEnd + 1) : nil, indented: true,
            resolution: timeResolution, file: file, lineNo: lineNo, instance: instance)
    }

    /// What one event says, whichever format it came in: its first line
    /// split into `line` (prefix, severity, message), and the lines after
    /// it (tab-indented in the stderr format, as they were sent in csvlog and jsonlog).
    mutating func interpret(
        _ line: Line, continuation: ByteView?, indented: Bool, resolution: EpochMicros,
        file: Int, lineNo: Int, instance: String
    ) -> Result {
        if let problem = line.timeProblem { return .malformed(problem) }
        if line.severity.equals("DETAIL") {
            if line.message.hasPrefix("parameters: ") {
                var text = Array(line.message.dropFirst(12))
                if let continuation { Self.appendContinuation(continuation, indented: indented, to: &text) }
                return .parameters(pid: line.pid, String(decoding: text, as: UTF8.self))
            }
            return .noise
        }
        guard line.severity.equals("LOG"), line.message.hasPrefix("duration: ") else { return .noise }
        let d = line.message.dropFirst(10)
        guard let ms = d.index(of: " ms"), let durationUs = d.prefix(ms).parseFixed(scale: 3) else {
            return .malformed("PostgreSQL duration line without 'duration: <number> ms'")
        }
        var rest = d.dropFirst(ms + 3)
        while rest.count > 0, rest[0] == ASCII.space { rest = rest.dropFirst(1) }
        // The parser's one statement buffer (a fresh array per statement
        // grew and was freed once per line).
        var sql = statementScratch
        statementScratch = []
        sql.removeAll(keepingCapacity: true)
        defer { statementScratch = sql }
        var isPlan = false
        if rest.hasPrefix("statement:") {
            sql.append(contentsOf: rest.dropFirst(10))
        } else if rest.hasPrefix("execute ") || rest.hasPrefix("parse ") || rest.hasPrefix("bind ") {
            guard let c = rest.index(of: ": ") ?? (rest.hasSuffix(":") ? rest.count - 1 : nil) else {
                return .malformed("PostgreSQL extended-protocol duration line without ': <statement>'")
            }
            sql.append(contentsOf: rest.dropFirst(min(rest.count, c + 2)))
        } else if rest.hasPrefix("plan:") {
            isPlan = true
        } else if rest.count == 0 {
            // log_duration without the statement (it was logged on its own line): nothing to attribute.
            return .noise
        } else {
            return .malformed("PostgreSQL duration line with an unknown statement kind")
        }
        if let continuation {
            var cont: [UInt8] = []
            Self.appendContinuation(continuation, indented: indented, to: &cont)
            if isPlan {
                // auto_explain: the statement is the "Query Text:" line.
                cont.withUnsafeBytes { b in
                    if let q = b.index(of: "Query Text: ") {
                        let after = b.dropFirst(q + 12)
                        sql.append(contentsOf: after.prefix(after.index(of: ASCII.lf) ?? after.count))
                    }
                }
            } else {
                if !sql.isEmpty && !sql.allSatisfy(ASCII.isSpace) { sql.append(ASCII.lf) }
                sql.append(contentsOf: cont)
            }
        }
        let q = SlowQuery(engine: .postgresql)
        q.instance = instance
        q.database = line.database
        q.user = line.user
        q.clientHost = line.host
        q.connectionId = line.pid
        q.end = line.time ?? 0
        q.endResolution = resolution
        q.durationUs = durationUs
        if let d = line.detail, d.hasPrefix("parameters: ") {
            // csvlog and jsonlog carry the DETAIL in the statement's own record.
            q.parameters = d.dropFirst(12).string
        }
        // Spaces, tabs and newlines trimmed as bytes (no other byte of UTF-8 text is one).
        var start = 0, end = sql.count
        while start < end, sql[start] == ASCII.space || sql[start] == ASCII.tab || sql[start] == ASCII.lf { start += 1 }
        while end > start, sql[end - 1] == ASCII.space || sql[end - 1] == ASCII.tab || sql[end - 1] == ASCII.lf {
            end -= 1
        }
        // psql sends the final `;`, drivers do not: without it both are one
        // class, as a MySQL slow log's statements are (its `;` is dropped too).
        if end > start, sql[end - 1] == ASCII.semicolon { end -= 1 }
        q.text = String(decoding: sql[start..<end], as: UTF8.self)
        q.file = file
        q.line = lineNo
        return .statement(q)
    }

    /// The stderr format indents every continuation line with one tab
    /// (`indented`), which is stripped; csvlog and jsonlog do not.
    static func appendContinuation(_ m: ByteView, indented: Bool, to out: inout [UInt8]) {
        guard indented else {
            out.append(contentsOf: m)
            return
        }
        var first = true
        m.forEachField(separatedBy: ASCII.lf) { l in
            if !first { out.append(ASCII.lf) }
            first = false
            out.append(contentsOf: l.count > 0 && l[0] == ASCII.tab ? l.dropFirst(1) : l)
        }
    }
}
