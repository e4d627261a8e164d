/// How an API Gateway request found its Lambda invocation.
public enum LambdaJoin: String, Sendable {
    case requestId = "request_id", traceId = "trace_id", correlationId = "correlation_id", none
}

/// How a slow query found its invocation.
public enum QueryAttribution: String, Sendable {
    case traceComment = "trace_comment", requestComment = "request_comment", time, none
}

public struct RequestRecord: Sendable {
    public var request: ApiGatewayRequest
    public var traceId: TraceId
    public var invocation: Int?
    public var join: LambdaJoin
    /// The request's start, kept beside the link: the loops that only ask
    /// which block owns a record, or whether it has a usable time, then
    /// stay in this array instead of missing the cache on every record.
    public let start: EpochMicros?

    init(request: ApiGatewayRequest, traceId: TraceId, invocation: Int? = nil, join: LambdaJoin = .none) {
        self.request = request
        self.traceId = traceId
        self.invocation = invocation
        self.join = join
        start = request.start
    }
}

public struct InvocationRecord: Sendable {
    public var invocation: LambdaInvocation
    public var traceId: TraceId
    /// Index of the API Gateway request that called it.
    public var request: Int?
    public var queries: [Int] = []
    /// The invocation's start and end, and whether its function is
    /// unknown, kept beside the links for the same reason as
    /// `RequestRecord.start` (none changes once invocations are assembled).
    public let start: EpochMicros?
    public let end: EpochMicros?
    public let unknownFunction: Bool

    init(invocation: LambdaInvocation, traceId: TraceId) {
        self.invocation = invocation
        self.traceId = traceId
        start = invocation.start
        end = invocation.end
        unknownFunction = invocation.function == "unknown"
    }
}

public struct QueryRecord: Sendable {
    public var query: SlowQuery
    public var invocation: Int?
    public var attribution: QueryAttribution
    /// The trace it belongs to, when known (even without an invocation).
    public var traceId: TraceId?
    /// The statement's end, beside the links (see `RequestRecord.start`).
    public let end: EpochMicros

    init(query: SlowQuery) {
        self.query = query
        invocation = nil
        attribution = .none
        traceId = nil
        end = query.end
    }
}

/// The joined result: every request, invocation and query, with their links.
public struct TraceModel: Sendable {
    public var requests: [RequestRecord] = []
    public var invocations: [InvocationRecord] = []
    public var queries: [QueryRecord] = []

    /// Asks for request `i`'s object, whole (about 360 bytes), and that of
    /// its invocation: the writers visit records in an order of their own
    /// while the objects lie in the order they were read back, so loops ask
    /// a few records ahead and the misses overlap (see `Prefetch`).
    @inline(__always) func prefetch(request i: Int) {
        Prefetch.object(at: requests.address(of: i), lines: 6)
        if let k = requests[i].invocation { prefetch(invocation: k) }
    }

    /// Asks for invocation `i`'s object, whole (about 280 bytes).
    @inline(__always) func prefetch(invocation i: Int) {
        Prefetch.object(at: invocations.address(of: i), lines: 5)
    }
}

/// Joins API Gateway requests, Lambda invocations and slow queries.
///
/// Request ↔ invocation: by `$context.integration.requestId` (= the Lambda
/// RequestId), else by X-Ray trace id. Query ↔ invocation: by the trace id or
/// request id in the statement's comments; without one, by time, but only
/// when exactly one invocation can have sent it. A wrong attribution is worse
/// than none, so anything ambiguous stays unattributed.
public struct Correlator {
    public let options: CorrelationOptions

    public init(options: CorrelationOptions) { self.options = options }

