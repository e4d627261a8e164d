public enum DatabaseEngine: String, Sendable, Comparable {
    case mysql = "MySQL"
    case postgresql = "PostgreSQL"
    public static func < (a: DatabaseEngine, b: DatabaseEngine) -> Bool { a.rawValue < b.rawValue }
}

/// What a statement's SQL comments say about the request that sent it.
public struct SQLCorrelationKeys: Sendable, Equatable {
    public var traceId: TraceId?
    /// A Lambda (or API Gateway) request id named in the comment.
    public var requestId: RequestId?

    public init() {}
    public var isEmpty: Bool { traceId == nil && requestId == nil }
}

/// One statement from a MySQL/MariaDB slow log or a PostgreSQL duration line.
public final class SlowQuery: @unchecked Sendable {
    public var engine: DatabaseEngine
    /// DB instance (or cluster) id, from the log group or path.
    public var instance: String = "unknown"
    public var database: String?
    public var user: String?
    public var clientHost: String?
    /// MySQL thread id or PostgreSQL backend pid.
    public var connectionId: Int64?
    /// When the statement finished, and how precise that is (1 µs MySQL, 1 s PostgreSQL).
    public var end: EpochMicros = 0
    public var endResolution: EpochMicros = 1
    public var durationUs: Int64 = 0
    public var lockTimeUs: Int64?
    public var rowsSent: Int64?
    public var rowsExamined: Int64?
    public var text: String = ""
    /// PostgreSQL `DETAIL:  parameters:` paired with the statement.
    public var parameters: String?
    /// The statement with its literals as `?`, for `sql.sanitized_query`:
    /// made when a segment writes it (only attributed statements get one),
    /// not for every statement read.
    public var sanitizedQuery: String { QueryFingerprint.sanitize(text, engine: engine) }
    public var fingerprint: String = ""
    public var fingerprintId: String = ""
    /// pt-query-digest's class id, where it differs from `fingerprintId`
    /// (a trailing comment: see `QueryFingerprint.queryClass`).
    public var ptChecksum: String?
    public var keys = SQLCorrelationKeys()
    public var file: Int = 0
    public var line: Int = 0

    public init(engine: DatabaseEngine) { self.engine = engine }

}
