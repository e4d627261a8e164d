/// Recognises Lambda log records — platform lines in text or JSON form,
/// runtime app-log lines of Node.js, Python and .NET, error lines — and
/// reduces each to a `LambdaEvent`. Free-form application output in a Lambda
/// log group is known noise: it names no invocation.
public struct LambdaLogParser {
    public enum Result {
        case event(LambdaEvent)
        /// `XRAY TraceId…` on its own line (raw files): belongs to the REPORT before it.
        case xrayContinuation(TraceId, segmentId: UInt64?, sampled: Bool?)
        /// Application output or an extension line: a Lambda record that says
        /// nothing about an invocation (parsed, counted, not kept).
        case appOutput
        case noise
        case notLambda
        /// A Lambda line that says something it cannot be read for (a REPORT
        /// without a Duration number, a platform record that is not JSON).
        case malformed(String)
    }

    public init() {}

    /// An event object handed back for reuse once its record went to the
    /// spill: a run parses millions of events, and making and freeing an
    /// object for each cost more than clearing one.
    final class Spare { var event: LambdaEvent? }
    let spare = Spare()

    /// A new event of `kind`: the spare one, cleared, if there is one (all
    /// but its source, which the record parser that recycles events sets on
    /// every event it takes).
    @inline(__always) func make(_ kind: LambdaEvent.Kind) -> LambdaEvent {
        guard let e = spare.event else { return LambdaEvent(kind: kind) }
        spare.event = nil
        e.reset(kind, keepingSource: true)
        return e
    }

    /// Takes back an event no one else holds, for the next `make`.
    @inline(__always) func recycle(_ e: LambdaEvent) { if spare.event == nil { spare.event = e } }

    /// `inLambdaGroup`: the record is known to come from a Lambda log group,
    /// so unrecognised text is application output rather than foreign data.
    public func parse(_ m: ByteView, time: EpochMicros?, inLambdaGroup: Bool) -> Result {
        guard m.count > 0 else { return .noise }
        switch m[0] {
        case 0x53 where m.hasPrefix("START RequestId: "): return start(m, time)
        case 0x45 where m.hasPrefix("END RequestId: "): return end(m, time)
        case 0x52 where m.hasPrefix("REPORT RequestId: "): return report(m, time)
        case 0x49 where m.hasPrefix("INIT_START"):
            let e = make(.initStart)
            e.time = time
            return .event(e)
        case 0x49 where m.hasPrefix("INIT_REPORT"): return initReport(m, time)
        case 0x52 where m.hasPrefix("RESTORE_START"):
            let e = make(.restoreStart)
            e.time = time
            return .event(e)
        case 0x52 where m.hasPrefix("RESTORE_REPORT"): return restoreReport(m, time)
        case 0x52 where m.hasPrefix("RequestId: "): return runtimeExit(m, time)
        case 0x45 where m.hasPrefix("EXTENSION"):
            return .appOutput
        case 0x58 where m.hasPrefix("XRAY TraceId: "):
            let x = xray(m, spaced: m.index(of: ASCII.tab) == nil)
            if let t = x.trace { return .xrayContinuation(t, segmentId: x.segment, sampled: x.sampled) }
            return .notLambda
        case ASCII.leftBrace: return json(m, time, inLambdaGroup: inLambdaGroup)
        case ASCII.leftBracket: if let r = pythonLine(m, time) { return r }
        default: break
        }
        if let r = tabbedAppLine(m, time) { return r }
        if let r = timeoutLine(m, time) { return r }
        return inLambdaGroup ? .noise : .notLambda
    }

    // MARK: platform text lines

    /// A platform line whose request id is missing or too long to be one.
    func badId(after prefixLength: Int, in m: ByteView) -> Result {
        var e = prefixLength
        while e < m.count, !ASCII.isSpace(m[e]) { e += 1 }
        return e - prefixLength > 128 ? .malformed("Lambda request id longer than 128 bytes") : .notLambda
    }

    func requestId(after prefixLength: Int, in m: ByteView) -> (RequestId, Int)? {
        var e = prefixLength
        while e < m.count, !ASCII.isSpace(m[e]) { e += 1 }
        // Lambda's request ids are 36 bytes: a 70 KB token is not one.
        guard e > prefixLength, e - prefixLength <= 128 else { return nil }
        return (RequestId.lowercased(m.slice(prefixLength, e)), e)
    }

