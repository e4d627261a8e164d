import Foundation

/// `logstitch convert`, start to end: find the inputs, read and parse them
/// in parallel, correlate, and write every output atomically.
public enum ConvertJob {
    public static let version = "0.1.0"

    public struct Result {
        public var status: ExitStatus
        public var summaryLine: String
        public var summary: RunSummary
    }

    public static func run(_ options: ConvertOptions) throws -> Result {
        let started = ContinuousClock.now
        let files = try InputDiscovery.expand(options.inputs)
        let output = try OutputDirectory(path: options.outputDirectory)
        let scheduler = FileScheduler(files: files, progress: options.progress)
        try scheduler.run(jobs: options.jobs, limits: options.limits, parse: options.parse)
        let reports = scheduler.reports.map { $0! }
        let parsed = scheduler.parsed.map { $0! }
        PhaseTimer.mark("read+parse")

        let model = Correlator(options: options.correlate).correlate(parsed, files: files)
        PhaseTimer.mark("correlate")
        let elapsed = ContinuousClock.now - started
        var summary = RunSummary(files: reports, wallTimeMicros: Int64(elapsed.seconds * 1_000_000))
        summary.invocations = model.invocations.count
        summary.unknownFunctionInvocations = model.invocations.filter { $0.invocation.function == "unknown" }.count
        summary.extra = model.statistics

        do {
            let emitter = ReportEmitter(model: model, options: options.correlate)
            // --compress: .ndjson.gz / .csv.gz for jobs that keep their outputs.
            func stage(_ name: String, _ bytes: [UInt8]) throws {
                if options.compress { try output.stage(name + ".gz", GzipWriter.compress(bytes)) }
                else { try output.stage(name, bytes) }
            }
            try stage("segments.ndjson", emitter.segmentsNDJSON())
            try stage("requests.csv", emitter.requestsCSV())
            try stage("routes.csv", emitter.routesCSV())
            try stage("functions.csv", emitter.functionsCSV())
            try stage("queries.csv", emitter.queriesCSV())
            try output.stage("rejects.csv", summary.rejectsCSV())
            try output.stage("summary.json", summary.json(version: version))
            PhaseTimer.mark("emit")
            try output.commit()
            PhaseTimer.mark("commit")
        } catch {
            output.discard()
            throw error
        }
        let status: ExitStatus = summary.hasProblems ? .partial : .success
        let line = "logstitch: \(files.count) files, \(summary.totalSeen) records: \(summary.totalParsed) parsed, "
            + "\(summary.totalIgnored) ignored, \(summary.totalRejected) rejected"
            + (summary.filesWithErrors > 0 ? ", \(summary.filesWithErrors) damaged files" : "")
            + "; \(model.requests.count) requests, \(model.invocations.count) invocations, \(model.queries.count) queries"
            + " → \(options.outputDirectory)"
        return Result(status: status, summaryLine: line, summary: summary)
    }
}

/// `LOGSTITCH_TIMING=1` prints how long each phase took, on standard error.
enum PhaseTimer {
    nonisolated(unsafe) static var last = ContinuousClock.now
    static let enabled = ProcessInfo.processInfo.environment["LOGSTITCH_TIMING"] != nil

    static func mark(_ phase: String) {
        guard enabled else { return }
        let now = ContinuousClock.now
        FileHandle.standardError.write("timing: \(phase) \(now - last)\n".data(using: .utf8)!)
        last = now
    }
}
