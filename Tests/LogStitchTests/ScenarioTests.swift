import Foundation
import Testing

@testable import LogStitch

/// The committed scenario in testdata/sample (see scripts/make-sample.py),
/// with every figure below worked out by hand from the log lines.
@Suite(.serialized) struct ScenarioTests {
    static let sample = repoRoot + "/testdata/sample"
    static let stagingFormat = repoRoot + "/testdata/apigw-staging-format.txt"

    static func options(_ inputs: [String], out: String) -> ConvertOptions {
        var o = ConvertOptions()
        o.inputs = inputs
        o.outputDirectory = out
        o.parse.apiGatewayTemplates = [
            try! ApiGatewayTemplate(try! String(contentsOfFile: stagingFormat, encoding: .utf8))
        ]
        return o
    }

    static func model() -> TraceModel {
        let files = try! InputDiscovery.expand([sample])
        let scheduler = FileScheduler(files: files, progress: false)
        try! scheduler.run(jobs: 2, limits: ReaderLimits(), parse: options([], out: "").parse)
        return Correlator(options: CorrelationOptions()).correlate(scheduler.parsed.map { $0! }, files: files)
    }

    func request(_ m: TraceModel, _ id: String) -> RequestRecord {
        m.requests.first { $0.request.requestId == RequestId(id) }!
    }
    func invocation(_ m: TraceModel, _ r: RequestRecord) -> LambdaInvocation? {
        r.invocation.map { m.invocations[$0].invocation }
    }

