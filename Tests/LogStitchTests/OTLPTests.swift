import Foundation
import Testing

@testable import LogStitch

/// `convert --otlp` (issue: viewers): traces.otlp.jsonl, read by
/// OpenTelemetry's own protobuf definitions.
@Suite struct OTLPTests {
    static var protoAvailable: Bool {
        CLI.shell(
            "python3 -c 'import google.protobuf, opentelemetry.proto.trace.v1.trace_pb2; print(1)' 2>/dev/null") == "1"
    }

    /// Whether the protobuf check can run; in CI (`.ci/run` installs
    /// opentelemetry-proto and protobuf, and sets LOGSTITCH_REQUIRE_TOOLS=1)
    /// their absence fails.
    static func protoReady() -> Bool {
        if protoAvailable { return true }
        #expect(
            ProcessInfo.processInfo.environment["LOGSTITCH_REQUIRE_TOOLS"] != "1",
            "Python's opentelemetry-proto or protobuf is missing")
        print("skipped here: Python's opentelemetry-proto and protobuf are not installed (.ci/run installs them)")
        return false
    }

    /// scripts/otlp-check.py's last line: "lines L spans S entities E problems P".
    static func check(_ otlp: String, _ segments: String) -> String {
        CLI.shell("python3 '\(repoRoot)/scripts/otlp-check.py' '\(otlp)' '\(segments)' 2>&1")
    }

    static func lines(_ path: String) -> [[String: Any]] {
        let text = String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
        return text.split(separator: "\n").map {
            try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    static func spans(_ line: [String: Any]) -> [(resource: [String: Any], span: [String: Any])] {
        var out: [(resource: [String: Any], span: [String: Any])] = []
        for rs in line["resourceSpans"] as! [[String: Any]] {
            let resource = attributes((rs["resource"] as! [String: Any])["attributes"])
            for ss in rs["scopeSpans"] as! [[String: Any]] {
                for s in ss["spans"] as! [[String: Any]] { out.append((resource, s)) }
            }
        }
        return out
    }

    static func attributes(_ list: Any?) -> [String: Any] {
        var out: [String: Any] = [:]
        for a in list as? [[String: Any]] ?? [] {
            let v = a["value"] as! [String: Any]
            out[a["key"] as! String] = v["stringValue"] ?? v["intValue"] ?? v["boolValue"]
        }
        return out
    }

    @Test func sampleTracesParseAsOTLPWithOneSpanPerEntity() throws {
        let dir = makeTempDir()
        var o = ScenarioTests.options([ScenarioTests.sample], out: dir)
        o.otlp = true
        _ = try ConvertJob.run(o)
        let lines = Self.lines(dir + "/traces.otlp.jsonl")
        // One line per trace: the sample's 7 requests and no lone invocation.
        #expect(lines.count == 7)
        let all = lines.flatMap(Self.spans)
        #expect(all.count == 32)
        // The slow GET: its stage span, the Lambda call, the function and its statements.
        let get = all.filter { ($0.span["traceId"] as! String) == "659200818f1c6d2a4b3e5f6a7b8c9d01" }
        let server = get.first { $0.span["kind"] as? Int == 2 && $0.span["name"] as? String == "GET /orders/{orderId}" }
        #expect(server != nil)
        let http = Self.attributes(server?.span["attributes"])
        #expect(http["http.request.method"] as? String == "GET")
        #expect(http["http.route"] as? String == "/orders/{orderId}")
        #expect(http["http.response.status_code"] as? String == "200")
        #expect(server?.span["startTimeUnixNano"] as? String == "1704067201000000000")
        #expect(server?.span["endTimeUnixNano"] as? String == "1704067201912000000")
        let invoke = get.first { $0.span["name"] as? String == "Lambda.Invoke" }
        #expect(invoke?.span["kind"] as? Int == 3)
        #expect(invoke?.span["parentSpanId"] as? String == server?.span["spanId"] as? String)
        let rpc = Self.attributes(invoke?.span["attributes"])
        #expect(rpc["rpc.system"] as? String == "aws-api")
        #expect(rpc["faas.invoked_name"] as? String == "orders-handler")
        let function = get.first { Self.attributes($0.span["attributes"])["faas.coldstart"] != nil }
        #expect(function?.resource["faas.name"] as? String == "orders-handler")
        #expect(function?.resource["faas.max_memory"] as? String == "536870912")
        #expect(function?.resource["cloud.platform"] as? String == "aws_lambda")
        #expect(Self.attributes(function?.span["attributes"])["faas.trigger"] as? String == "http")
        let statements = get.filter { Self.attributes($0.span["attributes"])["db.system.name"] != nil }
        #expect(statements.count == 2)
        let db = Self.attributes(statements.first?.span["attributes"])
        #expect(db["db.system.name"] as? String == "mysql")
        #expect(db["db.system"] as? String == "mysql")
        #expect(db["db.namespace"] as? String == "orders")
        #expect(db["server.address"] as? String == "orders-mysql")
        #expect((db["db.query.summary"] as? String)?.hasPrefix("select") == true)
        #expect(db["db.query.text"] as? String == db["db.statement"] as? String)
        // A timed-out invocation is an error, with its exception as an event.
        let timedOut = all.first { ($0.span["status"] as? [String: Any])?["message"] as? String == "Task timed out" }
        #expect((timedOut?.span["status"] as? [String: Any])?["code"] as? Int == 2)
        #expect((timedOut?.span["events"] as? [[String: Any]])?.first?["name"] as? String == "exception")

        guard Self.protoReady() else { return }
        let result = Self.check(dir + "/traces.otlp.jsonl", dir + "/segments.ndjson")
        #expect(result.hasSuffix("lines 7 spans 32 entities 32 problems 0"), "\(result)")
    }

    @Test func compressedOTLPIsOneGzipFileWithTheSameLines() throws {
        let plain = makeTempDir(), packed = makeTempDir()
        var o = ScenarioTests.options([ScenarioTests.sample], out: plain)
        o.otlp = true
        _ = try ConvertJob.run(o)
        o.outputDirectory = packed
        o.compress = true
        _ = try ConvertJob.run(o)
        let unzipped = CLI.shell("gzip -dc '\(packed)/traces.otlp.jsonl.gz' | md5sum")
        let original = CLI.shell("md5sum < '\(plain)/traces.otlp.jsonl'")
        #expect(!unzipped.isEmpty && unzipped == original)
    }

    @Test func withoutTheFlagThereIsNoOTLPFile() throws {
        let dir = makeTempDir()
        _ = try ConvertJob.run(ScenarioTests.options([ScenarioTests.sample], out: dir))
        #expect(!FileManager.default.fileExists(atPath: dir + "/traces.otlp.jsonl"))
        #expect(FileManager.default.fileExists(atPath: dir + "/segments.ndjson"))
    }

    /// A run replaces the whole set: what an earlier run with other flags
    /// wrote (traces.otlp.jsonl, .gz files) does not stay behind to mix two runs.
    @Test func aRunWithoutTheFlagsRemovesWhatAnEarlierRunWithThemWrote() throws {
        let dir = makeTempDir()
        var o = ScenarioTests.options([ScenarioTests.sample], out: dir)
        o.otlp = true
        o.compress = true
        _ = try ConvertJob.run(o)
        let names = { Set(try! FileManager.default.contentsOfDirectory(atPath: dir)) }
        #expect(names().contains("traces.otlp.jsonl.gz") && names().contains("segments.ndjson.gz"))
        _ = try ConvertJob.run(ScenarioTests.options([ScenarioTests.sample], out: dir))
        #expect(
            names() == [
                "functions.csv", "queries.csv", "rejects.csv", "report.html", "requests.csv", "routes.csv",
                "segments.ndjson", "summary.json",
            ])
    }

    /// A function document past 64 KB hangs its statements from its
    /// `Invocation` as independent subsegment documents: they are spans of
    /// the function's resource, children of the Invocation span, and the
    /// waterfall draws them there.
    @Test func independentSubsegmentsJoinTheirFunctionsResourceAndParent() throws {
        let rid: RequestId = "3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a01"
        let start = Timestamp.micros(year: 2024, month: 1, day: 1, hour: 0, minute: 0, second: 0)
        var file = ParsedFile()
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
        for i in 0..<300 {
            let q = SlowQuery(engine: .mysql)
            q.instance = "db1"
            q.database = "orders"
            q.end = start + 1_000_000 + Int64(i) * 10_000
            q.durationUs = 5_000
            q.text =
                "SELECT * FROM orders WHERE id = \(i) AND note = '" + String(repeating: "x", count: 300)
                + "' /*request_id='\(rid)'*/"
            SlowQueryFinisher.finish(q)
            file.queries.append(q)
        }
        let model = Correlator(options: CorrelationOptions()).correlate([file], files: [InputFile(index: 0, path: "x")])
        let ndjson = SegmentDocumentWriter(model: model, options: CorrelationOptions()).ndjson()
        var skipped = 0
        let docs = ndjson.withUnsafeBytes { XRayDocumentReader.entities(ndjson: $0, skipped: &skipped) }
        #expect(skipped == 0)
        #expect(docs.count == 302)
        #expect(docs[2].first?.isSegment == false)
        var w = JSONWriter()
        OTLPTraceWriter.write(trace: docs, to: &w)
        let line = try JSONSerialization.jsonObject(with: Data(w.bytes)) as! [String: Any]
        #expect((line["resourceSpans"] as! [Any]).count == 1)
        let spans = Self.spans(line)
        #expect(spans.count == docs.reduce(0) { $0 + $1.count })
        let invocation = spans.first { $0.span["name"] as? String == "Invocation" }!.span["spanId"] as! String
        let statements = spans.filter { Self.attributes($0.span["attributes"])["db.system.name"] != nil }
        #expect(statements.count == 300)
        #expect(statements.allSatisfy { $0.span["parentSpanId"] as? String == invocation })
        #expect(statements.allSatisfy { $0.span["kind"] as? Int == 3 && $0.span["name"] as? String == "SELECT orders" })
        let waterfall = TraceWaterfall(documents: docs)
        let at = waterfall.rows.firstIndex { $0.entity.name == "Invocation" }!
        #expect(
            waterfall.rows[(at + 1)...].prefix(300).allSatisfy {
                $0.entity.role == .statement && $0.depth == waterfall.rows[at].depth + 1
            })
    }

    @Test func traceIdsConvertBothWays() {
        #expect(TraceEntity.otlpTraceId("1-65920081-8F1C6D2A4B3E5F6A7B8C9D01") == "659200818f1c6d2a4b3e5f6a7b8c9d01")
        #expect(TraceEntity.xrayTraceId("659200818f1c6d2a4b3e5f6a7b8c9d01") == "1-65920081-8f1c6d2a4b3e5f6a7b8c9d01")
        #expect(TraceEntity.otlpTraceId("1-6592008-8f1c6d2a4b3e5f6a7b8c9d01") == nil)
        #expect(TraceEntity.xrayTraceId("xyz") == nil)
    }

    @Test func documentTimesReadBackToTheMicrosecond() {
        #expect(XRayDocumentReader.micros("1704067201.132294") == 1_704_067_201_132_294)
        #expect(XRayDocumentReader.micros("1704067201.5") == 1_704_067_201_500_000)
        #expect(XRayDocumentReader.micros("1704067201") == 1_704_067_201_000_000)
        #expect(XRayDocumentReader.micros("x") == nil)
    }
}
