import Foundation
import Testing

@testable import LogStitch

/// Whatever a record holds, the documents X-Ray gets are valid: ids are
/// bounded (a longer one rejects its record), names hold only what the
/// schema allows, free text is cut with a marker (issue: faults, item 8).
@Suite struct DocumentBoundsTests {
    @Test func oversizedAndOddValuesNeverMakeAnInvalidDocument() throws {
        let dir = makeTempDir()
        let longId = String(repeating: "a", count: 70_000)
        let lines = [
            "{\"requestId\":\"\(longId)\",\"httpMethod\":\"GET\",\"status\":\"200\",\"requestTimeEpoch\":\"1704067200000\"}",
            "{\"requestId\":\"r-tab\",\"apiId\":\"ab\\tcd\",\"stage\":\"prod\",\"httpMethod\":\"GET\",\"status\":\"200\",\"requestTimeEpoch\":\"1704067201000\"}",
            "{\"requestId\":\"r-method\",\"httpMethod\":\"\(String(repeating: "G", count: 300))\",\"status\":\"200\",\"requestTimeEpoch\":\"1704067202000\"}",
            "{\"requestId\":\"r-error\",\"httpMethod\":\"GET\",\"status\":\"502\",\"requestTimeEpoch\":\"1704067203000\",\"errorMessage\":\"\(String(repeating: "é", count: 40_000))\"}",
        ]
        write(dir + "/in/access.log", Array((lines.joined(separator: "\n") + "\n").utf8))
        write(
            dir + "/in/aws/lambda/f/2024/01/01/[$LATEST]0123456789abcdef0123456789abcdef/x.log",
            Array("START RequestId: \(longId) Version: $LATEST\n".utf8))
        let r = CLI.run(["convert", "--output", dir + "/out", dir + "/in"])
        #expect(r.status == 3, "\(r.stderr)")
        let rejects = try String(contentsOfFile: dir + "/out/rejects.csv", encoding: .utf8)
        #expect(rejects.contains("API Gateway requestId longer than 128 bytes"))
        #expect(rejects.contains("Lambda request id longer than 128 bytes"))
        let docs = try String(contentsOfFile: dir + "/out/segments.ndjson", encoding: .utf8).split(separator: "\n")
        #expect(docs.count == 3)
        #expect(docs.allSatisfy { $0.utf8.count <= SegmentDocumentWriter.maxDocumentBytes })
        let parsed = try docs.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(parsed.contains { ($0["name"] as? String) == "ab_cd/prod" })
        let methods = parsed.compactMap {
            (($0["http"] as? [String: Any])?["request"] as? [String: Any])?["method"] as? String
        }
        #expect(methods.allSatisfy { $0.count <= 250 })
        let message = parsed.compactMap {
            (($0["metadata"] as? [String: Any])?["logstitch"] as? [String: Any])?["error_message"] as? String
        }.first
        #expect(message?.hasSuffix("…[truncated]") == true)
        #expect((message?.utf8.count ?? 0) <= SegmentDocumentWriter.maxTextBytes + 20)
        let v = CLI.run(["validate", dir + "/out/segments.ndjson"])
        #expect(v.status == 0, "\(v.stdout)")
        if ScenarioTests.jsonschemaReady() {
            #expect(ScenarioTests.schemaCheck(dir + "/out/segments.ndjson").hasSuffix("checked 3 bad 0"))
        }
        // The validator and AWS's schema agree: a tab is not allowed in a name.
        #expect(!SegmentValidator.validName("ab\tcd/prod"))
        #expect(SegmentValidator.validName("ab cd/prod"))
    }
}

/// Overlapping inputs give what one copy gives (issue: faults, item 8).
@Suite struct OverlapTests {
    @Test func theSameSlowLogTwiceIsTheSlowLogOnce() throws {
        let dir = makeTempDir()
        let sample = repoRoot + "/testdata/sample"
        let fmt = "@" + repoRoot + "/testdata/apigw-staging-format.txt"
        let once = CLI.run(["convert", "--output", dir + "/once", "--apigw-format", fmt, sample])
        // A second copy of every slow log, elsewhere.
        for f in try InputDiscovery.expand([sample]).map(\.path) where f.contains("/aws/rds/") {
            let copy = dir + "/copy/" + f.dropFirst(sample.count)
            write(copy, [UInt8](FileManager.default.contents(atPath: f)!))
        }
        let twice = CLI.run(["convert", "--output", dir + "/twice", "--apigw-format", fmt, sample, dir + "/copy"])
        #expect(once.status == twice.status)
        for name in ["segments.ndjson", "queries.csv", "requests.csv"] {
            let a = FileManager.default.contents(atPath: dir + "/once/" + name)
            let b = FileManager.default.contents(atPath: dir + "/twice/" + name)
            #expect(a != nil && a == b, "\(name) differs")
        }
        let v = CLI.run(["validate", dir + "/twice/segments.ndjson"])
        #expect(v.status == 0, "\(v.stdout)")
    }