    func start(_ m: ByteView, _ time: EpochMicros?) -> Result {
        guard let (id, e) = requestId(after: 17, in: m) else { return badId(after: 17, in: m) }
        let ev = make(.start)
        ev.requestId = id
        ev.time = time
        if let v = m.index(of: "Version: ", from: e) {
            let rest = m.dropFirst(v + 9)
            var k = 0
            while k < rest.count, !ASCII.isSpace(rest[k]) { k += 1 }
            if k > 0 { ev.version = rest.prefix(k).string }
        }
        return .event(ev)
    }

    func end(_ m: ByteView, _ time: EpochMicros?) -> Result {
        guard let (id, e) = requestId(after: 15, in: m) else { return badId(after: 15, in: m) }
        let ev = make(.end)
        ev.requestId = id
        ev.time = time
        if let t = m.index(of: "Task timed out after", from: e) {
            ev.status = .timeout
            ev.errorType = "Sandbox.Timedout"
            ev.errorMessage = m.dropFirst(t).trimmed().string
        }
        return .event(ev)
    }

    /// `Key: value` pairs separated by tabs (or newlines), in any order.
    func forEachPair(_ m: ByteView, _ body: (ByteView, ByteView) -> Void) {
        guard let base = m.baseAddress else { return }
        var start = 0
        while start < m.count {
            // The field ends at a tab or a newline: eight bytes at a time.
            var e = WordScan.skipToEither(ASCII.tab, ASCII.lf, in: base, from: start, end: m.count)
            while e < m.count, m[e] != ASCII.tab, m[e] != ASCII.lf { e += 1 }
            // "Key: value": the first colon followed by a space.
            var c = start
            while let colon = m.index(of: ASCII.colon, from: c), colon < e {
                if colon + 1 < e, m[colon + 1] == ASCII.space {
                    body(m.slice(start, colon).trimmed(), m.slice(colon + 2, e).trimmed())
                    break
                }
                c = colon + 1
            }
            start = e + 1
        }
    }

    /// `Key: value` pairs separated by spaces: `Duration: 15.74 ms  Billed
    /// Duration: 16 ms Memory Size: 128 MB`. A key is the words up to one
    /// ending in `:`; its value the next word, with its unit (`ms`, `MB`)
    /// if one follows.
    func forEachSpacedPair(_ m: ByteView, _ body: (ByteView, ByteView) -> Void) {
        var i = 0
        func nextWord() -> Range<Int>? {
            while i < m.count, ASCII.isSpace(m[i]) { i += 1 }
            guard i < m.count else { return nil }
            let start = i
            while i < m.count, !ASCII.isSpace(m[i]) { i += 1 }
            return start..<i
        }
        var keyStart: Int?
        while let w = nextWord() {
            if keyStart == nil { keyStart = w.lowerBound }
            guard m[w.upperBound - 1] == ASCII.colon, let k = keyStart else { continue }
            keyStart = nil
            guard let v = nextWord() else { return }
            var end = v.upperBound
            let save = i
            if let unit = nextWord(),
                m.slice(unit.lowerBound, unit.upperBound).equals("ms")
                    || m.slice(unit.lowerBound, unit.upperBound).equals("MB")
            {
                end = unit.upperBound
            } else {
                i = save
            }
            body(m.slice(k, w.upperBound - 1), m.slice(v.lowerBound, end))
        }
    }

    /// `123.45 ms` → µs.
    func millis(_ v: ByteView) -> Int64? {
        var t = v
        if t.hasSuffix(" ms") { t = t.prefix(t.count - 3) }
        return t.trimmed().parseFixed(scale: 3)
    }

    func megabytes(_ v: ByteView) -> Int64? {
        var t = v
        if t.hasSuffix(" MB") { t = t.prefix(t.count - 3) }
        return t.trimmed().parseInt()
    }

