import Foundation
import Testing

@testable import LogStitch

/// Lambda logs as they are printed and kept: the developer guide's
/// space-separated platform lines, the telemetry API's JSON records (with
/// the reference's own trailing comma), the Node.js runtimes' older error
/// lines, and Powertools' structured logs. Fixtures in testdata/lambda.
@Suite struct LambdaVariantTests {
    func fixture(_ name: String) throws -> String {
        try String(contentsOfFile: repoRoot + "/testdata/lambda/" + name, encoding: .utf8)
    }

    /// Each line's outcome and the events kept, through the record parser.
    func parse(_ text: String, group: String? = nil) -> ([LambdaEvent], [RecordOutcome], [String]) {
        var parser = try! LogRecordParser(options: ParseOptions())
        parser.beginFile(InputFile(index: 0, path: "stream.log"))
        var outcomes: [RecordOutcome] = []
        for (i, line) in text.split(separator: "\n").enumerated() {
            outcomes.append(
                withBytes(String(line)) {
                    parser.consume(
                        LogRecord(file: 0, line: i + 1, timestamp: nil, logGroup: group, logStream: nil, message: $0))
                })
        }
        parser.endFile()
        let late = parser.takeLateRejects().map(\.reason)
        return (parser.output.lambdaEvents, outcomes, late)
    }

