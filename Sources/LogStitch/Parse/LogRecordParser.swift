/// Decides what each record is — API Gateway, Lambda, MySQL or PostgreSQL,
/// known noise, or unreadable — and parses it.
///
/// The log group (from the envelope or the path) decides where it can; a
/// record with no group is recognised by its content, and lines that only
/// make sense after another (a slow-log statement, a PostgreSQL continuation,
/// a raw REPORT's XRAY line) follow the last source seen in the file.
public struct LogRecordParser: RecordConsumer {
    enum GroupHint { case none, lambda, mysql, postgresql, apiGateway, executionLog }

    public internal(set) var output = ParsedFile()
    var apiGateway: ApiGatewayLogParser
    let lambda = LambdaLogParser()
    var postgres: PostgresLogParser
    var mysql = MySQLSlowLogParser()
    var lastKind: SourceKind?
    var lastReportIndex: Int?
    var lastQueryByPid: [Int64: Int] = [:]
    var lateRejects: [LateReject] = []
    var file: InputFile?
    let dbInstances: DBInstanceMap
    var completed: [SlowQuery] = []
    var incomplete: [(line: Int, reason: String)] = []

    /// Where finished records go while a file is still being read (the
    /// spill), so one huge file does not have to fit in memory.
    public var sink: ((ParsedFile) -> Void)?
    static let drainAt = 16_384
    /// Where Lambda events go, each as soon as no later line can change it
    /// (the spill): the object is then reused for the next event. Without
    /// it, events gather in `output` with the other records.
    public var eventSink: ((LambdaEvent) -> Void)?
    /// Where API Gateway requests go as they are read (with the file and
    /// line), as values that are valid only during the call; without it,
    /// they are made into objects and gather in `output`.
    var requestSink: ((borrowing ApiGatewayLogParser.RequestFields, Int, Int) -> Void)?
    /// With `eventSink`: the last REPORT, held for an `XRAY TraceId` line
    /// after it (raw files) until the next START, REPORT or the file's end.
    var heldReport: LambdaEvent?

    /// Sends an event to `eventSink` and takes the object back for reuse.
    mutating func emit(_ e: LambdaEvent) {
        eventSink?(e)
        lambda.recycle(e)
    }

    mutating func emitHeldReport() {
        guard let held = heldReport else { return }
        heldReport = nil
        emit(held)
    }

    public init(options: ParseOptions) throws {
        apiGateway = ApiGatewayLogParser(templates: options.apiGatewayTemplates)
        postgres = try PostgresLogParser(prefix: options.postgresPrefix, zones: options.postgresTimeZone)
        dbInstances = options.dbInstances
    }

    public mutating func beginFile(_ file: InputFile) {
        self.file = file
        fileInstance = (dbInstances.instance(for: file.path), DBInstanceFromPath.infer(file.path))
        lastInstance = nil
        output = ParsedFile()
        lateRejects = []
        mysql = MySQLSlowLogParser()
        lastKind = nil
        lastReportIndex = nil
        lastQueryByPid = [:]
        openPostgresEvent.removeAll()
        openPostgresIndex = nil
        openPostgresRecord = nil
        pendingCSV.reset()
        pendingJSON.reset()
        lastContextRequestId = nil
        functionByStream = [:]
    }

    public mutating func endFile() {
        emitHeldReport()
        closePostgresEvent()
        abandonPendingCSV()
        abandonPendingJSON()
        if mysqlOpen {
            mysql.finish(&completed, &incomplete, last: true)
            drainMySQL()
            mysqlOpen = false
        }
    }

    /// Records found bad after the fact; the reader moves them from parsed to rejected.
    public mutating func takeLateRejects() -> [LateReject] {
        defer { lateRejects.removeAll() }
        return lateRejects
    }

    var mysqlOpen = false

    static func hint(_ group: String?) -> GroupHint {
        guard let g = group else { return .none }
        if g.hasPrefix("/aws/lambda/") { return .lambda }
        if g.hasPrefix("/aws/rds/") {
            if g.hasSuffix("/postgresql") { return .postgresql }
            if g.hasSuffix("/slowquery") { return .mysql }
            return .none
        }
        if g.hasPrefix("API-Gateway-Execution-Logs_") { return .executionLog }
        if g.hasPrefix("/aws/apigateway/") { return .apiGateway }
        return .none
    }

