import Testing

@testable import LogStitch

/// Bad input never crashes the tool: mangled versions of every format go
/// through the whole parser and correlator, and every record is accounted for.
@Suite struct RobustnessTests {
    static let seeds: [String] = [
        #"{"requestId":"r1","httpMethod":"GET","status":"200","requestTimeEpoch":"1704067201000","responseLatency":"912","integrationRequestId":"3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a01"}"#,
        "198.51.100.7 - - [01/Jan/2024:00:00:00 +0000] \"GET /orders/{orderId} HTTP/1.1\" 200 482 c6af9ac6-7b61-11e6-9a41-93e8deadbeef Iq8dHhlwIAMEV_g=",
        "REPORT RequestId: 3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a01\tDuration: 900.25 ms\tBilled Duration: 901 ms\tMemory Size: 512 MB\tMax Memory Used: 91 MB\tInit Duration: 420.50 ms\t",
        "START RequestId: 3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a01 Version: $LATEST",
        #"{"time":"2024-05-20T16:29:45.022Z","type":"platform.report","record":{"requestId":"4b142fc3-17b8-4cdb-a46b-a8dbe7918715","status":"success","metrics":{"durationMs":11.642,"billedDurationMs":12,"memorySizeMB":128}}}"#,
        "# Time: 2024-01-01T00:00:01.532412Z\n# User@Host: app[app] @  [10.0.12.34]  Id:    42\n# Query_time: 0.400118  Lock_time: 0.000120 Rows_sent: 1  Rows_examined: 120000\nuse orders;\nSET timestamp=1704067201;\nSELECT * FROM orders WHERE id = 42 /*traceparent='00-659200818f1c6d2a4b3e5f6a7b8c9d01-7a3c2b1d0e9f8a7b-01'*/;",
        "2024-01-01 00:00:02 UTC:10.0.12.36(51544):app@orders:[4242]:LOG:  duration: 25.412 ms  execute <unnamed>: SELECT * FROM stock WHERE sku = $1 /*request_id='x'*/",
        "2024-01-01T00:00:00.120Z\t3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a6b\tERROR\tInvoke Error \t{\"errorType\":\"Error\",\"errorMessage\":\"db timeout\"}",
    ]

    struct Rng {
        var s: UInt64
        mutating func next() -> Int {
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return Int(s >> 33)
        }
    }

    static let nasty: [UInt8] =
        Array("\"{}[]:,\\ \t\n-0123456789999999999999999999.eE+/*'`$%@()\u{0}".utf8) + [0xFF, 0xC3, 0x80, 0xED, 0xA0]

    func mangle(_ s: String, _ rng: inout Rng) -> [UInt8] {
        var b = Array(s.utf8)
        for _ in 0...(rng.next() % 6) {
            guard !b.isEmpty else { break }
            let i = rng.next() % b.count
            switch rng.next() % 4 {
            case 0: b[i] = Self.nasty[rng.next() % Self.nasty.count]
            case 1:
                b.insert(
                    contentsOf: Array(repeating: Self.nasty[rng.next() % Self.nasty.count], count: 1 + rng.next() % 30),
                    at: i)
            case 2: b.removeSubrange(i..<min(b.count, i + 1 + rng.next() % 20))
            default: b = Array(b[..<i])
            }
        }
        return b
    }

    @Test func mangledRecordsNeverCrashAndAreAccountedFor() throws {
        var rng = Rng(s: 42)
        var parser = try LogRecordParser(options: ParseOptions())
        parser.beginFile(InputFile(index: 0, path: "fuzz"))
        var outcomes = 0
        let groups: [String?] = [
            nil, "/aws/lambda/f", "/aws/rds/instance/db/slowquery", "/aws/rds/instance/db/postgresql",
        ]
        for n in 0..<20_000 {
            let bytes = mangle(Self.seeds[n % Self.seeds.count], &rng)
            _ = bytes.withUnsafeBytes {
                parser.consume(
                    LogRecord(
                        file: 0, line: n + 1, timestamp: rng.next() % 2 == 0 ? nil : 1_704_067_200_000_000,
                        logGroup: groups[rng.next() % groups.count], logStream: "s", message: $0))
            }
            outcomes += 1
        }
        parser.endFile()
        #expect(outcomes == 20_000)
        // The correlator and emitters take whatever the parsers produced.
        let model = Correlator(options: CorrelationOptions()).correlate(
            [parser.output], files: [InputFile(index: 0, path: "fuzz")])
        let emitter = ReportEmitter(model: model, options: CorrelationOptions())
        let segments = emitter.segmentsNDJSON()
        #expect(SegmentValidator.validate(ndjson: segments).invalidDocuments == 0)
        #expect(!emitter.requestsCSV().isEmpty && !emitter.functionsCSV().isEmpty && !emitter.queriesCSV().isEmpty)
    }

    @Test func hugeNumbersDoNotOverflow() {
        #expect(withBytes("99999999999999999999") { $0.parseInt() } == nil)
        #expect(withBytes("999999999999.123456") { $0.parseFixed(scale: 6) } == nil)
        #expect(ReportEmitter.decimal(Int64.max / 2, divisor: 1_000_000 * 1024, places: 6).hasPrefix("4503599627"))
    }
}

extension RobustnessTests {
    /// A function document over X-Ray's 64 KB limit moves its SQL
    /// subsegments out as independent subsegments, still valid and linked.
    @Test func oversizedInvocationSplitsIntoIndependentSubsegments() {
        var file = ParsedFile()
        let start = Timestamp.micros(year: 2024, month: 1, day: 1, hour: 0, minute: 0, second: 0)
        let rid: RequestId = "3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a01"
        let s = LambdaEvent(kind: .start)
        s.requestId = rid
        s.time = start
        s.logGroup = "/aws/lambda/f"
        let r = LambdaEvent(kind: .report)
        r.requestId = rid
        r.time = start + 10_000_000
        r.durationUs = 10_000_000
        r.logGroup = "/aws/lambda/f"
        r.traceId = TraceId(validating: "1-65920080-8f1c6d2a4b3e5f6a7b8c9d0e")
        file.lambdaEvents = [s, r]
        for i in 0..<400 {
            let q = SlowQuery(engine: .mysql)
            q.instance = "db1"
            q.database = "orders"
            q.user = "app"
            q.end = start + 1_000_000 + Int64(i) * 10_000
            q.durationUs = 5_000
            q.text =
                "SELECT * FROM orders WHERE id = \(i) AND note = '" + String(repeating: "x", count: 200)
                + "' /*request_id='\(rid)'*/"
            SlowQueryFinisher.finish(q)
            file.queries.append(q)
        }
        let model = Correlator(options: CorrelationOptions()).correlate([file], files: [InputFile(index: 0, path: "x")])
        #expect(model.queries.allSatisfy { $0.attribution == .requestComment })
        let bytes = SegmentDocumentWriter(model: model, options: CorrelationOptions()).ndjson()
        let lines = bytes.split(separator: ASCII.lf)
        #expect(lines.count == 2 + 400)
        #expect(lines.allSatisfy { $0.count <= SegmentDocumentWriter.maxDocumentBytes })
        let report = SegmentValidator.validate(ndjson: bytes)
        #expect(report.invalidDocuments == 0, "\(report.problems.prefix(3))")
        #expect(String(decoding: lines[2], as: UTF8.self).contains("\"type\":\"subsegment\""))
    }
}
