import Foundation
import Testing

@testable import LogStitch

/// report.html (issue: viewers): self-contained, bounded, and rendered by a
/// real browser.
@Suite struct ReportPageTests {
    static var chromium: String? {
        for c in ["chromium", "chromium-browser", "google-chrome"] {
            let p = CLI.shell("command -v \(c) 2>/dev/null")
            if !p.isEmpty { return p }
        }
        return nil
    }

    /// Whether the browser check can run; in CI (`.ci/run` installs Debian's
    /// chromium and sets LOGSTITCH_REQUIRE_TOOLS=1) its absence fails.
    static func chromiumReady() -> String? {
        if let c = chromium { return c }
        #expect(ProcessInfo.processInfo.environment["LOGSTITCH_REQUIRE_TOOLS"] != "1", "chromium is missing")
        print("skipped here: chromium is not installed (.ci/run installs it)")
        return nil
    }

    /// The page's DOM after its script ran, and what its console printed.
    static func render(_ path: String, browser: String) -> (dom: String, console: [String]) {
        let profile = makeTempDir()
        let dom = makeTempDir() + "/dom.html", log = makeTempDir() + "/log.txt"
        _ = CLI.shell(
            "timeout 120 '\(browser)' --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir='\(profile)' "
                + "--enable-logging=stderr --v=0 --dump-dom 'file://\(path)' > '\(dom)' 2> '\(log)'")
        let text = String(decoding: FileManager.default.contents(atPath: dom) ?? Data(), as: UTF8.self)
        let console = String(decoding: FileManager.default.contents(atPath: log) ?? Data(), as: UTF8.self)
            .split(separator: "\n").filter { $0.contains("CONSOLE") }.map(String.init)
        return (text, console)
    }