    /// The DB instance a slow log belongs to: the instance id, or for Aurora
    /// clusters the stream (one per instance) or else the cluster.
    static func instance(group: String?, stream: String?) -> String {
        guard let g = group else { return "unknown" }
        let parts = g.split(separator: "/")
        guard parts.count >= 4, parts[0] == "aws", parts[1] == "rds" else { return "unknown" }
        if parts[2] == "cluster", let s = stream, !s.isEmpty { return s }
        return String(parts[3])
    }

    /// The last source's instance: the records of a file or envelope share
    /// one source, and splitting its group per statement cost more than
    /// parsing the statement's header.
    var lastInstance: (source: LogSource, instance: String)?

    mutating func instance(of r: LogRecord) -> String {
        if let last = lastInstance, last.source === r.source { return last.instance }
        var i = fileInstance.declared ?? Self.instance(group: r.logGroup, stream: r.logStream)
        if i == "unknown", let p = fileInstance.fromPath { i = p }
        lastInstance = (r.source, i)
        return i
    }

    /// What the file's path says of its instance: `--db-instance` (which
    /// wins over the log group) and the RDS file name's folder (which does not).
    var fileInstance: (declared: String?, fromPath: String?) = (nil, nil)

    public mutating func consume(_ record: LogRecord) -> RecordOutcome {
        if sink != nil, output.requests.count + output.lambdaEvents.count + output.queries.count > Self.drainAt {
            drain()
        }
        return classify(record)
    }

    /// Hands finished records to the sink, keeping those later lines may
    /// still change: the last REPORT (its XRAY line), the open PostgreSQL
    /// event, and recent statements a DETAIL line may pair with.
    mutating func drain() {
        guard let sink else { return }
        var part = ParsedFile()
        swap(&part.requests, &output.requests)
        let keepEvents = lastReportIndex ?? output.lambdaEvents.count
        part.lambdaEvents = Array(output.lambdaEvents[..<keepEvents])
        output.lambdaEvents.removeFirst(keepEvents)
        if lastReportIndex != nil { lastReportIndex = 0 }
        var keepQueries = max(0, output.queries.count - 256)
        if let o = openPostgresIndex { keepQueries = min(keepQueries, o) }
        part.queries = Array(output.queries[..<keepQueries])
        output.queries.removeFirst(keepQueries)
        if let o = openPostgresIndex { openPostgresIndex = o - keepQueries }
        lastQueryByPid = lastQueryByPid.compactMapValues { $0 >= keepQueries ? $0 - keepQueries : nil }
        sink(part)
    }

    /// Hands everything left at the end of a file to the sink.
    public mutating func drainAll() {
        guard let sink else { return }
        sink(output)
        output = ParsedFile()
    }

    /// The last source's hint: records come a file or envelope at a time,
    /// so the group's prefixes are read once per source, not per record.
    var lastHint: (source: LogSource, hint: GroupHint)?

    mutating func hint(_ source: LogSource) -> GroupHint {
        if let last = lastHint, last.source === source { return last.hint }
        let h = Self.hint(source.logGroup)
        lastHint = (source, h)
        return h
    }

    mutating func classify(_ record: LogRecord) -> RecordOutcome {
        let m = record.message
        // The next line of a csvlog record may look like anything.
        if !pendingCSV.isEmpty { return parsePostgresStructured(record, csv: true) }
        if !pendingJSON.isEmpty { return continuePendingJSON(record) }
        let h = hint(record.source)
        if h == .none || h == .apiGateway, m.count > 0, m[0] == ASCII.leftBrace || ASCII.isSpace(m[0]),
            PendingJSONObject.opens(m)
        {
            return continuePendingJSON(record)
        }
        switch h {
        case .lambda: return parseLambda(record, inGroup: true)
        case .mysql: return parseMySQL(record)
        case .postgresql: return parsePostgres(record)
        case .executionLog: return .ignored
        case .apiGateway: return parseApiGateway(record, known: true)
        case .none: break
        }
        // No group: recognise by content, unambiguous shapes first.
        if m.count > 0 {
            let c = m[0]
            if c == 0x53 || c == 0x45 || c == 0x52 || c == 0x49 || c == 0x58 {
                let outcome = parseLambda(record, inGroup: false)
                if case .parsed = outcome { return outcome }
                if lambdaRecognised { return outcome }
            }
            if MySQLSlowLogParser.looksLikeEntryStart(m) || (lastKind == .mysql && !startsLikeOtherSource(m)) {
                return parseMySQL(record)
            }
            if c == ASCII.tab, lastKind == .postgresql { return parsePostgres(record) }
        }
        // The prefix is matched once: the line it split goes on to be read.
        if let line = postgres.parseLine(m.prefix(m.index(of: ASCII.lf) ?? m.count)) {
            return parsePostgres(record, firstLine: line)
        }
        if let csv = Self.structuredPostgres(m) { return parsePostgresStructured(record, csv: csv) }
        switch parseApiGateway(record, known: false) {
        case .parsed(let k): return .parsed(k)
        // An access-log line with a bad value (status 600) is rejected as
        // one; read as a Lambda app line it would vanish into "parsed".
        case .rejected(let why) where apiGatewayRecognised: return .rejected(why)
        default: break
        }
        let lambdaOutcome = parseLambda(record, inGroup: false)
        if case .parsed = lambdaOutcome { return lambdaOutcome }
        if lambdaRecognised { return lambdaOutcome }
        if m.trimmed().count == 0 { return .ignored }
        return .rejected(
            "not recognised as an API Gateway access log (no --apigw-format template matched), a Lambda log, a MySQL slow log or a PostgreSQL log line"
        )
    }

