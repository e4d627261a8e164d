import Foundation
import Testing

@testable import LogStitch

/// The views' small parts, one by one.
@Suite struct TraceViewUnitTests {
    static func entity(
        _ id: String, parent: String?, name: String, start: Int64, end: Int64, origin: String? = nil,
        namespace: String? = nil, fields: [(String, String)] = []
    ) -> TraceEntity {
        var e = TraceEntity(
            id: id, traceId: "1-65920081-8f1c6d2a4b3e5f6a7b8c9d01", name: name, start: start, end: end,
            isSegment: parent == nil)
        e.parentId = parent
        e.origin = origin
        e.namespace = namespace
        e.fields = fields.map { (key: $0.0, value: $0.1) }
        e.classify()
        return e
    }

    /// A request of 1,000 ms: 600 ms of cold start, 300 ms in one statement.
    static func coldTrace(status: String = "200") -> TraceWaterfall {
        let us: Int64 = 1_000
        return TraceWaterfall(documents: [
            [
                entity(
                    "a", parent: nil, name: "api/prod", start: 0, end: 1000 * us, origin: "AWS::ApiGateway::Stage",
                    fields: [
                        ("http.request.method", "GET"), ("annotations.route", "/x"), ("http.response.status", status),
                    ]),
                entity("b", parent: "a", name: "Lambda", start: 10 * us, end: 990 * us, namespace: "aws"),
            ],
            [entity("c", parent: "b", name: "f", start: 20 * us, end: 980 * us, origin: "AWS::Lambda")],
            [
                entity(
                    "d", parent: "c", name: "f", start: 620 * us, end: 980 * us, origin: "AWS::Lambda::Function",
                    fields: [("annotations.cold_start", "true")]),
                entity("e", parent: "d", name: "Initialization", start: 20 * us, end: 620 * us),
                entity("g", parent: "d", name: "Invocation", start: 620 * us, end: 970 * us),
                entity(
                    "h", parent: "g", name: "db@i", start: 640 * us, end: 940 * us, namespace: "remote",
                    fields: [
                        ("sql.database_type", "MySQL"), ("metadata.rds_slow_query.fingerprint", "select * from t"),
                    ]),
            ],
        ])
    }

