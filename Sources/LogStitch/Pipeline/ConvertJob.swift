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
        PhaseTimer.last = started
        PhaseTimer.lastCPU = PhaseTimer.processCPU()
        let files = try InputDiscovery.expand(options.inputs)
        let output = try OutputDirectory(path: options.outputDirectory)
        let store = try SpillStore(parent: options.temporaryDirectory)
        defer { store.remove() }
        do {
            // 1. Read and parse every file in parallel; records go to the spill by time.
            let scheduler = FileScheduler(files: files, progress: options.progress)
            try scheduler.run(jobs: options.jobs, limits: options.limits, parse: options.parse, spill: store)
            let reports = scheduler.reports.map { $0! }
            PhaseTimer.mark("read+parse (spilled \(store.bytesWritten / 1_000_000) MB)")

            // 2. Correlate window by window, streaming segments and request rows.
            // Compressed by the workers, block by block, joined into one gzip member.
            let segments = try output.openStream("segments.ndjson", compress: options.compress, partsFromWriters: true)
            let requests = try output.openStream("requests.csv", compress: options.compress, partsFromWriters: true)
            let otlp =
                options.otlp
                ? try output.openStream("traces.otlp.jsonl", compress: options.compress, partsFromWriters: true) : nil
            let totals = WindowedCorrelation(store: store, files: files, options: options).run(
                .init(segments: segments, requests: requests, otlp: otlp))
            if let failure = store.readFailure { throw failure }
            try segments.close()
            try requests.close()
            try otlp?.close()
            PhaseTimer.mark("correlate+emit")

            // 3. The reports that need every window, then the summary.
            let elapsed = ContinuousClock.now - started
            var summary = RunSummary(files: reports, wallTimeMicros: Int64(elapsed.seconds * 1_000_000))
            summary.invocations = totals.counts.invocations
            summary.unknownFunctionInvocations = totals.counts.unknownFunctionInvocations
            summary.extra = totals.counts.named
            try output.stage("routes.csv", totals.accumulator.routesCSV(), compress: options.compress)
            try output.stage("functions.csv", totals.accumulator.functionsCSV(), compress: options.compress)
            try output.stage("queries.csv", totals.accumulator.queriesCSV(), compress: options.compress)
            try output.stage("rejects.csv", summary.rejectsCSV())
            try output.stage("summary.json", summary.json(version: version))
            try output.stage(
                "report.html",
                HTMLReport(
                    summary: summary, totals: totals.accumulator, counts: totals.counts, slowest: totals.slowest
                ).bytes())
            try output.commit()
            PhaseTimer.mark("reports+commit")
            let status: ExitStatus = summary.hasProblems ? .partial : .success
            let line =
                "logstitch: \(files.count) files, \(summary.totalSeen) records: \(summary.totalParsed) parsed, "
                + "\(summary.totalIgnored) ignored, \(summary.totalRejected) rejected"
                + (summary.filesWithErrors > 0 ? ", \(summary.filesWithErrors) files unreadable (see rejects.csv)" : "")
                + "; \(totals.counts.requests) requests, \(totals.counts.invocations) invocations, \(totals.counts.queries) queries"
                + " → \(options.outputDirectory)"
            return Result(status: status, summaryLine: line, summary: summary)
        } catch {
            output.discard()
            throw error
        }
    }
}

/// `LOGSTITCH_TIMING=1` prints how long each phase took, on standard error.
enum PhaseTimer {
    nonisolated(unsafe) static var last = ContinuousClock.now
    nonisolated(unsafe) static var lastCPU = processCPU()
    static let enabled = ProcessInfo.processInfo.environment["LOGSTITCH_TIMING"] != nil

    /// Wall time, CPU time of the whole process (so how well the cores were
    /// used) and memory since the last mark.
    static func mark(_ phase: String) {
        guard enabled else { return }
        let now = ContinuousClock.now
        let cpu = processCPU()
        let line = "timing: \(phase) \(now - last), \(String(format: "%.2f", cpu - lastCPU)) cpu-s (\(memory()))\n"
        FileHandle.standardError.write(line.data(using: .utf8)!)
        last = now
        lastCPU = cpu
    }

    static func processCPU() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Resident memory now and at its peak so far, from /proc (Linux).
    static func memory() -> String {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else {
            return "memory unknown"
        }
        let fields = status.split(separator: "\n").filter { $0.hasPrefix("VmRSS") || $0.hasPrefix("VmHWM") }
        return fields.map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }.joined(
            separator: ", ")
    }

    /// CPU seconds of the calling thread, summed per step across threads, for
    /// finding out which part of a parallel phase costs what.
    nonisolated(unsafe) static var steps: [String: Double] = [:]
    static let stepLock = NSLock()

    @inline(__always) static func step<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        guard enabled else { return try body() }
        let t0 = threadCPU()
        defer {
            let dt = threadCPU() - t0
            stepLock.lock()
            steps[name, default: 0] += dt
            stepLock.unlock()
        }
        return try body()
    }

    static func threadCPU() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func reportSteps() {
        guard enabled else { return }
        for (k, v) in steps.sorted(by: { $0.key < $1.key }) {
            FileHandle.standardError.write(
                "timing:   step \(k) \(String(format: "%.2f", v)) cpu-s\n".data(using: .utf8)!)
        }
        steps = [:]
    }
}
