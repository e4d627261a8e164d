/// The log group and stream records came from: named by a subscription
/// envelope, or inferred from the file's path. One object serves all the
/// records of a file or envelope, and the Lambda events parsed from them: a
/// record carries one reference instead of two strings (two retains and
/// releases per record, millions of records a run), and the spill writer
/// tells a repeated source by identity instead of comparing strings.
public final class LogSource: @unchecked Sendable {
    public let logGroup: String?
    public let logStream: String?
    /// The AWS account the logs belong to, where they say it (a CloudWatch
    /// subscription envelope's `owner`).
    public let owner: String?

    public init(logGroup: String?, logStream: String?, owner: String? = nil) {
        self.logGroup = logGroup
        self.logStream = logStream
        self.owner = owner
    }

    /// Whether this source names exactly `group`, `stream` and `owner`.
    func names(_ group: String?, _ stream: String?, _ owner: String? = nil) -> Bool {
        logGroup == group && logStream == stream && self.owner == owner
    }
}