    @Test func rolesComeFromOriginNamespaceAndName() {
        let w = Self.coldTrace()
        #expect(
            w.rows.map(\.entity.role) == [
                .apiGateway, .lambdaInvoke, .lambdaService, .lambdaFunction, .initialization, .invocation, .statement,
            ])
        #expect(w.rows.map(\.depth) == [0, 1, 2, 3, 4, 4, 5])
        #expect(w.title == "GET /x")
        #expect(w.route == "/x")
        #expect(w.durationUs == 1_000_000)
    }

    @Test func reasonsAreTheSharesOfATenthOrMoreLargestFirst() {
        let r = Self.coldTrace().reasons
        #expect(r.map(\.kind) == [.coldStart, .slowStatement])
        #expect(r[0].durationUs == 600_000)
        #expect(r[0].detail == "cold start: Initialization")
        #expect(r[1].detail == "slow statement: select * from t")
        // The function's own code (350 − 300 ms) and the integration (1,000 − 960 ms) are under a tenth.
    }

    @Test func aThrottledRequestSaysSo() {
        let w = TraceWaterfall(documents: [
            [
                Self.entity(
                    "a", parent: nil, name: "api/prod", start: 0, end: 2000, origin: "AWS::ApiGateway::Stage",
                    fields: [("http.response.status", "429")])
            ]
        ])
        #expect(w.reasons.map(\.kind) == [.throttle])
        #expect(w.status == "429")
    }

    @Test func labelsNameTheLambdaSegmentsAndStatementsFingerprints() {
        let rows = Self.coldTrace().rows.map { TraceWaterfall.label($0.entity) }
        #expect(rows[2] == "f · AWS::Lambda")
        #expect(rows[3] == "f · AWS::Lambda::Function (cold start)")
        #expect(rows[6] == "db@i: select * from t")
    }

    @Test func textWaterfallBarsFitTheWidthAndSitInTime() {
        let text = TextWaterfall(Self.coldTrace(), width: 80).render()
        let rows = text.split(separator: "\n").filter { $0.contains(" |") && $0.hasSuffix(" ms") }
        #expect(rows.count == 7)
        #expect(rows.allSatisfy { $0.count == 80 })
        // The statement's bar starts about 64% of the way in.
        let bar = rows[6].split(separator: "|", omittingEmptySubsequences: false)[1]
        let first = bar.firstIndex(of: "█").map { bar.distance(from: bar.startIndex, to: $0) } ?? -1
        #expect(abs(Double(first) / Double(bar.count) - 0.64) < 0.05)
        #expect(rows[3].contains("[cold start] f"))
        #expect(text.contains("why: cold start: Initialization — 600 ms (60%)"))
    }

    @Test func idsAreReadInEitherFormOrAsRequestIds() {
        #expect(
            TraceFinder.query("1-65920081-8f1c6d2a4b3e5f6a7b8c9d01") == .traceId("1-65920081-8f1c6d2a4b3e5f6a7b8c9d01"))
        #expect(
            TraceFinder.query("659200818F1C6D2A4B3E5F6A7B8C9D01") == .traceId("1-65920081-8f1c6d2a4b3e5f6a7b8c9d01"))
        #expect(TraceFinder.query(" abc-123 ") == .requestId("abc-123"))
        #expect(TraceFinder.query("") == nil)
        #expect(TraceFinder.query("a\\b") == nil)
        #expect(TraceFinder.query(String(repeating: "x", count: 300)) == nil)
    }

    @Test func htmlEscapesWhatMarkupReads() {
        #expect(HTML.escape("plain /orders/{id}") == "plain /orders/{id}")
        #expect(HTML.escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
    }

    @Test func chartScalesAndLabels() {
        #expect(SVGChart.niceCeiling(7) == 10)
        #expect(SVGChart.niceCeiling(2200) == 2500)
        #expect(SVGChart.niceCeiling(0.3) == 0.5)
        #expect(SVGChart.number(2.25) == "2.3" || SVGChart.number(2.25) == "2.2")
        #expect(SVGChart.number(1250) == "1250")
        #expect(SVGChart.timeLabel(1_704_067_260_000_000, step: 60_000_000) == "00:01")
        #expect(SVGChart.timeLabel(1_704_067_260_000_000, step: 86_400_000_000) == "2024-01-01")
        #expect(SVGChart.overTime([], step: 1, [], unit: "x").contains("No timed records"))
    }

    @Test func histogramBucketsByMilliseconds() {
        var d = ExactDistribution()
        for v: Int64 in [500, 1_500, 1_500, 40_000, 40_000_000] { d.add(v) }
        let svg = SVGChart.histogram(d)
        #expect(svg.contains("<title>0–1 ms: 1</title>"))
        #expect(svg.contains("<title>1–2 ms: 2</title>"))
        #expect(svg.contains("<title>20–50 ms: 1</title>"))
        #expect(svg.contains("<title>30000–∞ ms: 1</title>"))
    }

    @Test func reportNumbersAreGroupedAndShared() {
        #expect(HTMLReport.count(1_234_567) == "1,234,567")
        #expect(HTMLReport.count(999) == "999")
        #expect(HTMLReport.percent(431, 39_478) == "1.1%")
        #expect(HTMLReport.percent(1, 0) == "–")
        #expect(HTMLReport.bytes(4039) == "3.9 KiB")
        #expect(HTMLReport.bytes(3 << 30) == "3 GiB")
    }

    @Test func linesAreReadPlainOrGzippedWithOrWithoutAFinalNewline() throws {
        let dir = makeTempDir()
        write(dir + "/a.txt", Array("one\ntwo\nthree".utf8))
        _ = CLI.shell("printf 'one\\ntwo\\nthree\\n' | gzip > '\(dir)/b.gz'")
        for name in ["a.txt", "b.gz"] {
            var seen: [String] = []
            try LineFile.forEachLine(path: dir + "/" + name) { line, n in
                seen.append("\(n):" + String(decoding: line, as: UTF8.self))
                return true
            }
            #expect(seen == ["1:one", "2:two", "3:three"], "\(name)")
        }
        var first: [String] = []
        try LineFile.forEachLine(path: dir + "/a.txt") { line, _ in
            first.append(String(decoding: line, as: UTF8.self))
            return false
        }
        #expect(first == ["one"])
    }

    @Test func documentsThatAreNotSegmentsAreSkippedAndCounted() {
        let text = Array(
            ("{\"id\":\"0000000000000001\",\"name\":\"x\",\"trace_id\":\"1-65920081-8f1c6d2a4b3e5f6a7b8c9d01\",\"start_time\":1.5}\n"
                + "not json\n{\"name\":\"no id\",\"start_time\":1}\n{\"id\":\"2\",\"name\":\"y\"} trailing\n").utf8)
        var skipped = 0
        let docs = text.withUnsafeBytes { XRayDocumentReader.entities(ndjson: $0, skipped: &skipped) }
        #expect(docs.count == 1)
        #expect(skipped == 3)
        #expect(docs[0][0].start == 1_500_000 && docs[0][0].end == 1_500_000)
    }

    /// Subsegments listed before their document's own id and trace id are
    /// linked all the same.
    @Test func subsegmentsBeforeTheirParentsIdsAreLinked() {
        let line = Array(
            ("{\"subsegments\":[{\"id\":\"00000000000000b1\",\"name\":\"Invocation\",\"start_time\":2,\"end_time\":3,"
                + "\"subsegments\":[{\"id\":\"00000000000000c1\",\"name\":\"q\",\"start_time\":2.5,\"end_time\":2.75}]}],"
                + "\"id\":\"00000000000000a1\",\"name\":\"f\",\"trace_id\":\"1-65920081-8f1c6d2a4b3e5f6a7b8c9d01\","
                + "\"start_time\":1,\"end_time\":4,\"origin\":\"AWS::Lambda::Function\"}").utf8)
        let e = line.withUnsafeBytes { XRayDocumentReader.entities($0) }!
        #expect(e.map(\.id) == ["00000000000000a1", "00000000000000b1", "00000000000000c1"])
        #expect(e.map(\.parentId) == [nil, "00000000000000a1", "00000000000000b1"])
        #expect(e.allSatisfy { $0.traceId == "1-65920081-8f1c6d2a4b3e5f6a7b8c9d01" })
        #expect(e[2].start == 2_500_000 && e[2].end == 2_750_000)
    }
}
