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
        write(dir + "/in/aws/lambda/f/2024/01/01/[$LATEST]0123456789abcdef0123456789abcdef/x.log",
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
        let methods = parsed.compactMap { (($0["http"] as? [String: Any])?["request"] as? [String: Any])?["method"] as? String }
        #expect(methods.allSatisfy { $0.count <= 250 })
        let message = parsed.compactMap { (($0["metadata"] as? [String: Any])?["logstitch"] as? [String: Any])?["error_message"] as? String }.first
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

    @Test func twoRootsInATraceAreCounted() {
        let a = #"{"name":"a","id":"0000000000000001","trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":1,"end_time":2}"#
        let b = #"{"name":"b","id":"0000000000000002","trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":1,"end_time":2}"#
        let report = SegmentValidator.validate(ndjson: Array((a + "\n" + b + "\n").utf8))
        #expect(report.invalidTraces == 1)
        #expect(report.problems.contains { $0.message.contains("has 2 root segments") })
    }
}
