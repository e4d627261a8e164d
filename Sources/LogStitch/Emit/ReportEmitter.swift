/// The CSV latency reports and the segment file, built from the joined model.
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

    /// Nearest rank: the smallest value with at least p% of values at or below it.
    public static func percentile(_ sorted: [Int64], _ p: Int) -> Int64? {
        guard !sorted.isEmpty else { return nil }
        let rank = max(1, (p * sorted.count + 99) / 100)
        return sorted[min(rank, sorted.count) - 1]
    }

    static func ms(_ us: Int64?) -> String { us.map { JSONWriter.millis($0) } ?? "" }
    static func iso(_ t: EpochMicros?) -> String { t.map { Timestamp.formatISO8601Millis($0) } ?? "" }

    public func requestsCSV() -> [UInt8] {
        var csv = CSVWriter(header: ["trace_id", "api_request_id", "stage", "method", "route", "path", "status", "start_time",
                                     "latency_ms", "integration_latency_ms", "lambda_request_id", "function", "cold_start",
                                     "init_ms", "duration_ms", "billed_ms", "db_queries", "db_ms", "lambda_join",
                                     "api_id", "lambda_status", "error_type"])
        let rows = model.requests.sorted { ((($0.request.start ?? 0)), $0.request.requestId) < (($1.request.start ?? 0), $1.request.requestId) }
        for r in rows {
            let q = r.request
            let inv = r.invocation.map { model.invocations[$0] }
            let queries = inv?.queries.map { model.queries[$0].query } ?? []
            csv.row([
                r.traceId.text, q.requestId, q.stage ?? "", q.method ?? "", q.route ?? "", q.path ?? "",
                q.status.map(String.init) ?? "", Self.iso(q.start),
                Self.ms(q.responseLatencyMs.map { $0 * 1000 }), Self.ms(q.integrationLatencyMs.map { $0 * 1000 }),
                inv?.invocation.requestId ?? q.integrationRequestId ?? "", inv?.invocation.function ?? "",
                inv.map { $0.invocation.coldStart ? "true" : "false" } ?? "",
                Self.ms(inv?.invocation.restoreDurationUs ?? inv?.invocation.initDurationUs),
                Self.ms(inv?.invocation.durationUs), Self.ms(inv?.invocation.billedDurationUs),
                inv == nil ? "" : String(queries.count), inv == nil ? "" : Self.ms(queries.reduce(0) { $0 + $1.durationUs }),
                r.join.rawValue, q.apiId ?? "", inv?.invocation.status.rawValue ?? "", inv?.invocation.errorType ?? "",
            ])
        }
        return csv.bytes
    }

    public func routesCSV() -> [UInt8] {
        var csv = CSVWriter(header: ["stage", "method", "route", "requests", "errors_4xx", "faults_5xx", "throttles",
                                     "p50_ms", "p90_ms", "p95_ms", "p99_ms", "max_ms"])
        var groups: [[String]: [RequestRecord]] = [:]
        for r in model.requests { groups[[r.request.stage ?? "", r.request.method ?? "", r.request.route ?? ""], default: []].append(r) }
        for key in groups.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let rs = groups[key]!
            let lat = rs.compactMap { $0.request.responseLatencyMs.map { $0 * 1000 } }.sorted()
            let statuses = rs.compactMap(\.request.status)
            csv.row(key + [String(rs.count),
                           String(statuses.filter { (400..<500).contains($0) }.count),
                           String(statuses.filter { $0 >= 500 }.count),
                           String(statuses.filter { $0 == 429 }.count),
                           Self.ms(Self.percentile(lat, 50)), Self.ms(Self.percentile(lat, 90)), Self.ms(Self.percentile(lat, 95)),
                           Self.ms(Self.percentile(lat, 99)), Self.ms(lat.last)])
        }
        return csv.bytes
    }

    public func functionsCSV() -> [UInt8] {
        var csv = CSVWriter(header: ["function", "invocations", "cold_starts", "cold_start_pct", "errors", "timeouts",
                                     "p50_ms", "p90_ms", "p95_ms", "p99_ms", "max_ms", "init_p50_ms", "init_p95_ms", "init_max_ms",
                                     "billed_ms_total", "memory_mb", "max_memory_used_mb", "gb_seconds"])
        var groups: [String: [LambdaInvocation]] = [:]
        for r in model.invocations { groups[r.invocation.function, default: []].append(r.invocation) }
        for name in groups.keys.sorted() {
            let invs = groups[name]!
            let durations = invs.compactMap(\.durationUs).sorted()
            let inits = invs.compactMap { $0.restoreDurationUs ?? $0.initDurationUs }.sorted()
            let cold = invs.filter(\.coldStart).count
            let billed = invs.compactMap(\.billedDurationUs).reduce(0, +)
            // GB-seconds: billed seconds × configured GB, summed exactly in µs·MB.
            let usMB = invs.reduce(Int64(0)) { $0 + ($1.billedDurationUs ?? 0) * ($1.memorySizeMB ?? 0) }
            let gbSeconds = Self.decimal(usMB, divisor: 1_000_000 * 1024, places: 6)
            csv.row([name, String(invs.count), String(cold), Self.decimal(Int64(cold) * 100, divisor: Int64(max(1, invs.count)), places: 3),
                     String(invs.filter { $0.status == .error }.count), String(invs.filter { $0.status == .timeout }.count),
                     Self.ms(Self.percentile(durations, 50)), Self.ms(Self.percentile(durations, 90)), Self.ms(Self.percentile(durations, 95)),
                     Self.ms(Self.percentile(durations, 99)), Self.ms(durations.last),
                     Self.ms(Self.percentile(inits, 50)), Self.ms(Self.percentile(inits, 95)), Self.ms(inits.last),
                     Self.ms(billed), invs.compactMap(\.memorySizeMB).max().map(String.init) ?? "",
                     invs.compactMap(\.maxMemoryUsedMB).max().map(String.init) ?? "", gbSeconds])
        }
        return csv.bytes
    }

    /// `value / divisor` rounded half up to `places` decimals, trailing zeros dropped.
    static func decimal(_ value: Int64, divisor: Int64, places: Int) -> String {
        var scale: Int64 = 1
        for _ in 0..<places { scale *= 10 }
        let scaled = (value * scale + divisor / 2) / divisor
        var frac = String(scaled % scale).leftPadded(places)
        while frac.hasSuffix("0") { frac.removeLast() }
        return String(scaled / scale) + (frac.isEmpty ? "" : "." + frac)
    }

    public func queriesCSV() -> [UInt8] {
        var csv = CSVWriter(header: ["fingerprint_id", "database_type", "instance", "database", "fingerprint", "count", "total_ms",
                                     "p50_ms", "p95_ms", "p99_ms", "max_ms", "rows_examined_total", "attributed", "example_trace_id"])
        var groups: [[String]: [QueryRecord]] = [:]
        for r in model.queries {
            let q = r.query
            groups[[q.fingerprintId, q.engine.rawValue, q.instance, q.database ?? ""], default: []].append(r)
        }
        for key in groups.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let rs = groups[key]!
            let d = rs.map(\.query.durationUs).sorted()
            let attributed = rs.filter { $0.invocation != nil }
            // The slowest attributed statement is the most useful trace to open.
            let example = attributed.max { ($0.query.durationUs, $1.traceId?.text ?? "") < ($1.query.durationUs, $0.traceId?.text ?? "") }
            csv.row(key + [rs[0].query.fingerprint, String(rs.count), Self.ms(d.reduce(0, +)),
                           Self.ms(Self.percentile(d, 50)), Self.ms(Self.percentile(d, 95)), Self.ms(Self.percentile(d, 99)), Self.ms(d.last),
                           String(rs.compactMap(\.query.rowsExamined).reduce(0, +)), String(attributed.count),
                           example?.traceId?.text ?? ""])
        }
        return csv.bytes
    }
}
