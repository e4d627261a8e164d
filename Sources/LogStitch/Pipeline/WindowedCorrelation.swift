/// Correlates the spilled records one window of time at a time: bucket k is
/// read with its neighbours k−1 and k+1, joined, and only what bucket k owns
/// is written (requests and lone invocations by start time, statements by
/// end time). Memory follows the busiest hour and a half, whatever the
/// input's size; outputs come out in time order.
struct WindowedCorrelation {
    let store: SpillStore
    let files: [InputFile]
    let options: ConvertOptions

    struct Totals {
        var accumulator = ReportAccumulator()
        var statistics: [(String, Int)] = []
        var requests = 0
        var invocations = 0
        var unknownFunctionInvocations = 0
        var queries = 0
    }

    /// Keeps the decoded buckets of the current window.
    struct WindowCache {
        let store: SpillStore
        var decoded: [Int64: ParsedFile] = [:]

        mutating func window(_ k: Int64) -> [ParsedFile] {
            for old in decoded.keys where old < k - 1 { decoded[old] = nil }
            var parts: [ParsedFile] = []
            for b in (k - 1)...(k + 1) {
                if decoded[b] == nil { decoded[b] = store.read(bucket: b) }
                parts.append(decoded[b]!)
            }
            return parts
        }
    }

    func run(segments: StagedFile, requests: StagedFile) -> Totals {
        let buckets = store.buckets
        let correlator = Correlator(options: options.correlate)
        // Pass 1: which functions send commented statements to which instance,
        // over the whole input, so time attribution does not depend on windows.
        var senders = SenderIndex(declared: options.correlate.dbFunctions)
        var cache = WindowCache(store: store)
        for k in buckets {
            senders.merge(correlator.correlate(cache.window(k), files: files, exactOnly: true).learnedSenders)
        }
        // Pass 2: join, write what each window owns, accumulate the reports.
        var totals = Totals()
        var counts: [String: Int] = [:]
        let statNames = ["requests", "requests_joined_by_request_id", "requests_joined_by_trace_id", "requests_without_invocation",
                         "invocations_without_request", "queries", "queries_attributed_by_trace_comment",
                         "queries_attributed_by_request_comment", "queries_attributed_by_time", "queries_unattributed"]
        cache = WindowCache(store: store)
        var header = CSVWriter(header: ReportEmitter.requestsHeader)
        requests.write(header.bytes)
        header = CSVWriter(header: [])
        for k in buckets {
            let model = correlator.correlate(cache.window(k), files: files, senders: senders)
            let ownsRequest = { (r: RequestRecord) in SpillStore.bucket(r.request.start ?? 0) == k }
            let ownsInvocation = { (r: InvocationRecord) in SpillStore.bucket(r.invocation.start ?? 0) == k }
            let ownsQuery = { (r: QueryRecord) in SpillStore.bucket(r.query.end) == k }
            segments.write(SegmentDocumentWriter(model: model, options: options.correlate)
                            .ndjson(ownsRequest: ownsRequest, ownsInvocation: ownsInvocation))
            var rows = CSVWriter(rowsOnly: ())
            ReportEmitter(model: model, options: options.correlate).appendRequestRows(to: &rows, owns: ownsRequest)
            requests.write(rows.bytes)
            totals.accumulator.add(model, ownsRequest: ownsRequest, ownsInvocation: ownsInvocation, ownsQuery: ownsQuery)
            for r in model.requests where ownsRequest(r) {
                counts["requests", default: 0] += 1
                switch r.join {
                case .requestId: counts["requests_joined_by_request_id", default: 0] += 1
                case .traceId: counts["requests_joined_by_trace_id", default: 0] += 1
                case .none: counts["requests_without_invocation", default: 0] += 1
                }
            }
            for r in model.invocations where ownsInvocation(r) {
                totals.invocations += 1
                if r.invocation.function == "unknown" { totals.unknownFunctionInvocations += 1 }
                if r.request == nil { counts["invocations_without_request", default: 0] += 1 }
            }
            for q in model.queries where ownsQuery(q) {
                counts["queries", default: 0] += 1
                switch q.attribution {
                case .traceComment: counts["queries_attributed_by_trace_comment", default: 0] += 1
                case .requestComment: counts["queries_attributed_by_request_comment", default: 0] += 1
                case .time: counts["queries_attributed_by_time", default: 0] += 1
                case .none: counts["queries_unattributed", default: 0] += 1
                }
            }
        }
        totals.statistics = statNames.map { ($0, counts[$0] ?? 0) }
        totals.requests = counts["requests"] ?? 0
        totals.queries = counts["queries"] ?? 0
        return totals
    }
}