    @Test func joinsAndTraceIds() {
        let m = Self.model()
        #expect(m.requests.count == 7)
        #expect(m.invocations.count == 5)
        let r1 = request(m, "a1000000-0000-4000-8000-000000000001")
        #expect(r1.join == .requestId)
        #expect(r1.traceId.text == "1-65920081-8f1c6d2a4b3e5f6a7b8c9d01")
        #expect(invocation(m, r1)?.requestId == "3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a01")
        // Payments: no integration request id in the log, joined by X-Ray trace id.
        let r3 = request(m, "a1000000-0000-4000-8000-000000000003")
        #expect(r3.join == .traceId)
        #expect(invocation(m, r3)?.function == "payments-handler")
        // Throttled before the integration ran: no invocation.
        let r4 = request(m, "a1000000-0000-4000-8000-000000000004")
        #expect(r4.join == .none)
        // Synthesized trace id: start second, then MD5 of the request id.
        #expect(
            r4.traceId.text == "1-65920086-"
                + MD5.hex("logstitch-trace:a1000000-0000-4000-8000-000000000004").prefix(24))
        // Staging (CSV template) joins by its integration request id.
        let s1 = request(m, "b2000000-0000-4000-8000-000000000001")
        #expect(s1.join == .requestId)
        #expect(invocation(m, s1)?.requestId == "3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a11")
        #expect(m.invocations.allSatisfy { $0.request != nil })
    }

    @Test func invocationTimingsAndOutcomes() throws {
        let m = Self.model()
        let cold = try #require(invocation(m, request(m, "a1000000-0000-4000-8000-000000000001")))
        #expect(cold.coldStart)
        #expect(cold.initDurationUs == 420_500)
        #expect(
            cold.start == Timestamp.micros(year: 2024, month: 1, day: 1, hour: 0, minute: 0, second: 1, micro: 5_000))
        #expect(
            cold.end == Timestamp.micros(year: 2024, month: 1, day: 1, hour: 0, minute: 0, second: 1, micro: 905_250))
        #expect(cold.traceId?.text == "1-65920081-8f1c6d2a4b3e5f6a7b8c9d01")
        #expect(cold.logStream == "2024/01/01/[$LATEST]0123456789abcdef0123456789abcdef")
        let failed = try #require(invocation(m, request(m, "a1000000-0000-4000-8000-000000000005")))
        #expect(failed.status == .error)
        #expect(failed.errorType == "ValidationError")
        #expect(failed.errorMessage == "quantity must be positive")
        let timeout = try #require(invocation(m, request(m, "a1000000-0000-4000-8000-000000000003")))
        #expect(timeout.status == .timeout)
        #expect(timeout.durationUs == 3_000_000)
        #expect(timeout.memorySizeMB == 256)
    }

    @Test func queryAttributions() {
        let m = Self.model()
        func q(_ prefix: String) -> QueryRecord { m.queries.first { $0.query.text.hasPrefix(prefix) }! }
        #expect(m.queries.count == 6)
        // Commented with the invocation's trace: exact.
        let byTrace = q("SELECT * FROM orders WHERE id = 42")
        #expect(byTrace.attribution == .traceComment)
        #expect(
            byTrace.invocation.map { m.invocations[$0].invocation.requestId } == "3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a01")
        // Uncommented, from a function known to use orders-mysql, inside exactly one invocation: by time.
        let byTime = q("SELECT id, sku, qty")
        #expect(byTime.attribution == .time)
        #expect(byTime.invocation == byTrace.invocation)
        // Commented with a trace no log knows: stays unattributed rather than guessed by time.
        #expect(q("SELECT * FROM orders WHERE id = 43").attribution == .none)
        // The report query no request sent.
        #expect(q("SELECT customer_id").attribution == .none)
        // PostgreSQL: request id in the comment.
        let pg = q("SELECT * FROM stock")
        #expect(pg.attribution == .requestComment)
        #expect(pg.invocation.map { m.invocations[$0].invocation.requestId } == "3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a11")
        #expect(pg.query.parameters == "$1 = 'SKU-1'")
        // PostgreSQL's one-second timestamps: the UPDATE (03 s, 60.1 ms) can
        // have run inside 5a02 (03.505–03.6234) for ends from 03.5651 on,
        // and inside no other candidate: by time, to that one.
        let update = q("UPDATE stock")
        #expect(update.attribution == .time)
        #expect(
            update.invocation.map { m.invocations[$0].invocation.requestId } == "3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a02")
    }

    @Test func reportsMatchHandComputedFigures() throws {
        let out = makeTempDir()
        let result = try ConvertJob.run(Self.options([Self.sample], out: out))
        #expect(result.status == .success)
        let requests = try String(contentsOfFile: out + "/requests.csv", encoding: .utf8).split(separator: "\n").map(
            String.init)
        #expect(
            requests[0]
                == "trace_id,api_request_id,stage,method,route,path,status,start_time,latency_ms,integration_latency_ms,lambda_request_id,function,cold_start,init_ms,duration_ms,billed_ms,db_queries,db_ms,lambda_join,api_id,lambda_status,error_type,error_response_type"
        )
        #expect(
            requests[1]
                == "1-65920081-8f1c6d2a4b3e5f6a7b8c9d01,a1000000-0000-4000-8000-000000000001,prod,GET,/orders/{orderId},/prod/orders/42,200,2024-01-01T00:00:01.000Z,912,905,3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a01,orders-handler,true,420.5,900.25,901,2,550.118,request_id,a1b2c3d4e5,success,,"
        )
        #expect(requests.count == 8)
        let routes = try String(contentsOfFile: out + "/routes.csv", encoding: .utf8)
        #expect(
            routes == """
                stage,method,route,requests,errors_4xx,faults_5xx,throttles,p50_ms,p90_ms,p95_ms,p99_ms,max_ms
                prod,GET,/orders/{orderId},3,1,0,1,130,912,912,912,912
                prod,POST,/orders,1,0,1,0,48,48,48,48,48
                prod,POST,/payments,1,0,1,0,3020,3020,3020,3020,3020
                staging,GET,/orders/{orderId},2,1,0,0,12,75,75,75,75

                """)
        let functions = try String(contentsOfFile: out + "/functions.csv", encoding: .utf8)
        #expect(
            functions.contains(
                "\norders-handler,4,1,25,1,0,67.8,900.25,900.25,900.25,900.25,420.5,420.5,420.5,1124,512,93,0.562\n"))
        #expect(functions.contains("\npayments-handler,1,0,0,0,1,3000,3000,3000,3000,3000,,,,3000,256,80,0.75\n"))
        let queries = try String(contentsOfFile: out + "/queries.csv", encoding: .utf8)
        #expect(
            queries.contains(
                "\na2b839ff64ce4c4a,MySQL,orders-mysql,,select id, sku, qty from order_items where order_id in(?+),1,150,150,150,150,150,9000,1,1-65920081-8f1c6d2a4b3e5f6a7b8c9d01,\n"
                    .replacingOccurrences(
                        of: "select id, sku, qty from order_items where order_id in(?+)",
                        with: "\"select id, sku, qty from order_items where order_id in(?+)\"")))
        let summary = loadJSON(out + "/summary.json")
        let totals = summary["totals"] as! [String: Any]
        #expect(totals["records_seen"] as! Int == 36)
        #expect(totals["records_rejected"] as! Int == 0)
        #expect(
            totals["records_parsed"] as! [String: Int] == ["apigateway": 7, "lambda": 18, "mysql": 4, "postgresql": 3])
    }

    @Test func segmentsPassValidateAndShapeTheTree() throws {
        let out = makeTempDir()
        _ = try ConvertJob.run(Self.options([Self.sample], out: out))
        let r = CLI.run(["validate", out + "/segments.ndjson"])
        #expect(r.status == 0, "\(r.stdout)")
        #expect(r.stdout.contains("0 invalid"))
        let lines = try String(contentsOfFile: out + "/segments.ndjson", encoding: .utf8).split(separator: "\n")
        // 7 gateway segments + 2 documents per invocation.
        #expect(lines.count == 7 + 5 * 2)
        let docs = lines.map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let trace = docs.filter { $0["trace_id"] as? String == "1-65920081-8f1c6d2a4b3e5f6a7b8c9d01" }
        #expect(
            trace.map { $0["origin"] as! String } == ["AWS::ApiGateway::Stage", "AWS::Lambda", "AWS::Lambda::Function"])
        let gateway = trace[0], service = trace[1], function = trace[2]
        #expect(gateway["name"] as? String == "a1b2c3d4e5/prod")
        let lambdaSub = (gateway["subsegments"] as! [[String: Any]])[0]
        #expect(lambdaSub["name"] as? String == "Lambda")
        #expect(service["parent_id"] as? String == lambdaSub["id"] as? String)
        #expect(function["parent_id"] as? String == service["id"] as? String)
        let subs = function["subsegments"] as! [[String: Any]]
        #expect(subs.map { $0["name"] as! String } == ["Initialization", "Invocation"])
        #expect((subs[0]["end_time"] as! Double) == (subs[1]["start_time"] as! Double))
        let sql = (subs[1]["subsegments"] as! [[String: Any]])
        #expect(sql.count == 2)
        #expect(sql[0]["name"] as? String == "orders@orders-mysql")
        #expect(sql[0]["namespace"] as? String == "remote")
        #expect((sql[0]["sql"] as! [String: Any])["url"] as? String == "mysql://orders-mysql/orders")
        #expect((sql[0]["start_time"] as! Double) == 1704067201.132294)
        // 4xx/429/5xx flags.
        let throttled = docs.first {
            (($0["aws"] as? [String: Any])?["api_gateway"] as? [String: Any])?["request_id"] as? String
                == "a1000000-0000-4000-8000-000000000004"
        }!
        #expect(throttled["throttle"] as? Bool == true)
        #expect(throttled["error"] as? Bool == true)
        let timedOut = docs.first {
            $0["origin"] as? String == "AWS::Lambda::Function" && $0["name"] as? String == "payments-handler"
        }!
        #expect(timedOut["fault"] as? Bool == true)
        let cause = (timedOut["cause"] as! [String: Any])["exceptions"] as! [[String: Any]]
        #expect(cause[0]["type"] as? String == "Sandbox.Timedout")
    }

    static var jsonschemaAvailable: Bool { CLI.shell("python3 -c 'import jsonschema; print(1)' 2>/dev/null") == "1" }

    /// Whether the schema check can run; in CI (`.ci/run` installs
    /// jsonschema and sets LOGSTITCH_REQUIRE_TOOLS=1) its absence fails.
    static func jsonschemaReady() -> Bool {
        if jsonschemaAvailable { return true }
        #expect(ProcessInfo.processInfo.environment["LOGSTITCH_REQUIRE_TOOLS"] != "1", "Python's jsonschema is missing")
        print("skipped here: Python's jsonschema is not installed (.ci/run installs it)")
        return false
    }

    /// Each document of an NDJSON file checked against AWS's segment schema
    /// (Draft 4) by Python's jsonschema: "checked N bad M", after the problems.
    static func schemaCheck(_ ndjson: String) -> String {
        let out = makeTempDir()
        let schema = repoRoot + "/../shared/reference/xray-segmentdocument-schema-v1.0.0.json"
        let localSchema =
            FileManager.default.fileExists(atPath: schema)
            ? schema : repoRoot + "/testdata/xray-segmentdocument-schema-v1.0.0.json"
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            bad = 0
            n = 0
            for line in open(sys.argv[2]):
                n += 1
                errors = list(jsonschema.Draft4Validator(schema).iter_errors(json.loads(line)))
                bad += bool(errors)
                for e in errors: print(n, e.message)
            print("checked", n, "bad", bad)
            """
        write(out + "/check.py", Array(script.utf8))
        let result = CLI.shell("python3 '\(out)/check.py' '\(localSchema)' '\(ndjson)'")
        return result
    }

    @Test func segmentsPassAWSSchema() throws {
        guard Self.jsonschemaReady() else { return }
        let out = makeTempDir()
        _ = try ConvertJob.run(Self.options([Self.sample], out: out))
        let result = Self.schemaCheck(out + "/segments.ndjson")
        #expect(result.hasSuffix("checked 17 bad 0"), "\(result)")
    }

    @Test func sameBytesWhateverTheInputOrder() throws {
        let files = try InputDiscovery.expand([Self.sample]).map(\.path)
        let a = makeTempDir(), b = makeTempDir()
        var forward = Self.options(files, out: a)
        forward.otlp = true
        _ = try ConvertJob.run(forward)
        var reversed = Self.options(files.reversed(), out: b)
        reversed.jobs = 1
        reversed.otlp = true
        _ = try ConvertJob.run(reversed)
        for name in [
            "segments.ndjson", "requests.csv", "routes.csv", "functions.csv", "queries.csv", "rejects.csv",
            "report.html", "traces.otlp.jsonl",
        ] {
            let x = FileManager.default.contents(atPath: a + "/" + name)
            let y = FileManager.default.contents(atPath: b + "/" + name)
            #expect(x != nil && x == y, "\(name) differs")
        }
    }
}

extension ScenarioTests {
    /// `--db-function` widens the candidates, not the certainty: the UPDATE
    /// still has one invocation that can contain it, and a statement whose
    /// comment names an unknown trace is never attributed by time.
    @Test func declaredFunctionsDoNotMakeGuesses() {
        let files = try! InputDiscovery.expand([Self.sample])
        let scheduler = FileScheduler(files: files, progress: false)
        try! scheduler.run(jobs: 1, limits: ReaderLimits(), parse: Self.options([], out: "").parse)
        var options = CorrelationOptions()
        options.dbFunctions = [
            "orders-pg": ["orders-handler"], "orders-mysql": ["orders-handler", "payments-handler"],
        ]
        let m = Correlator(options: options).correlate(scheduler.parsed.map { $0! }, files: files)
        func q(_ prefix: String) -> QueryRecord { m.queries.first { $0.query.text.hasPrefix(prefix) }! }
        #expect(q("UPDATE stock").attribution == .time)
        #expect(q("SELECT * FROM orders WHERE id = 43").attribution == .none)
        #expect(q("SELECT customer_id").attribution == .none)
        #expect(q("SELECT id, sku, qty").attribution == .time)
    }
}
