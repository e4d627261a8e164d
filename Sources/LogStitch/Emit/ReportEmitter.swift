/// The CSV latency reports and the segment file for a joined model (or one
/// window of it: `owns` says which entities this window writes).
/// Percentiles are exact nearest-rank over all values; times are
/// milliseconds with up to three decimals; rows are sorted by their keys.
public struct ReportEmitter {
    let model: TraceModel
    let options: CorrelationOptions

    public init(model: TraceModel, options: CorrelationOptions) {
        self.model = model
        self.options = options
    }

    public func segmentsNDJSON() -> [UInt8] {
        SegmentDocumentWriter(model: model, options: options).ndjson()
    }

    public func requestsCSV() -> [UInt8] {
        var csv = CSVWriter(header: Self.requestsHeader)
        appendRequestRows(to: &csv, .everything)
        return csv.bytes
    }

    public func routesCSV() -> [UInt8] { accumulated().routesCSV() }
    public func functionsCSV() -> [UInt8] { accumulated().functionsCSV() }
    public func queriesCSV() -> [UInt8] { accumulated().queriesCSV() }

    func accumulated() -> ReportAccumulator {
        var a = ReportAccumulator()
        a.add(model, .everything)
        return a
    }

    static func ms(_ us: Int64?) -> String { us.map { JSONWriter.millis($0) } ?? "" }
    static func iso(_ t: EpochMicros?) -> String { t.map { Timestamp.formatISO8601Millis($0) } ?? "" }

    public static let requestsHeader = [
        "trace_id", "api_request_id", "stage", "method", "route", "path", "status", "start_time",
        "latency_ms", "integration_latency_ms", "lambda_request_id", "function", "cold_start",
        "init_ms", "duration_ms", "billed_ms", "db_queries", "db_ms", "lambda_join",
        "api_id", "lambda_status", "error_type", "error_response_type",
    ]

    /// One row per request this window owns, sorted by start time then request id.
    /// `pieceFull` is called whenever the writer holds `BufferPool.scratchBytes` or more.
    public func appendRequestRows(
        to csv: inout CSVWriter, _ ownership: Ownership,
        pieceFull: ((inout CSVWriter) -> Void)? = nil
    ) {
        // The model holds requests in (start, request id) order already.
        for i in model.requests.indices where ownership.owns(model.requests[i].start) {
            if i + Prefetch.distance < model.requests.count { model.prefetch(request: i + Prefetch.distance) }
            appendRow(to: &csv, model.requests[i])
            if let pieceFull, csv.count >= BufferPool.scratchBytes { pieceFull(&csv) }
        }
    }

    /// One row. Records are borrowed, fields read where they lie: copying
    /// them would retain and release every String of every row.
    func appendRow(to csv: inout CSVWriter, _ r: borrowing RequestRecord) {
        let q = r.request
        csv.add(trace: r.traceId)
        csv.add(q.requestId)
        csv.add(q.stage)
        csv.add(q.method)
        csv.add(q.route)
        csv.add(q.path)
        csv.add(int: q.status.map(Int64.init))
        csv.add(time: q.start)
        csv.add(millis: q.responseLatencyMs.map { $0 * 1000 })
        csv.add(millis: q.integrationLatencyMs.map { $0 * 1000 })
        guard let k = r.invocation else {
            csv.add(q.integrationRequestId)
            for _ in 0..<7 { csv.add(nil as String?) }  // function … db_ms
            csv.add(r.join.rawValue)
            csv.add(q.apiId)
            csv.add(nil as String?)
            csv.add(nil as String?)
            csv.add(q.errorResponseType)
            csv.endRow()
            return
        }
        appendInvocation(to: &csv, model.invocations[k])
        csv.add(r.join.rawValue)
        csv.add(q.apiId)
        csv.add(model.invocations[k].invocation.status.rawValue)
        csv.add(model.invocations[k].invocation.errorType)
        csv.add(q.errorResponseType)
        csv.endRow()
    }

    func appendInvocation(to csv: inout CSVWriter, _ record: borrowing InvocationRecord) {
        let inv = record.invocation
        csv.add(inv.requestId)
        csv.add(inv.function)
        csv.add(bool: inv.coldStart)
        csv.add(millis: inv.restoreDurationUs ?? inv.initDurationUs)
        csv.add(millis: inv.durationUs)
        csv.add(millis: inv.billedDurationUs)
        csv.add(int: Int64(record.queries.count))
        csv.add(millis: record.queries.reduce(Int64(0)) { $0 + model.queries[$1].query.durationUs })
    }

