import Foundation

/// How old (or how far ahead) a trace id X-Ray and its exporters take.
/// X-Ray keeps traces for 30 days and has refused older trace-id epochs as
/// `InvalidTraceId`; the OpenTelemetry Collector's awsxray exporter drops
/// spans whose trace-id epoch is more than 28 days old or 5 minutes ahead
/// (shared reference xray-spec.md §1, [S3][S8]). A backfill of older logs
/// converts fine but uploads nothing; these figures say so.
public struct XRayAgeLimit: Sendable {
    public static let maxAgeMicros: Int64 = 30 * 86_400 * 1_000_000
    public static let maxAheadMicros: Int64 = 5 * 60 * 1_000_000
    /// The moment ages are measured from: now, or `--now`.
    public var now: EpochMicros

    public init(now: EpochMicros = Int64(Date().timeIntervalSince1970 * 1_000_000)) { self.now = now }

    public enum Verdict { case accepted, tooOld, ahead }

    /// By the trace id's epoch second, as X-Ray reads it.
    public func verdict(_ trace: TraceId) -> Verdict {
        let t = Int64(trace.epoch) * 1_000_000
        if t < now - Self.maxAgeMicros { return .tooOld }
        if t > now + Self.maxAheadMicros { return .ahead }
        return .accepted
    }

    /// `--now`: epoch seconds, or an ISO-8601 time (`2026-11-24T03:00:00Z`).
    public static func parseNow(_ text: String) -> EpochMicros? {
        if let s = Double(text), s.isFinite, abs(s) < 1e11 { return Int64(s * 1_000_000) }
        return text.withUTF8Bytes { Timestamp.parseISO8601Prefix(UnsafeRawBufferPointer($0))?.0 }
    }
}
