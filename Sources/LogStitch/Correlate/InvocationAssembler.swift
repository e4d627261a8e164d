/// Merges Lambda events into invocations. Events of one invocation can sit in
/// different files hours apart, so nothing here depends on input order: each
/// field comes from a specific kind of event, and ties resolve to the
/// earliest (time, file, line).
struct InvocationAssembler {
    static func functionName(group: String?, stream: String?) -> String? {
        if let g = group, g.hasPrefix("/aws/lambda/") {
            let name = g.dropFirst("/aws/lambda/".count)
            if !name.isEmpty { return String(name) }
        }
        // Custom log group: stream YYYY/MM/DD/<function>[<version>]<hex>.
        if let s = stream {
            let parts = s.split(separator: "/")
            if parts.count >= 4, let open = parts[3].firstIndex(of: "["), open > parts[3].startIndex {
                return String(parts[3][..<open])
            }
        }
        return nil
    }

    static func assemble(_ events: [LambdaEvent]) -> [LambdaInvocation] { assemble([events]) }

    /// The events of several parts (a window's buckets), read in place.
    static func assemble(_ parts: [[LambdaEvent]]) -> [LambdaInvocation] {
        // Stable processing order, whatever order the files came in: by time,
        // then by kind, then by where the record was. Small keys are sorted,
        // not the events (copying one retains all its strings).
        struct Key {
            var time: Int64
            var rank: Int32
            var part: Int32
            var file: Int
            var line: Int
            var index: Int
            var object: UnsafeRawPointer
        }
        var keys: [Key] = []
        let total = parts.reduce(0) { $0 + $1.count }
        keys.reserveCapacity(total)
        for p in parts.indices {
            // Read through unretained references: `parts` holds the events,
            // and a retain and release per event cost more than the reading.
            parts[p].withUnsafeBufferPointer { events in
                for i in events.indices {
                    unowned(unsafe) let e = events[i]
                    keys.append(
                        Key(
                            time: e.time ?? 0, rank: Int32(e.kind.rank), part: Int32(p), file: e.file,
                            line: e.line, index: i, object: UnsafeRawPointer(Unmanaged.passUnretained(e).toOpaque())))
                }
            }
        }
        keys.sort { ($0.time, $0.rank, $0.file, $0.line) < ($1.time, $1.rank, $1.file, $1.line) }
        var slot = RequestIdIndex(capacity: total / 3)
        var built: [LambdaInvocation] = []
        var loose: [LambdaEvent] = []
        for k in keys.indices {
            // Events are visited in time order, scattered over memory: the
            // one a few steps ahead is asked for now, so misses overlap.
            if k + Prefetch.distance < keys.count { Prefetch.object(at: keys[k + Prefetch.distance].object, lines: 4) }
            Unmanaged<LambdaEvent>.fromOpaque(keys[k].object)._withUnsafeGuaranteedRef { e in
                guard let id = e.requestId else {
                    loose.append(e)
                    return
                }
                if let k = slot[id] {
                    merge(e, into: &built[k])
                } else {
                    var n = LambdaInvocation()
                    n.requestId = id
                    n.file = e.file
                    n.line = e.line
                    merge(e, into: &n)
                    slot[id] = built.count
                    built.append(n)
                }
            }
        }
        var names = FunctionNames()
        for k in built.indices { finalize(&built[k], names: &names) }
        // Loose events change fields, never start times: one sort serves both.
        // Sorted in place: a sorted copy retains and releases every invocation.
        built.sort {
            let a = $0.start ?? 0, b = $1.start ?? 0
            return a != b ? a < b : $0.requestId < $1.requestId
        }
        attachLoose(loose, to: &built)
        return built
    }

    /// Function names from log groups, worked out once per `/aws/lambda/…` group.
    struct FunctionNames {
        var byGroup: [String: String] = [:]
        /// The last group's answer: invocations in a row are mostly of one
        /// group, whose string they share (comparing it is then one word,
        /// where hashing it went over every byte).
        var last: (group: String, name: String)?

        mutating func name(group: String?, stream: String?) -> String? {
            if let g = group, let last, last.group == g { return last.name }
            guard let g = group, g.hasPrefix("/aws/lambda/") else { return functionName(group: group, stream: stream) }
            if let known = byGroup[g] {
                last = (g, known)
                return known
            }
            guard let n = functionName(group: g, stream: nil) else { return functionName(group: g, stream: stream) }
            byGroup[g] = n
            last = (g, n)
            return n
        }
    }