    /// Whether `m` is a csvlog record (true) or a jsonlog one (false).
    static func structuredPostgres(_ m: ByteView) -> Bool? {
        // A csvlog record starts with the year; a jsonlog one with its timestamp key.
        guard m.count > 0, ASCII.isDigit(m[0]) || (m[0] == ASCII.leftBrace && m.count > 2 && m[2] == 0x74) else {
            return nil
        }
        if PostgresLogParser.looksLikeCSVLog(m) { return true }
        if m.count > 0, m[0] == ASCII.leftBrace, PostgresLogParser.looksLikeJSONLog(m) { return false }
        return nil
    }

    func startsLikeOtherSource(_ m: ByteView) -> Bool {
        m.hasPrefix("START RequestId: ") || m.hasPrefix("REPORT RequestId: ") || m.hasPrefix("END RequestId: ")
            || (m.count > 0 && m[0] == ASCII.leftBrace && m.index(of: "\"requestId\"") != nil)
    }

    // MARK: per source

    /// Whether the last `parseLambda` rejected a line it knew as Lambda's.
    var lambdaRecognised = false

    mutating func parseLambda(_ r: LogRecord, inGroup: Bool) -> RecordOutcome {
        lambdaRecognised = false
        switch lambda.parse(r.message, time: r.timestamp, inLambdaGroup: inGroup) {
        case .event(let e):
            if e.source !== r.source { e.source = r.source }
            e.file = r.file
            e.line = r.line
            lastKind = .lambda
            if e.kind == .context {
                // Every Powertools line of an invocation says the same: the first is kept.
                if e.requestId == lastContextRequestId {
                    lambda.recycle(e)
                    return .parsed(.lambda)
                }
                lastContextRequestId = e.requestId
            }
            nameFunctionFromInitStart(e, r)
            if eventSink != nil {
                switch e.kind {
                case .report:
                    emitHeldReport()
                    heldReport = e
                case .start:
                    emitHeldReport()
                    emit(e)
                default: emit(e)
                }
                return .parsed(.lambda)
            }
            if e.kind == .report {
                lastReportIndex = output.lambdaEvents.count
            } else if e.kind == .start {
                lastReportIndex = nil
            }
            output.lambdaEvents.append(e)
            return .parsed(.lambda)
        case .appOutput:
            // Plain app-log and extension lines may name an invocation but say
            // nothing about it: counted as parsed, not kept.
            lastKind = .lambda
            return .parsed(.lambda)
        case .xrayContinuation(let t, let seg, let sampled):
            if let held = heldReport {
                held.traceId = t
                held.segmentId = seg
                held.sampled = sampled
                emitHeldReport()
                return .parsed(.lambda)
            }
            guard let i = lastReportIndex else {
                return inGroup
                    ? .rejected("XRAY TraceId line with no REPORT line before it")
                    : .rejected("XRAY TraceId line outside a Lambda log")
            }
            output.lambdaEvents[i].traceId = t
            output.lambdaEvents[i].segmentId = seg
            output.lambdaEvents[i].sampled = sampled
            lastReportIndex = nil
            return .parsed(.lambda)
        case .noise:
            return .ignored
        case .notLambda:
            return inGroup ? .ignored : .rejected("not a Lambda log line")
        case .malformed(let why):
            lastKind = .lambda
            lambdaRecognised = true
            return .rejected(why)
        }
    }

    /// The last request id a Powertools line named in this file.
    var lastContextRequestId: RequestId?
    /// Functions `platform.initStart` named, by log stream (this file's).
    var functionByStream: [String: String] = [:]

