/// Correlates the spilled records one block of time at a time. A block owns
/// an hour of event time; it is read with 20 minutes of margin on each
/// side, joined, and only what it owns is written (requests and lone
/// invocations by start time, statements by end time). 20 minutes covers
/// every partner: an invocation lasts at most Lambda's 15-minute limit and
/// starts within moments of its request. Memory follows the busiest 1 h 40
/// min of event time, whatever the input's size or order; outputs come out
/// in time order.
struct WindowedCorrelation {
    let store: SpillStore
    let files: [InputFile]
    let options: ConvertOptions
    static let blockBuckets: Int64 = 6      // 1 h of 10-minute buckets
    static let marginBuckets: Int64 = 2     // 20 min

    struct Totals {
        var accumulator = ReportAccumulator()
        var statistics: [(String, Int)] = []
        var requests = 0
        var invocations = 0
        var unknownFunctionInvocations = 0
        var queries = 0
    }

    /// Keeps decoded buckets while consecutive blocks need them.
    struct WindowCache {
        let store: SpillStore
        var decoded: [Int64: ParsedFile] = [:]

        mutating func window(_ range: ClosedRange<Int64>) -> [ParsedFile] {
            for old in decoded.keys where old < range.lowerBound { decoded[old] = nil }
            var parts: [ParsedFile] = []
            for b in range {
                if decoded[b] == nil { decoded[b] = store.read(bucket: b) }
                if let p = decoded[b], !(p.requests.isEmpty && p.lambdaEvents.isEmpty && p.queries.isEmpty) { parts.append(p) }
            }
            return parts
        }
    }

    /// The blocks that hold data, in order: block b owns buckets [b·6, b·6+5].
    func blocks() -> [Int64] {
        var seen: [Int64] = []
        for k in store.buckets {
            let b = k >= 0 ? k / Self.blockBuckets : (k - Self.blockBuckets + 1) / Self.blockBuckets
            if seen.last != b { seen.append(b) }
        }
        return seen
    }

    func owned(_ block: Int64) -> ClosedRange<Int64> { (block * Self.blockBuckets)...(block * Self.blockBuckets + Self.blockBuckets - 1) }
    func loaded(_ block: Int64) -> ClosedRange<Int64> {
        let o = owned(block)
        return (o.lowerBound - Self.marginBuckets)...(o.upperBound + Self.marginBuckets)
    }

    func run(segments: StagedFile, requests: StagedFile) -> Totals {
        let blocks = blocks()
        let correlator = Correlator(options: options.correlate)
        // Pass 1: which functions send commented statements to which instance,
        // over the whole input, so time attribution does not depend on blocks.
        var senders = SenderIndex(declared: options.correlate.dbFunctions)
        var cache = WindowCache(store: store)
        for b in blocks {
            let own = owned(b)
            senders.merge(SenderLearner.learn(cache.window(loaded(b))) { own.contains(SpillStore.bucket($0.end)) })
        }
        // Pass 2: join, write what each block owns, accumulate the reports.
        var totals = Totals()
        var counts: [String: Int] = [:]
        let statNames = ["requests", "requests_joined_by_request_id", "requests_joined_by_trace_id", "requests_without_invocation",
                         "invocations_without_request", "queries", "queries_attributed_by_trace_comment",
                         "queries_attributed_by_request_comment", "queries_attributed_by_time", "queries_unattributed",
                         "traces_without_time"]
        cache = WindowCache(store: store)
        requests.write(CSVWriter(header: ReportEmitter.requestsHeader).bytes)
        for b in blocks {
            let own = owned(b)
            let model = correlator.correlate(cache.window(loaded(b)), files: files, senders: senders)
            let ownsRequest = { (r: RequestRecord) in own.contains(SpillStore.bucket(r.request.start ?? 0)) }
            let ownsInvocation = { (r: InvocationRecord) in own.contains(SpillStore.bucket(r.invocation.start ?? 0)) }
            let ownsQuery = { (r: QueryRecord) in own.contains(SpillStore.bucket(r.query.end)) }
            SegmentDocumentWriter(model: model, options: options.correlate)
                .write(ownsRequest: ownsRequest, ownsInvocation: ownsInvocation) { segments.write($0) }
            var rows = CSVWriter(rowsOnly: ())
            ReportEmitter(model: model, options: options.correlate).appendRequestRows(to: &rows, owns: ownsRequest)
            requests.write(rows.bytes)
            totals.accumulator.add(model, ownsRequest: ownsRequest, ownsInvocation: ownsInvocation, ownsQuery: ownsQuery)
            for r in model.requests where ownsRequest(r) {
                counts["requests", default: 0] += 1
                if !SegmentDocumentWriter.placeable(r.request.start) { counts["traces_without_time", default: 0] += 1 }
                switch r.join {
                case .requestId: counts["requests_joined_by_request_id", default: 0] += 1
                case .traceId: counts["requests_joined_by_trace_id", default: 0] += 1
                case .none: counts["requests_without_invocation", default: 0] += 1
                }
            }
            for r in model.invocations where ownsInvocation(r) {
                totals.invocations += 1
                if r.invocation.function == "unknown" { totals.unknownFunctionInvocations += 1 }
                if r.request == nil {
                    counts["invocations_without_request", default: 0] += 1
                    if !SegmentDocumentWriter.placeable(r.invocation.start) { counts["traces_without_time", default: 0] += 1 }
                }
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

/// The cheap first pass: which function sent each commented statement, from
/// the request ids and trace ids Lambda records carry, without assembling
/// invocations. A trace whose invocations belong to several functions
/// teaches nothing (which one ran the statement is not known yet).
enum SenderLearner {
    static func learn(_ parts: [ParsedFile], owns: (SlowQuery) -> Bool) -> SenderIndex {
        var index = SenderIndex(declared: [:])
        var byRequest: [String: String] = [:]
        var byTrace: [TraceId: String] = [:]
        var ambiguousTraces = Set<TraceId>()
        var apiToLambda: [String: String] = [:]
        for p in parts {
            for e in p.lambdaEvents {
                guard let id = e.requestId,
                      let f = e.function ?? InvocationAssembler.functionName(group: e.logGroup, stream: e.logStream) else { continue }
                byRequest[id] = f
                if let t = e.traceId {
                    if let g = byTrace[t], g != f { ambiguousTraces.insert(t) } else { byTrace[t] = f }
                }
            }
            for r in p.requests { if let l = r.integrationRequestId { apiToLambda[r.requestId.lowercased()] = l } }
        }
        for p in parts {
            for q in p.queries where owns(q) {
                var function: String?
                if let rid = q.keys.requestId { function = byRequest[rid] ?? apiToLambda[rid].flatMap { byRequest[$0] } }
                if function == nil, let t = q.keys.traceId, !ambiguousTraces.contains(t) { function = byTrace[t] }
                if let f = function { index.learn(instance: q.instance, user: q.user, function: f) }
            }
        }
        return index
    }
}
