/// Outcome of one Lambda invocation as the platform reported it.
public enum InvocationStatus: String, Sendable {
    case success, error, timeout
}

/// One invocation of a function, assembled from START, END, REPORT (or their
/// JSON `platform.*` forms), init/restore lines and error lines.
public final class LambdaInvocation: @unchecked Sendable {
    // Stored compactly, as `LambdaEvent` is: correlation and each writer
    // visit every invocation, and each cache line it spans is a miss.
    public var status: InvocationStatus = .success
    public var sampled: Bool?
    public var sawReport = false
    public var sawStart = false
    var hasSegmentId = false
    public var function: String = "unknown"
    public var requestId: RequestId = ""
    public var version: String?
    public var errorType: String?
    public var errorMessage: String?
    public var traceId: TraceId?
    public var logGroup: String?
    public var logStream: String?
    /// The account its logs name (a subscription envelope's `owner`).
    public var account: String?
    /// The function's ARN, where its logs name it (Powertools' `function_arn`).
    public var functionArn: String?
    public var file: Int = 0
    public var line: Int = 0
    /// START time (or REPORT time − duration when START is missing).
    @Compact public var start: EpochMicros? = nil
    /// REPORT (or END) time.
    @Compact public var end: EpochMicros? = nil
    @Compact public var initDurationUs: Int64? = nil
    @Compact public var restoreDurationUs: Int64? = nil
    @Compact public var billedRestoreDurationUs: Int64? = nil
    @Compact public var durationUs: Int64? = nil
    @Compact public var billedDurationUs: Int64? = nil
    @Compact public var memorySizeMB: Int64? = nil
    @Compact public var maxMemoryUsedMB: Int64? = nil
    /// Runtime-reported spans from JSON logs (e.g. responseLatency, runtimeOverhead), in µs.
    @Compact public var runtimeOverheadUs: Int64? = nil
    var segmentIdValue: UInt64 = 0

    /// The 16 hex digits of the segment id a REPORT or `tracing` record
    /// names, as a number (kept with the invocation; no output writes it).
    public var segmentId: UInt64? {
        @inline(__always) get { hasSegmentId ? segmentIdValue : nil }
        @inline(__always) set {
            hasSegmentId = newValue != nil
            segmentIdValue = newValue ?? 0
        }
    }

    public init() {}

    /// The caller's request id from Powertools' `correlation_id` (API
    /// Gateway's, for a request whose access log names no integration id).
    public var apiRequestId: RequestId?
    /// Powertools' `cold_start`, for environments whose REPORT is missing.
    public var loggedColdStart = false

    public var coldStart: Bool { initDurationUs != nil || restoreDurationUs != nil || loggedColdStart }
}

/// A Lambda log record reduced to what it says about an invocation. Records
/// for one invocation can sit in different files, so they are merged later
/// by request id (or, lacking one, by log stream and time).
public final class LambdaEvent: @unchecked Sendable {
    public enum Kind: Sendable, Equatable {
        case start, end, report, runtimeDone, initStart, initReport, restoreStart, restoreReport, timeout, error
        /// A structured app-log line's context (Powertools): ids, not a phase.
        case context

        /// Order among events with the same timestamp: the life cycle's order.
        var rank: Int {
            switch self {
            case .initStart: return 0
            case .initReport: return 1
            case .restoreStart: return 2
            case .restoreReport: return 3
            case .start: return 4
            case .context: return 5
            case .error: return 7
            case .timeout: return 8
            case .runtimeDone: return 9
            case .end: return 10
            case .report: return 11
            }
        }
    }
    // Stored compactly: a window holds tens of thousands of events, and
    // assembling them reads each one, so every cache line an event spans
    // is a miss. Optional numbers are `Compact` (8 bytes, not 16), the
    // one-byte fields side by side, and the fields few events have in `Rare`.
    public var kind: Kind
    public var status: InvocationStatus?
    public var sampled: Bool?
    var hasSegmentId = false
    public var requestId: RequestId?
    /// The log group and stream, shared with the record's other events.
    public var source: LogSource?
    public var version: String?
    public var traceId: TraceId?
    public var file: Int = 0
    public var line: Int = 0
    @Compact public var time: EpochMicros? = nil
    @Compact public var initDurationUs: Int64? = nil
    @Compact public var restoreDurationUs: Int64? = nil
    @Compact public var billedRestoreDurationUs: Int64? = nil
    @Compact public var durationUs: Int64? = nil
    @Compact public var billedDurationUs: Int64? = nil
    @Compact public var memorySizeMB: Int64? = nil
    @Compact public var maxMemoryUsedMB: Int64? = nil
    var segmentIdValue: UInt64 = 0
    var rare: Rare?