    /// An execution environment runs one function: the name its
    /// `platform.initStart` gives goes on the START and REPORT after it in
    /// its stream, where the log group (a custom one, or none) does not say.
    mutating func nameFunctionFromInitStart(_ e: LambdaEvent, _ r: LogRecord) {
        if e.kind == .initStart {
            if let f = e.function { functionByStream[r.logStream ?? ""] = f }
        } else if !functionByStream.isEmpty, e.kind == .start || e.kind == .report, e.function == nil,
            let f = functionByStream[r.logStream ?? ""]
        {
            e.function = f
        }
    }

    mutating func parseMySQL(_ r: LogRecord) -> RecordOutcome {
        mysql.instance = instance(of: r)
        lastKind = .mysql
        let multiLine = r.message.index(of: ASCII.lf) != nil || r.timestamp != nil
        var anyEntry = false
        var unexpected = false
        let fileIndex = r.file
        let lineNo = r.line
        if !multiLine {
            // A raw file's line: fed in place (taking the parser out and
            // back for each line cost a fifth of reading such a file).
            var line = r.message
            if line.count > 0, line[line.count - 1] == ASCII.cr { line = line.prefix(line.count - 1) }
            let kind = mysql.feed(
                line, recordTime: nil, file: fileIndex, lineNo: lineNo, completed: &completed, incomplete: &incomplete)
            mysqlOpen = mysql.entry != nil
            drainMySQL()
            switch kind {
            case .entry: return .parsed(.mysql)
            case .noise: return .ignored
            case .unexpected:
                return .rejected(
                    "MySQL slow-log line outside any entry (expected '# Time:', '# User@Host:' or '# Query_time:' first)"
                )
            }
        }
        // Taken out (not copied): a copy shared the per-connection database
        // map, so the first `use db;` of every line copied the whole map.
        var p = MySQLSlowLogParser()
        swap(&p, &mysql)
        if multiLine {
            // A CloudWatch event is a whole entry, and events come in any
            // order: nothing is inherited from the event before it.
            p.forgetPreviousEntries()
        }
        var c: [SlowQuery] = [], inc: [(line: Int, reason: String)] = []
        swap(&c, &completed)
        swap(&inc, &incomplete)
        r.message.forEachField(separatedBy: ASCII.lf) { l in
            var line = l
            if line.count > 0, line[line.count - 1] == ASCII.cr { line = line.prefix(line.count - 1) }
            switch p.feed(
                line, recordTime: r.timestamp, file: fileIndex, lineNo: lineNo, completed: &c, incomplete: &inc)
            {
            case .entry: anyEntry = true
            case .noise: break
            case .unexpected: unexpected = true
            }
        }
        mysql = p
        completed = c
        incomplete = inc
        if multiLine {
            // A CloudWatch event holds exactly one entry: close it now.
            mysql.finish(&completed, &incomplete, last: true)
            mysqlOpen = false
            let before = output.queries.count
            let badBefore = incomplete.count
            drainMySQL(lateForOtherLines: true, currentLine: lineNo)
            if output.queries.count > before { return .parsed(.mysql) }
            if incomplete.count > badBefore || !lateBad.isEmpty {
                let reason = lateBad.first ?? "MySQL slow-log entry is incomplete"
                lateBad.removeAll()
                return .rejected(reason)
            }
            return anyEntry
                ? .rejected("MySQL slow-log entry is incomplete")
                : (unexpected ? .rejected("not a MySQL slow-log line") : .ignored)
        }
        mysqlOpen = mysql.entry != nil
        drainMySQL()
        if unexpected {
            return .rejected(
                "MySQL slow-log line outside any entry (expected '# Time:', '# User@Host:' or '# Query_time:' first)")
        }
        return anyEntry ? .parsed(.mysql) : .ignored
    }

    var lateBad: [String] = []

    /// Moves finished entries to the output; incomplete ones become late rejects.
    mutating func drainMySQL(lateForOtherLines: Bool = false, currentLine: Int = 0) {
        for q in completed {
            q.file = file?.index ?? q.file
            output.queries.append(q)
        }
        completed.removeAll()
        for bad in incomplete {
            if lateForOtherLines && bad.line == currentLine {
                lateBad.append(bad.reason)
            } else {
                lateRejects.append(LateReject(line: bad.line, kind: .mysql, reason: bad.reason))
            }
        }
        incomplete.removeAll()
    }

    /// A raw PostgreSQL file gives an event's continuation lines as separate
    /// records: the event is kept here and re-read whole when it ends.
    var openPostgresEvent: [UInt8] = []
    var pendingCSV = PendingCSVRecord()
    var pendingJSON = PendingJSONObject()
    var openPostgresIndex: Int?
    var openPostgresRecord: (file: Int, line: Int, instance: String)?