    /// `value / divisor` rounded half up to `places` decimals, trailing zeros dropped.
    static func decimal(_ value: Int64, divisor: Int64, places: Int) -> String {
        var scale: Int64 = 1
        for _ in 0..<places { scale *= 10 }
        // Integer and fractional parts apart, so large totals cannot overflow.
        var whole = value / divisor
        let rest = value % divisor
        let (product, overflow) = rest.multipliedReportingOverflow(by: scale)
        var fracValue =
            overflow
            ? Int64((Double(rest) / Double(divisor) * Double(scale)).rounded()) : (product + divisor / 2) / divisor
        if fracValue >= scale {
            whole += 1
            fracValue -= scale
        }
        var frac = String(fracValue).leftPadded(places)
        while frac.hasSuffix("0") { frac.removeLast() }
        return String(whole) + (frac.isEmpty ? "" : "." + frac)
    }
}

/// Running totals for routes.csv, functions.csv and queries.csv, fed window
/// by window with the entities each window owns.
public struct ReportAccumulator {
    struct Route {
        var requests = 0, errors4xx = 0, faults5xx = 0, throttles = 0
        var latency = ExactDistribution()
    }
    struct Function {
        var invocations = 0, coldStarts = 0, errors = 0, timeouts = 0
        var duration = ExactDistribution(), initDuration = ExactDistribution()
        var billedUs: Int64 = 0, usMB: Int64 = 0
        var memoryMB: Int64?, maxMemoryUsedMB: Int64?
    }
    struct QueryClass {
        var fingerprint = ""
        var count = 0
        var totalUs: Int64 = 0
        var duration = ExactDistribution()
        var rowsExamined: Int64 = 0
        var attributed = 0
        var example: (durationUs: Int64, trace: String)?
        /// pt-query-digest's ids of the class's statements, where they differ.
        var ptChecksums: Set<String> = []
    }

    /// A route's identity (an array key would be allocated per request).
    struct RouteKey: Hashable, FastHashable, Sendable {
        var stage: String, method: String, route: String
        var fastHash: UInt64 { KeyIndex<String>.mix(stage.fastHash &* 31 ^ method.fastHash &* 7 ^ route.fastHash) }
        /// routes.csv's order: stage, then method, then route.
        static func precedes(_ a: RouteKey, _ b: RouteKey) -> Bool {
            if a.stage != b.stage { return a.stage < b.stage }
            if a.method != b.method { return a.method < b.method }
            return a.route < b.route
        }
    }
    /// A query class's identity, in queries.csv's column (and sort) order.
    struct QueryKey: Hashable, FastHashable, Sendable {
        var fingerprintId: String, engine: String, instance: String, database: String
        var fastHash: UInt64 {
            KeyIndex<String>.mix(
                fingerprintId.fastHash &* 31 ^ instance.fastHash &* 7 ^ database.fastHash ^ engine.fastHash)
        }
        var fields: [String] { [fingerprintId, engine, instance, database] }
        static func precedes(_ a: QueryKey, _ b: QueryKey) -> Bool { a.fields.lexicographicallyPrecedes(b.fields) }
    }
    var routes = KeyedTotals<RouteKey, Route>()
    var functions = KeyedTotals<String, Function>()
    var queries = KeyedTotals<QueryKey, QueryClass>()
    /// Minute by minute, for report.html's charts.
    var timeline = Timeline()

    public init() {}

    public mutating func add(_ model: TraceModel, _ ownership: Ownership) {
        // By index, records borrowed: iterating by value would retain and
        // release every record. The model holds the keys' strings for the
        // call, so routes and functions can be told by their bits.
        var recentRoutes = RecentKeys<RouteBits>(), recentFunctions = RecentKeys<StringBits>()
        for i in model.requests.indices where ownership.owns(model.requests[i].start) {
            if i + Prefetch.distance < model.requests.count { model.prefetch(request: i + Prefetch.distance) }
            add(request: model.requests[i].request, &recentRoutes)
        }
        for i in model.invocations.indices where ownership.owns(model.invocations[i].start) {
            if i + Prefetch.distance < model.invocations.count { model.prefetch(invocation: i + Prefetch.distance) }
            add(invocation: model.invocations[i].invocation, &recentFunctions)
        }
        var queryClasses = KeyIndex<QueryBits>()
        for i in model.queries.indices where ownership.owns(model.queries[i].end) {
            add(query: model.queries[i], &queryClasses)
        }
    }

