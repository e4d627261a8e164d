import Testing

@testable import LogStitch

/// With a spill, Lambda events leave the parser one by one as soon as no
/// later line can change them, and their objects are reused. That must give
/// the same events as gathering them all, and a reused object must carry
/// nothing over from its last event.
@Suite struct LambdaEventStreamingTests {
    static let group = "/aws/lambda/orders"
    /// A raw Lambda log (one line per record): XRAY lines after their
    /// REPORT, one after an END that follows the REPORT, one REPORT with no
    /// XRAY line at all, an error line, init lines, JSON platform records.
    static let lines = [
        "INIT_START Runtime Version: nodejs:20.v13\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:0",
        "INIT_REPORT Init Duration: 166.62 ms",
        "START RequestId: 3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a01 Version: $LATEST",
        "2024-01-01T00:00:01.000Z\t3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a01\tINFO\tcharging card",
        "END RequestId: 3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a01",
        "REPORT RequestId: 3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a01\tDuration: 128.83 ms\tBilled Duration: 129 ms\tMemory Size: 128 MB\tMax Memory Used: 74 MB\tInit Duration: 166.62 ms\t",
        "XRAY TraceId: 1-65920080-8f1c6d2a4b3e5f6a7b8c9d0e\tSegmentId: 3d752a1b1bbe37e0\tSampled: true\t",
        "START RequestId: 3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a02 Version: 7",
        "REPORT RequestId: 3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a02\tDuration: 5.00 ms\tBilled Duration: 5 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\t",
        "END RequestId: 3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a02",
        "XRAY TraceId: 1-65920081-8f1c6d2a4b3e5f6a7b8c9d0e\tSegmentId: 3d752a1b1bbe37e1\tSampled: false\t",
        "START RequestId: 3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a03 Version: $LATEST",
        "2024-01-01T00:00:03.000Z 3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a03 Task timed out after 3.00 seconds",
        "END RequestId: 3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a03",
        "REPORT RequestId: 3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a03\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 71 MB\tStatus: timeout",
        #"{"time":"2024-01-01T00:00:04.000Z","type":"platform.start","record":{"requestId":"3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a04","version":"$LATEST","functionName":"orders"}}"#,
        #"{"timestamp":"2024-01-01T00:00:04.100Z","level":"ERROR","requestId":"3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a04","errorType":"TypeError","errorMessage":"x is undefined"}"#,
        #"{"time":"2024-01-01T00:00:04.200Z","type":"platform.report","record":{"requestId":"3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a04","status":"error","metrics":{"durationMs":200.5,"billedDurationMs":201,"memorySizeMB":256,"maxMemoryUsedMB":90},"tracing":{"type":"X-Amzn-Trace-Id","value":"Root=1-65920082-8f1c6d2a4b3e5f6a7b8c9d0e;Parent=3d752a1b1bbe37e2;Sampled=1"},"spans":[{"name":"runtimeOverhead","durationMs":1.5}]}}"#,
        "REPORT RequestId: 3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a05\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\t",
    ]

    /// Each event's own encoding (a fresh writer each, so no "as before").
    static func bytes(_ e: LambdaEvent) -> [UInt8] {
        var w = SpillWriter()
        e.encode(&w)
        return w.bytes
    }

    func parse(streaming: Bool) throws -> (events: [[UInt8]], outcomes: [RecordOutcome]) {
        var parser = try LogRecordParser(options: ParseOptions())
        var streamed: [[UInt8]] = []
        // Encoded as they arrive: the object is reused for the next event.
        if streaming { parser.eventSink = { streamed.append(Self.bytes($0)) } }
        parser.beginFile(InputFile(index: 0, path: "raw.log"))
        var outcomes: [RecordOutcome] = []
        for (i, line) in Self.lines.enumerated() {
            outcomes.append(
                withBytes(line) {
                    parser.consume(
                        LogRecord(
                            file: 0, line: i + 1, timestamp: Int64(i) * 1000, logGroup: Self.group, logStream: "s",
                            message: $0))
                })
        }
        parser.endFile()
        let gathered = parser.output.lambdaEvents.map(Self.bytes)
        return (streaming ? streamed : gathered, outcomes)
    }

    @Test func streamedEventsAreTheGatheredOnes() throws {
        let gathered = try parse(streaming: false), streamed = try parse(streaming: true)
        #expect(gathered.outcomes == streamed.outcomes)
        #expect(gathered.outcomes.allSatisfy { $0 == .parsed(.lambda) })
        // Same events; a held REPORT may leave after an event parsed later.
        #expect(gathered.events.count == 16)
        #expect(
            streamed.events.sorted { $0.lexicographicallyPrecedes($1) }
                == gathered.events.sorted { $0.lexicographicallyPrecedes($1) })
    }

    /// `reset` clears every field: an event with all of them set, reset,
    /// encodes as a new one does.
    @Test func resetEventIsANewOne() {
        let e = LambdaEvent(kind: .report)
        e.status = .error
        e.sampled = true
        e.segmentId = 7
        e.requestId = "r"
        e.source = LogSource(logGroup: "g", logStream: "s")
        e.version = "1"
        e.traceId = TraceId(epoch: 1, high: 2, low: 3)
        e.file = 4
        e.line = 5
        e.time = 6
        e.initDurationUs = 7
        e.restoreDurationUs = 8
        e.billedRestoreDurationUs = 9
        e.durationUs = 10
        e.billedDurationUs = 11
        e.memorySizeMB = 12
        e.maxMemoryUsedMB = 13
        e.function = "f"
        e.errorType = "E"
        e.errorMessage = "m"
        e.runtimeOverheadUs = 14
        e.reset(.start)
        #expect(Self.bytes(e) == Self.bytes(LambdaEvent(kind: .start)))
        #expect(e.rare == nil && e.source == nil)
        // The parser's spare keeps only its source (the record parser sets it).
        let source = LogSource(logGroup: "g", logStream: "s")
        e.source = source
        e.requestId = "r"
        e.time = 6
        e.reset(.end, keepingSource: true)
        #expect(e.source === source)
        e.source = nil
        #expect(Self.bytes(e) == Self.bytes(LambdaEvent(kind: .end)))
    }
}