    /// `senders`: what earlier passes learned about which functions query
    /// which instance (a windowed run learns it over the whole input first);
    /// without it, the model's own commented statements teach it.
    public func correlate(_ files: [ParsedFile], files inputs: [InputFile], senders: SenderIndex? = nil) -> TraceModel {
        var model = TraceModel()
        let requests = Self.sortedByStart(files)
        var invocations = InvocationAssembler.assemble(files.map(\.lambdaEvents))
        let queries = Self.withoutCopies(Self.sortedByEnd(files.flatMap(\.queries)))

        // Duplicate records (the same request logged twice, overlapping
        // exports) keep the first; sorted by start then id, they are adjacent.
        var uniqueRequests: [Location] = []
        uniqueRequests.reserveCapacity(requests.count)
        for r in requests {
            if let last = uniqueRequests.last {
                let (a, b) = (
                    files[Int(last.part)].requests[Int(last.index)], files[Int(r.part)].requests[Int(r.index)]
                )
                if a.start == b.start, a.requestId == b.requestId { continue }
            }
            uniqueRequests.append(r)
        }

        // Moved into the model, not copied (a copy is a retain and a release each).
        model.invocations.reserveCapacity(invocations.count)
        invocations.reverse()
        while let inv = invocations.popLast() {
            model.invocations.append(
                InvocationRecord(
                    invocation: inv, traceId: inv.traceId ?? Self.syntheticTraceId(inv.requestId, start: inv.start ?? 0)
                ))
        }
        var invocationById = RequestIdIndex(capacity: model.invocations.count)
        for i in model.invocations.indices { invocationById[model.invocations[i].invocation.requestId] = i }
        // The trace index only when some request can only be joined by trace.
        // Each trace's invocations as a chain of indexes (head here, the rest
        // in `nextWithTrace`), in index order: no array per trace.
        var firstWithTrace = KeyIndex<TraceId>()
        var nextWithTrace: [Int] = []
        if uniqueRequests.contains(where: { at in
            let r = files[Int(at.part)].requests[Int(at.index)]
            return r.traceId != nil && (r.integrationRequestId.map { invocationById[$0] == nil } ?? true)
        }) {
            firstWithTrace = KeyIndex<TraceId>(capacity: model.invocations.count)
            nextWithTrace = [Int](repeating: -1, count: model.invocations.count)
            for i in model.invocations.indices.reversed() {
                guard let t = model.invocations[i].invocation.traceId else { continue }
                nextWithTrace[i] = firstWithTrace[t] ?? -1
                firstWithTrace[t] = i
            }
        }

        // Invocations by the API request id their Powertools lines name.
        var invocationByApiRequest: [RequestId: Int] = [:]
        for i in model.invocations.indices {
            if let a = model.invocations[i].invocation.apiRequestId, invocationByApiRequest[a] == nil {
                invocationByApiRequest[a] = i
            }
        }

        model.requests.reserveCapacity(uniqueRequests.count)
        for k in uniqueRequests.indices {
            // Requests in start order lie scattered over the window's
            // buckets: the one a few steps ahead is asked for now.
            if k + Prefetch.distance < uniqueRequests.count {
                let ahead = uniqueRequests[k + Prefetch.distance]
                Prefetch.object(at: files[Int(ahead.part)].requests.address(of: Int(ahead.index)), lines: 6)
            }
            let at = uniqueRequests[k]
            let req = files[Int(at.part)].requests[Int(at.index)]
            var record = RequestRecord(
                request: req, traceId: req.traceId ?? Self.syntheticTraceId(req.requestId, start: req.start ?? 0))
            if let lid = req.integrationRequestId, let i = invocationById[lid], model.invocations[i].request == nil {
                record.invocation = i
                record.join = .requestId
            } else if let t = req.traceId, var i = firstWithTrace[t] {
                // The first invocation of the trace that no request claimed yet.
                while i >= 0 && model.invocations[i].request != nil { i = nextWithTrace[i] }
                if i >= 0 {
                    record.invocation = i
                    record.join = .traceId
                }
            }
            if record.invocation == nil, !invocationByApiRequest.isEmpty, let i = invocationByApiRequest[req.requestId],
                model.invocations[i].request == nil
            {
                record.invocation = i
                record.join = .correlationId
            }
            if let i = record.invocation {
                // A request X-Ray did not trace takes its invocation's real
                // trace (active tracing on the function), not a made-up one.
                if req.traceId == nil, let t = model.invocations[i].invocation.traceId { record.traceId = t }
                // The invocation joins the request's trace.
                model.invocations[i].request = model.requests.count
                model.invocations[i].traceId = record.traceId
            }
            model.requests.append(record)
        }

        attributeQueries(queries, &model, invocationById: invocationById, senders: senders)
        return model
    }

    /// Where a record sits in the window: which part, which index.
    struct Location {
        var part: Int32
        var index: Int32
    }

