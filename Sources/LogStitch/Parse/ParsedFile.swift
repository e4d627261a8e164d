/// Everything the parsers took out of one input file.
public struct ParsedFile: Sendable {
    public var requests: [ApiGatewayRequest] = []
    public var lambdaEvents: [LambdaEvent] = []
    public var queries: [SlowQuery] = []
    /// PostgreSQL `DETAIL:  parameters:` events whose statement was not in the file.
    public var orphanParameters = 0

    public init() {}
}

/// A record first counted as parsed, found bad only when a later line showed
/// its entry incomplete (raw MySQL slow logs come a line at a time).
public struct LateReject {
    public var line: Int
    /// What the record was counted as; nil if it was counted as ignored
    /// (the first line of a multi-line object, whose verdict was pending).
    public var kind: SourceKind?
    public var reason: String
}

/// Parser options from the command line.
public struct ParseOptions: Sendable {
    public var apiGatewayTemplates: [ApiGatewayTemplate] = []
    public var postgresPrefix: String = PostgresLogParser.rdsPrefix
    /// `--pg-timezone`: how PostgreSQL's zone abbreviations are read.
    public var postgresTimeZone = PostgresTimeZone()
    /// `--db-instance`: instances of downloaded slow logs by path.
    public var dbInstances = DBInstanceMap()
    public init() {}
}
