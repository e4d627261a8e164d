/// Writes X-Ray segment documents shaped the way X-Ray itself draws
/// API Gateway → Lambda → SQL: a stage segment with a `Lambda` subsegment,
/// an `AWS::Lambda` service segment, and an `AWS::Lambda::Function` segment
/// whose `Invocation` subsegment holds the attributed queries.
///
/// Ids are hashes of the request id and the entity's role, so a rerun writes
/// the same bytes and a re-upload overwrites rather than duplicates.
public struct SegmentDocumentWriter {
    public static let maxDocumentBytes = 64 * 1024
    let model: TraceModel
    let options: CorrelationOptions

    public init(model: TraceModel, options: CorrelationOptions) {
        self.model = model
        self.options = options
    }

    /// X-Ray names allow letters, digits, whitespace and `_ . : / % & # = + - @`, up to 200 characters.
    public static func sanitizeName(_ name: String) -> String {
        // Fast path: plain ASCII names need no Unicode property lookups.
        if name.utf8.count <= 200, !name.isEmpty,
            name.utf8.allSatisfy({ b in
                ASCII.isHexOrWord(b) || b == ASCII.space || b == ASCII.dot || b == ASCII.colon
                    || b == ASCII.slash || b == 0x25 || b == 0x26 || b == ASCII.hash || b == ASCII.equals || b == 0x2B
                    || b == ASCII.minus || b == ASCII.at
            })
        {
            return name
        }
        var out = ""
        for ch in name.unicodeScalars { out.unicodeScalars.append(isNameScalar(ch) ? ch : "_") }
        if out.unicodeScalars.count > 200 { out = String(String.UnicodeScalarView(out.unicodeScalars.prefix(200))) }
        return out.isEmpty ? "unknown" : out
    }