    /// The window's requests in (start, request id, file, line) order, as
    /// locations: sorting a compact (start, location) array and reading the
    /// records in place, rather than gathering them into arrays, spares a
    /// cache miss per comparison and a retain and release per array.
    static func sortedByStart(_ files: [ParsedFile]) -> [Location] {
        var keys: [(start: Int64, at: Location)] = []
        keys.reserveCapacity(files.reduce(0) { $0 + $1.requests.count })
        for p in files.indices {
            let part = files[p].requests
            for i in part.indices { keys.append((part[i].start ?? 0, Location(part: Int32(p), index: Int32(i)))) }
        }
        keys.sort { a, b in
            a.start != b.start
                ? a.start < b.start
                : startOrder(
                    files[Int(a.at.part)].requests[Int(a.at.index)], files[Int(b.at.part)].requests[Int(b.at.index)])
        }
        return keys.map(\.at)
    }

    /// Requests by (start, request id, file, line). Ids are compared only
    /// when starts tie: building tuples of Strings per comparison was a
    /// measurable share of correlation.
    static func startOrder(_ a: ApiGatewayRequest, _ b: ApiGatewayRequest) -> Bool {
        let sa = a.start ?? 0, sb = b.start ?? 0
        if sa != sb { return sa < sb }
        if a.requestId != b.requestId { return a.requestId < b.requestId }
        return (a.file, a.line) < (b.file, b.line)
    }

    /// Statements by (end, instance, connection, text, file, line). The
    /// Strings are compared only when ends tie (a tuple of them per
    /// comparison retained and released both).
    /// `queries` in `endOrder`: (end, index) pairs are sorted, and the
    /// statements read only where two ends tie (sorting the objects
    /// retained and released both at every comparison).
    /// The key holds the instance's rank among the window's instances and
    /// the connection too: PostgreSQL's `%t` ends tie by the thousand, and
    /// comparing their texts took a tenth of a run.
    static func sortedByEnd(_ queries: [SlowQuery]) -> [SlowQuery] {
        // Runs of one instance are told by the string's bits (one
        // instance's statements share one decoded string), so the
        // dictionary is asked once per run, not once per statement.
        var rank: [String: Int32] = [:]
        var previous: StringBits?
        for q in queries {
            let bits = StringBits(q.instance)
            if bits == previous { continue }
            previous = bits
            if rank[q.instance] == nil { rank[q.instance] = 0 }
        }
        for (r, name) in rank.keys.sorted().enumerated() { rank[name] = Int32(r) }
        var keyed = [(end: Int64, instance: Int32, connection: Int64, index: Int)]()
        keyed.reserveCapacity(queries.count)
        var last: (StringBits, Int32)?
        for i in queries.indices {
            let q = queries[i]
            let r: Int32
            let bits = StringBits(q.instance)
            if let l = last, l.0 == bits {
                r = l.1
            } else {
                r = rank[q.instance]!
                last = (bits, r)
            }
            keyed.append((q.end, r, q.connectionId ?? 0, i))
        }
        keyed.sort { a, b in
            if a.end != b.end { return a.end < b.end }
            if a.instance != b.instance { return a.instance < b.instance }
            if a.connection != b.connection { return a.connection < b.connection }
            return endOrder(queries[a.index], queries[b.index])
        }
        return keyed.map { queries[$0.index] }
    }

    /// Overlapping inputs (one slow log given twice, two exports of one
    /// hour) give each statement twice, from two files: the later file's
    /// copy goes, so they give what one does. Within a file, two identical
    /// records are two statements (fast repeats at `%t`'s one second).
    static func withoutCopies(_ sorted: [SlowQuery]) -> [SlowQuery] {
        guard sorted.count > 1 else { return sorted }
        // In `endOrder` a statement's copies are next to each other (equal
        // up to the file), so each is compared with the last one kept only.
        var out: [SlowQuery] = []
        out.reserveCapacity(sorted.count)
        for q in sorted {
            if let last = out.last, last.file != q.file, Self.sameStatement(last, q) { continue }
            out.append(q)
        }
        return out
    }

    static func sameStatement(_ a: SlowQuery, _ b: SlowQuery) -> Bool {
        a.end == b.end && a.durationUs == b.durationUs && a.connectionId == b.connectionId && a.instance == b.instance
            && a.text == b.text && a.database == b.database && a.user == b.user && a.engine == b.engine
    }

    static func endOrder(_ a: SlowQuery, _ b: SlowQuery) -> Bool {
        if a.end != b.end { return a.end < b.end }
        return (a.instance, a.connectionId ?? 0, a.text, a.file, a.line) < (
            b.instance, b.connectionId ?? 0, b.text, b.file, b.line
        )
    }

