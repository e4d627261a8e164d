import Testing
@testable import LogStitch

/// The stage segment's `http.request.url`: the stage's beginning, made once
/// per stage, and the request's path.
@Suite struct SegmentURLTests {
    let writer = SegmentDocumentWriter(model: TraceModel(), options: CorrelationOptions())

    func url(domain: String? = nil, apiId: String? = "a1b2c3d4e5", stage: String? = "prod", path: String? = nil, route: String? = nil) -> (text: String, written: String) {
        let q = ApiGatewayRequest(apiId: apiId, stage: stage, route: route, path: path, domainName: domain)
        var w = JSONWriter()
        w.beginObject()
        writer.urlField(&w, q, writer.stageInfo(q))
        w.endObject()
        let written = String(decoding: w.bytes, as: UTF8.self)
        // The value, when it needed no escaping.
        let text = written.hasPrefix(#"{"url":""#) && written.hasSuffix(#""}"#) ? String(written.dropFirst(8).dropLast(2)) : written
        return (text, written)
    }

    @Test func pathRouteStageAndHost() {
        #expect(url(path: "/prod/orders/42").written == #"{"url":"https://a1b2c3d4e5.execute-api.amazonaws.com/prod/orders/42"}"#)
        #expect(url(route: "/orders/{id}").text == "https://a1b2c3d4e5.execute-api.amazonaws.com/prod/orders/{id}")
        #expect(url(stage: "$default", route: "/pets").text == "https://a1b2c3d4e5.execute-api.amazonaws.com/pets")
        #expect(url(domain: "api.example.com", path: "orders").text == "https://api.example.com/orders")
        #expect(url(apiId: nil, stage: nil).text == "https://apigateway/")
        #expect(url(domain: "api.example.com", stage: "v1", route: "/orders").text == "https://api.example.com/v1/orders")
        #expect(url(stage: "", route: "/pets").text == "https://a1b2c3d4e5.execute-api.amazonaws.com//pets")
        // Route keys that are not paths ($default, WebSocket's $connect) stop the URL at the stage.
        #expect(url(route: "$default").text == "https://a1b2c3d4e5.execute-api.amazonaws.com/prod")
        #expect(url(stage: "$default", route: "$default").text == "https://a1b2c3d4e5.execute-api.amazonaws.com/")
    }

    @Test func webSocketURLs() {
        let q = ApiGatewayRequest(apiId: "k3x9q2z7y1", stage: "production", route: "$connect",
                                  domainName: "k3x9q2z7y1.execute-api.eu-west-1.amazonaws.com", eventType: "CONNECT")
        var w = JSONWriter()
        w.beginObject()
        writer.urlField(&w, q, writer.stageInfo(q))
        w.endObject()
        #expect(String(decoding: w.bytes, as: UTF8.self) == #"{"url":"wss://k3x9q2z7y1.execute-api.eu-west-1.amazonaws.com/production"}"#)
    }

    /// Requests of several stages in a row, in any order, each get their own
    /// stage's beginning (it is cached per stage).
    @Test func eachStageKeepsItsOwnBeginning() {
        let order: [(String, String)] = [("prod", "/a"), ("dev", "/b"), ("prod", "/c"), ("$default", "/d"), ("dev", "/e")]
        let texts = order.map { url(stage: $0.0, route: $0.1).text }
        let host = "https://a1b2c3d4e5.execute-api.amazonaws.com"
        #expect(texts == [host + "/prod/a", host + "/dev/b", host + "/prod/c", host + "/d", host + "/dev/e"])
    }

    @Test func escapedAndTruncated() {
        #expect(url(path: #"/a"b\c"#).written == #"{"url":"https://a1b2c3d4e5.execute-api.amazonaws.com/a\"b\\c"}"#)
        let long = "/" + String(repeating: "x", count: 300)
        let written = url(path: long).written
        #expect(written == #"{"url":""# + String(("https://a1b2c3d4e5.execute-api.amazonaws.com" + long).prefix(250)) + #""}"#)
    }
}
