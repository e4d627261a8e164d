/// Outcome of one Lambda invocation as the platform reported it.
public enum InvocationStatus: String, Sendable {
    case success, error, timeout
}

/// One invocation of a function, assembled from START, END, REPORT (or their
/// JSON `platform.*` forms), init/restore lines and error lines.
public final class LambdaInvocation: @unchecked Sendable {
    public var function: String = "unknown"
    public var requestId: RequestId = ""
    public var version: String?
    /// START time (or REPORT time − duration when START is missing).
    public var start: EpochMicros?
    /// REPORT (or END) time.
    public var end: EpochMicros?
    public var initDurationUs: Int64?
    public var restoreDurationUs: Int64?
    public var billedRestoreDurationUs: Int64?
    public var durationUs: Int64?
    public var billedDurationUs: Int64?
    public var memorySizeMB: Int64?
    public var maxMemoryUsedMB: Int64?
    public var status: InvocationStatus = .success
    public var errorType: String?
    public var errorMessage: String?
    public var traceId: TraceId?
    /// The 16 hex digits of the segment id a REPORT or `tracing` record
    /// names, as a number (kept with the invocation; no output writes it).
    public var segmentId: UInt64?
    public var sampled: Bool?
    public var logGroup: String?
    public var logStream: String?
    /// Runtime-reported spans from JSON logs (e.g. responseLatency, runtimeOverhead), in µs.
    public var runtimeOverheadUs: Int64?
    public var sawReport = false
    public var sawStart = false
    public var file: Int = 0
    public var line: Int = 0

    public init() {}

    public var coldStart: Bool { initDurationUs != nil || restoreDurationUs != nil }
}

/// A Lambda log record reduced to what it says about an invocation. Records
/// for one invocation can sit in different files, so they are merged later
/// by request id (or, lacking one, by log stream and time).
public final class LambdaEvent: @unchecked Sendable {
    public enum Kind: Sendable, Equatable {
        case start, end, report, runtimeDone, initStart, initReport, restoreStart, restoreReport, timeout, error

        /// Order among events with the same timestamp: the life cycle's order.
        var rank: Int {
            switch self {
            case .initStart: return 0
            case .initReport: return 1
            case .restoreStart: return 2
            case .restoreReport: return 3
            case .start: return 4
            case .error: return 7
            case .timeout: return 8
            case .runtimeDone: return 9
            case .end: return 10
            case .report: return 11
            }
        }
    }
    public var kind: Kind
    public var requestId: RequestId?
    public var time: EpochMicros?
    public var logGroup: String?
    public var logStream: String?
    public var function: String?
    public var version: String?
    public var initDurationUs: Int64?
    public var restoreDurationUs: Int64?
    public var billedRestoreDurationUs: Int64?
    public var durationUs: Int64?
    public var billedDurationUs: Int64?
    public var memorySizeMB: Int64?
    public var maxMemoryUsedMB: Int64?
    public var status: InvocationStatus?
    public var errorType: String?
    public var errorMessage: String?
    public var traceId: TraceId?
    /// The 16 hex digits of the segment id a REPORT or `tracing` record
    /// names, as a number (kept with the invocation; no output writes it).
    public var segmentId: UInt64?
    public var sampled: Bool?
    public var runtimeOverheadUs: Int64?
    public var file: Int = 0
    public var line: Int = 0

    public init(kind: Kind) { self.kind = kind }
}
