/// Each spilled record kind's fields, in the order its `encode` writes them,
/// with how each is laid out. The encoders and decoders in `SpillCodec.swift`
/// and the passes that read a few fields and step over the rest
/// (`SenderLearner`) are checked against these declarations by
/// `SpillLayoutTests`: a record skipped field by field by its layout must
/// end exactly where its encoding ends, and so must every partial reader.
/// Adding a field: its case here, its line in `encode` and `init(_:)`, and
/// the test tells whether any partial reader has fallen out of step.
enum SpillWire: Equatable {
    case int, optionalInt, bool, string, optionalString, repeated, requestId, trace, queryClass
}

protocol SpillLayout: CaseIterable {
    var wire: SpillWire { get }
}

enum ApiGatewayRequestLayout: SpillLayout {
    case requestId, extendedRequestId, apiId, stage, method, route, path, domainName, protocolName, status
    case responseLength, start, startResolution, responseLatencyMs, integrationLatencyMs, integrationRequestId
    case traceId, sourceIp, userAgent, errorMessage, accountId, file, line, eventType, connectionId
    case errorResponseType

    var wire: SpillWire {
        switch self {
        case .requestId, .integrationRequestId: return .requestId
        case .apiId, .stage, .domainName, .protocolName, .accountId: return .repeated
        case .extendedRequestId, .method, .route, .path, .sourceIp, .userAgent, .errorMessage, .eventType,
            .connectionId, .errorResponseType:
            return .optionalString
        case .status, .responseLength, .start, .responseLatencyMs, .integrationLatencyMs: return .optionalInt
        case .startResolution, .file, .line: return .int
        case .traceId: return .trace
        }
    }
}

enum LambdaEventLayout: SpillLayout {
    case kind, requestId, time, logGroup, logStream, owner, function, version, initDurationUs, restoreDurationUs
    case billedRestoreDurationUs, durationUs, billedDurationUs, memorySizeMB, maxMemoryUsedMB, status, errorType
    case errorMessage, traceId, segmentId, sampled, runtimeOverheadUs, file, line, coldStart, correlationId
    case functionArn

    var wire: SpillWire {
        switch self {
        case .kind, .file, .line: return .int
        case .requestId, .correlationId: return .requestId
        case .logGroup, .logStream, .owner, .function, .version: return .repeated
        case .time, .initDurationUs, .restoreDurationUs, .billedRestoreDurationUs, .durationUs, .billedDurationUs,
            .memorySizeMB, .maxMemoryUsedMB, .status, .segmentId, .runtimeOverheadUs:
            return .optionalInt
        case .errorType, .errorMessage, .functionArn: return .optionalString
        case .traceId: return .trace
        case .sampled, .coldStart: return .bool
        }
    }
}

enum SlowQueryLayout: SpillLayout {
    case engine, instance, database, user, clientHost, connectionId, end, endResolution, durationUs, lockTimeUs
    case rowsSent, rowsExamined, text, parameters, queryClass, traceId, requestId, file, line

    var wire: SpillWire {
        switch self {
        case .engine, .end, .endResolution, .durationUs, .file, .line: return .int
        case .instance, .database, .user, .clientHost: return .repeated
        case .connectionId, .lockTimeUs, .rowsSent, .rowsExamined: return .optionalInt
        case .text: return .string
        case .parameters: return .optionalString
        case .queryClass: return .queryClass
        case .traceId: return .trace
        case .requestId: return .requestId
        }
    }
}

extension SpillReader {
    /// Steps over one field laid out as `wire`.
    mutating func skip(_ wire: SpillWire) {
        switch wire {
        case .int: skipInt()
        case .optionalInt: skipOptionalInt()
        case .bool: _ = bool()
        case .string: skipString()
        case .optionalString: skipOptionalString()
        case .repeated: skipRepeated()
        case .requestId: skipRequestId()
        case .trace: skipOptionalTrace()
        case .queryClass: skipQueryClass()
        }
    }

    /// Steps over a whole record of layout `L` (after its tag).
    mutating func skipRecord<L: SpillLayout>(_: L.Type) {
        for field in L.allCases { skip(field.wire) }
    }
}