    /// One request id naming two requests hours apart (two windows) under
    /// the trace header they were both sent with: two documents with ids of
    /// their own, never one id twice in the trace.
    @Test func oneRequestIdTwiceHoursApartKeepsIdsUnique() throws {
        let dir = makeTempDir()
        func line(_ epochMs: Int64) -> String {
            "{\"requestId\":\"a1000000-0000-4000-8000-000000000001\",\"requestTimeEpoch\":\"\(epochMs)\",\"httpMethod\":\"GET\","
                + "\"resourcePath\":\"/orders\",\"status\":\"200\",\"responseLatency\":\"12\",\"xrayTraceId\":\"1-65920081-8f1c6d2a4b3e5f6a7b8c9d01\","
                + "\"stage\":\"prod\",\"apiId\":\"a1b2c3d4e5\"}"
        }
        write(
            dir + "/in/access.log",
            Array((line(1_704_067_201_000) + "\n" + line(1_704_067_201_000 + 5 * 3_600_000) + "\n").utf8))
        let r = CLI.run(["convert", "--output", dir + "/out", dir + "/in"])
        #expect(r.status == 0, "\(r.stderr)")
        let docs = try String(contentsOfFile: dir + "/out/segments.ndjson", encoding: .utf8).split(separator: "\n")
        let parsed = try docs.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(parsed.count == 2)
        #expect(Set(parsed.compactMap { $0["id"] as? String }).count == 2)
        #expect(Set(parsed.compactMap { $0["trace_id"] as? String }) == ["1-65920081-8f1c6d2a4b3e5f6a7b8c9d01"])
        let v = SegmentValidator.validate(
            ndjson: [UInt8](FileManager.default.contents(atPath: dir + "/out/segments.ndjson")!))
        #expect(!v.problems.contains { $0.message.contains("is not unique in trace") })
    }

    @Test func anIdTwiceInATraceIsFoundInMemoryAndOnDisk() throws {
        let t = "1-5759e988-bd862e3fe1be46a994272793"
        let docs = [
            #"{"name":"a","id":"00000000000000a1","trace_id":"\#(t)","start_time":1704067200,"end_time":1704067201}"#,
            #"{"name":"b","id":"00000000000000b2","trace_id":"\#(t)","start_time":1704067200,"end_time":1704067201,"parent_id":"00000000000000a1"}"#,
            #"{"name":"c","id":"00000000000000b2","trace_id":"\#(t)","start_time":1704067200,"end_time":1704067201,"parent_id":"00000000000000ff"}"#,
        ]
        let dir = makeTempDir()
        write(dir + "/s.ndjson", Array((docs.joined(separator: "\n") + "\n").utf8))
        for budget in [1, 1 << 20] {
            let r = try SegmentValidator.validate(path: dir + "/s.ndjson", budget: budget)
            #expect(r.invalidDocuments == 1)
            #expect(
                r.problems.map(\.message) == [
                    "id 00000000000000b2 is not unique in trace \(t) (also on line 2)",
                    "parent_id 00000000000000ff is not an id in trace \(t)",
                ])
            #expect(r.problems.map(\.line) == [3, 3])
        }
    }

    @Test func twoRootsInATraceAreCounted() {
        let a =
            #"{"name":"a","id":"0000000000000001","trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":1704067200,"end_time":1704067201}"#
        let b =
            #"{"name":"b","id":"0000000000000002","trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":1704067200,"end_time":1704067201}"#
        let report = SegmentValidator.validate(ndjson: Array((a + "\n" + b + "\n").utf8))
        #expect(report.invalidTraces == 1)
        #expect(report.problems.contains { $0.message.contains("has 2 root segments") })
    }
}

/// `validate` reads a file as a stream (a line at a time, plain or gzip)
/// and finds what reading it whole finds (issue: faults, item 11).
@Suite struct StreamingValidateTests {
    @Test func streamingFindsWhatWholeReadingFinds() throws {
        var text = ""
        for i in 0..<30_000 {
            let trace = String(format: "1-5759e988-%024x", i / 3)
            let id = String(format: "%016x", i % 29_000)  // repeats: duplicate ids
            let parent = i % 3 == 0 ? "" : ",\"parent_id\":\"\(String(format: "%016x", i - i % 3))\""
            let name = i % 997 == 0 ? "bad\\tname" : "svc"
            // Children inside their root's time: [t, t + 3] holds [t + 1, t + 2].
            let t = 1_700_000_000 + (i / 3) * 10, child = i % 3 == 0 ? 0 : 1
            text +=
                "{\"name\":\"\(name)\",\"id\":\"\(id)\",\"trace_id\":\"\(trace)\",\"start_time\":\(t + child),\"end_time\":\(t + 3 - 2 * child)\(parent)}\n"
        }
        let dir = makeTempDir()
        let bytes = Array(text.utf8)
        write(dir + "/s.ndjson", bytes)
        write(dir + "/s.ndjson.gz", gzip(bytes))
        let whole = SegmentValidator.validate(ndjson: bytes)
        #expect(whole.documents == 30_000)
        // The figures the in-memory validator gave before the trace-level
        // records were partitioned: 31 bad names, 2 zero ids, 668 children
        // past id 29,000 whose parent's id wrapped around; 700 documents.
        #expect(whole.invalidDocuments == 700)
        #expect(whole.problems.filter { $0.message.contains("has characters X-Ray rejects") }.count == 31)
        #expect(whole.problems.filter { $0.message.contains("is not an id in trace") }.count == 668)
        #expect(whole.invalidTraces == 0)
        // Whole, streamed, and streamed with the trace-level records going
        // to temporary files every 1,000 (the default holds a million).
        for (f, budget) in [("/s.ndjson", 1 << 20), ("/s.ndjson.gz", 1 << 20), ("/s.ndjson", 1000)] {
            let streamed = try SegmentValidator.validate(path: dir + f, budget: budget)
            #expect(streamed.documents == whole.documents)
            #expect(streamed.invalidDocuments == whole.invalidDocuments)
            #expect(streamed.invalidTraces == whole.invalidTraces)
            #expect(streamed.problems.map(\.message) == whole.problems.map(\.message))
            #expect(streamed.problems.map(\.line) == whole.problems.map(\.line))
        }
    }
}