    func report(_ m: ByteView, _ time: EpochMicros?) -> Result {
        guard let (id, e) = requestId(after: 18, in: m) else { return badId(after: 18, in: m) }
        let ev = make(.report)
        ev.requestId = id
        ev.time = time
        var bad = false
        let pairs = m.dropFirst(e)
        // Tab-separated as Lambda writes it; space-separated as the
        // developer guide (and copies from the console) print it. (Two
        // direct calls: a call through a function value cost the closure
        // its inlining, on a million REPORT lines a day.)
        func take(_ k: ByteView, _ v: ByteView) {
            // The key's length picks the one name it can be (a REPORT line
            // has six to nine pairs, and there are millions of lines).
            switch k.count {
            case 8 where k.equals("Duration"):
                ev.durationUs = millis(v)
                if ev.durationUs == nil { bad = true }
            case 15 where k.equals("Billed Duration"): ev.billedDurationUs = millis(v)
            case 11 where k.equals("Memory Size"): ev.memorySizeMB = megabytes(v)
            case 15 where k.equals("Max Memory Used"): ev.maxMemoryUsedMB = megabytes(v)
            case 13 where k.equals("Init Duration"): ev.initDurationUs = millis(v)
            case 16 where k.equals("Restore Duration"): ev.restoreDurationUs = millis(v)
            case 23 where k.equals("Billed Restore Duration"): ev.billedRestoreDurationUs = millis(v)
            case 6 where k.equals("Status"):
                if v.equals("timeout") {
                    ev.status = .timeout
                } else if v.equals("error") || v.equals("failure") {
                    ev.status = .error
                } else if v.equals("success") {
                    ev.status = .success
                }
            case 10 where k.equals("Error Type"): ev.errorType = v.string
            default: break
            }
        }
        if pairs.index(of: ASCII.tab) != nil { forEachPair(pairs, take) } else { forEachSpacedPair(pairs, take) }
        if bad || ev.durationUs == nil { return .malformed("REPORT line without 'Duration: <number> ms'") }
        if let x = m.index(of: "XRAY TraceId: ", from: e) {
            let r = xray(m.dropFirst(x), spaced: m.dropFirst(x).index(of: ASCII.tab) == nil)
            ev.traceId = r.trace
            ev.segmentId = r.segment
            ev.sampled = r.sampled
        }
        return .event(ev)
    }

    func xray(_ m: ByteView, spaced: Bool = false) -> (trace: TraceId?, segment: UInt64?, sampled: Bool?) {
        var trace: TraceId?, segment: UInt64?, sampled: Bool?
        (spaced ? forEachSpacedPair : forEachPair)(m) { k, v in
            if k.equals("XRAY TraceId") {
                trace = TraceId.parse(v)
            } else if k.equals("SegmentId") {
                segment = ASCII.parseHex16(v)
            } else if k.equals("Sampled") {
                sampled = v.equals("true")
            }
        }
        return (trace, segment, sampled)
    }

    func initReport(_ m: ByteView, _ time: EpochMicros?) -> Result {
        let ev = make(.initReport)
        ev.time = time
        forEachPair(m.dropFirst(11)) { k, v in
            if k.equals("Init Duration") {
                ev.initDurationUs = millis(v)
            } else if k.equals("Status") {
                if v.equals("timeout") { ev.status = .timeout } else if v.equals("error") { ev.status = .error }
            } else if k.equals("Error Type") {
                ev.errorType = v.string
            }
        }
        return .event(ev)
    }

    func restoreReport(_ m: ByteView, _ time: EpochMicros?) -> Result {
        let ev = make(.restoreReport)
        ev.time = time
        forEachPair(m.dropFirst(14)) { k, v in
            if k.equals("Restore Duration") { ev.restoreDurationUs = millis(v) }
        }
        return .event(ev)
    }

    /// `RequestId: <id> Error: Runtime exited with error: signal: killed\nRuntime.ExitError`
    func runtimeExit(_ m: ByteView, _ time: EpochMicros?) -> Result {
        guard let (id, e) = requestId(after: 11, in: m), let err = m.index(of: "Error: ", from: e) else {
            return .notLambda
        }
        let ev = make(.error)
        ev.requestId = id
        ev.time = time
        let rest = m.dropFirst(err + 7)
        if let nl = rest.index(of: ASCII.lf) {
            ev.errorMessage = rest.prefix(nl).trimmed().string
            ev.errorType = rest.dropFirst(nl + 1).trimmed().string
        } else {
            ev.errorMessage = rest.trimmed().string
            ev.errorType = "Runtime.ExitError"
        }
        ev.status = .error
        return .event(ev)
    }

