import Foundation
import LogStitch

/// Times each stage of the pipeline alone, on one core, over the corpus:
/// inflate, framing, parsing, correlation and output.
struct StageBenchmarks {
    let directory: String

    struct Counting: RecordConsumer {
        var records = 0
        mutating func beginFile(_ file: InputFile) {}
        mutating func endFile() {}
        mutating func consume(_ record: LogRecord) -> RecordOutcome {
            records += 1
            return .ignored
        }
    }

    @discardableResult
    func time<T>(_ label: String, bytes: Int64, _ body: () throws -> T) rethrows -> T {
        let t0 = ContinuousClock.now
        let r = try body()
        let d = ContinuousClock.now - t0
        let s = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        let mbps = bytes > 0 ? String(format: "%8.1f MB/s", Double(bytes) / 1e6 / s) : "             "
        print("  " + label.padding(toLength: 34, withPad: " ", startingAt: 0) + String(format: "%7.2f s  ", s) + mbps)
        return r
    }

    func run() {
        let files = try! InputDiscovery.expand([directory])
        var options = ParseOptions()
        options.apiGatewayTemplates = [try! ApiGatewayTemplate(CorpusGenerator.stagingFormat)]
        // Uncompressed size, for MB/s of every stage.
        var total: Int64 = 0
        let reader = LogFileReader()
        print("stage timings, one core, \(files.count) files:")
        // zlib, then the faster inflater the reader uses when it is installed.
        func inflateAll(fast: Bool) -> Int64 {
            var bytes: Int64 = 0
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 18, alignment: 16)
            defer { buffer.deallocate() }
            for f in files {
                let raw = try! FileDescriptorStream.open(path: f.path)
                let head = try! PrefixedStreamAccess.sniff(raw)
                let replay: (() throws(InputError) -> ByteStream)? = fast ? raw.reopenedFromStart : nil
                let stream: ByteStream =
                    head.isGzip ? try! GzipInflater(upstream: head.stream, layer: 1, replay: replay) : head.stream
                while let n = try? stream.read(into: buffer), n > 0 { bytes += Int64(n) }
            }
            return bytes
        }
        total = time("inflate only (zlib)", bytes: 0) { inflateAll(fast: false) }
        if GzipInflater.fastEngineName != "zlib" {
            time("inflate only (\(GzipInflater.fastEngineName))", bytes: total) { _ = inflateAll(fast: true) }
        }
        print("  (uncompressed input: \(total / 1_000_000) MB)")
        _ = time("inflate + framing", bytes: total) {
            var c = Counting()
            for f in files { _ = reader.read(f, into: &c) }
            return c.records
        }
        var parsed: [ParsedFile] = []
        time("inflate + framing + parsing", bytes: total) {
            var p = try! LogRecordParser(options: options)
            for f in files {
                _ = reader.read(f, into: &p)
                parsed.append(p.output)
            }
        }
        let model = time("correlation", bytes: total) {
            Correlator(options: CorrelationOptions()).correlate(parsed, files: files)
        }
        let emitter = ReportEmitter(model: model, options: CorrelationOptions())
        var outBytes = 0
        time("output: segments.ndjson", bytes: 0) { outBytes = emitter.segmentsNDJSON().count }
        print("  (segments.ndjson: \(outBytes / 1_000_000) MB)")
        _ = time("output: CSV reports", bytes: 0) {
            emitter.requestsCSV().count + emitter.routesCSV().count + emitter.functionsCSV().count
                + emitter.queriesCSV().count
        }
    }
}