    @Test func sampleReportRendersInChromiumWithTheSlowestTracesWaterfall() throws {
        let dir = makeTempDir()
        _ = try ConvertJob.run(ScenarioTests.options([ScenarioTests.sample], out: dir))
        let page = String(decoding: FileManager.default.contents(atPath: dir + "/report.html")!, as: UTF8.self)
        // Self-contained: nothing to fetch.
        #expect(
            !page.contains("<link") && !page.contains("src=") && !page.contains("url(") && !page.contains("@import"))
        // The run, and exact-percentile labels.
        #expect(page.contains("Records seen</th><td class=\"\">36"))
        #expect(page.contains("exact nearest-rank"))
        // The slowest trace is the timed-out payment, 3,020 ms; it heads the list.
        #expect(page.contains("id=\"trace-1-65920085-0000000000000000000000a3\""))
        guard let browser = Self.chromiumReady() else { return }
        let (dom, console) = Self.render(dir + "/report.html", browser: browser)
        #expect(console.isEmpty, "console: \(console)")
        // The rendered DOM: the slowest trace's waterfall, its rows in order.
        guard let at = dom.range(of: "<article class=\"trace\" id=\"trace-1-65920085-0000000000000000000000a3\">")
        else {
            Issue.record("the slowest trace's waterfall is not in the DOM (\(dom.utf8.count) bytes)")
            return
        }
        let article = dom[at.lowerBound...].prefix { _ in true }
        let end = article.range(of: "</article>")!.lowerBound
        let waterfall = String(article[..<end])
        #expect(waterfall.contains("#1 POST /payments"))
        #expect(waterfall.contains("invocation failed: Sandbox.Timedout"))
        #expect(waterfall.components(separatedBy: "class=\"row\"").count - 1 == 5)
        #expect(waterfall.contains("payments-handler · AWS::Lambda::Function"))
        // Its link from the slowest-traces table, and the query class linked to its trace.
        #expect(dom.contains("href=\"#trace-1-65920085-0000000000000000000000a3\""))
        #expect(dom.contains("href=\"#trace-1-65920081-8f1c6d2a4b3e5f6a7b8c9d01\""))
    }

    /// Thousands of routes and classes, and 50 traces of 600 statements
    /// with long texts: the page stays under 5 MB and keeps every section.
    @Test func reportStaysUnderFiveMegabytesWhateverTheInput() {
        var totals = ReportAccumulator()
        for i in 0..<5_000 {
            let slot = totals.routes.slot(
                .init(stage: "prod", method: "GET", route: "/r/\(i)/" + String(repeating: "x", count: 200)), .init())
            totals.routes.update(at: slot) { r in
                r.requests = i + 1
                for v in 0..<30 { r.latency.add(Int64(v * 1000 + i)) }
            }
            let q = totals.queries.slot(
                .init(fingerprintId: String(i), engine: "MySQL", instance: "db", database: "shop"), .init())
            totals.queries.update(at: q) { c in
                c.fingerprint = "select " + String(repeating: "c, ", count: 1000) + "\(i)"
                c.count = 1
                c.totalUs = Int64(i)
                c.duration.add(Int64(i))
            }
        }
        var slowest = SlowestTraces()
        for t in 0..<60 {
            slowest.add(.init(durationUs: Int64(t) * 1000, traceId: Self.traceId(t), documents: Self.bigTrace(t)))
        }
        let report = HTMLReport(
            summary: RunSummary(files: [], wallTimeMicros: 0), totals: totals,
            counts: CorrelationCounts(), slowest: slowest)
        let bytes = report.bytes()
        #expect(bytes.count <= HTMLReport.maxBytes, "\(bytes.count) bytes")
        let page = String(decoding: bytes, as: UTF8.self)
        #expect(page.components(separatedBy: "<article class=\"trace\"").count - 1 == 50)
        #expect(page.contains("4800 more routes in routes.csv"))
        #expect(page.contains("4800 more classes in queries.csv"))
        #expect(page.contains("500 more entities"))
    }

    static func traceId(_ t: Int) -> String {
        "1-65920085-" + String(String(repeating: "0", count: 24) + String(t, radix: 16)).suffix(24)
    }

    /// A gateway document with 599 statements under it.
    static func bigTrace(_ t: Int) -> [UInt8] {
        let start = 1_704_067_200.0 + Double(t)
        var subs: [[String: Any]] = []
        for i in 0..<599 {
            subs.append([
                "id": String(format: "%016x", t * 10_000 + i + 1), "name": "shop@db", "namespace": "remote",
                "start_time": start + Double(i) / 10000, "end_time": start + Double(i + 1) / 10000,
                "sql": ["database_type": "MySQL", "sanitized_query": String(repeating: "select ?, ", count: 200)],
                "metadata": ["rds_slow_query": ["fingerprint": String(repeating: "select ?, ", count: 200)]],
            ])
        }
        let doc: [String: Any] = [
            "id": String(format: "%016x", 0xA000 + t), "name": "api/prod", "trace_id": traceId(t),
            "start_time": start, "end_time": start + 1, "origin": "AWS::ApiGateway::Stage",
            "subsegments": subs,
        ]
        return Array(try! JSONSerialization.data(withJSONObject: doc)) + [0x0A]
    }
}

/// `logstitch show` (issue: viewers): any id a user holds finds the trace.
@Suite struct ShowCommandTests {
    static func converted() throws -> String {
        let dir = makeTempDir()
        _ = try ConvertJob.run(ScenarioTests.options([ScenarioTests.sample], out: dir))
        return dir
    }