    static func merge(_ e: borrowing LambdaEvent, into inv: inout LambdaInvocation) {
        if inv.logGroup == nil { inv.logGroup = e.logGroup }
        if inv.logStream == nil { inv.logStream = e.logStream }
        if let f = e.function, inv.function == "unknown" { inv.function = f }
        if inv.account == nil, let o = e.source?.owner { inv.account = o }
        switch e.kind {
        case .start:
            if !inv.sawStart {
                inv.start = e.time
                inv.sawStart = true
            }
            if inv.version == nil { inv.version = e.version }
            if inv.traceId == nil { inv.traceId = e.traceId }
        case .report:
            inv.sawReport = true
            inv.durationUs = e.durationUs ?? inv.durationUs
            inv.billedDurationUs = e.billedDurationUs ?? inv.billedDurationUs
            inv.memorySizeMB = e.memorySizeMB ?? inv.memorySizeMB
            inv.maxMemoryUsedMB = e.maxMemoryUsedMB ?? inv.maxMemoryUsedMB
            inv.initDurationUs = e.initDurationUs ?? inv.initDurationUs
            inv.restoreDurationUs = e.restoreDurationUs ?? inv.restoreDurationUs
            inv.billedRestoreDurationUs = e.billedRestoreDurationUs ?? inv.billedRestoreDurationUs
            if let t = e.time { inv.end = t }
            if let s = e.status, s != .success { escalate(&inv, s) }
            if let t = e.errorType { inv.errorType = t }
            if let t = e.traceId {
                inv.traceId = t
                inv.segmentId = e.segmentId
                inv.sampled = e.sampled
            }
        case .runtimeDone:
            if let s = e.status, s != .success { escalate(&inv, s) }
            if inv.errorType == nil { inv.errorType = e.errorType }
            if inv.runtimeOverheadUs == nil { inv.runtimeOverheadUs = e.runtimeOverheadUs }
            if inv.traceId == nil { inv.traceId = e.traceId }
        case .end:
            if inv.end == nil { inv.end = e.time }
            if let s = e.status { escalate(&inv, s) }
            if inv.errorMessage == nil { inv.errorMessage = e.errorMessage }
            if e.status == .timeout, inv.errorType == nil { inv.errorType = e.errorType }
        case .timeout:
            escalate(&inv, .timeout)
            if inv.errorType == nil || inv.errorType == "Sandbox.Timedout" { inv.errorType = "Sandbox.Timedout" }
            if inv.errorMessage == nil { inv.errorMessage = e.errorMessage }
        case .error:
            escalate(&inv, .error)
            if inv.errorType == nil { inv.errorType = e.errorType }
            if inv.errorMessage == nil { inv.errorMessage = e.errorMessage }
        case .context:
            if inv.traceId == nil { inv.traceId = e.traceId }
            if inv.apiRequestId == nil { inv.apiRequestId = e.correlationId }
            if e.coldStart == true { inv.loggedColdStart = true }
            if inv.functionArn == nil { inv.functionArn = e.functionArn }
        case .initStart, .initReport, .restoreStart, .restoreReport:
            break
        }
    }

    /// error < timeout: a timeout is the more specific outcome.
    static func escalate(_ inv: inout LambdaInvocation, _ s: InvocationStatus) {
        if s == .timeout || (s == .error && inv.status == .success) { inv.status = s }
    }

    static func finalize(_ inv: inout LambdaInvocation, names: inout FunctionNames) {
        if inv.function == "unknown", let f = names.name(group: inv.logGroup, stream: inv.logStream) {
            inv.function = f
        }
        if inv.start == nil, let end = inv.end, let d = inv.durationUs { inv.start = end - d }
        if let s = inv.start, let d = inv.durationUs { inv.end = max(inv.end ?? 0, s + d) }
        if inv.end == nil { inv.end = inv.start }
    }

    /// Events with no request id: init and restore phases belong to the next
    /// invocation in the same log stream (execution environment); unhandled
    /// error lines to the invocation running in that stream at the time.
    static func attachLoose(_ events: [LambdaEvent], to invocations: inout [LambdaInvocation]) {
        guard !events.isEmpty else { return }
        // Only the streams the loose events name are indexed.
        var streamGroup = StringIndex()
        for e in events { if let s = e.logStream, streamGroup[s] == nil { streamGroup[s] = streamGroup.count } }
        // Each stream's invocations in order, with their starts (nil as
        // .max) beside them, so the search below reads no invocation.
        var byStream = [[Int]](repeating: [], count: streamGroup.count)
        var startsByStream = [[Int64]](repeating: [], count: streamGroup.count)
        var ordered = [Bool](repeating: true, count: streamGroup.count)
        for i in invocations.indices {
            guard let s = invocations[i].logStream, let g = streamGroup[s] else { continue }
            let start = invocations[i].start ?? .max
            if let last = startsByStream[g].last, last > start { ordered[g] = false }
            byStream[g].append(i)
            startsByStream[g].append(start)
        }
        for e in events {
            guard let stream = e.logStream, let t = e.time, let g = streamGroup[stream] else { continue }
            let idx = byStream[g]
            switch e.kind {
            case .initStart, .initReport, .restoreStart, .restoreReport:
                // The stream's first invocation that starts at t or later:
                // a binary search where the starts ascend (they do but for
                // invocations without a start, which sort first as 0).
                let starts = startsByStream[g]
                let at =
                    ordered[g] ? starts.firstSortedIndex(where: { $0 >= t }) : starts.firstIndex(where: { $0 >= t })
                guard let k = at, k < idx.count else { continue }
                let i = idx[k]
                if let f = e.function, invocations[i].function == "unknown" { invocations[i].function = f }
                if e.kind == .restoreReport, invocations[i].restoreDurationUs == nil {
                    invocations[i].restoreDurationUs = e.restoreDurationUs
                }
                if e.kind == .initReport, invocations[i].initDurationUs == nil, invocations[i].restoreDurationUs == nil
                {
                    invocations[i].initDurationUs = e.initDurationUs
                }
            case .error:
                let running = idx.filter { (invocations[$0].start ?? .max) <= t && t <= (invocations[$0].end ?? .min) }
                guard running.count == 1 else { continue }
                let i = running[0]
                escalate(&invocations[i], .error)
                if invocations[i].errorType == nil { invocations[i].errorType = e.errorType }
                if invocations[i].errorMessage == nil { invocations[i].errorMessage = e.errorMessage }
            default:
                continue
            }
        }
    }
}
