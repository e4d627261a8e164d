import Foundation

/// Where a statement's text is: a String, or bytes in a spill read's buffer
/// (valid UTF-8: they were written from a String).
enum StatementText: @unchecked Sendable {
    case string(String)
    case spilled(Data, Range<Int>)
}

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
    /// The statement as logged. Statements read back from the spill keep
    /// their bytes where the spill read put them and make a String only
    /// when asked (a segment writes it, two ends tie): most statements of a
    /// slow log are only counted, and making one String each was a tenth
    /// of the correlation (PERFORMANCE.md, "statement text").
    public var text: String {
        get {
            switch storedText {
            case .string(let s): return s
            case .spilled(let data, let range):
                return data.withUnsafeBytes { String(decoding: $0[range], as: UTF8.self) }
            }
        }
        set { storedText = .string(newValue) }
    }
    var storedText = StatementText.string("")

    /// The statement's length in bytes, without making its String.
    public var textByteCount: Int {
        switch storedText {
        case .string(let s): return s.utf8.count
        case .spilled(_, let range): return range.count
        }
    }

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
