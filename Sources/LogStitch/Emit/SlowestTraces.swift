/// The slowest traces of a run, with their segment documents, for the
/// report's waterfalls: kept while the documents are written (a block at a
/// time), so no pass over segments.ndjson is needed to find them.
public struct SlowestTraces: Sendable {
    public static let limit = 50

    public struct Trace: Sendable, Equatable {
        /// The request's latency, or a lone invocation's duration.
        public var durationUs: Int64
        public var traceId: String
        /// The trace's segment documents, one per line.
        public var documents: [UInt8]
    }

    /// Slowest first; ties by trace id, so the choice does not depend on
    /// which block a trace was in.
    public private(set) var traces: [Trace] = []

    public init() {}

    static func precedes(_ a: Trace, _ b: Trace) -> Bool {
        a.durationUs != b.durationUs ? a.durationUs > b.durationUs : a.traceId < b.traceId
    }

    /// Whether a trace this slow would be kept (checked before its
    /// documents are copied).
    public func admits(_ durationUs: Int64) -> Bool {
        traces.count < Self.limit || durationUs >= traces[traces.count - 1].durationUs
    }

    public mutating func add(_ t: Trace) {
        guard admits(t.durationUs) else { return }
        let at = traces.firstIndex { Self.precedes(t, $0) } ?? traces.count
        guard at < Self.limit else { return }
        traces.insert(t, at: at)
        if traces.count > Self.limit { traces.removeLast() }
    }

    public mutating func merge(_ o: SlowestTraces) { for t in o.traces { add(t) } }
}