    /// Ends the open event: re-read whole if continuation lines came, then
    /// finished (comments, fingerprint) before anything can hand it on.
    /// Every statement is finished here or, when it came whole, at once:
    /// a statement finished only at the end of its file went to the spill
    /// unfinished whenever a drain came first (every file of more than
    /// `drainAt` records), with an empty fingerprint.
    mutating func closePostgresEvent() {
        defer {
            openPostgresEvent.removeAll(keepingCapacity: true)
            openPostgresIndex = nil
            openPostgresRecord = nil
        }
        guard let i = openPostgresIndex, let r = openPostgresRecord else { return }
        // A continuation line was added (memchr: `contains` went byte by byte).
        if openPostgresEvent.withUnsafeBytes({ $0.index(of: ASCII.lf) != nil }) {
            let result = openPostgresEvent.withUnsafeBytes {
                postgres.parse($0, file: r.file, lineNo: r.line, instance: r.instance)
            }
            if case .statement(let q)? = result {
                let old = output.queries[i]
                if q.end == 0 { q.end = old.end }
                q.parameters = old.parameters
                output.queries[i] = q
            }
        }
        SlowQueryFinisher.finish(output.queries[i])
    }

    /// `firstLine`: the record's first line as `PostgresLogParser.parseLine`
    /// split it, when the caller did (it refers to `r`'s bytes only).
    mutating func parsePostgres(_ r: LogRecord, firstLine: PostgresLogParser.Line? = nil) -> RecordOutcome {
        let m = r.message
        if m.count > 0, m[0] == ASCII.tab || (m[0] == ASCII.space && lastKind == .postgresql) {
            // Raw log: a continuation line of the open event.
            lastKind = .postgresql
            guard openPostgresIndex != nil else { return .ignored }
            openPostgresEvent.append(ASCII.lf)
            openPostgresEvent.append(contentsOf: m)
            return .parsed(.postgresql)
        }
        closePostgresEvent()
        let instance = instance(of: r)
        guard let result = postgres.parse(m, firstLine: firstLine, file: r.file, lineNo: r.line, instance: instance)
        else {
            if let csv = Self.structuredPostgres(m) { return parsePostgresStructured(r, csv: csv) }
            if m.trimmed().count == 0 { return .ignored }
            return .rejected("PostgreSQL log line does not start with the log_line_prefix '\(postgres.prefixText)'")
        }
        lastKind = .postgresql
        switch result {
        case .statement(let q):
            if q.end == 0, let t = r.timestamp { q.end = t }
            if let pid = q.connectionId { lastQueryByPid[pid] = output.queries.count }
            if m.index(of: ASCII.lf) == nil {
                openPostgresIndex = output.queries.count
                openPostgresRecord = (r.file, r.line, instance)
                openPostgresEvent.append(contentsOf: m)
            } else {
                // A whole event (CloudWatch): no continuation can follow.
                SlowQueryFinisher.finish(q)
            }
            output.queries.append(q)
            return .parsed(.postgresql)
        case .parameters(let pid, let text):
            if let pid, let i = lastQueryByPid[pid] {
                output.queries[i].parameters = text
            } else {
                output.orphanParameters += 1
            }
            return .parsed(.postgresql)
        case .noise:
            return .ignored
        case .malformed(let reason):
            return .rejected(reason)
        }
    }

    /// Whether the last `parseApiGateway` saw an access-log line (one it
    /// parsed or one whose values it rejected), not some other source's.
    var apiGatewayRecognised = false

    mutating func parseApiGateway(_ r: LogRecord, known: Bool) -> RecordOutcome {
        apiGatewayRecognised = false
        switch apiGateway.read(r.message, time: r.timestamp) {
        case .request:
            if let requestSink {
                requestSink(apiGateway.fields, r.file, r.line)
            } else {
                let req = apiGateway.request()
                req.file = r.file
                req.line = r.line
                output.requests.append(req)
            }
            lastKind = .apiGateway
            return .parsed(.apiGateway)
        case .malformed(let reason):
            apiGatewayRecognised = true
            return .rejected(reason)
        case .notApiGateway:
            if known {
                if r.message.trimmed().count == 0 { return .ignored }
                return .rejected(
                    "API Gateway access log line matches no --apigw-format template nor the default JSON/CLF formats")
            }
            return .rejected("not an API Gateway access log line")
        }
    }
}