    /// A statement's class key, as bits (see `RecentKeys`): a window's
    /// statements fall into a few hundred keys, found by their bits in a
    /// small index instead of hashing four strings per statement.
    struct QueryBits: FastHashable, Sendable {
        let fingerprintId: StringBits, instance: StringBits, database: StringBits, engine: DatabaseEngine
        init(_ q: SlowQuery) {
            fingerprintId = StringBits(q.fingerprintId)
            instance = StringBits(q.instance)
            database = StringBits(q.database)
            engine = q.engine
        }
        var fastHash: UInt64 {
            KeyIndex<String>.mix(
                fingerprintId.a &* 31 ^ fingerprintId.b ^ instance.a &* 7 ^ instance.b &* 13 ^ database.a &* 17
                    ^ database.b &* 3 ^ (engine == .mysql ? 0 : 1))
        }
    }

    /// A request's route key, as bits (see `RecentKeys`).
    struct RouteBits: Equatable {
        let stage: StringBits, method: StringBits, route: StringBits
        init(_ q: borrowing ApiGatewayRequest) {
            stage = StringBits(q.stage)
            method = StringBits(q.method)
            route = StringBits(q.route)
        }
    }

    mutating func add(request q: borrowing ApiGatewayRequest, _ recent: inout RecentKeys<RouteBits>) {
        let bits = RouteBits(q)
        let slot: Int
        if let known = recent.slot(bits) {
            slot = known
        } else {
            slot = routes.slot(RouteKey(stage: q.stage ?? "", method: q.method ?? "", route: q.route ?? ""), Route())
            recent.remember(bits, slot)
        }
        // Mutated in place: a copy would copy its whole distribution.
        routes.update(at: slot) { route in
            route.requests += 1
            if let s = q.status {
                if (400..<500).contains(s) { route.errors4xx += 1 }
                if s >= 500 { route.faults5xx += 1 }
                if s == 429 { route.throttles += 1 }
            }
            if let l = q.responseLatencyMs { route.latency.add(l * 1000) }
        }
        timeline.add(request: q)
    }

    mutating func add(invocation inv: borrowing LambdaInvocation, _ recent: inout RecentKeys<StringBits>) {
        let bits = StringBits(inv.function)
        let slot: Int
        if let known = recent.slot(bits) {
            slot = known
        } else {
            slot = functions.slot(inv.function, Function())
            recent.remember(bits, slot)
        }
        functions.update(at: slot) { f in
            f.invocations += 1
            if inv.coldStart { f.coldStarts += 1 }
            if inv.status == .error { f.errors += 1 }
            if inv.status == .timeout { f.timeouts += 1 }
            if let d = inv.durationUs { f.duration.add(d) }
            if let i = inv.restoreDurationUs ?? inv.initDurationUs { f.initDuration.add(i) }
            f.billedUs &+= inv.billedDurationUs ?? 0
            f.usMB &+= Self.saturatingProduct(inv.billedDurationUs ?? 0, inv.memorySizeMB ?? 0)
            if let m = inv.memorySizeMB { f.memoryMB = max(f.memoryMB ?? m, m) }
            if let m = inv.maxMemoryUsedMB { f.maxMemoryUsedMB = max(f.maxMemoryUsedMB ?? m, m) }
        }
        timeline.add(invocation: inv)
    }

    mutating func add(query r: borrowing QueryRecord, _ known: inout KeyIndex<QueryBits>) {
        let q = r.query
        let bits = QueryBits(q)
        let slot: Int
        if let s = known[bits] {
            slot = s
        } else {
            let key = QueryKey(
                fingerprintId: q.fingerprintId, engine: q.engine.rawValue, instance: q.instance,
                database: q.database ?? "")
            slot = queries.slot(key, QueryClass())
            known[bits] = slot
        }
        queries.update(at: slot) { c in
            if c.count == 0 { c.fingerprint = q.fingerprint }
            if let pt = q.ptChecksum { c.ptChecksums.insert(pt) }
            c.count += 1
            c.totalUs &+= q.durationUs
            c.duration.add(q.durationUs)
            c.rowsExamined &+= q.rowsExamined ?? 0
            if r.invocation != nil {
                c.attributed += 1
                // The slowest attributed statement is the most useful trace to open.
                let trace = r.traceId?.text ?? ""
                if let e = c.example {
                    if q.durationUs > e.durationUs || (q.durationUs == e.durationUs && trace < e.trace) {
                        c.example = (q.durationUs, trace)
                    }
                } else {
                    c.example = (q.durationUs, trace)
                }
            }
        }
    }

    static func ms(_ us: Int64?) -> String { ReportEmitter.ms(us) }

