import Foundation

/// The cheap first pass: which function sent each commented statement, from
/// the request ids and trace ids Lambda records carry, without assembling
/// invocations. A trace whose invocations belong to several functions
/// teaches nothing (which one ran the statement is not known yet).
///
/// It reads the spilled bytes of a block's buckets directly, one kind of
/// record at a time: the statements first (few; when none carries an id,
/// nothing else is read), then only the requests and Lambda events whose ids the
/// statements name (request ids are mostly UUIDs, read as two words: no
/// String is made for the millions of Lambda events of a day that are not
/// wanted).
enum SenderLearner {
    /// `spilled(kind)`: the spill files of that kind of record in the buckets around a block.
    static func learn(_ spilled: (SpillTag) -> [Data], ownsEnd: (EpochMicros) -> Bool) -> SenderIndex {
        var index = SenderIndex(declared: [:])
        // Senders are learnt from Lambda records: without any, nothing is.
        let lambdaEvents = spilled(.lambdaEvent)
        guard lambdaEvents.contains(where: { !$0.isEmpty }) else { return index }
        var queries: [(instance: String, user: String?, requestId: RequestId?, traceId: TraceId?)] = []
        // Looked up once per Lambda event of the block: cheap hashes, not SipHash.
        var wanted = RequestIdIndex(), wantedTraces = KeyIndex<TraceId>()
        SpillReader.forEachRecord(in: spilled(.query)) { r, tag in
            let q = r.commentedStatement()
            guard let q, q.requestId != nil || q.traceId != nil, ownsEnd(q.end) else { return }
            queries.append((q.instance, q.user, q.requestId, q.traceId))
            if let id = q.requestId { wanted[id] = 0 }
            if let t = q.traceId { wantedTraces[t] = 0 }
        }
        guard !queries.isEmpty else { return index }

        // API request id (as statements name it: lowercase) → its Lambda request id.
        var apiToLambda: [RequestId: RequestId] = [:]
        SpillReader.forEachRecord(in: spilled(.request)) { r, tag in
            let api = r.requestId() ?? ""
            r.skipRequestUpToIntegration()
            let integration = r.requestId()
            r.skipRequestRest()
            guard let integration else { return }
            let key = api.lowercasedIfNeeded ?? api
            guard wanted.contains(key) else { return }
            apiToLambda[key] = integration
            wanted[integration] = 0
        }

        // Final from here on: constants, which the per-event closure reads in
        // place (captured variables are boxed and their storage retained per use).
        let wantedIds = wanted, tracesWanted = wantedTraces
        var byRequest: [RequestId: String] = [:]
        var byTrace: [TraceId: String] = [:]
        var ambiguousTraces = Set<TraceId>()
        SpillReader.forEachRecord(in: lambdaEvents) { r, tag in
            let (id, groupBytes, streamBytes, functionBytes, trace) = r.lambdaSenderFields()
            guard let id else { return }
            let traceWanted = trace.map { tracesWanted.contains($0) } ?? false
            let requestId = id
            guard traceWanted || wantedIds.contains(requestId) else { return }
            let string = { (b: UnsafeRawBufferPointer?) in b.map { String(decoding: $0, as: UTF8.self) } }
            guard
                let f = string(functionBytes)
                    ?? InvocationAssembler.functionName(group: string(groupBytes), stream: string(streamBytes))
            else { return }
            byRequest[requestId] = f
            if let t = trace, traceWanted {
                if let g = byTrace[t], g != f { ambiguousTraces.insert(t) } else { byTrace[t] = f }
            }
        }

        for q in queries {
            var function: String?
            if let rid = q.requestId { function = byRequest[rid] ?? apiToLambda[rid].flatMap { byRequest[$0] } }
            if function == nil, let t = q.traceId, !ambiguousTraces.contains(t) { function = byTrace[t] }
            if let f = function { index.learn(instance: q.instance, user: q.user, function: f) }
        }
        return index
    }
}

// The partial readers below step over fields by position, for speed (the
// sender pass reads every Lambda event of a block); `SpillLayoutTests`
// checks each against its record's `SpillLayout`.
extension SpillReader {
    /// A Lambda event's request id, log group, stream, function and trace; the rest skipped.
    mutating func lambdaSenderFields() -> (
        requestId: RequestId?, group: UnsafeRawBufferPointer?, stream: UnsafeRawBufferPointer?,
        function: UnsafeRawBufferPointer?, trace: TraceId?
    ) {
        skipInt()  // kind
        let id = requestId()
        skipOptionalInt()  // time
        let groupBytes = repeatedRaw(.logGroup), streamBytes = repeatedRaw(.logStream)
        skipRepeated()  // owner
        let functionBytes = repeatedRaw(.function)
        skipRepeated()  // version
        for _ in 0..<8 { skipOptionalInt() }  // durations, memory, status
        skipOptionalString()
        skipOptionalString()  // error type, message
        let trace = optionalTrace()
        skipOptionalInt()
        _ = bool()
        skipOptionalInt()
        skipInt()
        skipInt()  // segment id, sampled, overhead, file, line
        _ = bool()
        skipRequestId()
        skipOptionalString()  // cold start, correlation id, function ARN
        return (id, groupBytes, streamBytes, functionBytes, trace)
    }

    /// After the request id: the fields before `integrationRequestId` (same order as `encode`).
    mutating func skipRequestUpToIntegration() {
        skipOptionalString()  // extendedRequestId
        skipRepeated()
        skipRepeated()  // apiId, stage
        skipOptionalString()
        skipOptionalString()
        skipOptionalString()  // method, route, path
        skipRepeated()
        skipRepeated()  // domainName, protocolName
        skipOptionalInt()
        skipOptionalInt()
        skipOptionalInt()
        skipInt()
        skipOptionalInt()
        skipOptionalInt()
    }

    /// After `integrationRequestId`: the rest of a request.
    mutating func skipRequestRest() {
        skipOptionalTrace()
        for _ in 0..<3 { skipOptionalString() }  // sourceIp, userAgent, errorMessage
        skipRepeated()  // accountId
        skipInt()
        skipInt()  // file, line
        skipOptionalString()
        skipOptionalString()  // eventType, connectionId
        skipOptionalString()  // errorResponseType
    }

    /// A statement's instance, user, end and comment keys; the rest skipped.
    mutating func commentedStatement() -> (
        instance: String, user: String?, end: EpochMicros, requestId: RequestId?, traceId: TraceId?
    )? {
        skipInt()
        let instance = repeatedRaw(.instance) ?? UnsafeRawBufferPointer(start: nil, count: 0)
        _ = repeatedRaw(.database)
        let user = repeatedRaw(.user)
        _ = repeatedRaw(.clientHost)
        skipOptionalInt()
        let end = int()
        skipInt()
        skipInt()
        skipOptionalInt()
        skipOptionalInt()
        skipOptionalInt()
        skipString()
        skipOptionalString()
        skipQueryClass()  // text, parameters, class
        let trace = optionalTrace()
        let requestId = self.requestId()
        skipInt()
        skipInt()
        guard requestId != nil || trace != nil else { return nil }
        return (
            String(decoding: instance, as: UTF8.self), user.map { String(decoding: $0, as: UTF8.self) }, end, requestId,
            trace
        )
    }
}