    /// `1-<start second>-<24 hex of MD5(request id)>`: the same request always gets the same id.
    public static func syntheticTraceId(_ requestId: RequestId, start: EpochMicros) -> TraceId {
        let secs = UInt32(truncatingIfNeeded: max(0, start / 1_000_000))
        // The first 12 bytes of the digest are the 24 hex digits. The
        // message is put together on the stack (one per request without a
        // trace id).
        let prefix: StaticString = "logstitch-trace:"
        let st = requestId.withText { id in
            withUnsafeTemporaryAllocation(byteCount: prefix.utf8CodeUnitCount + id.count, alignment: 8) { m in
                m.baseAddress!.copyMemory(from: prefix.utf8Start, byteCount: prefix.utf8CodeUnitCount)
                if let p = id.baseAddress {
                    (m.baseAddress! + prefix.utf8CodeUnitCount).copyMemory(from: p, byteCount: id.count)
                }
                return MD5.state(of: UnsafeRawBufferPointer(m))
            }
        }
        // Digest bytes in order are each word's bytes from the lowest.
        let high = st.0.byteSwapped
        let low = UInt64(st.1.byteSwapped) << 32 | UInt64(st.2.byteSwapped)
        return TraceId(epoch: secs, high: high, low: low)
    }

    func attributeQueries(
        _ queries: [SlowQuery], _ model: inout TraceModel, invocationById: RequestIdIndex,
        senders given: SenderIndex?
    ) {
        // Without invocations nothing can be attributed; statements keep the
        // trace their comments name (a query-only run, such as a folder of
        // slow logs, spends nothing on indexes).
        guard !model.invocations.isEmpty else {
            model.queries = queries.map { q in
                var r = QueryRecord(query: q)
                r.traceId = q.keys.traceId
                return r
            }
            return
        }
        // Indexes only for the keys the statements' comments actually name.
        let wantedRequests = Set(queries.compactMap(\.keys.requestId))
        var wantedTraces = KeyIndex<TraceId>()
        for q in queries { if let t = q.keys.traceId { wantedTraces[t] = 0 } }
        var byRequestId: [RequestId: Int] = [:]
        for id in wantedRequests { if let i = invocationById[id] { byRequestId[id] = i } }
        var byTrace: [TraceId: [Int]] = [:]
        if wantedTraces.count > 0 {
            for i in model.invocations.indices where wantedTraces.contains(model.invocations[i].traceId) {
                byTrace[model.invocations[i].traceId, default: []].append(i)
            }
        }
        // API request ids are looked up only for ids that are not Lambda request ids.
        let unresolved = wantedRequests.subtracting(byRequestId.keys)
        var apiRequestToInvocation: [RequestId: Int] = [:]
        if !unresolved.isEmpty {
            for r in model.requests.indices {
                guard let i = model.requests[r].invocation else { continue }
                // Comments name ids in lower case (as the sender pass reads them too).
                let id = model.requests[r].request.requestId
                let key = id.lowercasedIfNeeded ?? id
                if unresolved.contains(key) { apiRequestToInvocation[key] = i }
            }
        }

        // Pass 1: exact, from comments. It also learns which functions send
        // statements to which instance, as which DB user.
        var records = queries.map { QueryRecord(query: $0) }
        var learned = SenderIndex(declared: [:])
        for qi in records.indices {
            let q = records[qi].query
            if let rid = q.keys.requestId, let i = byRequestId[rid] ?? apiRequestToInvocation[rid] {
                records[qi].invocation = i
                records[qi].attribution = .requestComment
            } else if let t = q.keys.traceId {
                records[qi].traceId = t
                if let candidates = byTrace[t] {
                    // Within the trace: the invocation that was running when the statement ran.
                    let running = candidates.filter { Self.mayContain(model.invocations[$0].invocation, q) }
                    if running.count == 1 || candidates.count == 1 {
                        records[qi].invocation = running.count == 1 ? running[0] : candidates[0]
                        records[qi].attribution = .traceComment
                    }
                }
            }
            if let i = records[qi].invocation {
                records[qi].traceId = model.invocations[i].traceId
                learned.learn(instance: q.instance, user: q.user, function: model.invocations[i].invocation.function)
            }
        }
        var senders = given ?? learned
        senders.declared = options.dbFunctions
        // Pass 2: by time, among invocations of functions known to use the
        // instance. Each function's invocations are sorted by start, so only
        // those that started before the statement ended are looked at.
        var candidatesByFunction: [String: [Int]] = [:]
        let uncommented = records.contains { $0.attribution == .none && $0.query.keys.isEmpty }
        if uncommented {
            for i in model.invocations.indices {
                candidatesByFunction[model.invocations[i].invocation.function, default: []].append(i)
            }
        }
        for (f, list) in candidatesByFunction {
            candidatesByFunction[f] = list.sorted {
                (model.invocations[$0].start ?? 0, $0) < (model.invocations[$1].start ?? 0, $1)
            }
        }
        let longestUs = model.invocations.reduce(Int64(0)) { max($0, ($1.end ?? 0) - ($1.start ?? 0)) }
        // A run of statements from one instance and user asks the index
        // once (the pair's strings are shared along the run).
        var sendersOf: (instance: StringBits, user: StringBits, functions: [String])?
        for qi in records.indices where records[qi].attribution == .none && records[qi].query.keys.isEmpty {
            let q = records[qi].query
            let (instanceBits, userBits) = (StringBits(q.instance), StringBits(q.user))
            if sendersOf?.instance != instanceBits || sendersOf?.user != userBits {
                sendersOf = (instanceBits, userBits, senders.functions(instance: q.instance, user: q.user).sorted())
            }
            let functions = sendersOf!.functions
            guard !functions.isEmpty else { continue }
            var possible: [Int] = []
            let latestEnd = q.end + max(0, q.endResolution - 1)
            for f in functions {
                guard let list = candidatesByFunction[f] else { continue }
                // First invocation that may still be running at the statement's start.
                let from = Self.lowerBound(list) {
                    (model.invocations[$0].start ?? 0) < q.end - q.durationUs - longestUs
                }
                var k = from
                while k < list.count, (model.invocations[list[k]].start ?? 0) <= latestEnd {
                    if Self.mayContain(model.invocations[list[k]].invocation, q) { possible.append(list[k]) }
                    k += 1
                }
            }
            // Time attribution assumes the statement came from one of the
            // candidates; then it is the one that can contain it for some
            // possible true end (PostgreSQL's `%t` leaves a second open),
            // when exactly one can.
            if possible.count == 1 {
                records[qi].invocation = possible[0]
                records[qi].attribution = .time
                records[qi].traceId = model.invocations[possible[0]].traceId
            }
        }
        for (qi, r) in records.enumerated() { if let i = r.invocation { model.invocations[i].queries.append(qi) } }
        model.queries = records
    }