    /// `<ts> <id> Task timed out after 5.01 seconds` (space separated).
    func timeoutLine(_ m: ByteView, _ time: EpochMicros?) -> Result? {
        guard let (t, n) = Timestamp.parseISO8601Prefix(m), n < m.count, m[n] == ASCII.space else { return nil }
        let rest = m.dropFirst(n + 1)
        guard rest.count > 37, ASCII.isUUID(rest.prefix(36)), rest[36] == ASCII.space,
            rest.dropFirst(37).hasPrefix("Task timed out after")
        else { return nil }
        let ev = make(.timeout)
        ev.requestId = RequestId.lowercased(rest.prefix(36))
        ev.time = time ?? t
        ev.status = .timeout
        ev.errorType = "Sandbox.Timedout"
        ev.errorMessage = rest.dropFirst(37).trimmed().string
        return .event(ev)
    }

    // MARK: runtime app-log lines

    /// Node.js and .NET: `<ts>\t<requestId|undefined>\t<LEVEL>\t<message>`.
    func tabbedAppLine(_ m: ByteView, _ time: EpochMicros?) -> Result? {
        guard let (t, n) = Timestamp.parseISO8601Prefix(m), n < m.count, m[n] == ASCII.tab else { return nil }
        let rest = m.dropFirst(n + 1)
        guard let tab1 = rest.index(of: ASCII.tab) else { return nil }
        let rid = rest.prefix(tab1)
        let afterId = rest.dropFirst(tab1 + 1)
        let tab2 = afterId.index(of: ASCII.tab) ?? afterId.count
        let level = afterId.prefix(tab2)
        if tab2 == afterId.count, afterId.hasPrefix("{\"errorMessage\"") {
            // Node.js 4.3–8.10 logged a failed invoke as the error object alone.
            return errorObject(requestId: rid, json: afterId, time: time ?? t, typeRequired: false)
        }
        guard level.count >= 4, level.count <= 5 else { return nil }
        let message = afterId.dropFirst(tab2 + 1)
        return appLine(requestId: rid, level: level, message: message, time: time ?? t)
    }

    /// Python: `[LEVEL]\t<ts>\t<requestId>\t<message>`, or an unhandled
    /// exception `[ERROR] KeyError: 'x'\rTraceback…` with no request id.
    func pythonLine(_ m: ByteView, _ time: EpochMicros?) -> Result? {
        guard let close = m.index(of: ASCII.rightBracket), close < 10 else { return nil }
        let level = m.slice(1, close)
        let rest = m.dropFirst(close + 1)
        if rest.count > 0 && rest[0] == ASCII.tab {
            let fields = rest.dropFirst(1)
            guard let tab1 = fields.index(of: ASCII.tab) else { return nil }
            let ts = Timestamp.parseISO8601(fields.prefix(tab1))
            let after = fields.dropFirst(tab1 + 1)
            let tab2 = after.index(of: ASCII.tab) ?? after.count
            return appLine(
                requestId: after.prefix(tab2), level: level, message: after.dropFirst(tab2 + 1), time: time ?? ts)
        }
        if level.equals("ERROR"), rest.count > 1, rest[0] == ASCII.space {
            // Unhandled exception: "Type: message\rTraceback ...".
            let body = rest.dropFirst(1)
            let lineEnd = body.index(of: ASCII.cr) ?? body.index(of: ASCII.lf) ?? body.count
            let first = body.prefix(lineEnd)
            let ev = make(.error)
            ev.time = time
            ev.status = .error
            if let c = first.index(of: ASCII.colon) {
                ev.errorType = first.prefix(c).trimmed().string
                ev.errorMessage = first.dropFirst(c + 1).trimmed().string
            } else {
                ev.errorType = first.trimmed().string
            }
            return .event(ev)
        }
        return nil
    }

    func appLine(requestId rid: ByteView, level: ByteView, message: ByteView, time: EpochMicros?) -> Result {
        // Errors the runtime logs for a failed invoke carry their type as JSON;
        // any other line is application output (most lines of a busy log).
        guard level.equals("ERROR") || level.equals("fail") || level.equals("crit") || level.equals("FATAL"),
            let brace = message.index(of: ASCII.leftBrace)
        else { return .appOutput }
        return errorObject(requestId: rid, json: message.dropFirst(brace), time: time, typeRequired: true)
    }

