/// One log record as the input layer hands it to the parsers: where it came
/// from, the event metadata the framing knew, and its message bytes.
///
/// `message` points into a reusable buffer and is valid only during the
/// callback that receives the record; parsers copy what they keep.
public struct LogRecord {
    /// Index of the input file in the run's sorted file list.
    public var file: Int
    /// 1-based physical line where the record starts in the decompressed file.
    public var line: Int
    /// Event timestamp from the framing (CloudWatch export prefix or envelope), if any.
    public var timestamp: EpochMicros?
    /// Log group and stream from the envelope, or inferred from the file path.
    public var source: LogSource
    public var message: ByteView

    public var logGroup: String? { source.logGroup }
    public var logStream: String? { source.logStream }

    public init(file: Int, line: Int, timestamp: EpochMicros?, source: LogSource, message: ByteView) {
        self.file = file
        self.line = line
        self.timestamp = timestamp
        self.source = source
        self.message = message
    }

    public init(file: Int, line: Int, timestamp: EpochMicros?, logGroup: String?, logStream: String?, message: ByteView)
    {
        self.init(
            file: file, line: line, timestamp: timestamp, source: LogSource(logGroup: logGroup, logStream: logStream),
            message: message)
    }
}

/// What became of a record. Every record gets exactly one outcome, so the
/// counts in summary.json add up: parsed + ignored + rejected = seen.
public enum RecordOutcome: Equatable {
    case parsed(SourceKind)
    case ignored
    case rejected(String)
}

/// The sources logstitch understands.
public enum SourceKind: Int, CaseIterable, Sendable, Comparable {
    case apiGateway, lambda, mysql, postgresql

    public var name: String {
        switch self {
        case .apiGateway: return "apigateway"
        case .lambda: return "lambda"
        case .mysql: return "mysql"
        case .postgresql: return "postgresql"
        }
    }

    public static func < (a: SourceKind, b: SourceKind) -> Bool { a.rawValue < b.rawValue }
}

/// Receives the records of one file, in file order.
public protocol RecordConsumer {
    /// Called when a file starts, with its path-derived log group and stream.
    mutating func beginFile(_ file: InputFile)
    mutating func consume(_ record: LogRecord) -> RecordOutcome
    /// Called after the last record of the file (also after damage).
    mutating func endFile()
    /// Records counted as parsed that later lines showed to be incomplete.
    mutating func takeLateRejects() -> [LateReject]
}

extension RecordConsumer {
    public mutating func takeLateRejects() -> [LateReject] { [] }
}
