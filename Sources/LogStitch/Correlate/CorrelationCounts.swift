/// How the joins went, for summary.json's `lambda` and `correlation`
/// sections: counted over the entities a block owns, added up over blocks.
public struct CorrelationCounts: Sendable {
    public var requests = 0
    public var requestsJoinedByRequestId = 0
    public var requestsJoinedByTraceId = 0
    public var requestsJoinedByCorrelationId = 0
    public var requestsWithoutInvocation = 0
    public var invocations = 0
    public var unknownFunctionInvocations = 0
    public var invocationsWithoutRequest = 0
    public var queries = 0
    public var queriesByTraceComment = 0
    public var queriesByRequestComment = 0
    public var queriesByTime = 0
    public var queriesUnattributed = 0
    /// Requests or lone invocations with no usable time: no segment documents.
    public var tracesWithoutTime = 0
    /// Traces X-Ray would refuse by the age of their trace id (`XRayAgeLimit`).
    public var tracesTooOldForXRay = 0
    public var tracesAheadOfXRay = 0
    /// Their segment documents (counted as they are written).
    public var documentsTooOldForXRay = 0
    public var documentsAheadOfXRay = 0

    public init() {}

    public mutating func add(_ model: TraceModel, _ ownership: Ownership, age: XRayAgeLimit? = nil) {
        // By index: iterating the arrays by value would copy (retain and
        // release) every record.
        for i in model.requests.indices where ownership.owns(model.requests[i].start) {
            requests += 1
            if !SegmentDocumentWriter.placeable(model.requests[i].start) {
                tracesWithoutTime += 1
            } else {
                countAge(model.requests[i].traceId, age)
            }
            switch model.requests[i].join {
            case .requestId: requestsJoinedByRequestId += 1
            case .traceId: requestsJoinedByTraceId += 1
            case .correlationId: requestsJoinedByCorrelationId += 1
            case .none: requestsWithoutInvocation += 1
            }
        }
        for i in model.invocations.indices where ownership.owns(model.invocations[i].start) {
            invocations += 1
            if model.invocations[i].unknownFunction { unknownFunctionInvocations += 1 }
            if model.invocations[i].request == nil {
                invocationsWithoutRequest += 1
                if !SegmentDocumentWriter.placeable(model.invocations[i].start) {
                    tracesWithoutTime += 1
                } else {
                    countAge(model.invocations[i].traceId, age)
                }
            }
        }
        for i in model.queries.indices where ownership.owns(model.queries[i].end) {
            queries += 1
            switch model.queries[i].attribution {
            case .traceComment: queriesByTraceComment += 1
            case .requestComment: queriesByRequestComment += 1
            case .time: queriesByTime += 1
            case .none: queriesUnattributed += 1
            }
        }
    }

    mutating func countAge(_ trace: TraceId, _ age: XRayAgeLimit?) {
        switch age?.verdict(trace) {
        case .tooOld?: tracesTooOldForXRay += 1
        case .ahead?: tracesAheadOfXRay += 1
        default: break
        }
    }

    public mutating func merge(_ o: CorrelationCounts) {
        tracesTooOldForXRay += o.tracesTooOldForXRay
        tracesAheadOfXRay += o.tracesAheadOfXRay
        documentsTooOldForXRay += o.documentsTooOldForXRay
        documentsAheadOfXRay += o.documentsAheadOfXRay
        requests += o.requests
        requestsJoinedByRequestId += o.requestsJoinedByRequestId
        requestsJoinedByTraceId += o.requestsJoinedByTraceId
        requestsWithoutInvocation += o.requestsWithoutInvocation
        requestsJoinedByCorrelationId += o.requestsJoinedByCorrelationId
        invocations += o.invocations
        unknownFunctionInvocations += o.unknownFunctionInvocations
        invocationsWithoutRequest += o.invocationsWithoutRequest
        queries += o.queries
        queriesByTraceComment += o.queriesByTraceComment
        queriesByRequestComment += o.queriesByRequestComment
        queriesByTime += o.queriesByTime
        queriesUnattributed += o.queriesUnattributed
        tracesWithoutTime += o.tracesWithoutTime
    }

    /// summary.json's `correlation` section, in its documented order.
    public var named: [(String, Int)] {
        [
            ("requests", requests), ("requests_joined_by_request_id", requestsJoinedByRequestId),
            ("requests_joined_by_trace_id", requestsJoinedByTraceId),
            ("requests_joined_by_correlation_id", requestsJoinedByCorrelationId),
            ("requests_without_invocation", requestsWithoutInvocation),
            ("invocations_without_request", invocationsWithoutRequest), ("queries", queries),
            ("queries_attributed_by_trace_comment", queriesByTraceComment),
            ("queries_attributed_by_request_comment", queriesByRequestComment),
            ("queries_attributed_by_time", queriesByTime), ("queries_unattributed", queriesUnattributed),
            ("traces_without_time", tracesWithoutTime), ("traces_too_old_for_xray", tracesTooOldForXRay),
            ("traces_ahead_of_xray", tracesAheadOfXRay), ("documents_too_old_for_xray", documentsTooOldForXRay),
            ("documents_ahead_of_xray", documentsAheadOfXRay),
        ]
    }
}