    /// Fields of error lines and JSON platform records.
    final class Rare {
        var function: String?
        var errorType: String?
        var errorMessage: String?
        var runtimeOverheadUs: Int64?
        var coldStart: Bool?
        var correlationId: RequestId?
        var functionArn: String?
    }

    public var logGroup: String? {
        @inline(__always) get { source?.logGroup }
        set { source = LogSource(logGroup: newValue, logStream: logStream, owner: source?.owner) }
    }
    public var logStream: String? {
        @inline(__always) get { source?.logStream }
        set { source = LogSource(logGroup: logGroup, logStream: newValue, owner: source?.owner) }
    }

    /// Sets a rare field; the side object is made only when a value needs it.
    @inline(__always) func setRare<T>(_ field: ReferenceWritableKeyPath<Rare, T?>, _ value: T?) {
        guard value != nil || rare != nil else { return }
        if rare == nil { rare = Rare() }
        rare![keyPath: field] = value
    }

    public var function: String? {
        get { rare?.function }
        set { setRare(\.function, newValue) }
    }
    public var errorType: String? {
        get { rare?.errorType }
        set { setRare(\.errorType, newValue) }
    }
    public var errorMessage: String? {
        get { rare?.errorMessage }
        set { setRare(\.errorMessage, newValue) }
    }
    /// The 16 hex digits of the segment id a REPORT or `tracing` record
    /// names, as a number (kept with the invocation; no output writes it).
    public var segmentId: UInt64? {
        @inline(__always) get { hasSegmentId ? segmentIdValue : nil }
        @inline(__always) set {
            hasSegmentId = newValue != nil
            segmentIdValue = newValue ?? 0
        }
    }
    public var runtimeOverheadUs: Int64? {
        get { rare?.runtimeOverheadUs }
        set { setRare(\.runtimeOverheadUs, newValue) }
    }
    /// Powertools' `cold_start`.
    public var coldStart: Bool? {
        get { rare?.coldStart }
        set { setRare(\.coldStart, newValue) }
    }
    /// Powertools' `correlation_id`: the caller's request id (API Gateway's).
    public var correlationId: RequestId? {
        get { rare?.correlationId }
        set { setRare(\.correlationId, newValue) }
    }
    /// Powertools' `function_arn`, without its qualifier (see `FunctionARN`).
    public var functionArn: String? {
        get { rare?.functionArn }
        set { setRare(\.functionArn, newValue) }
    }

    public init(kind: Kind) { self.kind = kind }

    /// Makes the event as `init(kind:)` leaves it, every stored property back
    /// to its start. `keepingSource` leaves its source: the
    /// record parser sets the source of every event it takes (mostly to the
    /// same object as the last), so the parser's spare event keeps it, which
    /// saves a release and a retain per event.
    func reset(_ kind: Kind, keepingSource: Bool = false) {
        self.kind = kind
        status = nil
        sampled = nil
        hasSegmentId = false
        requestId = nil
        version = nil
        traceId = nil
        if !keepingSource { source = nil }
        file = 0
        line = 0
        time = nil
        initDurationUs = nil
        restoreDurationUs = nil
        billedRestoreDurationUs = nil
        durationUs = nil
        billedDurationUs = nil
        memorySizeMB = nil
        maxMemoryUsedMB = nil
        segmentIdValue = 0
        rare = nil
    }
}
