import Testing

@testable import LogStitch

/// The stage segment's `http.request.url`: the stage's beginning, made once
/// per stage, and the request's path; the execute-api host in the API's
/// region (`--region` here), and no URL where neither it nor a custom
/// domain is known (issue: trace fidelity, item 4).
@Suite struct SegmentURLTests {
    let writer: SegmentDocumentWriter = {
        var o = CorrelationOptions()
        o.region = "us-east-1"
        return SegmentDocumentWriter(model: TraceModel(), options: o)
    }()

    func url(
        domain: String? = nil, apiId: String? = "a1b2c3d4e5", stage: String? = "prod", path: String? = nil,
        route: String? = nil
    ) -> (text: String, written: String) {
        let q = ApiGatewayRequest(apiId: apiId, stage: stage, route: route, path: path, domainName: domain)
        var w = JSONWriter()
        w.beginObject()
        writer.urlField(&w, q, writer.stageInfo(q))
        w.endObject()
        let written = String(decoding: w.bytes, as: UTF8.self)
        // The value, when it needed no escaping.
        let text =
            written.hasPrefix(#"{"url":""#) && written.hasSuffix(#""}"#)
            ? String(written.dropFirst(8).dropLast(2)) : written
        return (text, written)
    }

    @Test func pathRouteStageAndHost() {
        #expect(
            url(path: "/prod/orders/42").written
                == #"{"url":"https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod/orders/42"}"#)
        #expect(
            url(route: "/orders/{id}").text == "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod/orders/{id}"
        )
        #expect(
            url(stage: "$default", route: "/pets").text == "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/pets"
        )
        #expect(url(domain: "api.example.com", path: "orders").text == "https://api.example.com/orders")
        #expect(url(apiId: nil, stage: nil).written == "{}")
        #expect(
            url(domain: "api.example.com", stage: "v1", route: "/orders").text == "https://api.example.com/v1/orders")
        #expect(url(stage: "", route: "/pets").text == "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com//pets")
        // Route keys that are not paths ($default, WebSocket's $connect) stop the URL at the stage.
        #expect(url(route: "$default").text == "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod")
        #expect(
            url(stage: "$default", route: "$default").text == "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/")
    }

    @Test func noRegionNoHost() {
        let bare = SegmentDocumentWriter(model: TraceModel(), options: CorrelationOptions())
        func written(_ q: ApiGatewayRequest) -> String {
            var w = JSONWriter()
            w.beginObject()
            bare.urlField(&w, q, bare.stageInfo(q))
            w.endObject()
            return String(decoding: w.bytes, as: UTF8.self)
        }
        #expect(written(ApiGatewayRequest(apiId: "a1b2c3d4e5", stage: "prod", path: "/prod/x")) == "{}")
        #expect(bare.stageInfo(ApiGatewayRequest(apiId: "a1b2c3d4e5", stage: "prod")).arn == nil)
        // The region of a logged execute-api domain is the API's own.
        let q = ApiGatewayRequest(
            apiId: "a1b2c3d4e5", stage: "prod", path: "/prod/x",
            domainName: "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com")
        #expect(written(q) == #"{"url":"https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/x"}"#)
        #expect(
            bare.stageInfo(q).arn.map { String(decoding: $0, as: UTF8.self) }
                == "arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5/stages/prod")
        // A damaged domain names no region: no ARN from it.
        let odd = ApiGatewayRequest(
            apiId: "a1b2c3d4e5", stage: "prod",
            domainName: "a1b2c3d4e5.execute-api.\(String(repeating: "x", count: 300)).amazonaws.com")
        #expect(bare.stageInfo(odd).arn == nil)
        #expect(
            SegmentDocumentWriter.isRegionName("us-gov-west-1") && SegmentDocumentWriter.isRegionName("ap-southeast-2"))
        #expect(!SegmentDocumentWriter.isRegionName("US-east-1") && !SegmentDocumentWriter.isRegionName("east-1"))
    }

    @Test func webSocketURLs() {
        let q = ApiGatewayRequest(
            apiId: "k3x9q2z7y1", stage: "production", route: "$connect",
            domainName: "k3x9q2z7y1.execute-api.eu-west-1.amazonaws.com", eventType: "CONNECT")
        var w = JSONWriter()
        w.beginObject()
        writer.urlField(&w, q, writer.stageInfo(q))
        w.endObject()
        #expect(
            String(decoding: w.bytes, as: UTF8.self)
                == #"{"url":"wss://k3x9q2z7y1.execute-api.eu-west-1.amazonaws.com/production"}"#)
    }

    /// Requests of several stages in a row, in any order, each get their own
    /// stage's beginning (it is cached per stage).
    @Test func eachStageKeepsItsOwnBeginning() {
        let order: [(String, String)] = [
            ("prod", "/a"), ("dev", "/b"), ("prod", "/c"), ("$default", "/d"), ("dev", "/e"),
        ]
        let texts = order.map { url(stage: $0.0, route: $0.1).text }
        let host = "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"
        #expect(texts == [host + "/prod/a", host + "/dev/b", host + "/prod/c", host + "/d", host + "/dev/e"])
    }

    @Test func escapedAndTruncated() {
        #expect(
            url(path: #"/a"b\c"#).written
                == #"{"url":"https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/a\"b\\c"}"#)
        let long = "/" + String(repeating: "x", count: 300)
        let written = url(path: long).written
        #expect(
            written == #"{"url":""#
                + String(("https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com" + long).prefix(250)) + #""}"#)
    }
}