    /// Index of the first element for which `isBefore` is false (binary search).
    static func lowerBound(_ list: [Int], _ isBefore: (Int) -> Bool) -> Int {
        var lo = 0, hi = list.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if isBefore(list[mid]) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The statement's true end lies in [end, end + resolution). It can have
    /// been sent by the invocation if some such end puts its whole run inside.
    static func mayContain(_ inv: LambdaInvocation, _ q: SlowQuery) -> Bool {
        guard let s = inv.start, let e = inv.end else { return false }
        let latestEnd = q.end + max(0, q.endResolution - 1)
        // Some end e' in [q.end, latestEnd] with e' - d >= s and e' <= e.
        let lo = max(q.end, s + q.durationUs)
        let hi = min(latestEnd, e)
        return lo <= hi
    }
}

/// Which functions are known to send statements to a DB instance: learned
/// from commented statements (per DB user, so a reporting job's user never
/// makes an API function a candidate), or declared with `--db-function`
/// (any user).
public struct SenderIndex: Sendable {
    var declared: [String: Set<String>]
    var learned: [String: Set<String>] = [:]

    /// Adds what another index learned.
    mutating func merge(_ other: SenderIndex) {
        for (k, v) in other.learned { learned[k, default: []].formUnion(v) }
    }

    init(declared: [String: Set<String>]) { self.declared = declared }

    static func key(_ instance: String, _ user: String?) -> String { instance + "\u{0}" + (user ?? "") }

    mutating func learn(instance: String, user: String?, function: String) {
        learned[Self.key(instance, user), default: []].insert(function)
    }

    func functions(instance: String, user: String?) -> Set<String> {
        (declared[instance] ?? []).union(learned[Self.key(instance, user)] ?? [])
    }
}

extension String {
    /// Whether `lowercased()` could change it (ids are mostly lowercase already).
    var hasUppercaseASCII: Bool { utf8.contains { $0 >= 0x41 && $0 <= 0x5A } }
}