    /// `{"errorType":…,"errorMessage":…}` as the runtime logs a failed
    /// invoke; application output if it is not one.
    func errorObject(requestId rid: ByteView, json: ByteView, time: EpochMicros?, typeRequired: Bool) -> Result {
        var s = JSONScanner(json)
        guard let root = s.value(), root.kind == .object else { return .appOutput }
        var errorType: String?, errorMessage: String?
        s.forEachMember(root) { k, v in
            if s.key(k, is: "errorType"), v.kind == .string {
                errorType = s.string(v)
            } else if s.key(k, is: "errorMessage"), v.kind == .string {
                errorMessage = s.string(v)
            }
            return true
        }
        guard errorType != nil || (!typeRequired && errorMessage != nil) else { return .appOutput }
        let ev = make(.error)
        ev.time = time
        if ASCII.isUUID(rid) { ev.requestId = RequestId.lowercased(rid) }
        ev.errorType = errorType
        ev.errorMessage = errorMessage
        ev.status = .error
        return .event(ev)
    }

    // MARK: JSON format

    func json(_ m: ByteView, _ time: EpochMicros?, inLambdaGroup: Bool) -> Result {
        if let r = json(m, time, inLambdaGroup: inLambdaGroup, lenient: false) { return r }
        // Not JSON. A platform record is read leniently (the telemetry
        // reference's own example has a trailing comma), or rejected as one.
        if m.index(of: "\"platform.") != nil {
            return json(m, time, inLambdaGroup: inLambdaGroup, lenient: true)
                ?? .malformed("Lambda platform record is not valid JSON")
        }
        return inLambdaGroup ? .noise : .notLambda
    }

    /// nil if `m` is not one JSON object.
    func json(_ m: ByteView, _ time: EpochMicros?, inLambdaGroup: Bool, lenient: Bool) -> Result? {
        var scanner = JSONScanner(m, lenient: lenient)
        let s = scanner
        var type: JSONScanner.Value?, record: JSONScanner.Value?, jtime: JSONScanner.Value?
        var requestId: JSONScanner.Value?, errorType: JSONScanner.Value?, errorMessage: JSONScanner.Value?
        var timestamp: JSONScanner.Value?, level: JSONScanner.Value?
        var powertools = PowertoolsContext()
        let root = scanner.members { k, v in
            let key = s.raw(k)
            if key.equals("type") {
                type = v
            } else if key.equals("record") {
                record = v
            } else if key.equals("time") {
                jtime = v
            } else if key.equals("requestId") || key.equals("AWSRequestId") || key.equals("awsRequestId") {
                requestId = v
            } else if key.equals("errorType") {
                errorType = v
            } else if key.equals("errorMessage") {
                errorMessage = v
            } else if key.equals("timestamp") {
                timestamp = v
            } else if key.equals("level") || key.equals("log_level") {
                level = v
            } else {
                powertools.take(s, key, v)
            }
        }
        guard root != nil else { return nil }
        let when =
            jtime.flatMap { Timestamp.parseISO8601(s.raw($0)) } ?? timestamp.flatMap {
                Timestamp.parseISO8601(s.raw($0))
            } ?? time
        if let t = type, s.raw(t).hasPrefix("platform.") {
            return platform(s, typeName: s.raw(t).dropFirst(9), record: record, time: when)
        }
        if let ev = powertools.event(s, time: when, make: make) { return .event(ev) }
        // Application JSON line (Node/Python/Java/.NET) or a runtime error object.
        guard requestId != nil || errorType != nil || level != nil else { return inLambdaGroup ? .noise : .notLambda }
        let namesInvocation = requestId.map { $0.kind == .string && ASCII.isUUID(s.raw($0)) } ?? false
        guard let et = errorType, et.kind == .string else {
            // Outside a Lambda group, only a request id makes it a Lambda line.
            return namesInvocation || inLambdaGroup ? .appOutput : .notLambda
        }
        let ev = make(.error)
        ev.time = when
        if namesInvocation, let r = requestId { ev.requestId = RequestId.lowercased(s.raw(r)) }
        ev.status = .error
        ev.errorType = s.string(et)
        ev.errorMessage = errorMessage.map { s.string($0) }
        return .event(ev)
    }