    /// Adds another accumulator's totals (blocks correlated in parallel).
    public mutating func merge(_ o: ReportAccumulator) {
        timeline.merge(o.timeline)
        for (k, r) in zip(o.routes.keys, o.routes.values) {
            routes.update(k, Route()) { a in
                a.requests += r.requests
                a.errors4xx += r.errors4xx
                a.faults5xx += r.faults5xx
                a.throttles += r.throttles
                a.latency.merge(r.latency)
            }
        }
        for (k, f) in zip(o.functions.keys, o.functions.values) {
            functions.update(k, Function()) { a in
                a.invocations += f.invocations
                a.coldStarts += f.coldStarts
                a.errors += f.errors
                a.timeouts += f.timeouts
                a.duration.merge(f.duration)
                a.initDuration.merge(f.initDuration)
                a.billedUs &+= f.billedUs
                a.usMB &+= f.usMB
                if let m = f.memoryMB { a.memoryMB = max(a.memoryMB ?? m, m) }
                if let m = f.maxMemoryUsedMB { a.maxMemoryUsedMB = max(a.maxMemoryUsedMB ?? m, m) }
            }
        }
        for (k, c) in zip(o.queries.keys, o.queries.values) {
            queries.update(k, QueryClass()) { a in
                if a.count == 0 { a.fingerprint = c.fingerprint }
                a.ptChecksums.formUnion(c.ptChecksums)
                a.count += c.count
                a.totalUs &+= c.totalUs
                a.duration.merge(c.duration)
                a.rowsExamined &+= c.rowsExamined
                a.attributed += c.attributed
                if let e = c.example {
                    if let mine = a.example {
                        if e.durationUs > mine.durationUs || (e.durationUs == mine.durationUs && e.trace < mine.trace) {
                            a.example = e
                        }
                    } else {
                        a.example = e
                    }
                }
            }
        }
    }

    /// Absurd log values must not crash a run: products saturate.
    static func saturatingProduct(_ a: Int64, _ b: Int64) -> Int64 {
        let (p, o) = a.multipliedReportingOverflow(by: b)
        return o ? .max : p
    }

    public func routesCSV() -> [UInt8] {
        var csv = CSVWriter(header: [
            "stage", "method", "route", "requests", "errors_4xx", "faults_5xx", "throttles",
            "p50_ms", "p90_ms", "p95_ms", "p99_ms", "max_ms",
        ])
        for key in routes.keys.sorted(by: RouteKey.precedes) {
            let r = routes[key]!
            let p = r.latency.percentiles([50, 90, 95, 99])
            csv.row(
                [key.stage, key.method, key.route] + [
                    String(r.requests), String(r.errors4xx), String(r.faults5xx), String(r.throttles),
                ]
                    + p.map(Self.ms) + [Self.ms(r.latency.max)])
        }
        return csv.bytes
    }

    public func functionsCSV() -> [UInt8] {
        var csv = CSVWriter(header: [
            "function", "invocations", "cold_starts", "cold_start_pct", "errors", "timeouts",
            "p50_ms", "p90_ms", "p95_ms", "p99_ms", "max_ms", "init_p50_ms", "init_p95_ms", "init_max_ms",
            "billed_ms_total", "memory_mb", "max_memory_used_mb", "gb_seconds",
        ])
        for name in functions.keys.sorted() {
            let f = functions[name]!
            let d = f.duration.percentiles([50, 90, 95, 99])
            let i = f.initDuration.percentiles([50, 95])
            // GB-seconds: billed seconds × configured GB, summed exactly in µs·MB.
            csv.row(
                [
                    name, String(f.invocations), String(f.coldStarts),
                    ReportEmitter.decimal(Int64(f.coldStarts) * 100, divisor: Int64(max(1, f.invocations)), places: 3),
                    String(f.errors), String(f.timeouts),
                ] + d.map(Self.ms) + [Self.ms(f.duration.max)]
                    + i.map(Self.ms) + [
                        Self.ms(f.initDuration.max), Self.ms(f.billedUs),
                        f.memoryMB.map(String.init) ?? "", f.maxMemoryUsedMB.map(String.init) ?? "",
                        ReportEmitter.decimal(f.usMB, divisor: 1_000_000 * 1024, places: 6),
                    ])
        }
        return csv.bytes
    }

    public func queriesCSV() -> [UInt8] {
        var csv = CSVWriter(header: [
            "fingerprint_id", "database_type", "instance", "database", "fingerprint", "count", "total_ms",
            "p50_ms", "p95_ms", "p99_ms", "max_ms", "rows_examined_total", "attributed", "example_trace_id",
            "pt_checksum",
        ])
        for key in queries.keys.sorted(by: QueryKey.precedes) {
            let c = queries[key]!
            let p = c.duration.percentiles([50, 95, 99])
            csv.row(
                key.fields + [c.fingerprint, String(c.count), Self.ms(c.totalUs)] + p.map(Self.ms)
                    + [
                        Self.ms(c.duration.max), String(c.rowsExamined), String(c.attributed), c.example?.trace ?? "",
                        c.ptChecksums.sorted().joined(separator: " "),
                    ])
        }
        return csv.bytes
    }
}
