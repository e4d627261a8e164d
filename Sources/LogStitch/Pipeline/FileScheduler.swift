import Foundation

/// Hands input files to worker threads and collects their results by index,
/// so the merged result does not depend on which worker finished first.
final class FileScheduler: @unchecked Sendable {
    let files: [InputFile]
    let lock = NSLock()
    var next = 0
    var reports: [FileReport?]
    var parsed: [ParsedFile?]
    var done = 0
    var bytesDone: Int64 = 0
    let started = ContinuousClock.now
    let progress: Bool
    var lastProgress = ContinuousClock.now

    init(files: [InputFile], progress: Bool) {
        self.files = files
        reports = Array(repeating: nil, count: files.count)
        parsed = Array(repeating: nil, count: files.count)
        self.progress = progress
    }

    func take() -> InputFile? {
        lock.lock()
        defer { lock.unlock() }
        guard next < files.count else { return nil }
        next += 1
        return files[next - 1]
    }

    func finish(_ index: Int, _ report: FileReport, _ output: ParsedFile) {
        lock.lock()
        defer { lock.unlock() }
        reports[index] = report
        parsed[index] = output
        done += 1
        bytesDone += report.uncompressedBytes
        if progress {
            let now = ContinuousClock.now
            if now - lastProgress > .milliseconds(200) || done == files.count {
                lastProgress = now
                let secs = max(0.001, (now - started).seconds)
                let mbps = Double(bytesDone) / 1_000_000 / secs
                let line = "\rlogstitch: \(done)/\(files.count) files, \(String(format: "%.1f", mbps)) MB/s   "
                FileHandle.standardError.write(line.data(using: .utf8)!)
            }
        }
    }

    /// Collects one worker's parsed records into the spill.
    final class SpillSink {
        var writer: SpillStore.Writer
        var failure: Error?
        init(_ store: SpillStore) { writer = SpillStore.Writer(store: store) }
        func take(_ part: ParsedFile) {
            guard failure == nil else { return }
            do { try writer.add(part) } catch { failure = error }
        }
        func take(_ event: LambdaEvent) {
            guard failure == nil else { return }
            do { try writer.add(event) } catch { failure = error }
        }
        func take(_ request: borrowing ApiGatewayLogParser.RequestFields, file: Int, line: Int) {
            guard failure == nil else { return }
            do { try writer.add(request, file: file, line: line) } catch { failure = error }
        }
    }

    /// Reads every file with `jobs` workers, each with its own reusable
    /// buffers. With a spill store, parsed records go there (memory stays
    /// flat); without one, they are kept per file in `parsed`.
    func run(jobs: Int, limits: ReaderLimits, parse: ParseOptions, spill: SpillStore? = nil) throws {
        _ = try LogRecordParser(options: parse)  // validates the options before threads start
        let workers = max(1, min(jobs, files.count))
        let failures = FailureBox()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let reader = LogFileReader(limits: limits)
            var consumer = try! LogRecordParser(options: parse)
            let sink = spill.map { SpillSink($0) }
            if let sink {
                consumer.sink = { sink.take($0) }
                consumer.eventSink = { sink.take($0) }
                consumer.requestSink = { sink.take($0, file: $1, line: $2) }
            }
            while let file = self.take() {
                let report = reader.read(file, into: &consumer)
                if spill != nil {
                    consumer.drainAll()
                    self.finish(file.index, report, ParsedFile())
                } else {
                    self.finish(file.index, report, consumer.output)
                }
            }
            if let sink {
                do { try sink.writer.flush() } catch { failures.set(error) }
                if let f = sink.failure { failures.set(f) }
            }
        }
        if progress { FileHandle.standardError.write("\n".data(using: .utf8)!) }
        if let f = failures.error { throw f }
    }

    final class FailureBox: @unchecked Sendable {
        let lock = NSLock()
        var error: Error?
        func set(_ e: Error) {
            lock.lock()
            if error == nil { error = e }
            lock.unlock()
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