    @Test func everyKindOfIdPrintsTheSameWaterfall() throws {
        let dir = try Self.converted()
        let ids = [
            "1-65920081-8f1c6d2a4b3e5f6a7b8c9d01",  // X-Ray
            "659200818f1c6d2a4b3e5f6a7b8c9d01",  // OTLP
            "a1000000-0000-4000-8000-000000000001",  // API Gateway request id
            "3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a01",  // Lambda request id
        ]
        let outputs = ids.map { CLI.run(["show", $0, "--output", dir, "--width", "100"]) }
        for (id, r) in zip(ids, outputs) {
            #expect(r.status == 0, "\(id): \(r.stderr)")
            #expect(r.stdout == outputs[0].stdout)
        }
        let text = outputs[0].stdout
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "trace 1-65920081-8f1c6d2a4b3e5f6a7b8c9d01  GET /orders/{orderId}  912 ms  HTTP 200")
        #expect(text.contains("why: 2 statements in all — 550.118 ms (60.3%)"))
        // Indented by parent, the cold start marked, every bar within the width.
        let rows = lines.filter { $0.contains(" |") && $0.hasSuffix("ms") }
        #expect(rows.count == 8)
        #expect(rows[0].hasPrefix("a1b2c3d4e5/prod "))
        #expect(rows[1].hasPrefix("  Lambda "))
        #expect(rows[3].hasPrefix("      [cold start] orders-han"))
        #expect(rows.allSatisfy { $0.count == 100 })
        #expect(rows[6].hasSuffix("+132.294 400.118 ms"))
        #expect(text.contains("1. orders@orders-mysql 400.118 ms: select * from orders where id = ?"))
    }

    @Test func errorsAreMarked() throws {
        let dir = try Self.converted()
        let r = CLI.run(["show", "a1000000-0000-4000-8000-000000000005", "-o", dir, "--width", "90"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("[fault] a1b2c3d4e5/prod"))
        #expect(r.stdout.contains("why: invocation failed: ValidationError — 36 ms (75%)"))
    }

    @Test func aMissingIdExitsOneAndSaysWhere() throws {
        let dir = try Self.converted()
        let r = CLI.run(["show", "1-65920081-000000000000000000000000", "-o", dir])
        #expect(r.status == 1)
        #expect(
            r.stderr.contains(
                "no document in \(dir)/segments.ndjson belongs to trace 1-65920081-000000000000000000000000 (17 lines searched)"
            ))
        let none = CLI.run(["show", "abc", "-o", makeTempDir()])
        #expect(none.status == 1)
        #expect(none.stderr.contains("holds no segments.ndjson"))
        #expect(CLI.run(["show", "a\"b", "-o", dir]).status == 2)
    }

    @Test func compressedSegmentsAreSearchedToo() throws {
        let dir = makeTempDir()
        var o = ScenarioTests.options([ScenarioTests.sample], out: dir)
        o.compress = true
        _ = try ConvertJob.run(o)
        let r = CLI.run(["show", "659200818f1c6d2a4b3e5f6a7b8c9d01", "-o", dir, "--width", "100"])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("trace 1-65920081-8f1c6d2a4b3e5f6a7b8c9d01"))
    }
}

/// The pieces the views share.
@Suite struct TraceViewPartsTests {
    @Test func slowestTracesKeepFiftyWhateverTheOrder() {
        let traces = (0..<500).map {
            SlowestTraces.Trace(durationUs: Int64($0 % 97) * 10, traceId: String(format: "t%04d", $0), documents: [])
        }
        var forward = SlowestTraces(), backward = SlowestTraces(), merged = SlowestTraces()
        for t in traces { forward.add(t) }
        for t in traces.reversed() { backward.add(t) }
        var a = SlowestTraces(), b = SlowestTraces()
        for (i, t) in traces.enumerated() { if i % 2 == 0 { a.add(t) } else { b.add(t) } }
        merged.merge(b)
        merged.merge(a)
        #expect(forward.traces.count == 50)
        #expect(forward.traces == backward.traces)
        #expect(forward.traces == merged.traces)
        #expect(forward.traces[0].durationUs == 960)
        #expect(forward.traces[0].traceId == "t0096")
    }

    @Test func timelineStepsGatherMinutes() {
        var t = Timeline()
        var other = Timeline()
        // 3 hours, a request each minute, latency = minute index ms.
        for m in 0..<180 {
            let start = EpochMicros(1_704_067_200_000_000) + EpochMicros(m) * Timeline.minuteMicros + 1
            let q = ApiGatewayRequest(method: "GET", route: "/")
            q.start = start
            q.responseLatencyMs = Int64(m)
            q.status = m % 10 == 0 ? 500 : 200
            if m % 2 == 0 { t.add(request: q) } else { other.add(request: q) }
        }
        t.merge(other)
        let (step, steps) = t.steps(points: 60)
        #expect(step == 5)
        #expect(steps.count == 36)
        #expect(steps.allSatisfy { $0.1.requests == 5 })
        #expect(steps[0].1.latency.percentiles([50])[0] == 2000)
        #expect(steps[0].1.errors == 1)
        #expect(t.range?.first == 1_704_067_200_000_001)
    }
}
