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
    public var file: Int = 0
    public var line: Int = 0
    var startValue = LambdaEvent.absent
    var endValue = LambdaEvent.absent
    var initDurationValue = LambdaEvent.absent
    var restoreDurationValue = LambdaEvent.absent
    var billedRestoreDurationValue = LambdaEvent.absent
    var durationValue = LambdaEvent.absent
    var billedDurationValue = LambdaEvent.absent
    var memorySizeValue = LambdaEvent.absent
    var maxMemoryUsedValue = LambdaEvent.absent
    var runtimeOverheadValue = LambdaEvent.absent
    var segmentIdValue: UInt64 = 0

    /// START time (or REPORT time − duration when START is missing).
    public var start: EpochMicros? {
        @inline(__always) get { LambdaEvent.optional(startValue) }
        @inline(__always) set { startValue = newValue ?? LambdaEvent.absent }
    }
    /// REPORT (or END) time.
    public var end: EpochMicros? {
        @inline(__always) get { LambdaEvent.optional(endValue) }
        @inline(__always) set { endValue = newValue ?? LambdaEvent.absent }
    }
    public var initDurationUs: Int64? {
        @inline(__always) get { LambdaEvent.optional(initDurationValue) }
        @inline(__always) set { initDurationValue = newValue ?? LambdaEvent.absent }
    }
    public var restoreDurationUs: Int64? {
        @inline(__always) get { LambdaEvent.optional(restoreDurationValue) }
        @inline(__always) set { restoreDurationValue = newValue ?? LambdaEvent.absent }
    }
    public var billedRestoreDurationUs: Int64? {
        @inline(__always) get { LambdaEvent.optional(billedRestoreDurationValue) }
        @inline(__always) set { billedRestoreDurationValue = newValue ?? LambdaEvent.absent }
    }
    public var durationUs: Int64? {
        @inline(__always) get { LambdaEvent.optional(durationValue) }
        @inline(__always) set { durationValue = newValue ?? LambdaEvent.absent }
    }
    public var billedDurationUs: Int64? {
        @inline(__always) get { LambdaEvent.optional(billedDurationValue) }
        @inline(__always) set { billedDurationValue = newValue ?? LambdaEvent.absent }
    }
    public var memorySizeMB: Int64? {
        @inline(__always) get { LambdaEvent.optional(memorySizeValue) }
        @inline(__always) set { memorySizeValue = newValue ?? LambdaEvent.absent }
    }
    public var maxMemoryUsedMB: Int64? {
        @inline(__always) get { LambdaEvent.optional(maxMemoryUsedValue) }
        @inline(__always) set { maxMemoryUsedValue = newValue ?? LambdaEvent.absent }
    }
    /// Runtime-reported spans from JSON logs (e.g. responseLatency, runtimeOverhead), in µs.
    public var runtimeOverheadUs: Int64? {
        @inline(__always) get { LambdaEvent.optional(runtimeOverheadValue) }
        @inline(__always) set { runtimeOverheadValue = newValue ?? LambdaEvent.absent }
    }
    /// The 16 hex digits of the segment id a REPORT or `tracing` record
    /// names, as a number (kept with the invocation; no output writes it).
    public var segmentId: UInt64? {
        @inline(__always) get { hasSegmentId ? segmentIdValue : nil }
        @inline(__always) set { hasSegmentId = newValue != nil; segmentIdValue = newValue ?? 0 }
    }

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
    // Stored compactly: a window holds tens of thousands of events, and
    // assembling them reads each one, so every cache line an event spans
    // is a miss. Optional numbers are kept as Int64 with `absent` for nil
    // (an `Int64?` takes 16 bytes), the one-byte fields side by side, and
    // the fields few events have in `Rare`.
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
    var timeValue = absent
    var initDurationValue = absent
    var restoreDurationValue = absent
    var billedRestoreDurationValue = absent
    var durationValue = absent
    var billedDurationValue = absent
    var memorySizeValue = absent
    var maxMemoryUsedValue = absent
    var segmentIdValue: UInt64 = 0
    var rare: Rare?

    /// What no Lambda log states as a number (the least Int64): stands for nil.
    static let absent = Int64.min

    /// Fields of error lines and JSON platform records.
    final class Rare {
        var function: String?
        var errorType: String?
        var errorMessage: String?
        var runtimeOverheadUs: Int64?
    }

    @inline(__always) static func optional(_ v: Int64) -> Int64? { v == absent ? nil : v }

    public var time: EpochMicros? {
        @inline(__always) get { Self.optional(timeValue) }
        @inline(__always) set { timeValue = newValue ?? Self.absent }
    }
    public var initDurationUs: Int64? {
        @inline(__always) get { Self.optional(initDurationValue) }
        @inline(__always) set { initDurationValue = newValue ?? Self.absent }
    }
    public var restoreDurationUs: Int64? {
        @inline(__always) get { Self.optional(restoreDurationValue) }
        @inline(__always) set { restoreDurationValue = newValue ?? Self.absent }
    }
    public var billedRestoreDurationUs: Int64? {
        @inline(__always) get { Self.optional(billedRestoreDurationValue) }
        @inline(__always) set { billedRestoreDurationValue = newValue ?? Self.absent }
    }
    public var durationUs: Int64? {
        @inline(__always) get { Self.optional(durationValue) }
        @inline(__always) set { durationValue = newValue ?? Self.absent }
    }
    public var billedDurationUs: Int64? {
        @inline(__always) get { Self.optional(billedDurationValue) }
        @inline(__always) set { billedDurationValue = newValue ?? Self.absent }
    }
    public var memorySizeMB: Int64? {
        @inline(__always) get { Self.optional(memorySizeValue) }
        @inline(__always) set { memorySizeValue = newValue ?? Self.absent }
    }
    public var maxMemoryUsedMB: Int64? {
        @inline(__always) get { Self.optional(maxMemoryUsedValue) }
        @inline(__always) set { maxMemoryUsedValue = newValue ?? Self.absent }
    }

    public var logGroup: String? {
        @inline(__always) get { source?.logGroup }
        set { source = LogSource(logGroup: newValue, logStream: logStream) }
    }
    public var logStream: String? {
        @inline(__always) get { source?.logStream }
        set { source = LogSource(logGroup: logGroup, logStream: newValue) }
    }

    /// The side object for a rare field, made when one is first set.
    var rareFields: Rare {
        if let r = rare { return r }
        let r = Rare()
        rare = r
        return r
    }

    public var function: String? {
        get { rare?.function } set { if newValue != nil || rare != nil { rareFields.function = newValue } }
    }
    public var errorType: String? {
        get { rare?.errorType } set { if newValue != nil || rare != nil { rareFields.errorType = newValue } }
    }
    public var errorMessage: String? {
        get { rare?.errorMessage } set { if newValue != nil || rare != nil { rareFields.errorMessage = newValue } }
    }
    /// The 16 hex digits of the segment id a REPORT or `tracing` record
    /// names, as a number (kept with the invocation; no output writes it).
    public var segmentId: UInt64? {
        @inline(__always) get { hasSegmentId ? segmentIdValue : nil }
        @inline(__always) set { hasSegmentId = newValue != nil; segmentIdValue = newValue ?? 0 }
    }
    public var runtimeOverheadUs: Int64? {
        get { rare?.runtimeOverheadUs } set { if newValue != nil || rare != nil { rareFields.runtimeOverheadUs = newValue } }
    }

    public init(kind: Kind) { self.kind = kind }

    /// As `init(kind:)` leaves it: every stored property back to its start.
    func reset(_ kind: Kind) {
        self.kind = kind
        status = nil; sampled = nil; hasSegmentId = false
        requestId = nil; source = nil; version = nil; traceId = nil
        file = 0; line = 0
        timeValue = Self.absent; initDurationValue = Self.absent; restoreDurationValue = Self.absent
        billedRestoreDurationValue = Self.absent; durationValue = Self.absent; billedDurationValue = Self.absent
        memorySizeValue = Self.absent; maxMemoryUsedValue = Self.absent
        segmentIdValue = 0
        rare = nil
    }
}
