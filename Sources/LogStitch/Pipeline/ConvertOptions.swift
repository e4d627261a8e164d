/// Everything `logstitch convert` was asked to do.
public struct ConvertOptions: Sendable {
    public var inputs: [String] = []
    public var outputDirectory = "./logstitch-out"
    public var parse = ParseOptions()
    public var limits = ReaderLimits()
    public var correlate = CorrelationOptions()
    /// Files read at once (decompression and parsing run per file).
    public var jobs = 2
    public var progress = false
    /// Write `.ndjson.gz` / `.csv.gz` instead of plain outputs.
    public var compress = false
    /// Also write the traces as OTLP/JSON (`traces.otlp.jsonl`).
    public var otlp = false
    /// Where spill files go (`--tmp-dir`); nil: the system temporary directory.
    public var temporaryDirectory: String?

    public init() {}
}

/// The run's outcome for the command line: the exit status cron jobs rely on.
public enum ExitStatus: Int32, Sendable {
    /// Every input was read and parsed.
    case success = 0
    /// A fatal error: nothing (new) was written.
    case fatal = 1
    /// Usage error: unknown flag, missing input, bad template.
    case usage = 2
    /// Outputs written, but some input was rejected (see rejects.csv).
    case partial = 3
}
