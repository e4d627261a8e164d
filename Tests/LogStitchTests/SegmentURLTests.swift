import Testing
@testable import LogStitch

/// The stage segment's `http.request.url`, written in pieces.
@Suite struct SegmentURLTests {
    func url(domain: String? = nil, apiId: String? = "a1b2c3d4e5", stage: String? = "prod", path: String? = nil, route: String? = nil) -> (text: String, written: String) {
        let q = ApiGatewayRequest(apiId: apiId, stage: stage, route: route, path: path, domainName: domain)
        let parts = SegmentDocumentWriter.URLParts(q)
        var w = JSONWriter()
        w.beginObject()
        SegmentDocumentWriter(model: TraceModel(), options: CorrelationOptions()).urlField(&w, q)
        w.endObject()
        return (parts.text, String(decoding: w.bytes, as: UTF8.self))
    }

    @Test func pathRouteStageAndHost() {
        #expect(url(path: "/prod/orders/42").written == #"{"url":"https://a1b2c3d4e5.execute-api.amazonaws.com/prod/orders/42"}"#)
        #expect(url(route: "/orders/{id}").text == "https://a1b2c3d4e5.execute-api.amazonaws.com/prod/orders/{id}")
        #expect(url(stage: "$default", route: "/pets").text == "https://a1b2c3d4e5.execute-api.amazonaws.com/pets")
        #expect(url(domain: "api.example.com", path: "orders").text == "https://api.example.com/orders")
        #expect(url(apiId: nil, stage: nil).text == "https://apigateway/")
    }

    @Test func escapedAndTruncated() {
        #expect(url(path: #"/a"b\c"#).written == #"{"url":"https://a1b2c3d4e5.execute-api.amazonaws.com/a\"b\\c"}"#)
        let long = "/" + String(repeating: "x", count: 300)
        let written = url(path: long).written
        #expect(written == #"{"url":""# + String(("https://a1b2c3d4e5.execute-api.amazonaws.com" + long).prefix(250)) + #""}"#)
    }
}