    /// What a segment name may hold, as the AWS schema says it
    /// (`[\p{L}\p{Z}\p{N}_.:/%&#=+\-@]`): letters, numbers, space
    /// separators (not tabs or newlines: those are control characters).
    public static func isNameScalar(_ ch: Unicode.Scalar) -> Bool {
        switch ch.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .decimalNumber, .letterNumber, .otherNumber, .spaceSeparator, .lineSeparator, .paragraphSeparator:
            return true
        default:
            return "_.:/%&#=+-@".unicodeScalars.contains(ch)
        }
    }

    static func truncated(_ s: String, _ n: Int = 250) -> String {
        // utf8.count is O(1) for native strings; counting characters is not.
        s.utf8.count <= n || s.count <= n ? s : String(s.prefix(n))
    }

    /// Free text (an error message, a statement) is cut here, with a marker,
    /// so no one value can take a document past X-Ray's 64 KB.
    static let maxTextBytes = 8192
    static func cut(_ s: String, _ n: Int, marker: String = "…[truncated]") -> String {
        guard s.utf8.count > n else { return s }
        var out = ""
        for ch in s.unicodeScalars {
            if out.utf8.count + String(ch).utf8.count > n { break }
            out.unicodeScalars.append(ch)
        }
        return out + marker
    }

    /// Name, ARN and URL beginnings of a stage, worked out once per (API,
    /// stage, domain) and kept as UTF-8 in memory the cache owns: a copy is
    /// four pointers. (As Strings, every request's copy retained and
    /// released each of them, and writing one retained it again: 0.05
    /// cpu-s a day on the ARN alone.)
    struct StageKey: Hashable {
        var apiId: String?
        var stage: String?
        var domain: String?
    }
    struct StageInfo {
        var name: UnsafeBufferPointer<UInt8>
        var arn: UnsafeBufferPointer<UInt8>?
        /// `https://<host>`, for URLs whose logged path holds the stage; nil
        /// when neither a custom domain nor the API's region is known.
        var host: UnsafeBufferPointer<UInt8>?
        /// `https://<host>/<stage>`, for URLs made from the route; nil
        /// without a stage (HTTP APIs' `$default` stage adds nothing).
        var hostAndStage: UnsafeBufferPointer<UInt8>?
        /// The API's region: the one its execute-api domain names, else
        /// `--region`; nil when neither says (never a guess).
        var region: UnsafeBufferPointer<UInt8>?
        /// The host alone (custom domain or execute-api host), for `wss://` URLs.
        var hostName: String?
    }
    final class StageCache {
        var names: [StageKey: StageInfo] = [:]
        /// Consecutive requests are mostly of one stage: they are told by
        /// the bits of their key's strings (the same strings, or the same
        /// short ones held inline), compared without retaining anything.
        /// `lastKey` holds those strings, so no other string can take
        /// their place in memory while their bits are compared.
        var lastKey: StageKey?
        var lastBits = StageBits()
        var lastInfo: StageInfo?
        /// The bytes the infos point into, freed with the cache.
        private var storage: [UnsafeMutableBufferPointer<UInt8>] = []

        func keep(_ s: String) -> UnsafeBufferPointer<UInt8> {
            let b = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, s.utf8.count))
            _ = b.initialize(from: s.utf8)
            storage.append(b)
            return UnsafeBufferPointer(rebasing: b[0..<s.utf8.count])
        }

        deinit { for b in storage { b.deallocate() } }
    }
    let stageCache = StageCache()

    /// The last function name sanitised: checking a name byte by byte costs
    /// more than comparing it with the last.
    let functionNames = LastLookup<String, String>()

    func functionSegmentName(_ function: String) -> String {
        functionNames.value(function) { Self.sanitizeName(function) }
    }

    /// The bits of a stage key's three optional strings.
    struct StageBits: Equatable {
        var api = StringBits(nil), stage = StringBits(nil), domain = StringBits(nil)
        init() {}
        init(_ q: ApiGatewayRequest) {
            api = StringBits(q.apiId)
            stage = StringBits(q.stage)
            domain = StringBits(q.domainName)
        }
    }

    func stageInfo(_ q: ApiGatewayRequest) -> StageInfo {
        let c = stageCache
        let bits = StageBits(q)
        if let info = c.lastInfo, c.lastBits == bits { return info }
        let key = StageKey(apiId: q.apiId, stage: q.stage, domain: q.domainName)
        if let known = c.names[key] {
            remember(key, bits, known)
            return known
        }
        let api = q.apiId.map { options.apiNames[$0] ?? $0 } ?? "api"
        let stage = q.stage ?? "stage"
        let name = Self.sanitizeName(api.replacingSlashes() + "/" + stage.replacingSlashes())
        // The region the domain names, else `--region`; never a guess.
        let region = self.region(q) ?? options.region
        var arn: String?
        if let apiId = q.apiId, let region, apiId.allSatisfy({ $0.isLetter || $0.isNumber }) {
            arn = "arn:aws:apigateway:\(region)::/restapis/\(apiId.lowercased())/stages/\(stage)"
        }
        // The custom domain, else the API's execute-api host in its region;
        // neither known, no URL.
        let hostName = q.domainName ?? region.flatMap { r in q.apiId.map { "\($0).execute-api.\(r).amazonaws.com" } }
        let host = hostName.map { "https://" + $0 }
        let urlStage = q.stage.flatMap { $0 == "$default" ? nil : $0 }
        let info = StageInfo(
            name: c.keep(name), arn: arn.map(c.keep), host: host.map(c.keep),
            hostAndStage: host.flatMap { h in urlStage.map { c.keep(h + "/" + $0) } }, region: region.map(c.keep),
            hostName: hostName)
        c.names[key] = info
        remember(key, bits, info)
        return info
    }

    private func remember(_ key: StageKey, _ bits: StageBits, _ info: StageInfo) {
        stageCache.lastKey = key
        stageCache.lastBits = bits
        stageCache.lastInfo = info
    }

    /// X-Ray needs real times: a request or invocation whose time is unknown
    /// (or absurd) gets no segment documents; it stays in the CSV reports and
    /// summary.json counts it (`traces_without_time`).
    public static func placeable(_ t: EpochMicros?) -> Bool {
        guard let t else { return false }
        return t >= 946_684_800_000_000 && t < 4_294_000_000_000_000
    }

    /// All documents, one per line, traces in start-time order.
    public func ndjson() -> [UInt8] { ndjson(.everything) }

    /// The documents of the traces a window owns: those of its requests, and
    /// of its invocations that no request called.
    public func ndjson(_ ownership: Ownership) -> [UInt8] {
        var all: [UInt8] = []
        write(ownership, buffers: nil) { all.append(contentsOf: $0.bytes) }
        return all
    }

    /// Writes the documents to `sink` in buffers of about a megabyte, so a
    /// block's segments never sit in memory whole; the buffers come from
    /// `buffers`, whose receiver gives them back once they are written.
    /// Returns how many of the documents X-Ray would refuse by age (see `XRayAgeLimit`).
    /// `visit`, if given, sees each trace's documents as they are written
    /// (the bytes are valid only during the call), with the index of its
    /// request (or -1) and of its lone invocation (or -1): the views of a
    /// trace (OTLP, the report's slowest traces) read them from there.
    @discardableResult
    func write(
        _ ownership: Ownership, buffers: BufferPool?, visit: ((ByteView, Int, Int) -> Void)? = nil,
        sink: (ByteSink) -> Void
    ) -> (tooOld: Int, ahead: Int) {
        var aged = (tooOld: 0, ahead: 0)
        // Which trace comes first: (start, trace id); requests own their
        // invocation's documents, lone invocations their own.
        var order: [(start: EpochMicros, trace: TraceId, request: Int, invocation: Int)] = []
        order.reserveCapacity(model.requests.count + model.invocations.count)
        // By index: enumerating by value would retain and release every record.
        for i in model.requests.indices
        where ownership.owns(model.requests[i].start) && Self.placeable(model.requests[i].start) {
            order.append((model.requests[i].start ?? 0, model.requests[i].traceId, i, -1))
        }
        for i in model.invocations.indices
        where model.invocations[i].request == nil && ownership.owns(model.invocations[i].start)
            && Self.placeable(model.invocations[i].start)
        {
            order.append((model.invocations[i].start ?? 0, model.invocations[i].traceId, -1, i))
        }
        order.sort { ($0.start, $0.trace, $0.request, $0.invocation) < ($1.start, $1.trace, $1.request, $1.invocation) }
        let fresh = { () -> ByteSink in buffers?.take() ?? ByteSink(capacity: BufferPool.capacity) }
        var piece = fresh()
        // Documents are written into a small buffer of the writer's own and
        // moved into the piece a few dozen at a time (see `BufferPool.move`).
        var w = JSONWriter(sink: ByteSink(capacity: BufferPool.scratchBytes + 128 << 10))
        func moveScratch() {
            BufferPool.move(w.out.bytes, into: &piece, fresh: fresh, full: sink)
            w.removeLast(w.count)
        }
        for k in order.indices {
            // Traces are visited by start time while their records lie in
            // the order they were read back: the records of the trace a few
            // steps ahead are asked for now, so the misses overlap.
            if k + Prefetch.distance < order.count { prefetch(order[k + Prefetch.distance]) }
            let o = order[k]
            if w.count >= BufferPool.scratchBytes { moveScratch() }
            let before = w.documents
            let offset = w.count
            defer {
                if let visit { visit(w.out.bytes.slice(offset, w.count), o.request, o.invocation) }
                switch options.ageLimit.verdict(o.trace) {
                case .tooOld: aged.tooOld += w.documents - before
                case .ahead: aged.ahead += w.documents - before
                case .accepted: break
                }
            }
            if o.request >= 0 {
                let (ids, integration) = gatewaySegment(&w, model.requests[o.request])
                if let i = model.requests[o.request].invocation, Self.placeable(model.invocations[i].start),
                    let integration
                {
                    lambdaSegments(&w, model.invocations[i], parent: (ids("lambda-subsegment"), integration))
                }
            } else {
                lambdaSegments(&w, model.invocations[o.invocation], parent: nil)
            }
        }
        // The last buffer goes on as it is (or back, empty), none taken for it.
        moveScratch()
        var last = [piece]
        if last[0].count > 0 { sink(last[0]) } else { buffers?.give(&last) }
        return aged
    }

    /// Asks for a trace's request and invocation objects.
    @inline(__always) func prefetch(_ o: (start: EpochMicros, trace: TraceId, request: Int, invocation: Int)) {
        if o.request >= 0 { model.prefetch(request: o.request) } else { model.prefetch(invocation: o.invocation) }
    }

    func times(_ w: inout JSONWriter, _ start: EpochMicros, _ end: EpochMicros) {
        w.field("start_time", seconds: start)
        w.field("end_time", seconds: max(start, end))
    }

    /// Returns the request's segment ids (its Lambda documents hang under
    /// one of them: hashing the id once serves both) and the span of its
    /// `Lambda` subsegment, if it has one.
    func gatewaySegment(_ w: inout JSONWriter, _ r: borrowing RequestRecord) -> (SegmentIds, TimeSpan?) {
        let q = r.request
        let info = stageInfo(q)
        let start = q.start ?? 0
        let end = start + (q.responseLatencyMs ?? 0) * 1000
        let ids = SegmentIds(q.requestId, start: q.start)
        w.beginDocument()
        w.beginObject()
        w.field("name", utf8: info.name)
        w.field("id", hexId: ids("apigateway"))
        w.field("trace_id", trace: r.traceId)
        times(&w, start, end)
        w.field("origin", static: "AWS::ApiGateway::Stage")
        if let arn = info.arn { w.field("resource_arn", utf8: arn) }
        w.objectStart("http")
        w.objectStart("request")
        // Only a method that was logged: a WebSocket message has none.
        if let m = q.method { w.field("method", Self.truncated(m)) }
        urlField(&w, q, info)
        w.field("client_ip", q.sourceIp.map { Self.truncated($0) })
        w.field("user_agent", q.userAgent.map { Self.truncated($0) })
        w.endObject()
        if q.status != nil || q.responseLength != nil {
            w.objectStart("response")
            if let s = q.status { w.field("status", s) }
            if let l = q.responseLength { w.field("content_length", l) }
            w.endObject()
        }
        w.endObject()
        flags(&w, status: q.status)
        w.objectStart("aws")
        w.objectStart("api_gateway")
        w.field("request_id", q.requestId)
        w.field("rest_api_id", q.apiId)
        w.field("stage", q.stage)
        w.field("account_id", q.accountId ?? options.account)
        w.endObject()
        w.endObject()
        // Indexed for filter expressions (X-Ray indexes annotations only).
        if let route = q.route {
            w.objectStart("annotations")
            w.field("route", Self.cut(route, 1000))
            w.endObject()
        }
        w.objectStart("metadata")
        w.objectStart("logstitch")
        w.field("lambda_join", r.join.rawValue)
        w.field("extended_request_id", q.extendedRequestId)
        w.field("route", q.route.map { Self.cut($0, 1024) })
        w.field("event_type", q.eventType)
        w.field("connection_id", q.connectionId)
        w.field("error_message", q.errorMessage.map { Self.cut($0, Self.maxTextBytes) })
        w.field("error_response_type", q.errorResponseType.map { Self.cut($0, 256) })
        w.endObject()
        w.endObject()
        var integration: TimeSpan?
        if let i = r.invocation {
            let inv = model.invocations[i].invocation
            // The integration span: its start is not logged, so it ends
            // where the response ends (less half the gateway's own time);
            // it covers the invocation it hangs over, within the request.
            let integrationUs = (q.integrationLatencyMs ?? ((inv.end ?? 0) - (inv.start ?? 0)) / 1000) * 1000
            let subEnd = max(start, end - max(0, ((q.responseLatencyMs ?? 0) * 1000 - integrationUs) / 2))
            let span = TimeSpan(max(start, subEnd - integrationUs), subEnd)
                .covering(Self.serviceSpan(inv)).clamped(into: TimeSpan(start, end))
            integration = span
            w.arrayStart("subsegments")
            w.element()
            w.beginObject()
            w.field("id", hexId: ids("lambda-subsegment"))
            w.field("name", static: "Lambda")
            times(&w, span.start, span.end)
            w.field("namespace", static: "aws")
            // Lambda's Invoke answers 200 when the function ran, its errors
            // included (they come back as X-Amz-Function-Error); when the
            // gateway could not use the answer (502) or gave up waiting
            // (504), the call failed: fault, as X-Ray marks 5xx.
            let failed = q.status == 502 || q.status == 504
            if failed { w.field("fault", true) }
            if q.status != 504, inv.end != nil {
                w.objectStart("http")
                w.objectStart("response")
                w.field("status", 200)
                w.endObject()
                w.endObject()
            }
            w.objectStart("aws")
            w.field("operation", static: "Invoke")
            w.field("function_name", Self.cut(inv.function, 256))
            w.field("request_id", inv.requestId)
            if let r = info.region { w.field("region", utf8: r) }
            if inv.function != "unknown" {
                w.arrayStart("resource_names")
                w.stringElement(Self.cut(inv.function, 256))
                w.endArray()
            }
            w.endObject()
            w.endObject()
            w.endArray()
        }
        w.endObject()
        w.newline()
        return (ids, integration)
    }

    /// `arn:aws:lambda:<region>:<account>:function:<name>`, when the account
    /// (a subscription envelope's `owner`, else `--account`) and `--region`
    /// are known. (Lambda's logs name the region only in a cold start's
    /// INIT_START line: it would give some invocations of a function an ARN
    /// and not others.)
    func functionARN(_ function: String, account: String?) -> String? {
        guard let region = options.region, let account, function != "unknown",
            function.utf8.count <= 140
        else { return nil }
        return "arn:aws:lambda:\(region):\(account):function:\(function)"
    }

    /// The region an execute-api domain names (`<api>.execute-api.<region>.amazonaws.com`),
    /// when it looks like one (`us-east-1`, `ap-southeast-2`, `us-gov-west-1`): a
    /// damaged domain must not put its text into ARNs.
    func region(_ q: ApiGatewayRequest) -> String? {
        guard let d = q.domainName, let r = d.range(of: ".execute-api.") else { return nil }
        guard let name = d[r.upperBound...].split(separator: ".").first, Self.isRegionName(name) else { return nil }
        return String(name)
    }

    static func isRegionName(_ s: Substring) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard s.utf8.count <= 32, parts.count >= 3, let last = parts.last, !last.isEmpty,
            last.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
        else { return false }
        return parts.dropLast().allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 0x61 && $0 <= 0x7A } }
    }

    /// The request URL, `https://<host>[/<stage>]<path>`: the custom domain,
    /// else the API's execute-api host; the logged path, else the route
    /// under its stage (HTTP APIs' `$default` stage adds nothing). The
    /// beginning is the stage's, made once (see `StageInfo`); a slash goes
    /// before a path that has none. Truncated to 250 characters (rarely
    /// needed, so only then is it put together as a String).
    func urlField(_ w: inout JSONWriter, _ q: ApiGatewayRequest, _ info: StageInfo) {
        if q.isWebSocket {
            // wss://<host>/<stage>: a route key ($connect, sendmessage) is not a path.
            guard let host = info.hostName else { return }
            w.field("url", Self.truncated("wss://" + host + (q.stage.map { "/" + $0 } ?? "")))
            return
        }
        guard let host = info.host else { return }
        let withStage = q.path == nil ? info.hostAndStage : nil
        let start = withStage ?? host
        // `$default` and the like are route keys, not paths: the URL stops at the stage.
        let route = q.route.flatMap { $0.hasPrefix("$") ? nil : $0 }
        let path = q.path ?? route ?? (withStage == nil ? "/" : "")
        let slash = withStage == nil && path.utf8.first != ASCII.slash
        if start.count + (slash ? 1 : 0) + path.utf8.count <= 250 {
            w.field("url", start, slash: slash, path)
        } else {
            w.field("url", Self.truncated(String(decoding: start, as: UTF8.self) + (slash ? "/" : "") + path))
        }
    }

    func flags(_ w: inout JSONWriter, status: Int?) {
        guard let s = status else { return }
        if s == 429 {
            w.field("error", true)
            w.field("throttle", true)
        } else if (400..<500).contains(s) {
            w.field("error", true)
        } else if s >= 500 {
            w.field("fault", true)
        }
    }

    /// The AWS::Lambda service segment and the AWS::Lambda::Function segment;
    /// queries move to independent subsegments if the function document
    /// would pass X-Ray's 64 KB limit.
    /// The span of an invocation's `AWS::Lambda` segment as logged: from
    /// its Init (or Restore) to the end of its run and runtime overhead.
    static func serviceSpan(_ inv: borrowing LambdaInvocation) -> TimeSpan {
        let start = inv.start ?? 0
        let invocationEnd = start + (inv.durationUs ?? ((inv.end ?? start) - start))
        return TimeSpan(
            start - (inv.restoreDurationUs ?? inv.initDurationUs ?? 0),
            max(inv.end ?? start, invocationEnd + max(0, inv.runtimeOverheadUs ?? 0)))
    }

    /// `parent`: the `Lambda` subsegment it hangs from, and its span (the
    /// documents are placed inside it).
    func lambdaSegments(_ out: inout JSONWriter, _ r: borrowing InvocationRecord, parent: (id: UInt64, span: TimeSpan)?)
    {
        let inv = r.invocation
        let rid = inv.requestId
        let start = inv.start ?? 0
        let name = functionSegmentName(inv.function)
        let failed = inv.status != .success
        let ids = SegmentIds(rid, start: inv.start)
        let serviceId = ids("lambda-service")
        let functionId = ids("lambda-function")
        let invocationId = ids("invocation")
        // Each inside the one above it: service ⊇ function ⊇ Invocation,
        // Overhead ⊇ statements. (Initialization and Restore precede the
        // function segment's start, as X-Ray records them, inside the service.)
        let logged = Self.serviceSpan(inv)
        let service = parent.map { logged.clamped(into: $0.span) } ?? logged
        let function = TimeSpan(start, logged.end).clamped(into: service)
        let invocationSpan = TimeSpan(start, start + (inv.durationUs ?? ((inv.end ?? start) - start))).clamped(
            into: function)

        out.beginDocument()
        out.beginObject()
        out.field("name", name)
        out.field("id", hexId: serviceId)
        out.field("trace_id", trace: r.traceId)
        if let p = parent { out.field("parent_id", hexId: p.id) }
        times(&out, service.start, service.end)
        out.field("origin", static: "AWS::Lambda")
        let loggedARN = inv.functionArn.flatMap(FunctionARN.init)
        let account = inv.account ?? loggedARN?.account ?? options.account
        let arn = loggedARN?.text ?? functionARN(inv.function, account: account)
        if let arn { out.field("resource_arn", arn) }
        // The Lambda service answered (200, function errors included); the
        // run failed: fault.
        if inv.end != nil {
            out.objectStart("http")
            out.objectStart("response")
            out.field("status", 200)
            out.endObject()
            out.endObject()
        }
        if failed { out.field("fault", true) }
        out.objectStart("aws")
        out.field("request_id", rid)
        out.endObject()
        out.endObject()
        out.newline()

        func functionDocument(_ f: inout JSONWriter, embedQueries: Bool) {
            f.beginDocument()
            f.beginObject()
            f.field("name", name)
            f.field("id", hexId: functionId)
            f.field("trace_id", trace: r.traceId)
            f.field("parent_id", hexId: serviceId)
            times(&f, function.start, function.end)
            f.field("origin", static: "AWS::Lambda::Function")
            if failed {
                f.field("fault", true)
                cause(&f, inv)
            }
            f.objectStart("aws")
            f.field("request_id", rid)
            f.field("account_id", account)
            if let arn { f.field("function_arn", arn) }
            if inv.function != "unknown" {
                f.arrayStart("resource_names")
                f.stringElement(Self.cut(inv.function, 256))
                f.endArray()
            }
            if let g = inv.logGroup {
                f.arrayStart("cloudwatch_logs")
                f.element()
                f.beginObject()
                f.field("log_group", g)
                f.endObject()
                f.endArray()
            }
            f.endObject()
            f.objectStart("annotations")
            f.field("cold_start", inv.coldStart)
            if inv.function != "unknown" { f.field("function", Self.cut(inv.function, 1000)) }
            f.endObject()
            f.objectStart("metadata")
            f.objectStart("logstitch")
            f.field("status", inv.status.rawValue)
            f.field("log_stream", inv.logStream)
            if let b = inv.billedDurationUs { f.field("billed_duration_ms", millis: b) }
            if let m = inv.memorySizeMB { f.field("memory_size_mb", m) }
            if let m = inv.maxMemoryUsedMB { f.field("max_memory_used_mb", m) }
            f.endObject()
            f.endObject()
            f.arrayStart("subsegments")
            if let restore = inv.restoreDurationUs {
                let span = TimeSpan(start - restore, start).clamped(into: service)
                sub(&f, ids("restore"), "Restore", span.start, span.end)
            } else if let initUs = inv.initDurationUs {
                let span = TimeSpan(start - initUs, start).clamped(into: service)
                sub(&f, ids("initialization"), "Initialization", span.start, span.end)
            }
            f.element()
            f.beginObject()
            f.field("id", hexId: invocationId)
            f.field("name", static: "Invocation")
            times(&f, invocationSpan.start, invocationSpan.end)
            if failed { f.field("fault", true) }
            if embedQueries && !r.queries.isEmpty {
                f.arrayStart("subsegments")
                for qi in r.queries {
                    f.element()
                    querySubsegment(&f, model.queries[qi], qi, within: invocationSpan, independent: nil)
                }
                f.endArray()
            }
            f.endObject()
            if let o = inv.runtimeOverheadUs, o > 0 {
                let span = TimeSpan(invocationSpan.end, invocationSpan.end + o).clamped(into: function)
                sub(&f, ids("overhead"), "Overhead", span.start, span.end)
            }
            f.endArray()
            f.endObject()
            f.newline()
        }
        let before = out.count
        functionDocument(&out, embedQueries: true)
        if out.count - before - 1 <= Self.maxDocumentBytes { return }
        out.removeLast(out.count - before)
        functionDocument(&out, embedQueries: false)
        for qi in r.queries {
            out.beginDocument()
            querySubsegment(&out, model.queries[qi], qi, within: invocationSpan, independent: (r.traceId, invocationId))
            out.newline()
        }
    }

    func sub(_ w: inout JSONWriter, _ id: UInt64, _ name: StaticString, _ start: EpochMicros, _ end: EpochMicros) {
        w.element()
        w.beginObject()
        w.field("id", hexId: id)
        w.field("name", static: name)
        times(&w, start, end)
        w.endObject()
    }

    func cause(_ w: inout JSONWriter, _ inv: LambdaInvocation) {
        w.objectStart("cause")
        w.arrayStart("exceptions")
        w.element()
        w.beginObject()
        w.field("id", hexId: SegmentIds(inv.requestId, start: inv.start)("exception"))
        w.field("type", Self.cut(inv.errorType ?? (inv.status == .timeout ? "Sandbox.Timedout" : "Error"), 256))
        w.field(
            "message",
            Self.truncated(inv.errorMessage ?? (inv.status == .timeout ? "Task timed out" : "Invocation failed"), 1000))
        w.endObject()
        w.endArray()
        w.endObject()
    }

    /// `within`: the span of the `Invocation` that sent it.
    func querySubsegment(
        _ w: inout JSONWriter, _ r: QueryRecord, _ index: Int, within invocation: TimeSpan,
        independent: (trace: TraceId, parent: UInt64)?
    ) {
        let q = r.query
        let names = databaseNames(q)
        let placed = StatementPlacement(
            end: q.end, resolution: q.endResolution, duration: q.durationUs, within: invocation)
        w.beginObject()
        w.field("id", hexId: SegmentIds(statement: q)("sql"))
        w.field("name", names.name)
        if let ind = independent {
            w.field("type", static: "subsegment")
            w.field("trace_id", trace: ind.trace)
            w.field("parent_id", hexId: ind.parent)
        }
        times(&w, placed.span.start, placed.span.end)
        w.field("namespace", static: "remote")
        w.objectStart("sql")
        if let url = names.url { w.field("url", Self.cut(url, 1024)) }
        w.field("database_type", q.engine.rawValue)
        w.field("user", q.user.map { Self.truncated($0) })
        w.field("sanitized_query", Self.cut(q.sanitizedQuery, Self.maxTextBytes))
        w.endObject()
        w.objectStart("metadata")
        w.objectStart("rds_slow_query")
        w.field("attribution", r.attribution.rawValue)
        w.field("fingerprint_id", q.fingerprintId)
        // The class the statement falls in (queries.csv's), for views that
        // name a statement by its shape (OTLP's db.query.summary).
        w.field("fingerprint", Self.cut(q.fingerprint, 2048))
        w.field("query_time_ms", millis: q.durationUs)
        if let l = q.lockTimeUs { w.field("lock_time_ms", millis: l) }
        if let v = q.rowsSent { w.field("rows_sent", v) }
        if let v = q.rowsExamined { w.field("rows_examined", v) }
        w.field("end_time_resolution_ms", millis: q.endResolution)
        w.field("placement", placed.how.rawValue)
        if placed.how != .asLogged { w.field("logged_end_time", seconds: q.end) }
        w.endObject()
        w.endObject()
        w.endObject()
    }

    /// A database's subsegment name and URL, made once per engine, instance
    /// and database (statements of one database mostly come in a row).
    struct DatabaseKey: Equatable {
        var engine: DatabaseEngine
        var instance: String
        var database: String?
    }
    let databaseNameCache = LastLookup<DatabaseKey, (name: String, url: String?)>()

    func databaseNames(_ q: SlowQuery) -> (name: String, url: String?) {
        databaseNameCache.value(DatabaseKey(engine: q.engine, instance: q.instance, database: q.database)) {
            let scheme = q.engine == .mysql ? "mysql://" : "postgresql://"
            // A database the log does not name: the node is the instance
            // alone (a placeholder database would draw a second node for
            // the same instance in X-Ray's service map), and no `sql.url`
            // (the Collector's X-Ray receiver refuses a URL without a
            // database, and one must not be made up).
            guard let db = q.database, !db.isEmpty else { return (Self.sanitizeName(q.instance), nil) }
            return (Self.sanitizeName(db + "@" + q.instance), scheme + q.instance + "/" + urlPath(db))
        }
    }

    /// What makes a statement unique, for its subsegment id (independent of
    /// input order); `SegmentIds(statement:)` hashes it without making it.
    func queryKey(_ q: SlowQuery) -> String {
        "query:\(q.instance):\(q.end):\(q.durationUs):\(q.connectionId ?? 0):\(q.fingerprintId):\(q.textByteCount)"
    }

    func urlPath(_ s: String) -> String {
        s.map { $0 == "/" || $0 == "?" || $0 == " " ? "_" : String($0) }.joined()
    }
}

extension String {
    func replacingSlashes() -> String {
        utf8.contains(ASCII.slash) ? map { $0 == "/" ? "_" : String($0) }.joined() : self
    }
}