    func platform(_ s: JSONScanner, typeName: ByteView, record: JSONScanner.Value?, time: EpochMicros?) -> Result {
        var ev: LambdaEvent
        if typeName.equals("start") {
            ev = make(.start)
        } else if typeName.equals("runtimeDone") {
            ev = make(.runtimeDone)
        } else if typeName.equals("report") {
            ev = make(.report)
        } else if typeName.equals("initStart") {
            ev = make(.initStart)
        } else if typeName.equals("initReport") {
            ev = make(.initReport)
        } else if typeName.equals("restoreStart") {
            ev = make(.restoreStart)
        } else if typeName.equals("restoreReport") {
            ev = make(.restoreReport)
        } else if typeName.equals("initRuntimeDone") || typeName.equals("restoreRuntimeDone")
            || typeName.equals("extension")
            || typeName.equals("telemetrySubscription") || typeName.equals("logsDropped")
        {
            return .appOutput
        } else {
            return .noise
        }
        ev.time = time
        guard let rec = record, rec.kind == .object else { return .event(ev) }
        var tooLong = false
        s.forEachMember(rec) { k, v in
            let key = s.raw(k)
            if key.equals("requestId"), v.kind == .string {
                // Lambda's request ids are 36 bytes: a longer one is not one.
                if v.end - v.start > 128 {
                    tooLong = true
                    return false
                }
                ev.requestId = RequestId.lowercased(s.raw(v))
            } else if key.equals("version"), v.kind == .string {
                ev.version = s.string(v)
            } else if key.equals("functionName"), v.kind == .string {
                ev.function = s.string(v)
            } else if key.equals("functionArn"), v.kind == .string {
                let arn = s.string(v)
                if let r = arn.range(of: ":function:") {
                    ev.function = String(arn[r.upperBound...].split(separator: ":").first ?? "")
                }
            } else if key.equals("status"), v.kind == .string {
                let st = s.raw(v)
                if st.equals("timeout") {
                    ev.status = .timeout
                } else if st.equals("error") || st.equals("failure") {
                    ev.status = .error
                } else if st.equals("success") {
                    ev.status = .success
                }
            } else if key.equals("errorType"), v.kind == .string {
                ev.errorType = s.string(v)
            } else if key.equals("metrics"), v.kind == .object {
                metrics(s, v, &ev)
            } else if key.equals("tracing"), v.kind == .object {
                s.forEachMember(v) { tk, tv in
                    if s.raw(tk).equals("value"), tv.kind == .string {
                        var buf = [UInt8]()
                        s.decode(tv, into: &buf)
                        buf.withUnsafeBytes { b in
                            ev.traceId = TraceId.parse(b)
                            if let p = b.index(of: "Parent="), p + 23 <= b.count {
                                ev.segmentId = ASCII.parseHex16(b.slice(p + 7, p + 23))
                            }
                            if let sm = b.index(of: "Sampled="), sm + 8 < b.count { ev.sampled = b[sm + 8] == 0x31 }
                        }
                    }
                    return true
                }
            } else if key.equals("spans"), v.kind == .array {
                s.forEachElement(v) { span in
                    var isOverhead = false
                    var d: Int64?
                    s.forEachMember(span) { sk, sv in
                        if s.raw(sk).equals("name") {
                            isOverhead = s.raw(sv).equals("runtimeOverhead")
                        } else if s.raw(sk).equals("durationMs"), sv.kind == .number {
                            d = s.raw(sv).parseFixed(scale: 3)
                        }
                        return true
                    }
                    if isOverhead, let d { ev.runtimeOverheadUs = d }
                    return true
                }
            }
            return true
        }
        if tooLong {
            recycle(ev)
            return .malformed("Lambda request id longer than 128 bytes")
        }
        return .event(ev)
    }

    func metrics(_ s: JSONScanner, _ v: JSONScanner.Value, _ ev: inout LambdaEvent) {
        s.forEachMember(v) { k, n in
            guard n.kind == .number else { return true }
            let key = s.raw(k), val = s.raw(n)
            if key.equals("durationMs") {
                ev.durationUs = val.parseFixed(scale: 3)
            } else if key.equals("billedDurationMs") {
                ev.billedDurationUs = val.parseFixed(scale: 3)
            } else if key.equals("memorySizeMB") {
                ev.memorySizeMB = val.parseInt()
            } else if key.equals("maxMemoryUsedMB") {
                ev.maxMemoryUsedMB = val.parseInt()
            } else if key.equals("initDurationMs") {
                ev.initDurationUs = val.parseFixed(scale: 3)
            } else if key.equals("restoreDurationMs") {
                ev.restoreDurationUs = val.parseFixed(scale: 3)
            } else if key.equals("billedRestoreDurationMs") {
                ev.billedRestoreDurationUs = val.parseFixed(scale: 3)
            }
            return true
        }
    }
}