    @Test func spaceSeparatedPlatformLinesAsTheGuidePrintsThem() throws {
        let (events, outcomes, _) = parse(try fixture("devguide-spaces.log"), group: "/aws/lambda/my-function")
        #expect(outcomes.prefix(8).allSatisfy { $0 == .parsed(.lambda) })
        #expect(outcomes[8] == .rejected("REPORT line without 'Duration: <number> ms'"))
        let reports = events.filter { $0.kind == .report }
        #expect(reports.count == 2)
        let r = reports[0]
        #expect(r.requestId == "8f507cfc-1a2b-4697-b07a-ac58fc914c95")
        #expect(r.durationUs == 15_740)
        #expect(r.billedDurationUs == 16_000)
        #expect(r.memorySizeMB == 128)
        #expect(r.maxMemoryUsedMB == 56)
        #expect(r.initDurationUs == 130_490)
        #expect(r.traceId?.text == "1-5e7c8ce3-7c1e4b3b4b6e0c83fd6b4ad7")
        #expect(r.segmentId == 0x1d7b_d5a8_c3f9_1be6)
        #expect(r.sampled == true)
        #expect(reports[1].durationUs == 2_010)
        #expect(reports[1].maxMemoryUsedMB == 57)
        #expect(reports[1].initDurationUs == nil)
        #expect(
            events.first { $0.kind == .start && $0.requestId == "2a7bb3e1-5c7d-4c11-8a9e-3f1d2b6c7e80" }?.version == "3"
        )
    }

    @Test func telemetryRecordsNameTheFunctionAndAreReadLeniently() throws {
        let (events, outcomes, _) = parse(try fixture("telemetry-platform.log"))
        #expect(outcomes.prefix(5).allSatisfy { $0 == .parsed(.lambda) })
        #expect(outcomes[5] == .rejected("Lambda platform record is not valid JSON"))
        let report = try #require(events.first { $0.kind == .report })
        // The reference's example, trailing comma and all.
        #expect(report.durationUs == 41_170)
        #expect(report.initDurationUs == 178_510)
        #expect(report.status == .success)
        #expect(report.traceId?.text == "1-5be4d8d8-1f9a46ba4a4e4b36a5f1b8e3")
        // platform.initStart's functionName goes on its environment's invocations.
        #expect(events.filter { $0.kind == .start || $0.kind == .report }.allSatisfy { $0.function == "checkout-api" })
        let invocations = InvocationAssembler.assemble(events)
        #expect(invocations.map(\.function) == ["checkout-api", "checkout-api"])
    }

    @Test func olderNodeErrorLinesFailTheInvocation() throws {
        let (events, outcomes, _) = parse(try fixture("node-legacy-errors.log"), group: "/aws/lambda/legacy")
        #expect(outcomes.allSatisfy { $0 == .parsed(.lambda) })
        let invocations = InvocationAssembler.assemble(events)
        #expect(invocations.count == 2)
        let typeError = try #require(invocations.first { $0.requestId == "c793869b-ee49-115b-a5b6-4fd21e8dedac" })
        #expect(typeError.status == .error)
        #expect(typeError.errorType == "TypeError")
        #expect(typeError.errorMessage == "Cannot read property 'id' of undefined")
        let boom = try #require(invocations.first { $0.requestId == "5f3c1a9e-7b2d-11e6-9a41-93e812345678" })
        #expect(boom.status == .error)
        #expect(boom.errorMessage == "boom")
    }

    @Test(
        arguments: [
            (
                "powertools-python.log", "payment-collect", "1-6742e1a1-5759e988bd862e3fe1be46a9", true,
                "a1000000-0000-4000-8000-00000000aa01"
            ),
            (
                "powertools-typescript.log", "shopping-cart-api", "1-6742e1a2-abcdef123456abcdef123456", false,
                "a1000000-0000-4000-8000-00000000aa02"
            ),
            ("powertools-java.log", "orders-java", "1-6742e1a3-4b0c7f97280dcd8428d3c9b5", true, nil),
        ] as [(String, String, String, Bool, String?)])
    func powertoolsContextFillsWhatPlatformLinesLack(
        file: String, function: String, trace: String, cold: Bool, correlation: String?
    ) throws {
        let (events, outcomes, _) = parse(try fixture(file))
        #expect(outcomes.allSatisfy { $0 == .parsed(.lambda) })
        // One context event per invocation, however many lines it logged.
        #expect(events.filter { $0.kind == .context }.count == 1)
        let inv = try #require(InvocationAssembler.assemble(events).first)
        #expect(inv.function == function)
        #expect(inv.traceId?.text == trace)
        #expect(inv.coldStart == cold)
        #expect(inv.apiRequestId.map { "\($0)" } == correlation)
    }

    /// End to end: requests whose access log names no integration id join
    /// the invocations whose Powertools lines carry their request id.
    @Test func correlationIdJoinsRequestsToInvocations() throws {
        let dir = makeTempDir()
        try FileManager.default.copyItem(
            atPath: repoRoot + "/testdata/lambda/powertools-apigw-access.log", toPath: dir + "/access.log")
        // As a CloudWatch export writes the streams: each event after its time.
        for (k, f) in ["powertools-python.log", "powertools-typescript.log"].enumerated() {
            let lines = try fixture(f).split(separator: "\n").enumerated().map { i, l in
                "2026-11-24T03:00:0\(1 + 2 * k).\(String(format: "%03d", 400 + 40 * i))Z \(l)"
            }
            write(dir + "/export-\(k).log", Array((lines.joined(separator: "\n") + "\n").utf8))
        }
        let r = CLI.run(["convert", "--output", dir + "/out", dir])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try String(contentsOfFile: dir + "/out/requests.csv", encoding: .utf8).split(separator: "\n")
        let header = rows[0].split(separator: ",").map(String.init)
        let col = { (name: String) in header.firstIndex(of: name)! }
        let cells = rows.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(cells.map { $0[col("lambda_join")] } == ["correlation_id", "correlation_id"])
        #expect(cells.map { $0[col("function")] } == ["payment-collect", "shopping-cart-api"])
        #expect(
            cells.map { $0[col("lambda_request_id")] } == [
                "52fdfc07-2182-454f-963f-5f0f9a621d72", "c6af9ac6-7b61-41e6-9a41-93e812345678",
            ])
        #expect(
            cells.map { $0[col("trace_id")] } == [
                "1-6742e1a1-5759e988bd862e3fe1be46a9", "1-6742e1a2-abcdef123456abcdef123456",
            ])
        let summary = loadJSON(dir + "/out/summary.json")
        let correlation = summary["correlation"] as! [String: Any]
        #expect(correlation["requests_joined_by_correlation_id"] as? Int == 2)
        // Powertools' function_arn names the function's region and account
        // (issue: trace fidelity, item 4): its ARN, as logged, without flags.
        let docs = try String(contentsOfFile: dir + "/out/segments.ndjson", encoding: .utf8).split(separator: "\n")
            .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let function = try #require(
            docs.first {
                ($0["origin"] as? String) == "AWS::Lambda::Function" && ($0["name"] as? String) == "payment-collect"
            })
        let aws = try #require(function["aws"] as? [String: Any])
        #expect(aws["function_arn"] as? String == "arn:aws:lambda:eu-west-1:123456789012:function:payment-collect")
        #expect(aws["account_id"] as? String == "123456789012")
        let service = try #require(
            docs.first { ($0["origin"] as? String) == "AWS::Lambda" && ($0["name"] as? String) == "payment-collect" })
        #expect(service["resource_arn"] as? String == "arn:aws:lambda:eu-west-1:123456789012:function:payment-collect")
        #expect(
            FunctionARN("arn:aws:lambda:us-east-1:123456789012:function:f:live")?.text
                == "arn:aws:lambda:us-east-1:123456789012:function:f")
        #expect(FunctionARN("arn:aws:lambda:us-east-1:1234:function:f") == nil)
    }
}
