import Foundation
import Testing

@testable import LogStitch

/// API Gateway access logs beyond REST and HTTP APIs on one line each:
/// WebSocket APIs (route keys, event types, connections, no HTTP method)
/// and JSON pretty-printed as the console shows it. Fixtures in
/// testdata/apigateway, after AWS's WebSocket logging variables.
@Suite struct ApiGatewayVariantTests {
    @Test func webSocketMessagesKeepTheirRouteAndInventNoMethod() throws {
        let dir = makeTempDir()
        let r = CLI.run(["convert", "--output", dir + "/out", repoRoot + "/testdata/apigateway/websocket-access.log"])
        #expect(r.status == 0, "\(r.stderr)")
        let docs = try String(contentsOfFile: dir + "/out/segments.ndjson", encoding: .utf8).split(separator: "\n").map
        {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        #expect(docs.count == 4)
        for d in docs {
            let http = d["http"] as! [String: Any]
            let request = http["request"] as! [String: Any]
            #expect(request["method"] == nil)
            #expect(request["url"] as? String == "wss://k3x9q2z7y1.execute-api.eu-west-1.amazonaws.com/production")
            #expect(d["origin"] as? String == "AWS::ApiGateway::Stage")
        }
        let meta = docs.map { (($0["metadata"] as! [String: Any])["logstitch"] as! [String: Any]) }
        #expect(meta.map { $0["route"] as? String } == ["$connect", "sendmessage", "$default", "$disconnect"])
        #expect(meta.map { $0["event_type"] as? String } == ["CONNECT", "MESSAGE", "MESSAGE", "DISCONNECT"])
        #expect(meta.allSatisfy { $0["connection_id"] as? String == "ZLMqWdZ4IAMCJBA=" })
        let rows = try String(contentsOfFile: dir + "/out/requests.csv", encoding: .utf8).split(separator: "\n")
            .dropFirst()
        let methods = rows.map { $0.split(separator: ",", omittingEmptySubsequences: false)[3] }
        #expect(methods == ["", "", "", ""])
        let v = CLI.run(["validate", dir + "/out/segments.ndjson"])
        #expect(v.status == 0, "\(v.stdout)\(v.stderr)")
    }

    @Test func prettyPrintedObjectsAreReadWhole() throws {
        let text = try String(contentsOfFile: repoRoot + "/testdata/apigateway/console-pretty.json", encoding: .utf8)
        let (out, outcomes) = parseRaw(text)
        #expect(outcomes.count == 23)
        #expect(outcomes.filter { $0 == .ignored }.count == 21)
        #expect(outcomes[12] == .parsed(.apiGateway))
        #expect(outcomes[22] == .parsed(.apiGateway))
        #expect(
            out.requests.map(\.requestId) == [
                "a1000000-0000-4000-8000-0000000000c1", "a1000000-0000-4000-8000-0000000000c2",
            ])
        #expect(out.requests.map(\.line) == [1, 14])
        #expect(out.requests.map(\.status) == [200, 201])
        #expect(out.requests[0].responseLatencyMs == 912)
        #expect(out.requests[0].route == "/orders/{orderId}")
    }

    @Test func anObjectThatNeverClosesIsRejectedOnce() {
        var parser = try! LogRecordParser(options: ParseOptions())
        parser.beginFile(InputFile(index: 0, path: "access.log"))
        var outcomes: [RecordOutcome] = []
        for (i, l) in ["{", "  \"requestId\": \"x\",", "  \"status\": \"200\""].enumerated() {
            outcomes.append(
                withBytes(l) {
                    parser.consume(
                        LogRecord(file: 0, line: i + 1, timestamp: nil, logGroup: nil, logStream: nil, message: $0))
                })
        }
        parser.endFile()
        #expect(outcomes == [.ignored, .ignored, .ignored])
        let late = parser.takeLateRejects()
        #expect(late.count == 1)
        #expect(late.first?.kind == nil)
        #expect(late.first?.line == 1)
        #expect(late.first?.reason == "JSON object cut off at the end of the file (its braces never close)")
    }

    /// `$context.error.responseType`, the gateway's own reason for an error
    /// it answered (the gateway response types AWS documents:
    /// INTEGRATION_TIMEOUT, THROTTLED, DEFAULT_5XX, …), as logged by a JSON
    /// format with `"responseType":"$context.error.responseType"`; `-` is
    /// no value. In requests.csv's `error_response_type` and the stage
    /// segment's metadata (issue: structure, item 6).
    @Test func gatewayResponseTypes() throws {
        let dir = makeTempDir()
        let r = CLI.run(["convert", "--output", dir, repoRoot + "/testdata/apigateway/gateway-responses.log"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try String(contentsOfFile: dir + "/requests.csv", encoding: .utf8).split(separator: "\n").map(
            String.init)
        let header = rows[0].split(separator: ",").map(String.init)
        let col = try #require(header.firstIndex(of: "error_response_type"))
        #expect(col == header.count - 1)
        let values = rows.dropFirst().map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)[col]
        }
        #expect(values == ["INTEGRATION_TIMEOUT", "THROTTLED", ""])
        let docs = try String(contentsOfFile: dir + "/segments.ndjson", encoding: .utf8)
        #expect(docs.contains(#""error_response_type":"INTEGRATION_TIMEOUT""#))
        let template = try ApiGatewayTemplate(
            #"{"requestId":"$context.requestId","responseType":"$context.error.responseType"}"#)
        if case .json(let keys) = template.kind {
            #expect(keys["responseType"] == .errorResponseType)
        } else {
            Issue.record("not JSON")
        }
    }
}
